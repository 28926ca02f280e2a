"""The claims register: every cited block of the book as a W3C Web Annotation, its body the
block's text at its ``claim-…`` address, its targets the archived passages it rests on; and the
same as one flat CSV.

Pure Python, no Sphinx. tools/extensions/briefing_register.py collects the blocks while the book
is read (what the claims rule found) and calls ``register_files`` when the HTML is written.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from .archive import Source
from .evidence import PUBLICATION_DETAILS, DerivedError, Item, SourceIndex, derived_inputs, extract, index_passage

# Characters of context either side of a quotation, as annotation tools commonly keep (and no
# more: the fuzzy search of dom-anchor-text-quote, which Hypothesis descends from, takes at most 32).
CONTEXT = 32
ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
FRAGMENT_SPEC = "http://tools.ietf.org/rfc/rfc3986"
# The register's own terms, named in a URN: they describe this book's claims, not a vocabulary
# published anywhere.
OWN_TERMS = {
    "briefing": "urn:briefing-book:",
    "claimId": "briefing:claimId",
    "page": "briefing:page",
    "citationKeys": "briefing:citationKeys",
    "found": "briefing:found",
    "kind": "briefing:kind",
    "shown": "briefing:shown",
    "holds": "briefing:holds",
    "sourceKey": "briefing:sourceKey",
    "paragraph": "briefing:paragraph",
    "voice": "briefing:voice",
    "asOf": "briefing:asOf",
    "asOfText": "briefing:asOfText",
    "dataRow": "briefing:dataRow",
}
CSV_COLUMNS = ("claim_id", "page", "address", "text", "citation_keys", "figures", "dates",
               "quotations", "voice", "as_of", "as_of_text", "data_row", "source", "paragraph",
               "passage_address", "exact", "prefix", "suffix")
_SENTENCE = re.compile(r"[^.!?]*(?:[.!?]+[\"'\u201d\u2019)\]]*|$)")


@dataclass(frozen=True)
class Block:
    """One cited block, as the claims rule saw it."""

    doc: str  # docname
    claim_id: str
    text: str
    keys: tuple[str, ...]
    derived: tuple[str, ...]  # {derived} specifications, "a = b - c"
    passages: tuple[tuple[str, int], ...]  # (source key, paragraph number or PUBLICATION_DETAILS)
    data_row: str = ""  # "data/figures.csv:LINE" for a row drawn from a data file
    voice: str = ""
    as_of: str = ""
    as_of_text: str = ""

    def items(self) -> list[Item]:
        found = extract(self.text)
        for spec in self.derived:
            try:
                found += derived_inputs(spec)
            except DerivedError:
                pass  # the claims rule has reported it
        return found


def sentence_spans(paragraph: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, surrounding spaces left out."""
    spans = []
    for match in _SENTENCE.finditer(paragraph):
        text = match.group(0)
        if not text.strip():
            continue
        start = match.start() + len(text) - len(text.lstrip())
        end = match.end() - (len(text) - len(text.rstrip()))
        spans.append((start, end))
    return spans


@functools.lru_cache(maxsize=4096)
def _indexed_sentences(number: int, paragraph: str) -> tuple:
    """The paragraph indexed whole and sentence by sentence: ((start, end), passage) per sentence.
    Kept, since many blocks rest on one paragraph (the indexes are only read)."""
    spans = sentence_spans(paragraph) or [(0, len(paragraph))]
    return index_passage(number, paragraph), tuple(
        (span, index_passage(number, paragraph[span[0]:span[1]])) for span in spans)


@functools.lru_cache(maxsize=1024)
def _sentence_index(source, sentences: tuple[str, ...]) -> SourceIndex:
    return SourceIndex(source, list(sentences))


def quote_selector(paragraph: str, number: int, items: list[Item], index: SourceIndex,
                   block_text: str) -> tuple[dict, list[Item]]:
    """A TextQuoteSelector within the archived paragraph: the sentences holding the block's
    figures, dates and quotations (from the first such sentence to the last); failing any, the
    sentence sharing most words with the block; failing that, the whole paragraph. Returns the
    selector and the items the paragraph holds."""
    whole, sentences = _indexed_sentences(number, paragraph)
    held = [item for item in items if number in index.find(item, [whole])]
    spans = [span for span, _ in sentences]
    chosen = [span for span, passage in sentences if any(number in index.find(item, [passage]) for item in held)]
    if held and len(chosen) == 0:
        chosen = [(0, len(paragraph))]  # an item running across sentences
    if not chosen:
        best = _sentence_index(index.source, tuple(paragraph[start:end] for start, end in spans)) \
            .best_passage(block_text)
        chosen = [spans[best - 1]] if best else [(0, len(paragraph))]
    start, end = chosen[0][0], chosen[-1][1]
    selector = {"type": "TextQuoteSelector", "exact": paragraph[start:end],
                "prefix": paragraph[max(0, start - CONTEXT):start], "suffix": paragraph[end:end + CONTEXT]}
    return selector, held


