"""briefing.htmlpage reads a page with one pattern of its own, and must read it exactly as the
standard library's html.parser does: the same ids, refs, images, loads and numbers, at the same
lines. ``ReferenceReader`` below is the html.parser reading the module made before it had its
own tokenizer; every page of the built book, and each awkward form a browser accepts, is read
both ways here."""

from __future__ import annotations

import random
import re
from html.parser import HTMLParser

import pytest

from briefing import htmlpage
from briefing.htmlpage import (BLOCKS, FETCHING, FETCHING_RELS, NOT_CONTENT, URL_ATTRS, VOID, Image, Load, Page,
                               Ref, css_loads, parse_page, srcset_urls)

# The number pattern as first written (htmlpage's looks behind after the first digit, faster).
REFERENCE_NUMBER = re.compile(r"(?<![\w.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\w,]\d)|(?<![\w.,])\d+(?:\.\d+)?(?!\w)")


class ReferenceReader(HTMLParser):
    """The page model as html.parser's events give it (the module's reader before its tokenizer)."""

    def __init__(self, whole_page_is_main: bool = False) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._main_depth = 0
        self._style_line: int | None = None
        self._open: list[list] = []
        self._in_main = whole_page_is_main
        self._not_content = 0

    def handle_starttag(self, tag, attrs):
        self._tag(tag, attrs)
        if self._main_depth == 0:
            if tag == "article" and dict(attrs).get("role") == "main":
                self._main_depth = 1
        elif tag not in VOID:
            self._main_depth += 1
        if tag == "style":
            self._style_line = self.getpos()[0]
        if tag not in VOID:
            self._open_element(tag, dict(attrs))

    def handle_startendtag(self, tag, attrs):
        self._tag(tag, attrs)

    def handle_endtag(self, tag):
        if self._main_depth and tag not in VOID:
            self._main_depth -= 1
        if tag == "style":
            self._style_line = None
        if tag in VOID:
            return
        while self._open:
            name, _, not_content, main = self._open.pop()
            self._not_content -= not_content
            if main:
                self._in_main = False
            if name == tag:
                break

    def handle_data(self, data):
        if self._style_line is not None:
            self.page.loads += css_loads(data, self.getpos()[0])
        if self._in_main and not self._not_content:
            block = next((entry[1] for entry in reversed(self._open) if entry[1]), None)
            if block is not None:
                self.page.numbers.extend((match.group(0), block) for match in REFERENCE_NUMBER.finditer(data))

    def _open_element(self, tag: str, values: dict) -> None:
        classes = (values.get("class") or "").split()
        if tag == "span" and "target" in classes and values.get("id"):
            for entry in reversed(self._open):
                if entry[0] in BLOCKS:
                    entry[1] = entry[1] or values["id"]
                    break
        not_content = tag in NOT_CONTENT
        main = values.get("role") == "main"
        self._open.append([tag, values.get("id") if tag in BLOCKS else None, not_content, main])
        self._not_content += not_content
        self._in_main = self._in_main or main

    def _tag(self, tag, attrs):
        if not attrs and tag != "img":
            return
        page, line, values = self.page, self.getpos()[0], dict(attrs)
        if values.get("id"):
            page.ids.add(values["id"])
            if self._main_depth:
                page.main_ids.add(values["id"])
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
        if values.get("style"):
            page.loads += css_loads(values["style"], line)


def reference(text: str) -> Page:
    reader = ReferenceReader(whole_page_is_main='role="main"' not in text)
    reader.feed(text)
    reader.close()
    return reader.page


def fast(text: str, name: str = "the page") -> Page:
    """The page as the module's own tokenizer reads it; fails if it hands the page to html.parser."""
    reader = htmlpage._FastReader(text, whole_page_is_main='role="main"' not in text)
    assert reader.read(), (f"{name}:{reader.line()}: a tag htmlpage._TOKEN does not take: the page is read "
                           "by html.parser, slower (widen the pattern if Sphinx writes this)")
    return reader.page


def test_every_page_of_the_book_reads_as_html_parser_reads_it(book_html):
    pages = sorted(book_html.rglob("*.html"))
    assert len(pages) > 10
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert fast(text, str(path)) == reference(text), path
    # The page carries what the checks read: a chapter has ids, links and numbers in its content.
    chapter = fast((book_html / "chapters" / "clashes.html").read_text(encoding="utf-8"))
    assert chapter.main_ids and chapter.refs and chapter.numbers and chapter.loads


