"""Charts drawn at build time from the data files: ``{figures-chart}`` (every dated report of the
measures in ``briefing_chart_panels``, by as-of date, reporting authority and source) and
``{timeline-chart}`` (the events in ``briefing_timeline_chart_range``).

Each chart is a figure with alt text and a caption. The caption is the directive's content,
parsed as MyST, followed by a sentence citing every source the chart draws on; the claims rule
then checks it like any other caption. The drawing is written as SVG (HTML) and PDF (LaTeX) to
``charts/`` beside the build's doctrees (never into the source tree, which may be read-only or
shared by several builds) under a name made from a hash of everything that shapes it (the rows,
the options, the drawing code and matplotlib's version), so an unchanged chart is never redrawn.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from briefing import charts
from briefing_data import FILE_SETTINGS, dataset_rows
from briefing_sources import corpus

logger = logging.getLogger(__name__)
WARN = {"type": "briefing", "subtype": "chart"}
CHART_CODE = Path(charts.__file__)


def _digest(shaping: dict) -> str:
    """A short hash of all that shapes a drawing: ``shaping`` (its kind and inputs), the drawing
    code and matplotlib's version."""
    # The installed version, read without importing matplotlib: a chart already drawn costs no import.
    shaping = dict(shaping, code=hashlib.sha256(CHART_CODE.read_bytes()).hexdigest(),
                   matplotlib=importlib.metadata.version("matplotlib"))
    return hashlib.sha256(json.dumps(shaping, sort_keys=True).encode()).hexdigest()[:16]


SUFFIXES = (".svg", ".pdf")


def _cache_dir() -> Path | None:
    """$XDG_CACHE_HOME/briefing-book/charts (or ~/.cache/…); BRIEFING_CHART_CACHE=0 turns it off."""
    if os.environ.get("BRIEFING_CHART_CACHE") == "0":
        return None
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "briefing-book" / "charts"


class Chart(SphinxDirective):
    has_content = True
    option_spec = {"alt": directives.unchanged, "name": directives.unchanged, "width": directives.unchanged}
    kind = ""          # the drawing's name, the first part of its file name
    dataset_name = ""  # the data set's resource name in the data package

    def rows_to_draw(self, rows) -> tuple[list, str]:
        """The rows to draw, and a sentence for the caption about the rows left out (or "")."""
        raise NotImplementedError

    def drawing_inputs(self, rows, shorts: dict[str, str]) -> dict:
        """The keyword arguments of ``draw`` for these rows, ``shorts`` naming their sources."""
        raise NotImplementedError

    def draw(self, **inputs):
        """The finished matplotlib figure (a function of briefing.charts)."""
        raise NotImplementedError

    def default_alt(self) -> str:
        raise NotImplementedError

    def run(self):
        path = self.config[FILE_SETTINGS[self.dataset_name]]
        self.env.note_dependency(str(CHART_CODE))
        # The legend names sources by their short names in the registry.
        self.env.note_dependency(str(Path(self.env.srcdir) / self.config.briefing_sources_file))
        dataset, rows, problems = dataset_rows(self, self.dataset_name)
        # The data tables report them too; say what the chart lacks for them.
        lacks = "row left out of the chart" if dataset else "no chart drawn"
        for problem in problems:
            text, location = problem.for_sphinx()
            logger.warning(f"{text} ({lacks})", location=location, **WARN)
        sources = corpus(self.env).sources
        rows = [r for r in rows if r["source"] in sources]
        drawn, left_out = self.rows_to_draw(rows)
        if not drawn:
            logger.warning(f"{self.name}: no rows of {path} to draw; add dated rows or remove the chart",
                           location=self.get_location(), **WARN)
            return []
        shorts = {key: sources[key].short for key in sorted({r["source"] for r in drawn})}
        inputs = self.drawing_inputs(drawn, shorts)
        stem = f"{self.kind}-{_digest({'kind': self.kind, 'inputs': inputs})}"
        self.ensure_drawn(stem, inputs)
        figure = self.figure(stem, sorted(shorts), left_out)
        # The caption is held to the passages of the rows drawn, not to the whole of each source.
        for caption in figure.findall(nodes.caption):
            caption["briefing-rows"] = [(r["source"], r["passage"]) for r in drawn]
        return [figure]

    def chart_dir(self) -> Path:
        return Path(self.env.doctreedir) / "charts"

    def ensure_drawn(self, stem: str, inputs: dict) -> None:
        target = self.chart_dir() / stem
        if all(target.with_suffix(s).is_file() for s in SUFFIXES):
            logger.info(f"briefing_charts: reused {stem} (data unchanged)")
            return
        # A drawing is named by the digest of its data and code, so a copy drawn by an earlier
        # build (another build directory, a fresh clone) is the same drawing: take it from the
        # user's cache rather than spend seconds in matplotlib.
        cached = _cache_dir() / stem if _cache_dir() else None
        if cached and all(cached.with_suffix(s).is_file() for s in SUFFIXES):
            target.parent.mkdir(parents=True, exist_ok=True)
            for suffix in SUFFIXES:
                shutil.copyfile(cached.with_suffix(suffix), target.with_suffix(suffix))
            logger.info(f"briefing_charts: reused {stem} from {cached.parent}")
            return
        charts.save(self.draw(**inputs), target)
        logger.info(f"briefing_charts: drew {stem}")
        if cached:
            try:
                cached.parent.mkdir(parents=True, exist_ok=True)
                for suffix in SUFFIXES:
                    shutil.copyfile(target.with_suffix(suffix), cached.with_suffix(suffix))
            except OSError:
                pass  # a read-only home: the next build draws again

    def figure(self, stem: str, keys: list[str], left_out: str):
        alt = self.options.get("alt", "").strip() or self.default_alt()
        # .svg for HTML, .pdf for LaTeX. Sphinx takes image paths relative to the page's folder;
        # one that leads out of the source tree is copied into the output like any other image.
        here = (Path(self.env.srcdir) / self.env.docname).parent
        uri = Path(os.path.relpath(self.chart_dir(), here)).as_posix() + f"/{stem}.*"
        image = nodes.image(uri=uri, alt=alt)
        # A width makes Sphinx link the image to its full-size file, which a phone can zoom.
        image["width"] = self.options.get("width", "100%")
        figure = nodes.figure(classes=["briefing-chart"])
        self.set_source_info(figure)
        figure += image
        self.add_name(figure)
        text = "\n".join(self.content).strip()
        if not text:
            logger.warning(f"{self.name}: give the chart a caption (the directive's content) saying "
                           "what it shows", location=self.get_location(), **WARN)
        sentences = [text, left_out, f"Data: {{cite:p}}`{','.join(keys)}`."]
        box = nodes.container()
        self.state.nested_parse(StringList([" ".join(s for s in sentences if s)], source=self.get_source_info()[0]),
                                self.content_offset, box)
        paragraph = box.children[0] if box.children else nodes.paragraph()
        caption = nodes.caption(paragraph.rawsource, "", *paragraph.children)
        caption.source, caption.line = self.get_source_info()
        figure += caption
        return figure


