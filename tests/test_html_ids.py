"""Anchors do not disappear: every id of data/html-ids-baseline.json is still in the built book
(tools/check_html_ids.py), and a removed id is reported with its page."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT

TOOL = ROOT / "tools" / "check_html_ids.py"
BASELINE = ROOT / "data" / "html-ids-baseline.json"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(TOOL), *args], capture_output=True, text=True)


def test_no_anchor_disappeared(book_html):
    result = run("check", str(book_html))
    assert result.returncode == 0, (
        "anchors disappeared from the book:\n" + result.stderr +
        "\nIf the change is intended, regenerate the baseline: "
        "python tools/check_html_ids.py collect _build/html")


def test_baseline_covers_chapters_and_sources():
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    assert "index.html" in baseline
    assert any(page.startswith("chapters/") for page in baseline)
    assert any(page.startswith("sources/") for page in baseline)
    for page, ids in baseline.items():
        assert ids == sorted(ids), f"{page}: ids not sorted"


PAGE = """<html><body><nav id="theme-nav"></nav>
<article role="main"><section id="kept"><h1>T</h1><p id="id3">numbered</p>
<p id="claim-0a1b2c3">claim</p><section id="{second}"><br><img src="x.png" id="pic"></section></section></article>
<footer id="theme-footer"></footer></body></html>"""


def write_book(directory, second: str):
    (directory / "chapters").mkdir(parents=True)
    (directory / "index.html").write_text(PAGE.format(second="front"), encoding="utf-8")
    (directory / "chapters" / "one.html").write_text(PAGE.format(second=second), encoding="utf-8")


def test_collect_keeps_only_stable_ids_of_the_content(tmp_path):
    write_book(tmp_path / "html", "key-figures")
    baseline = tmp_path / "ids.json"
    assert run("collect", str(tmp_path / "html"), "--baseline", str(baseline)).returncode == 0
    assert json.loads(baseline.read_text(encoding="utf-8")) == {
        "chapters/one.html": ["claim-0a1b2c3", "kept", "key-figures", "pic"],
        "index.html": ["claim-0a1b2c3", "front", "kept", "pic"],
    }


def test_a_removed_anchor_fails_naming_page_and_id(tmp_path):
    write_book(tmp_path / "before", "key-figures")
    write_book(tmp_path / "after", "figures-at-a-glance")  # the heading was renamed
    baseline = tmp_path / "ids.json"
    run("collect", str(tmp_path / "before"), "--baseline", str(baseline))
    result = run("check", str(tmp_path / "after"), "--baseline", str(baseline))
    assert result.returncode == 1
    assert "chapters/one.html: id 'key-figures' disappeared" in result.stderr
    assert "index.html" not in result.stderr  # new ids elsewhere are fine; nothing else is reported


def test_a_reworded_claim_fails_naming_its_anchor(tmp_path):
    write_book(tmp_path / "html", "key-figures")
    baseline = tmp_path / "ids.json"
    run("collect", str(tmp_path / "html"), "--baseline", str(baseline))
    page = tmp_path / "html" / "chapters" / "one.html"
    page.write_text(page.read_text(encoding="utf-8").replace("claim-0a1b2c3", "claim-9f8e7d6"), encoding="utf-8")
    result = run("check", str(tmp_path / "html"), "--baseline", str(baseline))
    assert result.returncode == 1
    assert "chapters/one.html: claim anchor 'claim-0a1b2c3' disappeared" in result.stderr


def test_a_removed_page_fails(tmp_path):
    write_book(tmp_path / "before", "key-figures")
    baseline = tmp_path / "ids.json"
    run("collect", str(tmp_path / "before"), "--baseline", str(baseline))
    (tmp_path / "before" / "chapters" / "one.html").unlink()
    result = run("check", str(tmp_path / "before"), "--baseline", str(baseline))
    assert result.returncode == 1
    assert "chapters/one.html: the page is gone" in result.stderr


def test_claim_anchors_are_unique_across_the_book(book_html):
    """The PDF is one document: a claim anchor used on two pages is one label there, and a link
    to the other block is undefined. (Each source page's note on its text opens alike.)"""
    from check_html_ids import collect

    pages_of: dict[str, list[str]] = {}
    for page, ids in collect(book_html).items():
        for anchor in ids:
            if anchor.startswith("claim-"):
                pages_of.setdefault(anchor, []).append(page)
    assert not {anchor: pages for anchor, pages in pages_of.items() if len(pages) > 1}
