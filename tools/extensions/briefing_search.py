"""The HTML book's search and its page for addresses that do not exist.

- **Figures are searchable.** Sphinx's search never indexes numbers, yet figures ("142,000",
  "59") are what readers of this book look for. After the build, every number printed in a
  page's text (outside links) becomes an entry of the search index's index-entry table, pointing
  at the block that prints it (the innermost element with an id: a paragraph, list item, table
  row, caption or archived passage; briefing.htmlpage reads them), so a search for "142,000"
  lists those blocks and opens each at its place. The entries are made from the built pages, in a fixed order: the same book gives
  the same ``searchindex.js``. What each page holds is kept beside the doctrees under a digest of
  the page, so a rebuild parses only the pages it rewrote.
- **Glossary entries stay in the index.** Sphinx keeps the index entries of a page (the
  glossary's terms) only for pages written in the same build, so a rebuild that rewrites the
  glossary page not would drop them from the search; they are taken again from the saved
  doctrees.
- **A 404 page.** ``404.html``, self-contained (its style inline, nothing loaded from anywhere),
  for a web server to show at any address. Its links are absolute, made from the address the
  book is published at (``html_baseurl``: Read the Docs' canonical URL or ``BRIEFING_BASEURL``),
  so they work at any depth; a build that does not know that address makes no 404 page (relative
  links would break below the root). It is written last, after the built-HTML link check, which
  would count it as an orphan page (it is linked from nowhere, by design).
"""

from __future__ import annotations

import html
import json
import os
from pathlib import Path

from sphinx.util.index_entries import split_index_msg
from briefing import htmlpage, kept
from briefing.htmlpage import read_page

def search_terms(number: str) -> set[str]:
    """The keys a number is found under: as printed, and without thousands separators."""
    return {number, number.replace(",", "")}


def restore_index_entries(app, *args):
    """html-collect-pages: the index entries of every page the indexer knows, not only of the
    pages written in this build. They are those the index domain kept when it read each page (the
    same entries, without loading each unwritten page's doctree), made into search entries as the
    indexer makes them."""
    indexer = getattr(app.builder, "indexer", None)
    if indexer is None:
        return []
    kept_entries = app.env.get_domain("index").entries
    for docname in sorted(indexer._titles):
        if docname in indexer._index_entries or docname not in app.env.all_docs:
            continue
        entries = set()
        for entry_type, value, target_id, main, _key in kept_entries.get(docname, ()):
            try:
                result = split_index_msg(entry_type, value)
            except ValueError:
                continue
            target_id = target_id or ""
            if entry_type in {"see", "seealso"}:
                entries.add((result[0], target_id, main))
            entries |= {(x, target_id, main) for x in result}
        indexer._index_entries[docname] = sorted(entries)
    return []


def _numbers_cache(app) -> Path:
    # Beside the doctrees, one per builder: the numbers of each built page as last read.
    return Path(app.doctreedir) / f"briefing-search-numbers-{app.builder.name}.pickle"


def page_numbers(page: Path, known: dict) -> list[tuple[str, str]]:
    """The numbers of a built page and their blocks; a page whose bytes are those last read (one
    this build did not rewrite) is not parsed again (read_page)."""
    digest, model = read_page(page, known.get(str(page), (None,))[0])
    if model is not None:
        known[str(page)] = (digest, model.numbers)
    return known[str(page)][1]


def add_numbers(app, exception) -> None:
    builder = app.builder
    if exception is not None or builder.format != "html" or not getattr(builder, "search", False) \
            or getattr(builder, "indexer", None) is None:
        return
    path = Path(builder.outdir) / builder.searchindex_filename
    if not path.is_file():
        return
    text = path.read_text(encoding="utf-8")
    prefix, suffix = "Search.setIndex(", ")"
    if not (text.startswith(prefix) and text.endswith(suffix)):
        return
    index = json.loads(text[len(prefix):-len(suffix)])
    entries = index.setdefault("indexentries", {})
    # Kept under the reader's code too: a page read by another reader may hold other numbers.
    code = kept.code_digest(htmlpage)
    kept_numbers, read = kept.load(_numbers_cache(app), outdir=str(app.outdir), code=code), {}
    for number, docname in enumerate(index["docnames"]):
        page = Path(builder.outdir) / builder.get_target_uri(docname)
        if not page.is_file():
            continue
        seen = set()
        for printed, block in page_numbers(page, kept_numbers):
            for term in search_terms(printed):
                if (term, block) in seen:
                    continue
                seen.add((term, block))
                entries.setdefault(term, []).append([number, block, True])
        read[str(page)] = kept_numbers[str(page)]
    for key in entries:
        entries[key] = sorted({tuple(e) for e in entries[key]}, key=lambda e: (e[0], e[1] or "", e[2]))
        entries[key] = [list(e) for e in entries[key]]
    partial = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    partial.write_text(prefix + json.dumps(index, separators=(",", ":"), sort_keys=True) + suffix, encoding="utf-8")
    os.replace(partial, path)
    kept.save(_numbers_cache(app), read, outdir=str(app.outdir), code=code)


NOT_FOUND = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Page not found – {title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem;
       line-height: 1.5; color: #1a1a1a; background: #fff; }}
a {{ color: #0645ad; }}
@media (prefers-color-scheme: dark) {{ body {{ color: #e6e6e6; background: #131416; }} a {{ color: #8ab4f8; }} }}
</style>
</head>
<body>
<main>
<h1>Page not found</h1>
<p>No page of <cite>{title}</cite> is at this address. It may have moved, or the address may be
mistyped.</p>
<ul>
<li><a href="{root}index.html">The front page and the table of contents</a></li>
<li><a href="{root}search.html">Search the book</a></li>
</ul>
</main>
</body>
</html>
"""


def remove_not_found(app) -> None:
    # The check of the built HTML must not meet the last build's copy either.
    if app.builder.name in {"html", "dirhtml"}:
        (Path(app.outdir) / "404.html").unlink(missing_ok=True)


def write_not_found(app, exception) -> None:
    builder = app.builder
    if exception is not None or builder.name not in {"html", "dirhtml"}:
        return
    root = app.config.html_baseurl
    if not root:
        return
    root = root if root.endswith("/") else root + "/"
    page = NOT_FOUND.format(lang=html.escape(app.config.language or "en"),
                            title=html.escape(app.config.html_title or app.config.project),
                            root=html.escape(root))
    (Path(builder.outdir) / "404.html").write_text(page, encoding="utf-8")


def setup(app):
    app.connect("html-collect-pages", restore_index_entries)
    app.connect("build-finished", add_numbers)
    app.connect("builder-inited", remove_not_found)
    app.connect("build-finished", write_not_found, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
