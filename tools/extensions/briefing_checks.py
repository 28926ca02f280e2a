"""Whether the book's checks run: ``briefing_checks`` (on unless the configuration turns it off).

Off, a build makes the same pages, byte for byte: the claims rule still finds each block's
passages, anchors and "Cited by" entries, which the book shows, but nothing is checked (the rules
of evidence and meaning, headings, raw HTML, glossary terms, exempt pages, the registry's hashes
and voices, the bibliography against the sources, and the built HTML's links). It exists only so
that the benchmark can time what the checks cost; a book is never published from such a build.
"""

from __future__ import annotations


def checks_on(app) -> bool:
    return app.config.briefing_checks


def setup(app):
    app.add_config_value("briefing_checks", True, "env", types=frozenset({bool}))
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
