"""The claims rule: every prose block of the book is cited, and every figure, date and quotation
in it is found in a source the block cites; each citation then links to the passage that holds
the evidence, and each source page lists the blocks that cite it.

A *block* is a list item, a table row, a sphinx-design card, a caption, or any other paragraph.
"""

from __future__ import annotations

import hashlib
import re

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import make_refnode
from sphinxcontrib.bibtex.nodes import raw_latex

from briefing.evidence import DerivedError, Item, extract, index_passage, normalise, parse_derived
from briefing_sources import cited_doc, registry, source_index, sources_holding

logger = logging.getLogger(__name__)
WARN = {"type": "briefing"}
EXEMPT_CLASS = "uncited-by-design"
LATEX_LINK = re.compile(r"\\hyperlink\{[^}]*:(id\d+)\}\{$")


class passage_links(nodes.Inline, nodes.Element):
    """Placeholder for the links from a block to its evidence; replaced when resolving."""


class cited_by(nodes.General, nodes.Element):
    """Placeholder for the list of blocks citing a source; replaced when resolving."""


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
                           location=self.get_location(), subtype="exemption", **WARN)
        box = nodes.container(classes=[EXEMPT_CLASS])
        box["reason"] = reason
        self.state.nested_parse(self.content, self.content_offset, box)
        return [box]


class CitedBy(SphinxDirective):
    required_arguments = 1

    def run(self):
        node = cited_by()
        node["key"] = self.arguments[0]
        return [node]


# --- finding blocks ---------------------------------------------------------------------------

def _is_card(node) -> bool:
    return isinstance(node, nodes.container) and "sd-card" in node.get("classes", [])


def _is_unit(node) -> bool:
    if isinstance(node, nodes.list_item) or _is_card(node) or isinstance(node, nodes.caption):
        return True
    return isinstance(node, nodes.row) and isinstance(node.parent, nodes.tbody)


def _skipped(node) -> bool:
    """Subtrees that hold no claims of the book's own."""
    return isinstance(node, (nodes.citation, nodes.footnote, nodes.literal_block, nodes.comment,
                             nodes.raw, nodes.system_message, addnodes.toctree, nodes.field_list,
                             nodes.docinfo, nodes.title, nodes.rubric, nodes.term, nodes.thead)) or (
        isinstance(node, nodes.Element) and EXEMPT_CLASS in node.get("classes", []))


def _units(doctree):
    """Yield each block once, outermost first; a paragraph belongs to its innermost unit."""
    def walk(node, inside_unit):
        if _skipped(node):
            return
        if _is_unit(node):
            yield node
            inside_unit = True
        elif isinstance(node, nodes.paragraph) and not inside_unit:
            yield node
        for child in node.children:
            if isinstance(child, nodes.Element):
                yield from walk(child, inside_unit)

    yield from walk(doctree, False)


def _collect(unit):
    """The unit's own text, citation nodes and derived figures, leaving out nested units."""
    texts, cites, derived = [], [], []

    def walk(node):
        for child in node.children:
            if isinstance(child, nodes.Text):
                texts.append(child.astext())
                continue
            if _is_unit(child) or _skipped(child) or isinstance(child, passage_links):
                continue
            if isinstance(child, addnodes.pending_xref) and child.get("refdomain") == "cite":
                cites.append(child)
                continue
            if isinstance(child, nodes.inline) and child.get("derived"):
                derived.append(child)
                continue
            if isinstance(child, nodes.literal):
                continue
            walk(child)
            if isinstance(child, (nodes.paragraph, nodes.entry, nodes.term)):
                texts.append("\n")

    walk(unit)
    return " ".join(texts), cites, derived


def _cite_keys(cites) -> list[str]:
    keys = []
    for node in cites:
        for key in node.get("reftarget", "").split(","):
            key = key.strip()
            if key and key not in keys:
                keys.append(key)
    return keys


