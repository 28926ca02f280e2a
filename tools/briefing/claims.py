"""Judging a block of the book against the sources it cites.

``judge(block, corpus)`` returns a ``Verdict``: the problems found, at the block's location, and
the passages that hold the block's evidence. Pure Python, no Sphinx: the build
(tools/extensions/briefing_claims.py) finds the blocks and reports the problems; the benchmark and
the tests call it as is.

The rules, in the order they run:

- evidence: every figure, date and quotation is in a cited source (a data row: in its passage);
- names: every person, place, organisation and outlet the block names is named by a cited source;
- attribution: a figure or quotation credited to someone ("X said", "according to X") is in a
  passage that names X or in which X speaks; a quotation given as X's words is X's words in the
  source (quoted there, or in a passage X voices);
- as of: a date that qualifies a figure is in the passage that holds the figure, unless the block
  presents it as the date of a report; a date found only in a source's publication details is
  presented as such;
- bounds: a figure the source bounds ("over 142,000") keeps a qualifier, and arithmetic on a
  bounded figure is shown as approximate;
- reporter: a data row's ``reported_by`` names only voices of its passage or bodies it names;
- counted: a figure is what its passage counts (data/counted.toml), and one side's count is not
  the other's;
- dated: a date is the day of the event its passage gives it to (data/events.toml);
- insertions: a [bracketed] insertion in a quotation names only what its passage names.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

from .archive import Source
from .dates import MONTH_NAMES
from .errors import Location, Problem
from .evidence import (BOUND, PUBLICATION_DETAILS, DerivedError, Item, Passage, SourceIndex,
                       blank_locators, bounded_figures, date_spans, extract, figure_spans, first_letters, normalise,
                       index_passage, parse_derived, quoted_in, stems)
from .names import Names
from .pinpoints import Cite, write


class Corpus(Protocol):
    """What the judge needs to know of the book's sources."""

    names: Names | None

    def source(self, key: str) -> Source | None: ...
    def index(self, key: str) -> SourceIndex | None: ...
    def holding(self, item: Item) -> list[str]: ...
    def named_by(self, key: str) -> frozenset[str]: ...
    def keys(self) -> list[str]: ...


class Segment(NamedTuple):
    """A citation in a block: where its words end, its keys with their pinpoints, its role."""

    end: int  # the offset in the block's text where the citation stands
    cites: tuple[Cite, ...]
    role: str = "p"  # cite:p or cite:t, for the text an author is told to write


@dataclass(frozen=True)
class Block:
    text: str  # the block's own words, citations left out
    keys: tuple[str, ...]  # the citation keys, in order (and the page's own source, on a source page)
    derived: tuple[tuple[str, str], ...] = ()  # ({derived} spec, the words just before it)
    passage: str | None = None  # a data row: the passage it rests on, verbatim
    reported_by: str | None = None  # a data row of figures: who reported the figure
    rows: tuple[tuple[str, str], ...] = ()  # a chart's caption: (key, passage) of each row drawn
    segments: tuple[Segment, ...] = ()  # its citations
    implied: tuple[Cite, ...] = ()  # a source page's own source, pinpointed by the block's ¶ locators
    pins_required: bool = True  # a heading is held to its section's pinpoints and needs none of its own
    subject: str = ""  # what the block is about, when not in its words: a glossary definition's term
    location: Location = Location("")  # where its problems are reported ("": a block outside the book)

    def problem(self, rule: str, message: str) -> Problem:
        """A problem with the block, found by ``rule``: evidence | derived | passage | pinpoint |
        substance | names | attribution | as-of | bounds | reporter | counted | dated | insertion."""
        return Problem.located(self.location, message, kind=rule)


class PassageRef(NamedTuple):
    """A passage of a source that holds a block's evidence: what a passage link points to."""

    key: str  #: The source's citation key.
    number: int  #: The paragraph, from 1; PUBLICATION_DETAILS for the source's publication details.

    @property
    def in_text(self) -> bool:
        """A paragraph of the source's text, not its publication details."""
        return self.number != PUBLICATION_DETAILS


@dataclass
class Verdict:
    problems: list[Problem] = field(default_factory=list)
    passages: list[PassageRef] = field(default_factory=list)


def judge(block: Block, corpus: Corpus) -> Verdict:
    """The block's problems and the passages that hold its evidence: the paragraphs its citations
    pinpoint (a data row: the passage it names)."""
    verdict = Verdict()
    indexes = {key: index for key in block.keys if (index := corpus.index(key)) is not None}
    within: dict[str, list[Passage]] | None = None
    if block.rows and indexes:
        within = _rows_passages(block.rows, indexes)
    elif block.passage and indexes:
        within = _row_passage(block.passage, indexes)
        if within is None:
            verdict.problems.append(block.problem(
                "passage", f"the passage “{snippet(block.passage, 10)}” is not in the text of "
                           f"{', '.join(indexes)}: copy it verbatim from the archived text"))
            return verdict
        if not any(block.passage in indexes[key].paragraphs[passages[0].number - 1] for key, passages in within.items()):
            # Found only once spaces and quote marks are folded: a reader joining on it would miss it.
            verdict.problems.append(block.problem(
                "passage", f"the passage “{snippet(block.passage, 10)}” differs from the archived text in its "
                           "spaces or quotation marks (a non-breaking space, a curly quote): copy it byte for byte"))
    block_items = extract(block.text)
    items = list(block_items)
    for spec, _before in block.derived:
        try:
            figure = parse_derived(spec)
        except DerivedError as err:
            verdict.problems.append(block.problem("derived", str(err)))
            continue
        items += [Item("figure", f"{value:g} (input of derived {figure.shown})", value) for value in figure.inputs]
    pieces = cited_pieces(block)
    scope = {} if within is not None else _scopes(pieces, items)
    # The rules of meaning ask again where the block's items are: the context keeps the answers.
    context = _Context(corpus, indexes, within, block, block_items, scope)
    hits_by_item = []
    for item in items:
        hits = context.hits(item)
        if hits:
            hits_by_item.append(hits)
            continue
        verdict.problems.append(block.problem("evidence", _not_held(context, item, within, block)))
    if within is not None:
        # A data row links to the passage it names, whatever else backs its figures.
        named = [PassageRef(key, passages[0].number) for key, passages in within.items()]
        verdict.passages = named + [ref for ref in _closest_passages(hits_by_item) if ref not in named and ref.in_text]
    else:
        verdict.passages = _pinned_passages(pieces, indexes)
        if block.pins_required:
            verdict.problems += _unpinned(block, pieces, context)
    if corpus.names is not None and indexes:
        for rule in MEANING_RULES if block.pins_required else HEADING_RULES:
            verdict.problems += rule(block, context)
    return verdict


# --- pinpoints --------------------------------------------------------------------------------

class Piece(NamedTuple):
    """The words of a block that one citation covers, and what it cites."""

    text: str
    cites: tuple[Cite, ...]  # the citation's keys, then the sources the page implies
    segment: Segment | None  # the citation itself; None for words only the page's source backs


def cited_pieces(block: Block) -> list[Piece]:
    """Each citation with the words it covers: those since the citation before it (the block's
    start); words after the last citation belong to the last. The page's own source (a source
    page's) backs every piece."""
    bounds = sorted(block.segments, key=lambda s: s.end)
    if not bounds:
        return [Piece(block.text, block.implied, None)] if block.implied else []
    pieces, start = [], 0
    for number, segment in enumerate(bounds):
        text = block.text[start:] if number == len(bounds) - 1 else block.text[start:segment.end]
        pieces.append(Piece(text, segment.cites + block.implied, segment))
        start = segment.end
    return pieces


