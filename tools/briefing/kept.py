"""What a build keeps for the next one (beside its doctrees): a pickle written whole or not at all,
read back only when what it was written under (the output folder, a format version, a digest of
the rules' code) is the same; anything else reads as nothing kept."""

from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from types import ModuleType
from typing import Any


def code_digest(*modules: ModuleType) -> str:
    """A digest of the modules' source: what is kept under it is read afresh once they change."""
    return hashlib.sha256(b"".join(Path(module.__file__).read_bytes() for module in modules)).hexdigest()


def load(path: Path, **written_under: Any) -> dict:
    try:
        with path.open("rb") as handle:
            kept = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return {}
    if not isinstance(kept, dict) or any(kept.get(name) != value for name, value in written_under.items()):
        return {}
    return kept.get("data", {})


def save(path: Path, data: dict, **written_under: Any) -> None:
    partial = path.with_name(path.name + ".partial")
    with partial.open("wb") as handle:
        pickle.dump({**written_under, "data": data}, handle)
    partial.replace(path)  # atomic: an interrupted build leaves the old file or none
