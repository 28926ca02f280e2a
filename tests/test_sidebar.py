"""briefing_sidebar: the sidebar of a page is furo's sidebar of another page in the same place of
the table of contents, with the current-page mark moved; never where the move is not exact.
(tests/test_reproducible.py builds the whole book both ways and requires the same bytes.)"""

from __future__ import annotations

from types import SimpleNamespace

import furo
from sphinx.util.osutil import relative_uri

import briefing_sidebar
from briefing_sidebar import Sidebars

TOCTREE = """<p class="caption" role="heading" aria-level="2"><span class="caption-text">Chapters</span></p>
<ul class="current">
{entries}
</ul>
"""


def entry(page: str, current: str) -> str:
    if page == current:
        return f'<li class="toctree-l1 current"><a class="current reference internal" href="#">{page}</a></li>'
    return f'<li class="toctree-l1"><a class="reference internal" href="{page}.html">{page}</a></li>'


def context(current: str, pages=("one", "two", "three")) -> dict:
    html = TOCTREE.format(entries="\n".join(entry(page, current) for page in pages))
    return {"pagename": current, "toctree": lambda **options: html}


def sidebars() -> Sidebars:
    made = Sidebars.__new__(Sidebars)
    made.builder = SimpleNamespace(get_target_uri=lambda doc: f"{doc}.html",
                                   get_relative_uri=lambda a, b: relative_uri(f"{a}.html", f"{b}.html"))
    made.places = {page: (("index", 0),) for page in ("one", "two", "three")}
    made.made = {}
    return made


def test_a_sidebar_is_furos_with_the_mark_moved():
    made = sidebars()
    for page in ("one", "two", "three", "one"):
        assert made.navigation_tree(context(page)) == furo._compute_navigation_tree(context(page)), page
    assert list(made.made.values())[0][0] == "one"


def test_where_the_mark_cannot_be_moved_exactly_furo_makes_the_sidebar(monkeypatch):
    made = sidebars()
    made.navigation_tree(context("one"))
    first = made.made[next(iter(made.made))][1]
    calls = []
    by_furo = briefing_sidebar._made_by_furo
    monkeypatch.setattr(briefing_sidebar, "_made_by_furo", lambda ctx: calls.append(ctx["pagename"]) or by_furo(ctx))
    # "four" is given the same place but has no entry in the first page's sidebar.
    made.places["four"] = made.places["one"]
    four = context("four", pages=("one", "four"))
    assert made.navigation_tree(four) == by_furo(four)
    assert calls == ["four"]
    assert made.moved(first, "one", "four") is None
    twice = first.replace('href="two.html"', 'href="#"').replace('"toctree-l1"><a class="reference', '"toctree-l1 current current-page"><a class="current reference', 1)
    assert made.moved(twice, "one", "three") is None  # two marks: which one to move is not known


def test_a_place_is_one_toctree_of_one_page_up_to_the_front_page():
    from docutils import nodes
    from sphinx import addnodes

    def doctree(*lists):
        document = nodes.section()
        for files in lists:
            toctree = addnodes.toctree()
            toctree["includefiles"] = list(files)
            document += toctree
        return document

    doctrees = {"index": doctree(["one", "two", "part"], ["ref", "two"]), "part": doctree(["leaf"])}
    env = SimpleNamespace(toctree_includes={"index": ["one", "two", "part", "ref", "two"], "part": ["leaf"]},
                          get_doctree=doctrees.__getitem__)
    assert briefing_sidebar.places(env) == {
        "one": (("index", 0),), "ref": (("index", 1),), "leaf": (("part", 0), ("index", 0))}
    # "two" is listed twice and "part" has pages under it: furo makes their sidebars.