Pins = dict[str, "frozenset[int] | None"]  # key -> the paragraphs pinpointed (None: none named)


def _merge(pins: Pins, cites) -> Pins:
    merged = dict(pins)
    for cite in cites:
        if cite.key in merged and (merged[cite.key] is None or not cite.paragraphs):
            merged[cite.key] = None
        else:
            merged[cite.key] = (merged.get(cite.key) or frozenset()) | frozenset(cite.paragraphs) or None
    return merged


def _scopes(pieces: list[Piece], items: list[Item]) -> dict[Item, Pins]:
    """Each item is held to the paragraphs pinpointed by the citation that covers it (the union,
    where it recurs); an item found only in the whole text (a quotation a citation cuts) to all."""
    scope: dict[Item, Pins] = {}
    for piece in pieces:
        for item in extract(piece.text):
            scope[item] = _merge(scope.get(item, {}), piece.cites)
    everything: Pins = {}
    for piece in pieces:
        everything = _merge(everything, piece.cites)
    return {item: scope.get(item, everything) for item in items} | {None: everything}


def _pinned_passages(pieces: list[Piece], indexes: dict[str, SourceIndex]) -> list[PassageRef]:
    """The paragraphs the citations pinpoint, in the order they are cited: what the block's
    passage links, its annotation and the search point to."""
    found: list[PassageRef] = []
    for piece in pieces:
        for cite in piece.cites:
            index = indexes.get(cite.key)
            for number in cite.paragraphs if index is not None else ():
                ref = PassageRef(cite.key, number)
                if number <= len(index.passages) and ref not in found:
                    found.append(ref)
    return found


def is_publication_line(passage: Passage | None) -> bool:
    """A dateline, timestamp, headline or closing date line: it supports only the publication
    facts (the outlet, the printed date, the headline), never an event or a count."""
    return passage is not None and (_is_dateline(passage) or _is_heading(passage))


def candidates(item_texts: str, key: str, index: SourceIndex, limit: int = 3) -> list[int]:
    """The paragraphs of a source a citation should pinpoint for these words: those holding their
    figures, dates and quotations (no dateline or headline), else those sharing most of their
    names and content words."""
    body = [p for p in index.passages if not is_publication_line(p)]
    published = (index.source.month, index.source.day)
    holding: dict[int, set[int]] = {}  # paragraph -> the items it holds
    for n, item in enumerate(extract(item_texts)):
        if item.kind == "date" and item.value[1:] == published:
            continue  # the publication date, which a dateline repeats
        for number in index.find(item, body):
            if number:
                holding.setdefault(number, set()).add(n)
    found: list[int] = []
    uncovered = set().union(*holding.values()) if holding else set()
    while uncovered:  # the fewest paragraphs that hold every item, most holding first
        best = max(sorted(holding), key=lambda number: len(holding[number] & uncovered))
        found.append(best)
        uncovered -= holding[best]
    if found:
        return sorted(found)[:limit * 2]
    words = stems(item_texts)
    ranked = sorted(((len(words & p.stems), -p.number) for p in body), reverse=True)
    return sorted(-n for score, n in ranked[:limit] if score >= 1 and score >= ranked[0][0] - 1)[:limit]


def _unpinned(block: Block, pieces: list[Piece], ctx: _Context) -> list[Problem]:
    """A citation of an archived source that names no paragraph, or one beyond its text: say
    which to name, and how."""
    problems = []
    for piece in pieces:
        for cite in piece.cites:
            index = ctx.indexes.get(cite.key)
            beyond = [n for n in cite.paragraphs if index is not None and n > len(index.passages)]
            if beyond:
                problems.append(block.problem(
                    "pinpoint", f"the pinpoint {write(cite.paragraphs)} of {cite.key} names ¶{beyond[0]}, but its "
                                f"archived text has {len(index.passages)} paragraphs: correct the pinpoint"))
        missing = [cite for cite in piece.cites if not cite.paragraphs and not cite.malformed and cite.key in ctx.indexes]
        if not missing:
            continue
        if piece.segment is None:  # a source page's block: its locators pinpoint the page's source
            found = candidates(piece.text, missing[0].key, ctx.indexes[missing[0].key])
            advice = f"add its ¶ locators, e.g. “({write(found)})”" if found else "add its ¶ locators (“(¶3)”)"
            problems.append(block.problem(
                "pinpoint", f"this block rests on the page's source, {missing[0].key}, but names none of its "
                            f"paragraphs: {advice}"))
            continue
        written, told = [], []
        for cite in piece.segment.cites:
            paragraphs = cite.paragraphs
            if not paragraphs and cite.key in ctx.indexes:
                paragraphs = tuple(candidates(piece.text, cite.key, ctx.indexes[cite.key]))
                told.append(f"{cite.key}: {write(paragraphs) if paragraphs else 'no paragraph found; read the text'}")
            written.append(f"{cite.key}{{{write(paragraphs)}}}" if paragraphs else cite.key)
        problems.append(block.problem(
            "pinpoint", f"the citation of {', '.join(c.key for c in missing)} after “{snippet(piece.text, 8)}” "
                        f"names no paragraph (candidates, by what they hold: {'; '.join(told)}); read them and "
                        f"write the ones this rests on, e.g. {{cite:{piece.segment.role}}}`{','.join(written)}`"))
    return problems


# --- evidence ---------------------------------------------------------------------------------

def _hits(item: Item, indexes: dict[str, SourceIndex], within, pins: Pins | None = None) -> list[PassageRef]:
    """The cited passages holding ``item``: within a data row's (or a chart's rows') passages, or
    within the paragraphs its citation pinpoints (a dateline or headline there supports only the
    publication facts: its date counts as the publication date, its figures as nothing)."""
    if within is not None:
        searched = {key: passages for key, passages in within.items() if key in indexes}
        return list(dict.fromkeys(
            PassageRef(key, PUBLICATION_DETAILS)
            if _in_dateline(next((p for p in passages if p.number == number), None), item) else PassageRef(key, number)
            for key, passages in searched.items() for number in indexes[key].find(item, passages)))
    found = []
    for key, pinned in (pins or {}).items():
        index = indexes.get(key)
        if index is None:
            continue
        if pinned is None:
            found += [PassageRef(key, n) for n in index.find(item)]
            continue
        for number in index.find(item, [index.passages[n - 1] for n in sorted(pinned) if n <= len(index.passages)]):
            passage = index.passages[number - 1] if number else None
            if item.kind == "date" and _in_dateline(passage, item):
                found.append(PassageRef(key, PUBLICATION_DETAILS))
                continue
            if is_publication_line(passage) and item.kind != "quotation":
                if item.kind == "date":
                    found.append(PassageRef(key, PUBLICATION_DETAILS))
                elif isinstance(item.value, str) or 1900 <= item.value <= 2100:
                    found.append(PassageRef(key, number))  # a printed time or year
                continue
            found.append(PassageRef(key, number))
    return list(dict.fromkeys(found))


# A dateline opening a paragraph: "BISHKEK. Sept 22 (Interfax) - ".
_DATELINE = re.compile(r"^(?:[A-Z][A-Za-z-]+[.,]?\s+){1,3}[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s+\d{4})?\s*\([^)]{2,40}\)\s*-\s")


