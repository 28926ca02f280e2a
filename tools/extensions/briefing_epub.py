"""The e-book (``make epub``): the HTML book as an EPUB 3 that epubcheck accepts.

Sphinx's EPUB builder writes the pages as XHTML, but a few files it copies as they are were made
for browsers, not for EPUB's stricter rules. Before the book is packed they are made valid:

- raw HTML (sphinx-design's tabs) writes ``<input …>`` without closing it, which is not XML;
- matplotlib's SVG charts declare an external DTD (EPUB 3 forbids external entities) and draw a
  space as a ``<path>`` with no ``d`` attribute, which SVG requires;
- the highlighted-passage rule of briefing.css uses ``:has(> …)``, which EPUB's CSS profile
  does not know (an e-book has no address bar, so the rule has nothing to do there).

The description in the package metadata says what the book covers and the date of its latest
source, as the PDF's title page does.

Just before the book is packed, what DAISY Ace (tests/test_epub.py) requires of an accessible
e-book is added: every content document's language (``lang`` and ``xml:lang``: Sphinx writes it
only into the package), the table of contents' ARIA role, the package's schema.org accessibility
metadata.

And it reads as an e-book, in the PDF's order:

- a cover drawn by the build from the book's title, subtitle and dateline (an SVG, the package's
  cover-image), then a title page with the dateline, the first page of the text;
- the chapters numbered and ordered as the PDF has them ("1. The clashes", the glossary, the
  archived sources and "How to cite" as appendices A–C, the bibliography last), and the tables
  and figures numbered as the PDF numbers them (numbered_table_title: reference tables are not,
  an untitled table takes its section's title);
- on a narrow page a table's rows are stacked, each cell under its column's name
  (epub/ebook.css), so that no table is wider than the page;
- no sentence offers a file the e-book does not carry (the data files, references.bib): the
  paragraph that links one is left out, as the PDF leaves it out.
"""

from __future__ import annotations

import html
import re
import textwrap
from pathlib import Path

from docutils import nodes
from sphinx import addnodes

from briefing_latex import dateline_text, edition, numbered_table_title
from briefing_register import download

EBOOK_CSS = Path(__file__).parent / "epub" / "ebook.css"
COVER_IMAGE = "_static/cover.svg"
TITLE_PAGE = "title-page.xhtml"

VOID_INPUT = re.compile(r"<input\b([^>]*?)\s*(?<!/)>")
DOCTYPE = re.compile(r"<!DOCTYPE[^\[>]*(\[.*?\])?\s*>\s*", re.DOTALL)
PATH_WITHOUT_D = re.compile(r"<path\b(?![^>]*\sd=)([^>]*?)(/?)>")


def fix_xhtml(text: str) -> str:
    return VOID_INPUT.sub(r"<input\1 />", text)


def fix_svg(text: str) -> str:
    return PATH_WITHOUT_D.sub(r'<path d=""\1\2>', DOCTYPE.sub("", text, count=1))


def fix_css(text: str) -> str:
    return "\n".join(line for line in text.splitlines() if ":has(" not in line) + "\n"


FIXES = {".xhtml": fix_xhtml, ".svg": fix_svg, ".css": fix_css}

HTML_TAG = re.compile(r"<html\b([^>]*)>")
TOC_NAV = re.compile(r'<nav epub:type="toc"(?![^>]*\brole=)')
# What the e-book offers a reader using assistive technology (EPUB Accessibility 1.1, schema.org).
ACCESSIBILITY = (
    ("schema:accessMode", "textual"),
    ("schema:accessMode", "visual"),
    ("schema:accessModeSufficient", "textual"),
    ("schema:accessibilityFeature", "alternativeText"),
    ("schema:accessibilityFeature", "structuralNavigation"),
    ("schema:accessibilityFeature", "tableOfContents"),
    ("schema:accessibilityHazard", "none"),
    ("schema:accessibilitySummary", "The text is structured with headings and a table of contents; "
                                    "every chart and map has a text alternative, and the figures they "
                                    "draw are also given in tables. No flashing, sound or motion."),
)


def with_language(text: str, language: str) -> str:
    """The root element names the document's language, as EPUB reading systems and Ace expect."""
    def add(match):
        attributes = match.group(1)
        if " lang=" in attributes:
            return match.group(0)
        return f'<html{attributes} lang="{language}" xml:lang="{language}">'
    return HTML_TAG.sub(add, text, count=1)


def with_cover_image(opf: str) -> str:
    """EPUB 3 names the cover by the manifest item's property (Sphinx writes only EPUB 2's
    <meta name="cover">)."""
    return re.sub(r'(<item id="[^"]+" href="%s" media-type="[^"]+")( />)' % re.escape(COVER_IMAGE),
                  r'\1 properties="cover-image"\2', opf, count=1) if 'properties="cover-image"' not in opf else opf


