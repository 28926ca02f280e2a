"""Reading the book's data files (data/*.csv): each row keeps the line it was read from, so a
defect is reported at its file and line."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import LocatedError

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
        return [], [DataError(rel_path, "data file is missing; restore it from version control")]
    rows, errors = [], []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            return [], [DataError(f"{rel_path}:1", f"header lacks column(s) {', '.join(missing)}")]
        line = reader.line_num
        for record in reader:
            location = f"{rel_path}:{line + 1}"
            line = reader.line_num
            if None in record or any(v is None for v in record.values()):
                errors.append(DataError(location, "wrong number of fields; quote values that contain commas"))
                continue
            empty = [c for c in columns if not record[c].strip() and c not in OPTIONAL]
            if empty:
                errors.append(DataError(location, f"empty field(s) {', '.join(empty)}; fill them in"))
                continue
            for column in ("as_of", "date"):
                value = record.get(column, "").strip()
                if value and not ISO_DATE.match(value):
                    errors.append(DataError(location, f"{column} must be YYYY-MM-DD, not {value!r}"))
                    break
            else:
                if "number" in record:
                    try:
                        float(record["number"])
                    except ValueError:
                        errors.append(DataError(location, f"number must be numeric, not {record['number']!r}"))
                        continue
                rows.append(Row(location, {k: v.strip() for k, v in record.items()}))
    return rows, errors


# as_of may be empty where a source gives no date for its figure (the text then says so).
OPTIONAL = {"as_of"}
