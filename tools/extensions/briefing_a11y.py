"""Accessible HTML: fixes for markup that Sphinx, docutils and the theme produce and that
assistive technology misreads (found by axe-core; tests/test_accessibility.py keeps it at zero).

- Toctree captions carry role="heading" without aria-level: add the level.
- Citation lists carry role="list" around entries with the deprecated role "doc-biblioentry",
  so the list has no list items: the entries become role="listitem".
- The theme's two sidebars are both unnamed <aside> landmarks: give each a name.
- The search page has no level-one heading: add one.
- The theme wraps each table in a container and copies the table's ids onto it: keep them on
  the table only.
- A figure caption with an id (the claims rule gives each cited caption one) repeats the id on
  its inner text: keep it on the caption only, as ids must be unique.

Node handlers run inside each writer process and the page filter is a pure function of the
page, so parallel builds are unaffected.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.jinja2glue import BuiltinTemplateLoader
from sphinx.transforms.post_transforms import SphinxPostTransform

TOCTREE_CAPTION = 'class="caption" role="heading"'
LANDMARKS = {
    '<aside class="sidebar-drawer">': '<aside class="sidebar-drawer" aria-label="Site navigation">',
    '<aside class="toc-drawer">': '<aside class="toc-drawer" aria-label="On this page">',
    '<aside class="toc-drawer no-toc">': '<aside class="toc-drawer no-toc" aria-label="On this page">',
}
SEARCH_RESULTS = '<div id="search-results">'


def visit_title(self, node):
    type(self).visit_title(self, node)
    # Toctree captions head the list of chapters beneath the page title: level two.
    for i in range(max(0, len(self.body) - 2), len(self.body)):
        if TOCTREE_CAPTION in self.body[i]:
            self.body[i] = self.body[i].replace(TOCTREE_CAPTION, TOCTREE_CAPTION + ' aria-level="2"')


def depart_title(self, node):
    type(self).depart_title(self, node)


def visit_citation(self, node):
    type(self).visit_citation(self, node)
    self.body[-1] = self.body[-1].replace('role="doc-biblioentry"', 'role="listitem"')


def depart_citation(self, node):
    type(self).depart_citation(self, node)


def visit_caption(self, node):
    type(self).visit_caption(self, node)
    if isinstance(node.parent, nodes.figure) and node["ids"]:
        self.body[-1] = re.sub(r' id="[^"]*"', "", self.body[-1], count=1)


def depart_caption(self, node):
    type(self).depart_caption(self, node)


class UniqueTableIds(SphinxPostTransform):
    """Runs after the theme's table wrapping (priority 500)."""

    formats = ("html",)
    default_priority = 510

    def run(self, **kwargs):
        for wrapper in self.document.findall(nodes.container):
            if "table-wrapper" not in wrapper["classes"]:
                continue
            inner = {i for table in wrapper.findall(nodes.table) for i in table["ids"]}
            wrapper["ids"] = [i for i in wrapper["ids"] if i not in inner]


class TabLabelsWithoutAriaControls(SphinxPostTransform):
    """sphinx-design points each tab's <label> at its panel with aria-controls, which HTML does
    not allow on a label associated with a control (the Nu HTML Checker's error); the label's
    ``for`` already ties it to its radio button."""

    formats = ("html",)
    default_priority = 510

    def run(self, **kwargs):
        for node in self.document.findall(nodes.Element):
            if type(node).__name__ == "sd_tab_label":
                node.attributes.pop("aria_controls", None)


def fix_page(html: str) -> str:
    """The fixes that concern the theme's page template rather than the document body."""
    for old, new in LANDMARKS.items():
        html = html.replace(old, new)
    if SEARCH_RESULTS in html and not re.search(r"<h1[\s>]", html):
        html = html.replace(SEARCH_RESULTS, '<h1>Search</h1>\n' + SEARCH_RESULTS, 1)
    return html


class AccessibleTemplates(BuiltinTemplateLoader):
    """Sphinx's own template loader, with the page fixes applied to every rendered page."""

    def render(self, template, context):
        return fix_page(super().render(template, context))


def use_accessible_templates(app, config):
    if config.template_bridge is None:
        config.template_bridge = f"{__name__}.AccessibleTemplates"


def setup(app):
    app.add_node(nodes.title, override=True, html=(visit_title, depart_title))
    app.add_node(nodes.caption, override=True, html=(visit_caption, depart_caption))
    app.add_node(nodes.citation, override=True, html=(visit_citation, depart_citation))
    app.add_post_transform(UniqueTableIds)
    app.add_post_transform(TabLabelsWithoutAriaControls)
    app.connect("config-inited", use_accessible_templates)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
