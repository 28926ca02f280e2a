"""Sphinx configuration of the briefing book."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).parent.resolve()
sys.path[:0] = [str(ROOT / "tools"), str(ROOT / "tools" / "extensions")]

project = "The Kyrgyzstan–Tajikistan Border Conflict of September 2022"
author = "The briefing book's editors"
copyright = "2026, the briefing book's editors"
language = "en"
release = version = "2026.11"

extensions = [
    "myst_parser",
    "sphinx_design",
    "sphinxcontrib.bibtex",
    "briefing_bibstyle",
    "briefing_sources",
    "briefing_claims",
    "briefing_tables",
]

root_doc = "index"
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", ".venv", "README.md", "tests", "tools", "data", "sources/text",
                    ".ci", "Thumbs.db", ".DS_Store", "node_modules", ".pytest_cache"]
templates_path = ["_templates"]
nitpicky = True

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3

bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "briefing_news"
bibtex_reference_style = "outlet_date"
bibtex_tooltips = True

# The claims rule applies to the chapters and the front page.
briefing_cited_docs = ["index", "chapters/*"]

html_theme = "furo"
html_title = "Kyrgyzstan–Tajikistan border conflict, September 2022: a briefing book"
html_static_path = ["_static"]
html_css_files = ["briefing.css"]
html_last_updated_fmt = None
html_show_sourcelink = False
html_copy_source = False
html_baseurl = os.environ.get("READTHEDOCS_CANONICAL_URL", "")