def with_accessibility(opf: str) -> str:
    if "schema:accessMode" in opf:
        return opf
    metas = "".join(f'    <meta property="{name}">{value}</meta>\n' for name, value in ACCESSIBILITY)
    return opf.replace("  </metadata>", metas + "  </metadata>", 1)


def make_accessible(outdir: Path, language: str, cover_alt: str = "") -> None:
    outdir = Path(outdir)
    for path in sorted(outdir.rglob("*.xhtml")):
        text = path.read_text(encoding="utf-8")
        fixed = label_table_cells(with_language(text, language))
        if path.name == "epub-cover.xhtml" and cover_alt:
            fixed = fixed.replace('alt="Cover image"', f'alt="{html.escape(cover_alt)}"')
        if path.name == "nav.xhtml":
            fixed = TOC_NAV.sub('<nav epub:type="toc" role="doc-toc"', fixed)
        if fixed != text:
            path.write_text(fixed, encoding="utf-8")
    opf = outdir / "content.opf"
    if opf.is_file():
        opf.write_text(with_cover_image(with_accessibility(opf.read_text(encoding="utf-8"))), encoding="utf-8")
    css = outdir / "_static" / "briefing.css"
    own = EBOOK_CSS.read_text(encoding="utf-8")
    if css.is_file() and own not in css.read_text(encoding="utf-8"):
        css.write_text(css.read_text(encoding="utf-8") + "\n" + own, encoding="utf-8")


TABLE = re.compile(r"<table\b.*?</table>", re.DOTALL)
HEAD_CELL = re.compile(r"<th\b[^>]*>(.*?)</th>", re.DOTALL)
ROW = re.compile(r"<tr\b[^>]*>.*?</tr>", re.DOTALL)
CELL_START = re.compile(r"<td\b(?![^>]*\bdata-label=)")


def label_table_cells(text: str) -> str:
    """Each body cell of a table with a head gets its column's name (data-label), which the
    stacked rows of a narrow page print above it. A row with spanning cells keeps none."""
    def label(table):
        table = table.group(0)
        head = table.split("<tbody", 1)[0]
        names = [" ".join(re.sub(r"<[^>]+>", "", cell).split()) for cell in HEAD_CELL.findall(head)]
        if not names or "<tbody" not in table:
            return table

        def row(match):
            cells = iter(names)
            if "colspan=" in match.group(0) or "rowspan=" in match.group(0):
                return match.group(0)
            return CELL_START.sub(lambda m: f'<td data-label="{html.escape(next(cells, ""), quote=True)}"',
                                  match.group(0))
        start = table.index("<tbody")
        return table[:start] + ROW.sub(row, table[start:])
    return TABLE.sub(label, text)


def make_valid(outdir: Path) -> None:
    for path in sorted(Path(outdir).rglob("*")):
        fix = FIXES.get(path.suffix)
        if fix is None or not path.is_file() or "META-INF" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        fixed = fix(text)
        if fixed != text:
            path.write_text(fixed, encoding="utf-8")


# --- the cover and the title page --------------------------------------------------------------

def cover_alt(info: dict[str, str]) -> str:
    return f"{info['title']}. {info['subtitle']}. {dateline_text(info)}."


def cover_svg(info: dict[str, str]) -> str:
    """The cover, 1200 × 1800: the title in a dark band, the subtitle, the dateline, the editors.
    Live text in the system's fonts, wrapped here (SVG does not wrap)."""
    e = lambda text: html.escape(text, quote=True)
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="1200" height="1800" '
             'viewBox="0 0 1200 1800" role="img" aria-labelledby="cover-title">',
             f'<title id="cover-title">{e(cover_alt(info))}</title>',
             '<rect width="1200" height="1800" fill="#f4f1ea"/>',
             '<rect width="1200" height="820" fill="#1f3a5f"/>',
             '<rect y="820" width="1200" height="14" fill="#b5472f"/>']
    y = 260
    for line in textwrap.wrap(info["title"], 21):
        parts.append(f'<text x="100" y="{y}" font-family="FreeSans, DejaVu Sans, sans-serif" '
                     f'font-size="76" font-weight="bold" fill="#ffffff">{e(line)}</text>')
        y += 100
    y = 960
    for line in textwrap.wrap(info["subtitle"], 44):
        parts.append(f'<text x="100" y="{y}" font-family="FreeSerif, DejaVu Serif, serif" '
                     f'font-size="42" fill="#222222">{e(line)}</text>')
        y += 58
    y += 70
    edition_line = f"Edition {info['release']}" + (f", {info['edition_date']}" if info["edition_date"] else "")
    for line in [edition_line] + ([f"Latest source: {info['latest_source']}"] if info["latest_source"] else []):
        parts.append(f'<text x="100" y="{y}" font-family="FreeSans, DejaVu Sans, sans-serif" '
                     f'font-size="40" font-weight="bold" fill="#1f3a5f">{e(line)}</text>')
        y += 56
    parts.append(f'<text x="100" y="1680" font-family="FreeSans, DejaVu Sans, sans-serif" '
                 f'font-size="40" fill="#222222">{e(info["author"])}</text>')
    return "\n".join(parts + ["</svg>"]) + "\n"


