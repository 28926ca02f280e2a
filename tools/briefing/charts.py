"""Drawing the book's charts with matplotlib: the reported figures by as-of date, and the
timeline of events. Pure Python, no Sphinx: tools/extensions/briefing_charts.py decides what
to draw and caches the files.

The output is byte-for-byte reproducible: the fonts are the DejaVu Sans that matplotlib bundles,
text is drawn as paths, SVG ids come from a fixed salt, and no file carries a date.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import re
import textwrap
from pathlib import Path

# Okabe–Ito: told apart by readers with any common colour-vision deficiency, and dark enough
# on white (the chart's own background, in the light and the dark theme alike).
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8A6A00", "#56B4E9", "#000000", "#7F7F7F"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "svg.fonttype": "path",
    "svg.hashsalt": "briefing-charts",
    "pdf.fonttype": 42,
    "path.simplify": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
}
METADATA = {"svg": {"Date": None, "Creator": None}, "pdf": {"CreationDate": None, "ModDate": None, "Creator": None}}


def authority(reported_by: str) -> str:
    """Who reported a figure, without the outlet that relayed it (the marker shows that)."""
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
    """``draw``, run under the book's style (RC): fonts, colours, SVG ids."""
    @functools.wraps(draw)
    def styled(*args, **kwargs):
        import matplotlib  # imported only when a chart is drawn

        with matplotlib.rc_context(RC):
            return draw(*args, **kwargs)
    return styled


def _figure(width: float, height: float):
    from matplotlib.figure import Figure  # imported only when a chart is drawn

    return Figure(figsize=(width, height), layout="constrained")


@_in_book_style
def draw_figures(points: list[dict], panels: list[tuple[str, list[str]]], shorts: dict[str, str]):
    """One panel per group of measures; a point per report at its as-of date, coloured by the
    reporting authority and shaped by the source, a thin line joining each authority's reports.

    ``points``: dicts with measure, number, as_of (YYYY-MM-DD), reported_by, source."""
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D
    from matplotlib.ticker import FuncFormatter

    used = [p for p in points if any(p["measure"] in ms for _, ms in panels)]
    colours = _styles([authority(p["reported_by"]) for p in used], COLOURS)
    sources = sorted({p["source"] for p in used})
    markers = _styles(sources, MARKERS)
    dates = [_date(p["as_of"]) for p in used]
    first, last = min(dates), max(dates)
    fig = _figure(6.6, 2.0 * len(panels) + 2.0)
    axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    for ax, (title, measures) in zip(axes, panels):
        rows = sorted((p for p in used if p["measure"] in measures),
                      key=lambda p: (p["as_of"], p["source"], float(p["number"])))
        by_authority: dict[str, list] = {}
        for p in rows:
            # Reports of one day from different sources sit side by side, not on top of each other.
            offset = (sources.index(p["source"]) - (len(sources) - 1) / 2) * 0.12
            x = mdates.date2num(_date(p["as_of"])) + offset
            y = float(p["number"])
            name = authority(p["reported_by"])
            by_authority.setdefault(name, []).append((x, y))
            ax.plot([x], [y], linestyle="none", marker=markers[p["source"]], markersize=7,
                    color=colours[name], markeredgecolor="black", markeredgewidth=0.5, zorder=3)
            ax.annotate(f"{y:,.0f}", (x, y), xytext=(6, 3), textcoords="offset points", fontsize=7.5)
        for name, xy in by_authority.items():
            if len(xy) > 1:
                ax.plot(*zip(*xy), color=colours[name], linewidth=0.8, alpha=0.6, zorder=2)
        ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
        ax.set_ylim(bottom=0, top=max([float(p["number"]) for p in rows], default=1) * 1.25)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
        if not rows:
            ax.text(0.5, 0.5, "no dated report", transform=ax.transAxes, ha="center", color="#444444")
    axes[-1].set_xlim(mdates.date2num(first) - 1, mdates.date2num(last) + 1)
    axes[-1].xaxis.set_major_locator(mdates.DayLocator())
    axes[-1].xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    axes[-1].set_xlabel("Date the figure refers to, or of its report where the source gives none, 2022")
    authority_handles = [Line2D([], [], linestyle="none", marker="o", markersize=7, color=c,
                                markeredgecolor="black", markeredgewidth=0.5, label=_wrap(n, 34))
                         for n, c in colours.items()]
    source_handles = [Line2D([], [], linestyle="none", marker=m, markersize=7, color="white",
                             markeredgecolor="black", label=shorts.get(s, s))
                      for s, m in markers.items()]
    fig.legend(handles=authority_handles, title="Reported by (colour)", loc="outside lower left",
               fontsize=7.5, title_fontsize=8, frameon=False, ncols=2)
    fig.legend(handles=source_handles, title="Source (shape)", loc="outside lower right",
               fontsize=7.5, title_fontsize=8, frameon=False)
    return fig


@_in_book_style
def draw_timeline(events: list[dict], first: str, last: str, shorts: dict[str, str]):
    """One row per event, top to bottom in date order, its dot at its date, shaped and coloured
    by the source that reports it. ``events``: dicts with date, event, source."""
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D

    sources = sorted({e["source"] for e in events})
    colours, markers = _styles(sources, COLOURS), _styles(sources, MARKERS)
    labels = [_wrap(e["event"], 62) for e in events]
    lines = sum(label.count("\n") + 1 for label in labels)
    fig = _figure(7.2, 0.16 * lines + 0.12 * len(events) + 1.6)
    ax = fig.subplots()
    positions = list(range(len(events)))
    for y, e in zip(positions, events):
        ax.plot([mdates.date2num(_date(e["date"]))], [y], linestyle="none", marker=markers[e["source"]],
                markersize=7, color=colours[e["source"]], markeredgecolor="black", markeredgewidth=0.5)
    ax.set_yticks(positions, labels, fontsize=7.5)
    ax.set_ylim(len(events) - 0.5, -0.5)
    ax.set_xlim(mdates.date2num(_date(first)) - 1, mdates.date2num(_date(last)) + 1)
    # Weekly ticks from the first day, so the first and last days of the period are labelled.
    ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=_date(first).weekday()))
    ax.xaxis.set_minor_locator(mdates.DayLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    ax.tick_params(axis="x", labeltop=True, top=True)
    ax.grid(axis="x", color="#dddddd", linewidth=0.6)
    ax.grid(axis="y", color="#f0f0f0", linewidth=0.6)
    ax.set_xlabel("2022")
    handles = [Line2D([], [], linestyle="none", marker=markers[s], markersize=7, color=colours[s],
                      markeredgecolor="black", markeredgewidth=0.5, label=shorts.get(s, s)) for s in sources]
    fig.legend(handles=handles, title="Source", loc="outside lower center", ncols=3, fontsize=7.5,
               title_fontsize=8, frameon=False)
    return fig


def save(fig, stem: Path) -> list[Path]:
    """Write ``stem``.svg (for HTML) and ``stem``.pdf (for LaTeX), each atomically so a parallel
    or concurrent build never reads half a file."""
    import logging

    import matplotlib

    # fontTools reports each font subset it makes at INFO level: noise in the build's output.
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    written = []
    stem.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context(RC):
        for fmt in ("svg", "pdf"):
            target = stem.with_suffix(f".{fmt}")
            partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            fig.savefig(partial, format=fmt, metadata=METADATA[fmt])
            os.replace(partial, target)
            written.append(target)
    return written

