"""Sphinx configuration of the briefing book."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).parent.resolve()
sys.path[:0] = [str(ROOT / "tools"), str(ROOT / "tools" / "extensions")]

# One title everywhere: the front page's heading, the browser's tab, CITATION.cff, the PDF and the
# e-book (tests/test_citing.py checks that they agree).
project = "The Kyrgyzstan–Tajikistan border conflict of September 2022"
author = "The briefing book's editors"
copyright = "2026, the briefing book's editors"
language = "en"
release = version = "2026.11"

# The hosted address: Read the Docs sets READTHEDOCS_CANONICAL_URL; elsewhere set BRIEFING_BASEURL
# to the address the book is published at. With neither, the build makes no sitemap (a sitemap
# needs absolute URLs) and "Cite this page" gives page paths.
hosted_url = os.environ.get("READTHEDOCS_CANONICAL_URL") or os.environ.get("BRIEFING_BASEURL", "")
html_baseurl = hosted_url.rstrip("/") + "/" if hosted_url else ""

extensions = [
    "myst_parser",
    "sphinx_design",
    "sphinxcontrib.bibtex",
    # The book's own (tools/extensions/): citation style, sources, the claims rule, data tables,
    # the link check of the built HTML.
    "briefing_bibstyle",
    "briefing_sources",
    "briefing_claims",
    "briefing_tables",
    "briefing_links",
    # Publishing: the PDF's front matter, "Cite this page", social-card metadata.
    "briefing_latex",
    "briefing_cite",
    "briefing_opengraph",
    # Accessibility fixes; the reader's aids (passage popovers, first-mention glossary links,
    # tables stacked on a phone); build-time charts.
    "briefing_a11y",
    "briefing_reading",
    "briefing_charts",
    # The locator map, drawn from data/geo/.
    "briefing_map",
    # Reuse: reference-manager metadata on every page; the claims register and the data package.
    "briefing_metadata",
    "briefing_register",
    # The e-book (EPUB 3).
    "briefing_epub",
    # A sitemap needs absolute URLs: it is made only for a hosted build.
    *(["sphinx_sitemap"] if html_baseurl else []),
    # Build folders: one build at a time per folder; an interrupted build is redone whole.
    "briefing_builddir",
    # Search: figures are searchable, glossary entries stay indexed; a 404 page.
    "briefing_search",
]

root_doc = "index"
source_suffix = {".md": "markdown"}
# Only the book's own pages are read: a virtual environment or any other folder in the checkout
# (CI keeps a second one beside .venv) holds Markdown files that are not the book's.
include_patterns = ["index.md", "chapters/*.md", "sources/*.md"]
exclude_patterns = ["_build", ".venv", "README.md", "tests", "tools", "data", "sources/text",
                    ".ci", "Thumbs.db", ".DS_Store", ".pytest_cache"]
nitpicky = True

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "briefing_news"
bibtex_reference_style = "outlet_date"
bibtex_tooltips = True

# The claims rule applies to the chapters, the front page and the source pages' annotations.
briefing_cited_docs = ["index", "chapters/*", "sources/*"]

html_theme = "furo"
html_title = project
html_static_path = ["_static"]
html_css_files = ["briefing.css"]
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = False

# --- Publishing: PDF (make pdf), sitemap and social-card metadata, "Cite this page" ---

# XeLaTeX with FreeSerif/FreeSans/FreeMono (Debian: fonts-freefont-otf), which print the Cyrillic
# and typographic characters of the sources that pdflatex cannot.
latex_engine = "xelatex"
latex_documents = [(root_doc, "kyrgyzstan-tajikistan-border-2022.tex", project, author, "manual")]
latex_show_urls = "footnote"
# Figures and tables numbered once through the book (Figure 1, 2, …), in the PDF and in HTML.
numfig = True
numfig_secnum_depth = 0
latex_elements = {
    "papersize": "a4paper",
    "pointsize": "11pt",
    "fontpkg": r"""
\setmainfont{FreeSerif}[Extension=.otf, UprightFont=*, ItalicFont=*Italic, BoldFont=*Bold, BoldItalicFont=*BoldItalic]
\setsansfont{FreeSans}[Extension=.otf, UprightFont=*, ItalicFont=*Oblique, BoldFont=*Bold, BoldItalicFont=*BoldOblique]
\setmonofont{FreeMono}[Extension=.otf, UprightFont=*, ItalicFont=*Oblique, BoldFont=*Bold, BoldItalicFont=*BoldOblique]
""",
    # No general index: the glossary and the table of contents serve; an index would also need
    # xindy, which neither the README's TeX packages nor Read the Docs provide.
    "makeindex": "",
    # Citations in a figure caption are \hyperlink{}s, which break a caption (a moving argument).
    "preamble": r"\usepackage{etoolbox}\AtBeginDocument{\robustify\hyperlink}",
    "extraclassoptions": "openany,oneside",
    "printindex": "",
    # "Chapter 1", "Appendix A": plain chapter heads. The title page and the contents come from
    # briefing_latex, which sets "maketitle" and "tableofcontents" itself.
    "fncychap": "",
}
# The front matter (briefing_latex): the subtitle says what the book covers; the edition date is
# CITATION.cff's date-released and the date of the latest source comes from data/sources.toml.
briefing_subtitle = ("An annotated briefing book on the armed clashes on the border, the response "
                     "of the Collective Security Treaty Organization (CSTO), and relations between "
                     "Kyrgyzstan and Russia")
briefing_pdf_language = "en-GB"
# Printed after the chapters, as Appendix A, B, …, in the order of the front page's toctrees.
briefing_appendices = ["chapters/glossary", "sources/index", "chapters/how-to-cite"]
# The running head of a chapter whose title is too long for it.
briefing_running_heads = {"chapters/clashes": "The clashes",
                          "chapters/glossary": "Glossary"}

# The sitemap (hosted builds only: see extensions).
sitemap_url_scheme = "{link}"  # html_baseurl already holds the language and version path
# Pages no search engine should list: the search form, the generated index and the 404 page.
sitemap_excludes = ["search.html", "genindex.html", "404.html"]

# Links. briefing_links checks the built HTML (allow lists in data/http-allowed-hosts.txt and
# data/decorative-images.txt); `make linkcheck` checks the external URLs, giving up on a dead
# server quickly rather than holding the run for minutes.
linkcheck_timeout = 10
linkcheck_retries = 1

# --- Reuse: the claims register and the data package ---
briefing_citation_file = "CITATION.cff"  # release date, abstract and keywords of the page metadata
briefing_register_page = "chapters/how-to-cite"  # gains a section linking the register and the data
briefing_register_schema = "data/claims-register.schema.json"
briefing_datapackage = "data/datapackage.json"

# --- E-book: EPUB 3 (make epub), validated by epubcheck in the tests ---
epub_basename = "kyrgyzstan-tajikistan-border-2022"
# The front page's toctrees are hidden (its chapter map lists the pages): the e-book's contents list them.
epub_tocscope = "includehidden"
epub_title = project
epub_author = author
epub_publisher = author
epub_copyright = copyright
epub_language = "en-GB"
# The toc.ncx repeats the id attribute (epub_uid) where epubcheck wants the identifier: one value
# serves as both, so it must be an XML name.
epub_identifier = epub_uid = f"kyrgyzstan-tajikistan-border-2022-edition-{release}"
epub_use_index = False
epub_show_urls = "no"  # the links stay links; an e-reader opens them only when followed
