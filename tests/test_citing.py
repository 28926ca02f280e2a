"""Citing the book: CITATION.cff is valid and agrees with conf.py; every page ends with "Cite this
page" (a reference and BibTeX with the page's address, and on a source page the source article's
own entry); the book is cited one way everywhere (CITATION.cff, "How to cite", the front page's
block), its editors an organisation; the bibliography offers references.bib for download;
hovering a citation shows the full reference. references.bib and every page's BibTeX are read by
pandoc's citeproc (Chicago author-date: outlet, day, month and year of each news source) and
validated by biber with no warning.
"""

from __future__ import annotations

import filecmp
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
import json

from jsonschema import Draft7Validator, FormatChecker
from pybtex.database import parse_file, parse_string
from ruamel.yaml import YAML

from briefing.archive import load_registry
from conftest import ROOT, book_conf, content_pages, soup

CFF = ROOT / "CITATION.cff"
# The Citation File Format 1.2.0 schema, as published with the format (its $id says where).
CFF_SCHEMA = ROOT / "tests" / "schemas" / "citation-file-format-1.2.0.json"


@pytest.fixture(scope="module")
def conf() -> dict:
    return book_conf()


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
    # The editors are an entity (an organisation), as author and as publisher.
    assert preferred["authors"] == [{"name": conf["author"]}] and preferred["publisher"] == {"name": conf["author"]}
    assert preferred["edition"] == conf["release"]
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
        assert entry.fields["publisher"] == "{" + conf["author"] + "}", rel
        assert (entry.fields["edition"], entry.fields["year"]) == (conf["release"], conf["release"][:4]), rel
        assert entry.type == ("book" if rel == "index.html" else "inbook"), rel
        reference = section.find("p", class_="cite-reference").get_text()
        assert (title if rel == "index.html" else f"“{title}”") in reference and reference.endswith(rel), rel
        assert f"{conf['author']}. {conf['release'][:4]}." in reference and conf["release"] in reference, rel
        # The reader is told to add the date consulted (the note on a missing address is for the editor).
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


# --- one citation of the book, everywhere ---------------------------------------------------------

def how_to_cite_bibtex() -> dict:
    """The BibTeX templates of chapters/how-to-cite.md, by key."""
    text = (ROOT / "chapters" / "how-to-cite.md").read_text(encoding="utf-8")
    import re
    blocks = re.findall(r"```bibtex\n(.*?)```", text, re.S)
    return {key: entry for block in blocks for key, entry in parse_string(block, "bibtex").entries.items()}


def test_the_book_is_cited_one_way_everywhere(book_html, conf):
    cff = YAML(typ="safe").load(CFF.read_text(encoding="utf-8"))["preferred-citation"]
    front = soup(book_html / "index.html")
    (key, page_entry), = parse_string(front.find("section", id="cite-this-page").find("pre").get_text(),
                                      "bibtex").entries.items()
    template = how_to_cite_bibtex()[key]
    for entry in (page_entry, template):
        assert entry.type == "book" == cff["type"]
        assert entry.fields["title"].strip("{}") == cff["title"] == conf["project"] == conf["html_title"]
        assert entry.fields["publisher"].strip("{}") == cff["publisher"]["name"] == conf["author"]
        assert [str(p).strip("{}") for p in entry.persons["author"]] == [conf["author"]]
        assert (entry.fields["edition"], int(entry.fields["year"])) == (cff["edition"], cff["year"])
        assert entry.fields["month"].lower() in ("nov", "november")
    assert page_title(front) == conf["project"], "the front page's heading is another title"
    chapter = how_to_cite_bibtex()["briefingbook-chapters-csto"]
    assert chapter.type == "inbook" and chapter.fields["booktitle"].strip("{}") == conf["project"]
    assert "VERSION" not in (ROOT / "chapters" / "how-to-cite.md").read_text(encoding="utf-8")


# --- citeproc and biber read the entries ----------------------------------------------------------

SOURCES = load_registry(ROOT, "data/sources.toml")


def sources_bib() -> str:
    """references.bib's entries of the sources, as written."""
    from briefing.bibfile import read_bib
    bib = read_bib(ROOT / "references.bib")
    return "\n\n".join(bib.raw(key) for key in SOURCES)


def page_bibtex(html_dir: Path) -> str:
    return "\n\n".join(pre.get_text() for path in content_pages(html_dir)
                        for pre in soup(path).find("section", id="cite-this-page").find_all("pre", class_="cite-bibtex")[:1])


