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
from sphinx.transforms.post_transforms import SphinxPostTransform
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
# The drawings of one chart: the HTML shows the wide or the phone one by the screen's width and
# the light or the dark one by the theme (_static/briefing.css); print takes the wide light one
# (a long timeline in parts, "-print-N"), the e-book the phone light one.
VARIANTS = {"": {}, "-dark": {"dark": True}, "-phone": {"width": charts.PHONE},
            "-phone-dark": {"width": charts.PHONE, "dark": True}}


def copy_whole(source: Path, target: Path) -> None:
    """Copy ``source`` to ``target`` under a temporary name, then rename it: another build sees
    the whole file or none, never one half copied."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        shutil.copyfile(source, partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def _cache_dir() -> Path | None:
    """$XDG_CACHE_HOME/briefing-book/charts (or ~/.cache/…); BRIEFING_CHART_CACHE=0 turns it off."""
    if os.environ.get("BRIEFING_CHART_CACHE") == "0":
        return None
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "briefing-book" / "charts"


def ensure_drawn(here: Path, stem: str, drawings: dict, draw) -> None:
    """Each variant of the drawing ``stem`` in ``here``: kept there, else copied from the user's
    cache, else drawn by ``draw(**changes)`` and copied into the cache (the charts and the map)."""
    files = [f"{stem}{variant}{suffix}" for variant in drawings for suffix in SUFFIXES]
    if all((here / name).is_file() for name in files):
        logger.info(f"briefing_charts: reused {stem} (data unchanged)")
        return
    # A drawing is named by the digest of its data and code, so a copy drawn by an earlier
    # build (another build directory, a fresh clone) is the same drawing: take it from the
    # user's cache rather than spend seconds in matplotlib.
    cache = _cache_dir()
    if cache and all((cache / name).is_file() for name in files):
        here.mkdir(parents=True, exist_ok=True)
        for name in files:
            copy_whole(cache / name, here / name)
        logger.info(f"briefing_charts: reused {stem} from {cache}")
        return
    for variant, changes in drawings.items():
        charts.save(draw(**changes), here / f"{stem}{variant}")
    logger.info(f"briefing_charts: drew {stem}")
    if cache:
        try:
            cache.mkdir(parents=True, exist_ok=True)
            for name in files:
                copy_whole(here / name, cache / name)
        except OSError:
            pass  # a read-only home: the next build draws again


class Chart(SphinxDirective):
    has_content = True
    option_spec = {"alt": directives.unchanged, "name": directives.unchanged, "width": directives.unchanged,
                   "title": directives.unchanged}
    kind = ""          # the drawing's name, the first part of its file name
    dataset_name = ""  # the data set's resource name in the data package
    default_title = ""

    def print_parts(self, inputs: dict) -> list[dict]:
        """The inputs of each drawing print shows, when it needs more than the wide one."""
        return []

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
        found = corpus(self.env)
        if found.registry_unread:
            return []  # its legend names sources by the registry, whose own problem is reported
        sources = found.sources
        rows = [r for r in rows if r["source"] in sources]
        drawn, left_out = self.rows_to_draw(rows)
        if not drawn:
            logger.warning(f"{self.name}: no rows of {path} to draw; add dated rows or remove the chart",
                           location=self.get_location(), **WARN)
            return []
        shorts = {key: sources[key].short for key in sorted({r["source"] for r in drawn})}
        inputs = self.drawing_inputs(drawn, shorts)
        inputs["title"] = self.options.get("title", self.default_title)
        inputs["alt"] = self.options.get("alt", "").strip() or self.default_alt()  # the SVG's <desc>
        inputs["source"] = (f"Source{'s' if len(shorts) > 1 else ''}: {'; '.join(shorts.values())} "
                            f"(data: {Path(path).name})")
        stem = f"{self.kind}-{_digest({'kind': self.kind, 'inputs': inputs})}"
        parts = self.print_parts(inputs)
        drawings = {**VARIANTS, **{f"-print-{i}": dict(part) for i, part in enumerate(parts, 1)}}
        self.ensure_drawn(stem, inputs, drawings)
        figure = self.figure(stem, sorted(shorts), left_out, len(parts))
        # The caption is held to the passages of the rows drawn, not to the whole of each source.
        for caption in figure.findall(nodes.caption):
            caption["briefing-rows"] = [(r["source"], r["passage"]) for r in drawn]
        return [figure]

    def chart_dir(self) -> Path:
        return Path(self.env.doctreedir) / "charts"

    def ensure_drawn(self, stem: str, inputs: dict, drawings: dict) -> None:
        ensure_drawn(self.chart_dir(), stem, drawings, lambda **changes: self.draw(**{**inputs, **changes}))

    def figure(self, stem: str, keys: list[str], left_out: str, print_parts: int = 0):
        alt = self.options.get("alt", "").strip() or self.default_alt()
        figure = nodes.figure(classes=["briefing-chart"])
        self.set_source_info(figure)
        figure += chart_images(self.env, self.chart_dir(), stem, alt, print_parts)
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


def chart_images(env, chart_dir: Path, stem: str, alt: str, print_parts: int = 0) -> list:
    """The drawings of a chart as image nodes, in a light and a dark box, each with its wide and
    its phone drawing (.svg for HTML, .pdf for LaTeX: the builders keep the ones they show,
    ChartVariants below). Sphinx takes image paths relative to the page's folder; one that leads
    out of the source tree is copied into the output like any other image."""
    here = (Path(env.srcdir) / env.docname).parent
    base = Path(os.path.relpath(chart_dir, here)).as_posix()
    boxes = []
    for theme, dark in (("light", ""), ("dark", "-dark")):
        box = nodes.container(classes=["chart-variants", f"chart-{theme}"])
        for size, phone in (("wide", ""), ("phone", "-phone")):
            variant = f"{phone}{dark}"
            box += nodes.image(uri=f"{base}/{stem}{variant}.*", alt=alt, classes=[f"chart-{size}"],
                               **{"briefing-variant": variant.lstrip("-") or "wide"})
        boxes.append(box)
    for i in range(1, print_parts + 1):
        boxes.append(nodes.image(uri=f"{base}/{stem}-print-{i}.*", alt=alt, classes=["chart-print"],
                                 **{"briefing-variant": f"print-{i}"}))
    return boxes


class ChartVariants(SphinxPostTransform):
    """Each builder keeps the drawings it shows: HTML all four (CSS picks one), the e-book the
    phone drawing in the light look (a reader's page is narrow, its theme the reader's own),
    LaTeX the wide light one, or a long chart's print parts, each a figure of its own so that
    every part is printed at full size on a page."""

    default_priority = 5  # before the images are collected and converted

    def run(self, **kwargs):
        fmt, name = self.env._builder_cls.format, self.env._builder_cls.name
        keep = "all" if fmt == "html" and not name.startswith("epub") else "phone" if fmt == "html" else "wide"
        for figure in list(self.document.findall(nodes.figure)):
            images = [i for i in figure.findall(nodes.image) if i.get("briefing-variant")]
            if not images:
                continue
            for image in images:
                variant = image["briefing-variant"]
                parts = [i for i in images if i["briefing-variant"].startswith("print-")]
                wanted = (not variant.startswith("print-") if keep == "all" else
                          variant == "phone" if keep == "phone" else
                          variant.startswith("print-") if parts else variant == "wide")
                if not wanted:
                    image.parent.remove(image)
            if keep == "all":
                continue
            for box in list(figure.findall(nodes.container)):
                if "chart-variants" in box["classes"]:
                    parent, at = box.parent, box.parent.index(box)
                    parent.remove(box)
                    for child in reversed(box.children[:]):
                        parent.insert(at, child)
            if keep == "wide":
                self.split(figure)

    @staticmethod
    def split(figure) -> None:
        """A chart printed in parts: the first part keeps the figure's name, the last its caption
        (and its number); each part's image carries the chart's title."""
        images = list(figure.findall(nodes.image))
        if len(images) < 2:
            return
        parent, at = figure.parent, figure.parent.index(figure)
        for i, image in enumerate(images[:-1], 1):
            part = nodes.figure(classes=list(figure["classes"]))
            part.source, part.line = figure.source, figure.line
            if i == 1:
                part["ids"], figure["ids"] = figure["ids"], []
                part["names"], figure["names"] = figure["names"], []
            image.parent.remove(image)
            part += image  # no caption, so no number and no line in the list of figures: one chart
            parent.insert(at + i - 1, part)


class FiguresChart(Chart):
    """Reports of each measure group, as points at their as-of dates."""

    kind = "figures"
    default_title = "Reported figures by the date they refer to, 2022"
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
                "to where the source gives one and otherwise at the date of its report, coloured by the reporting authority, "
                "its number beside it, so that rising counts and disagreements between sources show. The table of reported figures "
                "gives every value.")


class TimelineChart(Chart):
    """The dated events within the configured period, one row each."""

    kind = "timeline"
    dataset_name = "timeline"
    draw = staticmethod(charts.draw_timeline)
    default_title = "Dated events, in date order"

    def print_parts(self, inputs):
        legend = sorted({e["source"] for e in inputs["events"]})
        parts = charts.timeline_parts(inputs["events"], title=inputs["title"], source=inputs["source"],
                                      legend_sources=legend)
        if len(parts) < 2:
            return []
        return [{"events": part, "legend_sources": legend} for part in parts]

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
    app.add_post_transform(ChartVariants)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
