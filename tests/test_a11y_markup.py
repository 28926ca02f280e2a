"""The markup fixes of briefing_a11y, checked on a small book without a browser (the browser
test, tests/test_accessibility.py, runs axe-core over the real book)."""

from __future__ import annotations

import re
from collections import Counter

import pytest


@pytest.mark.sphinx("html", testroot="charts", srcdir="charts-a11y", freshenv=True)
def test_markup_fixes(app):
    app.build()
    index = (app.outdir / "index.html").read_text(encoding="utf-8")
    # A toctree caption is a heading with a level.
    headings = re.findall(r'<[^>]*role="heading"[^>]*>', index)
    assert len(headings) == 2, headings  # the page's toctree and the theme's navigation
    assert all('aria-level="2"' in tag for tag in headings), headings
    # The citation list holds list items, not the deprecated doc-biblioentry.
    bibliography = (app.outdir / "chapters" / "bibliography.html").read_text(encoding="utf-8")
    assert '<div role="list" class="citation-list">' in bibliography
    assert bibliography.count('role="listitem"') == 2 and "doc-biblioentry" not in bibliography
    # The two sidebars are named landmarks; the search page has a level-one heading.
    assert '<aside class="sidebar-drawer" aria-label="Site navigation">' in index
    assert re.search(r'<aside class="toc-drawer[^"]*" aria-label="On this page">', index)
    assert "<h1>Search</h1>" in (app.outdir / "search.html").read_text(encoding="utf-8")


@pytest.mark.sphinx("html", testroot="charts", srcdir="charts-a11y-ids", freshenv=True)
def test_ids_are_unique(app):
    app.build()
    for page in app.outdir.rglob("*.html"):
        ids = Counter(re.findall(r'\sid="([^"]+)"', page.read_text(encoding="utf-8")))
        repeated = [i for i, n in ids.items() if n > 1]
        assert not repeated, f"{page.name}: ids used more than once: {repeated}"
