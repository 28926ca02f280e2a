"""Reading the HTML book: evidence one click away, glossary links that stand apart, tables that
fit a phone.

- A citation's ¶ link carries the text of the paragraphs it pinpoints (``data-passage``, one
  paragraph a line, and ``data-source``, the source's short name), so that the book's own
  script (_static/briefing-reading.js) can quote the passage in a popover without fetching
  anything. Without the script the link still leads to the highlighted passage. The e-book loads
  no script, so its links carry only their title.
- A glossary term is linked at its first mention in a section; later mentions in the same
  section are plain text. The link that stays has the class ``glossary-term`` (briefing.css sets
  it in the body colour with a dotted underline, apart from citations and cross-references).
- Each cell of a table with one header row is labelled with its column's header
  (``data-label``), and the table has the class ``stacked-table``: on a narrow screen
  briefing.css sets its rows one under the other, each cell under its label, so that no table
  scrolls sideways.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from briefing import pinpoints
from briefing_sources import corpus

SCRIPT = "briefing-reading.js"


def _scripted(builder) -> bool:
    # The e-book's reading systems run no script (and EPUB would have to declare one).
    return builder.format == "html" and builder.name != "epub"


class PinpointPassages(SphinxPostTransform):
    """After the citations are resolved (priority 10), give each ¶ link its passage."""

    formats = ("html",)
    default_priority = 900

    def run(self, **kwargs):
        found = corpus(self.env)
        for link in self.document.findall(nodes.reference):
            if "pinpoint" not in link["classes"]:
                continue
            anchor = (link.get("refuri") or "").rpartition("#")[2] or link.get("refid", "")
            key = anchor.rpartition("-p")[0]
            source, index = found.sources.get(key), found.index(key)
            try:
                numbers = pinpoints.parse(link.astext())
            except pinpoints.PinpointError:
                continue
            if source is None or index is None or not numbers or numbers[-1] > len(index.paragraphs):
                continue
            link["briefing-passage"] = "\n".join(index.paragraphs[n - 1] for n in numbers)
            link["briefing-source"] = source.short


def _attribute(value: str) -> str:
    return (value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;").replace("\n", "&#10;"))


def visit_reference(self, node):
    type(self).visit_reference(self, node)
    if "briefing-passage" in node and _scripted(self.builder) and self.body[-1].startswith("<a "):
        extra = (f' data-source="{_attribute(node["briefing-source"])}"'
                 f' data-passage="{_attribute(node["briefing-passage"])}"')
        self.body[-1] = "<a" + extra + self.body[-1][2:]


def depart_reference(self, node):
    type(self).depart_reference(self, node)


def _glossary_target(node) -> str | None:
    """The term a resolved reference leads to, if it is a link to a glossary term."""
    if not isinstance(node, nodes.reference) or not any(
            isinstance(child, nodes.inline) and "std-term" in child["classes"] for child in node.children):
        return None
    return node.get("refuri") or node.get("refid")


class GlossaryFirstMention(SphinxPostTransform):
    """Runs after the references are resolved, in every format: the PDF and the e-book link a
    term as often as the HTML does."""

    default_priority = 900

    def run(self, **kwargs):
        seen: set[tuple[int, str]] = set()
        for link in list(self.document.findall(nodes.reference)):
            target = _glossary_target(link)
            if target is None:
                continue
            section = link.parent
            while section is not None and not isinstance(section, nodes.section):
                section = section.parent
            mention = (id(section), target)
            if mention not in seen:
                seen.add(mention)
                link["classes"].append("glossary-term")
                continue
            link.replace_self(nodes.inline(link.astext(), link.astext()))


class StackedTables(SphinxPostTransform):
    """A table with exactly one header row and no spanning cell can be read a row at a time."""

    formats = ("html",)
    default_priority = 900

    def run(self, **kwargs):
        for table in self.document.findall(nodes.table):
            groups = [g for g in table.children if isinstance(g, nodes.tgroup)]
            if len(groups) != 1:
                continue
            heads = [c for c in groups[0].children if isinstance(c, nodes.thead)]
            bodies = [c for c in groups[0].children if isinstance(c, nodes.tbody)]
            if len(heads) != 1 or len(heads[0].children) != 1 or not bodies:
                continue
            labels = [entry.astext().strip() for entry in heads[0].children[0].children]
            rows = [row for body in bodies for row in body.children]
            spans = any(entry.get("morecols") or entry.get("morerows")
                        for row in [heads[0].children[0], *rows] for entry in row.children)
            if spans or any(len(row.children) != len(labels) for row in rows):
                continue
            for row in rows:
                for label, entry in zip(labels, row.children):
                    entry["briefing-label"] = label
            table["classes"].append("stacked-table")


def visit_entry(self, node):
    type(self).visit_entry(self, node)
    label = node.get("briefing-label")
    if label:
        for i in range(len(self.body) - 1, max(-1, len(self.body) - 3), -1):
            if self.body[i].startswith("<td"):
                self.body[i] = f'<td data-label="{_attribute(label)}"' + self.body[i][3:]
                break


def depart_entry(self, node):
    type(self).depart_entry(self, node)


def add_script(app):
    if _scripted(app.builder):
        app.add_js_file(SCRIPT, loading_method="defer")


def setup(app):
    app.setup_extension("briefing_sources")
    app.add_post_transform(PinpointPassages)
    app.add_post_transform(GlossaryFirstMention)
    app.add_post_transform(StackedTables)
    app.add_node(nodes.reference, override=True, html=(visit_reference, depart_reference))
    app.add_node(nodes.entry, override=True, html=(visit_entry, depart_entry))
    app.connect("builder-inited", add_script)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
