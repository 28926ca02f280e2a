"""Drawing the book's charts with matplotlib: the reported figures by as-of date, and the
timeline of events. Pure Python, no Sphinx: tools/extensions/briefing_charts.py decides what
to draw and caches the files.

The output is byte-for-byte reproducible: the fonts are the DejaVu Sans that matplotlib bundles,
text stays text (svg.fonttype none), SVG ids come from a fixed salt, and no file carries a date.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import re
import textwrap
from pathlib import Path
from xml.sax.saxutils import escape

# Okabe–Ito: told apart by readers with any common colour-vision deficiency, and dark enough
# on white; the dark variant takes the palette's lighter members, legible on the dark paper.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8A6A00", "#56B4E9", "#000000", "#7F7F7F"]
DARK_COLOURS = ["#56B4E9", "#E69F00", "#009E73", "#CC79A7", "#F0E442", "#9ECAE9", "#FFFFFF", "#BBBBBB"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
# The smallest text in any drawing, in points. A wide drawing (WIDE inches) is shown at its own
# size on a desktop and in print (never wider than the PDF's text block); a phone drawing
# (PHONE inches) fills a 390 px phone's column at about its own size: 9.5 pt is 12.7 CSS px.
MIN_PT = 9.5
WIDE, PHONE = 6.0, 3.6
RC = {
    "font.family": "DejaVu Sans",
    "font.size": MIN_PT,
    # Live text: searchable, selectable, and set in the reader's sans-serif if DejaVu is absent.
    "svg.fonttype": "none",
    "svg.hashsalt": "briefing-charts",
    "pdf.fonttype": 42,
    "path.simplify": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 10.5,
    "axes.labelsize": MIN_PT,
    "xtick.labelsize": MIN_PT,
    "ytick.labelsize": MIN_PT,
    "legend.fontsize": MIN_PT,
    "legend.title_fontsize": MIN_PT,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
}
METADATA = {"svg": {"Date": None, "Creator": None}, "pdf": {"CreationDate": None, "ModDate": None, "Creator": None}}


class Look:
    """The paper, ink and palette of a drawing: the light one, or the dark one the HTML shows in
    the dark theme (furo's dark background)."""

    def __init__(self, dark: bool = False):
        self.dark = dark
        self.paper = "#131416" if dark else "white"
        self.ink = "#e6e6e6" if dark else "#1a1a1a"
        self.muted = "#b4b4b4" if dark else "#444444"
        self.grid = "#3a3b3f" if dark else "#dddddd"
        self.faint = "#26272b" if dark else "#f0f0f0"
        self.palette = DARK_COLOURS if dark else COLOURS

    def rc(self) -> dict:
        return {"figure.facecolor": self.paper, "axes.facecolor": self.paper, "savefig.facecolor": self.paper,
                "text.color": self.ink, "axes.labelcolor": self.ink, "axes.edgecolor": self.ink,
                "xtick.color": self.ink, "ytick.color": self.ink, "axes.titlecolor": self.ink}


def authority(reported_by: str) -> str:
    """Who reported a figure, without the outlet that relayed it (the caption names that)."""
    name = re.sub(r",?\s+via\s+.*$", "", reported_by).strip()
    first = name.split(" ", 1)[0]
    # "official channels" becomes "Official channels"; a name such as "inozPRESS.kg" stays.
    return name[:1].upper() + name[1:] if first.islower() else name


def _date(iso: str) -> dt.date:
    return dt.date.fromisoformat(iso)


def _styles(names: list[str], palette: list) -> dict:
    ordered = sorted(set(names))
    return {name: palette[i % len(palette)] for i, name in enumerate(ordered)}


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


def _in_book_style(draw):
    """``draw``, run under the book's style (RC, and the look its ``dark`` argument asks for)."""
    @functools.wraps(draw)
    def styled(*args, **kwargs):
        import matplotlib  # imported only when a chart is drawn

        style = {**RC, **Look(kwargs.get("dark", False)).rc()}
        with matplotlib.rc_context(style):
            fig = draw(*args, **kwargs)
        # Some artists (ticks, say) are made when the figure is drawn: save() draws under this style too.
        fig.briefing_style = style
        return fig
    return styled


def _figure(width: float, height: float):
    from matplotlib.figure import Figure  # imported only when a chart is drawn

    return Figure(figsize=(width, height), layout="constrained")


def _frame_height(title: str, source: str, width: float) -> tuple[str, str, float, float]:
    """The title and source wrapped to ``width``, and the points they take above and below."""
    chars = int(width * 72 / (MIN_PT * 0.6))  # about as many characters as fit across
    title, source = _wrap(title, int(chars * 0.8)) if title else "", _wrap(source, chars) if source else ""
    top = (title.count("\n") + 1) * 15 + 8 if title else 0      # points
    bottom = (source.count("\n") + 1) * 12.5 + 8 if source else 0
    return title, source, top, bottom


def _frame(fig, title: str, source: str, width: float) -> None:
    """The chart's title above it and its source beneath, inside the image, so that the drawing
    says what it is and where it comes from wherever it travels. The figure grows by their
    height, and the layout keeps the charts and legends between them."""
    title, source, top, bottom = _frame_height(title, source, width)
    height = fig.get_figheight() + (top + bottom) / 72
    fig.set_size_inches(width, height)
    fig.get_layout_engine().set(rect=(0, bottom / 72 / height, 1, 1 - (top + bottom) / 72 / height))
    if title:
        fig.text(0.01, 1 - 4 / 72 / height, title, ha="left", va="top", fontsize=11.5, fontweight="bold")
    if source:
        fig.text(0.01, 4 / 72 / height, source, ha="left", va="bottom", fontsize=MIN_PT)


def describe(fig, title: str, desc: str):
    """``fig``, to be saved with ``title`` and ``desc`` as its SVG's <title> and <desc> (save):
    an SVG opened on its own, or read by a screen reader, says what it shows."""
    fig.briefing_label = (title, desc)
    return fig


@_in_book_style
def draw_figures(points: list[dict], panels: list[tuple[str, list[str]]], shorts: dict[str, str], *,
                 width: float = WIDE, dark: bool = False, title: str = "", source: str = "", alt: str = ""):
    """One panel per group of measures; a point per report at its as-of date, coloured by the
    reporting authority (the one encoding), its number beside it, a thin line joining each
    authority's reports. ``points``: dicts with measure, number, as_of (YYYY-MM-DD),
    reported_by, source; ``alt``: the chart's text alternative, the SVG's <desc>."""
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    look = Look(dark)
    narrow = width < WIDE
    used = [p for p in points if any(p["measure"] in ms for _, ms in panels)]
    colours = _styles([authority(p["reported_by"]) for p in used], look.palette)
    sources = sorted({p["source"] for p in used})
    dates = [_date(p["as_of"]) for p in used]
    first, last = min(dates), max(dates)
    names = sorted({authority(p["reported_by"]) for p in used})
    wrapped = [_wrap(n, 30 if narrow else 34) for n in names]
    key_lines = (sum(w.count("\n") + 1 for w in wrapped) if narrow else
                 sum(max(w.count("\n") + 1 for w in wrapped[i:i + 2]) for i in range(0, len(wrapped), 2)))
    key = (key_lines * 1.45 + 1.6) * MIN_PT / 72  # the legend's height, inches
    panel = 1.6 if narrow else 1.1  # wide: the page keeps room for the caption
    fig = _figure(width, panel * len(panels) + key + 1.0)
    grid = fig.add_gridspec(len(panels) + 1, 1, height_ratios=[key] + [panel] * len(panels))
    legend_ax = fig.add_subplot(grid[0])
    legend_ax.axis("off")
    axes = [fig.add_subplot(grid[1])]
    axes += [fig.add_subplot(grid[i + 2], sharex=axes[0]) for i in range(len(panels) - 1)]
    for ax in axes[:-1]:
        ax.tick_params(labelbottom=False)
    for ax, (panel, measures) in zip(axes, panels):
        rows = sorted((p for p in used if p["measure"] in measures),
                      key=lambda p: (p["as_of"], p["source"], float(p["number"])))
        by_authority: dict[str, list] = {}
        for i, p in enumerate(rows):
            # Reports of one day from different sources sit side by side, not on top of each other.
            offset = (sources.index(p["source"]) - (len(sources) - 1) / 2) * 0.12
            x = mdates.date2num(_date(p["as_of"])) + offset
            y = float(p["number"])
            name = authority(p["reported_by"])
            by_authority.setdefault(name, []).append((x, y))
            ax.plot([x], [y], linestyle="none", marker="o", markersize=8, color=colours[name],
                    markeredgecolor=look.ink, markeredgewidth=0.5, zorder=3)
            # Neighbouring labels alternate above and below their points, so that none overlap.
            above = i % 2 == 0 or y < 0.3 * max(float(r["number"]) for r in rows)
            ax.annotate(f"{y:,.0f}", (x, y), xytext=(0, 7 if above else -7), textcoords="offset points",
                        ha="center", va="bottom" if above else "top", fontsize=MIN_PT, color=look.ink)
        for name, xy in by_authority.items():
            if len(xy) > 1:
                ax.plot(*zip(*xy), color=colours[name], linewidth=1.0, alpha=0.7, zorder=2)
        ax.set_title(panel, loc="left", fontweight="bold")
        top = max([float(p["number"]) for p in rows], default=1)
        ax.set_ylim(bottom=-0.22 * top, top=top * 1.4)
        ax.yaxis.set_major_locator(MaxNLocator(3, integer=True, min_n_ticks=2))
        ax.set_yticks([t for t in ax.get_yticks() if 0 <= t <= top * 1.4])
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.grid(axis="y", color=look.grid, linewidth=0.6)
        if not rows:
            ax.text(0.5, 0.5, "no dated report", transform=ax.transAxes, ha="center", color=look.muted)
    axes[-1].set_xlim(mdates.date2num(first) - 0.7, mdates.date2num(last) + 0.7)
    axes[-1].xaxis.set_major_locator(mdates.DayLocator(interval=2 if narrow else 1))
    axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    axes[-1].set_xlabel(_wrap("Date the figure refers to, or of its report where the source gives none, 2022",
                              40 if narrow else 90))
    handles = [Line2D([], [], linestyle="none", marker="o", markersize=8, color=c, markeredgecolor=look.ink,
                      markeredgewidth=0.5, label=_wrap(n, 30 if narrow else 34)) for n, c in colours.items()]
    legend_ax.legend(handles=handles, title="Colour: who reported the figure", loc="upper left", borderaxespad=0,
                     frameon=False, ncols=1 if narrow else 2, alignment="left")
    _frame(fig, title, source, width)
    return describe(fig, title, alt)


@_in_book_style
def draw_timeline(events: list[dict], first: str, last: str, shorts: dict[str, str], *,
                  width: float = WIDE, dark: bool = False, title: str = "", source: str = "",
                  legend_sources: list[str] | None = None, alt: str = ""):
    """One row per event, top to bottom in date order, its dot at its date, coloured (and
    shaped, for print in grey) by the source that reports it. ``events``: dicts with date,
    event, source; ``legend_sources``: the sources the legend names (all of a split chart's)."""
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D

    look = Look(dark)
    sources = sorted(legend_sources or {e["source"] for e in events})
    colours, markers = _styles(sources, look.palette), _styles(sources, MARKERS)
    labels, key, body = _timeline_layout(events, width, len(sources))
    columns = 1 if width < WIDE else 2
    fig = _figure(width, body + key + 0.9)
    # The legend across the whole width, above the rows (a subfigure, not the chart's own axes).
    top, bottom = fig.subfigures(2, 1, height_ratios=[key, body])
    ax = bottom.subplots()
    # Each row as tall as its label, so that a long label never runs into the next.
    positions, y = [], 0.0
    for label in labels:
        height = label.count("\n") + 0.8
        positions.append(y + height / 2)
        y += height
    for y, e in zip(positions, events):
        ax.plot([mdates.date2num(_date(e["date"]))], [y], linestyle="none", marker=markers[e["source"]],
                markersize=7, color=colours[e["source"]], markeredgecolor=look.ink, markeredgewidth=0.5)
    ax.set_yticks(positions, labels, fontsize=MIN_PT)
    ax.set_ylim(y + 0.6, -0.3)
    ax.set_xlim(mdates.date2num(_date(first)) - 1, mdates.date2num(_date(last)) + 1)
    # Ticks from the first day, so the first and last days of the period are labelled.
    step = 14 if width < WIDE else 7
    ticks = [_date(first) + dt.timedelta(days=d) for d in range(0, (_date(last) - _date(first)).days + 1, step)]
    ax.set_xticks([mdates.date2num(t) for t in ticks], [t.strftime("%d %b") for t in ticks])
    ax.xaxis.set_minor_locator(mdates.DayLocator())
    # Dates along the top only: at the bottom they would run into the last label.
    ax.tick_params(axis="x", labeltop=True, top=True, labelbottom=False, bottom=False)
    ax.spines["bottom"].set_visible(False)
    ax.grid(axis="x", color=look.grid, linewidth=0.6)
    ax.grid(axis="y", color=look.faint, linewidth=0.6)
    handles = [Line2D([], [], linestyle="none", marker=markers[s], markersize=7, color=colours[s],
                      markeredgecolor=look.ink, markeredgewidth=0.5, label=shorts.get(s, s)) for s in sources]
    top.legend(handles=handles, title="Colour: the source that reports it", loc="upper left",
               ncols=columns, frameon=False, alignment="left")
    _frame(fig, title, source, width)
    return describe(fig, title, alt)


def _timeline_layout(events: list[dict], width: float, sources: int) -> tuple[list[str], float, float]:
    """A timeline's wrapped labels, and the heights (inches) of its legend and of its rows."""
    # The labels take about two thirds of the width, wrapped to as many characters as fit there.
    wrap = max(20, int(width * 0.5 * 72 / (MIN_PT * 0.62)))
    labels = [_wrap(e["event"], wrap) for e in events]
    lines = sum(label.count("\n") + 1 for label in labels)
    columns = 1 if width < WIDE else 2
    key = (-(-sources // columns) * 1.45 + 1.6) * MIN_PT / 72
    # A row is its label's lines and 0.8 of a line of space; a line of 9.5 pt text is 0.16 in.
    body = 0.16 * (lines + 0.8 * len(events)) + 0.7  # and the two rows of date labels
    return labels, key, body


def timeline_height(events: list[dict], width: float = WIDE, title: str = "", source: str = "",
                    legend_sources: list[str] | None = None) -> float:
    """The height, in inches, of draw_timeline's drawing of ``events``."""
    sources = len(set(legend_sources or {e["source"] for e in events}))
    _, key, body = _timeline_layout(events, width, sources)
    _, _, top, bottom = _frame_height(title, source, width)
    return body + key + 0.9 + (top + bottom) / 72


def timeline_parts(events: list[dict], width: float = WIDE, most: float = 7.8, title: str = "",
                   source: str = "", legend_sources: list[str] | None = None) -> list[list[dict]]:
    """The events split, in order, into parts whose drawings at ``width`` (each with the title,
    the source and the legend of all of ``legend_sources``) are each at most ``most`` inches
    tall: print shows a long timeline over several pages at full size."""
    legend = legend_sources or sorted({e["source"] for e in events})
    parts, part = [], []
    for event in events:
        if part and timeline_height(part + [event], width, title, source, legend) > most:
            parts.append(part)
            part = []
        part.append(event)
    return parts + [part] if part else parts


def save(fig, stem: Path) -> list[Path]:
    """Write ``stem``.svg (for HTML) and ``stem``.pdf (for LaTeX), each atomically so a parallel
    or concurrent build never reads half a file."""
    import logging

    import matplotlib

    # fontTools reports each font subset it makes at INFO level: noise in the build's output.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    written = []
    stem.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context(getattr(fig, "briefing_style", RC)):
        for fmt in ("svg", "pdf"):
            target = stem.with_suffix(f".{fmt}")
            partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            fig.savefig(partial, format=fmt, metadata=METADATA[fmt], facecolor=fig.get_facecolor())
            if fmt == "svg":
                svg = _stable_ids(partial.read_text(encoding="utf-8"))
                partial.write_text(_titled(svg, *getattr(fig, "briefing_label", ("", ""))), encoding="utf-8")
            os.replace(partial, target)
            written.append(target)
    return written


SVG_ROOT = re.compile(r"<svg\b[^>]*>")


def _titled(svg: str, title: str, desc: str) -> str:
    """``svg`` with ``title`` and ``desc`` as the first children of its root, which names them
    as its accessible name and description (matplotlib writes neither)."""
    parts, aria = [], ""
    if title:
        parts.append(f'<title id="chart-title">{escape(title)}</title>')
        aria += ' aria-labelledby="chart-title"'
    if desc:
        parts.append(f'<desc id="chart-desc">{escape(desc)}</desc>')
        aria += ' aria-describedby="chart-desc"'
    root = SVG_ROOT.search(svg)
    if not parts or root is None:
        return svg
    tag = root.group(0)[:-1] + f' role="img"{aria}>'
    return svg[:root.start()] + tag + "\n " + "\n ".join(parts) + svg[root.end():]


# The definitions matplotlib names by a hash of their unrounded geometry: clip paths and markers.
_DEFINITIONS = re.compile(r'<clipPath id="(p[0-9a-f]{10})">(.*?)</clipPath>|<path id="(m[0-9a-f]{10})"(.*?)/>', re.S)


def _stable_ids(svg: str) -> str:
    """``svg`` with each clip path and marker named by what the file says of it. matplotlib hashes
    the unrounded floats of the layout, whose last bits depend on what the process drew before
    (its fonts and caches are shared by every drawing, and a forked parallel reader starts
    afresh), so the same drawing would get other ids in a serial and a parallel build."""
    names: dict[str, str] = {}
    for found in _DEFINITIONS.finditer(svg):
        old, body = (found.group(1), found.group(2)) if found.group(1) else (found.group(3), found.group(4))
        digest = hashlib.sha256(f"{RC['svg.hashsalt']}{body}".encode()).hexdigest()
        new, n = old[0] + digest[:10], 1
        while new in names.values():  # two definitions that print alike stay two
            new, n = f"{old[0]}{digest[:10]}-{n}", n + 1
        names[old] = new
    if not names:
        return svg
    return re.sub(r"\b(?:%s)\b" % "|".join(names), lambda m: names[m.group(0)], svg)

