"""The claims rule: every prose block of the book is cited, and every figure, date and quotation
in it is found in a source the block cites; each citation then links to the passage that holds
the evidence, and each source page lists the blocks that cite it.

A *block* is a list item, a table row, a sphinx-design card, a caption, a footnote's paragraph,
or any other paragraph. A heading, an admonition's title and a table's title are no blocks: they
need no citation of their own, but a figure, date or quotation in one must be in a source cited
within its section, admonition or table.

What the rule finds per document (the citations for "Cited by", the warnings to repeat) is kept in
the ``briefing`` domain, which Sphinx purges, pickles and merges for incremental and parallel builds.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import re
from collections.abc import Set
from pathlib import Path
from typing import Any, NamedTuple

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.domains import Domain
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import make_refnode
from sphinxcontrib.bibtex.citation_target import parse_citation_targets

from briefing import pinpoints
from briefing.claims import Block, PassageRef, Segment, conflict_items, judge, snippet
from briefing.pinpoints import Cite
from briefing.errors import Location, Problem
from briefing.evidence import extract
from briefing_sources import cited_doc, corpus

logger = logging.getLogger(__name__)
RULES = Path(__file__).resolve().parents[1] / "briefing"  # the rules' code
EXEMPT_CLASS = "uncited-by-design"
# The outlet's own text and the tables drawn from the registry are not the book's claims.
NOT_CLAIMS = {EXEMPT_CLASS, "archived-text", "source-facts", "source-voices"}


class cited_by(nodes.General, nodes.Element):
    """Placeholder for the list of blocks citing a source; replaced when resolving."""


class Claim(NamedTuple):
    """A block's citation of one source: an entry of that source page's "Cited by" list."""

    key: str  #: The cited source's key.
    block_id: str  #: The block's ``claim-…`` id.
    snippet: str  #: The block's first words.
    line: int  #: The block's line in its document (a data row: the line of its table there).
    paragraphs: tuple[int, ...] = ()  #: The source's paragraphs it rests on (its pinpoints).


class Derived(NamedTuple):
    """A ``{derived}`` figure of a block."""

    spec: str  #: "VALUE = EXPRESSION", as written.
    before: str  #: The words just before it, which may say whose figures it combines.


class ClaimsDomain(Domain):
    """The claims rule's findings per document, purged and merged by Sphinx like any domain's."""

    name = "briefing"
    label = "Claims of the briefing book"
    data_version = 4
    initial_data: dict[str, Any] = {
        "claims": {},  # docname -> [Claim]
        "problems": {},  # docname -> [Problem], kept to be repeated by builds that do not re-read the page
        "purged": set(),  # while reading: the documents purged to be re-read or removed
    }

    @property
    def claims(self) -> dict[str, list[Claim]]:
        return self.data["claims"]

    @property
    def problems(self) -> dict[str, list[Problem]]:
        return self.data["problems"]

    def clear_doc(self, docname: str) -> None:
        self.data["purged"].add(docname)
        self.claims.pop(docname, None)
        self.problems.pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for docname in docnames:
            if docname in otherdata["claims"]:
                self.claims[docname] = otherdata["claims"][docname]
            if docname in otherdata["problems"]:
                self.problems[docname] = otherdata["problems"][docname]

    def end_reading(self) -> set[str]:
        """The documents this build purged; forgets them, so that the pickled environment keeps
        only the findings."""
        purged, self.data["purged"] = self.data["purged"], set()
        return purged


def claims_domain(env) -> ClaimsDomain:
    return env.get_domain(ClaimsDomain.name)


def derived_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{derived}`100 = 59 + 41``: a figure the book computed, shown as its value. The claims
    rule checks the arithmetic and finds each input in the cited sources."""
    shown = text.split("=", 1)[0].strip()
    node = nodes.inline(rawtext, shown, classes=["derived-figure"])
    node["derived"] = text
    return [node], []


class Uncited(SphinxDirective):
    """Content that is not a claim (navigation, reading instructions), with the reason why."""

    has_content = True
    option_spec = {"reason": directives.unchanged_required}

    def run(self):
        reason = self.options.get("reason", "").strip()
        if not reason:
            logger.warning("uncited: an exemption needs ':reason:' saying why this content makes no claim",
                           location=self.get_location(), subtype="exemption", type="briefing")
        box = nodes.container(classes=[EXEMPT_CLASS])
        box["reason"] = reason
        self.set_source_info(box)
        self.state.nested_parse(self.content, self.content_offset, box)
        return [box]


