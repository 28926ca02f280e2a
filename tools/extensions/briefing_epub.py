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


def describe(app, config) -> None:
    if config.epub_description in ("", "unknown"):
        info = edition(app)
        scope = f" Latest source: {info['latest_source']}." if info["latest_source"] else ""
        config.epub_description = f"{info['subtitle']}. Edition {info['release']}.{scope}"


def setup(app):
    app.connect("config-inited", describe, priority=900)
    app.connect("builder-inited", wrap_builder)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
