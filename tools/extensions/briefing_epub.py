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
metadata, and tab labels whose colours meet WCAG AA contrast.
"""

from __future__ import annotations

import re
from pathlib import Path

from briefing_latex import edition

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
# sphinx-design's tab labels are light grey (inactive, 2.4:1) and light blue (active, 4.3:1) on
# white: darker ones meet WCAG AA's 4.5:1 for normal text.
TAB_CONTRAST = """
.sd-tab-set > label { color: #4d4d4d !important; }
.sd-tab-set > input:checked + label { color: #1a4fd6 !important; border-color: #1a4fd6 !important; }
"""


def with_language(text: str, language: str) -> str:
    """The root element names the document's language, as EPUB reading systems and Ace expect."""
    def add(match):
        attributes = match.group(1)
        if " lang=" in attributes:
            return match.group(0)
        return f'<html{attributes} lang="{language}" xml:lang="{language}">'
    return HTML_TAG.sub(add, text, count=1)


def with_accessibility(opf: str) -> str:
    if "schema:accessMode" in opf:
        return opf
    metas = "".join(f'    <meta property="{name}">{value}</meta>\n' for name, value in ACCESSIBILITY)
    return opf.replace("  </metadata>", metas + "  </metadata>", 1)


def make_accessible(outdir: Path, language: str) -> None:
    outdir = Path(outdir)
    for path in sorted(outdir.rglob("*.xhtml")):
        text = path.read_text(encoding="utf-8")
        fixed = with_language(text, language)
        if path.name == "nav.xhtml":
            fixed = TOC_NAV.sub('<nav epub:type="toc" role="doc-toc"', fixed)
        if fixed != text:
            path.write_text(fixed, encoding="utf-8")
    opf = outdir / "content.opf"
    if opf.is_file():
        opf.write_text(with_accessibility(opf.read_text(encoding="utf-8")), encoding="utf-8")
    css = outdir / "_static" / "briefing.css"
    if css.is_file() and TAB_CONTRAST not in css.read_text(encoding="utf-8"):
        css.write_text(css.read_text(encoding="utf-8") + TAB_CONTRAST, encoding="utf-8")


def make_valid(outdir: Path) -> None:
    for path in sorted(Path(outdir).rglob("*")):
        fix = FIXES.get(path.suffix)
        if fix is None or not path.is_file() or "META-INF" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        fixed = fix(text)
        if fixed != text:
            path.write_text(fixed, encoding="utf-8")


def wrap_builder(app) -> None:
    builder = app.builder
    if builder.name != "epub":
        return
    build_content = builder.build_content

    def build_valid_content(*args, **kwargs):
        make_valid(Path(builder.outdir))
        return build_content(*args, **kwargs)

    builder.build_content = build_valid_content
    build_epub = builder.build_epub

    def build_accessible_epub(*args, **kwargs):
        make_accessible(Path(builder.outdir), app.config.epub_language or app.config.language or "en")
        return build_epub(*args, **kwargs)

    builder.build_epub = build_accessible_epub


def describe(app, config) -> None:
    if config.epub_description in ("", "unknown"):
        info = edition(app)
        scope = f" Latest source: {info['latest_source']}." if info["latest_source"] else ""
        config.epub_description = f"{info['subtitle']}. Edition {info['release']}.{scope}"


def setup(app):
    app.connect("config-inited", describe, priority=900)
    app.connect("builder-inited", wrap_builder)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