def _in_dateline(passage: Passage | None, item: Item) -> bool:
    """Whether a date stands in a paragraph only in the dateline that opens it: the date of
    publication, not of anything the paragraph reports."""
    if passage is None or item.kind != "date":
        return False
    opening = _DATELINE.match(passage.text)
    if not opening:
        return False
    spans = [(start, end) for month, day, start, end in passage.date_spans if (month, day) == item.value[1:]]
    return bool(spans) and all(end <= opening.end() for _, end in spans)


def _not_held(ctx: _Context, item: Item, within, block: Block) -> str:
    """Why ``item`` is not in the passages it is held to, and what to do."""
    if within is not None:
        if block.rows:
            return _missing_message(ctx.corpus, item, block.keys, "the passages of the rows the chart draws")
        return _row_missing(ctx, item, block)
    pins = ctx.scope.get(item) or {}
    pinned = {key: paragraphs for key, paragraphs in pins.items() if paragraphs and key in ctx.indexes}
    elsewhere = []
    for key, paragraphs in pinned.items():
        index = ctx.indexes[key]
        body = [p for p in index.passages if p.number not in paragraphs
                and (item.kind == "quotation" or not is_publication_line(p))]
        numbers = index.find(item, body)
        if numbers and numbers != [PUBLICATION_DETAILS]:
            elsewhere.append((key, numbers))
        elif any(is_publication_line(index.passages[n - 1]) for n in paragraphs if n <= len(index.passages)) \
                and index.find(item, [index.passages[n - 1] for n in paragraphs if n <= len(index.passages)]):
            return (f"{item.describe()} is only in a dateline, timestamp or headline of {key} "
                    f"({write(paragraphs)}), which supports the publication facts, not an event or a count: "
                    "pinpoint the paragraph that reports it")
    shown = "; ".join(f"{key} {write(p)}" for key, p in pinned.items())
    if elsewhere:
        key, numbers = elsewhere[0]
        return (f"{item.describe()} is not in the paragraphs the citation pinpoints ({shown}); it is in "
                f"{key} {write(numbers)}: cite {write(numbers)}")
    keys = tuple(pins) or block.keys
    if pinned and any(ctx.corpus.index(k) and ctx.corpus.index(k).find(item) for k in keys):
        return f"{item.describe()} is not in the paragraphs the citation pinpoints ({shown}): correct it or its pinpoint"
    if len(keys) < len(block.keys) and any(ctx.corpus.index(k) and ctx.corpus.index(k).find(item)
                                           for k in block.keys if k not in keys):
        return (f"{item.describe()} is not in {', '.join(keys)}, which the citation after it names; it is "
                f"in another source this block cites: move the citation of that source next to it")
    return _missing_message(ctx.corpus, item, keys, "")


def _closest_passages(hits_by_item: list[list[PassageRef]]) -> list[PassageRef]:
    """For each item, the passages holding it that hold the most of the block's items: a date
    that many paragraphs repeat then links only to the paragraph that also holds the figure."""
    score: dict[PassageRef, int] = {}
    for hits in hits_by_item:
        for hit in set(hits):
            score[hit] = score.get(hit, 0) + hit.in_text  # publication details count least
    found: list[PassageRef] = []
    for hits in hits_by_item:
        best = max(score[hit] for hit in hits)
        found += [hit for hit in hits if score[hit] == best and hit not in found]
    return found


def _row_passage(passage_text: str, indexes: dict[str, SourceIndex]):
    """A data row is held to the one passage it names: find that passage in its source."""
    wanted = normalise(passage_text)
    within = {}
    for key, index in indexes.items():
        passage = index.row_passage(wanted)
        if passage is not None:
            within[key] = [passage]
    return within or None


def _rows_passages(rows, indexes: dict[str, SourceIndex]) -> dict[str, list[Passage]]:
    """A chart's caption may draw on the passages of the rows it draws, and on nothing else."""
    within: dict[str, list[Passage]] = {}
    for key, text in rows:
        if key in indexes:
            found = _row_passage(text, {key: indexes[key]})
            for passage in found[key] if found else ():
                kept = within.setdefault(key, [])
                same = next((n for n, p in enumerate(kept) if p.number == passage.number), None)
                if same is None:
                    kept.append(passage)
                elif passage.text not in kept[same].text:
                    # Two rows quote two parts of one paragraph: the chart may draw on both.
                    kept[same] = index_passage(passage.number, f"{kept[same].text} {passage.text}",
                                               indexes[key].source.published)
    return within


def _row_missing(ctx: _Context, item: Item, block: Block) -> str:
    """A data row's figure or date that its passage does not hold: where it is, and what to write
    (a row names its source and passage in its own columns; it cites nothing)."""
    message = f"{item.describe()} is not in the passage this row names"
    for key in block.keys:
        index = ctx.indexes.get(key)
        numbers = [n for n in (index.find(item) if index else []) if n]
        if numbers:
            return (f"{message}; it is in {key} ¶{numbers[0]}: copy into the row's passage column the words of "
                    f"¶{numbers[0]} that hold it, or correct the figure")
    elsewhere = [(key, numbers) for key in ctx.corpus.holding(item) if key not in block.keys
                 and (numbers := [n for n in ctx.corpus.index(key).find(item) if n])]
    if elsewhere:
        key, numbers = elsewhere[0]
        return (f"{message}; it is in {key} ¶{numbers[0]}: set the row's source to {key} and its passage to the "
                f"words of ¶{numbers[0]} that hold it, or correct the figure")
    return f"{message}, nor anywhere in its source: correct the figure or the passage"


def _missing_message(corpus: Corpus, item: Item, keys, row: str) -> str:
    elsewhere = [key for key in corpus.holding(item) if key not in keys]
    where = row or f"the cited source(s) {', '.join(keys)}"
    message = f"{item.describe()} is not in {where}"
    unarchived = [key for key in keys if corpus.index(key) is None]
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


# A block's opening words: what its sources' "Cited by" lists show of it, and what its anchor is
# made from (briefing_claims._claim_id).
OPENING_WORDS = 14


def snippet(text: str, words: int = OPENING_WORDS) -> str:
    parts = normalise(text).split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


# --- meaning ----------------------------------------------------------------------------------