def citeproc(bib_text: str, tmp_path: Path) -> dict[str, str]:
    """Each entry as pandoc's citeproc prints it in its built-in style (Chicago author-date)."""
    import shutil
    import subprocess
    assert shutil.which("pandoc"), "pandoc is missing: apt-get install -y pandoc (README)"
    bib = tmp_path / "entries.bib"
    bib.write_text(bib_text, encoding="utf-8")
    keys = list(parse_string(bib_text, "bibtex").entries)
    doc = tmp_path / "cite.md"
    doc.write_text("\n\n".join(f"::: {{#ref-{key}}}\n[@{key}]\n:::" for key in keys) + "\n", encoding="utf-8")
    result = subprocess.run(["pandoc", str(doc), "--citeproc", f"--bibliography={bib}", "-t", "json"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    refs = {}
    for block in json.loads(result.stdout)["blocks"]:
        if block["t"] == "Div" and block["c"][0][0] == "refs":
            for entry in block["c"][1]:
                key = entry["c"][0][0].removeprefix("ref-")
                refs[key] = " ".join(_strings(entry["c"][1]))
    return refs


def _strings(node) -> list[str]:
    if isinstance(node, dict):
        if node.get("t") == "Str":
            return [node["c"]]
        return _strings(node.get("c", []))
    if isinstance(node, list):
        return [s for item in node for s in _strings(item)]
    return []


def news_problems(refs: dict[str, str]) -> list[str]:
    """What a news source's Chicago reference lacks: its outlet, its month and year, and its
    printed day (an inferred day is not a printed one, and must not appear as a date)."""
    from briefing.dates import MONTH_NAMES
    problems = []
    for key, source in SOURCES.items():
        text = " ".join(refs.get(key, "").split())
        year, month = source.published[:4], MONTH_NAMES[int(source.published[5:7]) - 1]
        outlet = re.sub(r"[{}]", "", bib_entries()[key].fields["journal"])
        day = None if source.inferred_day or len(source.published) < 10 else str(int(source.published[8:]))
        want = f"{month} {day}, {year}" if day else f"{month} {year}"
        if outlet not in text or want not in text:
            problems.append(f"{key}: “{text}” lacks {outlet!r} or {want!r}")
        if source.inferred_day and f"{month} {int(source.published[8:])}," in text:
            problems.append(f"{key}: the inferred day is printed as a date: “{text}”")
    return problems


import re  # noqa: E402  (used by the helpers above)


def test_citeproc_prints_each_news_source_with_outlet_and_full_date(tmp_path):
    refs = citeproc(sources_bib(), tmp_path)
    assert set(SOURCES) <= set(refs)
    assert news_problems(refs) == []


def test_citeproc_check_catches_an_entry_that_loses_its_date(tmp_path):
    """A @misc with the outlet in howpublished (references.bib's former form): Chicago prints the
    year only."""
    old = re.sub(r"@article\{", "@misc{", sources_bib())
    old = re.sub(r"  journal      = \{([^}]*)\},\n", r"  howpublished = {\1},\n", old)
    problems = news_problems(citeproc(old, tmp_path))
    assert len(problems) >= len(SOURCES) - 1, problems


def test_citeproc_reads_every_pages_citation(book_html, tmp_path):
    refs = citeproc(page_bibtex(book_html), tmp_path)
    assert len(refs) >= 15
    for key, text in refs.items():
        assert "The briefing book’s editors" in text or "The briefing book's editors" in text, (key, text)
        assert "2026" in text and "n.d." not in text and "Editors, The" not in text, (key, text)


def biber_warnings(bib_text: str, tmp_path: Path) -> list[str]:
    import shutil
    import subprocess
    assert shutil.which("biber"), "biber is missing: apt-get install -y biber (README)"
    bib = tmp_path / "validate.bib"
    bib.write_text(bib_text, encoding="utf-8")
    result = subprocess.run(["biber", "--tool", "--validate-datamodel", bib.name], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return [line for line in result.stdout.splitlines() if line.startswith(("WARN", "ERROR"))]


def test_biber_validates_the_sources_and_every_pages_entry(book_html, tmp_path):
    assert biber_warnings(sources_bib(), tmp_path) == []
    assert biber_warnings(page_bibtex(book_html), tmp_path) == []


def test_biber_reports_the_former_defects(tmp_path):
    """A bracketed day in the date fields, and a month spelt out in braces."""
    bib = sources_bib().replace("  url          = {https://english.almayadeen",
                                "  day          = {[18]},\n  url          = {https://english.almayadeen", 1)
    bib = bib.replace("  month        = oct,", "  month        = {October},", 1)
    warnings = biber_warnings(bib, tmp_path)
    assert any("day" in w for w in warnings) and any("month" in w.lower() for w in warnings), warnings