class CitedBy(SphinxDirective):
    """``{cited-by} KEY``: the list of the book's blocks citing a source, made when writing."""

    required_arguments = 1

    def run(self):
        node = cited_by()
        node["key"] = self.arguments[0]
        return [node]


# --- finding blocks ---------------------------------------------------------------------------

def _is_card(node) -> bool:
    return isinstance(node, nodes.container) and "sd-card" in node.get("classes", [])


def is_block(node) -> bool:
    """A block of its own, besides a paragraph outside any block."""
    if isinstance(node, nodes.list_item) or _is_card(node) or isinstance(node, nodes.caption):
        return True
    return isinstance(node, nodes.row) and isinstance(node.parent, nodes.tbody)


def _skipped(node) -> bool:
    """Subtrees that hold no claims of the book's own (a heading's claims are checked apart, by
    check_headings; a footnote's marker is no figure)."""
    return isinstance(node, (nodes.citation, nodes.label, nodes.footnote_reference, nodes.literal_block,
                             nodes.comment, nodes.raw, nodes.system_message, addnodes.toctree,
                             nodes.field_list, nodes.docinfo, nodes.title, nodes.rubric, nodes.term,
                             nodes.thead)) or (
        isinstance(node, nodes.Element) and NOT_CLAIMS.intersection(node.get("classes", [])))


def blocks_of(doctree):
    """Yield each block once, outermost first; a paragraph belongs to its innermost block."""
    def walk(node, inside_block):
        if _skipped(node):
            return
        if is_block(node):
            yield node
            inside_block = True
        elif isinstance(node, nodes.paragraph) and not inside_block:
            yield node
        for child in node.children:
            if isinstance(child, nodes.Element):
                yield from walk(child, inside_block)

    yield from walk(doctree, False)


def block_parts(block) -> tuple[str, list[addnodes.pending_xref], list[Derived]]:
    """The block's own text, citation nodes and derived figures, leaving out nested blocks."""
    texts, cites, derived = [], [], []

    def walk(node):
        for child in node.children:
            if isinstance(child, nodes.Text):
                texts.append(child.astext())
                continue
            if is_block(child) or _skipped(child):
                continue
            if isinstance(child, addnodes.pending_xref) and child.get("refdomain") == "cite":
                child["briefing-offset"] = len(" ".join(texts))  # where the cited words end
                cites.append(child)
                continue
            if isinstance(child, nodes.inline) and child.get("derived"):
                derived.append(Derived(child["derived"], " ".join(texts)[-60:]))
                continue
            if isinstance(child, nodes.literal):
                continue
            walk(child)
            if isinstance(child, (nodes.paragraph, nodes.entry, nodes.term)):
                texts.append("\n")

    walk(block)
    return " ".join(texts), cites, derived


def cite_targets(node) -> list[Cite]:
    """The keys of one citation, each with the paragraphs its post-text pinpoints ("{¶10}"); a
    post-text that is no pinpoint (or a malformed one, which check_document reports) pins nothing."""
    cites = []
    try:
        targets = list(parse_citation_targets(node.get("reftarget", "")))
    except ValueError:
        return []  # sphinxcontrib-bibtex reports a malformed citation itself
    for target in targets:
        paragraphs: tuple[int, ...] = ()
        malformed = ""
        if pinpoints.is_pinpoint(target.post):
            try:
                paragraphs = pinpoints.parse(target.post)
            except pinpoints.PinpointError as err:
                malformed = str(err)  # check_pinpoint_syntax reports it
        cites.append(Cite(target.key, paragraphs, malformed))
    return cites


def segment_of(node, end: int) -> Segment:
    """A citation node as the judge reads it: where its words end, its keys and pinpoints, its role."""
    return Segment(node.get("briefing-offset", end), tuple(cite_targets(node)), node.get("reftype", "p"))


def check_pinpoint_syntax(app, node) -> None:
    """A post-text that starts with ¶ is a pinpoint, and must read as one."""
    for cite in cite_targets(node):
        if cite.malformed:
            _warn(app.env, _doc_location(app.env, node.line or 1), f"{cite.malformed}, in the citation of {cite.key}",
                  "pinpoint")


def cite_keys(cites) -> list[str]:
    keys: list[str] = []
    for node in cites:
        keys += [cite.key for cite in cite_targets(node) if cite.key not in keys]
    return keys