class _Context:
    """One block and its cited sources, as the meaning rules ask about them. What every rule
    reads of the block (its normalised text, its items, its sentences) is read once, here."""

    def __init__(self, corpus: Corpus, indexes: dict[str, SourceIndex], within, block: Block,
                 items: list[Item], scope: dict):
        self.corpus, self.indexes, self.within = corpus, indexes, within
        self.names: Names = corpus.names
        self.items: tuple[Item, ...] = tuple(items)  # extract(block.text)
        self.scope: dict = scope  # each item's pinpointed paragraphs, by key; None: all of them
        self._block = block
        self._hits: dict[Item, tuple[PassageRef, ...]] = {}

    def hits(self, item: Item) -> list[PassageRef]:
        """The passages holding ``item`` among those it is held to."""
        found = self._hits.get(item)
        if found is None:
            pins = self.scope.get(item, self.scope.get(None))
            found = self._hits[item] = tuple(_hits(item, self.indexes, self.within, pins))
        return list(found)

    @functools.cached_property
    def text(self) -> str:
        """normalise(block.text)."""
        return normalise(self._block.text)

    @functools.cached_property
    def plain(self) -> str:
        """The block's own words: quotations (the sources' words) and locators blanked."""
        return blank_locators(_blank_quotations(self.text), lambda m: " ")

    @functools.cached_property
    def sentences(self) -> list[str]:
        return split_sentences(self.text)

    @functools.cached_property
    def clauses(self) -> list[str]:
        """Sentences, and their parts between semicolons: an attribution reaches no further."""
        return [c for s in self.sentences for c in _blank_split(s) if c.strip()]

    def passage(self, key: str, number: int) -> Passage | None:
        """The paragraph, as indexed (a data row's: its passage only); None for the publication
        details, or a number beyond the text (the paragraph after the last)."""
        if number == PUBLICATION_DETAILS:
            return None
        if self.within is not None and key in self.within:
            return next((p for p in self.within[key] if p.number == number), self.within[key][0])
        passages = self.indexes[key].passages
        return passages[number - 1] if number <= len(passages) else None

    @property
    def vocabulary(self):
        from .meaning import Vocabulary

        return getattr(self.corpus, "vocabulary", None) or Vocabulary()

    def corpus_words(self) -> frozenset[str]:
        """The words the sources use, and those of the names' forms, lower case."""
        words = getattr(self.corpus, "words", None)
        return (words() if words else frozenset()) | frozenset(w.lower() for w in self.name_tokens())

    def name_tokens(self) -> frozenset[str]:
        """The words of every name and form of data/names.toml."""
        return _name_tokens(self.names)

    def outlet(self, key: str) -> str | None:
        source = self.corpus.source(key)
        return source.outlet if source else None

    def speaks(self, name: str, key: str, number: int) -> bool:
        source = self.corpus.source(key)
        return bool(source) and number != PUBLICATION_DETAILS and name in source.speakers(number)

    def names_in(self, key: str, number: int) -> frozenset[str]:
        passage = self.passage(key, number)
        return self.names.named_in(passage.text) if passage else frozenset()

    def source_names(self, key: str) -> frozenset[str]:
        return self.corpus.named_by(key)


