"""What the claims judge keeps gives the answers it would give reading everything afresh.

Each archived paragraph is read once, into its source's index (its figures and dates, where they
stand, its bounds, its content words; the paragraphs that hold each figure and day), and the
extraction of a text is kept by that text. These tests judge the real book's blocks, and the same
blocks with defects, with all of that and with none of it, and ask for the same verdicts: a value
kept wrongly, or kept for the wrong text, would give another problem or another passage.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
from sphinx.testing.util import SphinxTestApp

import briefing_claims
from briefing import claims, evidence
from briefing.claims import judge
from briefing.corpus import Corpus
from conftest import ROOT

# What index_passage reads of a paragraph beside its figures and dates; a passage made otherwise
# reads each from its text when first asked.
PRECOMPUTED = ("figure_spans", "date_spans", "words", "bounds")


@pytest.fixture(scope="module")
def book_blocks(tmp_path_factory) -> list[claims.Block]:
    """Every block the build of the real book judges, and each with a defect: its digits changed
    (figures and dates no source holds), and its citations cut to the first (the names,
    quotations and figures of the other sources left uncited)."""
    blocks: list[claims.Block] = []

    def record(block, corpus, **options):
        blocks.append(block)
        return judge(block, corpus, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(briefing_claims, "judge", record)
        app = SphinxTestApp("html", srcdir=ROOT, builddir=tmp_path_factory.mktemp("judged"), freshenv=True)
        try:
            app.build()
        finally:
            app.cleanup()
    assert len(blocks) > 300, "the book's blocks were not judged"
    shifted = [dataclasses.replace(b, text=re.sub(r"\d", lambda m: str((int(m[0]) + 1) % 10), b.text))
               for b in blocks]
    cut = [dataclasses.replace(b, keys=b.keys[:1], segments=()) for b in blocks if len(b.keys) > 1]
    return blocks + shifted + cut


def verdicts(blocks, corpus, before_each=lambda: None) -> list[tuple]:
    found = []
    for block in blocks:
        before_each()
        verdict = judge(block, corpus)
        found.append((block.location, verdict.problems, verdict.passages))
    return found


def forget_kept(corpus: Corpus | None = None) -> None:
    """Forget every extraction, and every name search, kept by its text."""
    for module in (evidence, claims):
        for value in vars(module).values():
            if hasattr(value, "cache_clear"):
                value.cache_clear()
    if corpus is not None:
        corpus.names._found.clear()
        corpus.names._cache.clear()


def test_judging_with_the_index_and_kept_readings_matches_judging_afresh(book_blocks, monkeypatch):
    kept = Corpus(ROOT)
    # Twice, the second time backwards: each block is judged with what the others left kept.
    first = verdicts(book_blocks, kept)
    again = verdicts(list(reversed(book_blocks)), kept)[::-1]

    # Afresh: no paragraph read ahead, no figure or date looked up (every paragraph is asked in
    # turn), and nothing kept from one block to the next.
    read_ahead = evidence.index_passage

    def index_passage(*args, **kwargs):
        passage = read_ahead(*args, **kwargs)
        for name in PRECOMPUTED:
            del passage.__dict__[name]
        return passage

    monkeypatch.setattr(evidence, "index_passage", index_passage)
    monkeypatch.setattr(evidence.SourceIndex, "_looked_up", lambda self, item: None)
    fresh = Corpus(ROOT)
    afresh = verdicts(book_blocks, fresh, before_each=lambda: forget_kept(fresh))

    assert first == afresh
    assert again == afresh
    kinds = {problem.kind for _, problems, _ in afresh for problem in problems}
    assert {"evidence", "names", "attribution"} <= kinds, kinds  # the defects were judged
    assert sum(bool(passages) for _, _, passages in afresh) > 300


def test_each_paragraph_index_holds_what_its_text_gives():
    corpus = Corpus(ROOT)
    checked = 0
    for key in corpus.keys():
        index = corpus.index(key)
        if index is None:
            continue
        for passage, raw in zip(index.passages, index.source.paragraphs(), strict=True):
            forget_kept()
            fresh = evidence.Passage(passage.number, evidence.normalise(raw), published=index.source.published)
            for name in PRECOMPUTED:
                assert getattr(passage, name) == getattr(fresh, name), (key, passage.number, name)
            # Each figure and day it holds, looked up, is where asking each paragraph finds it.
            asked = [evidence.Item("figure", "", value) for value in passage.figures] + [
                evidence.Item("date", "", (year, month, day)) for month, day in passage.dates
                for year in (None, 1999, *index.years)]
            for item in asked:
                assert index.find(item) == index.find(item, index.passages), (key, item)
            checked += 1
    assert checked > 50

