"""The sidebar's table of contents, made once for each place a page can hold in it.

furo writes the book's whole table of contents into the sidebar of every page, resolving it with
Sphinx and rewriting it with BeautifulSoup each time: a page costs as much more as the book is
longer, and the build grows with the square of the book. Pages in one folder with the same place
in the table of contents (listed by the same toctree of the same page, up to the front page) have
the same sidebar but for which entry is marked as the current page. So furo makes the sidebar of
the first such page, and each other page's is that one with the mark moved to its own entry.

Where the mark is not exactly as expected (a page listed twice, a page with pages listed under
it, a new form of furo's), furo makes the sidebar. ``briefing_sidebar_cache = False`` (``-D
briefing_sidebar_cache=0``) has furo make every sidebar; the tests build the book both ways and
require the same bytes.
"""

from __future__ import annotations

import html
import posixpath
import re

import furo
from sphinx import addnodes

# furo's entry for the current page, and for any other page, at a level of the table of contents.
CURRENT = '<li class="toctree-l{level} current current-page"><a class="current reference internal" href="#">'
OTHER = '<li class="toctree-l{level}"><a class="reference internal" href="{href}">'
CURRENT_LEVEL = re.compile(r'<li class="toctree-l(\d+) current current-page">'
                           r'<a class="current reference internal" href="#">')

_made_by_furo = furo._compute_navigation_tree


def places(env) -> dict[str, tuple]:
    """Each page listed once in the table of contents with nothing listed under it, and its
    place there: (the page listing it, which of that page's toctrees), then the same for that
    page, up to a page no toctree lists."""
    listed: dict[str, list[tuple[str, int]]] = {}
    for parent in sorted(env.toctree_includes):
        toctrees = env.get_doctree(parent).findall(addnodes.toctree)
        for number, toctree in enumerate(toctrees):
            for child in toctree["includefiles"]:
                listed.setdefault(child, []).append((parent, number))

    def place(docname: str, seen: frozenset) -> tuple | None:
        parents = listed.get(docname, [])
        if not parents:
            return ()
        if len(parents) > 1 or docname in seen:
            return None
        above = place(parents[0][0], seen | {docname})
        return None if above is None else (parents[0], *above)

    found = {}
    for docname in listed:
        if docname not in env.toctree_includes and (where := place(docname, frozenset())) is not None:
            found[docname] = where
    return found


class Sidebars:
    """The sidebars made in one build, by place and folder."""

    def __init__(self, app) -> None:
        self.builder = app.builder
        self.places = places(app.env)
        self.made: dict[tuple, tuple[str, str]] = {}  # (place, folder) -> (page, its sidebar)

    def navigation_tree(self, context) -> str:
        page = context.get("pagename")
        where = self.places.get(page)
        if where is None or "toctree" not in context:
            return _made_by_furo(context)
        key = (where, posixpath.dirname(self.builder.get_target_uri(page)))
        if key in self.made:
            first, sidebar = self.made[key]
            moved = self.moved(sidebar, first, page)
            if moved is not None:
                return moved
            return _made_by_furo(context)
        sidebar = _made_by_furo(context)
        if len(CURRENT_LEVEL.findall(sidebar)) == 1:
            self.made[key] = (page, sidebar)
        return sidebar

    def moved(self, sidebar: str, first: str, page: str) -> str | None:
        """``first``'s sidebar with the current-page mark moved to ``page``'s entry; None if
        either entry is not there exactly once."""
        level = CURRENT_LEVEL.search(sidebar)[1]
        current = CURRENT.format(level=level)
        first_entry = OTHER.format(level=level, href=html.escape(self.builder.get_relative_uri(page, first)))
        page_entry = OTHER.format(level=level, href=html.escape(self.builder.get_relative_uri(first, page)))
        if sidebar.count(current) != 1 or sidebar.count(page_entry) != 1 or first_entry in sidebar:
            return None
        return sidebar.replace(current, first_entry).replace(page_entry, current)


def start(app, env) -> list[str]:
    """Once the pages are read (the table of contents is known), before any is written."""
    if app.config.briefing_sidebar_cache and app.builder.name in ("html", "dirhtml") and \
            app.config.html_theme == "furo":
        furo._compute_navigation_tree = Sidebars(app).navigation_tree
    return []


def finish(app, exception) -> None:
    furo._compute_navigation_tree = _made_by_furo


def setup(app):
    app.add_config_value("briefing_sidebar_cache", True, "", types=frozenset({bool}))  # the same pages either way
    app.connect("env-updated", start, priority=900)
    app.connect("build-finished", finish)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
