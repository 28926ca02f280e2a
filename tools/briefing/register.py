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

from .archive import Source
from .evidence import PUBLICATION_DETAILS, DerivedError, Item, SourceIndex, derived_inputs, extract, index_passage

# Characters of context either side of a quotation, as annotation tools commonly keep.
CONTEXT = 32
ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
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


def _describe(items: list[Item]) -> list[dict]:
    return [{"kind": item.kind, "shown": item.shown} for item in items]


def annotation(block: Block, page_url: str, sources: dict[str, Source], indexes: dict[str, SourceIndex],
               source_urls: dict[str, str]) -> dict:
    """The Web Annotation of one block. ``page_url``: the address of the block's page;
    ``source_urls``: the address of each source's page in the book."""
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
            target["paragraph"] = number
            target["selector"] = {"type": "FragmentSelector", "conformsTo": "http://tools.ietf.org/rfc/rfc3986",
                                  "value": source.anchor(number), "refinedBy": quote}
            if held:
                target["holds"] = _describe(held)
        else:  # the publication date: the source page's table of what is known of it
            target["selector"] = {"type": "FragmentSelector", "conformsTo": "http://tools.ietf.org/rfc/rfc3986",
                                  "value": f"{key}-facts"}
        targets.append(target)
    record = {
        "id": address, "type": "Annotation", "motivation": "linking",
        "claimId": block.claim_id, "page": page_url,
        "body": {"id": address, "type": "TextualBody", "value": block.text, "format": "text/plain",
                 "language": "en"},
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
    as CSV."""
    head = {
        "@context": [ANNOTATION_CONTEXT, OWN_TERMS],
        "id": register_id,
        "type": "AnnotationCollection",
        "label": label,
        "total": len(entries),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": []},
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
        selector = target.get("selector", {})
        quote = selector.get("refinedBy", {})
        row = dict(base, source=target.get("sourceKey", ""), paragraph=target.get("paragraph", ""),
                   passage_address=f"{target['source']}#{selector['value']}" if target else "",
                   exact=quote.get("exact", ""), prefix=quote.get("prefix", ""),
                   suffix=quote.get("suffix", ""))
        writer.writerow(row)
    return out.getvalue()
