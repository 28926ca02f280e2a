"""Archived sources: the registry, the integrity check, the archived-text and source-facts
directives, and the consistency of references.bib with the source pages.

Every rule here is raised as a Sphinx warning with a file and line, so ``-W`` fails the build.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path

from docutils import nodes
from sphinx import addnodes
from sphinx.domains import Domain
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import make_refnode

from briefing.archive import Source
from briefing.bibcheck import field_problems, read_problems
from briefing.bibfile import shared_bib
from briefing.dates import date_words
from briefing.errors import Problem
from briefing.pinpoints import write
from briefing.corpus import Corpus
import briefing_bibstyle
from briefing_bibstyle import month_index, date_text, day_parts

logger = logging.getLogger(__name__)


def warn(message: str, location, subtype: str) -> None:
    """A defect of the book: a located warning that ``-W`` turns into a failed build, filed under
    ``briefing.<subtype>`` so that ``suppress_warnings`` can name it. A location is (docname,
    line), "path:line", or a path alone for a whole file (see ``Problem.for_sphinx``)."""
    if isinstance(location, str):
        message, location = Problem.at(location, message).for_sphinx()
    logger.warning(message, location=location, type="briefing", subtype=subtype)


class SourcesDomain(Domain):
    """Holds this build's sources (briefing.corpus.Corpus: the registry, the names and each
    archived text's index) where every part of the build reaches them: a directive sees only the
    env, an event handler reaches it as ``app.env``. The corpus is an attribute of the domain
    object, which Sphinx makes anew for each build and never pickles (only domain *data* is
    pickled, and this domain keeps none). A build takes it once, as it starts (check_registry), so
    that forked parallel readers inherit it: ``Corpus.shared`` reads the files afresh."""

    name = "sources"
    label = "Archived sources"

    def __init__(self, env):
        super().__init__(env)
        self._corpus: Corpus | None = None

    @property
    def corpus(self) -> Corpus:
        if self._corpus is None:
            config = self.env.config
            self._corpus = Corpus.shared(Path(self.env.srcdir), config.briefing_sources_file, config.briefing_names_file,
                                         counted_file=config.briefing_counted_file,
                                         events_file=config.briefing_events_file,
                                         related_file=config.briefing_related_file,
                                         meaning_file=config.briefing_meaning_file)
        return self._corpus

    def merge_domaindata(self, docnames, otherdata) -> None:
        pass  # no per-document data to merge from a parallel reader


def corpus(env) -> Corpus:
    """This build's sources; ``corpus(env).sources`` is the registry ({} when it is unreadable:
    check_registry has said why)."""
    return env.get_domain(SourcesDomain.name).corpus


def passage_target(env, key: str, paragraphs: tuple[int, ...]) -> tuple[str, str, str] | None:
    """Where a pinpoint's link goes: the source page, the anchor of its first paragraph, and a
    title quoting the paragraph's opening words. None when the source has no page or no such
    paragraph (the claims rule reports that)."""
    found = corpus(env)
    source, index = found.sources.get(key), found.index(key)
    if source is None or index is None or source.page not in env.all_docs:
        return None
    if not paragraphs or paragraphs[-1] > len(index.paragraphs):
        return None
    words = index.paragraphs[paragraphs[0] - 1].split()
    opening = " ".join(words[:16]) + ("…" if len(words) > 16 else "")
    return source.page, source.anchor(paragraphs[0]), f"{source.short}, {write(paragraphs)}: “{opening}”"


def cited_doc(app, docname: str) -> bool:
    """Whether ``docname`` is one of the pages that make the book's claims (conf:
    briefing_cited_docs): the claims rule holds them to their sources, and check_bibliography
    counts only their citations as the book's use of an entry. Kept here, below both, because
    briefing_claims imports this module."""
    return any(fnmatch.fnmatchcase(docname, pattern) for pattern in app.config.briefing_cited_docs)


class BibliographyError(SystemExit):
    """references.bib cannot be read: the build stops with the book's located message as its last
    line (exit status 1). A SystemExit, because Sphinx answers any exception with its crash report
    and a request to report the bug to Sphinx."""

    category = "Malformed bibliography"


def check_bibfiles(app, config) -> None:
    """Vet references.bib before sphinxcontrib-bibtex parses it: a syntax error or a repeated key
    would otherwise surface as a traceback, or as a warning with no line, and cost the entries
    after it. Each such problem is a located warning; then the build stops, naming the first."""
    for name in config.bibtex_bibfiles:
        path = Path(app.srcdir) / name
        if not path.is_file():
            raise BibliographyError(f"{name}: the bibliography file is missing; restore it")
        bib = shared_bib(path, name)
        problems = read_problems(bib)
        for problem in problems:
            warn(problem.text, problem.location, "bibliography")
        if problems:
            more = f" (and {len(problems) - 1} more problem(s), each warned above)" if len(problems) > 1 else ""
            raise BibliographyError(f"{problems[0]}{more}")
        for problem in field_problems(bib):
            warn(problem.text, problem.location, "bibliography")


def check_registry(app) -> None:
    """Report a defective registry or names file, and each archived text that no longer matches
    its hash, is not UTF-8, or whose voices do not fit it (Corpus.problems)."""
    found = corpus(app.env)  # read as the build starts, so that forked parallel readers inherit it
    # The days the book infers, which references.bib leaves out of its date fields.
    briefing_bibstyle.note_inferred_days(found.sources)
    for problem in found.problems():
        warn(problem.message, problem.location, problem.kind)


class ArchivedText(SphinxDirective):
    """The outlet's text, verbatim, one numbered paragraph per line with a stable anchor."""

    required_arguments = 1

    def run(self):
        key = self.arguments[0]
        found = corpus(self.env)
        if found.registry_unread or found.text_missing(key):
            return []  # the registry's or the missing text's own problem is reported
        source = found.sources.get(key)
        if source is None or not source.text_path.is_file():
            warn(f"archived-text: no archived text for source '{key}'; add it to "
                 f"{self.config.briefing_sources_file} with its text under sources/text/",
                 self.get_location(), "registry")
            return []
        self.env.note_dependency(str(source.text_path))
        box = nodes.container(classes=["archived-text"])
        box["ids"].append(f"{key}-text")
        # Marked on the box itself, so no page can show an outlet's words as the book's.
        label = f"The outlet's text, archived verbatim (typos included): {source.short}"
        box += nodes.paragraph(label, label, classes=["archived-label"])
        for number, text in enumerate(source.paragraphs(), start=1):
            # The anchor is the paragraph's own id, so that the fragment an annotation names is
            # the paragraph itself (for LaTeX, anchor_paragraphs_for_latex makes it a target).
            para = nodes.paragraph(classes=["archived-paragraph"], ids=[source.anchor(number)])
            # The outlet's characters as archived: no smart quotes, dashes or ellipses.
            para["support_smartquotes"] = False
            para += nodes.inline(f"¶{number}", f"¶{number}", classes=["paragraph-number"])
            para += nodes.Text(" ")
            para += nodes.Text(text)
            box += para
        return [box]