def title_page(info: dict[str, str], language: str) -> str:
    """The first page of the text: title, subtitle, the dateline and what it bounds, the editors."""
    e = html.escape
    scope = (f'<p class="dateline">Latest source: {e(info["latest_source"])}</p>\n'
             "<p>The book reports nothing published after that date.</p>\n") if info["latest_source"] else ""
    edition_line = f"Edition {info['release']}" + (f", {info['edition_date']}" if info["edition_date"] else "")
    styles = "".join(f'    <link rel="stylesheet" type="text/css" href="_static/{name}" />\n'
                     for name in ("epub.css", "briefing.css"))
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
            f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
            f'lang="{e(language)}" xml:lang="{e(language)}">\n<head>\n    <meta charset="utf-8" />\n'
            f'    <title>{e(info["title"])}</title>\n{styles}</head>\n<body epub:type="frontmatter">\n'
            f'<section class="title-page" epub:type="titlepage" aria-label="Title page">\n'
            f'<h1 class="book-title">{e(info["title"])}</h1>\n<p class="subtitle">{e(info["subtitle"])}</p>\n'
            f'<p class="dateline">{e(edition_line)}</p>\n{scope}'
            f'<p class="editors">{e(info["author"])}</p>\n</section>\n</body>\n</html>\n')


def write_front(app, outdir: Path) -> None:
    info = edition(app)
    (outdir / COVER_IMAGE).parent.mkdir(parents=True, exist_ok=True)
    (outdir / COVER_IMAGE).write_text(cover_svg(info), encoding="utf-8")
    (outdir / TITLE_PAGE).write_text(title_page(info, app.config.epub_language or app.config.language or "en"),
                                     encoding="utf-8")


# --- the PDF's order and numbering -------------------------------------------------------------

def book_parts(app) -> tuple[list[str], list[str], list[str]]:
    """The front page's toctree entries as the PDF prints them: chapters, appendices (in the
    toctrees' order) and the bibliography pages, which the PDF prints last."""
    env = app.env
    top = env.toctree_includes.get(app.config.root_doc, [])
    bibliography = {key.docname for key in env.get_domain("cite").bibliographies}
    appendices = [doc for doc in top if doc in app.config.briefing_appendices]
    chapters = [doc for doc in top if doc not in appendices and doc not in bibliography]
    return chapters, appendices, [doc for doc in top if doc in bibliography]


def part_labels(app) -> dict[str, str]:
    """"Chapter 1", "Appendix A" of each numbered page."""
    chapters, appendices, _ = book_parts(app)
    labels = {doc: f"Chapter {n}" for n, doc in enumerate(chapters, 1)}
    labels.update({doc: f"Appendix {chr(ord('A') + n)}" for n, doc in enumerate(appendices)})
    return labels


def reorder_toc(refnodes: list[dict], order: list[str], labels: dict[str, str], suffix: str) -> list[dict]:
    """The builder's table-of-contents entries (level, refuri, text) in the PDF's order: the
    entries before the first part (title page, front page) first, then each part's block (its
    entry and the deeper ones under it) in ``order``, numbered as ``labels`` say."""
    head, blocks, rest, current = [], {}, [], None
    for node in refnodes:
        doc = node["refuri"].split("#", 1)[0]
        doc = doc[:-len(suffix)] if doc.endswith(suffix) else doc
        if node["level"] == 1:
            current = blocks.setdefault(doc, []) if doc in order else None
            (current if current is not None else (rest if blocks else head)).append(node)
        else:
            (current if current is not None else (rest if blocks else head)).append(node)
    for doc, block in blocks.items():
        if doc in labels and block and block[0]["level"] == 1:
            number = labels[doc].replace("Chapter ", "")
            block[0] = {**block[0], "text": f"{number}. {block[0]['text']}"}
    return head + [node for doc in order for node in blocks.get(doc, [])] + rest


