"""briefing.htmlpage reads a built page as the standard library's html.parser reads it: what the
link check, the anchor baseline and the search's figures need of it, each at its line."""

from __future__ import annotations

import pytest

from briefing.htmlpage import Image, parse_page


def test_a_chapter_of_the_book_carries_what_the_checks_read(book_html):
    pages = sorted(book_html.rglob("*.html"))
    assert len(pages) > 10
    for path in pages:
        assert parse_page(path.read_text(encoding="utf-8")).ids, path
    # A chapter has ids, links and numbers in its content.
    chapter = parse_page((book_html / "chapters" / "clashes.html").read_text(encoding="utf-8"))
    assert chapter.main_ids and chapter.refs and chapter.numbers and chapter.loads


# Forms a browser accepts that Sphinx, its theme or a raw HTML block may write, and forms
# html.parser reads in its own way (a bare "<", CDATA, a script never closed).
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


AWKWARD.update({
    "a bare <": '<p id="p">1 < 2</p><a href="x.html">x</a>',
    "CDATA": '<svg><![CDATA[ <a href="no.html"> ]]></svg><a href="x.html">x</a>',
    "script never closed": '<a href="x.html">x</a><script>var a = 1;',
})


@pytest.mark.parametrize("name", AWKWARD)
def test_an_awkward_page_is_read(name):
    assert isinstance(parse_page(AWKWARD[name]).ids, set)


def test_what_the_awkward_forms_give():
    refs = lambda text: [(r.tag, r.attr, r.url, r.line) for r in parse_page(text).refs]  # noqa: E731
    assert refs(AWKWARD["entities in attributes"]) == [
        ("a", "href", "page.html?a=1&b=2&c=3&d=4", 1), ("a", "href", "p.html?x=1&y=2", 2)]
    assert refs(AWKWARD["> inside quotes"]) == [("a", "href", "x.html", 1), ("a", "href", "y.html", 2)]
    assert refs(AWKWARD["script with <"]) == [("a", "href", "after.html", 2)]
    assert refs(AWKWARD["upper case"]) == [("a", "href", "x.html", 1), ("script", "src", "a.js", 2)]
    assert refs(AWKWARD["line breaks in tags"]) == [("a", "href", "x.html", 1)]
    assert refs(AWKWARD["repeated attribute"]) == [("a", "href", "2.html", 1)]  # html.parser: the last
    assert refs(AWKWARD["self-closing"]) == [("use", "href", "#i", 1), ("a", "href", "x/", 4)]
    page = parse_page(AWKWARD["upper case"])
    assert page.ids == {"Up", "P1"} and page.images == [Image("i.png", "I", 4)]
    assert [(i.src, i.alt) for i in parse_page(AWKWARD["empty and absent alt"]).images] == [("a.png", ""), ("b.png", None)]
    assert parse_page(AWKWARD["no values"]).ids == {"box", "d"}
    assert [(load.url, load.line) for load in parse_page(AWKWARD["style"]).loads] == [
        ("https://x.org/a.png", 2), ("https://y.org/b.css", 3), ("c.png", 5)]
    assert parse_page(AWKWARD["entities in text"]).numbers == [
        (n, "p") for n in ("1", "2", "3", "4", "5", "6", "7")]
    assert parse_page(AWKWARD["comment"]).numbers == [("12", "p"), ("34", "p")]  # a comment splits the text
    assert parse_page(AWKWARD["unclosed p and li"]).numbers == [("1", "a"), ("2", "b"), ("3", "c"), ("4", "c"),
                                                          ("5", "d"), ("6", "c")]
    passage = parse_page(AWKWARD["passage anchors"])
    # A citation's reference and its pinpoint (¶5) are links: none of their numbers is the page's.
    assert passage.numbers == [("12", "a-p1"), ("3", "a-p1"), ("4", "s")] and passage.main_ids == {"s", "a-p1"}
    assert parse_page(AWKWARD["no main article"]).numbers == [("7", "top"), ("8,000", "top")]
    assert [(r.url, r.line) for r in parse_page(AWKWARD["carriage returns"]).refs] == [("b.html", 2)]
    assert [r.url for r in parse_page(AWKWARD["a bare <"]).refs] == ["x.html"]
    assert [r.url for r in parse_page(AWKWARD["CDATA"]).refs] == ["x.html"]


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
