"""Archived sources: the registry, the integrity check, the archived-text and source-facts
directives, and the consistency of references.bib with the source pages.

Every rule here is raised as a Sphinx warning with a file and line, so ``-W`` fails the build.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import make_refnode

from briefing.archive import RegistryError, Source, integrity_problem, load_registry
from briefing.evidence import SourceIndex, date_words

logger = logging.getLogger(__name__)
WARN = {"type": "briefing"}


def registry(app) -> dict[str, Source]:
    """The source registry, read once per process (a parallel reader inherits it)."""
    if getattr(app, "_briefing_registry", None) is None:
        try:
            app._briefing_registry = load_registry(Path(app.srcdir), app.config.briefing_sources_file)
        except RegistryError as err:
            logger.warning(err.message, location=err.location, subtype="registry", **WARN)
            app._briefing_registry = {}
        app._briefing_indexes = {}
    return app._briefing_registry


def source_index(app, key: str) -> SourceIndex | None:
    sources = registry(app)
    if key not in sources or not sources[key].text_path.is_file():
        return None
    if key not in app._briefing_indexes:
        app._briefing_indexes[key] = SourceIndex(sources[key])
    return app._briefing_indexes[key]


def cited_doc(app, docname: str) -> bool:
    """Whether the claims rule applies to ``docname`` (conf: briefing_cited_docs)."""
    return any(fnmatch.fnmatchcase(docname, pattern) for pattern in app.config.briefing_cited_docs)


def check_integrity(app) -> None:
    for source in registry(app).values():
        problem = integrity_problem(source)
        if problem:
            logger.warning(problem, location=source.location, subtype="integrity", **WARN)


class ArchivedText(SphinxDirective):
    """The outlet's text, verbatim, one numbered paragraph per line with a stable anchor."""

    required_arguments = 1

    def run(self):
        key = self.arguments[0]
        source = registry(self.env.app).get(key)
        if source is None or not source.text_path.is_file():
            logger.warning(f"archived-text: no archived text for source '{key}'; add it to "
                           f"{self.config.briefing_sources_file} with its text under sources/text/",
                           location=self.get_location(), subtype="registry", **WARN)
            return []
        self.env.note_dependency(str(source.text_path))
        box = nodes.container(classes=["archived-text"])
        box["ids"].append(f"{key}-text")
        for number, text in enumerate(source.paragraphs(), start=1):
            para = nodes.paragraph(classes=["archived-paragraph"])
            para["ids"].append(source.anchor(number))
            para += nodes.inline(f"¶{number}", f"¶{number}", classes=["paragraph-number"])
            para += nodes.Text(" ")
            para += nodes.Text(text)
            box += para
        return [box]


class SourceFacts(SphinxDirective):
    """What is known of a source: a table drawn from the registry and references.bib."""

    required_arguments = 1

    def run(self):
        key = self.arguments[0]
        source = registry(self.env.app).get(key)
        if source is None:
            logger.warning(f"source-facts: unknown source '{key}'; add it to {self.config.briefing_sources_file}",
                           location=self.get_location(), subtype="registry", **WARN)
            return []
        self.env.note_dependency(str(Path(self.env.srcdir) / self.config.briefing_sources_file))
        rows = [
            ("Publication date", date_words(source.published)),
            ("How the date is known", source.date_basis),
            ("Archived text", f"{source.text_rel} ({len(source.paragraphs())} paragraphs)"),
            ("SHA-256 of the archived text", source.sha256),
        ]
        table = nodes.table(classes=["source-facts"])
        group = nodes.tgroup(cols=2)
        table += group
        group += nodes.colspec(colwidth=1)
        group += nodes.colspec(colwidth=3)
        body = nodes.tbody()
        group += body
        for label, value in rows:
            row = nodes.row()
            for text in (label, value):
                entry = nodes.entry()
                entry += nodes.paragraph(text, text)
                row += entry
            body += row
        table["ids"].append(f"{key}-facts")
        return [table]


def _bib_lines(path: Path) -> dict[str, int]:
    lines = {}
    if path.is_file():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = re.match(r"\s*@\w+\s*\{\s*([^,\s]+)\s*,", line)
            if match:
                lines[match.group(1)] = number
    return lines


def check_bibliography(app, env) -> None:
    """Every entry has a source page and is cited by the book; every source has an entry."""
    domain = env.get_domain("cite")
    bib_keys = set(domain.bibdata.data.entries)
    bibfile = app.config.bibtex_bibfiles[0] if app.config.bibtex_bibfiles else "references.bib"
    lines = _bib_lines(Path(app.srcdir) / bibfile)
    sources = registry(app)
    cited = {target.key for ref in domain.citation_refs if cited_doc(app, ref.docname)
             for target in ref.targets}
    for key in sorted(bib_keys):
        location = f"{bibfile}:{lines.get(key, 1)}"
        source = sources.get(key)
        if source is None:
            logger.warning(f"bibliography entry '{key}' has no archived source: add [{key}] to "
                           f"{app.config.briefing_sources_file} and a page sources/{key}.md",
                           location=location, subtype="bibliography", **WARN)
        elif source.page not in env.found_docs:
            logger.warning(f"bibliography entry '{key}' has no source page: create {source.page}.md "
                           f"(named by 'page' in {app.config.briefing_sources_file})",
                           location=location, subtype="bibliography", **WARN)
        if key not in cited:
            logger.warning(f"bibliography entry '{key}' is cited by no chapter: cite it where the book "
                           "uses it, or remove the entry and its source", location=location,
                           subtype="bibliography", **WARN)
    for key, source in sorted(sources.items()):
        if key not in bib_keys:
            logger.warning(f"source '{key}' has no entry in {bibfile}: add one with the same key",
                           location=source.location, subtype="bibliography", **WARN)


def link_bibliography_to_sources(app, doctree, docname) -> None:
    """Append to each bibliography item a link to its source's page (archived text and annotation)."""
    domain = app.env.get_domain("cite")
    sources = registry(app)
    ids = {c.citation_id: c.key for c in domain.citations if c.bibliography_key and c.citation_id}
    for citation in doctree.findall(nodes.citation):
        key = next((ids[i] for i in citation["ids"] if i in ids), None)
        source = sources.get(key)
        if source is None or source.page not in app.env.all_docs:
            continue
        para = next(iter(citation.findall(nodes.paragraph)), None)
        if para is None:
            continue
        para += nodes.Text(" ")
        para += make_refnode(app.builder, docname, source.page, "",
                             nodes.inline("", "Archived text and annotation"),
                             f"Archived text of {source.short}")


def setup(app):
    app.add_config_value("briefing_sources_file", "data/sources.toml", "env")
    app.add_config_value("briefing_cited_docs", ["index", "chapters/*"], "env")
    app.add_directive("archived-text", ArchivedText)
    app.add_directive("source-facts", SourceFacts)
    app.connect("builder-inited", check_integrity)
    app.connect("env-check-consistency", check_bibliography)
    app.connect("doctree-resolved", link_bibliography_to_sources)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