@functools.lru_cache(maxsize=8)
def _name_tokens(names: Names) -> frozenset[str]:
    return frozenset(word for name in names.names.values() for form in (name.name, *name.forms)
                     for word in re.findall(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?", form))


# Sentences end at . ! ? before a capital, a quotation mark or a bracket; not after "St." or "a.m.".
# (The end of a sentence asked first: most places are none, and are passed at once.)
_SENTENCE = re.compile(r"(?<=[.!?])(?<!\bSt\.)(?<!\ba\.m\.)(?<!\bp\.m\.)(?<!\bc\.)\s+(?=[A-Z\"(])")
_VERBS = ("said|says|say|told|tells|reported|reports|stated|states|announced|announces|added|adds|noted|"
          "notes|claimed|claims|accused|accuses|urged|urges|confirmed|confirms|disclosed|discloses|revealed|"
          "wrote|writes|paraphrases|paraphrased|emphasised|emphasized|declared|declares|counted|counts|put it|warned|"
          "insisted|blamed|quoted|quotes|recorded|records|estimated|listed")
_MONTH_WORD = "|".join(MONTH_NAMES)
_AFTER_NAME = re.compile(r"^(?:'s?)?(?:\s+(?:[a-z-]+|\d+|" + _MONTH_WORD + r")){0,4}?\s+(?:" + _VERBS + r")\b")
# "in the ministry's account": the rest of the sentence is that body's account.
_IN_ACCOUNT = (re.compile(r"\bin (?:the )?$", re.IGNORECASE), re.compile(r"^'s (?:account|words|statement|version)\b"))
# How a source itself credits a body with what it reports: a quotation credited to that body by
# the book may be the source's words about it.
_SOURCE_CREDITS_AFTER = re.compile(r"^(?:'s?)?(?:\s+[a-z-]+){0,3}?\s+(?:said|says|told|reported|reports|stated|"
                                   r"announced|added|disclosed|revealed|noted)\b")
# What a passage reports a voice did, besides saying: it credits the voice with a figure or a
# date, but a quotation of its words needs one of the verbs above ("Putin urged the sides to …" is
# the outlet's narration, not Putin's words).
_SOURCE_ACTS_AFTER = re.compile(r"^(?:'s?)?(?:\s+[a-z-]+){0,3}?\s+(?:accused|proposed|urged|believes|believe|"
                                r"pointed out|confirmed|emphasized|emphasised)\b")
_SOURCE_CREDITS_BEFORE = re.compile(r"according to(?: the)?(?: [\w-]+){0,5}? (?:the )?$", re.IGNORECASE)
_OWN_WORDS = re.compile(r"^'s?\s+(?:words|figures?|count|toll|data|press service)\b")
_BEFORE_NAME = re.compile(r"(?:according to|(?:reported|said|stated|announced|quoted|told|given|cited|counted|"
                          r"confirmed|disclosed) by)\s+(?:the\s+)?$", re.IGNORECASE)
# Places are where things happen, not who says them.
SPEAKER_KINDS = ("person", "organisation", "outlet", "country")
_REPORTED = ("reported|reporting|report|reports|published|publication|wrote|writing|writes|carried|issued|article|"
             "dated|summary|summarising|summarizing|summarised|summarized|dateline|timestamp|printed")
_REPORT_DATE = re.compile(first_letters(_REPORTED.split("|")) + r"\b(?:" + _REPORTED + r")\b[^;]{0,60}$", re.IGNORECASE)
_REPORT_DATE_AFTER = re.compile(r"^,?\s*\(?(?:the\s+)?(?:(?:summary|report|article|analysis|text)\b|publication date|date of (?:the |its )?(?:report|publication)|"
                                r"(?:when|the day) (?:it was|the article was) (?:published|reported))", re.IGNORECASE)
_AS_OF_WORDS = "as of|as at|by|on|until|at"
_AS_OF = re.compile(first_letters(_AS_OF_WORDS.split("|")) + r"\b(?:" + _AS_OF_WORDS + r")\s+$", re.IGNORECASE)
_APPROXIMATE = re.compile(r"\b(?:about|roughly|around|approximately|some|nearly|almost|an estimated|c\.|~)\s*$",
                          re.IGNORECASE)


def split_sentences(text: str) -> list[str]:
    """The sentences of a normalised text; a sentence quoted inside another ("the dateline
    "BISHKEK. Sept 22 (Interfax)"") is not split from it."""
    sentences, start = [], 0
    for match in _SENTENCE.finditer(text):
        if text.count('"', 0, match.start()) % 2 == 0:
            sentences.append(text[start:match.start()])
            start = match.end()
    sentences.append(text[start:])
    return [s for s in sentences if s.strip()]


def _blank_split(sentence: str) -> list[str]:
    """Split at semicolons outside quotation marks."""
    plain, parts, start = _blank_quotations(sentence), [], 0
    for match in re.finditer(";", plain):
        parts.append(sentence[start:match.start()])
        start = match.end()
    return parts + [sentence[start:]]


_QUOTED = re.compile(r'"[^"]*"')


def _blank_quotations(text: str) -> str:
    return _QUOTED.sub(lambda m: " " * len(m.group(0)), text)


def attributed_names(sentence: str, names: Names) -> list[tuple[str, int, int]]:
    """The names a sentence credits with what it reports ("X said", "according to X", "X's
    figures", "in X's account"), each with its start and end; quotation marks' contents are the
    source's words, not the block's attribution."""
    plain = _blank_quotations(sentence)
    credited = []
    for name, start, end in names.find(plain):
        if names.names[name].kind not in SPEAKER_KINDS:
            continue
        after, before = plain[end:end + 60], plain[max(0, start - 40):start]
        if _AFTER_NAME.match(after) or _OWN_WORDS.match(after) or _BEFORE_NAME.search(before) or (
                _IN_ACCOUNT[0].search(before) and _IN_ACCOUNT[1].match(after)):
            credited.append((name, start, end))
    return credited


def _source_credits(names: Names, text: str, name: str, acts: bool = False) -> bool:
    """Whether a passage credits ``name`` with what it reports ("X said", "according to X"; with
    ``acts``, also "X proposed", "X accused")."""
    for found, start, end in names.find(text):
        if found == name and (_SOURCE_CREDITS_AFTER.match(text[end:end + 60])
                              or (acts and _SOURCE_ACTS_AFTER.match(text[end:end + 60]))
                              or _SOURCE_CREDITS_BEFORE.search(text[max(0, start - 60):start])):
            return True
    return False


def _position(sentence: str, item: Item) -> int:
    found = sentence.find(item.shown)
    return found if found >= 0 else 0


def rule_names(block: Block, ctx: _Context) -> list[Problem]:
    """Every name the block uses is named by (or speaks in) a source it cites."""
    named_by = {key: ctx.source_names(key) for key in ctx.indexes}
    problems, seen = [], set()
    for name, _, _ in ctx.names.find(ctx.text):
        if name in seen or any(name in found for found in named_by.values()):
            continue
        seen.add(name)
        others = [key for key in ctx.corpus.keys() if key not in named_by and name in ctx.source_names(key)]
        hint = (f"; {', '.join(others)} names it: cite it for this" if others
                else ": no source of the book names it; take it out or cite a source that does")
        problems.append(block.problem(
            "names", f"the block names {name}, which its cited source(s) {', '.join(block.keys)} "
                     f"do not name{hint}"))
    return problems


def rule_attribution(block: Block, ctx: _Context) -> list[Problem]:
    """Each item is held to the attribution nearest to it in its sentence. (A data row's reporter
    is its own column, judged by rule_reporter.)"""
    if block.passage is not None:
        return []
    problems = []
    for sentence in ctx.clauses:
        credited = attributed_names(sentence, ctx.names)
        if not credited:
            continue
        for item in extract(sentence):
            if item.kind == "quotation" and ctx.names.canonical(" ".join(item.value)):
                continue  # a name quoted as the source spells it
            hits = ctx.hits(item)
            at = _position(sentence, item)
            # The nearest attribution; one that follows the item weighs double, since English
            # mostly names the speaker first.
            name = min(credited, key=lambda c: at - c[2] if c[2] <= at else 2 * (c[1] - at))[0]
            if item.kind == "date":
                # Whose date it is, event or report, is the as-of rule's question; but a day the
                # outlet gives in its own narration is not the day of a speaker it relays.
                problems += _relayed_day(block, ctx, name, item, hits)
                continue
            if not hits or any(_credits(ctx, name, item, hit) for hit in hits):
                continue
            voices = sorted({v for key, n in hits for v in _voices_of(ctx, key, n)})
            if item.kind == "quotation":
                advice = (f"these are not {name}'s words in the source; credit them to "
                          f"{' or '.join(voices) or 'the outlet'}, or quote what {name} said")
            else:
                advice = f"credit {' or '.join(voices) or 'the outlet'}, or cite the passage where {name} gives it"
            where = ", ".join(f"{ref.key} ¶{ref.number}" if ref.in_text else f"{ref.key} (publication details)"
                              for ref in hits[:3])
            problems.append(block.problem(
                "attribution", f"{item.describe()} is credited to {name}, but the passage that "
                               f"holds it ({where}) neither names {name} nor is voiced by "
                               f"{name}: {advice}"))
    return problems


def _relayed_day(block: Block, ctx: _Context, name: str, item: Item, hits: list[PassageRef]) -> list[Problem]:
    """"On Sunday 18 September, according to the Kremlin": the day credited to a relayed voice
    must be in a paragraph that voice speaks in, not only in the outlet's own narration."""
    in_text = [hit for hit in hits if hit.in_text]
    if not in_text or any(name == ctx.outlet(hit.key) for hit in in_text):
        return []
    if any(ctx.speaks(name, key, n) or _source_credits(ctx.names, ctx.passage(key, n).text, name)
           for key, n in in_text):
        return []
    if not any(ctx.speaks(name, key, p.number) for key in {h.key for h in in_text} for p in ctx.indexes[key].passages):
        return []  # the source does not relay that voice at all: the names and substance rules' question
    where = ", ".join(f"{ref.key} ¶{ref.number}" for ref in in_text[:3])
    outlets = " or ".join(sorted({ctx.outlet(ref.key) or ref.key for ref in in_text}))
    return [block.problem(
        "attribution", f"{item.describe()} is credited to {name}, but the day is the outlet's own ({where}), not "
                       f"given where {name} speaks: credit the day to {outlets}")]


def _voices_of(ctx: _Context, key: str, number: int) -> set[str]:
    source = ctx.corpus.source(key)
    if not source:
        return set()
    in_text = number != PUBLICATION_DETAILS
    speakers = source.speakers(number) if in_text else {source.outlet}
    if in_text and len(speakers) > 1 and source.outlet in speakers:
        speakers = speakers - {source.outlet}
    return {s for s in speakers if s}


def _credits(ctx: _Context, name: str, item: Item, hit: PassageRef) -> bool:
    key, number = hit
    if name == ctx.outlet(key):
        return True  # the outlet reports everything it published
    if not hit.in_text:
        return False
    if ctx.speaks(name, key, number):
        return True
    if name not in ctx.names_in(key, number):
        return False
    # A name the passage only mentions is not its voice: the passage must credit what it reports
    # to the name ("the Ministry of Health reported", "according to the Border Service"), or, for
    # a quotation, quote the name's words.
    text = ctx.passage(key, number).text
    if item.kind == "quotation":
        return quoted_in(item.value, text) or _source_credits(ctx.names, text, name)
    return _source_credits(ctx.names, text, name, acts=True)


def rule_as_of(block: Block, ctx: _Context) -> list[Problem]:
    problems = []
    for sentence in ctx.sentences:
        items = extract(sentence)
        figures = [i for i in items if i.kind == "figure"]
        plain = _blank_quotations(sentence)
        for date in (i for i in items if i.kind == "date"):
            start = plain.find(date.shown)
            if start < 0:
                continue
            before = plain[max(0, start - 90):start]
            # A paragraph that is only a dateline is publication details too.
            hits = [PassageRef(key, PUBLICATION_DETAILS) if _is_dateline(ctx.passage(key, n)) else PassageRef(key, n)
                    for key, n in ctx.hits(date)]
            if not hits:
                continue  # the evidence rule has said so
            after = plain[start + len(date.shown):start + len(date.shown) + 60]
            as_report = bool(_REPORT_DATE.search(before) or _REPORT_DATE_AFTER.match(after)
                             or _outlet_dated(ctx, before))
            if not any(hit.in_text for hit in hits) and not as_report:
                problems.append(block.problem(
                    "as-of", f"{date.describe()} is only the publication date of "
                             f"{', '.join(sorted({hit.key for hit in hits}))}, not a date its text "
                             "gives to an event or a count: present it as the date of the "
                             f"report (“reported on {date.shown}”), or give the date the "
                             "passage gives"))
                continue
            if not figures or not _AS_OF.search(before) or as_report:
                continue
            dated = {hit for hit in hits if hit.in_text}
            if any(hit in dated for figure in figures for hit in ctx.hits(figure)):
                continue
            shown = ", ".join(f.shown for f in figures)
            problems.append(block.problem(
                "as-of", f"{date.describe()} dates the figure(s) {shown}, but no passage that "
                         "holds them gives that date: date them as their passage does, or "
                         f"present it as the date of the report (“reported on {date.shown}”)"))
    return problems


_OUTLET_ON = re.compile(r"^(?:'s?(?:\s+[a-z-]+){0,2})?,?\s+(?:(?:on|of)\s+)?$")


def _outlet_dated(ctx: _Context, before: str) -> bool:
    """"Interfax, on 22 September", "inozPRESS.kg's summary of 10 October": an outlet's name just
    before a date makes it the date of the outlet's report."""
    return any(ctx.names.names[name].kind == "outlet" and _OUTLET_ON.match(before[end:])
               for name, _, end in ctx.names.find(before))


def _is_dateline(passage: Passage | None) -> bool:
    """A paragraph that is only a date or a timestamp ("Sept. 19, 2022"): publication details."""
    return passage is not None and bool(passage.dates) and len(passage.text.split()) <= 5


def _is_heading(passage: Passage) -> bool:
    """A headline, credit or dateline: a few words with no full stop of a sentence."""
    return len(passage.text.split()) <= 15 and not re.search(r"[a-z][.!?][\"')\]]*(?:\s|$)", passage.text)


def rule_bounds(block: Block, ctx: _Context) -> list[Problem]:
    text = _blank_quotations(ctx.text)
    kept = {value for value, _ in bounded_figures(text)}
    problems, seen = [], set()
    for item in ctx.items:
        if item.kind != "figure" or isinstance(item.value, str) or item.value in kept or item.value in seen:
            continue
        qualifiers = _source_bounds(ctx, item)
        if qualifiers:
            seen.add(item.value)
            word = BOUND.match(qualifiers[0]).group("qualifier")
            problems.append(block.problem(
                "bounds", f"{item.describe()}: the source gives “{qualifiers[0]}”, a bound, not a "
                          f"count; keep its qualifier (“{word} {item.shown}”)"))
    for spec, before in block.derived:
        try:
            figure = parse_derived(spec)
        except DerivedError:
            continue  # the evidence rule has said so
        shown = figure.shown
        bounded = [q for value in figure.inputs for q in _source_bounds(ctx, Item("figure", f"{value:g}", value))]
        if bounded and not _APPROXIMATE.search(normalise(before)):
            problems.append(block.problem(
                "bounds", f"derived figure {shown!r} is computed from a bound (“{bounded[0]}”), "
                          "so it is not exact: show it as approximate (“roughly "
                          f"{shown}”) or leave the arithmetic out"))
    return problems + _ranked_bounds(block, ctx)


@functools.lru_cache(maxsize=8)
def _words_pattern(words: tuple[str, ...]) -> re.Pattern:
    return re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE)


def _ranked_bounds(block: Block, ctx: _Context) -> list[Problem]:
    """Two lower bounds cannot be ranked: "more than 130 thousand" may be more than "over
    136,000". A sentence that compares two figures its passages give only as lower bounds says
    more than they do."""
    vocabulary = ctx.vocabulary
    if not (vocabulary.comparatives and vocabulary.lower_bounds):
        return []
    comparative = _words_pattern(vocabulary.comparatives)
    lower = tuple(w.lower() for w in vocabulary.lower_bounds)
    problems = []
    for sentence in ctx.sentences:
        plain = _blank_quotations(sentence)
        found = comparative.search(plain)
        if not found:
            continue
        figures = [item for item in extract(sentence) if item.kind == "figure" and not isinstance(item.value, str)]
        bounded = []
        for item in figures:
            qualifiers = _source_bounds(ctx, item)
            if qualifiers and all(BOUND.match(q).group("qualifier").lower() in lower for q in qualifiers):
                bounded.append((item, qualifiers[0]))
        if len({item.value for item, _ in bounded}) >= 2:
            (first, a), (second, b) = bounded[0], bounded[1]
            problems.append(block.problem(
                "bounds", f"“{found.group(0)}” ranks {first.shown} and {second.shown}, which the sources give only "
                          f"as lower bounds (“{a}”, “{b}”): either may be the larger; compare them without ranking"))
    return problems


def _source_bounds(ctx: _Context, item: Item) -> list[str]:
    """How the cited passages qualify a figure, when every passage that holds it qualifies it."""
    hits = [hit for hit in ctx.hits(item) if hit.in_text]
    qualifiers = []
    for key, number in hits:
        passage = ctx.passage(key, number)
        bound = next((shown for value, shown in passage.bounds if value == item.value), None)
        if bound is None:
            return []
        qualifiers.append(bound)
    return qualifiers


def rule_reporter(block: Block, ctx: _Context) -> list[Problem]:
    if block.reported_by is None or ctx.within is None:
        return []
    credited = [name for name, _, _ in ctx.names.find(normalise(block.reported_by))]
    if not credited:
        return [block.problem(
            "reporter", f"reported_by “{block.reported_by}” names no body, person or outlet of "
                        "data/names.toml: name who reported the figure as the passage does")]
    problems = []
    for name in dict.fromkeys(credited):
        if any(_credits(ctx, name, Item("figure", "", 0.0), PassageRef(key, passages[0].number))
               for key, passages in ctx.within.items()):
            continue
        voices = sorted({v for key, p in ctx.within.items() for v in _voices_of(ctx, key, p[0].number)})
        problems.append(block.problem(
            "reporter", f"reported_by credits {name}, which the row's passage neither names nor "
                        f"is voiced by (its voice: {', '.join(voices)}): credit the voice of "
                        "the passage or a body it names"))
    return problems


_NEAR = 12  # words between a figure and its count word, at most
_PHRASE_END = re.compile(r"[.!?;:]\s|,\s|\s(?:and|while|whereas|but)\s")


def own_counts(text: str, figures, value: float, table: dict[str, str]) -> dict[str, str]:
    """What each occurrence of ``value`` in ``text`` counts, by the count word of its own phrase:
    the nearest within its clause, never across another figure ("the deaths of 59 people and the
    injuries of another 198": 59 counts deaths, 198 injuries). A phrase is first taken between
    commas and conjunctions; where it holds no count word, the clause between the neighbouring
    figures. ``figures``: figure_spans(text). {concept: word}."""
    found: dict[str, str] = {}
    spans = sorted((start, end) for _, start, end in figures)
    for number, start, end in figures:
        if number != value:
            continue
        before = max((e for s, e in spans if e <= start), default=0)
        after = min((s for s, e in spans if s >= end), default=len(text))
        left, right = text[before:start], text[end:after]
        left, right = _CLAUSE_END.split(left)[-1], _CLAUSE_END.split(right)[0]
        for narrow in (True, False):
            near_left = _PHRASE_END.split(left)[-1] if narrow else left
            near_right = _PHRASE_END.split(right)[0] if narrow else right
            nearest = _nearest_count(near_left.lower(), near_right.lower(), table)
            if nearest:
                found.update(nearest)
                break
    return found


def _nearest_count(left: str, right: str, table: dict[str, str]) -> dict[str, str]:
    """The count word nearest to a figure that stands between ``left`` and ``right`` (both kept on
    a tie): {concept: word}."""
    pattern = _table_pattern(tuple(table))
    left, right = " ".join(_WORD.findall(left)), " ".join(_WORD.findall(right))
    lefts = [(len(_WORD.findall(left[m.end():])), m.group(1)) for m in pattern.finditer(left)]
    rights = [(len(_WORD.findall(right[:m.start()])), m.group(1)) for m in pattern.finditer(right)]
    ranked = sorted(found for found in lefts + rights if found[0] <= _NEAR)
    if not ranked:
        return {}
    return {table[word]: word for distance, word in ranked if distance == ranked[0][0]}


_CLAUSE_END = re.compile(r"[.!?;]\s")
_WORD = re.compile(r"[a-z]+")


def _words_near(text: str, spans, table: dict[str, str], before: int, after: int,
                sentence: bool = False) -> dict[str, str]:
    """What the table's words beside each span of ``text`` say: {concept: word}."""
    found: dict[str, str] = {}
    for start, end in spans:
        left, right = text[:start], text[end:]
        if sentence:  # a passage's count is told in its own sentence
            left = _CLAUSE_END.split(left)[-1]
            right = _CLAUSE_END.split(right)[0]
        window = " ".join(_WORD.findall(left.lower())[-before:] + ["|"] + _WORD.findall(right.lower())[:after])
        for match in _table_pattern(tuple(table)).finditer(window):
            found.setdefault(table[match.group(1)], match.group(1))
    return found


@functools.lru_cache(maxsize=8)
def _table_pattern(words: tuple[str, ...]) -> re.Pattern:
    # The words' first letters asked first: most places of a window start none of them.
    alternatives = "|".join(map(re.escape, sorted(words, key=len, reverse=True)))
    return re.compile(first_letters(words) + r"(?<!\S)(" + alternatives + r")(?!\S)")


@functools.lru_cache(maxsize=8)
def _side_patterns(adjectives: tuple[tuple[str, tuple[str, ...]], ...]) -> dict[str, re.Pattern]:
    return {side: re.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")\b", re.IGNORECASE)
            for side, words in adjectives if words}


