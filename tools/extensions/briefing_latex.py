"""The PDF's doctree: the changes the single LaTeX document needs that HTML pages do not.

- The bibliography page goes. Sphinx's LaTeX writer gathers every citation into one
  bibliography at the end of the document, which would leave the page holding the
  ``{bibliography}`` directive as an empty chapter.
- The front page becomes the first chapter. The LaTeX writer takes the root document's title
  as the book's title and would print the front page's text, untitled, among the table of
  contents' pages.
- Every block a link points to gets a label, and a link to another page's block names that
  page. The LaTeX writer labels sections, tables, figures and targets but not paragraphs, list
  items or containers, so links to cited blocks would otherwise point nowhere in the PDF.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

# Nodes whose ids the LaTeX writer turns into labels itself.
LABELLED = (nodes.section, nodes.target, nodes.table, nodes.figure, nodes.citation, nodes.footnote,
            nodes.literal_block, nodes.math_block, nodes.term, nodes.reference, addnodes.literal_strong,
            addnodes.desc_signature, addnodes.start_of_file)


class LatexDoctree(SphinxPostTransform):
    # After sphinx.builders.latex.transforms.BibliographyTransform (750) has moved the citations.
    default_priority = 760
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        self.drop_bibliography_pages()
        self.front_page_as_chapter()

    def drop_bibliography_pages(self) -> None:
        pages = {key.docname for key in self.env.get_domain("cite").bibliographies}
        labels = []
        # Found from the top: inlined pages' nodes keep parent pointers to their own documents.
        for parent in list(self.document.findall(nodes.Element)):
            for part in [c for c in parent.children if isinstance(c, addnodes.start_of_file)
                         and c.get("docname") in pages]:
                labels.append(f"{part['docname']}::doc")
                labels += [f"{part['docname']}:{i}" for section in part.findall(nodes.section)
                           for i in section["ids"]]
                parent.remove(part)
        # Links to the removed page lead to the gathered bibliography (its first entry).
        first = next(iter(self.document.findall(nodes.citation)), None)
        if first is not None and labels:
            tex = "".join(rf"\label{{\detokenize{{{label}}}}}" for label in dict.fromkeys(labels))
            first += nodes.raw("", tex, format="latex")

    def front_page_as_chapter(self) -> None:
        root = next(iter(self.document.findall(nodes.section)), None)
        if root is None or not root.children or not isinstance(root[0], nodes.title):
            return
        self.hoist_chapters(root)
        # The front page's own content: everything but its title and the inlined chapters.
        own = [child for child in root.children[1:] if not _holds_chapters(child)]
        if not any(isinstance(child, (nodes.Structural, nodes.Body)) and
                   not isinstance(child, (nodes.target, nodes.comment)) for child in own):
            return
        chapter = nodes.section("", nodes.title(root[0].astext(), root[0].astext()),
                                ids=["briefing-front-page"])
        position = root.index(own[0])
        for child in own:
            root.remove(child)
        chapter.extend(own)
        root.insert(position, chapter)

    @staticmethod
    def hoist_chapters(root) -> None:
        """A toctree placed under one of the front page's headings would make every chapter a
        section of that heading: lift the inlined chapters to the top level, in order."""
        for top in list(root.children):
            if not isinstance(top, nodes.section) or not _holds_chapters(top):
                continue
            position = root.index(top) + 1
            for wrapper, parent in list(_front_page_wrappers(top)):
                parent.remove(wrapper)
                root.insert(position, wrapper)
                position += 1


def _front_page_wrappers(node):
    """The (toctree wrapper, its parent) pairs of the front page itself, in document order, not
    descending into inlined pages. Walked from the top: Sphinx's inline_all_toctrees leaves the
    inlined nodes' parent pointers at their own documents."""
    for child in node.children:
        if not isinstance(child, nodes.Element) or isinstance(child, addnodes.start_of_file):
            continue
        if any(isinstance(c, addnodes.start_of_file) for c in child.children):
            yield child, node
        else:
            yield from _front_page_wrappers(child)


def _holds_chapters(node) -> bool:
    return any(True for _ in node.findall(addnodes.start_of_file))


def _files(node, current, out) -> None:
    """Map each element to the document (inlined file) it came from."""
    if isinstance(node, addnodes.start_of_file):
        current = node["docname"]
    out[node] = current
    for child in node.children:
        if isinstance(child, nodes.Element):
            _files(child, current, out)


def label_link_targets(app, doctree, docname) -> None:
    """Runs after every other doctree-resolved handler, once the links (cited-by lists, passage
    links) are all in place."""
    if app.builder.format != "latex":
        return
    files: dict = {}
    _files(doctree, docname, files)
    homes: dict[str, set[str]] = {}
    for node, home in files.items():
        for i in node["ids"]:
            homes.setdefault(i, set()).add(home)
    referenced = set()
    for ref in doctree.findall(nodes.reference):
        uri = ref.get("refuri", "")
        if uri.startswith("%") and "#" in uri:
            referenced.add(uri.split("#", 1)[1])
        elif ref.get("refid"):
            # make_refnode gives a same-document link (refid) when the link and its target are in
            # the one LaTeX document; the writer would resolve it in the link's own file.
            here, target = files[ref], homes.get(ref["refid"], set())
            if here not in target and len(target) == 1:
                ref["refuri"] = f"%{next(iter(target))}#{ref['refid']}"
                del ref["refid"]
            referenced.add(ref.get("refid") or ref["refuri"].split("#", 1)[1])
    labelled = {i for node in doctree.findall(nodes.Element) if isinstance(node, LABELLED)
                for i in node["ids"]}
    for node in list(doctree.findall(nodes.Element)):
        if isinstance(node, LABELLED):
            continue
        ids = [i for i in node["ids"] if i in referenced and i not in labelled]
        if not ids:
            continue
        text = node if isinstance(node, nodes.TextElement) else \
            next(iter(node.findall(nodes.TextElement)), None)
        if isinstance(text, nodes.caption) and isinstance(text.parent, nodes.figure):
            # A caption is a moving argument (no \phantomsection there): the figure's label serves.
            text.parent["ids"].extend(ids)
        elif text is not None and not isinstance(text, (nodes.title, nodes.caption, nodes.rubric)):
            text.insert(0, nodes.target("", "", ids=ids))
        else:
            continue
        labelled.update(ids)


def setup(app):
    app.add_post_transform(LatexDoctree)
    app.connect("doctree-resolved", label_link_targets, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
