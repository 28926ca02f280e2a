"""The HTML book's search finds its figures and keeps its glossary; the 404 page; the sitemap.

Sphinx's search never indexes numbers (its indexer drops them and its query parser skips them);
briefing_search adds every printed number as an index entry pointing at the block that prints it.
Sphinx also drops the glossary's entries from the index whenever a rebuild does not rewrite the
glossary page.
"""

from __future__ import annotations

import os
import re

import pytest

from conftest import ROOT, copy_book, search_index, soup, sphinx_build


def index_results(index: dict, query: str) -> list[tuple[str, str]]:
    """What searchtools.js lists from the index-entry table for ``query`` (its own test, in
    Python: the entry contains the query and the query is at least half the entry)."""
    q = query.lower().strip()
    return [(index["filenames"][file], anchor) for entry, found in index["indexentries"].items()
            if q in entry and len(q) >= len(entry) / 2 for file, anchor, _main in found]


def block_text(page, anchor: str) -> str:
    """The text of the element with this id, read with BeautifulSoup (not with the code under
    test's own reader); for a target span, of the block it opens."""
    element = soup(page).find(id=anchor)
    if element is None:
        return ""
    if element.name == "span" and "target" in (element.get("class") or []):
        element = element.parent
    return element.get_text()


@pytest.mark.parametrize("figure", ["142,000", "59"])
def test_search_finds_figures_and_leads_to_the_blocks_that_give_them(book_html, figure):
    index = search_index(book_html)
    results = index_results(index, figure)
    assert len(results) >= 3, f"a search for {figure} finds {results}"
    for filename, anchor in results:
        page = (book_html / filename).with_suffix(".html")
        assert anchor, f"a result for {figure} leads to the top of {page.name}, not to a block"
        text = block_text(page, anchor)
        assert re.search(rf"(?<![\d,]){re.escape(figure)}(?![\d]|,\d)", text), \
            f"{page.name}#{anchor} does not give {figure}: {text[:200]!r}"
    # and the chapter on the human cost is among them
    assert any(f.startswith("chapters/human-cost") for f, _ in results)


def test_glossary_terms_are_in_the_index(book_html):
    entries = search_index(book_html)["indexentries"]
    assert "batken region" in entries and "24.kg" in entries, sorted(entries)[:20]


def test_rebuild_keeps_the_search_index_whole_and_identical(tmp_path):
    """A rebuild that rewrites few pages left Sphinx's index without the glossary's entries."""
    book = copy_book(tmp_path / "book")
    out, doctrees = tmp_path / "html", tmp_path / "doctrees"
    first = sphinx_build(book, "html", out, "-d", str(doctrees))
    assert first.returncode == 0, first.stderr
    before = (out / "searchindex.js").read_bytes()
    second = sphinx_build(book, "html", out, "-d", str(doctrees))
    assert second.returncode == 0, second.stderr
    assert (out / "searchindex.js").read_bytes() == before, "a rebuild changed the search index"
    assert "batken region" in search_index(out)["indexentries"]


def test_sitemap_lists_no_search_index_or_404_page_and_the_404_page_links_absolute(tmp_path):
    base = "https://example.org/briefing/"
    env = dict(os.environ, BRIEFING_BASEURL=base)
    out = tmp_path / "html"
    result = sphinx_build(ROOT, "html", out, "-d", str(tmp_path / "doctrees"), env=env)
    assert result.returncode == 0, result.stderr
    sitemap = (out / "sitemap.xml").read_text(encoding="utf-8")
    urls = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert f"{base}index.html" in urls and f"{base}chapters/human-cost.html" in urls, urls
    for page in ("search.html", "genindex.html", "404.html"):
        assert f"{base}{page}" not in urls, f"the sitemap lists {page}"

    # The 404 page: shown at any depth, so its links are absolute; it loads nothing.
    page = (out / "404.html").read_text(encoding="utf-8")
    assert "Page not found" in page
    assert "<script" not in page and "<link" not in page and "src=" not in page, "the 404 page loads files"
    links = re.findall(r'href="([^"]+)"', page)
    assert links and all(link.startswith(base) for link in links), links
    for link in links:
        assert (out / link[len(base):]).is_file(), f"the 404 page links {link}, which is not in the book"


def test_no_404_page_without_the_books_address(book_html):
    """Relative links on a 404 page break below the root: without a base URL there is none."""
    assert not (book_html / "404.html").exists()


@pytest.mark.slow
@pytest.mark.parametrize("figure", ["142,000", "59"])
def test_search_page_lists_the_blocks_in_a_browser(book_html, figure):
    """Sphinx's own search page, in Chromium: the figure's results open at the blocks."""
    import functools
    import http.server
    import threading
    from pathlib import Path
    from urllib.parse import quote

    from browser import CHROMIUM, launch
    from playwright import sync_api

    assert Path(CHROMIUM).exists(), f"{CHROMIUM} is missing: apt-get install chromium (see README)"

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(book_html)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_api.sync_playwright() as playwright:
            chromium = launch(playwright)
            page = chromium.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/search.html?q={quote(figure)}")
            page.wait_for_function("document.querySelectorAll('#search-results ul.search li').length > 0",
                                   timeout=20000)
            hrefs = page.eval_on_selector_all("#search-results ul.search li a", "els => els.map(e => e.getAttribute('href'))")
            chromium.close()
    finally:
        server.shutdown()
        server.server_close()
    anchored = [h for h in hrefs if "#claim-" in h or re.search(r"#\w+-p\d+$", h)]
    assert anchored, f"no result for {figure} opens at a block: {hrefs}"
    assert any("human-cost" in h for h in anchored), hrefs
