"""The link checks of the built HTML (tools/briefing/htmllinks.py, run by the briefing_links
extension after each HTML build), each fed the defect it exists to catch."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from briefing.htmllinks import (Page, check_site, load_allow_list, parse_page, resolve,
                                srcset_urls, url_problem)
from conftest import ROOT, warnings_of



def line_of(path: Path, text: str) -> int:
    """The line of the built HTML file that holds ``text`` (the checker reports tags by line)."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} is not in {path}")


def assert_warnings(app, *expected: tuple[str, str, tuple[str, ...]]) -> None:
    """Exactly these warnings: (HTML file, text on the reported line, fragments of the message)."""
    found = warnings_of(app)
    assert len(found) == len(expected), "\n".join(found)
    for page, marker, fragments in expected:
        prefix = f"{page}:{line_of(app.outdir / page, marker)}: WARNING: "
        matches = [w for w in found if w.startswith(prefix) and all(f in w for f in fragments)]
        assert matches, f"no warning at {prefix} with {fragments} in:\n" + "\n".join(found)
        assert matches[0].endswith("[briefing.links]"), matches[0]


# The test books -----------------------------------------------------------------------------

@pytest.mark.sphinx("html", testroot="links-clean")
def test_clean_book_passes_and_every_page_is_checked(app):
    app.build()
    assert warnings_of(app) == []
    # index, page, extra (reached by a link, not a toctree), genindex and search.
    assert re.search(r"briefing_links: checked 5 pages and \d+ links", app.status.getvalue())


@pytest.mark.sphinx("html", testroot="links-internal")
def test_broken_internal_link_is_reported(app):
    app.build()
    assert_warnings(
        app,
        ("index.html", 'href="missing.html"',
         ("link 'missing.html' leads to no file in the built book", "page built from index.md",
          "correct the path")),
        ("index.html", 'href="../../elsewhere.html"',
         ("link '../../elsewhere.html' leads outside the built book", "page built from index.md")))


@pytest.mark.sphinx("html", testroot="links-template")
def test_broken_link_in_a_template_is_reported_on_every_page(app):
    app.build()
    generated = ("leads to no file in the built book",
                 "not built from a source document: the link comes from a template or the theme")
    assert_warnings(
        app,
        ("genindex.html", 'href="nowhere.html"', generated),
        ("index.html", 'href="nowhere.html"', ("link 'nowhere.html'", "page built from index.md")),
        ("search.html", 'href="nowhere.html"', generated))


@pytest.mark.sphinx("html", testroot="links-fragment")
def test_broken_fragment_is_reported(app):
    app.build()
    assert_warnings(
        app,
        ("index.html", 'href="other.html#nowhere"',
         ("names the anchor '#nowhere', which other.html does not have", "page built from index.md",
          "link to an existing heading")),
        ("index.html", 'href="#nothing-here"',
         ("names the anchor '#nothing-here', which this page does not have", "page built from index.md")))


@pytest.mark.sphinx("html", testroot="links-image-missing")
def test_missing_image_is_reported(app):
    app.build()
    assert_warnings(
        app,
        ("index.html", 'src="missing.png"',
         ("image 'missing.png' is not in the built book", "page built from index.md",
          "add the image to the sources")))


@pytest.mark.sphinx("html", testroot="links-image-alt")
def test_image_without_alt_text_is_reported(app):
    app.build()
    # MyST's ![](square.svg) gives alt=""; <img> without alt has none. The rule image with
    # alt="" is allowed by data/decorative-images.txt, the same image without alt is not.
    assert_warnings(
        app,
        ("index.html", 'src="_images/square.svg"',
         ("image '_images/square.svg' has an empty alt text", "page built from index.md",
          "describe what it shows in its alt text")),
        ("index.html", '<img src="_static/rule.svg">',
         ("image '_static/rule.svg' has no alt attribute", "page built from index.md")))


@pytest.mark.sphinx("html", testroot="links-orphan")
def test_orphan_page_is_reported(app):
    app.build()
    # `orphan: true` silences Sphinx's own toctree warning; the built page is still unreachable.
    found = warnings_of(app)
    assert found == ["lonely.html:1: WARNING: page lonely.html is reached by no chain of links from "
                     "index.html (page built from lonely.md): add it to a toctree or link to it from "
                     "a page that is, or remove it [briefing.links]"], found


