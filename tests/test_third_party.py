"""No page of the built book loads anything from another host (the rule is
briefing.htmllinks's, run at every HTML build by briefing_links): no script, stylesheet, font,
icon, image, frame or media element, and no CSS @import or url(), in the pages or in _static.

Links a reader follows (<a href> to the outlets) are fine; so is metadata that loads nothing
(canonical links, Open Graph tags). A URL counts as third-party when it is absolute (http:,
https:) or protocol-relative (//host) and its host is not the book's own (html_baseurl's).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.htmllinks import third_party, third_party_loads
from conftest import warnings_of


def scan_site(html_dir: Path, own_hosts: frozenset[str] = frozenset()) -> list[str]:
    """Every third-party load in the built site, as 'file:line: what loads URL' (the build warns
    of each, briefing_links; this reads a site on its own)."""
    return [f"{problem.location}: {problem.message}" for problem in third_party_loads(html_dir, own_hosts)]


def test_the_book_loads_nothing_from_other_hosts(book_html):
    assert list(book_html.rglob("*.html")), "no pages built"
    problems = scan_site(book_html)
    assert not problems, "third-party resources:\n" + "\n".join(problems)


def test_a_third_party_load_is_named_with_page_and_line(tmp_path):
    (tmp_path / "chapters").mkdir()
    (tmp_path / "_static").mkdir()
    (tmp_path / "chapters" / "page.html").write_text(
        "<html><head>\n"
        '<link rel="canonical" href="https://book.example/chapters/page.html">\n'
        '<script src="https://cdn.example.com/tracker.js"></script>\n'
        '<link rel="stylesheet" href="//fonts.example.net/css">\n'
        '</head><body>\n<a href="https://interfax.com/newsroom/">an outlet</a>\n'
        '<img src="../_static/local.png" alt="">\n'
        '<div style="background: url(\'https://img.example.org/bg.png\')"></div>\n'
        "<style>\n.x { color: red; }\n@import 'https://css.example.org/a.css';\n</style>\n"
        '<iframe src="https://video.example.com/embed/1"></iframe>\n'
        '<img srcset="small.png 1x, https://img.example.org/big.png 2x" alt="">\n'
        "</body></html>\n", encoding="utf-8")
    (tmp_path / "_static" / "site.css").write_text(
        "body { margin: 0; }\n@font-face { src: url(https://fonts.example.net/f.woff2); }\n",
        encoding="utf-8")
    problems = scan_site(tmp_path, frozenset({"book.example"}))
    assert problems == [
        "chapters/page.html:3: <script src> loads https://cdn.example.com/tracker.js",
        'chapters/page.html:4: <link rel="stylesheet"> loads //fonts.example.net/css',
        "chapters/page.html:8: CSS loads https://img.example.org/bg.png",
        "chapters/page.html:11: CSS loads https://css.example.org/a.css",
        "chapters/page.html:13: <iframe src> loads https://video.example.com/embed/1",
        "chapters/page.html:14: <img srcset> loads https://img.example.org/big.png",
        "_static/site.css:2: CSS loads https://fonts.example.net/f.woff2",
    ]


@pytest.mark.parametrize("url, third", [
    ("https://cdn.example.com/x.js", True), ("//cdn.example.com/x.js", True),
    ("HTTP://cdn.example.com/x.js", True), ("https://book.example/_static/x.js", False),
    ("_static/x.js", False), ("../_static/x.js", False), ("data:image/png;base64,AAAA", False),
    ("#svg-sun", False),
])
def test_what_counts_as_third_party(url, third):
    assert third_party(url, frozenset({"book.example"})) is third


def test_the_build_warns_of_a_third_party_load_at_its_page_and_line(overlay):
    script = '<script src="https://cdn.example.com/tracker.js"></script>'
    app = overlay("links-clean", {"page.md": ("# The other page", f"{script}\n\n# The other page")})
    html = (app.outdir / "page.html").read_text(encoding="utf-8")
    line = html[:html.index("https://cdn.example.com/tracker.js")].count("\n") + 1
    found = warnings_of(app)
    assert found == [
        f"page.html:{line}: WARNING: <script src> loads https://cdn.example.com/tracker.js (page built "
        "from page.md): serve it from the book's own _static folder, or leave it out: no page loads "
        "anything from another host [briefing.links]"], found