def numbering_plan(app) -> tuple[dict, dict]:
    """The PDF's numbers of the figures and tables, by document ({docname: {figtype: {id: (n,)}}}),
    and each untitled table the PDF titles ({docname: {index: (id, title)}})."""
    env = app.env
    chapters, appendices, back = book_parts(app)

    def walk(doc):
        yield doc
        for child in env.toctree_includes.get(doc, []):
            yield from walk(child)
    order = [app.config.root_doc] + [d for top in chapters + appendices + back for d in walk(top)]
    numbers, titles, counts = {}, {}, {"figure": 0, "table": 0}
    for doc in dict.fromkeys(order):
        tree = env.get_doctree(doc)
        tables = 0
        for node in tree.findall(lambda n: isinstance(n, (nodes.table, nodes.figure))):
            if isinstance(node, nodes.figure):
                if node["ids"] and any(isinstance(c, nodes.caption) for c in node.children):
                    counts["figure"] += 1
                    numbers.setdefault(doc, {}).setdefault("figure", {})[node["ids"][0]] = (counts["figure"],)
                continue
            index, tables = tables, tables + 1
            title = numbered_table_title(node)
            if title is None:
                continue
            ident = node["ids"][0] if node["ids"] else f"briefing-table-{index + 1}"
            if title.parent is not node:
                titles.setdefault(doc, {})[index] = (ident, title)
            counts["table"] += 1
            numbers.setdefault(doc, {}).setdefault("table", {})[ident] = (counts["table"],)
    return numbers, titles


def number_like_the_pdf(app, builder) -> None:
    """Before the pages are written: the e-book's numbers are the PDF's (the environment's own,
    kept for the HTML book, are recomputed at its next build)."""
    if builder.name != "epub":
        return
    numbers, titles = numbering_plan(app)
    app.env.toc_fignumbers = {doc: numbers.get(doc, {}) for doc in app.env.found_docs}
    builder.briefing_table_titles = titles


def ebook_doctree(app, doctree, docname) -> None:
    """The page as the e-book prints it: its chapter's number in its heading, an untitled table
    titled as in the PDF, and no paragraph offering a file the e-book does not carry."""
    if app.builder.name != "epub":
        return
    label = part_labels(app).get(docname)
    section = next(iter(doctree.findall(nodes.section)), None)
    if label and section is not None and isinstance(section[0], nodes.title):
        section[0].insert(0, nodes.inline("", label + " ", classes=["chapter-number"]))
    titles = getattr(app.builder, "briefing_table_titles", {}).get(docname, {})
    for index, table in enumerate(list(doctree.findall(nodes.table))):
        if index in titles:
            ident, title = titles[index]
            table.insert(0, title.deepcopy())
            if not table["ids"]:
                table["ids"].append(ident)
    for paragraph in list(doctree.findall(nodes.paragraph)):
        if paragraph.parent is not None and any(True for _ in paragraph.findall(
                lambda n: isinstance(n, (download, addnodes.download_reference)))):
            paragraph.parent.remove(paragraph)


def wrap_builder(app) -> None:
    builder = app.builder
    if builder.name != "epub":
        return
    build_content = builder.build_content

    def build_valid_content(*args, **kwargs):
        make_valid(Path(builder.outdir))
        write_front(app, Path(builder.outdir))
        # The cover page an earlier build wrote would be packed twice (Sphinx writes it anew, and
        # lists a file it finds as a page of its own).
        (Path(builder.outdir) / builder.coverpage_name).unlink(missing_ok=True)
        return build_content(*args, **kwargs)

    builder.build_content = build_valid_content
    build_epub = builder.build_epub

    def build_accessible_epub(*args, **kwargs):
        make_accessible(Path(builder.outdir), app.config.epub_language or app.config.language or "en",
                        cover_alt(edition(app)))
        return build_epub(*args, **kwargs)

    builder.build_epub = build_accessible_epub
    toc_add_files = builder.toc_add_files

    def toc_in_book_order(refnodes):
        toc_add_files(refnodes)
        chapters, appendices, back = book_parts(app)
        refnodes[:] = reorder_toc(refnodes, chapters + appendices + back, part_labels(app), builder.out_suffix)

    builder.toc_add_files = toc_in_book_order


def front_files(app, config) -> None:
    """The cover (drawn by write_front) and the title page before the front page."""
    if not config.epub_cover:
        config.epub_cover = (COVER_IMAGE, "epub-cover.html")
    if TITLE_PAGE not in [name for name, _ in config.epub_pre_files]:
        config.epub_pre_files = [(TITLE_PAGE, "Title page"), *config.epub_pre_files]


def describe(app, config) -> None:
    if config.epub_description in ("", "unknown"):
        info = edition(app)
        scope = f" Latest source: {info['latest_source']}." if info["latest_source"] else ""
        config.epub_description = f"{info['subtitle']}. Edition {info['release']}.{scope}"


def setup(app):
    app.setup_extension("briefing_latex")  # briefing_appendices; the PDF's numbering rule
    app.setup_extension("briefing_register")
    app.connect("config-inited", describe, priority=900)
    app.connect("config-inited", front_files, priority=900)
    app.connect("builder-inited", wrap_builder)
    app.connect("write-started", number_like_the_pdf)
    # Before briefing_register turns its download links into text (priority 500).
    app.connect("doctree-resolved", ebook_doctree, priority=400)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
