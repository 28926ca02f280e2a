""""Cite this page" at the end of every HTML page: a plain-text reference and a BibTeX entry
with the page's stable address; a source page also gives the reference and the references.bib
entry of the source article itself.

The address is ``html_baseurl`` plus the page's path. Without a base URL (a local build) the
reference gives the page's path within the book and says so. HTML only: the PDF has its own
bibliography and no per-page block.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pybtex.plugin

from briefing.dates import month_abbreviation
from briefing_sources import registry

# Characters BibTeX treats specially inside a braced field.
_BIBTEX_SPECIAL = re.compile(r"([&%$#_])")


def bibtex_escape(text: str) -> str:
    return _BIBTEX_SPECIAL.sub(r"\\\1", text).replace("{", "").replace("}", "")


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
    config = app.config
    key = "briefingbook-" + re.sub(r"[^A-Za-z0-9]+", "-", pagename).strip("-")
    fields = [
        ("title", "{" + bibtex_escape(title) + "}"),
        ("author", "{" + bibtex_escape(config.author) + "}"),
        ("howpublished", "In {" + bibtex_escape(config.project) + "}, version " + config.release),
    ]
    date = release_year_month(config.release)
    if date:
        fields.append(("year", date[0]))
    fields.append(("url", url))
    lines = [f"  {name:<12} = {{{value}}}," for name, value in fields]
    if date:
        lines.insert(-1, f"  {'month':<12} = {date[1]},")
    return "@misc{" + key + ",\n" + "\n".join(lines) + "\n}"


def page_reference(app, title: str, url: str) -> str:
    # The pattern chapters/how-to-cite.md documents for a chapter.
    config = app.config
    return f"{config.author}. “{title}”. In {config.project}, version {config.release}. {url}"


def bib_entry_text(bibfile: Path, key: str) -> str | None:
    """The entry ``key`` exactly as references.bib writes it (braces balanced)."""
    text = bibfile.read_text(encoding="utf-8")
    match = re.search(r"@\w+\s*\{\s*" + re.escape(key) + r"\s*,", text)
    if not match:
        return None
    depth = 0
    for end in range(match.start(), len(text)):
        if text[end] == "{":
            depth += 1
        elif text[end] == "}":
            depth -= 1
            if depth == 0:
                return text[match.start():end + 1]
    return None


def source_reference(app, key: str) -> str | None:
    """The source as the book's bibliography formats it, in plain text."""
    entries = app.env.get_domain("cite").bibdata.data.entries
    if key not in entries:
        return None
    style = pybtex.plugin.find_plugin("pybtex.style.formatting", app.config.bibtex_default_style)()
    entry = next(iter(style.format_entries([entries[key]])))
    return entry.text.render_as("text")


def _block(heading: str, reference: str, bibtex: str) -> str:
    # The BibTeX wraps (briefing.css) rather than scrolls, so it needs no keyboard focus.
    return (
        f'<div class="cite-block">\n<p class="cite-heading">{html.escape(heading)}</p>\n'
        f'<p class="cite-reference">{html.escape(reference)}</p>\n'
        f'<pre class="cite-bibtex"><code>{html.escape(bibtex)}</code></pre>\n</div>\n')


def cite_html(app, pagename: str, title: str) -> str:
    url = page_url(app, pagename)
    note = ("" if app.config.html_baseurl else
            '<p class="cite-note">This copy of the book has no configured web address: the address '
            "in the reference is the page's path within the book; put the address you read it at "
            "in front of it.</p>\n")
    parts = [_block("This page", page_reference(app, title, url), page_bibtex(app, pagename, title, url))]
    source = next((s for s in registry(app).values() if s.page == pagename), None)
    bibfiles = app.config.bibtex_bibfiles
    if source is not None and bibfiles:
        entry = bib_entry_text(Path(app.srcdir) / bibfiles[0], source.key)
        reference = source_reference(app, source.key)
        if entry and reference:
            parts.append(_block("The source article", reference, entry))
    return ('<section class="cite-this-page" id="cite-this-page" aria-labelledby="cite-this-page-title">\n'
            '<h2 id="cite-this-page-title">Cite this page</h2>\n' + note + "".join(parts) +
            '<p class="cite-note">Add the date you consulted the page.</p>\n</section>\n')


def add_cite_block(app, pagename, templatename, context, doctree) -> None:
    # Pages without a doctree (search, general index) are not content to cite.
    if app.builder.format != "html" or doctree is None or "body" not in context:
        return
    title = re.sub(r"<[^>]+>", "", context.get("title") or app.config.project)
    context["body"] += cite_html(app, pagename, html.unescape(title))


def setup(app):
    app.connect("html-page-context", add_cite_block)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
