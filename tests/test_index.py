"""The book's indexes as readers use them: the general index files people under their surnames,
as analysts look them up, and the front page lists its chapters once."""

from __future__ import annotations

import re

from conftest import ROOT, soup


def people() -> list[str]:
    """The glossary's people, as their terms are written (``Given Surname : S``)."""
    text = (ROOT / "chapters" / "glossary.md").read_text(encoding="utf-8")
    section = text.split("## People", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"(?m)^([^\s:`][^:\n]*?)(?: : \w)?$", section.split(":::{glossary}", 1)[1].split(":::", 1)[0])


def test_each_person_is_indexed_under_the_surname(book_html):
    index = soup(book_html / "genindex.html")
    letter_of = {link.get_text(): section.get("id") for section in index.select("section.genindex-section")
                 for link in section.select("a")}
    names = people()
    assert len(names) >= 10, names
    wrong = [f"{name} under {letter_of.get(name)}" for name in names if letter_of.get(name) != name.split()[-1][0]]
    assert not wrong, f"chapters/glossary.md: index them by surname (write 'Given Surname : S'): {wrong}"


def test_the_front_page_lists_its_chapters_once(book_html):
    """The chapter map names every chapter; the table of contents is not printed again under it
    (reader review M10): the front page's toctrees are hidden, and the sidebar keeps them."""
    page = soup(book_html / "index.html")
    body = page.select_one("article") or page
    assert not body.select(".toctree-wrapper li"), "index.md: a toctree prints the chapters again; make it :hidden:"
    assert len(page.select(".sidebar-tree a.reference.internal")) >= 10