def headings_of(doctree):
    """Yield (title, scope) for each heading, admonition title and table title: the scope is the
    section, admonition or table whose citations may back the title's figures, dates and quotations."""
    for title in doctree.findall(nodes.title):
        scope = title.parent
        if isinstance(scope, (nodes.section, nodes.Admonition, nodes.table)) and not any(
                _skipped(node) for node in _ancestors(title)):
            yield title, scope


def _ancestors(node):
    node = node.parent
    while node is not None:
        yield node
        node = node.parent


def _line(block, source_lines) -> int:
    """A block's line in its document; ``source_lines()`` gives the document's lines, read only
    when a table row needs them."""
    line = block.line or next((n.line for n in block.findall(nodes.Element) if n.line), None)
    parent = block
    while line is None and parent is not None:
        line, parent = parent.line, parent.parent
    if isinstance(block, nodes.row) and line is not None:
        # Table rows carry no line of their own: find the row's first cell in the source.
        first = block.astext().split("\n")[0].strip()
        line = next((n for n, text in enumerate(source_lines()[line - 1:], start=line)
                     if first and first in text), line)
    return line or 1  # a block docutils gives no line at all is reported at the document's top


def _doc_location(env, line: int) -> Location:
    """A line of the document being read, as the book's warnings give it: "chapters/one.md:15"."""
    return Location(Path(env.doc2path(env.docname, False)).as_posix(), line)


def _location(env, block, line: int) -> Location:
    """Where a block's warnings point: a data row's own line in its data file, else the block's
    line in the document."""
    origin = block.get("briefing-origin")  # "data/figures.csv:12"
    return Location.parse(origin) if origin else _doc_location(env, line)


def _claim_id(docname: str, text: str, taken: set[str]) -> str:
    """A block's anchor: a digest of its page and its opening words, which its sources' "Cited by"
    lists show. A correction past them keeps the anchor, so readers' links to the block still find
    it and the source pages need not be written again. The page makes blocks that open alike on
    different pages (each source page's note on its text) differ in the PDF, one document in which
    every anchor must be unique; on one page, they are told apart by their order."""
    digest = hashlib.sha1(f"{docname}\n{snippet(text)}".encode()).hexdigest()
    base = f"claim-{digest[:7]}"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


# --- the rule ---------------------------------------------------------------------------------

def check_document(app, doctree) -> None:
    env = app.env
    docname = env.docname
    if not cited_doc(app, docname):
        return
    # A change to the registry, the names or an archived text re-reads the pages that cite them.
    for name in (app.config.briefing_sources_file, app.config.briefing_names_file):
        env.note_dependency(name)
    for path in corpus(env).vocabulary_files():  # data/counted.toml and the other vocabularies
        env.note_dependency(str(path))
    if corpus(env).registry_unread:
        return  # the registry's own problem is reported: every citation would read as unknown
    check_glossary_names(app, doctree)
    reason = env.metadata.get(docname, {}).get("uncited")
    if reason is not None:
        if not str(reason).strip():
            _warn(env, _doc_location(env, 1), "front matter 'uncited' needs a reason saying why this page "
                  "makes no claims", "exemption")
        check_exempt_page(app, doctree)
        return
    # A source page's annotation rests on the page's own source unless a block cites another.
    page_source = [source.key] if (source := corpus(app.env).source_on_page(docname)) else []
    claims = claims_domain(env).claims.setdefault(docname, [])
    taken: set[str] = set()
    lines: list[str] = []

    def source_lines() -> list[str]:
        if not lines:
            lines.extend(env.doc2path(docname).read_text(encoding="utf-8").splitlines())
        return lines

    check_headings(app, doctree)
    check_raw_html(app, doctree)
    for node in doctree.findall(addnodes.pending_xref):
        if node.get("refdomain") == "cite":
            check_pinpoint_syntax(app, node)
    for block in list(blocks_of(doctree)):
        text, cites, derived = block_parts(block)
        if not re.search(r"\w", text) and not derived:  # any script: a Cyrillic block is a block
            continue
        line = _line(block, source_lines)
        location = _location(env, block, line)
        keys = list(dict.fromkeys(page_source + cite_keys(cites)))
        if not keys:
            _warn(env, location, f"uncited {_kind(block)}: “{snippet(text, 10)}” — add a citation to the "
                  "source it rests on ({cite:p}`key`), or wrap navigation in an "
                  "{uncited} block with a :reason:", "uncited")
            continue
        _depend_on_sources(app, keys)
        found = check_evidence(app, block, text, derived, keys, location, cites)
        block_id = _claim_id(docname, text, taken)
        block["ids"].append(block_id)
        block["briefing-passages"] = [tuple(ref) for ref in found]
        for key in keys:
            paragraphs = tuple(sorted({ref.number for ref in found if ref.key == key and ref.in_text}))
            claims.append(Claim(key, block_id, snippet(text), line, paragraphs))


