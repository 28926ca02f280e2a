"""Reading the book's data files (data/*.csv) as the data package (data/datapackage.json)
describes them: each row keeps the line it was read from, so a defect is reported at its file
and line.

A data set is described once, by its resource in the package: its fields (the columns, in
order), which are required, which are dates or a number, and two properties of the book's own:
``inWords`` (on a date or number field: the field that states it in words, which must agree)
and ``unitBy`` (on the number field: the field whose value names its unit among the package's
``units``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .errors import LocatedError, Problem
from .dates import MONTH_NAMES
from .evidence import extract

PACKAGE = "data/datapackage.json"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DataError(LocatedError):
    """A data package that cannot be read, or that does not describe a data set."""


@dataclass(frozen=True)
class Dataset:
    """One data set as its resource in the data package describes it."""
    name: str                       # the resource's name: "figures", "timeline"
    columns: tuple[str, ...]        # every field, in the file's order
    optional: frozenset[str]        # the fields that may be empty (not "required")
    date_columns: tuple[str, ...]   # the fields of type "date": YYYY-MM-DD, a day that exists
    number_column: str | None       # the field of type "number", if any
    in_words: dict[str, str]        # a date or number field -> the field that states it in words
    unit_column: str | None         # the field whose value names the number's unit ("measure")
    units: frozenset[str]           # the values unit_column may take: the package's "units"


def read_dataset(root: Path, name: str, package: str = PACKAGE) -> Dataset:
    """The data set ``name`` as the package at ``root / package`` describes it; DataError when
    the package cannot be read or has no such resource."""
    # Always with a line: Sphinx would read a bare path as a page's name ("data/datapackage.json.md").
    path = root / package
    if not path.is_file():
        raise DataError(f"{package}:1", "the data package is missing; restore it from version control")
    try:
        text = path.read_text(encoding="utf-8")
        descriptor = json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        line = getattr(err, "lineno", 1)
        raise DataError(f"{package}:{line}", f"not valid JSON in UTF-8 ({err}); fix it") from None
    resources = {r.get("name"): r for r in descriptor.get("resources", []) if isinstance(r, dict)}
    if name not in resources:
        raise DataError(f"{package}:1", f"no resource named {name!r} describes the data set; add it "
                                        "with its schema")
    fields = resources[name].get("schema", {}).get("fields", [])
    by_type = {kind: tuple(f["name"] for f in fields if f.get("type") == kind) for kind in ("date", "number")}
    if len(by_type["number"]) > 1:
        raise DataError(f"{package}:{_line_of(text, 'name', name)}", f"resource {name!r} has more than one "
                        "field of type number; the book's rules read one")
    columns = tuple(f["name"] for f in fields)
    unknown = [(key, f["name"], f[key]) for f in fields for key in ("inWords", "unitBy")
               if key in f and f[key] not in columns]
    if unknown:
        named = "; ".join(f"{key} of {field}: {target!r}" for key, field, target in unknown)
        raise DataError(f"{package}:{_line_of(text, unknown[0][0], unknown[0][2])}",
                        f"resource {name!r} names fields it does not have ({named}); name one of its fields")
    unit_column = next((f["unitBy"] for f in fields if "unitBy" in f), None)
    return Dataset(
        name=name,
        columns=columns,
        optional=frozenset(f["name"] for f in fields if not f.get("constraints", {}).get("required")),
        date_columns=by_type["date"],
        number_column=by_type["number"][0] if by_type["number"] else None,
        in_words={f["name"]: f["inWords"] for f in fields if "inWords" in f},
        unit_column=unit_column,
        units=frozenset(u for u in descriptor.get("units", {}) if u != "about") if unit_column else frozenset(),
    )


def _line_of(text: str, key: str, value: str) -> int:
    """The line of the first ``"key": "value"`` in a JSON text (json keeps no positions), or 1."""
    found = re.search(rf'"{re.escape(key)}"\s*:\s*{re.escape(json.dumps(value))}', text)
    return text.count("\n", 0, found.start()) + 1 if found else 1


@dataclass(frozen=True)
class Row:
    location: str           # "data/figures.csv:LINE"
    cells: dict[str, str]   # column name -> the cell's text, stripped

    def __getitem__(self, name):
        return self.cells[name]


def read_rows(root: Path, rel_path: str, dataset: Dataset) -> tuple[list[Row], list[Problem]]:
    """All well-formed rows of the file ``rel_path`` holding ``dataset``, and a problem for each
    malformed one (never silently dropped)."""
    path = root / rel_path
    if not path.is_file():
        # With a line: Sphinx would read a bare path as a page's name ("data/figures.csv.md").
        return [], [Problem.at(f"{rel_path}:1", "data file is missing; restore it from version control")]
    rows, problems = [], []
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        before = data[:err.start]
        line, column, found = before.count(b"\n") + 1, len(before) - before.rfind(b"\n"), data[err.start:err.end].hex(" ")
        return [], [Problem.at(f"{rel_path}:{line}", f"not UTF-8 (bytes {found} at column {column}); "
                                                     "save the file as UTF-8")]
    if text.startswith("\ufeff"):
        return [], [Problem.at(f"{rel_path}:1", "starts with a byte-order mark; save the file as UTF-8 "
                                                "without one (the first column's name would include it)")]
    handle = io.StringIO(text, newline="")
    reader = csv.DictReader(handle)
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as err:
        return [], [Problem.at(f"{rel_path}:1", f"the header is not valid CSV ({err}); fix it")]
    missing = [c for c in dataset.columns if c not in fieldnames]
    if missing:
        return [], [Problem.at(f"{rel_path}:1", f"header lacks column(s) {', '.join(missing)}")]
    line = reader.line_num
    records = iter(reader)
    while True:
        try:
            record = next(records)
        except StopIteration:
            break
        except csv.Error as err:
            problems.append(Problem.at(f"{rel_path}:{reader.line_num}", f"not valid CSV ({err}); fix the "
                                                                       "quoting of this row"))
            break
        location = f"{rel_path}:{line + 1}"
        line = reader.line_num
        problem = _record_problem(record, dataset)
        if problem:
            problems.append(Problem.at(location, problem))
        else:
            rows.append(Row(location, {k: v.strip() for k, v in record.items()}))
    return rows, problems


def _record_problem(record: dict, dataset: Dataset) -> str | None:
    """What makes one CSV record unreadable as a row of ``dataset`` (the first thing found), or None."""
    if None in record or any(v is None for v in record.values()):
        return "wrong number of fields; quote values that contain commas"
    control = sorted({f"U+{ord(ch):04X}" for v in record.values() for ch in v
                      if ord(ch) < 32 and ch not in "\t\n\r"})
    if control:
        return f"control character(s) {', '.join(control)} in the row; remove them"
    empty = [c for c in dataset.columns if not record[c].strip() and c not in dataset.optional]
    if empty:
        return f"empty field(s) {', '.join(empty)}; fill them in"
    for column in dataset.date_columns:
        value = record[column].strip()
        if value and not _is_date(value):
            return f"{column} must be YYYY-MM-DD (a day that exists), not {value!r}; correct it"
    column = dataset.number_column
    if column and record[column].strip() and not _is_number(record[column]):
        return f"{column} must be numeric, not {record[column]!r}"
    return None


def _is_date(value: str) -> bool:
    if not ISO_DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:  # 2022-13-45
        return False
    return True


def _is_number(value: str) -> bool:
    try:
        number = float(value)
    except ValueError:
        return False
    return number == number and number not in (float("inf"), float("-inf"))


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


def row_problems(row: Row, dataset: Dataset) -> list[Problem]:
    """Disagreements inside one row: the machine-read columns must say what the shown ones say,
    and a measure must be one the data package names (a misspelt one would leave the charts)."""
    messages = []
    unit = dataset.unit_column
    if unit and row[unit] not in dataset.units:
        near = sorted(m for m in dataset.units if m.split("_")[0] == row[unit].split("_")[0]) or sorted(dataset.units)
        messages.append(f"unknown {unit} {row[unit]!r}: use one of {', '.join(near)}, or add it with its "
                        f"unit to the 'units' of {PACKAGE}")
    number = dataset.number_column
    if number in dataset.in_words and row[number]:
        words = dataset.in_words[number]
        figures = {item.value for item in extract(row[words]) if item.kind == "figure"}
        # "one" and "two" are no figures in prose (idioms), but in a value column they are.
        figures |= {float(n) for n, word in ((1, "one"), (2, "two")) if re.search(rf"\b{word}\b", row[words])}
        if float(row[number]) not in figures:
            messages.append(f"{number} {row[number]} is not the figure in {words} {row[words]!r}; make them agree")
    for column in dataset.date_columns:
        words = dataset.in_words.get(column)
        mismatch = date_mismatch(row[column], row[words]) if words and row[column] else None
        if mismatch:
            messages.append(f"{column} {mismatch}; make {column} and {words} agree")
    return [Problem.at(row.location, message) for message in messages]
