"""The clashes chapter sets the two sides' accounts side by side, both shown at once: a reader
meets the Tajik account without a click (reader review L5), as the PDF prints it."""

from __future__ import annotations

from conftest import soup


def test_both_accounts_are_shown_at_once(book_html):
    page = soup(book_html / "chapters" / "clashes.html")
    assert not page.select(".sd-tab-set"), "chapters/clashes.md: an account sits behind a tab; set both side by side"
    accounts = page.select(".two-accounts .sd-card")
    titles = [card.select_one(".sd-card-title").get_text(" ", strip=True) for card in accounts]
    assert titles == ["The Kyrgyz account", "The Tajik account"], titles
    assert all(card.select("p .pinpoint") or card.select("a.pinpoint") for card in accounts)