def check_raw_html(app, doctree) -> None:
    """Raw HTML can carry no citation, so it may state no figure, date or quotation of the sources:
    such words belong in Markdown, where the claims rule checks them."""
    for raw in doctree.findall(nodes.raw):
        if "html" not in raw.get("format", "").split():
            continue
        text = re.sub(r"<[^>]*>", " ", raw.astext())
        for item in conflict_items(text, corpus(app.env)):
            _warn(app.env, _doc_location(app.env, raw.line or 1), f"{item.describe()} in raw HTML, where no "
                  "citation can stand: write it in Markdown with its citation", "raw-html")


def check_headings(app, doctree) -> None:
    """A heading, admonition title or table title makes a claim only with a figure, date or
    quotation, and that must be in a source cited within its section, admonition or table."""
    env = app.env
    for title, scope in headings_of(doctree):
        text, _cites, derived = block_parts(title)
        if not extract(text) and not derived:
            continue
        kind = _kind(title)
        location = _doc_location(env, title.line or scope.line or 1)
        keys = cite_keys(node for node in scope.findall(addnodes.pending_xref) if node.get("refdomain") == "cite")
        if not keys:
            _warn(env, location, f"{kind} “{snippet(text, 10)}” states a figure, date or quotation, but nothing in "
                  f"its {_scope_kind(scope)} cites a source: cite the source that holds it there", "uncited")
            continue
        _depend_on_sources(app, keys)
        cites = [node for node in scope.findall(addnodes.pending_xref) if node.get("refdomain") == "cite"]
        block = Block(text=text, keys=tuple(keys), derived=tuple(derived), location=location,
                      segments=(Segment(len(text), tuple(c for node in cites for c in cite_targets(node))),),
                      pins_required=False)
        if any(corpus(app.env).text_missing(key) for key in keys):
            continue  # the missing text's own problem is reported
        for problem in judge(block, corpus(app.env)).problems:
            _report(env, dataclasses.replace(problem, message=f"{kind} “{snippet(text, 10)}”: {problem.message}"))


def _depend_on_sources(app, keys) -> None:
    """A change to a cited source's archived text re-reads the page."""
    for key in keys:
        source = corpus(app.env).sources.get(key)
        if source is not None:
            app.env.note_dependency(source.text_rel)


def _scope_kind(scope) -> str:
    if isinstance(scope, nodes.table):
        return "table"
    return "admonition" if isinstance(scope, nodes.Admonition) else "section"


def _warn(env, where: Location, message: str, kind: str) -> None:
    _report(env, Problem.located(where, message, kind=kind))


def _report(env, problem: Problem) -> None:
    """Warn, and keep the warning with the page: a later build that does not re-read the page
    warns again (after_reading), so a defect fails every build until it is fixed."""
    _log(problem)
    claims_domain(env).problems.setdefault(env.docname, []).append(problem)


def _log(problem: Problem) -> None:
    text, location = problem.for_sphinx()
    logger.warning(text, location=location, subtype=problem.kind, type="briefing")


def check_glossary_names(app, doctree) -> None:
    """Every glossary term is a name of data/names.toml, which the meaning rules read."""
    book_names = corpus(app.env).names
    if book_names is None:
        return
    lines = None
    for glossary in doctree.findall(addnodes.glossary):
        for term in glossary.findall(nodes.term):
            if book_names.canonical(term.astext()) is None:
                # Terms carry the glossary's line: find the term's own.
                lines = lines or app.env.doc2path(app.env.docname).read_text(encoding="utf-8").splitlines()
                line = next((n for n, text in enumerate(lines, start=1) if text.strip() == term.astext()),
                            glossary.line or 1)
                _warn(app.env, _doc_location(app.env, line), f"glossary term “{term.astext()}” is not in "
                      f"{app.config.briefing_names_file}: add it there with its kind and the forms the sources "
                      "use", "names")


