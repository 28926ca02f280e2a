"""The people, places, organisations and outlets the book names (``data/names.toml``), and finding
them in a text by any of their forms.

Pure Python, no Sphinx: the meaning rules (claims.py) and the tests read names through here.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .archive import table_lines
from .errors import LocatedError
from .evidence import first_letters, normalise

KINDS = ("person", "place", "organisation", "outlet", "country", "thing")
FOUND_KEPT = 4096  # the texts whose names Names.find keeps (a bound on memory, not a need)


class NamesError(LocatedError):
    """A defect in data/names.toml."""


@dataclass(frozen=True)
class Name:
    name: str
    kind: str
    forms: tuple[str, ...]  # the name itself first
    location: str  # "data/names.toml:LINE"


class Names:
    """Every name, and one pattern that finds any form of any of them (the longest form wins, so
    "Batken district" is the district, not the region called "Batken")."""

    def __init__(self, names: list[Name]):
        self.names = {n.name: n for n in names}
        self._by_form: dict[str, str] = {}
        for n in names:
            for form in n.forms:
                self._by_form.setdefault(normalise(form), n.name)
        forms = sorted(self._by_form, key=len, reverse=True)
        # The first letters of the forms, asked first: most places of a text start none, and the
        # scan passes them without trying every form.
        self._pattern = re.compile(first_letters(forms) + r"(?<![\w.-])(" + "|".join(map(re.escape, forms))
                                   + r")(?![\w-]|\.\w)") if forms else None
        self._cache: dict[str, frozenset[str]] = {}
        self._found: dict[str, tuple[tuple[str, int, int], ...]] = {}

    def __contains__(self, name: str) -> bool:
        return name in self.names

    def canonical(self, form: str) -> str | None:
        return self._by_form.get(normalise(form))

    def find(self, text: str) -> list[tuple[str, int, int]]:
        """(name, start, end) of every form in ``text`` (normalised), left to right."""
        if self._pattern is None:
            return []
        # Kept: the rules ask of a block, its sentences and its clauses, often the same text.
        found = self._found.get(text)
        if found is None:
            if len(self._found) >= FOUND_KEPT:
                self._found.clear()
            found = self._found[text] = tuple((self._by_form[m.group(1)], m.start(), m.end())
                                              for m in self._pattern.finditer(text))
        return list(found)

    def named_in(self, text: str) -> frozenset[str]:
        """The names ``text`` mentions (cached: passages are asked again and again)."""
        found = self._cache.get(text)
        if found is None:
            found = self._cache[text] = frozenset(name for name, _, _ in self.find(normalise(text)))
        return found


def load_names(root: Path, rel_path: str = "data/names.toml") -> Names:
    """Read the names; raise NamesError naming the file and line of the first defect."""
    path = root / rel_path
    if not path.is_file():
        return Names([])
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        line = path.read_bytes()[:err.start].count(b"\n") + 1
        raise NamesError(f"{rel_path}:{line}", f"is not UTF-8 text (byte {err.object[err.start]:#04x}); "
                                               "save the file as UTF-8") from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as err:
        raise NamesError(f"{rel_path}:{getattr(err, 'lineno', 1)}", f"not valid TOML ({err}); fix the syntax") from None
    lines = table_lines(raw)
    names, seen = [], {}
    for name, table in data.items():
        location = f"{rel_path}:{lines.get(name, 1)}"
        if not isinstance(table, dict) or table.get("kind") not in KINDS:
            raise NamesError(location, f"'{name}' needs kind = one of {', '.join(KINDS)}")
        forms = table.get("forms", [])
        if not isinstance(forms, list) or not all(isinstance(f, str) and f.strip() for f in forms):
            raise NamesError(location, f"'{name}': forms must be a list of non-empty strings")
        for form in [name, *forms]:
            other = seen.setdefault(normalise(form), name)
            if other != name:
                raise NamesError(location, f"the form '{form}' belongs to both '{other}' and '{name}': "
                                           "give it to one of them")
        names.append(Name(name, table["kind"], (name, *forms), location))
    return Names(names)
