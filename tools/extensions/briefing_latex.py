"""The PDF's bibliography: drop the bibliography page from the LaTeX document.

Sphinx's LaTeX writer gathers every citation into one bibliography at the end of the document,
which would leave the page that holds the ``{bibliography}`` directive as an empty chapter (its
title, and a note about a list that is no longer there). In the PDF, that page is removed; the
gathered bibliography takes its place at the end. HTML is untouched.
"""

from __future__ import annotations

from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform


class DropBibliographyPages(SphinxPostTransform):
    # After sphinx.builders.latex.transforms.BibliographyTransform (750) has moved the citations.
    default_priority = 760
    formats = ("latex",)

    def run(self, **kwargs) -> None:
        pages = {key.docname for key in self.env.get_domain("cite").bibliographies}
        for part in list(self.document.findall(addnodes.start_of_file)):
            if part.get("docname") in pages:
                part.parent.remove(part)


def setup(app):
    app.add_post_transform(DropBibliographyPages)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
