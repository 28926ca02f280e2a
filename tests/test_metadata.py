"""Reference-manager metadata: every page of the built book carries Highwire citation_* and
Dublin Core tags and a schema.org JSON-LD record, each field equal to its one origin (conf.py,
CITATION.cff, references.bib, data/sources.toml); the bibliography and each source page carry a
COinS record of the source articles. A page missing its record fails the check.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pybtex.database import parse_file
from ruamel.yaml import YAML

from briefing.archive import load_registry
from briefing.metadata import parse_coins
from conftest import NOT_CONTENT, ROOT, book_conf, content_pages, soup



@pytest.fixture(scope="module")
def origins() -> dict:
    conf = book_conf()
    yaml = YAML(typ="safe")
    constructors = yaml.constructor.yaml_constructors
    constructors["tag:yaml.org,2002:timestamp"] = constructors["tag:yaml.org,2002:str"]
    cff = yaml.load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    return {"conf": conf, "cff": cff, "bib": parse_file(str(ROOT / "references.bib")).entries,
            "sources": load_registry(ROOT)}


def pages(html_dir: Path) -> dict[str, Path]:
    """Built content pages by docname."""
    found = {p.relative_to(html_dir).with_suffix("").as_posix(): p for p in sorted(html_dir.rglob("*.html"))
             if p.name not in NOT_CONTENT and "_static" not in p.parts}
    assert found
    return found


def title_of(page: BeautifulSoup) -> str:
    h1 = copy.copy(page.find("h1"))
    for link in h1.find_all("a", class_="headerlink"):
        link.decompose()
    return h1.get_text().strip()


def kind_of(docname: str, origins) -> str:
    if docname == origins["conf"]["root_doc"]:
        return "book"
    if any(s.page == docname for s in origins["sources"].values()):
        return "webpage"
    return "bookSection"


def unbraced(value: str) -> str:
    return " ".join(re.sub(r"[{}]", "", str(value)).split())


def article(key: str, origins) -> dict:
    """A source article as references.bib gives it; its date from data/sources.toml, which the
    build checks against references.bib. A day the bibliography brackets as inferred ("[18]") is
    no part of a machine-readable date: a reference manager could not show it as inferred."""
    fields = origins["bib"][key].fields
    if key not in origins["sources"]:  # a @dataset (the map's data): dated by its entry alone
        month = {"jan": "01", "feb": "02", "mar": "03", "apr": "04", "may": "05", "jun": "06", "jul": "07",
                 "aug": "08", "sep": "09", "oct": "10", "nov": "11", "dec": "12"}.get(str(fields.get("month", ""))[:3].lower())
        published = fields["year"] + (f"-{month}" if month else "")
    else:
        published = origins["sources"][key].published
    if str(fields.get("day", "")).strip().startswith("[") or getattr(origins["sources"].get(key), "inferred_day", False):
        published = published[:7]
    return {"title": unbraced(fields["title"]), "outlet": unbraced(fields.get("journal") or fields["howpublished"]),
            "url": fields["url"], "date": published}


def metadata_problems(page: BeautifulSoup, docname: str, origins) -> list[str]:
    """What a reference manager would miss or get wrong on this page."""
    conf, cff = origins["conf"], origins["cff"]
    kind = kind_of(docname, origins)
    title = conf["project"] if kind == "book" else title_of(page)
    meta: dict[str, list[str]] = {}
    for tag in page.find_all("meta"):
        name = tag.get("name") or tag.get("property")
        if name:
            meta.setdefault(name, []).append(tag.get("content", ""))
    released = str(cff["date-released"])
    expected = {
        "citation_title": title, "citation_publisher": conf["author"],
        "citation_publication_date": released.replace("-", "/"), "citation_language": conf["language"],
        "DC.title": title, "DC.publisher": conf["author"], "DC.date": released, "DC.type": kind,
        "prism.edition": conf["release"],
        "DC.language": conf["language"],
        "og:type": {"book": "book", "bookSection": "article", "webpage": "website"}[kind],
    }
    if kind != "book":
        expected["citation_book_title"] = conf["project"]
        expected["DC.relation.isPartOf"] = conf["project"]
    else:
        expected["citation_abstract"] = " ".join(cff["abstract"].split())
    problems = [f"{docname}: {name} is {meta.get(name)!r}, not [{value!r}]"
                for name, value in expected.items() if meta.get(name) != [value]]
    if meta.get("citation_public_url") or meta.get("DC.identifier"):
        problems.append(f"{docname}: an address without a configured base URL")
    script = page.find("script", type="application/ld+json")
    if script is None:
        return problems + [f"{docname}: no JSON-LD record"]
    record = json.loads(script.string)
    want_type = {"book": "Book", "bookSection": "Chapter", "webpage": "WebPage"}[kind]
    if record.get("@context") != "https://schema.org" or record.get("@type") != want_type:
        problems.append(f"{docname}: JSON-LD is {record.get('@type')}, not {want_type}")
    if record.get("name") != title or record.get("author", {}).get("name") != conf["author"]:
        problems.append(f"{docname}: JSON-LD name or author differs from the page's")
    if record.get("datePublished") != released or record.get("inLanguage") != conf["language"]:
        problems.append(f"{docname}: JSON-LD date or language differs from CITATION.cff / conf.py")
    if kind != "book" and record.get("isPartOf", {}).get("name") != conf["project"]:
        problems.append(f"{docname}: JSON-LD isPartOf is not the book")
    if kind == "book" and (record.get("version") != conf["release"] or record.get("keywords") != cff["keywords"]):
        problems.append(f"{docname}: JSON-LD version or keywords differ from conf.py / CITATION.cff")
    for cited in record.get("citation", []) + ([record["about"]] if "about" in record else []):
        want = article(cited.get("identifier"), origins)
        got = {"title": cited.get("headline"), "outlet": cited.get("publisher", {}).get("name"),
               "url": cited.get("url"), "date": cited.get("datePublished")}
        if got != want:
            problems.append(f"{docname}: JSON-LD article {cited.get('identifier')} is {got}, not {want}")
    return problems


def coins_of(page: BeautifulSoup) -> list[dict]:
    return [parse_coins(span["title"]) for span in page.find_all("span", class_="Z3988")]


def coins_problems(record: dict, key: str, origins) -> list[str]:
    want = article(key, origins)
    got = {"title": record.get("rft.title"), "outlet": record.get("rft.source"),
           "url": record.get("rft.identifier"), "date": record.get("rft.date")}
    problems = [] if got == want else [f"COinS of {key} is {got}, not {want}"]
    if record.get("rft_val_fmt") != "info:ofi/fmt:kev:mtx:dc" or record.get("rft.type") != "newspaperArticle":
        problems.append(f"COinS of {key} is not a newspaper article in Dublin Core form")
    return problems


# --- the built book ---------------------------------------------------------------------------

def test_every_page_carries_its_record(book_html, origins):
    problems = []
    for docname, path in pages(book_html).items():
        problems += metadata_problems(soup(path), docname, origins)
    assert not problems, "\n".join(problems)


def test_chapter_cites_its_sources_in_json_ld(book_html, origins):
    record = json.loads(soup(book_html / "chapters" / "human-cost.html")
                        .find("script", type="application/ld+json").string)
    assert {c["identifier"] for c in record["citation"]} <= set(origins["bib"])
    assert len(record["citation"]) >= 2


def test_bibliography_offers_every_article(book_html, origins):
    records = coins_of(soup(book_html / "chapters" / "bibliography.html"))
    urls = {fields["url"]: key for key, fields in ((k, e.fields) for k, e in origins["bib"].items())}
    assert sorted(r["rft.identifier"] for r in records) == sorted(urls)
    problems = [p for r in records for p in coins_problems(r, urls[r["rft.identifier"]], origins)]
    assert not problems, "\n".join(problems)


def test_each_source_page_offers_its_article(book_html, origins):
    for key, source in origins["sources"].items():
        records = coins_of(soup(book_html / f"{source.page}.html"))
        assert len(records) == 1, f"{source.page}: {len(records)} COinS records"
        assert not coins_problems(records[0], key, origins)
        about = json.loads(soup(book_html / f"{source.page}.html")
                           .find("script", type="application/ld+json").string)["about"]
        assert about["identifier"] == key


# --- the check itself fails on a defective page -------------------------------------------------

def test_a_page_missing_its_record_fails(book_html, origins):
    page = soup(book_html / "chapters" / "clashes.html")
    assert not metadata_problems(page, "chapters/clashes", origins)
    page.find("meta", attrs={"name": "citation_title"}).decompose()
    page.find("script", type="application/ld+json").decompose()
    problems = metadata_problems(page, "chapters/clashes", origins)
    assert any("citation_title" in p for p in problems) and any("JSON-LD" in p for p in problems)


def test_a_wrong_field_fails(book_html, origins):
    page = soup(book_html / "index.html")
    page.find("meta", attrs={"name": "citation_publication_date"})["content"] = "2020/01/01"
    assert any("citation_publication_date" in p for p in metadata_problems(page, "index", origins))
    key = next(iter(origins["sources"]))
    record = coins_of(soup(book_html / f"{origins['sources'][key].page}.html"))[0]
    record["rft.source"] = "Another outlet"
    assert coins_problems(record, key, origins)


# --- as Zotero's Embedded Metadata translator reads the tags ----------------------------------------

def embedded_metadata_item(page: BeautifulSoup) -> dict:
    """The creators, publisher, edition and abstract Zotero's Embedded Metadata translator takes
    from a page's tags: each citation_author (else each DC.creator, through its RDF import) made a
    person by ZU.cleanAuthor, which splits the name at its last space and capitalises the parts;
    citation_publisher (else DC.publisher) the publisher; PRISM's edition; og:description, the
    abstract it falls back to."""
    def values(name):
        return [tag.get("content", "") for tag in page.find_all("meta") if (tag.get("name") or tag.get("property")) == name]
    creators = []
    for name in values("citation_author") or values("DC.creator"):
        first, _, last = name.rpartition(" ")
        creators.append({"firstName": first, "lastName": last[:1].upper() + last[1:]} if first else {"lastName": last})
    return {"creators": creators, "publisher": (values("citation_publisher") or values("DC.publisher") or [""])[0],
            "edition": (values("prism.edition") or [""])[0], "abstract": (values("og:description") or [""])[0]}


def embedded_metadata_problems(item: dict, conf: dict) -> list[str]:
    problems = []
    if item["creators"]:
        problems.append(f"the editors become person(s) {item['creators']}")
    if item["publisher"] != conf["author"] or item["edition"] != conf["release"]:
        problems.append(f"publisher {item['publisher']!r}, edition {item['edition']!r}")
    if re.search(r"¶|\(\w[^()]*\b20\d\d\b[^()]*\)", item["abstract"]):
        problems.append(f"citation marks in the abstract: {item['abstract']!r}")
    return problems


def test_zotero_reads_the_editors_as_publisher_and_a_plain_abstract(book_html, origins):
    checked = 0
    for path in content_pages(book_html):
        item = embedded_metadata_item(soup(path))
        assert embedded_metadata_problems(item, origins["conf"]) == [], path.name
        checked += 1
    assert checked > 15


def test_a_corporate_author_as_citation_author_and_a_cited_abstract_fail(book_html, origins):
    page = soup(book_html / "chapters" / "clashes.html")
    head = page.find("head")
    head.append(page.new_tag("meta", attrs={"name": "citation_author", "content": origins["conf"]["author"]}))
    page.find("meta", property="og:description")["content"] = "Clashes broke out (Interfax, 22 Sep 2022, ¶9)."
    problems = embedded_metadata_problems(embedded_metadata_item(page), origins["conf"])
    assert any("'firstName': \"The briefing book's\", 'lastName': 'Editors'" in p for p in problems), problems
    assert any("citation marks" in p for p in problems), problems
