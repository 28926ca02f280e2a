"""Open Graph tags for link previews: og:title, og:type, og:site_name and og:description on every
HTML page, and og:url only where the book has a web address (html_baseurl).

Written here rather than by sphinxext-opengraph, whose import loads its social-card module and
with it matplotlib on every build (about a second of start-up) for images this book never makes.
A page's description is its ``og:description`` metadata (source pages set one) or the start of
its first paragraph.
"""

from __future__ import annotations

import html
import re

from docutils import nodes

DESCRIPTION_LENGTH = 200


def _description(app, pagename: str, doctree) -> str:
    given = app.env.metadata.get(pagename, {}).get("og:description")
    if given:
        return str(given)
    para = next(iter(doctree.findall(nodes.paragraph)), None)
    text = re.sub(r"\s+", " ", _plain(para)).strip() if para is not None else ""
    if len(text) <= DESCRIPTION_LENGTH:
        return text
    cut = text[:DESCRIPTION_LENGTH - 1]
    # End at the last full sentence that fits, else at a word.
    sentence = max(cut.rfind(". "), cut.rfind("; "))
    return cut[:sentence + 1] if sentence > DESCRIPTION_LENGTH // 2 else cut.rsplit(" ", 1)[0] + "…"


def _plain(para) -> str:
    """The paragraph's words without its citations and their ¶ links: a link preview, or a
    reference manager's abstract, is prose, not "(Interfax, 22 Sep 2022, ¶9)"."""
    copy = para.deepcopy()
    for node in list(copy.findall(nodes.Element)):
        if "bibtex-citation" in node.get("classes", ()) or node.get("refdomain") == "cite":
            node.parent.remove(node)
    return re.sub(r"\s+([.,;:!?])", r"\1", copy.astext().replace("¶", ""))


def add_tags(app, pagename, templatename, context, doctree) -> None:
    if app.builder.format != "html" or doctree is None:
        return
    title = html.unescape(re.sub(r"<[^>]+>", "", context.get("title") or app.config.project))
    # og:type is "website" unless the page says otherwise (briefing_metadata sets "book" for the
    # front page and "article" for a chapter, as reference managers read it).
    og_type = str(app.env.metadata.get(pagename, {}).get("og:type", "website"))
    tags = {"og:title": title, "og:type": og_type, "og:site_name": app.config.project,
            "og:description": _description(app, pagename, doctree)}
    if app.config.html_baseurl:
        tags["og:url"] = app.config.html_baseurl + app.builder.get_target_uri(pagename)
    context["metatags"] = context.get("metatags", "") + "".join(
        f'\n<meta property="{name}" content="{html.escape(value)}" />' for name, value in tags.items() if value)


def setup(app):
    app.connect("html-page-context", add_tags)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