@pytest.mark.sphinx("html", testroot="links-http")
def test_plain_http_link_is_reported_unless_its_host_is_allowed(app):
    app.build()
    found = warnings_of(app)
    assert len(found) == 2, "\n".join(found)
    line = line_of(app.outdir / "index.html", 'href="http://example.org/article"')
    assert found[1] == (
        f"index.html:{line}: WARNING: external link 'http://example.org/article' uses plain http:// for "
        "host 'example.org' (page built from index.md): link to https://, or, if the site serves only "
        "http, add 'example.org' to data/http-allowed-hosts.txt with the reason [briefing.links]")
    # http://example.net/ is allowed, but the list's entry without a reason is itself a defect.
    assert found[0].startswith("data/http-allowed-hosts.txt:3: WARNING: 'example.com' is allowed "
                               "without a reason: say why after '#'"), found[0]


@pytest.mark.sphinx("html", testroot="links-url")
def test_malformed_external_url_is_reported(app):
    app.build()
    assert_warnings(
        app,
        ("index.html", 'href="https://exa mple.org/"',
         ("external link 'https://exa mple.org/' is not a well-formed URL", "contains a space",
          "page built from index.md", "correct the URL")),
        ("index.html", 'href="https://example/"',
         ("'https://example/' is not a well-formed URL: it has an invalid host name 'example'",)))


# The real book ------------------------------------------------------------------------------

def test_real_book_links_are_sound(book_html):
    """`book_html` builds with -W, so briefing_links found nothing; check that it looked."""
    hosts, problems = load_allow_list(ROOT / "data" / "http-allowed-hosts.txt", "data/http-allowed-hosts.txt")
    assert problems == []
    report = check_site(book_html, http_hosts=hosts)
    chapters = len(list((ROOT / "chapters").glob("*.md")))
    assert report.pages >= chapters + 3, report.pages  # chapters, front page, genindex, search
    assert report.links > 10 * report.pages
    assert report.problems == []
    # The allow list is what lets the inozpress.kg articles' http:// addresses through.
    unallowed = check_site(book_html).problems
    assert unallowed and {p.kind for p in unallowed} == {"http"}
    assert all("'inozpress.kg'" in p.message for p in unallowed)


# The parser and rules, without Sphinx -------------------------------------------------------

def test_parse_page_collects_anchors_urls_and_images_with_lines():
    page = parse_page('<html>\n<body id="top-of-page">\n<a name="old"></a><span name="not-an-anchor"></span>\n'
                      '<a href="a.html#x">a</a>\n<img src="p.png" alt="A map">\n'
                      '<img src="q.png" srcset="q1.png 1x, q2.png 2x">\n'
                      '<svg><use href="#svg-icon"></use><symbol id="svg-icon"/></svg>\n')
    assert page.ids == {"top-of-page", "old", "svg-icon"}
    assert [(r.tag, r.url, r.line) for r in page.refs] == [
        ("a", "a.html#x", 4), ("img", "q1.png", 6), ("img", "q2.png", 6), ("use", "#svg-icon", 7)]
    assert [(i.src, i.alt, i.line) for i in page.images] == [("p.png", "A map", 5), ("q.png", None, 6)]
    assert srcset_urls(" a.png 1x ,b.png 200w, ") == ["a.png", "b.png"]


def test_resolve_relative_absolute_directory_and_outside():
    assert resolve("chapters/one.html", "../sources/a.html#a-p2") == ("sources/a.html", "a-p2")
    assert resolve("chapters/one.html", "#x%20y") == ("chapters/one.html", "x y")
    assert resolve("chapters/one.html", "two.html?v=3") == ("chapters/two.html", "")
    assert resolve("chapters/one.html", "./") == ("chapters/index.html", "")
    assert resolve("chapters/one/index.html", "../two/") == ("chapters/two/index.html", "")
    assert resolve("chapters/one.html", "/search.html") == ("search.html", "")
    assert resolve("index.html", "../x.html") == (None, "")


