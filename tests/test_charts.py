"""Charts drawn at build time (briefing_charts): SVG with alt text in HTML, PDF in LaTeX, a
cited caption the claims rule checks, and no redrawing while the data are unchanged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefing import charts
from conftest import warnings_of


def chart_files(doctreedir: Path) -> dict[str, float]:
    return {p.name: p.stat().st_mtime_ns for p in sorted((Path(doctreedir) / "charts").iterdir())}


def figures(html: str) -> list[str]:
    return re.findall(r"<figure\b.*?</figure>", html, re.S)


@pytest.mark.sphinx("html", testroot="charts", freshenv=True)
def test_charts_are_svg_with_alt_text_and_cited_captions(app):
    app.build()
    assert warnings_of(app) == []
    svgs = sorted((app.outdir / "_images").glob("*.svg"))
    assert [p.name.split("-")[0] for p in svgs] == ["figures", "timeline"], svgs
    for svg in svgs:
        head = svg.read_text(encoding="utf-8")[:400]
        assert head.startswith("<?xml") and "<svg" in head, svg
        assert "<dc:date>" not in svg.read_text(encoding="utf-8"), f"{svg} carries a date"
    page = (app.outdir / "chapters" / "one.html").read_text(encoding="utf-8")
    found = figures(page)
    assert len(found) == 2
    for figure in found:
        alt = re.search(r'<img alt="([^"]+)" src="../_images/(figures|timeline)-[0-9a-f]{16}\.svg"', figure)
        assert alt and len(alt.group(1)) > 20, figure[:300]
        caption = re.search(r"<figcaption.*?</figcaption>", figure, re.S).group(0)
        assert 'class="bibtex-citation"' in caption, "the caption cites no source"
        assert re.match(r'<figcaption id="claim-[0-9a-f]+', caption), "the claims rule skipped the caption"
    assert "Reported deaths, injuries and evacuees" in found[0]
    assert "give no as-of date are not plotted" in found[0]
    assert "outside the period shown are left out" in found[1]


@pytest.mark.sphinx("html", testroot="charts", srcdir="charts-redraw", freshenv=True)
def test_unchanged_data_are_not_redrawn(app, make_app):
    app.build()
    assert "briefing_charts: drew figures-" in app.status.getvalue()
    before = chart_files(app.doctreedir)
    assert len(before) == 4  # SVG and PDF of both charts

    again = make_app("html", srcdir=app.srcdir, freshenv=True)  # re-reads every page
    again.build()
    log = again.status.getvalue()
    assert "briefing_charts: reused figures-" in log and "briefing_charts: drew" not in log, log
    assert chart_files(app.doctreedir) == before

    data = app.srcdir / "data" / "figures.csv"
    data.write_text(data.read_text(encoding="utf-8").replace(",41,41,", ",41,40,"), encoding="utf-8")
    changed = make_app("html", srcdir=app.srcdir)
    changed.build()
    assert "briefing_charts: drew figures-" in changed.status.getvalue()
    assert len(chart_files(app.doctreedir)) == 6


@pytest.mark.sphinx("html", testroot="charts", srcdir="charts-cache", freshenv=True)
def test_a_chart_drawn_once_is_taken_from_the_cache(app, make_app, tmp_path, monkeypatch):
    """Another build directory (or a fresh clone) reuses a drawing with the same data from the
    user's cache instead of drawing it again; the copy is the same bytes."""
    monkeypatch.setenv("BRIEFING_CHART_CACHE", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    app.build()
    assert "briefing_charts: drew figures-" in app.status.getvalue()
    first = {p.name: p.read_bytes() for p in (Path(app.doctreedir) / "charts").iterdir()}
    other = make_app("html", srcdir=app.srcdir, builddir=tmp_path / "elsewhere", freshenv=True)
    other.build()
    log = other.status.getvalue()
    assert "briefing_charts: drew" not in log and "from " + str(tmp_path / "cache") in log, log
    assert {p.name: p.read_bytes() for p in (Path(other.doctreedir) / "charts").iterdir()} == first


@pytest.mark.sphinx("html", testroot="charts", srcdir="charts-caption", freshenv=True)
def test_chart_caption_is_held_to_its_sources(app, make_app):
    chapter = app.srcdir / "chapters" / "one.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("59 hospitalised", "77 hospitalised"),
                       encoding="utf-8")
    app.build()
    found = warnings_of(app)
    assert len(found) == 1, found
    assert "chapters/one.md:3:" in found[0]
    assert "figure '77' is not in the passages of the rows the chart draws" in found[0], found[0]