def _sides(text: str, figures, value: float, sides: dict[str, re.Pattern], before: int = 3,
           after: int = 3) -> set[str]:
    """Which side's count a figure is, by the side's adjective just beside it in its own sentence
    (data/meaning.toml's [adjectives]: "41 Tajik people" says whose, "clashes with Tajikistan"
    only where). ``figures``: figure_spans(text)."""
    found = set()
    for number, start, end in figures:
        if number != value:
            continue
        left = " ".join(_CLAUSE_END.split(text[:start])[-1].split()[-before:])
        right = " ".join(_CLAUSE_END.split(text[end:])[0].split()[:after])
        found |= {side for side, pattern in sides.items() if pattern.search(left + " " + right)}
    return found


def _side(text: str, value: float, sides: dict[str, re.Pattern]) -> str | None:
    found = _sides(text, figure_spans(text), value, sides, before=2, after=2)
    return next(iter(found)) if len(found) == 1 else None


def rule_counted(block: Block, ctx: _Context) -> list[Problem]:
    """A figure is what its passage says it is: "36 dead" is not proved by a "36-meter bridge"."""
    table = getattr(ctx.corpus, "counted", {})
    if not table:
        return []
    sides = _side_patterns(tuple(sorted(ctx.vocabulary.adjectives.items())))
    text = ctx.plain
    problems, seen = [], set()
    for item in ctx.items:
        if item.kind != "figure" or isinstance(item.value, str) or item.value in seen or 1900 <= item.value <= 2100:
            continue  # a year counts nothing
        # A data row's count is its "counted" column, whose words all describe the figure.
        said = (_words_near(text, [(s, e) for v, s, e in figure_spans(text) if v == item.value], table, 30, 30)
                if block.passage is not None else own_counts(text, figure_spans(text), item.value, table))
        side = _side(text, item.value, sides)
        if not said and not side:
            continue  # the block says nothing of the figure that its passage could gainsay
        hits = [hit for hit in ctx.hits(item) if hit.in_text]
        if not hits:
            continue
        other: set[str] = set()
        for key, number in hits if side else ():
            passage = ctx.passage(key, number)
            other |= _sides(passage.text, passage.figure_spans, item.value, sides)
        if side and other and side not in other:
            seen.add(item.value)
            problems.append(block.problem(
                "counted", f"{item.describe()} is given as {side}, but the passage that holds it "
                           f"gives it as {' and '.join(sorted(other))}: one side's count is "
                           "not the other's"))
            continue
        if not said:
            continue
        given: dict[str, str] = {}
        for key, number in hits:
            passage = ctx.passage(key, number)
            given.update(own_counts(passage.text, passage.figure_spans, item.value, table))
        if set(said) & set(given):
            continue
        seen.add(item.value)
        where = ", ".join(f"{key} ¶{n}" for key, n in hits[:3])
        told = " or ".join(f"“{w}”" for w in given.values()) or "no count the book's table knows"
        elsewhere = _counted_elsewhere(ctx, item, said)
        problems.append(block.problem(
            "counted", f"{item.describe()} is given as “{next(iter(said.values()))}”, but the "
                       f"passage that holds it ({where}) counts {told} with it: say what the "
                       "source counts" + (f", or cite {elsewhere}, which counts this" if elsewhere else "")))
    return problems


