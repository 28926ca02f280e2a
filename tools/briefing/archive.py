"""The registry of archived source texts (``data/sources.toml``) and their integrity.

Pure Python, no Sphinx: the build, the tests and the benchmark all read sources through here.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import LocatedError

REQUIRED_FIELDS = ("text", "sha256", "page", "published", "date_basis", "url_basis", "short")
_PUBLISHED = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


class RegistryError(LocatedError):
    """A defect in data/sources.toml."""


@dataclass(frozen=True)
class Source:
    key: str
    text_path: Path
    text_rel: str
    sha256: str
    page: str
    published: str
    date_basis: str
    url_basis: str  # how the outlet's address for the article is known
    short: str
    location: str  # "data/sources.toml:LINE" of the source's table header

    @property
    def year(self) -> int:
        return int(self.published[:4])

    @property
    def month(self) -> int:
        return int(self.published[5:7])

    @property
    def day(self) -> int | None:
        return int(self.published[8:10]) if len(self.published) == 10 else None

    def read_text(self) -> str:
        return self.text_path.read_text(encoding="utf-8")

    def paragraphs(self) -> list[str]:
        return split_paragraphs(self.read_text())

    def anchor(self, number: int) -> str:
        """The stable HTML id of paragraph ``number`` (1-based) of the archived text."""
        return f"{self.key}-p{number}"


def split_paragraphs(text: str) -> list[str]:
    """Every non-blank line of an archived text is one paragraph, numbered from 1.

    The archived articles put each paragraph on one line; numbering non-blank lines keeps the
    numbers (and so the anchors) fixed for as long as the text's hash is.
    """
    return [line.strip() for line in text.splitlines() if line.strip()]


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _header_lines(raw: str) -> dict[str, int]:
    lines = {}
    for number, line in enumerate(raw.splitlines(), start=1):
        match = re.match(r"^\s*\[([^\]]+)\]\s*(#.*)?$", line)
        if match:
            lines[match.group(1).strip()] = number
    return lines


def load_registry(root: Path, rel_path: str = "data/sources.toml") -> dict[str, Source]:
    """Read the registry; raise RegistryError naming the file and line of the first defect."""
    path = root / rel_path
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RegistryError(rel_path, "the source registry is missing; create it (see README, 'Adding a source')") from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as err:
        line = getattr(err, "lineno", None) or _line_from_message(str(err))
        raise RegistryError(f"{rel_path}:{line}", f"not valid TOML ({err}); fix the syntax") from None
    headers = _header_lines(raw)
    sources: dict[str, Source] = {}
    for key, table in data.items():
        location = f"{rel_path}:{headers.get(key, 1)}"
        if not isinstance(table, dict):
            raise RegistryError(location, f"'{key}' must be a table [{key}] describing one source")
        missing = [name for name in REQUIRED_FIELDS if not str(table.get(name, "")).strip()]
        if missing:
            raise RegistryError(location, f"source '{key}' lacks {', '.join(missing)}; add the field(s)")
        if not _PUBLISHED.match(str(table["published"])):
            raise RegistryError(location, f"source '{key}': published must be YYYY-MM-DD or YYYY-MM, not {table['published']!r}")
        sources[key] = Source(
            key=key,
            text_path=root / table["text"],
            text_rel=table["text"],
            sha256=str(table["sha256"]).lower(),
            page=table["page"],
            published=str(table["published"]),
            date_basis=table["date_basis"],
            url_basis=table["url_basis"],
            short=table["short"],
            location=location,
        )
    return sources


def _line_from_message(message: str) -> int:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else 1


def integrity_problem(source: Source) -> str | None:
    """Why the archived text does not match its recorded hash, or None when it does."""
    if not source.text_path.is_file():
        return (f"archived text {source.text_rel} of source '{source.key}' is missing; "
                "restore it from the outlet's original")
    actual = file_sha256(source.text_path)
    if actual != source.sha256:
        return (f"archived text {source.text_rel} no longer matches its recorded SHA-256 "
                f"(recorded {source.sha256[:12]}…, found {actual[:12]}…); archived texts are verbatim: "
                "restore the original bytes, or record the new hash only if the outlet's text was re-archived")
    return None