@pytest.mark.parametrize("url, kind, words", [
    ("https://example.org/a%20b?q=1#f", None, None),
    ("https://xn--80ak6aa92e.com/", None, None),
    ("https://[2001:db8::1]:8443/", None, None),
    ("http://example.net/", None, None),          # allowed host
    ("HTTP://EXAMPLE.NET/", None, None),          # hosts compare case-insensitively
    ("http://example.org/", "http", "plain http://"),
    ("https://exa mple.org/", "url", "space"),
    ("https://example.org/100%", "url", "percent-escape"),
    ("//example.org/", "url", "no scheme"),
    ("https:example.org", "url", "no host"),
    ("https://example/", "url", "invalid host name"),
    ("https://-bad-.org/", "url", "invalid host name"),
    ("https://example.org:99999/", "url", "cannot be parsed"),
])
def test_url_problem(url, kind, words):
    problem = url_problem(url, frozenset({"example.net"}))
    if kind is None:
        assert problem is None
    else:
        assert problem[0] == kind and words in problem[1], problem


def test_allow_list_needs_a_reason_per_entry(tmp_path):
    path = tmp_path / "hosts.txt"
    path.write_text("# heading\n\nExample.net  # serves http only\nexample.com\n", encoding="utf-8")
    entries, problems = load_allow_list(path, "data/hosts.txt")
    assert entries == {"example.net": "serves http only", "example.com": ""}
    assert [(p.location, p.kind) for p in problems] == [("data/hosts.txt:4", "allow-list")]
    assert load_allow_list(tmp_path / "absent.txt", "absent.txt") == ({}, [])