class SourceFacts(SphinxDirective):
    """What is known of a source: a table drawn from the registry and references.bib, and a
    second of who speaks in the text when the registry names its voices.

    It also sets the page's ``og:description`` (unless the page's front matter sets one), the
    summary briefing_opengraph gives link previews; without it the preview would be this table's
    text.

    The tables are built as nodes, not written as Markdown and parsed (as briefing_tables does
    for its rows, whose citation cell needs the cite role): their cells are plain registry text
    and one address, which nodes take as they are, with no markup to escape."""

    required_arguments = 1

    def run(self):
        key = self.arguments[0]
        found = corpus(self.env)
        if found.registry_unread:
            return []  # the registry's own problem is reported
        source = found.sources.get(key)
        if source is None:
            warn(f"source-facts: unknown source '{key}'; add it to {self.config.briefing_sources_file}",
                 self.get_location(), "registry")
            return []
        self.env.note_dependency(str(Path(self.env.srcdir) / self.config.briefing_sources_file))
        self.env.metadata[self.env.docname].setdefault(
            "og:description", f"The archived text of {source.short}: what is known of it, an "
                              "annotation, and every block of the book that cites it.")
        # As the bibliography prints it, so that an inferred day keeps its brackets.
        entry = self.env.get_domain("cite").bibdata.data.entries.get(key)
        rows = [
            ("Publication date", date_text(entry, short=False) if entry is not None
             else date_words(source.published)),
            ("How the date is known", source.date_basis),
            ("How the address is known", source.url_basis),
            ("Archived text", f"{source.text_rel} ({len(source.paragraphs())} paragraphs)"
                              if not found.text_missing(key) else f"{source.text_rel} (missing)"),
            ("SHA-256 of the archived text", source.sha256),
        ]
        url = entry.fields.get("url", "").strip() if entry is not None else ""
        if url:
            rows.insert(2, ("Address", nodes.reference(url, url, refuri=url)))
        table = _table(rows, (1, 3), classes=["source-facts"])
        table["ids"].append(f"{key}-facts")
        if not source.voices:
            return [table]
        # Who speaks where: the book credits an item only to a voice of its passage or a body the
        # passage names (briefing.claims).
        caption = "Who speaks in the text"
        voices = [("Paragraphs", "Who speaks", "How")] + [
            (v.span(), v.speaker, v.role + (f", through {v.via}" if v.via else "")) for v in source.voices]
        who = _table(voices, (1, 2, 2), classes=["source-voices"], header=True, caption=caption)
        who["ids"].append(f"{key}-voices")
        return [table, who]


