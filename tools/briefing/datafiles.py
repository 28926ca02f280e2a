"""Reading the book's data files (data/*.csv): each row keeps the line it was read from, so a
defect is reported at its file and line."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .errors import LocatedError
from .dates import MONTH_NAMES
from .evidence import extract

FIGURE_COLUMNS = ("id", "measure", "counted", "value", "number", "as_of", "as_of_text",
                  "reported_by", "source", "passage")
TIMELINE_COLUMNS = ("date", "when", "event", "source", "passage")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DataError(LocatedError):
    """A defect in a data/*.csv file."""


@dataclass(frozen=True)
class Row:
    location: str  # "data/figures.csv:LINE"
    fields: dict

    def __getitem__(self, name):
        return self.fields[name]


def read_rows(root: Path, rel_path: str, columns: tuple[str, ...]) -> tuple[list[Row], list[DataError]]:
    """All well-formed rows, and an error for each malformed one (never silently dropped)."""
    path = root / rel_path
    if not path.is_file():
        # With a line: Sphinx would read a bare path as a page's name ("data/figures.csv.md").
        return [], [DataError(f"{rel_path}:1", "data file is missing; restore it from version control")]
    rows, errors = [], []
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        before = data[:err.start]
        line, column, found = before.count(b"\n") + 1, len(before) - before.rfind(b"\n"), data[err.start:err.end].hex(" ")
        return [], [DataError(f"{rel_path}:{line}", f"not UTF-8 (bytes {found} at column {column}); "
                                                    "save the file as UTF-8")]
    if text.startswith("\ufeff"):
        return [], [DataError(f"{rel_path}:1", "starts with a byte-order mark; save the file as UTF-8 "
                                               "without one (the first column's name would include it)")]
    handle = io.StringIO(text, newline="")
    reader = csv.DictReader(handle)
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as err:
        return [], [DataError(f"{rel_path}:1", f"the header is not valid CSV ({err}); fix it")]
    missing = [c for c in columns if c not in fieldnames]
    if missing:
        return [], [DataError(f"{rel_path}:1", f"header lacks column(s) {', '.join(missing)}")]
    line = reader.line_num
    records = iter(reader)
    while True:
        try:
            record = next(records)
        except StopIteration:
            break
        except csv.Error as err:
            errors.append(DataError(f"{rel_path}:{reader.line_num}", f"not valid CSV ({err}); fix the quoting "
                                                                     "of this row"))
            break
        location = f"{rel_path}:{line + 1}"
        line = reader.line_num
        if None in record or any(v is None for v in record.values()):
            errors.append(DataError(location, "wrong number of fields; quote values that contain commas"))
            continue
        control = sorted({f"U+{ord(ch):04X}" for v in record.values() for ch in v
                          if ord(ch) < 32 and ch not in "\t\n\r"})
        if control:
            errors.append(DataError(location, f"control character(s) {', '.join(control)} in the row; "
                                              "remove them"))
            continue
        empty = [c for c in columns if not record[c].strip() and c not in OPTIONAL]
        if empty:
            errors.append(DataError(location, f"empty field(s) {', '.join(empty)}; fill them in"))
            continue
        for column in ("as_of", "date"):
            value = record.get(column, "").strip()
            if value and not _is_date(value):
                errors.append(DataError(location, f"{column} must be YYYY-MM-DD (a day that exists), not {value!r}; correct it"))
                break
        else:
            if "number" in record:
                try:
                    number = float(record["number"])
                except ValueError:
                    number = None
                if number is None or number != number or number in (float("inf"), float("-inf")):
                    errors.append(DataError(location, f"number must be numeric, not {record['number']!r}"))
                    continue
            rows.append(Row(location, {k: v.strip() for k, v in record.items()}))
    return rows, errors


def _is_date(value: str) -> bool:
    if not ISO_DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:  # 2022-13-45
        return False
    return True


# as_of may be empty where a source gives no date for its figure (the text then says so).
OPTIONAL = {"as_of"}


def _date_parts(text: str) -> tuple[set, set, set]:
    """Years, months and (month, day) pairs that a display text names."""
    years, months, days = set(), set(), set()
    for item in extract(text):
        if item.kind == "date":
            year, month, day = item.value
            months.add(month)
            if year:
                years.add(year)
            if day:
                days.add((month, day))
        elif item.kind == "figure" and isinstance(item.value, float) and 1900 <= item.value <= 2100:
            years.add(int(item.value))
    for number, name in enumerate(MONTH_NAMES, start=1):
        if re.search(rf"\b{name}\b", text):
            months.add(number)
    return years, months, days


def date_mismatch(iso: str, shown: str) -> str | None:
    """Why a sort date (YYYY-MM-DD) disagrees with the text shown for it, or None."""
    year, month, day = (int(p) for p in iso.split("-"))
    years, months, days = _date_parts(shown)
    if year not in years:
        return f"{iso} is in {year}, but {shown!r} names no year {year}"
    relative = re.search(r"\b(?:(week|month) )?(before|after)\b", shown, re.IGNORECASE)
    if months and month not in months and not (days and relative):
        return f"{iso} is in month {month}, but {shown!r} names another month"
    if days and relative:
        # "The week before 10 October 2022": the sort date falls within that week of the named day.
        span = 7 if (relative.group(1) or "").lower() == "week" else 31
        sign = -1 if relative.group(2).lower() == "before" else 1
        if not any(0 < sign * (date(year, month, day) - date(year, m, d)).days <= span for m, d in days):
            return f"{iso} is not within the {(relative.group(1) or 'month').lower()} {relative.group(2).lower()} the day {shown!r} names"
        return None
    if days and (month, day) not in days:
        return f"{iso} is not the day {shown!r} names"
    if not days and day != 1:
        return f"{shown!r} names no day: the sort date must be the first of its month or year"
    return None


def known_measures(root: Path, rel_path: str = "data/datapackage.json") -> set[str] | None:
    """The closed list of measures: the keys of the data package's 'units' (one origin for the
    measures and their units); None when the book has no data package."""
    import json

    path = root / rel_path
    if not path.is_file():
        return None
    units = json.loads(path.read_text(encoding="utf-8")).get("units", {})
    return {name for name in units if name != "about"}


def row_problems(row: Row, measures: set[str] | None = None) -> list[str]:
    """Disagreements inside one row: the machine-read columns must say what the shown ones say,
    and a measure must be one the data package names (a misspelt one would leave the charts)."""
    problems = []
    if measures is not None and "measure" in row.fields and row["measure"] not in measures:
        near = sorted(m for m in measures if m.split("_")[0] == row["measure"].split("_")[0]) or sorted(measures)
        problems.append(f"unknown measure {row['measure']!r}: use one of {', '.join(near)}, or add it with its "
                        "unit to the 'units' of data/datapackage.json")
    if "number" in row.fields:
        figures = {item.value for item in extract(row["value"]) if item.kind == "figure"}
        # "one" and "two" are no figures in prose (idioms), but in a value column they are.
        figures |= {float(n) for n, word in ((1, "one"), (2, "two")) if re.search(rf"\b{word}\b", row["value"])}
        if float(row["number"]) not in figures:
            problems.append(f"number {row['number']} is not the figure in value {row['value']!r}; make them agree")
        if row["as_of"]:
            mismatch = date_mismatch(row["as_of"], row["as_of_text"])
            if mismatch:
                problems.append(f"as_of {mismatch}; make as_of and as_of_text agree")
    if "when" in row.fields:
        mismatch = date_mismatch(row["date"], row["when"])
        if mismatch:
            problems.append(f"date {mismatch}; make date and when agree")
    return problems
