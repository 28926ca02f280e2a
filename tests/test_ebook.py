"""The e-book as an e-book: a cover drawn from the book's own title, subtitle and dateline; a title
page with the dateline as the first page of the text; the PDF's order and numbering of chapters,
tables and figures; no table wider than a phone's page (measured in Chromium); no sentence
offering a file the e-book does not carry. Each check is first fed its defect.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from briefing_epub import (cover_svg, label_table_cells, reorder_toc, title_page, with_cover_image,
                           COVER_IMAGE, TITLE_PAGE)
from conftest import ROOT, book_conf
from test_epub import epub_file, read_zip  # noqa: F401  (the session's e-book)

INFO = {"title": "A book & its title", "subtitle": "What it covers", "author": "The editors",
        "release": "2026.11", "edition_date": "23 November 2026", "latest_source": "10 October 2022",
        "keywords": "", "language": "en-GB"}
PHONE = 390


def spine(files: dict[str, str]) -> list[str]:
    opf = files["content.opf"]
    hrefs = dict(re.findall(r'<item id="([^"]+)" href="([^"]+)"', opf))
    return [hrefs[i] for i in re.findall(r'<itemref idref="([^"]+)"', opf)]


def cover_problems(files: dict[str, str]) -> list[str]:
    opf = files["content.opf"]
    item = re.search(r'<item id="[^"]+" href="([^"]+)" media-type="image/[^"]+" properties="cover-image"', opf)
    if not item:
        return ["no cover-image in the package"]
    svg = files.get(item[1], "")
    return [f"the cover lacks {what!r}" for what in ("Latest source: ", "Edition ") if what not in svg]


def title_page_problems(files: dict[str, str]) -> list[str]:
    pages = [p for p in spine(files) if p != "epub-cover.xhtml"]
    first = files.get(pages[0], "") if pages else ""
    if 'epub:type="titlepage"' not in first:
        return [f"the text opens with {pages[:1]}, not a title page"]
    return [] if re.search(r"Edition [\d.]+, \d+ \w+ \d{4}", first) and "Latest source: " in first \
        else ["the title page has no dateline"]


def download_problems(files: dict[str, str]) -> list[str]:
    """A sentence naming a file to download that is not a link to a file inside the book."""
    problems = []
    for name, text in files.items():
        if not name.endswith(".xhtml"):
            continue
        for para in re.findall(r"<p\b[^>]*>(.*?)</p>", text, re.S):
            plain = re.sub(r"<[^>]+>", "", para)
            # The sentences the HTML book links its files from: "Download the data …", the claims
            # register's files, references.bib ("one BibTeX file").
            if re.search(r"\bDownload the|BibTeX file|claims register: |\b[\w-]+\.(csv|jsonld)\b", plain):
                targets = re.findall(r'href="([^"#]+)', para)
                if not any(t.split("/")[-1] in files or t in files for t in targets
                           if re.search(r"\.(csv|jsonld|json|bib)$", t)):
                    problems.append(f"{name}: {plain[:80]!r}")
    return problems


def numbering(files: dict[str, str]) -> list[str]:
    """The caption numbers, page by page in the reading order ("Table 1", "Fig. 1", …)."""
    return [" ".join(n.split()) for page in spine(files)
            for n in re.findall(r'<span class="caption-number">([^<]+)</span>', files.get(page, ""))]


def numbering_problems(numbers: list[str]) -> list[str]:
    problems = []
    for kind in ("Table", "Fig."):
        got = [int(n.split()[-1]) for n in numbers if n.startswith(kind)]
        if got != list(range(1, len(got) + 1)):
            problems.append(f"{kind} numbered {got}")
    return problems


# --- the checks catch their defects --------------------------------------------------------------

def test_cover_and_title_page_checks_catch_their_defects():
    opf = ('<manifest><item id="c" href="_static/cover.svg" media-type="image/svg+xml" />'
           '<item id="t" href="title-page.xhtml" media-type="application/xhtml+xml" />'
           '<item id="i" href="index.xhtml" media-type="application/xhtml+xml" /></manifest>'
           '<spine><itemref idref="i" /></spine>')
    files = {"content.opf": opf, "_static/cover.svg": cover_svg(INFO), "index.xhtml": "<h1>x</h1>",
             TITLE_PAGE: title_page(INFO, "en-GB")}
    assert cover_problems(files) == ["no cover-image in the package"]  # as Sphinx writes it
    assert title_page_problems(files) == ["the text opens with ['index.xhtml'], not a title page"]
    files["content.opf"] = with_cover_image(opf).replace('<spine>', '<spine><itemref idref="t" />')
    assert cover_problems(files) == [] and title_page_problems(files) == []
    assert "A book &amp; its title" in files["_static/cover.svg"]


def test_download_check_catches_a_sentence_without_its_file():
    page = "<p>Download the data of this table: figures.csv, described in datapackage.json.</p>"
    assert download_problems({"a.xhtml": page}) == [
        "a.xhtml: 'Download the data of this table: figures.csv, described in datapackage.json.'"]
    assert download_problems({"a.xhtml": '<p>The data: <a href="figures.csv">figures.csv</a></p>',
                              "figures.csv": ""}) == []
    assert download_problems({"a.xhtml": "<p>Every source the book cites.</p>"}) == []


def test_numbering_check_catches_restarts():
    assert numbering_problems(["Fig. 1", "Table 1", "Table 2", "Fig. 2"]) == []
    assert numbering_problems(["Table 1", "Table 1", "Fig. 2"]) == ["Table numbered [1, 1]", "Fig. numbered [2]"]


def test_toc_in_the_pdfs_order_and_numbering():
    """Sphinx's order: the front page, then the toctrees' (glossary ninth, the bibliography before
    "How to cite"), unnumbered."""
    nodes = [{"level": 1, "refuri": "title-page.xhtml", "text": "Title page"},
             {"level": 1, "refuri": "index.xhtml", "text": "Book"},
             {"level": 1, "refuri": "chapters/clashes.xhtml", "text": "The clashes"},
             {"level": 2, "refuri": "chapters/clashes.xhtml#when", "text": "When"},
             {"level": 1, "refuri": "chapters/glossary.xhtml", "text": "Glossary"},
             {"level": 1, "refuri": "sources/index.xhtml", "text": "Archived sources"},
             {"level": 2, "refuri": "sources/a.xhtml", "text": "A source"},
             {"level": 1, "refuri": "chapters/bibliography.xhtml", "text": "Bibliography"},
             {"level": 1, "refuri": "chapters/how-to-cite.xhtml", "text": "How to cite"}]
    order = ["chapters/clashes", "chapters/glossary", "sources/index", "chapters/how-to-cite", "chapters/bibliography"]
    labels = {"chapters/clashes": "Chapter 1", "chapters/glossary": "Appendix A", "sources/index": "Appendix B",
              "chapters/how-to-cite": "Appendix C"}
    got = [(n["level"], n["text"]) for n in reorder_toc(nodes, order, labels, ".xhtml")]
    assert got == [(1, "Title page"), (1, "Book"), (1, "1. The clashes"), (2, "When"), (1, "A. Glossary"),
                   (1, "B. Archived sources"), (2, "A source"), (1, "C. How to cite"), (1, "Bibliography")] or \
        got == [(1, "Title page"), (1, "Book"), (1, "1. The clashes"), (2, "When"), (1, "Appendix A. Glossary"),
                (1, "Appendix B. Archived sources"), (2, "A source"), (1, "Appendix C. How to cite"),
                (1, "Bibliography")], got


def test_table_cells_get_their_column_names():
    table = ('<table><thead><tr><th class="head"><p>What</p></th><th><p>Value</p></th></tr></thead>'
             '<tbody><tr><td><p>Killed</p></td><td><p>59</p></td></tr></tbody></table>')
    assert label_table_cells(table).endswith(
        '<tbody><tr><td data-label="What"><p>Killed</p></td><td data-label="Value"><p>59</p></td></tr></tbody></table>')
    assert label_table_cells(label_table_cells(table)) == label_table_cells(table)


# --- the e-book ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_cover_and_title_page(epub_file):
    files = read_zip(epub_file)
    files.update({name: "" for name in zipfile.ZipFile(epub_file).namelist() if name not in files})
    assert not cover_problems(files)
    assert spine(files)[:3] == ["epub-cover.xhtml", TITLE_PAGE, "index.xhtml"]
    assert not title_page_problems(files)
    assert book_conf()["project"] in files[TITLE_PAGE] and COVER_IMAGE in files["content.opf"]


@pytest.mark.slow
def test_no_download_sentence_without_its_file(epub_file):
    files = read_zip(epub_file)
    assert not download_problems(files)
    # The bibliography keeps its first sentence; only the one offering references.bib goes.
    assert "Every source the book cites" in files["chapters/bibliography.xhtml"]


@pytest.mark.slow
def test_order_and_numbering_are_the_pdfs(epub_file):
    """Chapters 1–7, the appendices A–C, the bibliography last; tables and figures numbered
    through the book as the PDF numbers them: reference tables unnumbered, an untitled table
    under its section's title."""
    from test_pdf import bibliography_pages, md_title, toctree_pages

    files = read_zip(epub_file)
    conf = book_conf()
    pages = [p for p in toctree_pages() if p not in bibliography_pages()]
    appendices = [p for p in pages if p in conf["briefing_appendices"]]
    chapters = [p for p in pages if p not in appendices]
    expected = [f"{n}. {md_title(ROOT / (p + '.md'))}" for n, p in enumerate(chapters, 1)] + \
               [f"Appendix {chr(65 + n)}. {md_title(ROOT / (p + '.md'))}" for n, p in enumerate(appendices)] + \
               [md_title(ROOT / (p + ".md")) for p in bibliography_pages()]
    nav = [re.sub(r"\s+", " ", t) for t in re.findall(r'<li>\s*<a href="[^"#]+">([^<]+)</a>', files["nav.xhtml"])]
    import html
    nav = [html.unescape(t).replace("’", "'") for t in nav]
    top = [t for t in nav if t in expected]
    assert top == expected, nav
    assert spine(files)[-1] == "chapters/bibliography.xhtml"
    assert '<span class="chapter-number">Chapter 1 </span>' in files["chapters/clashes.xhtml"]
    numbers = numbering(files)
    assert not numbering_problems(numbers) and len(numbers) >= 8, numbers
    assert not any(re.search(r'caption-number">Table \d+ </span><span class="caption-text">Who speaks', t)
                   for t in files.values()), "a source's reference table is numbered"


