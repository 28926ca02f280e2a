"""Citing the book: CITATION.cff is valid and agrees with conf.py; every page ends with "Cite this
page" (a reference and BibTeX with the page's address, and on a source page the source article's
own entry); the bibliography offers references.bib for download; hovering a citation shows the
full reference.
"""

from __future__ import annotations

import filecmp
import runpy
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
import json

from jsonschema import Draft7Validator, FormatChecker
from pybtex.database import parse_file, parse_string
from ruamel.yaml import YAML

from briefing.archive import load_registry
from conftest import ROOT

CFF = ROOT / "CITATION.cff"
# The Citation File Format 1.2.0 schema, as published with the format (its $id says where).
CFF_SCHEMA = ROOT / "tests" / "schemas" / "citation-file-format-1.2.0.json"
NOT_CONTENT = {"genindex.html", "search.html", "404.html"}  # 404.html: made when the address is known


@pytest.fixture(scope="module")
def conf() -> dict:
    return runpy.run_path(str(ROOT / "conf.py"))


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def content_pages(html_dir: Path) -> list[Path]:
    pages = [p for p in sorted(html_dir.rglob("*.html")) if p.name not in NOT_CONTENT
             and "_static" not in p.parts]
    assert pages
    return pages


def page_title(page: BeautifulSoup) -> str:
    h1 = page.find("h1")
    for link in h1.find_all("a", class_="headerlink"):
        link.decompose()
    return h1.get_text().strip()


def bib_entries() -> dict:
    return parse_file(str(ROOT / "references.bib")).entries


# --- CITATION.cff ------------------------------------------------------------------------------

def validate_cff(text: str) -> None:
    """Raise on any departure from the CFF 1.2.0 schema (dates read as strings, as the schema wants)."""
    schema = json.loads(CFF_SCHEMA.read_text(encoding="utf-8"))
    yaml = YAML(typ="safe")
    constructors = yaml.constructor.yaml_constructors
    constructors["tag:yaml.org,2002:timestamp"] = constructors["tag:yaml.org,2002:str"]
    Draft7Validator(schema, format_checker=FormatChecker()).validate(yaml.load(text))


def test_citation_cff_is_valid():
    validate_cff(CFF.read_text(encoding="utf-8"))  # raises on any schema error


def test_an_invalid_citation_cff_fails():
    broken = "\n".join(line for line in CFF.read_text(encoding="utf-8").splitlines()
                       if not line.startswith("title:"))
    with pytest.raises(Exception):
        validate_cff(broken)


def test_citation_cff_agrees_with_conf(conf):
    cff = YAML(typ="safe").load(CFF.read_text(encoding="utf-8"))
    assert cff["title"] == conf["project"]
    assert cff["authors"] == [{"name": conf["author"]}]
    assert cff["version"] == conf["release"]
    year, month = conf["release"].split(".")[:2]
    assert str(cff["date-released"]).startswith(f"{year}-{int(month):02d}")
    preferred = cff["preferred-citation"]
    assert (preferred["title"], preferred["version"]) == (conf["project"], conf["release"])
    assert (preferred["year"], preferred["month"]) == (int(year), int(month))
    assert "license" not in cff  # the book has no licence; the file must not claim one


# --- "Cite this page" --------------------------------------------------------------------------

def cite_blocks(html_dir: Path, base_url: str):
    """(page, its path, its title, the cite section, its BibTeX entries) for every content page."""
    for path in content_pages(html_dir):
        page = soup(path)
        section = page.find("section", id="cite-this-page")
        rel = path.relative_to(html_dir).as_posix()
        assert section is not None, f"{rel}: no 'Cite this page' section"
        article = page.find("article", role="main")
        last = [child for child in article.children if getattr(child, "name", None)][-1]
        assert last is section, f"{rel}: 'Cite this page' is not at the end of the page"
        entries = [parse_string(pre.get_text(), "bibtex").entries
                   for pre in section.find_all("pre", class_="cite-bibtex")]
        yield rel, page_title(page), section, entries


def test_every_page_ends_with_cite_this_page(book_html, conf):
    for rel, title, section, entries in cite_blocks(book_html, ""):
        (key, entry), = entries[0].items()
        assert key.startswith("briefingbook-"), rel
        assert entry.fields["url"] == rel, f"{rel}: BibTeX url is {entry.fields['url']}"
        assert entry.fields["title"].strip("{}") == title, rel
        assert [str(p).strip("{}") for p in entry.persons["author"]] == [conf["author"]], rel
        assert conf["release"] in entry.fields["howpublished"], rel
        reference = section.find("p", class_="cite-reference").get_text()
        assert f"“{title}”" in reference and reference.endswith(rel), rel
        assert conf["release"] in reference, rel
        # Without a base URL the page says how to complete the address.
        assert section.find("p", class_="cite-note"), rel


def test_source_pages_also_cite_the_article(book_html):
    sources = load_registry(ROOT, "data/sources.toml")
    bib = bib_entries()
    assert sources
    for key, source in sources.items():
        page = book_html / f"{source.page}.html"
        pres = soup(page).find("section", id="cite-this-page").find_all("pre", class_="cite-bibtex")
        assert len(pres) == 2, f"{source.page}: expected the page's and the article's entries"
        article = parse_string(pres[1].get_text(), "bibtex").entries
        assert list(article) == [key], source.page
        assert dict(article[key].fields) == dict(bib[key].fields), source.page


def test_cite_block_only_in_html(book_html):
    """The chapters never carry it in their sources (it is added when writing HTML)."""
    for md in list((ROOT / "chapters").glob("*.md")) + list((ROOT / "sources").glob("*.md")):
        assert "cite-this-page" not in md.read_text(encoding="utf-8"), md.name


# --- references.bib for download ---------------------------------------------------------------

def test_bibliography_offers_references_bib(book_html):
    page = book_html / "chapters" / "bibliography.html"
    links = [a for a in soup(page).find_all("a", class_="download")
             if a["href"].endswith("references.bib")]
    assert len(links) == 1, "the bibliography page has no download link to references.bib"
    target = (page.parent / links[0]["href"]).resolve()
    assert target.is_file() and filecmp.cmp(target, ROOT / "references.bib", shallow=False)


# --- citation tooltips -------------------------------------------------------------------------

def test_hovering_a_citation_shows_the_full_reference(book_html):
    """bibtex_tooltips: every citation link in a chapter has as its title the whole reference
    (outlet, headline, date, note, address) of the bibliography entry it points to."""
    bibliography = soup(book_html / "chapters" / "bibliography.html")
    full = {}
    for citation in bibliography.find_all("div", class_="citation"):
        para = citation.find("p")
        for extra in para.find_all("a", class_="internal"):  # the link to the source page
            extra.decompose()
        full[citation["id"]] = " ".join(para.get_text().split())
    assert len(full) == len(bib_entries())
    checked = 0
    for path in sorted((book_html / "chapters").glob("*.html")):
        for link in soup(path).select('span.bibtex-citation a[href*="bibliography.html#"]'):
            target = link["href"].rsplit("#", 1)[1]
            title = " ".join(link.get("title", "").split())
            assert title and title == full[target], \
                f"{path.name}: citation '{link.get_text()}' shows {title!r}, not the full reference {full[target]!r}"
            checked += 1
    assert checked > 0, "no citation found in the chapters"