def _counted_elsewhere(ctx: _Context, item: Item, said: dict[str, str]) -> str:
    """The paragraph of a cited source that gives ``item`` the count the block gives it, if any."""
    for key, index in ctx.indexes.items():
        for passage in index.passages:
            if item.value in passage.figures and set(said) & set(
                    own_counts(passage.text, passage.figure_spans, item.value, ctx.corpus.counted)):
                return f"{key} ¶{passage.number}"
    return ""


_BOUNDING = "before|after|since|until|till|by"
_BOUNDS_EVENT = re.compile(first_letters(_BOUNDING.split("|")) + r"\b(?:" + _BOUNDING + r")\s+(?:the\s+)?$",
                           re.IGNORECASE)


def rule_dated(block: Block, ctx: _Context) -> list[Problem]:
    """A date is the day of what its passage says: the day of mourning is not the ceasefire's."""
    table = getattr(ctx.corpus, "events", {})
    if not table:
        return []
    text = ctx.plain
    problems, seen = [], set()
    for item in ctx.items:
        if item.kind != "date" or item.value[2] is None or item.value in seen:
            continue
        _, month, day = item.value
        # A date after "before", "after", "since", "until" bounds an event; it is not its day.
        spans = [(s, e) for m, d, s, e in date_spans(text) if (m, d) == (month, day)
                 and not _BOUNDS_EVENT.search(text[:s])]
        # Only words right beside the date say what it dates ("the ceasefire of 18 September").
        said = _words_near(text, spans, table, before=2, after=2, sentence=True)
        hits = [hit for hit in ctx.hits(item) if hit.in_text]
        if not said or not hits:
            continue
        given: dict[str, str] = {}
        for key, number in hits:
            passage, source = ctx.passage(key, number), ctx.corpus.source(key)
            published = source.published if source else ""
            # The passage's own date_spans, where it was read with that same date.
            spans = passage.date_spans if passage.published == published else date_spans(passage.text, published)
            held = [(s, e) for m, d, s, e in spans if (m, d) == (month, day)]
            given.update(_words_near(passage.text, held, table, before=40, after=40, sentence=True))
        if set(said) & set(given):
            continue
        seen.add(item.value)
        where = ", ".join(f"{key} ¶{n}" for key, n in hits[:3])
        told = " or ".join(f"“{w}”" for w in given.values()) or "nothing the book's table of events knows"
        problems.append(block.problem(
            "dated", f"{item.describe()} is given as the day of “{next(iter(said.values()))}”, but "
                     f"the passage that holds it ({where}) gives it to {told}: date the event as "
                     "its passage does, or cite the passage that dates it"))
    return problems