# Forms a browser accepts that Sphinx, its theme or a raw HTML block may write: each is read by
# the module's tokenizer, as html.parser reads it.
AWKWARD = {
    "unquoted values": '<a href=page.html#x class=reference>x</a>\n<img src=a.png alt=Map>',
    "no values": '<input disabled id=box>\n<details open id="d"><summary>s</summary></details>',
    "empty and absent alt": '<img src="a.png" alt="">\n<img src="b.png" alt>',
    "> inside quotes": '<a title="a > b" href="x.html">x</a>\n<a href=\'y.html\' title=\'1 > 0\'>y</a>',
    "spaces around =": '<a href = "x.html" id =\n"far">x</a>',
    "comment": '<p id="p">12<!-- <a href="hidden.html"> -->34</p>\n<!---->\n<!-- a -- b -->\n<a href="z.html">z</a>',
    "doctype": '<!DOCTYPE html>\n<!doctype html>\n<a href="d.html">d</a>',
    "script with <": '<script>if (a < b && c) { x = "</div>"; y = "<a href=\'no.html\'>"; }</script>\n'
                     '<a href="after.html">after</a>',
    "script closed loosely": '<script src="s.js">\n</SCRIPT >\n<script></script><a href="a.html">a</a>',
    "style": '<style>\nbody { background: url("https://x.org/a.png") }\n@import "https://y.org/b.css";\n</style>\n'
             '<p style="background: url(c.png)">c</p>',
    "entities in text": '<p id="p">1&#8212;2 &amp; 3&nbsp;4 &amp 5&#x2014;6 &notanentity; 7</p>',
    "entities in attributes": '<a href="page.html?a=1&amp;b=2&#38;c=3&#x26;d=4" title="&quot;q&quot;">x</a>\n'
                              '<a href=p.html?x=1&amp;y=2>bare</a>',
    "upper case": '<A HREF="x.html" ID="Up">x</A>\n<SCRIPT SRC="a.js"></SCRIPT>\n<P ID="P1">42</P>\n'
                  '<IMG SRC="i.png" ALT="I">',
    "unclosed p and li": '<article role="main"><ul><li id="a">1<li id="b">2</ul><p id="c">3<p>4\n'
                         '<div id="d"><p>5</div>6</article><p id="e">7</p>',
    "stray end tags": '<article role="main"><div id="x"><p>1</span>2</p></div></b>3</article>',
    "self-closing": '<svg><use href="#i"/><symbol id="i"/></svg>\n<img src=a.png alt="x"/>\n<br/><p/>\n'
                    '<a href=x/>bare slash</a>',
    "repeated attribute": '<a href="1.html" href="2.html" id="one" id="two">x</a>',
    "line breaks in tags": '<a\n href="x.html"\n id="y">\n</a\n>\n<img\nsrc="p.png"\nalt="P">',
    "carriage returns": '<p id="a">1</p>\r\n<a href="b.html">b</a>\r\n<img src="c.png" alt="C">',
    "passage anchors": '<article role="main"><section id="s"><blockquote><div><p>'
                       '<span class="target" id="a-p1"></span>12 of <em>the 3</em></p></div></blockquote>'
                       '<p>4 seen (<a href="b.html#id2">Alpha News, 19 Sep 2022</a>, <a class="pinpoint reference '
                       'internal" href="x.html#x-p5"><span>¶5</span></a>)</p><nav>6</nav></section></article>',
    "no main article": '<div id="top"><p>7 and 8,000</p><a href="x.html">9</a><header>10</header></div>',
    "srcset and links": '<link rel="stylesheet" href="s.css"><link rel="canonical" href="https://b.org/">\n'
                        '<link rel="ICON preload" href="i.png">\n<img src="q.png" srcset="q1.png 1x, q2.png 2x" alt="Q">\n'
                        '<iframe src="https://v.org/e"></iframe><a name="old"></a>',
    "text at the end": '<p id="p">1</p>2 &amp; 3',
}


@pytest.mark.parametrize("name", AWKWARD)
def test_an_awkward_page_reads_as_html_parser_reads_it(name):
    text = AWKWARD[name]
    assert fast(text) == reference(text)
    assert parse_page(text) == reference(text)


