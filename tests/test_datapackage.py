"""The data package: data/datapackage.json describes data/figures.csv and data/timeline.csv
(every column, with its type), is valid by the Frictionless library, names a unit for every
measure, and the built book offers it with the data files, its sources filled from
references.bib, from the pages that draw on them.
"""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from bs4 import BeautifulSoup
from frictionless import Package, validate
from pybtex.database import parse_file

from conftest import ROOT

DATA = ROOT / "data"


def descriptor() -> dict:
    return json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))


def header(name: str) -> list[str]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def test_package_is_valid():
    report = validate(str(DATA / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_package_describes_every_column():
    for resource in descriptor()["resources"]:
        fields = [field["name"] for field in resource["schema"]["fields"]]
        assert fields == header(resource["path"]), resource["name"]
        assert all(field.get("description") for field in resource["schema"]["fields"])


def test_every_measure_has_a_unit():
    units = descriptor()["units"]
    with (DATA / "figures.csv").open(encoding="utf-8", newline="") as handle:
        measures = {row["measure"] for row in csv.DictReader(handle)}
    assert measures <= set(units), f"add a unit to data/datapackage.json for {measures - set(units)}"


def test_package_makes_no_licence_claim():
    package = descriptor()
    assert "licenses" not in package  # the book has no licence (see tests/test_citing.py)
    assert "verbatim" in package["rights"]


def test_a_defective_row_fails(tmp_path):
    for name in ("datapackage.json", "figures.csv", "timeline.csv"):
        shutil.copy(DATA / name, tmp_path / name)
    with (tmp_path / "figures.csv").open("a", encoding="utf-8") as handle:
        handle.write("bad-row,other,Something,many,many,2022-13-40,x,y,kg24news2022guterres,z\n")
    report = validate(str(tmp_path / "datapackage.json"))
    assert not report.valid
    types = {error[0] for error in report.flatten(["type"])}
    assert "type-error" in types


def test_built_package_lists_the_sources(book_html):
    built = book_html / "data" / "datapackage.json"
    package = json.loads(built.read_text(encoding="utf-8"))
    urls = {entry.fields["url"] for entry in parse_file(str(ROOT / "references.bib")).entries.values()}
    assert {source["path"] for source in package["sources"]} == urls
    assert Package(str(built)).resources[0].name == "figures"
    report = validate(str(built))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    for name in ("figures.csv", "timeline.csv"):
        assert (book_html / "data" / name).read_bytes() == (DATA / name).read_bytes()


@pytest.mark.parametrize("page, files", [("chapters/human-cost.html", ["figures.csv"]),
                                         ("chapters/timeline.html", ["timeline.csv"])])
def test_pages_drawing_on_the_data_offer_it(book_html, page, files):
    html = BeautifulSoup((book_html / page).read_text(encoding="utf-8"), "html.parser")
    hrefs = {a["href"] for p in html.find_all("p", class_="data-download") for a in p.find_all("a")}
    assert hrefs == {f"../data/{name}" for name in files} | {"../data/datapackage.json"}
