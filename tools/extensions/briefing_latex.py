"""The PDF's doctree: the changes the single LaTeX document needs that HTML pages do not.

- The bibliography page goes. Sphinx's LaTeX writer gathers every citation into one
  bibliography at the end of the document, which would leave the page holding the
  ``{bibliography}`` directive as an empty chapter.
- The front page becomes the first chapter. The LaTeX writer takes the root document's title
  as the book's title and would print the front page's text, untitled, among the table of
  contents' pages.
- Every block a link points to gets a label. The LaTeX writer labels sections, tables, figures
  and targets but not paragraphs, list items or containers, so links to cited blocks (and to the
  passages of archived texts) would otherwise point nowhere in the PDF.
"""

from __future__ import annotations

from docutils import nodes
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform

# Nodes whose ids the LaTeX writer turns into labels itself.
LABELLED = (nodes.section, nodes.target, nodes.table, nodes.figure, nodes.citation, nodes.footnote,
            nodes.literal_block, nodes.math_block, addnodes.start_of_file)


class LatexDoctree(SphinxPostTransform):
    # After sphinx.builders.latex.transforms.BibliographyTransform (750) has moved the citations.
    default_priority = 760
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        self.drop_bibliography_pages()
        self.front_page_as_chapter()
        self.label_link_targets()

    def drop_bibliography_pages(self) -> None:
        pages = {key.docname for key in self.env.get_domain("cite").bibliographies}
        for part in list(self.document.findall(addnodes.start_of_file)):
            if part.get("docname") in pages:
                part.parent.remove(part)

    def front_page_as_chapter(self) -> None:
        root = next(iter(self.document.findall(nodes.section)), None)
        if root is None or not root.children or not isinstance(root[0], nodes.title):
            return
        # The front page's own content: everything but its title and the inlined chapters.
        own = [child for child in root.children[1:]
               if not any(True for _ in child.findall(addnodes.start_of_file))]
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

    def label_link_targets(self) -> None:
        referenced = set()
        for ref in self.document.findall(nodes.reference):
            uri = ref.get("refuri", "")
            if uri.startswith("%") and "#" in uri:
                referenced.add(uri.split("#", 1)[1])
            elif ref.get("refid"):
                referenced.add(ref["refid"])
        labelled = {i for node in self.document.findall(nodes.Element) if isinstance(node, LABELLED)
                    for i in node["ids"]}
        for node in list(self.document.findall(nodes.Element)):
            if isinstance(node, LABELLED):
                continue
            ids = [i for i in node["ids"] if i in referenced and i not in labelled]
            text = node if isinstance(node, nodes.TextElement) else \
                next(iter(node.findall(nodes.TextElement)), None)
            if ids and text is not None and not isinstance(text, nodes.title):
                text.insert(0, nodes.target("", "", ids=ids))
                labelled.update(ids)


def setup(app):
    app.add_post_transform(LatexDoctree)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