def check_exempt_page(app, doctree) -> None:
    """A page exempt from the claims rule makes no claim about the conflict: any figure, date or
    quotation of a source's text on it is a warning (its publication details are not claims)."""
    lines: list[str] = []

    def source_lines() -> list[str]:
        if not lines:
            lines.extend(app.env.doc2path(app.env.docname).read_text(encoding="utf-8").splitlines())
        return lines

    for block in list(blocks_of(doctree)):
        text, _cites, _derived = block_parts(block)
        for item in conflict_items(text, corpus(app.env)):
            _warn(app.env, _location(app.env, block, _line(block, source_lines)), f"{item.describe()} on a page "
                  "exempt from the claims rule: it is what a source says about the conflict; state it in a "
                  "chapter with its citation, or leave it out", "exempt-page")


def _kind(block) -> str:
    if isinstance(block, nodes.title):
        parent = block.parent
        return ("table title" if isinstance(parent, nodes.table) else
                "admonition title" if isinstance(parent, nodes.Admonition) else "heading")
    if isinstance(block, nodes.row):
        return "table row"
    if isinstance(block, nodes.list_item):
        return "list item"
    if isinstance(block, nodes.caption):
        return "caption"
    return "card" if _is_card(block) else "paragraph"


def _subject(block) -> str:
    """A glossary definition is about its term, which is not among its own words."""
    for node in _ancestors(block):
        if isinstance(node, nodes.definition_list_item):
            return " ".join(term.astext() for term in node.findall(nodes.term))
    return ""


def check_evidence(app, block, text, derived, keys, location: Location, cites=()) -> list[PassageRef]:
    """Judge the block (briefing.claims) and warn for each problem; return the passages that hold
    its evidence."""
    page_source = corpus(app.env).source_on_page(app.env.docname)
    implied = (Cite(page_source.key, pinpoints.locators(text)),) if page_source and page_source.key in keys else ()
    verdict = judge(Block(text=text, keys=tuple(keys), derived=tuple(derived),
                          passage=block.get("briefing-passage"), reported_by=block.get("briefing-reported-by"),
                          rows=tuple(tuple(row) for row in block.get("briefing-rows", ())),
                          segments=tuple(segment_of(cite, len(text)) for cite in cites),
                          implied=tuple(c for c in implied if not any(c.key == k for n in cites for k in cite_keys([n]))),
                          subject=_subject(block), location=location),
                    corpus(app.env))
    if any(corpus(app.env).text_missing(key) for key in keys):
        return verdict.passages  # the missing text's own problem is reported: nothing here can be checked
    for problem in verdict.problems:
        _report(app.env, problem)
    return verdict.passages


# --- rendering --------------------------------------------------------------------------------

def list_citing_blocks(app, doctree, docname) -> None:
    """Fill each ``{cited-by}`` list with the blocks of the book that cite its source."""
    for node in list(doctree.findall(cited_by)):
        node.replace_self(_cited_by_list(app, docname, node["key"]))


def _cited_by_list(app, docname, key):
    """The blocks citing a source, grouped under each paragraph they rest on (a block resting on
    several is listed under each), so that a reader at a paragraph sees what rests on it; on
    screen collapsed (a <details>), its summary counting them. Paper cannot follow the links:
    print names the claims register, which holds the same list, instead."""
    entries = sorted((doc, claim) for doc, claims in claims_domain(app.env).claims.items()
                     for claim in claims if claim.key == key)
    if not entries:
        return nodes.paragraph("", "No block of the book cites this source yet.")
    if app.builder.format != "html":
        return nodes.paragraph("", "The blocks of the book that cite this source, paragraph by paragraph, are "
                               "listed in the claims register (data/claims-register.csv) and on this "
                               "source's page of the HTML edition.", classes=["cited-by-print"])
    entries.sort(key=lambda entry: (entry[0], entry[1].line))
    source = corpus(app.env).sources.get(key)
    by_paragraph: dict[int, list] = {}
    for doc, claim in entries:
        for number in claim.paragraphs or (0,):
            by_paragraph.setdefault(number, []).append((doc, claim))
    groups = nodes.bullet_list(classes=["cited-by"])
    for number in sorted(by_paragraph):
        head = nodes.paragraph(classes=["cited-by-paragraph"])
        if number and source is not None:
            label = f"¶{number}"
            head += make_refnode(app.builder, docname, source.page, source.anchor(number),
                                 nodes.inline(label, label), f"{source.short}, {label}")
        else:
            head += nodes.Text("No paragraph named")
        items = nodes.bullet_list()
        for doc, claim in by_paragraph[number]:
            title = app.env.titles[doc].astext() if doc in app.env.titles else doc
            para = nodes.paragraph()
            para += make_refnode(app.builder, docname, doc, claim.block_id,
                                 nodes.inline("", f"{title}: {claim.snippet}"), f"{title}")
            items += nodes.list_item("", para)
        groups += nodes.list_item("", head, items)
    blocks = len({(doc, claim.block_id) for doc, claim in entries})
    summary = (f"{blocks} block{'s' if blocks != 1 else ''} of the book cite{'' if blocks != 1 else 's'} this source, under "
               f"{len(by_paragraph)} of its paragraphs: show them")
    return [nodes.raw("", f'<details class="cited-by-details"><summary>{summary}</summary>', format="html"),
            groups, nodes.raw("", "</details>", format="html")]