def write_site(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_check_site_rules_on_a_handwritten_site(tmp_path):
    site = write_site(tmp_path, {
        "index.html": ('<a href="#">top</a> <a href="#top">top</a> <a href="mailto:a@example.org">m</a>\n'
                       '<a href="guide/">guide</a> <a href="_static/help.html#usage">help</a>\n'
                       '<a href="#:~:text=border">text fragment</a> <img src="_static/rule.svg" alt="">\n'
                       '<link rel="stylesheet" href="_static/style.css?v=1">\n'),
        "guide/index.html": '<h1 id="g">Guide</h1><a href="../index.html">back</a> <a href="../gone.css">x</a>\n',
        "stray.html": '<p>nothing links here</p>\n',
        "_static/help.html": '<p id="usage">Usage</p>\n',
        "_static/rule.svg": "<svg/>\n",
        "_static/style.css": "p {}\n",
    })
    report = check_site(site, decorative=("_static/*.svg",), sources={"guide/index.html": "guide.md"})
    assert report.pages == 3  # _static/help.html is an asset, checked only as a link target
    assert [(p.location, p.kind) for p in report.problems] == [
        ("guide/index.html:1", "internal"), ("stray.html:1", "orphan")]
    assert "(page built from guide.md)" in report.problems[0].message
    assert "not built from a source document: perhaps left from an earlier build" in report.problems[1].message
    # Without the decorative rule, the empty alt is a defect.
    kinds = [p.kind for p in check_site(site).problems]
    assert kinds.count("alt") == 1


def test_check_site_without_a_root_page_skips_the_orphan_rule(tmp_path):
    site = write_site(tmp_path, {"a.html": "<p>a</p>", "b.html": "<p>b</p>"})
    assert check_site(site).problems == []
    assert isinstance(parse_page(""), Page)


def test_cache_rereads_only_changed_pages_and_still_sees_a_lost_anchor(tmp_path):
    """A page left untouched by a rebuild is taken from the cache, yet its link to an anchor that
    a rewritten page has lost still fails, at the untouched page's line."""
    (tmp_path / "index.html").write_text('<p>\n<a href="other.html#kept">kept</a>\n<a href="other.html#lost">lost</a></p>')
    other = tmp_path / "other.html"
    other.write_text('<a href="index.html">home</a><h2 id="kept">K</h2><h2 id="lost">L</h2>')
    cache: dict = {}
    first = check_site(tmp_path, cache=cache)
    assert first.problems == [] and first.read == 2
    again = check_site(tmp_path, cache=cache)
    assert again.problems == [] and again.read == 0
    # Rewritten with the same bytes, as Sphinx rewrites its index and search pages on every build.
    stat = other.stat()
    os.utime(other, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert check_site(tmp_path, cache=cache).read == 0, "a page rewritten unchanged was parsed again"
    other.write_text('<a href="index.html">home</a><h2 id="kept">K</h2>')
    stat = other.stat()
    os.utime(other, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    third = check_site(tmp_path, cache=cache)
    assert third.read == 1, "the unchanged page was read again"
    assert [(p.path, p.line, p.kind) for p in third.problems] == [("index.html", 3, "fragment")], third.problems
    assert "'#lost'" in third.problems[0].message
    # Found again on the next build, though neither page changed; and gone once the anchor is back.
    assert [(p.path, p.line) for p in check_site(tmp_path, cache=cache).problems] == [("index.html", 3)]
    other.write_text('<a href="index.html">home</a><h2 id="kept">K</h2><p id="lost">L</p>')
    assert check_site(tmp_path, cache=cache).problems == []


def test_cache_checks_again_only_pages_whose_links_lead_to_changed_anchors(tmp_path):
    """A page's words changed, its anchors not (an edit of a chapter, to which every page links):
    the pages linking to it keep their findings, even a problem; an anchor changed: they are
    checked again."""
    (tmp_path / "index.html").write_text('<a href="other.html#kept">kept</a>\n<a href="other.html#gone">g</a>')
    other = tmp_path / "other.html"
    other.write_text('<a href="index.html">home</a><h2 id="kept">Kept</h2>')
    cache: dict = {}
    first = check_site(tmp_path, cache=cache)
    assert first.checked == 2 and [(p.path, p.line) for p in first.problems] == [("index.html", 2)]
    other.write_text('<a href="index.html">home</a><h2 id="kept">Kept, in other words</h2>')
    reworded = check_site(tmp_path, cache=cache)
    assert (reworded.read, reworded.checked) == (1, 1), "the page linking to a reworded page was checked again"
    assert reworded.problems == first.problems and reworded.links == first.links
    other.write_text('<a href="index.html">home</a><h2 id="kept">Kept</h2><p id="gone">Back</p>')
    anchored = check_site(tmp_path, cache=cache)
    assert anchored.checked == 2 and anchored.problems == []


def test_a_page_checked_again_unchanged_is_checked_from_its_kept_links(tmp_path, monkeypatch):
    """The cache keeps each page's links: a page not rewritten, checked again because a page it
    links to lost an anchor, is not read again, and its problem keeps its line."""
    from briefing import htmllinks

    (tmp_path / "index.html").write_text('<p>\n<img src="pic.png" alt="">\n<a href="other.html#a">a</a></p>')
    (tmp_path / "pic.png").write_bytes(b"png")
    other = tmp_path / "other.html"
    other.write_text('<a href="index.html">home</a><h2 id="a">A</h2>')
    cache: dict = {}
    assert [p.kind for p in check_site(tmp_path, cache=cache).problems] == ["alt"]
    other.write_text('<a href="index.html">home</a><h2 id="b">B</h2>')

    def read_again(text):
        raise AssertionError("a page not rewritten was read again")

    monkeypatch.setattr(htmllinks, "parse_page", read_again)
    again = check_site(tmp_path, cache=cache)
    assert (again.read, again.checked) == (1, 2)
    assert [(p.path, p.line, p.kind) for p in again.problems] == [("index.html", 2, "alt"), ("index.html", 3, "fragment")]


def test_cache_sees_a_removed_file_and_a_new_source_name_on_an_unchanged_page(tmp_path):
    """A page's findings are kept only while the site's files, the check's settings and the pages
    it links to are those it was checked against."""
    (tmp_path / "index.html").write_text('<a href="other.html">o</a>\n<img src="pic.png" alt="a picture">')
    (tmp_path / "other.html").write_text('<a href="index.html">home</a>')
    (tmp_path / "pic.png").write_bytes(b"png")
    cache: dict = {}
    assert check_site(tmp_path, cache=cache).problems == []
    (tmp_path / "pic.png").unlink()
    gone = check_site(tmp_path, cache=cache)
    assert [(p.path, p.line, p.kind) for p in gone.problems] == [("index.html", 2, "image")], gone.problems
    named = check_site(tmp_path, cache=cache, sources={"index.html": "index.md"})
    assert "(page built from index.md)" in named.problems[0].message
    assert gone.links == named.links == check_site(tmp_path, cache=cache).links == check_site(tmp_path).links == 3