class _TextContent(HTMLParser):
    """The text of a page's ``<body>`` as a browser's ``textContent`` gives it (every text node,
    scripts and styles included, character references decoded), and where each element with an
    id starts and ends in it."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
            "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.length = 0
        self.in_body = False
        self.open: list[tuple[str, str | None, int]] = []
        self.spans: dict[str, tuple[int, int]] = {}
        self.after_pre = False

    def handle_starttag(self, tag, attrs):
        if tag == "body":
            self.in_body = True
            return
        if not self.in_body or tag in self.VOID:
            return
        self.open.append((tag, dict(attrs).get("id"), self.length))
        # An HTML parser drops the newline that directly follows <pre>.
        self.after_pre = tag in ("pre", "textarea", "listing")

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag == "body" or not self.in_body:
            return
        for n in range(len(self.open) - 1, -1, -1):
            if self.open[n][0] == tag:
                for _, ident, start in self.open[n:]:
                    if ident:
                        self.spans.setdefault(ident, (start, self.length))
                del self.open[n:]
                break

    def handle_data(self, data):
        if not self.in_body:
            return
        if self.after_pre and data.startswith("\n"):
            data = data[1:]
        self.after_pre = False
        self.parts.append(data)
        self.length += len(data)


class PageText:
    """A built page's text, for the contexts of the quotes on it.

    A client finds a quote as dom-anchor-text-quote (from which Hypothesis's anchoring grew)
    does: it searches the page for the prefix, fuzzily (diff-match-patch's bitap), from the middle
    of the page; failing a prefix, for the suffix; then for the quote from there. A prefix that is
    unique on the page can still lose to a near copy nearer the middle (a heading repeated, a
    "Cited by" entry quoting the paragraph). So each context is tried as that search scores
    places (errors over the pattern's length, plus the distance from where the search starts over
    twice the page's length) and kept only if the quote's own place wins."""

    Q = 3  # q-grams that locate the near copies of a pattern

    def __init__(self, html: str):
        reader = _TextContent()
        reader.feed(html)
        reader.close()
        self.text = "".join(reader.parts)
        self.spans = reader.spans
        self._grams: dict[str, list[int]] | None = None
        self._chosen: dict[tuple[int, str], dict] = {}  # many blocks quote the same words

    def _gram_index(self) -> dict[str, list[int]]:
        if self._grams is None:
            grams: dict[str, list[int]] = {}
            text = self.text
            for at in range(len(text) - self.Q + 1):
                grams.setdefault(text[at:at + self.Q], []).append(at)
            self._grams = grams
        return self._grams

    @staticmethod
    def _errors(pattern: str, window: str, most: int) -> tuple[int, int]:
        """The fewest edits that turn ``pattern`` into a part of ``window``, and where that part
        ends; (most + 1, 0) as soon as it is known to take more than ``most``."""
        if (found := window.find(pattern)) >= 0:
            return 0, found + len(pattern)
        previous = [0] * (len(window) + 1)
        for n, char in enumerate(pattern, 1):
            current = [n] + [0] * len(window)
            for m, other in enumerate(window, 1):
                current[m] = min(previous[m] + 1, current[m - 1] + 1, previous[m - 1] + (char != other))
            previous = current
            if min(current) > most:
                return most + 1, 0
        best = min(previous)
        return best, previous.index(best)

    def _wins(self, pattern: str, true_at: int, loc: int) -> bool:
        """Whether a search for ``pattern`` from ``loc`` lands on ``true_at``."""
        text, size = self.text, len(pattern)
        if not pattern:
            return loc == true_at
        if text[loc:loc + size] == pattern:
            return loc == true_at
        spread = 2 * len(text)
        true_score = abs(true_at - loc) / spread
        most = -(-int(size * true_score * 1_000_000) // 1_000_000) - 1  # fewer errors than would tie
        if most < 0:
            return True
        grams = self._gram_index()
        votes: dict[int, int] = {}
        for offset in range(size - self.Q + 1):
            for at in grams.get(pattern[offset:offset + self.Q], ()):
                bucket = (at - offset) // 8
                votes[bucket] = votes.get(bucket, 0) + 1
        # A place within `most` edits shares this many of the pattern's q-grams (the q-gram lemma).
        needed = max(1, size - self.Q + 1 - most * self.Q)
        checked = set()
        for bucket, count in votes.items():
            near = count + votes.get(bucket - 1, 0) + votes.get(bucket + 1, 0)
            if near < needed or bucket in checked:
                continue
            checked.update((bucket - 1, bucket, bucket + 1))
            if abs(bucket * 8 - true_at) <= 8:
                continue  # the pattern's own place
            first = max(0, bucket * 8 - 8 - most)
            window = text[first:bucket * 8 + 16 + size + most]
            errors, end = self._errors(pattern, window, most)
            place = first + end - size
            if errors <= most and errors / size + abs(place - loc) / spread < true_score:
                return False
        return True

    def _anchors(self, quote: dict, at: int) -> bool:
        """Whether the search described above finds the quote at ``at``."""
        text, middle = self.text, len(self.text) // 2
        loc = middle
        prefix, suffix = quote.get("prefix"), quote.get("suffix")
        if prefix is not None:
            if not self._wins(prefix, at - len(prefix), loc):
                return False
            loc = at
        elif suffix is not None:
            stop = at + len(quote["exact"])
            if not self._wins(suffix, stop, middle + len(quote["exact"])):
                return False
            loc = at
        return self._wins(quote["exact"][:CONTEXT], at, loc)

    def contexts(self, anchor: str, paragraph: str, quote: dict) -> tuple[dict, dict] | None:
        """The quote (a TextQuoteSelector within ``paragraph``) with its context in the page and
        within the element ``anchor``; None when the page does not show the paragraph whole."""
        if anchor not in self.spans:
            return None
        start, end = self.spans[anchor]
        shown = self.text[start:end]
        offset = shown.find(paragraph)
        within = paragraph.find(quote["prefix"] + quote["exact"] + quote["suffix"])
        if offset < 0 or within < 0:
            return None
        at = start + offset + within + len(quote["prefix"])
        stop = at + len(quote["exact"])
        exact = quote["exact"]
        prefix, suffix = self.text[max(0, at - CONTEXT):at], self.text[stop:stop + CONTEXT]
        # Both contexts if the search finds the quote with them; else the one it finds it with.
        tried = ({"prefix": prefix, "suffix": suffix}, {"suffix": suffix}, {})
        if (at, exact) not in self._chosen:
            self._chosen[at, exact] = next((context for context in tried
                                            if self._anchors(dict(context, exact=exact), at)), tried[0])
        chosen = self._chosen[at, exact]
        page_quote = {"type": "TextQuoteSelector", "exact": exact, **chosen}
        local = {"type": "TextQuoteSelector", "exact": exact,
                 "prefix": self.text[max(start, at - CONTEXT):at], "suffix": self.text[stop:min(end, stop + CONTEXT)]}
        return page_quote, local


def _describe(items: list[Item]) -> list[dict]:
    return [{"kind": item.kind, "shown": item.shown} for item in items]


def annotation(block: Block, page_url: str, sources: dict[str, Source], indexes: dict[str, SourceIndex],
               source_urls: dict[str, str], source_pages: dict[str, "PageText"] | None = None) -> dict:
    """The Web Annotation of one block. ``page_url``: the address of the block's page;
    ``source_urls``: the address of each source's page in the book; ``source_pages``: the text of
    each built source page, which the quotes' contexts are taken from."""
    address = f"{page_url}#{block.claim_id}"
    items = block.items()
    targets = []
    for key, number in block.passages:
        source, index = sources.get(key), indexes.get(key)
        if source is None or key not in source_urls:
            continue
        target = {"type": "SpecificResource", "source": source_urls[key], "sourceKey": key}
        if number != PUBLICATION_DETAILS and index is not None:
            paragraph = index.paragraphs[number - 1]  # the text the index read, not the file again
            quote, held = quote_selector(paragraph, number, items, index, block.text)
            page = (source_pages or {}).get(key)
            target["paragraph"] = number
            # Two selectors of the same words: the quote in the whole page, which clients that know
            # no other selector (Hypothesis) anchor, and the paragraph's anchor refined by the quote
            # within that paragraph. Their contexts come from the built page's text when it is known.
            fragment = {"type": "FragmentSelector", "conformsTo": FRAGMENT_SPEC, "value": source.anchor(number)}
            in_page = page.contexts(source.anchor(number), paragraph, quote) if page is not None else None
            page_quote, paragraph_quote = in_page or (dict(quote), quote)
            target["selector"] = [page_quote, dict(fragment, refinedBy=paragraph_quote)]
            if held:
                target["holds"] = _describe(held)
        else:  # the publication date: the source page's table of what is known of it
            target["selector"] = [{"type": "FragmentSelector", "conformsTo": FRAGMENT_SPEC, "value": f"{key}-facts"}]
        targets.append(target)
    record = {
        "id": address, "type": "Annotation", "motivation": "linking",
        "claimId": block.claim_id, "page": page_url,
        # The block's words, embedded: a body of its own (no id), not the annotation itself.
        "body": {"type": "TextualBody", "value": block.text, "format": "text/plain", "language": "en"},
        "target": targets,
        "citationKeys": list(block.keys),
        "found": _describe(items),
    }
    for name, value in (("voice", block.voice), ("asOf", block.as_of), ("asOfText", block.as_of_text),
                        ("dataRow", block.data_row)):
        if value:
            record[name] = value
    return record


@dataclass(frozen=True)
class Entry:
    """One block's annotation as written in each file of the register: made once per block, kept
    between builds, and joined when the files are written."""

    json_line: str  #: its line of the JSON-LD file
    csv_rows: str  #: its rows of the CSV file


def entry(record: dict) -> Entry:
    return Entry(json.dumps(record, ensure_ascii=False), _csv_rows(record))


def register_files(entries: list[Entry], register_id: str, label: str) -> tuple[str, str]:
    """The register as JSON-LD, one annotation a line (a change to one block is a one-line change;
    each line written by the standard library's C encoder, which an indented dump bypasses), and
    as CSV. The collection has one page, which is both its first and its last."""
    page_id = f"{register_id}#page-1"
    head = {
        "@context": [ANNOTATION_CONTEXT, OWN_TERMS],
        "id": register_id,
        "type": "AnnotationCollection",
        "label": label,
        "total": len(entries),
        "last": page_id,
        "first": {"id": page_id, "type": "AnnotationPage", "partOf": register_id, "startIndex": 0, "items": []},
    }
    text = json.dumps(head, ensure_ascii=False, indent=1)
    if entries:
        lines = ",\n".join("  " + e.json_line for e in entries)
        text = text.replace('"items": []', '"items": [\n' + lines + "\n  ]", 1)
    header = io.StringIO()
    csv.DictWriter(header, fieldnames=CSV_COLUMNS, lineterminator="\n").writeheader()
    return text + "\n", header.getvalue() + "".join(e.csv_rows for e in entries)


def _csv_rows(item: dict) -> str:
    """One row per target of the annotation (one row with empty target columns for a block
    whose sources have no archived passage)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    found = item["found"]
    base = {
        "claim_id": item["claimId"], "page": item["page"], "address": item["id"],
        "text": item["body"]["value"], "citation_keys": " ".join(item["citationKeys"]),
        "figures": " | ".join(f["shown"] for f in found if f["kind"] == "figure"),
        "dates": " | ".join(f["shown"] for f in found if f["kind"] == "date"),
        "quotations": " | ".join(f["shown"] for f in found if f["kind"] == "quotation"),
        "voice": item.get("voice", ""), "as_of": item.get("asOf", ""),
        "as_of_text": item.get("asOfText", ""), "data_row": item.get("dataRow", ""),
    }
    for target in item["target"] or [{}]:
        selectors = {s["type"]: s for s in target.get("selector", [])}
        quote, fragment = selectors.get("TextQuoteSelector", {}), selectors.get("FragmentSelector")
        row = dict(base, source=target.get("sourceKey", ""), paragraph=target.get("paragraph", ""),
                   passage_address=f"{target['source']}#{fragment['value']}" if fragment else "",
                   exact=quote.get("exact", ""), prefix=quote.get("prefix", ""),
                   suffix=quote.get("suffix", ""))
        writer.writerow(row)
    return out.getvalue()
