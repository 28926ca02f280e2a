"""The claims register: valid against its schema (data/claims-register.schema.json); every cited
block of the built HTML is in it and nothing else; every selector points at an anchor of the
archived source page and quotes words that are in that archived paragraph; the CSV holds the
same claims; "How to cite" and every source page link to it.
"""

from __future__ import annotations

import copy
import csv
import functools
import json
import posixpath
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from briefing.archive import load_registry
from briefing.evidence import SourceIndex, extract
from briefing.register import quote_selector
from conftest import ROOT, soup

SCHEMA = json.loads((ROOT / "data" / "claims-register.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def register(book_html) -> dict:
    return json.loads((book_html / "data" / "claims-register.jsonld").read_text(encoding="utf-8"))


@functools.cache
def ids_of(path: Path) -> frozenset[str]:
    return frozenset(element["id"] for element in soup(path).find_all(id=True))


def html_claims(html_dir: Path) -> set[str]:
    """Every claim-… address of the built pages, as the register writes it (relative to data/)."""
    found = set()
    for path in html_dir.rglob("*.html"):
        page = path.relative_to(html_dir).as_posix()
        for anchor in ids_of(path):
            if anchor.startswith("claim-"):
                found.add(posixpath.relpath(page, "data") + "#" + anchor)
    return found


def coverage_problems(register: dict, html_dir: Path) -> list[str]:
    listed = {a["id"] for a in register["first"]["items"]}
    built = html_claims(html_dir)
    return ([f"cited block not in the register: {a}" for a in sorted(built - listed)] +
            [f"register names no block of the book: {a}" for a in sorted(listed - built)])


def selector_problems(register: dict, html_dir: Path) -> list[str]:
    sources = load_registry(ROOT)
    problems = []
    for item in register["first"]["items"]:
        for target in item["target"]:
            source = sources[target["sourceKey"]]
            selector = target["selector"]
            page = html_dir / "data" / target["source"]
            if selector["value"] not in ids_of(page.resolve()):
                problems.append(f"{item['id']}: no anchor {selector['value']} on {target['source']}")
            if "refinedBy" not in selector:
                continue
            quote = selector["refinedBy"]
            paragraph = source.paragraphs()[target["paragraph"] - 1]
            if quote["prefix"] + quote["exact"] + quote["suffix"] not in paragraph:
                problems.append(f"{item['id']}: “{quote['exact'][:40]}” is not in ¶{target['paragraph']} "
                                f"of {target['sourceKey']}")
    return problems


def test_register_follows_its_schema(register):
    errors = sorted(Draft202012Validator(SCHEMA).iter_errors(register), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    assert register["total"] == len(register["first"]["items"]) > 0


def test_schema_rejects_a_broken_register(register):
    broken = copy.deepcopy(register)
    del broken["first"]["items"][0]["body"]
    broken["first"]["items"][1]["target"].append({"type": "SpecificResource"})
    assert len(list(Draft202012Validator(SCHEMA).iter_errors(broken))) >= 2


def test_every_cited_block_is_in_the_register(register, book_html):
    assert not coverage_problems(register, book_html)


def test_a_missing_block_fails(register, book_html):
    shortened = copy.deepcopy(register)
    dropped = shortened["first"]["items"].pop()
    assert coverage_problems(shortened, book_html) == [f"cited block not in the register: {dropped['id']}"]


def test_every_quotation_is_in_its_archived_passage(register, book_html):
    assert not selector_problems(register, book_html)
    assert any("refinedBy" in t["selector"] for a in register["first"]["items"] for t in a["target"])


def test_a_selector_not_in_its_passage_fails(register, book_html):
    tampered = copy.deepcopy(register)
    target = next(t for a in tampered["first"]["items"] for t in a["target"] if "refinedBy" in t["selector"])
    target["selector"]["refinedBy"]["exact"] += " (not in the source)"
    target["selector"]["value"] = "no-such-anchor"
    problems = selector_problems(tampered, book_html)
    assert len(problems) == 2


def test_data_rows_carry_voice_and_date(register):
    rows = [a for a in register["first"]["items"] if a.get("dataRow", "").startswith("data/figures.csv")]
    assert rows and all(a["voice"] and a["asOfText"] for a in rows)
    assert all(a["target"][0].get("paragraph") for a in rows)


def test_csv_holds_the_same_claims(register, book_html):
    with (book_html / "data" / "claims-register.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["claim_id"] for r in rows} == {a["claimId"] for a in register["first"]["items"]}
    targets = sum(max(1, len(a["target"])) for a in register["first"]["items"])
    assert len(rows) == targets


def test_register_is_linked(book_html):
    how_to = soup(book_html / "chapters" / "how-to-cite.html")
    hrefs = {a["href"] for a in how_to.find_all("a", href=True)}
    for name in ("claims-register.jsonld", "claims-register.csv", "claims-register.schema.json",
                 "datapackage.json", "figures.csv", "timeline.csv"):
        assert f"../data/{name}" in hrefs
    for source in load_registry(ROOT).values():
        hrefs = {a["href"] for a in soup(book_html / f"{source.page}.html").find_all("a", href=True)}
        assert "../data/claims-register.jsonld" in hrefs, source.page
    assert filecmp_equal(ROOT / "data" / "claims-register.schema.json",
                         book_html / "data" / "claims-register.schema.json")


def filecmp_equal(a: Path, b: Path) -> bool:
    return a.read_bytes() == b.read_bytes()


# --- the selector rule on a small text ---------------------------------------------------------

def test_quote_selector_picks_the_sentences_holding_the_items():
    paragraph = ("The ministry met on Monday. It said 59 people were killed and 198 injured. "
                 "Talks continue.")
    source = type("S", (), {"key": "demo", "published": "2022-09-22", "year": 2022, "month": 9, "day": 22})()
    index = SourceIndex(source, [paragraph])
    selector, held = quote_selector(paragraph, 1, extract("At least 59 people were killed."), index,
                                    "At least 59 people were killed.")
    assert selector["exact"] == "It said 59 people were killed and 198 injured."
    assert selector["prefix"] == "The ministry met on Monday. "[-32:]
    assert selector["suffix"] == " Talks continue."
    assert [item.shown for item in held] == ["59"]


def test_an_edit_rebuilds_the_register_and_the_search_as_a_fresh_build_would(tmp_path):
    """A build that changes no block leaves the register as it was; an edit rewrites it and the
    search's figures from what each kept (annotations, pages' numbers), and both come out as a
    fresh build writes them."""
    from conftest import copy_book, search_index, sphinx_build

    book = copy_book(tmp_path / "book")
    out, doctrees = tmp_path / "html", tmp_path / "doctrees"
    assert sphinx_build(book, "html", out, "-d", str(doctrees)).returncode == 0
    register = out / "data" / "claims-register.jsonld"
    first = register.stat().st_mtime_ns
    assert sphinx_build(book, "html", out, "-d", str(doctrees)).returncode == 0
    assert register.stat().st_mtime_ns == first, "an unchanged book rewrote its register"

    def pages_with_364() -> set[str]:
        index = search_index(out)
        return {index["docnames"][entry[0]] for entry in index["indexentries"].get("364", [])}

    assert "chapters/csto" not in pages_with_364()
    chapter = book / "chapters" / "csto.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\nMarat Imankulov told Interfax that leaving the "
                       "CSTO was not being considered {cite:p}`interfax2022withdrawal`.\n\nThe Kyrgyz Emergency "
                       "Situations Ministry said that 364 residential houses were destroyed, Interfax reported "
                       "{cite:p}`interfax2022withdrawal`.\n", encoding="utf-8")
    result = sphinx_build(book, "html", out, "-d", str(doctrees))
    assert result.returncode == 0, result.stderr
    assert register.stat().st_mtime_ns != first
    assert "not being considered" in register.read_text(encoding="utf-8").split("Marat Imankulov told Interfax")[-1]
    assert "chapters/csto" in pages_with_364(), "a figure the edit added is not found by the search"
    # What was kept between builds gives what a fresh build gives.
    fresh = tmp_path / "fresh"
    assert sphinx_build(book, "html", fresh / "html", "-d", str(fresh / "doctrees")).returncode == 0
    assert register.read_bytes() == (fresh / "html" / "data" / "claims-register.jsonld").read_bytes(), \
        "the register of an incremental build differs from a fresh build's"
    assert (out / "searchindex.js").read_bytes() == (fresh / "html" / "searchindex.js").read_bytes(), \
        "the search index of an incremental build differs from a fresh build's"


def test_annotations_kept_by_other_rules_are_not_used(tmp_path):
    """A change to the rules' code (tools/briefing) makes every annotation anew."""
    from briefing import kept

    path = tmp_path / "annotations.pickle"
    kept.save(path, {"made-of": {"id": "stale"}}, rules="old")
    assert kept.load(path, rules="old") == {"made-of": {"id": "stale"}}
    assert kept.load(path, rules="new") == {}
    assert kept.load(tmp_path / "none.pickle", rules="new") == {}
    path.write_bytes(b"not a pickle")
    assert kept.load(path, rules="old") == {}
