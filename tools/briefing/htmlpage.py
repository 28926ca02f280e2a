"""A built HTML page, read once: what the checks of the built book need of it, each thing with
the line of its tag.

- ``ids``: every ``id`` (and ``<a name>``), the anchors a link may name;
- ``main_ids``: the ids inside ``<article role="main">``, the book's own content (the anchor
  baseline, tools/check_html_ids.py, keeps these);
- ``refs``: every URL-valued attribute (links, scripts, sources, icons) but an image's ``src``;
- ``images``: each ``<img>`` with its ``src`` and ``alt``;
- ``loads``: every resource the browser fetches by itself (scripts, stylesheets, icons, images,
  frames, media, CSS ``url()`` and ``@import``), for the no-third-party-loads rule;
- ``numbers``: each number printed in the text of the main content (``role="main"``, or the whole
  page if it has none), outside links, navigation and passage links, with the id of its block
  (the innermost block element with an id, or the anchor that opens it), for the search.

Used by the link check (briefing.htmllinks), the anchor baseline, the third-party rule and the
search's figures (briefing_search). The page is read by the standard library's html.parser.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

# Attributes whose value is a URL, by element. ``use`` covers inline SVG sprites (the theme's icons).
URL_ATTRS = {
    "a": ("href",), "area": ("href",), "link": ("href",), "script": ("src",),
    "iframe": ("src",), "embed": ("src",), "object": ("data",), "form": ("action",),
    "img": ("src", "srcset"), "source": ("src", "srcset"), "video": ("src", "poster"),
    "audio": ("src",), "track": ("src",), "use": ("href", "xlink:href"),
}
# Attributes that make the browser fetch, by element (a link a reader follows fetches nothing).
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
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# A number as the search indexes it: "142,000", "59", "3.5" (not inside a word or a longer figure).
NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w,]\d)|(?<![\w.,])\d+(?:\.\d+)?(?!\w)")
# Elements a number's block may be (the innermost with an id), and those whose text is not content.
BLOCKS = {"p", "li", "tr", "dd", "dt", "figcaption", "caption", "figure", "blockquote", "section",
          "h1", "h2", "h3", "h4", "h5", "h6", "table", "div", "aside", "td", "th"}
NOT_CONTENT = {"a", "script", "style", "nav", "header", "footer"}


@dataclass(frozen=True)
class Ref:
    """A URL-valued attribute of one tag."""

    tag: str
    attr: str
    url: str
    line: int


@dataclass(frozen=True)
class Image:
    src: str | None
    alt: str | None
    line: int


@dataclass(frozen=True)
class Load:
    """A resource the browser fetches: what asks for it ("<script src>", "CSS"), and its URL."""

    what: str
    url: str
    line: int


@dataclass
class Page:
    """What the checks need of one HTML file."""

    ids: set[str] = field(default_factory=set)
    main_ids: set[str] = field(default_factory=set)
    refs: list[Ref] = field(default_factory=list)
    images: list[Image] = field(default_factory=list)
    loads: list[Load] = field(default_factory=list)
    numbers: list[tuple[str, str]] = field(default_factory=list)  #: (as printed, id of its block)


def srcset_urls(value: str) -> list[str]:
    """The URLs of a ``srcset`` ("a.png 1x, b.png 2x")."""
    return [part.split()[0] for part in value.split(",") if part.split()]


def css_loads(css: str, first_line: int = 1) -> list[Load]:
    """The URLs a style sheet (or a style attribute) fetches, with their lines."""
    return [Load("CSS", match.group(2) or match.group(4), first_line + css.count("\n", 0, match.start()))
            for match in CSS_URL.finditer(css)]


def third_party(url: str, own_hosts: frozenset[str]) -> bool:
    """Whether ``url`` is absolute (http:, https:) or protocol-relative (//host) on a host that is
    not the book's own."""
    url = url.strip()
    if not (url.startswith("//") or re.match(r"(?i)https?:", url)):
        return False
    return (urlsplit(url if "://" in url else "http:" + url).hostname or "") not in own_hosts


# The tags whose attributes may add a ref, an image, an anchor name or a load (besides id and style).
_LINKING = set(URL_ATTRS) | set(FETCHING) | {"a", "img", "link"}


class _Reader(HTMLParser):
    """What a page's tags and text add to its model, as html.parser reads them: ``start`` (a
    start tag, with its attributes as a dict, the last of a repeated name winning), ``empty`` (a
    self-closing tag: ``<use .../>``), ``end`` and ``text``."""

    def __init__(self, whole_page_is_main: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._main_depth = 0  # open elements inside the main article; 0 when outside it
        self._in_style = False
        # Each open element as [tag, block id, not content, role="main", the id of the innermost
        # block with one, this element included]: the block of a number is the last's.
        self._open: list[list] = []
        self._in_main = whole_page_is_main
        self._not_content = 0  # open elements whose text is not content

    def line(self) -> int:
        return self.getpos()[0]

    def handle_starttag(self, tag, attrs):
        self.start(tag, dict(attrs))

    def handle_startendtag(self, tag, attrs):
        self.empty(tag, dict(attrs))

    def handle_endtag(self, tag):
        self.end(tag)

    def handle_data(self, data):
        self.text(data)

    def start(self, tag: str, values: dict) -> None:
        if tag in VOID:
            self.empty(tag, values)
            return
        stack = self._open
        if values:
            self._attributes(tag, values)
            classes, main = values.get("class") or "", values.get("role") == "main"
            own = values.get("id") if tag in BLOCKS else None
            if tag == "span" and "target" in classes and values.get("id") and "target" in classes.split():
                self._anchor_opens_block(values["id"])
            not_content = tag in NOT_CONTENT
        else:
            main, own, not_content = False, None, tag in NOT_CONTENT
        if self._main_depth:
            self._main_depth += 1
        elif main and tag == "article":
            self._main_depth = 1
        if tag == "style":
            self._in_style = True
        stack.append([tag, own, not_content, main, own or (stack[-1][4] if stack else None)])
        if not_content:
            self._not_content += 1
        if main:
            self._in_main = True

    def _anchor_opens_block(self, anchor: str) -> None:
        """An anchor (``<span class="target" id>``) names the innermost open block if it has no id
        of its own: an archived passage's ¶N."""
        stack = self._open
        for index in range(len(stack) - 1, -1, -1):
            if stack[index][0] in BLOCKS:
                if not stack[index][1]:
                    stack[index][1] = anchor
                    for inner in range(index, len(stack)):  # the block and what it holds
                        stack[inner][4] = stack[inner][1] or (stack[inner - 1][4] if inner else None)
                return

    def empty(self, tag: str, values: dict) -> None:
        if values:
            self._attributes(tag, values)
        elif tag == "img":
            self.page.images.append(Image(None, None, self.line()))

    def end(self, tag: str) -> None:
        if tag in VOID:
            return
        if self._main_depth:
            self._main_depth -= 1
        if tag == "style":
            self._in_style = False
        stack = self._open
        while stack:  # closes what the page left open inside it, as a browser does
            name, _, not_content, main, _ = stack.pop()
            if not_content:
                self._not_content -= 1
            if main:
                self._in_main = False
            if name == tag:
                break

    def text(self, data: str) -> None:
        if self._in_style:
            self.page.loads += css_loads(data, self.line())
        if self._in_main and not self._not_content and self._open:
            block = self._open[-1][4]
            if block is not None:
                found = NUMBER.findall(data)
                if found:
                    self.page.numbers.extend((number, block) for number in found)

    def _attributes(self, tag: str, values: dict) -> None:
        page = self.page
        anchor = values.get("id")
        if anchor:
            page.ids.add(anchor)
            if self._main_depth:
                page.main_ids.add(anchor)
        if tag in _LINKING:
            self._links(tag, values)
        if values.get("style"):
            page.loads += css_loads(values["style"], self.line())

    def _links(self, tag: str, values: dict) -> None:
        page, line = self.page, self.line()
        if tag == "a" and values.get("name"):
            page.ids.add(values["name"])
        if tag == "img":
            page.images.append(Image(values.get("src"), values.get("alt"), line))
        for attr in URL_ATTRS.get(tag, ()):
            value = values.get(attr)
            if value is None or (tag == "img" and attr == "src"):
                continue
            urls = srcset_urls(value) if attr == "srcset" else [value]
            page.refs.extend(Ref(tag, attr, url, line) for url in urls)
        for attr in FETCHING.get(tag, ()):
            if values.get(attr):
                urls = srcset_urls(values[attr]) if attr == "srcset" else [values[attr]]
                page.loads.extend(Load(f"<{tag} {attr}>", url, line) for url in urls)
        if tag == "link" and values.get("href") and \
                set((values.get("rel") or "").lower().split()) & FETCHING_RELS:
            page.loads.append(Load(f"<link rel=\"{values.get('rel')}\">", values["href"], line))


_PARSED: dict[str, Page] = {}  # sha256 of a page's text -> the page as parsed, in this process
_PARSED_MOST = 4096


def parse_page(text: str) -> Page:
    """The page's model. The same text is parsed once per process, known by its digest: the link
    check and the search read the pages a build wrote one after the other, and html.parser takes
    about 50 ms a page. Callers do not change the model."""
    return _parse(text, hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())


def read_page(path: Path, known_digest: str | None = None) -> tuple[str, Page | None]:
    """A built page's digest, and its model (parse_page's), or None if its bytes are those
    ``known_digest`` names: the caller kept what it needs of them."""
    content = path.read_bytes()
    digest = hashlib.sha256(content).hexdigest()
    if digest == known_digest:
        return digest, None
    # The digest of valid UTF-8 bytes is that of their text: parse_page's key for the same page.
    return digest, _parse(content.decode("utf-8", errors="replace"), digest)


def _parse(text: str, digest: str) -> Page:
    page = _PARSED.get(digest)
    if page is None:
        reader = _Reader(whole_page_is_main='role="main"' not in text)
        reader.feed(text)
        reader.close()
        page = reader.page
        if len(_PARSED) >= _PARSED_MOST:
            _PARSED.clear()
        _PARSED[digest] = page
    return page
