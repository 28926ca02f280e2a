"""Rules for references.bib beyond BibTeX syntax: the fields a news-article entry needs, and no
field the book's styles would silently drop or that records nothing known."""

from __future__ import annotations

import re
from pathlib import Path

from pybtex.database.input.bibtex import Parser
from pybtex.scanner import PybtexError, PybtexSyntaxError

REQUIRED = ("title", "howpublished", "year", "url")
ALLOWED = set(REQUIRED) | {"month", "day", "note", "author", "urldate"}
MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december"}
HINTS = {
    "date": "pybtex ignores 'date' (the citation would show n.d.): use year, month and day",
    "organization": "the styles ignore 'organization' for these entries: put the outlet in howpublished",
}


def syntax_problem(path: Path) -> tuple[int, str] | None:
    """(line, message) of the first BibTeX syntax error, or None."""
    try:
        Parser().parse_file(str(path))
    except PybtexSyntaxError as err:
        return err.lineno or 1, f"BibTeX syntax error: {err.args[0] if err.args else err}"
    except PybtexError as err:
        return getattr(err, "lineno", None) or 1, f"BibTeX error: {err}"
    return None


def field_problems(path: Path) -> list[tuple[int, str]]:
    """(line, message) for each entry lacking a required field or carrying an unknown one."""
    problems = []
    data = Parser().parse_file(str(path))
    lines = entry_lines(path)
    for key, entry in data.entries.items():
        line = lines.get(key, 1)
        for name in REQUIRED:
            if not entry.fields.get(name, "").strip():
                problems.append((line, f"entry '{key}' lacks '{name}'; add it (never guess: leave "
                                       "the entry out until the fact is known)"))
        for name in entry.fields:
            lower = name.lower()
            if lower not in ALLOWED:
                hint = HINTS.get(lower, f"allowed fields: {', '.join(sorted(ALLOWED))}")
                problems.append((line, f"entry '{key}' has field '{name}': {hint}"))
        month = entry.fields.get("month", "").strip().lower()
        if month and month not in MONTHS:
            problems.append((line, f"entry '{key}': month {month!r} is not a month; write the bare macro, e.g. month = sep"))
        url = entry.fields.get("url", "")
        if url and not re.match(r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$", url):
            problems.append((line, f"entry '{key}': url {url!r} is not a well-formed web address"))
    return problems


def entry_lines(path: Path) -> dict[str, int]:
    """The line on which each entry starts."""
    lines = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        match = re.match(r"\s*@\w+\s*\{\s*([^,\s]+)\s*,", line)
        if match:
            lines[match.group(1)] = number
    return lines
