"""The book's one way to report a located defect: ``Problem`` (where, what, what to do), returned
by a check (the claims rule's too); ``LocatedError`` raises one when a file cannot be read on at all.

A location is a path relative to the book's root (or to the built site, for a built page), with
a line when one is known: "references.bib:12", "chapters/one.html:40", "data/sources.toml".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Location(NamedTuple):
    """Where a defect is: a path relative to the book's root, "/" separators, and a line if known."""

    path: str
    line: int | None = None  #: None when the defect is the file as a whole.

    @classmethod
    def parse(cls, text: str) -> Location:
        """A location written "path" or "path:line"."""
        path, sep, line = text.rpartition(":")
        return cls(path, int(line)) if sep and line.isdigit() else cls(text)

    def __str__(self) -> str:
        return self.path if self.line is None else f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Problem:
    path: str               # relative, with "/" separators
    line: int | None = None  # None when the defect is the file as a whole
    message: str = ""       # what is wrong (and, for a built page, what it was built from)
    advice: str = ""        # what to do; "" when the message already ends with it
    kind: str = ""          # the rule that found it, for tests and counts (e.g. "fragment")

    @classmethod
    def at(cls, location: str, message: str, advice: str = "", kind: str = "") -> Problem:
        """A problem at a location written "path" or "path:line"."""
        return cls.located(Location.parse(location), message, advice, kind)

    @classmethod
    def located(cls, where: Location, message: str, advice: str = "", kind: str = "") -> Problem:
        return cls(where.path, where.line, message, advice, kind)

    @property
    def where(self) -> Location:
        return Location(self.path, self.line)

    @property
    def location(self) -> str:
        """"path" or "path:line"."""
        return str(self.where)

    @property
    def text(self) -> str:
        """What a warning says after its location."""
        return f"{self.message}: {self.advice}" if self.advice else self.message

    def for_sphinx(self) -> tuple[str, str | None]:
        """(text, location) for a Sphinx warning. Sphinx takes a location without a line for a
        document name ("references.bib" would print as "references.bib.md"): a whole-file problem
        has no location, and its path leads the text instead."""
        return (self.text, self.location) if self.line is not None else (f"{self.path}: {self.text}", None)

    def sort_key(self) -> tuple:
        """By file, line, rule and text (a whole-file problem first)."""
        return self.path, self.line or 0, self.kind, self.message, self.advice

    def __str__(self) -> str:
        return f"{self.location}: {self.text}"


class LocatedError(ValueError):
    """A ``Problem`` that stops the reading of a file (a registry that is not TOML, say)."""

    def __init__(self, location: str | Problem, message: str = "", advice: str = ""):
        problem = location if isinstance(location, Problem) else Problem.at(location, message, advice)
        super().__init__(str(problem))
        self.problem = problem
        self.location = problem.location  # "path" or "path:line", relative to the book's root
        self.message = problem.text
