"""Metadata for reference managers on every HTML page: Highwire Press ``citation_*`` and Dublin
Core meta tags and a schema.org JSON-LD record (the book on the front page, a chapter of it on
the others, a web page of it on a source page), plus a COinS record of each source article on
the bibliography page and on the article's own source page, so that Zotero, Mendeley and the
like save the article with its outlet, headline, date and address.

The rules are in tools/briefing/metadata.py; each value has one origin: conf.py (title, author,
version, language, address), CITATION.cff (release date, abstract, keywords) and references.bib
(the articles).
"""

from __future__ import annotations

import dataclasses
import html
import json
import re
from pathlib import Path

from docutils import nodes

from briefing.metadata import (BOOK, CHAPTER, OG_TYPES, SOURCE_PAGE, Article, article_from_entry,
                               book_from, coins_span, meta_tags, page_jsonld, shared_cff)
from briefing_sources import corpus


def _book(app):
    cff_path = Path(app.srcdir) / app.config.briefing_citation_file
    cff = shared_cff(cff_path) if cff_path.is_file() else {}
    config = app.config
    return book_from(config.project, config.author, config.release, config.language, cff,
                     config.html_baseurl or "")


def _articles(app) -> dict[str, Article]:
    """Each article, with the address of its archived copy (its source page: absolute where the
    book has an address, else the page's path within the book)."""
    entries = app.env.get_domain("cite").bibdata.data.entries
    sources = corpus(app.env).sources
    base = app.config.html_baseurl or ""
    articles = {}
    for key, entry in entries.items():
        article = article_from_entry(key, entry)
        source = sources.get(key)
        if source is not None and source.page in app.env.all_docs:
            article = dataclasses.replace(article, archived_at=base + app.builder.get_target_uri(source.page))
        articles[key] = article
    return articles


def page_kind(app, docname: str) -> str:
    if docname == app.config.root_doc:
        return BOOK
    if corpus(app.env).source_on_page(docname) is not None:
        return SOURCE_PAGE
    return CHAPTER


def note_og_type(app, doctree) -> None:
    """The Open Graph type briefing_opengraph writes, matching the page's kind."""
    docname = app.env.docname
    app.env.metadata[docname]["og:type"] = OG_TYPES[page_kind(app, docname)]


def _source_of(app, docname: str) -> str | None:
    source = corpus(app.env).source_on_page(docname)
    return source.key if source else None


def _cited_keys(app, docname: str, doctree) -> list[str]:
    """The articles a page cites, in the order of first citation, then any it lists (the
    bibliography)."""
    domain = app.env.get_domain("cite")
    keys: list[str] = []
    for ref in domain.citation_refs:
        if ref.docname == docname:
            keys += [target.key for target in ref.targets if target.key not in keys]
    by_id = {c.citation_id: c.key for c in domain.citations if c.citation_id}
    for citation in doctree.findall(nodes.citation):
        keys += [by_id[i] for i in citation["ids"] if i in by_id and by_id[i] not in keys]
    return keys


def add_coins(app, doctree, docname) -> None:
    """A COinS record inside each bibliography entry, and one on a source page after the table
    of what is known of the source."""
    if app.builder.format != "html":
        return
    articles = _articles(app)
    by_id = {c.citation_id: c.key for c in app.env.get_domain("cite").citations if c.citation_id}
    for citation in doctree.findall(nodes.citation):
        key = next((by_id[i] for i in citation["ids"] if i in by_id), None)
        para = next(iter(citation.findall(nodes.paragraph)), None)
        if key in articles and para is not None:
            para += nodes.raw("", coins_span(articles[key]), format="html")
    key = _source_of(app, docname)
    if key in articles:
        for table in doctree.findall(nodes.table):
            if f"{key}-facts" in table["ids"]:
                table.parent.insert(table.parent.index(table) + 1,
                                    nodes.raw("", coins_span(articles[key]), format="html"))
                break


def add_metadata(app, pagename, templatename, context, doctree) -> None:
    if app.builder.format != "html" or doctree is None:
        return
    book = _book(app)
    kind = page_kind(app, pagename)
    title = html.unescape(re.sub(r"<[^>]+>", "", context.get("title") or app.config.project))
    if kind == BOOK:
        title = book.title
    base = app.config.html_baseurl or ""
    url = base + app.builder.get_target_uri(pagename) if base else ""
    book_url = base + app.builder.get_target_uri(app.config.root_doc) if base else ""
    articles = _articles(app)
    source = _source_of(app, pagename)
    cites = [articles[key] for key in _cited_keys(app, pagename, doctree) if key in articles]
    record = page_jsonld(kind, title, book, url, book_url, cites=cites,
                         about=articles.get(source) if source else None)
    tags = "".join(f'\n<meta name="{name}" content="{html.escape(value)}" />'
                   for name, value in meta_tags(kind, title, book, url))
    # "</" cannot close the script element early: JSON allows "<\/".
    script = json.dumps(record, ensure_ascii=False, indent=1).replace("</", "<\\/")
    tags += f'\n<script type="application/ld+json" id="page-metadata">\n{script}\n</script>'
    context["metatags"] = context.get("metatags", "") + tags


def setup(app):
    app.setup_extension("briefing_sources")
    app.add_config_value("briefing_citation_file", "CITATION.cff", "html", types=frozenset({str}))
    app.connect("doctree-read", note_og_type)
    app.connect("doctree-resolved", add_coins)
    app.connect("html-page-context", add_metadata)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