def _location(app, unit, source_lines):
    """(docname, line) of a block; ``source_lines()`` gives the document's lines, read only when a
    table row needs them."""
    origin = unit.get("briefing-origin")
    if origin:
        return origin
    line = unit.line or next((n.line for n in unit.findall(nodes.Element) if n.line), None)
    parent = unit
    while line is None and parent is not None:
        line, parent = parent.line, parent.parent
    if isinstance(unit, nodes.row) and line is not None:
        # Table rows carry no line of their own: find the row's first cell in the source.
        first = unit.astext().split("\n")[0].strip()
        line = next((n for n, text in enumerate(source_lines()[line - 1:], start=line)
                     if first and first in text), line)
    return (app.env.docname, line)


def _claim_id(text: str, taken: set[str]) -> str:
    digest = hashlib.sha1(normalise(text).encode()).hexdigest()
    base = f"claim-{digest[:7]}"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


def _snippet(text: str, words: int = 14) -> str:
    parts = normalise(text).split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


# --- the rule ---------------------------------------------------------------------------------

def check_document(app, doctree) -> None:
    env = app.env
    docname = env.docname
    if not app.config.briefing_checks or not cited_doc(app, docname):  # off only to time it
        return
    reason = env.metadata.get(docname, {}).get("uncited")
    if reason is not None:
        if not str(reason).strip():
            logger.warning("front matter 'uncited' needs a reason saying why this page makes no claims",
                           location=(docname, 1), subtype="exemption", **WARN)
        return
    claims = env.briefing_claims.setdefault(docname, [])
    taken: set[str] = set()
    lines: list[str] = []

    def source_lines() -> list[str]:
        if not lines:
            lines.extend(env.doc2path(docname).read_text(encoding="utf-8").splitlines())
        return lines

    for unit in list(_units(doctree)):
        text, cites, derived = _collect(unit)
        if not re.search(r"[A-Za-z0-9]", text) and not derived:
            continue
        location = _location(app, unit, source_lines)
        keys = _cite_keys(cites)
        if not keys:
            logger.warning(f"uncited {_kind(unit)}: “{_snippet(text, 10)}” — add a citation to the "
                           "source it rests on ({cite:p}`key`), or wrap navigation in an "
                           "{uncited} block with a :reason:", location=location, subtype="uncited", **WARN)
            continue
        found = check_evidence(app, unit, text, derived, keys, location)
        unit_id = _claim_id(text, taken)
        unit["ids"].append(unit_id)
        for key in keys:
            claims.append((key, unit_id, _snippet(text), location[1] if isinstance(location, tuple) else 0))
        # Each citation carries the passages of its own keys, shown beside each key when rendered.
        for cite in cites:
            own = _cite_keys([cite])
            links = passage_links()
            links["passages"] = [(key, number) for key, number in found if key in own]
            cite.parent.insert(cite.parent.index(cite) + 1, links)


def _kind(unit) -> str:
    if isinstance(unit, nodes.row):
        return "table row"
    if isinstance(unit, nodes.list_item):
        return "list item"
    if isinstance(unit, nodes.caption):
        return "caption"
    return "card" if _is_card(unit) else "paragraph"


def check_evidence(app, unit, text, derived, keys, location) -> list[tuple[str, int]]:
    """Warn for each item no cited source holds; return the (key, paragraph) pairs that hold them."""
    indexes = {key: source_index(app, key) for key in keys}
    indexes = {key: index for key, index in indexes.items() if index is not None}
    within = None
    passage_text = unit.get("briefing-passage")
    if passage_text and indexes:
        within = _row_passage(app, unit, passage_text, indexes, location)
        if within is None:
            return []
    items: list[Item] = extract(text)
    for node in derived:
        try:
            _, _, inputs, _ = parse_derived(node["derived"])
        except DerivedError as err:
            logger.warning(str(err), location=location, subtype="derived", **WARN)
            continue
        items += [Item("figure", f"{value:g} (input of derived {node.astext()})", value) for value in inputs]
    searched = within if within is not None else {key: None for key in indexes}
    hits_by_item = []
    for item in items:
        hits = [(key, number) for key, passages in searched.items()
                for number in indexes[key].find(item, passages)]
        if hits:
            hits_by_item.append(hits)
            continue
        logger.warning(_missing_message(app, item, keys, within is not None), location=location,
                       subtype="evidence", **WARN)
    found = _closest_passages(hits_by_item)
    if within is not None:
        # A data row links to the passage it names, whatever else backs its figures.
        named = [(key, passages[0].number) for key, passages in within.items()]
        found = named + [hit for hit in found if hit not in named and hit[1] != 0]
    for key, index in indexes.items():
        if not any(k == key for k, _ in found):
            best = index.best_passage(text)
            if best:
                found.append((key, best))
    return found