def _table(rows, widths, classes, header=False, caption=None):
    table = nodes.table(classes=classes)
    if caption:
        table += nodes.title(caption, caption)
    group = nodes.tgroup(cols=len(widths))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    parts = [(nodes.thead(), rows[:1]), (nodes.tbody(), rows[1:])] if header else [(nodes.tbody(), rows)]
    for part, part_rows in parts:
        group += part
        for values in part_rows:
            row = nodes.row()
            for value in values:
                entry = nodes.entry()
                content = value if isinstance(value, nodes.Node) else nodes.Text(value)
                entry += nodes.paragraph("", "", content)
                row += entry
            part += row
    return table


def date_disagreement(entry, source: Source) -> str | None:
    """Why the entry's year, month and day differ from the registry's publication date, or None."""
    month = month_index(entry)
    day = day_parts(entry)
    bib = "-".join([entry.fields.get("year", "").strip()]
                   + ([f"{month + 1:02d}"] if month is not None else [])
                   + ([f"{day[0]:02d}"] if day is not None and month is not None else []))
    if bib == source.published:
        return None
    return (f"bibliography entry '{source.key}' dates the article {bib or 'nowhere'}, but "
            f"{source.location} has published = {source.published!r}: make them agree")


def check_bibliography(app, env) -> None:
    """Every entry has a source page and is cited by the book; every source has an entry.

    Run after every build's reading (env-updated), not only when documents were re-read
    (env-check-consistency), so that a defect fails every build until it is fixed."""
    if corpus(env).registry_unread:
        return
    domain = env.get_domain("cite")
    bib_keys = set(domain.bibdata.data.entries)
    bibfile = app.config.bibtex_bibfiles[0] if app.config.bibtex_bibfiles else "references.bib"
    bib = shared_bib(Path(app.srcdir) / bibfile, bibfile)
    sources = corpus(env).sources
    cited = {target.key for ref in domain.citation_refs if cited_doc(app, ref.docname)
             for target in ref.targets}
    for key in sorted(bib_keys):
        location = bib.location(key)
        source = sources.get(key)
        dataset = domain.bibdata.data.entries[key].type.lower() == "dataset"
        if dataset and source is not None:
            warn(f"bibliography entry '{key}' is a @dataset, but {app.config.briefing_sources_file} "
                 "registers it as an archived source: a source article is @misc", location, "bibliography")
        elif dataset:
            pass  # a data set (a map's data) is cited as such: it has no archived text or page
        elif source is None:
            warn(f"bibliography entry '{key}' has no archived source: add [{key}] to "
                 f"{app.config.briefing_sources_file} and a page sources/{key}.md", location, "bibliography")
        elif source.page not in env.found_docs:
            warn(f"bibliography entry '{key}' has no source page: create {source.page}.md "
                 f"(named by 'page' in {app.config.briefing_sources_file})", location, "bibliography")
        elif source is not None and (problem := date_disagreement(domain.bibdata.data.entries[key], source)):
            warn(problem, location, "bibliography")
        if key not in cited:
            warn(f"bibliography entry '{key}' is cited by no chapter: cite it where the book "
                 "uses it, or remove the entry and its source", location, "bibliography")
    for key, source in sorted(sources.items()):
        if key not in bib_keys:
            warn(f"source '{key}' has no entry in {bibfile}: add one with the same key",
                 source.location, "bibliography")


