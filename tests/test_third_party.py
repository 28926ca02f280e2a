"""No page of the built book loads anything from another host: no script, stylesheet, font,
icon, image, frame or media element, and no CSS @import or url(), in the pages or in _static.

Links a reader follows (<a href> to the outlets) are fine; so is metadata that loads nothing
(canonical links, Open Graph tags). A URL counts as third-party when it is absolute (http:,
https:) or protocol-relative (//host) and its host is not the book's own (html_baseurl's).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

# Attributes that make the browser fetch, per element.
FETCHING = {
    "script": ("src",), "img": ("src", "srcset"), "iframe": ("src",), "frame": ("src",),
    "source": ("src", "srcset"), "video": ("src", "poster"), "audio": ("src",), "track": ("src",),
    "embed": ("src",), "object": ("data",), "input": ("src",), "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
}
# <link rel=...> values that fetch; canonical, alternate and the like only name an address.
FETCHING_RELS = {"stylesheet", "preload", "modulepreload", "prefetch", "prerender", "icon",
                 "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon", "manifest",
                 "preconnect", "dns-prefetch"}
CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""", re.IGNORECASE)


def third_party(url: str, own_hosts: frozenset[str]) -> bool:
    url = url.strip()
    if not (url.startswith("//") or re.match(r"(?i)https?:", url)):
        return False
    return (urlsplit(url if "://" in url else "http:" + url).hostname or "") not in own_hosts


def _srcset_urls(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def css_problems(css: str, where: str, first_line: int, own_hosts: frozenset[str]) -> list[str]:
    problems = []
    for match in CSS_URL.finditer(css):
        url = match.group(2) or match.group(4)
        if third_party(url, own_hosts):
            line = first_line + css.count("\n", 0, match.start())
            problems.append(f"{where}:{line}: CSS loads {url}")
    return problems


class _PageScanner(HTMLParser):
    def __init__(self, where: str, own_hosts: frozenset[str]):
        super().__init__(convert_charrefs=True)
        self.where, self.own_hosts, self.problems = where, own_hosts, []
        self._style_line = None

    def _flag(self, what: str, url: str) -> None:
        if third_party(url, self.own_hosts):
            self.problems.append(f"{self.where}:{self.getpos()[0]}: {what} loads {url}")

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in FETCHING.get(tag, ()):
            value = attrs.get(name)
            if value:
                for url in (_srcset_urls(value) if name == "srcset" else [value]):
                    self._flag(f"<{tag} {name}>", url)
        if tag == "link" and attrs.get("href"):
            rels = set((attrs.get("rel") or "").lower().split())
            if rels & FETCHING_RELS:
                self._flag(f"<link rel=\"{attrs.get('rel')}\">", attrs["href"])
        if attrs.get("style"):
            self.problems += css_problems(attrs["style"], self.where, self.getpos()[0], self.own_hosts)
        if tag == "style":
            self._style_line = self.getpos()[0]

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "style":
            self._style_line = None

    def handle_data(self, data):
        if self._style_line is not None:
            self.problems += css_problems(data, self.where, self.getpos()[0], self.own_hosts)


def scan_site(html_dir: Path, own_hosts: frozenset[str] = frozenset()) -> list[str]:
    """Every third-party load in the built site, as 'file:line: what loads URL'."""
    problems = []
    for page in sorted(html_dir.rglob("*.html")):
        scanner = _PageScanner(str(page.relative_to(html_dir)), own_hosts)
        scanner.feed(page.read_text(encoding="utf-8"))
        scanner.close()
        problems += scanner.problems
    for sheet in sorted((html_dir / "_static").rglob("*.css")) if (html_dir / "_static").is_dir() else []:
        problems += css_problems(sheet.read_text(encoding="utf-8", errors="replace"),
                                 str(sheet.relative_to(html_dir)), 1, own_hosts)
    return problems


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