_INSERTION = re.compile(r"\[(?!sic\])([^\]]+)\]", re.IGNORECASE)


def rule_insertions(block: Block, ctx: _Context) -> list[Problem]:
    """A [bracketed] insertion in a quotation is the book's, and may only name what the passage
    itself names: "[Tajikistan]" may stand for "the other side" only where the passage says who."""
    problems = []
    for item in ctx.items:
        if item.kind != "quotation":
            continue
        for inserted in _INSERTION.findall(item.shown):
            hits = [hit for hit in ctx.hits(item) if hit.in_text]
            named = set().union(*(ctx.names_in(key, n) | ctx.names_in(key, n + 1) | ctx.names_in(key, n - 1)
                                  for key, n in hits)) if hits else set()
            for name, _, _ in ctx.names.find(normalise(inserted)):
                if name not in named:
                    problems.append(block.problem(
                        "insertion", f"the insertion “[{inserted}]” in {item.describe()} names "
                                     f"{name}, which the quoted passage does not name: insert only "
                                     "what the passage refers to, or say it outside the quotation"))
    return problems


def rule_substance(block: Block, ctx: _Context) -> list[Problem]:
    """A pinpointed paragraph is about what its citation covers: it shares a name or a content
    word (stemmed) with those words, and it gives every person and organisation they name (or
    is voiced by them)."""
    problems = []
    for piece in cited_pieces(block):
        text = normalise(f"{block.subject} {piece.text}" if block.subject else piece.text)
        words = stems(text)
        # The quoted words are the passage's own, but for the names it must give itself (a
        # [bracketed] insertion is the book's, and the insertions rule's question).
        names = {name for name, _, _ in ctx.names.find(text)}
        own_names = {name for name, _, _ in ctx.names.find(_blank_quotations(normalise(piece.text)))}
        pinned = [(cite, [ctx.passage(cite.key, n) for n in cite.paragraphs]) for cite in piece.cites
                  if cite.paragraphs and cite.key in ctx.indexes]
        pinned = [(cite, passages) for cite, passages in pinned if all(passages)]  # beyond the text: said apart
        if not pinned or not (words or names):
            continue
        groups = _groups(ctx, text)
        for cite, passages in pinned:
            shared = (words & frozenset().union(*(p.stems for p in passages))) or (
                names & frozenset().union(*(ctx.names_in(cite.key, p.number) for p in passages))) or (
                groups & frozenset().union(*(_groups(ctx, p.text, p) for p in passages)))
            if shared:
                continue
            best = [n for n in candidates(piece.text, cite.key, ctx.indexes[cite.key]) if n not in cite.paragraphs]
            hint = f": the paragraphs that share most with them are {write(best)}" if best else ""
            problems.append(block.problem(
                "substance", f"{cite.key} {write(cite.paragraphs)} shares no name and no content word with the "
                             f"words its citation covers (“{snippet(piece.text, 10)}”): it is about something "
                             f"else; pinpoint the paragraph they rest on{hint}"))
        problems += _unnamed_in_pinpoint(block, ctx, piece, own_names, pinned)
    return problems


def _groups(ctx: _Context, text: str, passage: Passage | None = None) -> frozenset[str]:
    """The groups of data/related.toml that ``text`` uses; a paragraph also has those its figures
    or dates stand for."""
    related = getattr(ctx.corpus, "related", {})
    found = {related[word] for word in _WORD.findall(text.lower()) if word in related}
    held = getattr(ctx.corpus, "related_held", {})
    if passage is not None:
        figures, dates = [v for v in passage.figures if isinstance(v, float)], passage.dates
    else:
        items = extract(text)
        figures = [i.value for i in items if i.kind == "figure" and isinstance(i.value, float)]
        dates = [i for i in items if i.kind == "date"]
    found |= {group for group, kind in held.items()
              if (kind == "figure" and any(v < 1900 or v > 2100 for v in figures)) or (kind == "date" and dates)}
    return frozenset(found)


# Who is named in a sentence must be named where it rests; a country or a place is often only
# the setting, which the paragraph need not repeat.
_MUST_BE_NAMED = ("person", "organisation")


def _unnamed_in_pinpoint(block: Block, ctx: _Context, piece: Piece, names: set[str], pinned) -> list[Problem]:
    problems = []
    for name in sorted(names):
        if ctx.names.names[name].kind not in _MUST_BE_NAMED:
            continue
        if any(name in ctx.names_in(cite.key, p.number) or ctx.speaks(name, cite.key, p.number)
               or name == ctx.outlet(cite.key) for cite, passages in pinned for p in passages):
            continue
        elsewhere = [(cite.key, p.number) for cite, _ in pinned for p in ctx.indexes[cite.key].passages
                     if name in ctx.names_in(cite.key, p.number) or ctx.speaks(name, cite.key, p.number)]
        if not elsewhere:
            continue  # no paragraph of these sources names it: the names rule's question
        shown = "; ".join(f"{cite.key} {write(cite.paragraphs)}" for cite, _ in pinned)
        key, number = elsewhere[0]
        problems.append(block.problem(
            "substance", f"the words of this citation name {name}, but the paragraphs it pinpoints ({shown}) "
                         f"do not; {key} ¶{number} does: add ¶{number} to the pinpoint, or leave the name out"))
    return problems


HEADING_RULES = (rule_names, rule_attribution, rule_as_of, rule_bounds, rule_reporter, rule_counted,
                 rule_dated, rule_insertions)
# A heading is held to its section's pinpoints, all together: what each covers is for its blocks.
from .meaning import RULES as _SENTENCE_RULES  # noqa: E402 (the rules there read this module's context)

MEANING_RULES = (rule_substance,) + HEADING_RULES + _SENTENCE_RULES


# --- pages exempt from the rule ---------------------------------------------------------------

def conflict_items(text: str, corpus: Corpus) -> list[Item]:
    """The figures, dates and quotations of ``text`` that a source's own text holds: what a page
    exempt from the claims rule must not state. Publication details (a source's date, a year, a
    headline or dateline) are bibliography, not claims; figures under ten are
    ordinal more often than counts."""
    published = {(s.month, s.day) for s in (corpus.source(k) for k in corpus.keys()) if s}
    found = []
    for item in extract(text):
        if item.kind == "figure" and (isinstance(item.value, str) or item.value < 10 or 1900 <= item.value <= 2100):
            continue
        if item.kind == "date" and (item.value[1], item.value[2]) in published:
            continue
        for key in corpus.keys():
            index = corpus.index(key)
            body = [p for p in (index.passages if index else []) if not _is_heading(p)]
            if index and index.find(item, body) and index.find(item, body) != [0]:
                found.append(item)
                break
    return found
