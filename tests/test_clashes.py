"""The clashes chapter sets the two sides' accounts side by side, both shown at once: a reader
meets the Tajik account without a click (reader review L5), as the PDF prints it."""

from __future__ import annotations

from conftest import soup


def test_both_accounts_are_shown_at_once(book_html):
    page = soup(book_html / "chapters" / "clashes.html")
    assert not page.select(".sd-tab-set"), "chapters/clashes.md: an account sits behind a tab; set both side by side"
    accounts = page.select(".two-accounts .account")
    titles = [card.select_one(".rubric").get_text(" ", strip=True) for card in accounts]
    assert titles == ["The Kyrgyz account", "The Tajik account"], titles
    # Each paragraph is a block of its own, with its anchor, not one card of many paragraphs.
    assert all(len(card.select("p[id^=claim-]")) >= 3 for card in accounts)


def test_every_source_caveat_has_one_style():
    """A box that says where a passage comes from is one kind of box wherever it stands (reader
    review L6): every admonition of the chapters is a note."""
    import re

    from conftest import ROOT

    odd = []
    for path in sorted((ROOT / "chapters").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"(?m)^(`{3,}|:{3,})\{(\w+)\}[^\n]*\n((?::\w[^\n]*\n)*)", text):
            kind, options = match.group(2), match.group(3)
            if kind in ("admonition", "note", "tip", "hint", "important", "attention", "caution", "warning", "seealso") \
                    and not (kind == "admonition" and re.search(r"(?m)^:class: .*\bnote\b", options)):
                odd.append(f"{path.relative_to(ROOT)}:{text[:match.start()].count(chr(10)) + 1}: {{{kind}}}")
    assert not odd, f"write each as an admonition with ':class: note': {odd}"
