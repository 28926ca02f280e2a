"""The claims register: valid against its schema (data/claims-register.schema.json) and against
the MUSTs of the W3C Web Annotation Data Model (tests/schemas/web-annotation-model-musts.schema.json);
every cited block of the built HTML is in it and nothing else; every selector points at an anchor of
the archived source page and quotes words that are in that archived paragraph; the CSV holds the
same claims; "How to cite" and every source page link to it. That clients anchor every quote in
its paragraph is tested in tests/test_clients.py.
"""

from __future__ import annotations

import copy
import csv
import functools
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from briefing.archive import load_registry
from briefing.evidence import SourceIndex, extract
from briefing.register import quote_selector
from briefing_register import UNHOSTED_BASE
from conftest import ROOT, soup

SCHEMA = json.loads((ROOT / "data" / "claims-register.schema.json").read_text(encoding="utf-8"))
W3C_MUSTS = json.loads((ROOT / "tests" / "schemas" / "web-annotation-model-musts.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def register(book_html) -> dict:
    return json.loads((book_html / "data" / "claims-register.jsonld").read_text(encoding="utf-8"))


@functools.cache
def ids_of(path: Path) -> frozenset[str]:
    return frozenset(element["id"] for element in soup(path).find_all(id=True))


def html_claims(html_dir: Path) -> set[str]:
    """Every claim-… address of the built pages, as the register of a local build writes it."""
    found = set()
    for path in html_dir.rglob("*.html"):
        page = path.relative_to(html_dir).as_posix()
        for anchor in ids_of(path):
            if anchor.startswith("claim-"):
                found.add(UNHOSTED_BASE + page + "#" + anchor)
    return found


def coverage_problems(register: dict, html_dir: Path) -> list[str]:
    listed = {a["id"] for a in register["first"]["items"]}
    built = html_claims(html_dir)
    return ([f"cited block not in the register: {a}" for a in sorted(built - listed)] +
            [f"register names no block of the book: {a}" for a in sorted(listed - built)])


def selectors(target: dict) -> tuple[dict | None, dict]:
    """A target's TextQuoteSelector (None for the publication facts) and its FragmentSelector."""
    found = {selector["type"]: selector for selector in target["selector"]}
    return found.get("TextQuoteSelector"), found["FragmentSelector"]


def selector_problems(register: dict, html_dir: Path) -> list[str]:
    sources = load_registry(ROOT)
    problems = []
    for item in register["first"]["items"]:
        for target in item["target"]:
            source = sources[target["sourceKey"]]
            quote, fragment = selectors(target)
            page = html_dir / target["source"].removeprefix(UNHOSTED_BASE)
            if fragment["value"] not in ids_of(page.resolve()):
                problems.append(f"{item['id']}: no anchor {fragment['value']} on {target['source']}")
            if quote is None:
                continue
            paragraph = source.paragraphs()[target["paragraph"] - 1]
            refined = fragment.get("refinedBy", {})
            if quote["exact"] not in paragraph or refined.get("exact") != quote["exact"]:
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


def w3c_errors(register: dict) -> list[str]:
    """Each failed rule, down to the innermost ("first" is an IRI or a page: a defect in the page
    fails both branches, and the page's says which rule)."""
    def leaves(error):
        if not error.context:
            yield error
        for inner in error.context:
            yield from leaves(inner)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message[:120]}"
            for top in Draft202012Validator(W3C_MUSTS).iter_errors(register) for e in leaves(top)]


def test_register_keeps_the_musts_of_the_web_annotation_model(register):
    Draft202012Validator.check_schema(W3C_MUSTS)
    assert w3c_errors(register) == []
    # Every annotation on its own (as a store would take it in), with the collection's context.
    for item in register["first"]["items"]:
        alone = dict(item, **{"@context": register["@context"]})
        assert not list(Draft202012Validator(W3C_MUSTS["$defs"]["annotation"] | {"$defs": W3C_MUSTS["$defs"]})
                        .iter_errors(alone)), item["id"]
    # The body is not the annotation: it has no id, or one of its own.
    assert all(item["body"].get("id", "") != item["id"] for item in register["first"]["items"])


@pytest.mark.parametrize("defect, expected", [
    (lambda r: r["first"]["items"][0].update(target=[]), "target"),
    (lambda r: r["first"]["items"][0].update(id="../chapters/clashes.html#claim-x"), "id"),
    (lambda r: r["first"].pop("id"), "'id' is a required property"),
    (lambda r: r["first"]["items"][1]["target"][0]["selector"][0].pop("exact"), "exact"),
    (lambda r: r["first"]["items"][2]["target"][0].pop("source"), "source"),
    (lambda r: r.update({"@context": ["http://example.org/other.jsonld"]}), "@context"),
])
def test_the_web_annotation_musts_catch_each_defect(register, defect, expected):
    broken = copy.deepcopy(register)
    defect(broken)
    errors = w3c_errors(broken)
    assert errors and any(expected in error for error in errors), errors


def test_every_cited_block_is_in_the_register(register, book_html):
    assert not coverage_problems(register, book_html)


def test_a_missing_block_fails(register, book_html):
    shortened = copy.deepcopy(register)
    dropped = shortened["first"]["items"].pop()
    assert coverage_problems(shortened, book_html) == [f"cited block not in the register: {dropped['id']}"]


def test_every_quotation_is_in_its_archived_passage(register, book_html):
    assert not selector_problems(register, book_html)
    assert all(selectors(t)[0] for a in register["first"]["items"] for t in a["target"] if "paragraph" in t)


def test_a_selector_not_in_its_passage_fails(register, book_html):
    tampered = copy.deepcopy(register)
    target = next(t for a in tampered["first"]["items"] for t in a["target"] if "paragraph" in t)
    quote, fragment = selectors(target)
    quote["exact"] += " (not in the source)"
    fragment["value"] = "no-such-anchor"
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
                       "CSTO was not being considered {cite:p}`interfax2022withdrawal{¶3–4}`.\n\nThe Kyrgyz Emergency "
                       "Situations Ministry said that 364 residential houses were destroyed, Interfax reported "
                       "{cite:p}`interfax2022withdrawal{¶10}`.\n", encoding="utf-8")
    result = sphinx_build(book, "html", out, "-d", str(doctrees))
    assert result.returncode == 0, result.stderr
    assert register.stat().st_mtime_ns != first
    # The new block's own entry (the source's ¶3, which other blocks pinpoint, also says "Marat
    # Imankulov told Interfax"), with the edit's words, resting on the paragraphs it pinpoints.
    added = [item for item in json.loads(register.read_text(encoding="utf-8"))["first"]["items"]
             if item["body"]["value"].startswith("Marat Imankulov told Interfax that leaving the CSTO")]
    assert len(added) == 1 and "not being considered" in added[0]["body"]["value"], added
    assert [target["paragraph"] for target in added[0]["target"]] == [3, 4], added
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
