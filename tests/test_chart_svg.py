"""Each chart and map SVG drawn at build time says what it is: a <title> (the chart's title) and a
<desc> (its text alternative) as the first children of the root <svg>, which names them with
role="img", aria-labelledby and aria-describedby (reader review L8). A change to the text
alternative, like one to the drawing code, gives the drawing a new file name."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from briefing import charts, maps
from conftest import ROOT

ROOT_TAG = re.compile(r"<svg\b[^>]*>")
CHILD = re.compile(r"\s*<(\w+)\b([^>]*)>(.*?)</\1>", re.S)


def svg_label_problems(svg: str, name: str, title: str | None = None, desc: str | None = None) -> list[str]:
    """"name:line: …" for an SVG whose root does not open with its <title> and <desc> (with
    ``title`` and ``desc`` as their text when given) or does not name them."""
    root = ROOT_TAG.search(svg)
    if root is None:
        return [f"{name}:1: no <svg> element"]
    where = f"{name}:{svg.count(chr(10), 0, root.start()) + 1}"
    tag, rest = root.group(0), svg[root.end():]
    first = CHILD.match(rest)
    second = CHILD.match(rest, first.end()) if first else None
    problems = []
    found = {}
    for element, expected in ((first, "title"), (second, "desc")):
        if element is None or element.group(1) != expected:
            problems.append(f"{where}: the root's {'first' if expected == 'title' else 'second'} child "
                            f"is not <{expected}>")
            continue
        ident = re.search(r'\bid="([^"]+)"', element.group(2))
        found[expected] = (ident.group(1) if ident else "", html.unescape(element.group(3)))
    if "title" in found and title is not None and found["title"][1] != title:
        problems.append(f"{where}: <title> is {found['title'][1]!r}, not the chart's title {title!r}")
    if "desc" in found and desc is not None and found["desc"][1] != desc:
        problems.append(f"{where}: <desc> is not the image's text alternative")
    if 'role="img"' not in tag:
        problems.append(f'{where}: the root has no role="img"')
    for attribute, element in (("aria-labelledby", "title"), ("aria-describedby", "desc")):
        ident = found.get(element, ("",))[0]
        if not ident or f'{attribute}="{ident}"' not in tag:
            problems.append(f"{where}: the root has no {attribute} naming its <{element}>")
    return problems


POINTS = [{"measure": "kyrgyz_deaths", "number": "41", "as_of": "2022-09-14",
           "reported_by": "The ministry", "source": "alpha2022"}]
PANELS = [("Kyrgyz deaths", ["kyrgyz_deaths"])]


def test_svg_label_problems_are_found(tmp_path):
    """An SVG as matplotlib writes it (no title, no desc) fails, named with the root's line."""
    fig = charts.draw_figures(POINTS, PANELS, {"alpha2022": "Alpha"}, title="Deaths & <more>")
    fig.briefing_label = ("", "")  # what save wrote before: nothing
    bare = charts.save(fig, tmp_path / "bare")[0].read_text(encoding="utf-8")
    line = bare[:bare.index("<svg")].count("\n") + 1
    assert svg_label_problems(bare, "bare.svg") == [
        f"bare.svg:{line}: the root's first child is not <title>",
        f"bare.svg:{line}: the root's second child is not <desc>",
        f'bare.svg:{line}: the root has no role="img"',
        f"bare.svg:{line}: the root has no aria-labelledby naming its <title>",
        f"bare.svg:{line}: the root has no aria-describedby naming its <desc>"]
    good = '<svg viewBox="0 0 1 1" role="img" aria-labelledby="t" aria-describedby="d"><title id="t">A</title><desc id="d">B</desc></svg>'
    assert svg_label_problems(good, "g.svg", "A", "B") == []
    assert svg_label_problems(good, "g.svg", "A", "C") == ["g.svg:1: <desc> is not the image's text alternative"]
    assert svg_label_problems(good.replace(' role="img"', ""), "g.svg") == ['g.svg:1: the root has no role="img"']


@pytest.mark.parametrize("kind", ["figures", "timeline", "map"])
def test_drawings_carry_their_title_and_text_alternative(tmp_path, kind):
    title, alt = "Deaths & injuries, <as reported>", "A chart of \"the\" reports: 41 dead."
    if kind == "figures":
        fig = charts.draw_figures(POINTS, PANELS, {"alpha2022": "Alpha"}, title=title, alt=alt)
    elif kind == "timeline":
        events = [{"date": "2022-09-14", "event": "Fighting", "source": "alpha2022"}]
        fig = charts.draw_timeline(events, "2022-09-14", "2022-09-20", {"alpha2022": "Alpha"}, title=title, alt=alt)
    else:
        geo = maps.read_geo(ROOT / "data" / "geo")
        fig = maps.draw_map(geo["boundaries"], geo["places"], title, "Credit.", alt=alt, width=charts.PHONE)
    svg = charts.save(fig, tmp_path / kind)[0].read_text(encoding="utf-8")
    assert svg_label_problems(svg, f"{kind}.svg", title, alt) == []
    assert svg.lstrip().startswith("<?xml")  # still a standalone XML file


def test_the_text_alternative_shapes_the_file_name():
    """The drawing's name is a digest of what shapes it: the text alternative, now written into
    the SVG, is one of its inputs."""
    from briefing_charts import _digest

    inputs = {"title": "T", "source": "S", "alt": "One text"}
    assert _digest({"kind": "figures", "inputs": inputs}) != _digest(
        {"kind": "figures", "inputs": {**inputs, "alt": "Another text"}})


def test_the_book_s_charts_and_map_say_what_they_show(book_html):
    """Every drawing of the built book (wide and phone, light and dark, print parts): its title,
    and as its <desc> the alt text of the image the page shows."""
    alts = {}
    for page in ("chapters/human-cost.html", "chapters/timeline.html", "chapters/clashes.html"):
        text = (book_html / page).read_text(encoding="utf-8")
        for alt, src in re.findall(r'<img alt="([^"]*)" class="chart-wide" src="\.\./_images/([^"]+)\.svg"', text):
            alts[re.sub(r"-dark$", "", src)] = html.unescape(alt)  # a dark variant shows the same alt text
    assert {re.sub(r"-[0-9a-f]{16}$", "", s) for s in alts} == {"figures", "timeline", "map"}, alts
    drawn = sorted((book_html.parent / "doctrees" / "charts").glob("*.svg"))
    assert len(drawn) >= 12
    problems = []
    for svg in drawn:
        stem = re.match(r"(?:figures|timeline|map)-[0-9a-f]{16}", svg.stem).group(0)
        problems += svg_label_problems(svg.read_text(encoding="utf-8"), svg.name, desc=alts.get(stem, ""))
    assert problems == []
    titles = {re.search(r"<title[^>]*>([^<]*)", s.read_text(encoding="utf-8")).group(1) for s in drawn}
    assert "Kyrgyzstan, Tajikistan and their neighbours" in titles
    assert any(t.startswith("Dated events") for t in titles), titles