def too_wide(directory: Path, width: int = PHONE) -> list[str]:
    """Pages (and their tables) wider than a page ``width`` CSS px wide, in Chromium."""
    from playwright.sync_api import sync_playwright

    found = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": width, "height": 800})
        for path in sorted(directory.rglob("*.xhtml")):
            page.goto(path.as_uri())
            widths = page.evaluate("""() => [document.documentElement.scrollWidth,
                ...[...document.querySelectorAll('table')].map(t => Math.ceil(t.getBoundingClientRect().right))]""")
            if max(widths) > width:
                found.append(f"{path.relative_to(directory)}: {max(widths)} px")
        browser.close()
    return found


@pytest.mark.slow
def test_tables_fit_a_phones_page(epub_file, tmp_path):
    """At 390 CSS px no page scrolls sideways and no table overruns (rows stacked); with no rule
    for narrow pages (as Sphinx packs the pages) the data tables do."""
    book = tmp_path / "book"
    with zipfile.ZipFile(epub_file) as z:
        z.extractall(book)
    assert too_wide(book) == []
    css = book / "_static" / "briefing.css"
    css.write_text(css.read_text(encoding="utf-8").split("/* The e-book's own rules")[0]
                   .replace("@media (max-width: 40em)", "@media (max-width: 1px)"), encoding="utf-8")
    assert any("human-cost" in page for page in too_wide(book))


