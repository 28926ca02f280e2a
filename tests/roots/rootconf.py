"""Configuration shared by the test books: each tests/roots/test-*/conf.py imports it."""

extensions = ["myst_parser", "sphinx_design", "sphinxcontrib.bibtex", "briefing_bibstyle",
              "briefing_sources", "briefing_claims", "briefing_tables"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "sources/text", "data"]
myst_enable_extensions = ["colon_fence"]
bibtex_bibfiles = ["references.bib"]
bibtex_default_style = "briefing_news"
bibtex_reference_style = "outlet_date"
nitpicky = True
