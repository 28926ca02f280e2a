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
    # Each chart in four drawings: wide and phone, light and dark.
    assert sorted(re.sub(r"-[0-9a-f]{16}", "", p.stem) for p in svgs) == sorted(
        f"{kind}{variant}" for kind in ("figures", "timeline") for variant in ("", "-dark", "-phone", "-phone-dark")), svgs
    for svg in svgs:
        head = svg.read_text(encoding="utf-8")[:400]
        assert head.startswith("<?xml") and "<svg" in head, svg
        assert "<dc:date>" not in svg.read_text(encoding="utf-8"), f"{svg} carries a date"
    page = (app.outdir / "chapters" / "one.html").read_text(encoding="utf-8")
    found = figures(page)
    assert len(found) == 2
    for figure in found:
        alt = re.search(r'<img alt="([^"]+)" class="chart-wide" src="../_images/(figures|timeline)-[0-9a-f]{16}\.svg"', figure)
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
    drawn = len(before)
    assert drawn >= 16  # SVG and PDF of the four drawings of both charts

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
    assert len(chart_files(app.doctreedir)) == drawn + 8  # the figures chart's four drawings again


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


@pytest.mark.sphinx("html", testroot="charts", srcdir="charts-cache-cut", freshenv=True)
def test_a_copy_into_the_cache_cut_short_leaves_no_file_there(app, tmp_path, monkeypatch):
    """A build that stops while copying a drawing into the user's cache (killed, disk full)
    leaves no file under the drawing's name, so no other build takes half a drawing from it."""
    import shutil

    cache = tmp_path / "cache"
    monkeypatch.setenv("BRIEFING_CHART_CACHE", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    copy = shutil.copyfile

    def cut_short(source, target, *args, **kwargs):
        if cache not in Path(target).parents:
            return copy(source, target, *args, **kwargs)
        Path(target).write_bytes(Path(source).read_bytes()[:100])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", cut_short)
    app.build()
    assert "briefing_charts: drew figures-" in app.status.getvalue()
    left = [p.name for p in (cache / "briefing-book").rglob("*") if p.is_file()]  # (matplotlib keeps its own)
    assert left == [], f"half-copied drawings left in the cache: {left}"


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
    included = re.findall(r"\\sphinxincludegraphics(\[[^\]]*\])?\{\{([^}]+)\}(\.pdf)\}", tex)
    # Print takes the wide light drawing, at its own size (no option scales it, so its text
    # prints at the size drawn); never the dark or the phone one.
    assert [re.sub(r"-[0-9a-f]{16}", "", name) for _, name, _ in included] == ["figures", "timeline"], included
    for options, name, ext in included:
        assert options == "", f"{name} is scaled in print: {options}"
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
    image = re.search(rf'<img alt="([^"]+)" class="chart-wide" src="\.\./(_images/{kind}-[0-9a-f]{{16}}\.svg)"', charts_here[0])
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


def svg_text(svg: str) -> tuple[float, float, list[float]]:
    """A drawing's width and height in points (its viewBox) and the sizes of its live text."""
    box = [float(v) for v in re.search(r'viewBox="([^"]+)"', svg).group(1).split()]
    sizes = [float(s) for s in re.findall(r"<text\b[^>]*font-size:\s*([\d.]+)px", svg)]
    return box[2], box[3], sizes


def print_problems(svg: str, name: str, text_width: float = 6.26 * 72, text_height: float = 9.0 * 72) -> list[str]:
    """A drawing printed at its own size: text of 9 pt or more, live, and within the A4 page's
    text block (6.26 by 9.7 in, less room for the caption)."""
    width, height, sizes = svg_text(svg)
    problems = []
    if not sizes:
        problems.append(f"{name}: no live text")
    elif min(sizes) < 9:
        problems.append(f"{name}: text of {min(sizes)} pt")
    if width > text_width or height > text_height:
        problems.append(f"{name}: {width / 72:.1f} by {height / 72:.1f} in, larger than the page")
    return problems


def test_print_problems_are_found():
    small = '<svg viewBox="0 0 432 300"><text style="font: 7.5px \'DejaVu Sans\'; font-size: 7.5px">a</text></svg>'
    tall = '<svg viewBox="0 0 518 1500"><path d="M0 0"/></svg>'
    assert print_problems(small, "small") == ["small: text of 7.5 pt"]
    assert print_problems(tall, "tall") == ["tall: no live text", "tall: 7.2 by 20.8 in, larger than the page"]


def test_the_book_prints_its_charts_at_9_pt_or_more(book_html):
    """The drawings print uses (the wide light ones, or a long chart's parts) are drawn at 9 pt or
    more and fit the text block, so LaTeX includes them at their own size (test_latex_gets_vector_pdf)."""
    doctrees = book_html.parent / "doctrees" / "charts"
    printed = [p for p in sorted(doctrees.glob("*.svg")) if not re.search(r"-(dark|phone)", p.stem)]
    kinds = {re.sub(r"-[0-9a-f]{16}.*", "", p.stem) for p in printed}
    assert kinds == {"figures", "timeline", "map"}, printed
    problems = [q for p in printed if not (p.stem.startswith("timeline") and "-print-" not in p.stem)
                for q in print_problems(p.read_text(encoding="utf-8"), p.name)]
    assert problems == []
    assert any("-print-" in p.stem for p in printed), "the timeline is not split for print"
    for svg in sorted(doctrees.glob("*.svg")):  # every drawing, phone and dark ones too
        assert min(svg_text(svg.read_text(encoding="utf-8"))[2]) >= 9, svg.name


def test_each_chart_has_its_title_and_source_in_the_image(book_html):
    for svg in sorted((book_html / "_images").glob("*.svg")):
        text = " ".join(re.findall(r"<text\b[^>]*>([^<]*)", svg.read_text(encoding="utf-8")))
        if svg.stem.startswith("map"):
            assert "Kyrgyzstan, Tajikistan" in text and "Natural Earth" in text, svg.name
        else:
            assert re.search(r"(Kyrgyz deaths|Dated events).* 2022", text), f"{svg.name}: no title"
            assert re.search(r"Sources: .*\(data: (figures|timeline)\.csv\)", text), f"{svg.name}: no source"
            assert "shape" not in text.lower(), f"{svg.name}: a second encoding"