def depend_on_bibliography(app, doctree) -> None:
    """A page that cites an entry shows it (a citation's tooltip), and a source page shows its own
    (its facts, "Cite this page"): each is read again when the bibliography changes, as
    sphinxcontrib-bibtex does only for the pages with a bibliography directive."""
    env = app.env
    cites = any(node.get("refdomain") == "cite" for node in doctree.findall(addnodes.pending_xref))
    if cites or corpus(env).source_on_page(env.docname) is not None:
        for name in app.config.bibtex_bibfiles:
            env.note_dependency(name)


def anchor_paragraphs_for_latex(app, doctree, docname) -> None:
    """LaTeX labels targets, not paragraphs: there an archived paragraph's anchor opens it as an
    inline target (the HTML keeps it on the paragraph, where annotation clients look for it)."""
    if app.builder.format != "latex":
        return
    for para in doctree.findall(nodes.paragraph):
        if "archived-paragraph" in para["classes"] and para["ids"]:
            para.insert(0, nodes.target("", "", ids=para["ids"]))
            para["ids"] = []


def link_bibliography_to_sources(app, doctree, docname) -> None:
    """Append to each bibliography item a link to its source's page (archived text and annotation)."""
    domain = app.env.get_domain("cite")
    sources = corpus(app.env).sources
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
    app.add_config_value("briefing_sources_file", "data/sources.toml", "env", types=frozenset({str}))
    app.add_config_value("briefing_cited_docs", ["index", "chapters/*"], "env", types=frozenset({list}))
    app.add_config_value("briefing_names_file", "data/names.toml", "env", types=frozenset({str}))
    # The vocabularies of the rules: what a figure counts, what a date dates, the words the
    # substance rule counts as one, and the words of the rules of meaning.
    app.add_config_value("briefing_counted_file", "data/counted.toml", "env", types=frozenset({str}))
    app.add_config_value("briefing_events_file", "data/events.toml", "env", types=frozenset({str}))
    app.add_config_value("briefing_related_file", "data/related.toml", "env", types=frozenset({str}))
    app.add_config_value("briefing_meaning_file", "data/meaning.toml", "env", types=frozenset({str}))
    app.add_domain(SourcesDomain)
    app.add_directive("archived-text", ArchivedText)
    app.add_directive("source-facts", SourceFacts)
    app.connect("config-inited", check_bibfiles)
    app.connect("builder-inited", check_registry)
    app.connect("env-updated", check_bibliography)
    app.connect("doctree-read", depend_on_bibliography)
    app.connect("doctree-resolved", link_bibliography_to_sources)
    # Before briefing_latex labels what links point to (priority 900).
    app.connect("doctree-resolved", anchor_paragraphs_for_latex, priority=400)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