def test_what_the_awkward_forms_give():
    refs = lambda text: [(r.tag, r.attr, r.url, r.line) for r in fast(text).refs]  # noqa: E731
    assert refs(AWKWARD["entities in attributes"]) == [
        ("a", "href", "page.html?a=1&b=2&c=3&d=4", 1), ("a", "href", "p.html?x=1&y=2", 2)]
    assert refs(AWKWARD["> inside quotes"]) == [("a", "href", "x.html", 1), ("a", "href", "y.html", 2)]
    assert refs(AWKWARD["script with <"]) == [("a", "href", "after.html", 2)]
    assert refs(AWKWARD["upper case"]) == [("a", "href", "x.html", 1), ("script", "src", "a.js", 2)]
    assert refs(AWKWARD["line breaks in tags"]) == [("a", "href", "x.html", 1)]
    assert refs(AWKWARD["repeated attribute"]) == [("a", "href", "2.html", 1)]  # html.parser: the last
    assert refs(AWKWARD["self-closing"]) == [("use", "href", "#i", 1), ("a", "href", "x/", 4)]
    page = fast(AWKWARD["upper case"])
    assert page.ids == {"Up", "P1"} and page.images == [Image("i.png", "I", 4)]
    assert [(i.src, i.alt) for i in fast(AWKWARD["empty and absent alt"]).images] == [("a.png", ""), ("b.png", None)]
    assert fast(AWKWARD["no values"]).ids == {"box", "d"}
    assert [(load.url, load.line) for load in fast(AWKWARD["style"]).loads] == [
        ("https://x.org/a.png", 2), ("https://y.org/b.css", 3), ("c.png", 5)]
    assert fast(AWKWARD["entities in text"]).numbers == [
        (n, "p") for n in ("1", "2", "3", "4", "5", "6", "7")]
    assert fast(AWKWARD["comment"]).numbers == [("12", "p"), ("34", "p")]  # a comment splits the text
    assert fast(AWKWARD["unclosed p and li"]).numbers == [("1", "a"), ("2", "b"), ("3", "c"), ("4", "c"),
                                                          ("5", "d"), ("6", "c")]
    passage = fast(AWKWARD["passage anchors"])
    # A citation's reference and its pinpoint (¶5) are links: none of their numbers is the page's.
    assert passage.numbers == [("12", "a-p1"), ("3", "a-p1"), ("4", "s")] and passage.main_ids == {"s", "a-p1"}
    assert fast(AWKWARD["no main article"]).numbers == [("7", "top"), ("8,000", "top")]
    assert [(r.url, r.line) for r in fast(AWKWARD["carriage returns"]).refs] == [("b.html", 2)]


# Forms outside the tokenizer's pattern: the page is read by html.parser instead, as before.
OUTSIDE = {
    "a bare <": '<p id="p">1 < 2</p><a href="x.html">x</a>',
    "no space between attributes": '<a x="1"y="2" href="z.html">z</a>',
    "space after </": '<p id="p">1</ p>2',
    "CDATA": '<svg><![CDATA[ <a href="no.html"> ]]></svg><a href="x.html">x</a>',
    "processing instruction": '<?xml version="1.0"?>\n<a href="x.html">x</a>',
    "script never closed": '<a href="x.html">x</a><script>var a = 1;',
    "tag never closed": '<p id="p">1</p><a href="x.html"',
    "doubled =": '<a b==c href="d.html">d</a>',
    "attributes in an end tag": '<p id="p">1</p class="x">2<a href="y.html">y</a>',
}


@pytest.mark.parametrize("name", OUTSIDE)
def test_a_page_outside_the_pattern_is_read_by_html_parser(name):
    text = OUTSIDE[name]
    assert not htmlpage._FastReader(text).read()
    assert parse_page(text) == reference(text)


# Pieces of pages, joined at random: whatever the tokenizer reads, it reads as html.parser does.
PIECES = [piece for text in list(AWKWARD.values()) + list(OUTSIDE.values())
          for piece in re.split(r"(?<=>)|(?=<)", text) if piece] + [
    '<article role="main">', "</article>", '<div id="d">', "</div>", "<p>", "</p>", " 1,234.5 ", "\n",
    "&amp;", "&#8212;", '<span class="target" id="t">', "</span>", "<li>", "<style>", "</style>"]


def test_random_pages_read_as_html_parser_reads_them():
    rng = random.Random(9)
    for _ in range(400):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 30)))
        assert parse_page(text) == reference(text), text


def test_read_page_parses_a_page_only_when_its_bytes_are_new(tmp_path):
    """The one reading of a built page, for the link check and the search: its digest always, its
    model unless the caller already knows those bytes."""
    from briefing.htmlpage import read_page

    path = tmp_path / "page.html"
    path.write_text('<p id="a">142,000 people</p>', encoding="utf-8")
    digest, page = read_page(path)
    assert page == parse_page(path.read_text(encoding="utf-8")) and page.ids == {"a"}
    assert read_page(path, digest) == (digest, None)
    path.write_text('<p id="b">59 people</p>', encoding="utf-8")
    changed, page = read_page(path, digest)
    assert changed != digest and page.ids == {"b"}
