"""Tables drawn from the data files: the reported figures and the timeline.

Each row is rendered with its citation and remembers the data-file line and the passage it rests
on, so the claims rule (briefing_claims) holds the row to that passage and reports defects at
the data file's line.
"""

from __future__ import annotations

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from briefing.datafiles import row_problems
from briefing_data import FILE_SETTINGS, dataset_rows
from briefing_sources import corpus

logger = logging.getLogger(__name__)
WARN = {"type": "briefing", "subtype": "data"}


def _cell(text: str) -> str:
    # Data is plain text: keep Markdown from reading it as markup.
    for char in "\\*_`[]<>|{}#":
        text = text.replace(char, "\\" + char)
    return text


class DataTable(SphinxDirective):
    option_spec = {"measures": directives.unchanged, "caption": directives.unchanged}
    dataset_name = ""  # the data set's resource name in the data package
    headers: tuple[str, ...] = ()
    widths = ""

    def shown_cells(self, row) -> list[str]:
        """The row's cells as the table shows them, before the citation of its source."""
        raise NotImplementedError

    def rows_to_show(self, rows):
        return rows

    def mark_row(self, node, row) -> None:
        """Set what the claims rule reads on a table row beyond its origin and passage."""

    def run(self):
        path = self.config[FILE_SETTINGS[self.dataset_name]]
        dataset, rows, problems = dataset_rows(self, self.dataset_name)
        for problem in problems:
            text, location = problem.for_sphinx()
            logger.warning(text, location=location, **WARN)
        found = corpus(self.env)
        sources = found.sources
        kept = []
        for row in self.rows_to_show(rows):
            for problem in row_problems(row, dataset):
                text, location = problem.for_sphinx()
                logger.warning(text, location=location, **WARN)
            if row["source"] not in sources and not found.registry_unread:  # unread: its own problem is reported
                logger.warning(f"unknown source key '{row['source']}': use a key of "
                               f"{self.config.briefing_sources_file}", location=row.location, **WARN)
                continue
            kept.append(row)
        if not kept:
            logger.warning(f"no rows to show from {path}", location=self.get_location(), **WARN)
            return []
        lines = [f":::{{list-table}} {self.options.get('caption', '')}".rstrip(),
                 ":header-rows: 1", f":widths: {self.widths}", ":class: data-table", ""]
        lines += ["* - " + self.headers[0]] + [f"  - {h}" for h in self.headers[1:]]
        for row in kept:
            cells = self.shown_cells(row) + [f"{{cite:p}}`{row['source']}`"]
            lines += ["* - " + cells[0]] + [f"  - {c}" for c in cells[1:]]
        lines.append(":::")
        container = nodes.container(classes=["data-table-wrapper"])
        self.state.nested_parse(StringList(lines, source=path), self.content_offset, container)
        body_rows = [r for r in container.findall(nodes.row) if isinstance(r.parent, nodes.tbody)]
        for node, row in zip(body_rows, kept):
            node["briefing-origin"] = row.location
            node["briefing-passage"] = row["passage"]
            self.mark_row(node, row)
        return list(container.children)


class FiguresTable(DataTable):
    """Every reported figure, one row each: what is counted, value, as of, reported by, source."""

    dataset_name = "figures"
    headers = ("What is counted", "Value", "As of", "Reported by", "Source")
    widths = "25 15 20 20 20"

    def rows_to_show(self, rows):
        wanted = [m.strip() for m in self.options.get("measures", "").split(",") if m.strip()]
        return [r for r in rows if not wanted or r["measure"] in wanted]

    def mark_row(self, node, row):
        node["briefing-reported-by"] = row["reported_by"]

    def shown_cells(self, row):
        return [_cell(row["counted"]), _cell(row["value"]), _cell(row["as_of_text"]),
                _cell(row["reported_by"])]


class TimelineTable(DataTable):
    """Every dated event, in date order."""

    dataset_name = "timeline"
    headers = ("When", "What happened", "Source")
    widths = "20 55 25"

    def rows_to_show(self, rows):
        return sorted(rows, key=lambda r: r["date"])

    def shown_cells(self, row):
        return [_cell(row["when"]), _cell(row["event"])]


def setup(app):
    app.setup_extension("briefing_sources")
    app.setup_extension("briefing_data")
    app.add_directive("figures-table", FiguresTable)
    app.add_directive("timeline-table", TimelineTable)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