ACCOUNTS = "chapters/clashes.xhtml"


def account_problems(directory: Path, width: int = PHONE) -> list[str]:
    """The clashes chapter's two accounts (a grid of two cards, no longer tabs): on a phone's page
    both are shown, whole, one under the other and within the page (in Chromium)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.goto((directory / ACCOUNTS).as_uri())
        boxes = page.evaluate("""() => [...document.querySelectorAll('.two-accounts .account')].map(e => {
            const r = e.getBoundingClientRect(), s = getComputedStyle(e);
            return {top: r.top, bottom: r.bottom, left: r.left, right: r.right,
                    shown: s.display !== 'none' && s.visibility !== 'hidden' && r.height > 20,
                    text: e.textContent.trim().split('\\n')[0].trim()};
        })""")
        browser.close()
    if len(boxes) != 2:
        return [f"{ACCOUNTS}: {len(boxes)} account(s), not two"]
    problems = [f"{ACCOUNTS}: {box['text'] or 'an account'} is hidden" for box in boxes if not box["shown"]]
    problems += [f"{ACCOUNTS}: {box['text']} runs past the {width} px page" for box in boxes
                 if box["shown"] and (box["right"] > width + 0.5 or box["left"] < -0.5)]
    first, second = boxes
    if first["shown"] and second["shown"] and second["top"] < first["bottom"] - 0.5:
        problems.append(f"{ACCOUNTS}: the accounts are not stacked")
    return problems


@pytest.mark.slow
def test_the_two_accounts_are_stacked_and_both_shown(epub_file, tmp_path):
    """On a phone's page the Kyrgyz and the Tajik accounts are both shown, one under the other; the
    check is first fed the tabs' defect (the second account behind a click, hidden)."""
    book = tmp_path / "book"
    with zipfile.ZipFile(epub_file) as z:
        z.extractall(book)
    files = read_zip(epub_file)
    assert ".sd-tab-set" not in files["_static/briefing.css"], "dead rules for tabs the book no longer has"
    assert account_problems(book) == []
    page = book / ACCOUNTS
    text = page.read_text(encoding="utf-8")
    cards = [m.start() for m in re.finditer(r'<div class="[^"]*\baccount\b', text)]
    assert len(cards) == 2
    page.write_text(text[:cards[1]] + text[cards[1]:].replace("<div ", '<div style="display: none !important" ', 1),
                    encoding="utf-8")
    assert account_problems(book) == [f"{ACCOUNTS}: The Tajik account is hidden"]
