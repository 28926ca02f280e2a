"""Third-party clients read the built book as its users' tools do (tests/clients/package.json pins
them; `make test` installs them with `npm ci`):

- the claims register's quotes are anchored by dom-anchor-text-quote, the quote anchoring
  Hypothesis's client grew from, in jsdom: every target's top-level TextQuoteSelector must land on
  its exact words inside the paragraph its FragmentSelector names, and the FragmentSelector's
  refinedBy quote inside that paragraph (tests/clients/anchor.js);
- the Nu HTML Checker (vnu-jar, run with Java) finds no error on any page.

DAISY Ace runs on the e-book in tests/test_epub.py.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from briefing_register import UNHOSTED_BASE
from conftest import ROOT

CLIENTS = ROOT / "tests" / "clients"
MODULES = CLIENTS / "node_modules"
VNU = MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"


def require_clients() -> None:
    assert shutil.which("node"), "node is missing: install Debian's nodejs (README, .ci/run)"
    assert (MODULES / "dom-anchor-text-quote").is_dir(), \
        "the clients are not installed: `make test` installs them (npm ci in tests/clients, README)"


def anchor(register: Path, html_dir: Path, base: str = UNHOSTED_BASE) -> list[dict]:
    require_clients()
    result = subprocess.run(["node", str(CLIENTS / "anchor.js"), str(register), str(html_dir), base],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def failures(results: list[dict]) -> list[str]:
    return [f"{r['id']} → {r['fragment']}: “{r['exact']}” page: {r['page']}; refinedBy: {r['refined']}"
            for r in results if r["page"] != "ok" or r["refined"] != "ok"]


def paragraph_targets(register: dict) -> int:
    return sum(1 for item in register["first"]["items"] for target in item["target"] if "paragraph" in target)


def test_every_quote_of_the_register_anchors_in_its_paragraph(book_html):
    path = book_html / "data" / "claims-register.jsonld"
    results = anchor(path, book_html)
    assert len(results) == paragraph_targets(json.loads(path.read_text(encoding="utf-8"))) > 300
    problems = failures(results)
    assert not problems, f"{len(problems)} of {len(results)} quotes not anchored:\n" + "\n".join(problems[:20])


def test_a_quote_that_a_client_cannot_anchor_fails(book_html, tmp_path):
    """The register's former shape (the quote only in the fragment's refinedBy, the anchor on an
    empty element before the paragraph), a quote pointed at another paragraph, and a context taken
    from elsewhere on the page are each caught."""
    register = json.loads((book_html / "data" / "claims-register.jsonld").read_text(encoding="utf-8"))
    broken = copy.deepcopy(register)
    items = broken["first"]["items"]
    nested = items[0]["target"][0]
    nested["selector"] = [nested["selector"][1]]  # the fragment alone, refined by the quote
    moved = items[1]["target"][0]
    number = moved["paragraph"]
    moved["selector"][1]["value"] = moved["selector"][1]["value"].rsplit("-p", 1)[0] + f"-p{1 if number > 1 else 2}"
    elsewhere = items[2]["target"][0]["selector"][0]
    elsewhere.update(prefix="Cite this page", suffix="")
    elsewhere["exact"] = elsewhere["exact"][:-1] + "#"
    path = tmp_path / "register.jsonld"
    path.write_text(json.dumps(broken, ensure_ascii=False), encoding="utf-8")
    bad = {(r["id"], r["fragment"]): r for r in anchor(path, book_html) if r["page"] != "ok" or r["refined"] != "ok"}
    assert (items[0]["id"], nested["selector"][0]["value"]) in bad
    assert bad[items[0]["id"], nested["selector"][0]["value"]]["page"].startswith("no TextQuoteSelector")
    assert bad[items[1]["id"], moved["selector"][1]["value"]]["page"] == "outside the paragraph"
    assert bad[items[2]["id"], items[2]["target"][0]["selector"][1]["value"]]["page"] != "ok"


# --- the Nu HTML Checker ----------------------------------------------------------------------

def vnu_errors(paths: list[Path]) -> list[dict]:
    require_clients()
    assert shutil.which("java"), "Java is missing: Debian's epubcheck brings it (README, .ci/run)"
    result = subprocess.run(["java", "-jar", str(VNU), "--format", "json", "--errors-only", *map(str, paths)],
                            capture_output=True, text=True, timeout=600)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    return [m for m in messages if m.get("type") in ("error", "non-document-error")]


def test_the_nu_html_checker_finds_no_error_on_any_page(book_html):
    pages = sorted(book_html.rglob("*.html"))
    assert len(pages) > 15
    errors = vnu_errors(pages)
    assert not errors, "\n".join(f"{Path(e.get('url', '')).name}:{e.get('lastLine')}: {e['message']}" for e in errors[:20])


def test_the_nu_html_checker_reports_an_invalid_page(book_html, tmp_path):
    page = (book_html / "chapters" / "clashes.html").read_text(encoding="utf-8")
    assert "<p " in page
    broken = tmp_path / "clashes.html"
    broken.write_text(page.replace("<p ", '<p id="twice"></p><p id="twice"></p><p ', 1), encoding="utf-8")
    errors = vnu_errors([broken])
    assert any("Duplicate ID" in e["message"] for e in errors), errors
