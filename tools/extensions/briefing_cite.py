""""Cite this page" at the end of every HTML page: a plain-text reference and a BibTeX entry
with the page's stable address; a source page also gives the reference and the references.bib
entry of the source article itself.

The address is ``html_baseurl`` plus the page's path. Without a base URL (a local build) the
reference gives the page's path within the book (a comment in the page tells the editor). HTML
only: the PDF has its own bibliography and the e-book its "How to cite", and no per-page block.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import NamedTuple

import jinja2
import pybtex.plugin

from briefing.bibfile import BibFile, entry_text, shared_bib
from briefing.dates import month_abbreviation
from briefing_sources import corpus

# The markup is in templates/cite-this-page.html, escaped by Jinja (as Sphinx's own templates are).
TEMPLATES = jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
                               autoescape=True, trim_blocks=True, lstrip_blocks=True,
                               keep_trailing_newline=True, undefined=jinja2.StrictUndefined)


def release_year_month(release: str) -> tuple[str, str] | None:
    """The book's releases are numbered YYYY.MM; that is the date a reader cites."""
    match = re.match(r"^(\d{4})\.(\d{1,2})\b", release)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return match.group(1), month_abbreviation(int(match.group(2)))


def page_url(app, pagename: str) -> str:
    """The page's stable address, or its path within the book when no base URL is configured."""
    return (app.config.html_baseurl or "") + app.builder.get_target_uri(pagename)


def page_bibtex(app, pagename: str, title: str, url: str) -> str:
    """The page's BibTeX entry, written by pybtex (briefing.bibfile): the front page's is the
    whole book (@book), any other page's a part of it (@inbook, which biblatex asks no editor of). Titles in braces, so that
    BibTeX styles keep their capitals; the editors an organisation, kept whole (double braces),
    as author and publisher; the edition, year and month of the release."""
    config = app.config
    key = "briefingbook-" + re.sub(r"[^A-Za-z0-9]+", "-", pagename).strip("-")
    whole = pagename == config.root_doc
    fields = {"title": "{" + _unbraced(config.project if whole else title) + "}"}
    if not whole:
        fields["booktitle"] = "{" + _unbraced(config.project) + "}"
    fields["publisher"] = "{" + _unbraced(config.author) + "}"
    fields["edition"] = config.release
    date = release_year_month(config.release)
    if date:
        fields["year"] = date[0]
        fields["month"] = date[1]
    fields["url"] = url
    text = entry_text(key, "book" if whole else "inbook", fields, {"author": ["{" + _unbraced(config.author) + "}"]})
    # The month as BibTeX's macro (nov), which biber reads as a month; pybtex's writer braces it.
    return re.sub(r"(\n  month\s+= )\{(\w+)\}", r"\1\2", text)


def _unbraced(text: str) -> str:
    # A brace in a title would unbalance the entry's own; the writer escapes everything else.
    return text.replace("{", "").replace("}", "")


def page_reference(app, pagename: str, title: str, url: str) -> str:
    """The forms chapters/how-to-cite.md documents: the book, or a part of it."""
    config = app.config
    date = release_year_month(config.release)
    year = f" {date[0]}." if date else ""
    if pagename == config.root_doc:
        return f"{config.author}.{year} {config.project}. Edition {config.release}. {config.author}. {url}"
    return (f"{config.author}.{year} “{title}”. In {config.project}, edition {config.release}. "
            f"{config.author}. {url}")


def bibfile(app) -> BibFile | None:
    """The book's first .bib file (None when there is none)."""
    if not app.config.bibtex_bibfiles:
        return None
    name = app.config.bibtex_bibfiles[0]
    return shared_bib(Path(app.srcdir) / name, name)


def source_reference(app, key: str) -> str | None:
    """The source as the book's bibliography formats it, in plain text."""
    entries = app.env.get_domain("cite").bibdata.data.entries
    if key not in entries:
        return None
    style = pybtex.plugin.find_plugin("pybtex.style.formatting", app.config.bibtex_default_style)()
    entry = next(iter(style.format_entries([entries[key]])))
    return entry.text.render_as("text")


class CiteBlock(NamedTuple):
    heading: str  #: "This page" or "The source article"
    reference: str  #: the plain-text reference
    bibtex: str  #: the BibTeX entry


def cite_html(app, pagename: str, title: str) -> str:
    url = page_url(app, pagename)
    heading = "The book" if pagename == app.config.root_doc else "This page"
    blocks = [CiteBlock(heading, page_reference(app, pagename, title, url), page_bibtex(app, pagename, title, url))]
    source = corpus(app.env).source_on_page(pagename)
    bib = bibfile(app)
    if source is not None and bib is not None:
        entry = bib.raw(source.key)
        reference = source_reference(app, source.key)
        if entry and reference:
            blocks.append(CiteBlock("The source article", reference, entry))
    return TEMPLATES.get_template("cite-this-page.html").render(
        blocks=blocks, has_address=bool(app.config.html_baseurl))


def add_cite_block(app, pagename, templatename, context, doctree) -> None:
    # Pages without a doctree (search, general index) are not content to cite; an e-book is cited
    # as a whole, from "How to cite", not page by page.
    if app.builder.format != "html" or app.builder.name == "epub" or doctree is None or "body" not in context:
        return
    title = re.sub(r"<[^>]+>", "", context.get("title") or app.config.project)
    context["body"] += cite_html(app, pagename, html.unescape(title))


def setup(app):
    app.connect("html-page-context", add_cite_block)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