def _closest_passages(hits_by_item: list[list[tuple[str, int]]]) -> list[tuple[str, int]]:
    """For each item, the passages holding it that hold the most of the block's items: a date
    that many paragraphs repeat then links only to the paragraph that also holds the figure."""
    score: dict[tuple[str, int], int] = {}
    for hits in hits_by_item:
        for hit in set(hits):
            score[hit] = score.get(hit, 0) + (1 if hit[1] else 0)  # metadata counts least
    found: list[tuple[str, int]] = []
    for hits in hits_by_item:
        best = max(score[hit] for hit in hits)
        found += [hit for hit in hits if score[hit] == best and hit not in found]
    return found


def _row_passage(app, unit, passage_text, indexes, location):
    """A data row is held to the one passage it names: find that passage in its source."""
    wanted = normalise(passage_text)
    within = {}
    for key, index in indexes.items():
        for passage in index.passages:
            if wanted in passage.text:
                within[key] = [index_passage(passage.number, wanted)]
                break
    if not within:
        logger.warning(f"the passage “{_snippet(passage_text, 10)}” is not in the text of "
                       f"{', '.join(indexes)}: copy it verbatim from the archived text",
                       location=location, subtype="passage", **WARN)
        return None
    return within


def _missing_message(app, item: Item, keys: list[str], row: bool) -> str:
    cited = ", ".join(keys)
    elsewhere = [key for key in sources_holding(app, item) if key not in keys]
    where = "the passage this row names" if row else f"the cited source(s) {cited}"
    message = f"{item.describe()} is not in {where}"
    unarchived = [key for key in keys if source_index(app, key) is None]
    if unarchived:
        message += f" ({', '.join(unarchived)} has no archived text to check against)"
    if elsewhere:
        message += f"; it is in {', '.join(elsewhere)}, which this block does not cite: cite that source"
    elif item.kind == "quotation":
        message += ": quote the source exactly (mark its typos [sic]) or paraphrase without quotation marks"
    elif item.kind == "date":
        message += ": correct the date or cite the source that gives it"
    else:
        message += ": correct it, cite a source that reports it, or mark a computed figure {derived}`VALUE = SUM`"
    return message


# --- rendering --------------------------------------------------------------------------------

def render(app, doctree, docname) -> None:
    sources = registry(app)
    keys_by_id = {c.citation_id: c.key for c in app.env.get_domain("cite").citations}
    for node in list(doctree.findall(passage_links)):
        by_key: dict[str, nodes.inline] = {}
        for key, number in sorted(node["passages"]):
            source = sources.get(key)
            if source is None or source.page not in app.env.all_docs:
                continue
            anchor = source.anchor(number) if number else f"{key}-facts"
            label = f"¶{number}" if number else "date"
            title = (f"{source.short}, paragraph {number}" if number
                     else f"{source.short}: publication details")
            links = by_key.setdefault(key, nodes.inline(classes=["passage-links"]))
            if len(links):
                links += nodes.Text("\u2009")  # keeps "¶7 ¶10" apart in every output format
            links += make_refnode(app.builder, docname, source.page, anchor,
                                  nodes.inline(label, label), title)
        _place_beside_keys(node, by_key, keys_by_id)
    for node in list(doctree.findall(cited_by)):
        node.replace_self(_cited_by_list(app, docname, node["key"]))


