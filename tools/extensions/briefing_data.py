"""The book's data sets, for the directives that show them (briefing_tables, briefing_charts):
where each file is (``briefing_figures_file``, ``briefing_timeline_file``), and its rows read as
the data package describes the data set (briefing.datafiles), with the build made to depend on
both files.
"""

from __future__ import annotations

from pathlib import Path

from briefing.datafiles import PACKAGE, DataError, Dataset, Row, read_dataset, read_rows
from briefing.errors import Problem

# Each data set, by its resource name in the data package, and the setting naming its file.
FILE_SETTINGS = {"figures": "briefing_figures_file", "timeline": "briefing_timeline_file"}


def dataset_rows(directive, name: str) -> tuple[Dataset | None, list[Row], list[Problem]]:
    """The data set ``name``, its well-formed rows and the problems of the others; no data set
    and no rows when the package cannot describe it (the one problem says why)."""
    env = directive.env
    root = Path(env.srcdir)
    path = directive.config[FILE_SETTINGS[name]]
    env.note_dependency(str(root / path))
    env.note_dependency(str(root / PACKAGE))
    try:
        dataset = read_dataset(root, name)
    except DataError as err:
        return None, [], [err.problem]
    rows, problems = read_rows(root, path, dataset)
    return dataset, rows, problems


def setup(app):
    for name, setting in FILE_SETTINGS.items():
        app.add_config_value(setting, f"data/{name}.csv", "env", types=frozenset({str}))
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
