"""A test book for the link checks of the built HTML (briefing_links)."""

extensions = ["myst_parser", "briefing_links"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build", "data"]
myst_heading_anchors = 2
nitpicky = True
templates_path = ["_templates"]
