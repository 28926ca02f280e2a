"""Rules for references.bib beyond BibTeX syntax: the fields a news-article entry needs, and no
field the book's styles would silently drop or that records nothing known. The file is read by
briefing.bibfile (pybtex), which also reports its syntax errors and repeated keys."""

from __future__ import annotations

import re

from .bibfile import BibFile
from .dates import MONTH_NAMES
from .errors import Problem

REQUIRED = ("title", "year", "url")
# The outlet: ``journal`` of an @article (entrysubtype newspaper), which BibTeX, biber, citeproc
# and Zotero all read; ``howpublished`` of a @misc, which only BibTeX styles read.
OUTLET = ("journal", "howpublished")
ALLOWED = set(REQUIRED) | set(OUTLET) | {"month", "day", "note", "author", "urldate", "entrysubtype", "language"}
MONTHS = {name.lower() for name in MONTH_NAMES}
HINTS = {
    "date": "pybtex ignores 'date' (the citation would show n.d.): use year, month and day",
    "organization": "the styles ignore 'organization' for these entries: put the outlet in howpublished",
}


def read_problems(bib: BibFile) -> list[Problem]:
    """What keeps the file from being read whole: syntax errors and repeated keys, located."""
    return sorted(bib.problems, key=Problem.sort_key)


def field_problems(bib: BibFile) -> list[Problem]:
    """A problem for each entry lacking a required field or carrying an unknown one, at the
    entry's first line."""
    problems = []
    for key, entry in bib.data.entries.items():
        def add(message: str) -> None:
            problems.append(Problem(bib.path, bib.line(key), message, kind="fields"))
        for name in REQUIRED:
            if not entry.fields.get(name, "").strip():
                add(f"entry '{key}' lacks '{name}'; add it (never guess: leave the entry out until the fact is known)")
        if not any(entry.fields.get(name, "").strip() for name in OUTLET):
            add(f"entry '{key}' names no outlet: add 'journal' (or 'howpublished' for a @misc)")
        for name in entry.fields:
            lower = name.lower()
            if lower not in ALLOWED:
                hint = HINTS.get(lower, f"allowed fields: {', '.join(sorted(ALLOWED))}")
                add(f"entry '{key}' has field '{name}': {hint}")
        month = entry.fields.get("month", "").strip().lower()
        if month and month not in MONTHS:
            add(f"entry '{key}': month {month!r} is not a month; write the bare macro, e.g. month = sep")
        url = entry.fields.get("url", "")
        if url and not re.match(r"^https?://[^\s/]+\.[^\s/]+(/\S*)?$", url):
            add(f"entry '{key}': url {url!r} is not a well-formed web address")
        problems += link_problems(bib, key)
    return problems


# A link written inside a field (\url{…}, \href{…}{…}) becomes a live link in the HTML and the PDF.
_LINK = re.compile(r"\\(?:url|href)\s*\{\s*([^}]*)\}")
LINK_SCHEMES = ("http", "https", "mailto")


def link_problems(bib: BibFile, key: str) -> list[Problem]:
    """A problem, at its line, for each link in the entry's fields to anything but a web or mail
    address (a ``javascript:`` link would run in the reader's browser)."""
    raw = bib.raw(key) or ""
    problems = []
    for match in _LINK.finditer(raw):
        target = match.group(1).strip()
        scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", target)
        if scheme is None or scheme.group(1).lower() not in LINK_SCHEMES:
            problems.append(Problem(bib.path, bib.line(key) + raw.count("\n", 0, match.start()),
                                    f"entry '{key}' links to {target!r}: only {', '.join(LINK_SCHEMES)} addresses "
                                    "may be links", "write the full address (https://…), or the text without \\url",
                                    "link"))
    return problems