# --- after reading: what incremental builds must redo -----------------------------------------

# Beside the doctrees: what the pages of each output folder showed of other pages when last written.
WRITTEN = "briefing-written-views.json"
ALL = "*"  # the entry every page shows: the titles and the table of contents (the sidebar, prev/next)


def page_views(app, env) -> dict[str, str]:
    """What pages show of other pages, as digests: each source page's "Cited by" list (its entries,
    with the citing pages' titles) and, under ALL, every page's title and the table of contents."""
    def title(doc):
        return env.titles[doc].astext() if doc in env.titles else doc

    lists: dict[str, list] = {}
    for docname, claims in env.get_domain(ClaimsDomain.name).claims.items():
        for claim in claims:
            lists.setdefault(claim.key, []).append((docname, title(docname), claim.block_id, claim.snippet,
                                                    claim.line, claim.paragraphs))
    views = {ALL: _digest((sorted((doc, title(doc)) for doc in env.found_docs),
                           sorted((doc, list(children)) for doc, children in env.toctree_includes.items())))}
    for key, source in corpus(env).sources.items():
        if source.page in env.found_docs:
            views[source.page] = _digest((key, source.short, source.page, sorted(lists.get(key, []))))
    return views


def _digest(value) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()


def _written_key(app) -> str:
    return f"{app.builder.name} {Path(app.outdir).resolve()}"


def _written(app) -> dict[str, dict[str, str]]:
    try:
        return json.loads((Path(app.doctreedir) / WRITTEN).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def after_reading(app, env) -> list[str]:
    """Emitted by every build, unlike env-check-consistency: warn again for the pages this build
    did not re-read, so that a defect fails every build until it is fixed; and rewrite, unread,
    the pages that show what has changed since they were last written into this output folder
    (a source page's "Cited by" list; every page, when a title or the table of contents changed).
    Kept per output folder, because builders share one doctree folder (`sphinx-build -M`): a
    dirhtml build that rewrote a source page has not rewritten it in the html folder."""
    domain = claims_domain(env)
    purged = domain.end_reading()
    for docname in sorted(set(domain.problems) - purged):
        for problem in domain.problems[docname]:
            _log(problem)
    views = app.briefing_views = page_views(app, env)
    written = _written(app).get(_written_key(app))
    if written is None or written.get(ALL) != views[ALL]:
        return sorted(env.found_docs)  # a folder not written before with this record, or a new title
    return sorted(page for page, digest in views.items() if page != ALL and written.get(page) != digest)


def note_written(app, exception) -> None:
    """Record what this build's pages show, once they are all written."""
    views = getattr(app, "briefing_views", None)
    if exception is not None or views is None:
        return
    record = _written(app)
    record[_written_key(app)] = views
    path = Path(app.doctreedir) / WRITTEN
    partial = path.with_suffix(f".{os.getpid()}.partial")
    partial.write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
    os.replace(partial, path)


def setup(app):
    app.setup_extension("briefing_sources")
    app.add_domain(ClaimsDomain)
    app.add_node(cited_by)
    app.add_role("derived", derived_role)
    app.add_directive("uncited", Uncited)
    app.add_directive("cited-by", CitedBy)
    app.connect("env-updated", after_reading)
    app.connect("build-finished", note_written)
    app.connect("doctree-read", check_document)
    app.connect("doctree-resolved", list_citing_blocks)
    return {"version": "1.0", "env_version": rules_version(), "parallel_read_safe": True, "parallel_write_safe": True}


def rules_digest() -> str:
    """A digest of the rules' code (tools/briefing): what every judgment and annotation is made by."""
    digest = hashlib.sha256()
    for path in sorted(RULES.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def rules_version() -> int:
    """The environment's version for this extension, from the rules' digest: a change to a rule
    re-reads and re-judges every page, as a fresh build would."""
    return int(rules_digest()[:12], 16)
