"""The book's calendar: month names as the sources and references.bib write them, and dates in
the book's own style ("14 September 2022").

Pure Python, no Sphinx. The evidence rule, the data checks, the citation style, "Cite this page",
the page metadata and the PDF's front matter all read months here. English names from a table,
not from ``calendar``, whose names follow the locale Sphinx sets.
"""

from __future__ import annotations

MONTH_NAMES = ("January February March April May June July August September October "
               "November December").split()
#: "sep" -> 9: the first three letters of every spelling (also BibTeX's month macros).
MONTHS = {name[:3].lower(): number for number, name in enumerate(MONTH_NAMES, start=1)}
#: A month as news texts write it ("September", "Sept.", "Sep."), as a regex group to name with
#: ``MONTH_PATTERN.format("m")``.
MONTH_PATTERN = (r"(?P<{}>Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|"
                 r"Aug(?:ust|\.)?|Sept?(?:ember|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)")


def month_number(name: str) -> int | None:
    """9 for 'September', 'september', 'Sept.', 'sep' or '9'; None for anything else."""
    name = str(name).strip().rstrip(".").lower()
    if name.isdigit():
        return int(name) if 1 <= int(name) <= 12 else None
    number = MONTHS.get(name[:3])
    if number is None or len(name) < 3 or not MONTH_NAMES[number - 1].lower().startswith(name):
        return None
    return number


def month_abbreviation(number: int) -> str:
    """9 -> 'sep': the BibTeX month macro."""
    return MONTH_NAMES[number - 1][:3].lower()


def date_words(iso: str) -> str:
    """'2022-09-14' -> '14 September 2022'; '2022-09' -> 'September 2022' (the book's date style)."""
    parts = [int(p) for p in str(iso).split("-")]
    if len(parts) == 3:
        return f"{parts[2]} {MONTH_NAMES[parts[1] - 1]} {parts[0]}"
    return f"{MONTH_NAMES[parts[1] - 1]} {parts[0]}"
