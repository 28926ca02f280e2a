"""references.bib read once, with pybtex, keeping where each entry stands: its first line and its
text exactly as the file writes it. Every defect pybtex meets (a syntax error, a key given twice)
is a located ``Problem`` with what to do; none is raised.

Pure Python, no Sphinx: the bibliography rules (bibcheck), the "Cite this page" block and
tools/require_network.py read the file through here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from pybtex.database import BibliographyData, Entry, Person
from pybtex.database.input.bibtex import LowLevelParser, Parser
from pybtex.database.output.bibtex import Writer
from pybtex.scanner import PybtexError

from .errors import Problem


@dataclass(frozen=True)
class Span:
    line: int   # the line of the entry's '@'
    start: int  # offsets of the entry's text in the file
    end: int


@dataclass
class BibFile:
    path: str                                   # as shown in messages, e.g. "references.bib"
    text: str
    data: BibliographyData                      # the well-formed entries, the first of a repeated key
    spans: dict[str, Span] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line(self, key: str) -> int:
        span = self.spans.get(key)
        return span.line if span else 1

    def location(self, key: str) -> str:
        return f"{self.path}:{self.line(key)}"

    def raw(self, key: str) -> str | None:
        """The entry exactly as the file writes it."""
        span = self.spans.get(key)
        return self.text[span.start:span.end] if span else None

    def urls(self) -> list[str]:
        return [entry.fields["url"].strip() for entry in self.data.entries.values()
                if entry.fields.get("url", "").strip()]


class _Parser(Parser):
    """pybtex's own BibTeX parser, told to collect its errors rather than raise them and to note
    where each entry stands."""

    def __init__(self, shown: str):
        super().__init__()
        self.shown = shown
        self.spans: dict[str, Span] = {}
        self.problems: list[Problem] = []
        self._entry_line = 1  # where the entry being read starts, for errors pybtex does not locate

    def handle_error(self, error):
        if getattr(error, "lineno", None) is None and error.args and "field" in str(error.args[0]):
            # pybtex's DuplicateField: the entry gives one field twice.
            self.problems.append(Problem(self.shown, self._entry_line, str(error.args[0]),
                                         "keep one of the two values", "duplicate-field"))
            return
        self.problems.append(_syntax_problem(self.shown, error, self._entry_line))

    def parse_string(self, text):
        self.unnamed_entry_counter = 1
        self.command_start = 0
        scanner = LowLevelParser(text, keyless_entries=self.keyless_entries, handle_error=self.handle_error,
                                 want_entry=self.data.want_entry, filename=self.filename, macros=self.macros)
        known: dict[str, str] = {}  # lower-case key -> key: BibTeX keys ignore case
        for command, body in scanner:
            start = scanner.command_start
            line = text.count("\n", 0, start) + 1
            malformed = any(p.line is not None and p.line >= line for p in self.problems)
            kind = command.lower()
            if kind == "preamble":
                self.process_preamble(*body)
            if kind in ("string", "preamble"):
                continue
            key = body[0]
            if malformed or key is None:
                continue  # reported by handle_error; a half-read entry is not kept
            if key.lower() in known:
                first = known[key.lower()]
                self.problems.append(Problem(
                    self.shown, line, f"entry key '{key}' is used twice (first at {self.shown}:"
                    f"{self.spans[first].line})", "give this entry a key of its own, or remove it "
                    "if it is the same source", "duplicate"))
                continue
            known[key.lower()] = key
            self.spans[key] = Span(line, start, scanner.pos)
            self._entry_line = line
            self.process_entry(command, *body)
        return self.data


def _syntax_problem(shown: str, error: PybtexError, fallback: int = 1) -> Problem:
    line = getattr(error, "lineno", None) or fallback
    message = error.args[0] if error.args else str(error)
    return Problem(shown, line, f"BibTeX syntax error: {message}",
                   "fix the entry at or just before that line", "syntax")


def read_bib(path: Path, shown: str | None = None, content: bytes | None = None) -> BibFile:
    """The file at ``path`` (or ``content``, its bytes, read by the caller); ``shown`` is its name
    in messages (by default, the path as given)."""
    shown = shown or str(path)
    if content is None:
        content = Path(path).read_bytes()
    text = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8").read()  # as read_text reads it
    parser = _Parser(shown)
    try:
        data = parser.parse_string(text)
    except PybtexError as err:  # anything pybtex raises outside its recoverable syntax errors
        parser.problems.append(_syntax_problem(shown, err))
        data = parser.data
    return BibFile(shown, text, data, parser.spans, parser.problems)


def shared_bib(path: Path, shown: str | None = None) -> BibFile:
    """``read_bib``, parsed once for the same bytes: "Cite this page" asks on every page, and a
    parse costs about 16 ms. Keyed by the bytes themselves, not by the file's time or size, so
    a changed file is always parsed again. The result is shared: read it, never change it."""
    content = Path(path).read_bytes()
    key = (str(path), shown)
    found = _PARSED.get(key)
    if found is None or found[0] != content:
        found = _PARSED[key] = (content, read_bib(path, shown, content))
    return found[1]


_PARSED: dict[tuple[str, str | None], tuple[bytes, BibFile]] = {}  # (path, shown) -> (its bytes, parsed)


class _Writer(Writer):
    """pybtex's BibTeX writer, which encodes text as LaTeX (``&`` as ``\\&``), except in the
    fields that hold an address verbatim; laid out as references.bib is (names aligned, values
    in braces)."""

    VERBATIM = {"url", "doi"}

    def _write_field(self, stream, type, value):
        if type.lower() not in self.VERBATIM:
            value = self._encode(value)
        self.check_braces(value)
        stream.write(f",\n  {type:<12} = {{{value}}}")


def entry_text(key: str, entry_type: str, fields: dict[str, str], persons: dict[str, list[str]] | None = None) -> str:
    """One entry written by pybtex's BibTeX writer. ``persons`` maps a role to its names; a name
    in braces ("{The editors}") is an organisation, kept whole."""
    entry = Entry(entry_type, fields=fields,
                  persons={role: [Person(name) for name in names] for role, names in (persons or {}).items()})
    stream = io.StringIO()
    _Writer().write_stream(BibliographyData({key: entry}), stream)
    return stream.getvalue().strip()