class FiguresChart(Chart):
    """Reports of each measure group, as points at their as-of dates."""

    kind = "figures"
    dataset_name = "figures"
    draw = staticmethod(charts.draw_figures)

    def panels(self):
        return [(str(title), [str(m) for m in measures]) for title, measures in self.config.briefing_chart_panels]

    def rows_to_draw(self, rows):
        wanted = {m for _, measures in self.panels() for m in measures}
        chosen = [r for r in rows if r["measure"] in wanted]
        dated = [r for r in chosen if r["as_of"]]
        note = ("Reports that give no as-of date are not plotted; the table lists them."
                if len(dated) < len(chosen) else "")
        return dated, note

    def drawing_inputs(self, rows, shorts):
        points = [{k: r[k] for k in ("measure", "number", "as_of", "reported_by", "source")} for r in rows]
        return {"points": points, "panels": self.panels(), "shorts": shorts}

    def default_alt(self):
        titles = "; ".join(title for title, _ in self.panels())
        return (f"Chart in panels ({titles}): each report is a point at the date its figure refers "
                "to where the source gives one and otherwise at the date of its report, coloured by the reporting authority and shaped by the source, so that rising "
                "counts and disagreements between sources show. The table of reported figures "
                "gives every value.")


class TimelineChart(Chart):
    """The dated events within the configured period, one row each."""

    kind = "timeline"
    dataset_name = "timeline"
    draw = staticmethod(charts.draw_timeline)

    def rows_to_draw(self, rows):
        first, last = self.config.briefing_timeline_chart_range
        inside = sorted((r for r in rows if first <= r["date"] <= last), key=lambda r: r["date"])
        note = "Events outside the period shown are left out; the timeline table lists them." \
            if len(inside) < len(rows) else ""
        return inside, note

    def drawing_inputs(self, rows, shorts):
        first, last = self.config.briefing_timeline_chart_range
        events = [{k: r[k] for k in ("date", "event", "source")} for r in rows]
        return {"events": events, "first": first, "last": last, "shorts": shorts}

    def default_alt(self):
        return ("Timeline chart: one row per event, top to bottom in date order, each with a dot "
                "at its date, shaped and coloured by the source that reports it. The timeline "
                "table gives every event with its date.")


def setup(app):
    app.setup_extension("briefing_sources")
    app.setup_extension("briefing_data")
    # Panels: (title, [measure, …]) each; the range: (first, last) as YYYY-MM-DD.
    app.add_config_value("briefing_chart_panels",
                         [("Kyrgyz deaths", ["kyrgyz_deaths"]), ("Kyrgyz injured", ["kyrgyz_injured"]),
                          ("Displaced or evacuated", ["displaced", "evacuees"])], "env",
                         types=frozenset({list, tuple}))
    app.add_config_value("briefing_timeline_chart_range", ("2022-09-14", "2022-10-14"), "env",
                         types=frozenset({list, tuple}))
    app.add_directive("figures-chart", FiguresChart)
    app.add_directive("timeline-chart", TimelineChart)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