def _place_beside_keys(node, by_key, keys_by_id) -> None:
    """Put each key's passage links right after that key's reference inside the rendered
    citation (the node's previous sibling); whatever cannot be placed so follows the citation."""
    parent = node.parent
    citation = parent[parent.index(node) - 1] if parent.index(node) else None
    if citation is not None and "bibtex-citation" in citation.get("classes", []):
        for reference in list(citation.findall(nodes.reference)):
            target = reference.get("refuri", "") or reference.get("refid", "")
            key = keys_by_id.get(target.rsplit("#", 1)[-1])
            if key in by_key:
                reference.parent.insert(reference.parent.index(reference) + 1, by_key.pop(key))
        # For LaTeX, sphinxcontrib-bibtex writes each reference as raw "\hyperlink{...:id2}{",
        # the label, and a raw "}".
        opened = None
        for child in list(citation.children):
            if isinstance(child, raw_latex):
                match = LATEX_LINK.search(child.rawsource)
                if match:
                    opened = keys_by_id.get(match.group(1))
                elif child.rawsource == "}" and opened in by_key:
                    citation.insert(citation.index(child) + 1, by_key.pop(opened))
                    opened = None
    node.replace_self(list(by_key.values()))


def _cited_by_list(app, docname, key):
    entries = [(doc, *rest) for doc, claims in app.env.briefing_claims.items()
               for (k, *rest) in claims if k == key]
    if not entries:
        return nodes.paragraph("", "No block of the book cites this source yet.")
    entries.sort(key=lambda e: (e[0], e[3]))
    items = nodes.bullet_list(classes=["cited-by"])
    for doc, unit_id, snippet, _line in entries:
        title = app.env.titles[doc].astext() if doc in app.env.titles else doc
        para = nodes.paragraph()
        para += make_refnode(app.builder, docname, doc, unit_id,
                             nodes.inline("", f"{title}: {snippet}"), f"{title}")
        items += nodes.list_item("", para)
    return items


# --- environment bookkeeping for incremental and parallel builds ------------------------------

def init_env(app, env, docnames):
    if not hasattr(env, "briefing_claims"):
        env.briefing_claims = {}
    env.briefing_cited_before = _cited_by_key(env.briefing_claims)


def _cited_by_key(claims_by_doc) -> dict[str, set]:
    """What each source page's "Cited by" list shows: (page, anchor, snippet) per citing block."""
    cited: dict[str, set] = {}
    for docname, claims in claims_by_doc.items():
        for key, unit_id, snippet, _line in claims:
            cited.setdefault(key, set()).add((docname, unit_id, snippet))
    return cited


def purge(app, env, docname):
    env.briefing_claims.pop(docname, None)


def merge(app, env, docnames, other):
    for docname in docnames:
        if docname in other.briefing_claims:
            env.briefing_claims[docname] = other.briefing_claims[docname]


def source_pages_to_rewrite(app, env):
    """Rewrite a source page, unread, when the list of blocks citing it has changed."""
    before = getattr(env, "briefing_cited_before", {})
    after = _cited_by_key(env.briefing_claims)
    env.briefing_cited_before = {}
    sources = registry(env)
    return [sources[key].page for key in set(before) | set(after)
            if key in sources and before.get(key) != after.get(key)
            and sources[key].page in env.found_docs]


def setup(app):
    app.setup_extension("briefing_sources")
    app.add_node(passage_links)
    app.add_node(cited_by)
    app.add_role("derived", derived_role)
    app.add_config_value("briefing_checks", True, "env")
    app.add_directive("uncited", Uncited)
    app.add_directive("cited-by", CitedBy)
    app.connect("env-before-read-docs", init_env)
    app.connect("env-purge-doc", purge)
    app.connect("env-merge-info", merge)
    app.connect("env-updated", source_pages_to_rewrite)
    app.connect("doctree-read", check_document)
    app.connect("doctree-resolved", render)
    return {"version": "1.0", "env_version": 1, "parallel_read_safe": True, "parallel_write_safe": True}