@pytest.mark.sphinx("html", testroot="charts", srcdir="charts-caption-rows", freshenv=True)
def test_chart_caption_is_held_to_the_rows_it_draws(app):
    """A quotation from the cited source, but from no row the chart draws, does not pass."""
    chapter = app.srcdir / "chapters" / "one.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace(
        "59 hospitalised among them", 'though the minister would "not take out any sword"'), encoding="utf-8")
    app.build()
    found = warnings_of(app)
    assert len(found) == 1, found
    assert "chapters/one.md:3:" in found[0] and "quotation" in found[0], found[0]
    assert "not in the passages of the rows the chart draws" in found[0], found[0]


@pytest.mark.sphinx("latex", testroot="charts", freshenv=True)
def test_latex_gets_vector_pdf(app):
    app.build()
    assert warnings_of(app) == []
    tex = next(app.outdir.glob("*.tex")).read_text(encoding="utf-8")
    included = re.findall(r"\\sphinxincludegraphics(?:\[[^\]]*\])?\{\{([^}]+)\}(\.pdf)\}", tex)
    assert [name.split("-")[0] for name, _ in included] == ["figures", "timeline"], included
    for name, ext in included:
        assert (app.outdir / f"{name}{ext}").read_bytes().startswith(b"%PDF")


def test_drawing_is_byte_for_byte_reproducible(tmp_path):
    points = [{"measure": "kyrgyz_deaths", "number": "41", "as_of": "2022-09-14",
               "reported_by": "The ministry", "source": "alpha2022"}]
    panels = [("Kyrgyz deaths", ["kyrgyz_deaths"])]
    written = []
    for name in ("a", "b"):
        fig = charts.draw_figures(points, panels, {"alpha2022": "Alpha, 19 Sep 2022"})
        written.append(charts.save(fig, tmp_path / name / "chart"))
    for first, second in zip(*written):
        assert first.read_bytes() == second.read_bytes(), first.name
    assert b"CreationDate" not in written[0][1].read_bytes()


@pytest.mark.parametrize("page, kind", [("chapters/human-cost.html", "figures"), ("chapters/timeline.html", "timeline")])
def test_the_book_shows_its_charts(book_html, page, kind):
    html = (book_html / page).read_text(encoding="utf-8")
    charts_here = [f for f in figures(html) if "briefing-chart" in f]
    assert len(charts_here) == 1, f"{page} has {len(charts_here)} chart(s)"
    image = re.search(rf'<img alt="([^"]+)" src="\.\./(_images/{kind}-[0-9a-f]{{16}}\.svg)"', charts_here[0])
    assert image, charts_here[0][:400]
    assert (book_html / image.group(2)).read_bytes().lstrip().startswith(b"<?xml")
    assert 'class="bibtex-citation"' in charts_here[0]


def test_chart_settings_are_lists_or_tuples(overlay):
    conf = ("from rootconf import *  # noqa: F401,F403\n\n"
            "extensions = extensions + ['briefing_charts']  # noqa: F405\n"
            "briefing_chart_panels = ({}, )\nbriefing_timeline_chart_range = {}\n")
    panels = '("Kyrgyz deaths", ["kyrgyz_deaths"])'
    app = overlay("charts", {"conf.py": conf.format(panels, '["2022-09-14", "2022-10-14"]')})
    assert warnings_of(app) == []
    # A dict unpacks as its two keys: only the declared types catch it.
    app = overlay("charts", {"conf.py": conf.format(panels, '{"2022-09-14": 1, "2022-10-14": 2}')})
    found = warnings_of(app)
    assert any("briefing_timeline_chart_range" in w and "dict" in w for w in found), found
