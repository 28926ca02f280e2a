"""Find the figures, dates and quotations of a claim, and the passages of a source that hold them.

Pure Python, no Sphinx. One rule, used by the build (tools/extensions/briefing_claims.py), the
data checks and the benchmark alike.
"""

from __future__ import annotations

import ast
import functools
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from .archive import Source
from .dates import MONTH_PATTERN as _MONTH
from .dates import MONTHS

_DAY = r"(?P<{}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s(?P<year>(?:19|20)\d\d))?"
_RANGE = r"\s?(?:-|to|and|until)\s?"


def first_letters(alternatives: Iterable[str]) -> str:
    """A lookahead for the first characters of the alternatives (each starting with a plain
    character). Put before a pattern whose matches start with one of them, it changes nothing
    found, but the scan asks it first and passes at once the many places where no match can
    start; the same holds of ``(?=\\d)`` before a pattern that starts with a digit. No lookahead
    ("") if an alternative is empty: a match could then start anywhere."""
    alternatives = list(alternatives)
    if not all(alternatives):
        return ""
    return "(?=[" + "".join(sorted({re.escape(a[0]) for a in alternatives})) + "])"


# Most specific first: a range before a single day, so "September 15-17" is two dates.
DATE_PATTERNS = [
    re.compile(r"\b" + _MONTH.format("m") + r"\s" + _DAY.format("d1") + _RANGE + _DAY.format("d2") + r"\b" + _YEAR),
    re.compile(r"\b" + _DAY.format("d1") + _RANGE + _DAY.format("d2") + r"\s" + _MONTH.format("m") + r"\b"
               + _YEAR),
    re.compile(r"\b" + _MONTH.format("m") + r"\s" + _DAY.format("d1") + r"\b" + _YEAR),
    re.compile(r"\b" + _DAY.format("d1") + r"\s" + _MONTH.format("m") + r"\b" + _YEAR),
    re.compile(r"\b" + _MONTH.format("m") + r"\s(?P<year>(?:19|20)\d\d)\b"),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<mm>[01]\d)-(?P<d1>[0-3]\d)\b"),
]
TIME = re.compile(r"\b\d{1,2}:\d\d\b")
# A number is not read out of a name: not after a letter or a point ("24.kg", "TB2"), nor after
# letters and a hyphen ("COVID-19", "F-16", "Su-25"). Digit groups may be split by commas
# ("142,000") or by spaces ("10 000"); a first group of four digits is a year, not a group
# ("in 2022 150 people" is two figures).
_DIGITS = r"\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+(?![\d,])|\d+(?:\.\d+)?"
NUMBER = re.compile(
    r"(?<![\w.])(?<![A-Za-z]-)(?P<num>" + _DIGITS + r")(?!\d|\.[a-z])(?:st|nd|rd|th)?"
    r"(?:\s(?P<mult>thousand|million|billion)\b)?"
)
MULTIPLIERS = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}


def number_value(digits: str, multiplier: str | None = None) -> float:
    """The value of a number as NUMBER or BOUND reads it: "142,000", "10 000", or "130" and "thousand"."""
    return float(digits.replace(",", "").replace(" ", "")) * MULTIPLIERS.get((multiplier or "").lower(), 1)


UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
         "nineteen")
TENS = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
WORD_VALUES = {"a": 1, **{w: n for n, w in enumerate(UNITS, 1)}, **{w: n for n, w in enumerate(TEENS, 10)},
               **{w: 10 * n for n, w in enumerate(TENS, 2)}}
_BELOW_HUNDRED = rf"(?:(?:{'|'.join(TENS)})(?:[- ](?:{'|'.join(UNITS)}))?|{'|'.join(TEENS)}|{'|'.join(UNITS)})"
_BELOW_THOUSAND = rf"(?:(?:{'|'.join(UNITS)}|a)\s+hundred(?:\s+(?:and\s+)?{_BELOW_HUNDRED})?|{_BELOW_HUNDRED})"
# A number in words is read whole: "twenty-four" and "forty one" are 24 and 41, "one hundred and
# twenty" 120, "two hundred" 200, "three thousand" 3000, "a hundred" 100 (never the 20 or the 3 at
# either end). "Hundreds" and "thousands" are no figures.
NUMBER_PHRASE = re.compile(
    r"\b" + _BELOW_THOUSAND +
    rf"(?:\s+(?:thousand|million|billion)\b(?:\s+(?:and\s+)?{_BELOW_THOUSAND})?)*\b", re.IGNORECASE)
QUOTE = re.compile(r'"([^"]+)"')
# A quotation in single marks is a quotation too: ‘…’, or '…' opened after no letter and closed
# before none (an apostrophe, as in "Russia's", is neither).
SINGLE_QUOTE = re.compile(r"‘([^‘’\n]{2,}?)’(?![A-Za-z])|(?<![A-Za-z0-9])'(?=[A-Za-z])([^'\n]{2,}?)(?<=[A-Za-z.,!?])'(?![A-Za-z])")
# A figure given as a bound, not an exact count: "over 142,000", "exceeds 130 thousand".
_QUALIFIERS = ("over|more than|about|nearly|almost|exceeds?|exceeded|at least|up to|around|some|approximately|"
               "roughly|upwards of|in excess of|less than|fewer than|under|at most")
BOUND = re.compile(
    r"\b(?P<qualifier>" + _QUALIFIERS + r")\s+"
    r"(?P<num>" + _DIGITS + r")(?![\d,])(?:\s(?P<mult>thousand|million|billion)\b)?", re.IGNORECASE)
GAP = re.compile(r"\s*(?:\.\.\.|\[[^\]]*\])\s*")
SIC = re.compile(r"\s*\[sic\]", re.IGNORECASE)
INFERRED_DAY = re.compile(r"\[([0-3]?\d)\](?=\s(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec))")
# Paragraph locators ("¶3", "¶3-¶8") and addresses point into the sources, and a numbered part
# of a document ("Article 4", "Resolution 2401", "Section 2.1") names it: they state nothing, so
# their numbers are no figures of a block. (A number with letters and a hyphen before it,
# "COVID-19" or "F-16", is a name too: NUMBER does not read it.)
_PARTS = ("Article", "Annex", "Chapter", "Clause", "Decree", "Paragraph", "Part", "Protocol", "Resolution", "Section")
LOCATOR = re.compile(r"¶\s?\d+(?:\s?-\s?¶?\s?\d+)?|\bhttps?://\S+|"
                     r"\b(?:" + "|".join(_PARTS) + r")\s\d+(?:\.\d+)*\b")


def blank_locators(text: str, blank: Callable[[re.Match], str]) -> str:
    """``text`` with each locator written over by ``blank``."""
    return LOCATOR.sub(blank, text)


_TRANSLATE = str.maketrans({
    "\u00a0": " ", "\u202f": " ", "\u2009": " ", "\u2007": " ",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2018": "'", "\u2019": "'", "\u2013": "-", "\u2014": "-", "\u2011": "-", "\u2212": "-",
    "\u2026": "...",
})


DIGIT_GROUPS = re.compile(r"(?<=\d)[\u00a0\u202f\u2009\u2007](?=\d{3}\b)")


@functools.lru_cache(maxsize=8192)  # a block's text is normalised by several rules
def normalise(text: str) -> str:
    """Fold the typographic differences a quotation may not hinge on: quote marks, dashes,
    ellipses, non-breaking and repeated white space; digit groups split by a thin or non-breaking
    space ("142 000") are written with a comma, as the sources write them."""
    # (split() and join: every run of white space made one space, none at either end.)
    return " ".join(DIGIT_GROUPS.sub(",", text).translate(_TRANSLATE).split())


@dataclass(frozen=True)
class Item:
    """One checkable thing in a claim: a figure, a date or a quotation."""

    kind: str  # "figure" | "date" | "quotation"
    shown: str  # as the claim writes it
    value: object  # figure: number; date: (year|None, month, day|None); quotation: segments

    def describe(self) -> str:
        return f"{self.kind} {self.shown!r}"


def _month(name: str) -> int:
    return MONTHS[name[:3].lower()]


def _date_matches(text: str) -> tuple[list[tuple[Item, int, int]], str]:
    """Each date in ``text`` with where it stands (a range gives one item per day), and the text
    with the dates blanked so that their digits are no figures."""
    found: list[tuple[Item, int, int]] = []
    for pattern in DATE_PATTERNS:
        taken = []
        for match in pattern.finditer(text):
            groups = match.groupdict()
            year = int(groups["year"]) if groups.get("year") else None
            month = int(groups["mm"]) if groups.get("mm") else _month(groups["m"])
            days = [int(d) for d in (groups.get("d1"), groups.get("d2")) if d]
            if any(not 1 <= d <= 31 for d in days):
                continue
            for day in days or [None]:
                found.append((Item("date", match.group(0), (year, month, day)), match.start(), match.end()))
            taken.append((match.start(), match.end()))
        text = _blank(text, taken)
    return found, text


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each (start, end) span written over with spaces."""
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


# "one" and "two" count when a counted noun follows ("two days earlier", "in two regions"); roman
# numerals count in orders and degrees ("III degree").
ONE_TWO = re.compile(r"\b(one|two)(?=\s+(?:more\s+)?(?:days?|weeks?|months?|years?|hours?|people|persons?|villages?|"
                     r"houses?|soldiers?|servicemen|regions?)\b)", re.IGNORECASE)
ROMAN = {"II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10}
ROMAN_ORDER = re.compile(r"\b(" + "|".join(sorted(ROMAN, key=len, reverse=True)) + r")(?=\s+(?:degree|class|century|rank)\b)")


def date_spans(text: str, published: str = "") -> tuple[tuple[int, int | None, int, int], ...]:
    """(month, day, start, end) of every date in ``text`` (normalised), with a news text's
    weekdays read against its publication date."""
    return _date_spans(text, published, _read_dates(text)[0])


def _date_spans(text: str, published: str, found: list[tuple[Item, int, int]]) -> tuple:
    """date_spans of ``text``, given the dates _date_matches found in it."""
    spans = [(item.value[1], item.value[2], start, end) for item, start, end in found]
    if published:
        for match in _WEEKDAY.finditer(text):
            for month, day in weekday_dates(match.group(0), published):
                spans.append((month, day, match.start(), match.end()))
    return tuple(spans)


def figure_spans(text: str) -> tuple[tuple[float, int, int], ...]:
    """(value, start, end) of every figure in ``text`` (normalised), dates blanked: where a figure
    stands, so that the words beside it can be read."""
    return _figure_spans(_read(text)[1])


def _figure_spans(found: list[tuple[Item, int, int]]) -> tuple[tuple[float, int, int], ...]:
    return tuple((item.value, start, end) for item, start, end in found if not isinstance(item.value, str))


def _words_value(match: re.Match) -> float | None:
    """The value of a number in words ("one hundred and twenty": 120); None for a bare "one" or
    "two", which count only before a counted noun (ONE_TWO), and for words that are no one number
    ("one thousand two thousand"), which are then no figure at all."""
    words = [w for w in re.findall(r"[a-z]+", match.group(0).casefold()) if w != "and"]
    if words in (["one"], ["two"]):
        return None
    total = current = 0
    last_scale = None
    for word in words:
        if word == "hundred":
            current *= 100
        elif word in MULTIPLIERS:
            if last_scale is not None and MULTIPLIERS[word] >= last_scale:
                return None
            total, current, last_scale = total + current * MULTIPLIERS[word], 0, MULTIPLIERS[word]
        else:
            current += WORD_VALUES[word]
    return float(total + current)


# The readers of figures, in order: each takes what it reads out of the text before the next
# reads it, so nothing is read twice ("10:00" is no 10, "twenty-four" no twenty). A reader's
# value of None leaves the words to the next.
FIGURE_READERS: tuple[tuple[re.Pattern, Callable[[re.Match], object]], ...] = (
    (TIME, lambda m: m.group(0)),  # kept as written
    (NUMBER, lambda m: number_value(m.group("num"), m.group("mult"))),
    (NUMBER_PHRASE, _words_value),
    (ONE_TWO, lambda m: 1.0 if m.group(1).lower() == "one" else 2.0),
    (ROMAN_ORDER, lambda m: float(ROMAN[m.group(1)])),
)


def _figure_matches(text: str) -> list[tuple[Item, int, int]]:
    """Each figure in ``text`` (dates already blanked) with where it stands."""
    found: list[tuple[Item, int, int]] = []
    for pattern, read in FIGURE_READERS:
        taken = []
        for match in pattern.finditer(text):
            value = read(match)
            if value is not None:
                found.append((Item("figure", match.group(0), value), match.start(), match.end()))
                taken.append((match.start(), match.end()))
        text = _blank(text, taken)
    return found


# The rules read a block, its sentences and its own words (the same text, where it quotes nothing)
# for their dates and figures, and where they stand, again and again: kept.
@functools.lru_cache(maxsize=8192)
def _read_dates(text: str) -> tuple[tuple[tuple[Item, int, int], ...], str]:
    """_date_matches(text)."""
    dates, rest = _date_matches(text)
    return tuple(dates), rest


@functools.lru_cache(maxsize=8192)
def _read(text: str) -> tuple[tuple[tuple[Item, int, int], ...], tuple[tuple[Item, int, int], ...]]:
    """The dates in ``text``, and the figures in it once the dates are blanked, each with where it
    stands."""
    dates, rest = _read_dates(text)
    return dates, tuple(_figure_matches(rest))


def _quotations(text: str) -> tuple[list[Item], str]:
    items = []
    for match in QUOTE.finditer(text):
        inner = SIC.sub("", match.group(1))
        segments = tuple(s.strip(" ,;:").rstrip(".") for s in GAP.split(inner) if s.strip(" ,;:."))
        if segments:
            items.append(Item("quotation", match.group(0), segments))
    return items, QUOTE.sub(" ", text)


def extract(text: str) -> list[Item]:
    """Every quotation, date and figure in a claim's text (a quotation's own figures are part of
    the quotation, not separate items)."""
    return list(_extract(_claim_text(text)))


@functools.lru_cache(maxsize=8192)
def _claim_text(text: str) -> str:
    """The text extract reads: quotations in single marks put in double marks, then normalised."""
    return normalise(SINGLE_QUOTE.sub(lambda m: f'"{m.group(1) or m.group(2)}"', text))


@functools.lru_cache(maxsize=8192)
def _extract(text: str) -> tuple[Item, ...]:
    # Several rules read the same block and sentences: extracted once. Keyed by the normalised
    # text, so that a sentence that is a whole block is read once, however each was written.
    text = blank_locators(text, lambda m: " " * len(m.group(0)))
    # "[18] September 2022": a day the book infers, written in brackets, is still that day.
    text = INFERRED_DAY.sub(r"\1", text)
    quotations, rest = _quotations(text)
    dates, figures = _read(rest)
    return tuple(quotations + [item for item, _, _ in dates + figures])


# The number of a source's publication details (its date), which count as part of the source:
# no paragraph has it, since paragraphs are numbered from 1.
PUBLICATION_DETAILS = 0


@dataclass
class Passage:
    """A paragraph and what the rules read in it. Sources do not change during a build, so
    what is read of a paragraph is read once, however many blocks cite it: index_passage fills it
    all in as it indexes the paragraph; read from the text when first asked otherwise."""

    number: int  # 1-based paragraph number, or PUBLICATION_DETAILS
    text: str
    figures: set = field(default_factory=set)
    dates: set = field(default_factory=set)  # (month, day|None)
    years: set = field(default_factory=set)
    published: str = field(default="", compare=False, repr=False)  # its source's date: its weekdays' dates

    @functools.cached_property
    def figure_spans(self) -> tuple[tuple[float, int, int], ...]:
        """figure_spans(text)."""
        return figure_spans(self.text)

    @functools.cached_property
    def date_spans(self) -> tuple[tuple[int, int | None, int, int], ...]:
        """date_spans(text, published)."""
        return date_spans(self.text, self.published)

    @functools.cached_property
    def words(self) -> frozenset[str]:
        """Its content words, which best_passage compares with a claim's."""
        return content_words(self.text)

    @functools.cached_property
    def stems(self) -> frozenset[str]:
        """The stems of its content words, which the substance rule compares with a claim's."""
        return stems(self.text)

    @functools.cached_property
    def bounds(self) -> tuple[tuple[float, str], ...]:
        """bounded_figures(text)."""
        return bounded_figures(self.text)


def index_passage(number: int, raw: str, published: str = "") -> Passage:
    """A paragraph with the figures and dates it holds; with its source's publication date, its
    weekdays ("on Sunday") count as the dates they are."""
    text = normalise(raw)
    passage = Passage(number, text, published=published)
    # Unlike a block's, a source's quotations are not set apart: a figure or date the source
    # quotes is still the source's.
    found_dates, rest = _date_matches(text)
    found_figures = _figure_matches(rest)
    for item, _, _ in found_dates:
        year, month, day = item.value
        passage.dates.add((month, day))
        passage.dates.add((month, None))
        if year:
            passage.years.add(year)
            passage.figures.add(float(year))
    for item, _, _ in found_figures:
        passage.figures.add(item.value)
    for month, day in weekday_dates(text, published) if published else ():
        passage.dates |= {(month, day), (month, None)}
    # The same scan tells where each stands (as figure_spans and date_spans would read it again).
    passage.figure_spans = _figure_spans(found_figures)
    passage.date_spans = _date_spans(text, published, found_dates)
    passage.words = content_words(text)
    passage.bounds = bounded_figures(text)
    return passage


def bounded_figures(text: str) -> tuple[tuple[float, str], ...]:
    """(value, as written) of each figure ``text`` gives as a bound ("over 142,000")."""
    return tuple((number_value(match.group("num"), match.group("mult")), match.group(0))
                 for match in BOUND.finditer(text))


WEEKDAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday".split()
_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r"|today)\b")


def weekday_dates(text: str, published: str) -> set[tuple[int, int]]:
    """A news text's "on Sunday" is the last Sunday on or before its publication day, and its
    "today" the day itself: the dates they stand for, where the publication day is known."""
    import datetime

    parts = [int(p) for p in published.split("-")]
    if len(parts) != 3:
        return set()
    day = datetime.date(*parts)
    found = set()
    for match in _WEEKDAY.finditer(text):
        back = 0 if match.group(1) == "today" else (day.weekday() - WEEKDAYS.index(match.group(1))) % 7
        when = day - datetime.timedelta(days=back)
        found.add((when.month, when.day))
    return found


ROWS_KEPT = 4096  # the row passages a source's index keeps (a bound, not a need: the book has fewer)


class SourceIndex:
    """A source's paragraphs, each with the figures and dates it holds, plus its publication
    details (its date), which count as part of the source."""

    def __init__(self, source: Source, paragraphs: list[str] | None = None):
        self.source = source
        texts = paragraphs if paragraphs is not None else source.paragraphs()
        self.paragraphs = texts  # as written, for quoting
        self.passages = [index_passage(i, t, source.published) for i, t in enumerate(texts, start=1)]
        meta = Passage(PUBLICATION_DETAILS, source.published)
        meta.years.add(source.year)
        meta.figures.add(float(source.year))
        meta.dates.add((source.month, source.day))
        meta.dates.add((source.month, None))
        self.metadata = meta
        self.years = {source.year} | {y for p in self.passages for y in p.years}
        # The paragraphs holding each figure and each day, in order: find looks a figure or a date
        # up rather than asking every paragraph.
        self._by_figure: dict[float, list[int]] = {}
        self._by_date: dict[tuple[int, int | None], list[int]] = {}
        for passage in self.passages:
            for value in passage.figures:
                self._by_figure.setdefault(value, []).append(passage.number)
            for date in passage.dates:
                self._by_date.setdefault(date, []).append(passage.number)
        self._rows: dict[str, Passage | None] = {}

    def find(self, item: Item, within: list[Passage] | None = None) -> list[int]:
        """Numbers of the passages that hold ``item`` (PUBLICATION_DETAILS for the publication
        details, where no paragraph does); empty if none."""
        passages = within if within is not None else self.passages
        found = self._looked_up(item) if within is None else None
        if found is None:
            found = [p.number for p in passages if self._holds(p, item)]
        if not found and item.kind != "quotation" and self._holds(self.metadata, item):
            found = [PUBLICATION_DETAILS]
        if not found and item.kind == "quotation":
            # A quotation, or the parts an ellipsis joins, may run across one paragraph break of
            # the archived text, never further: both paragraphs are then among those searched.
            found = [n for a, b in zip(passages, passages[1:]) if b.number == a.number + 1
                     and _segments_in(item.value, a.text + " " + b.text) for n in (a.number, b.number)][:2]
        return found

    def _looked_up(self, item: Item) -> list[int] | None:
        """The paragraphs that hold a figure or a date, as _holds would find them in turn; None
        for what is not looked up (a time, a quotation)."""
        if item.kind == "figure" and not isinstance(item.value, str):
            return list(self._by_figure.get(item.value, ()))
        if item.kind == "date":
            year, month, day = item.value
            return list(self._by_date.get((month, day), ())) if year is None or year in self.years else []
        return None

    def row_passage(self, wanted: str) -> Passage | None:
        """The first paragraph that holds ``wanted`` (normalised), indexed as that text alone:
        the passage a data row names. Kept: a chart's caption asks again for the rows it draws."""
        if wanted not in self._rows:
            if len(self._rows) >= ROWS_KEPT:
                self._rows.clear()
            number = next((p.number for p in self.passages if wanted in p.text), None)
            self._rows[wanted] = None if number is None else index_passage(number, wanted, self.source.published)
        return self._rows[wanted]

    def _holds(self, passage: Passage, item: Item) -> bool:
        if item.kind == "figure":
            if isinstance(item.value, str):
                return item.value in passage.text
            return item.value in passage.figures
        if item.kind == "date":
            year, month, day = item.value
            if (month, day) not in passage.dates:
                return False
            # A news text gives the day without its year ("on September 14"): the year is the
            # source's, told by its date or anywhere in its text, so "14 September 2022" is held
            # to the day in the passage and to the year in the whole source.
            return year is None or year in self.years
        return _segments_in(item.value, passage.text)

    def best_passage(self, text: str) -> int | None:
        """The paragraph sharing most content words with ``text``: where a claim with no
        figure, date or quotation most likely rests."""
        words = _claim_words(text)
        best, best_score = None, 0
        for passage in self.passages:
            score = len(words & passage.words)
            if score > best_score:
                best, best_score = passage.number, score
        return best if best_score >= 2 else None


def quoted_in(segments: tuple[str, ...], text: str) -> bool:
    """Whether a quotation's words stand inside quotation marks in ``text`` (normalised): the
    source quotes them, rather than narrating them in its own words."""
    position = text.find(segments[0]) if segments else -1
    while position >= 0:
        if text.count('"', 0, position) % 2 == 1:
            return True
        position = text.find(segments[0], position + 1)
    return False


def _segments_in(segments: tuple[str, ...], text: str) -> bool:
    position = 0
    for segment in segments:
        found = text.find(segment, position)
        if found < 0:
            return False
        position = found + len(segment)
    return True


_STOP = set("""about above after again against also among because been before being below between
both could during each from further have having here into itself more most other over same should
some such than that their them then there these they this those through under until very were what
when where which while with would your said says told according reported report""".split())


def content_words(text: str) -> frozenset[str]:
    return frozenset(w for w in re.findall(r"[a-z]{4,}", normalise(text).lower()) if w not in _STOP)


@functools.lru_cache(maxsize=4096)
def stems(text: str) -> frozenset[str]:
    """The stems of a text's content words, by the stemmer Sphinx's English search uses: "shelling"
    and "shelled" are one word, "evacuated" and "evacuation" another."""
    return frozenset(_stemmer().stemWords(sorted(content_words(text))))


@functools.cache
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


# A claim's words, compared with each cited source's paragraphs in turn: read once.
_claim_words = functools.lru_cache(maxsize=1024)(content_words)


# --- derived figures -------------------------------------------------------------------------

_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


class DerivedError(ValueError):
    pass


class DerivedFigure(NamedTuple):
    """A figure the book computed, ``{derived}`100 = 59 + 41```, its arithmetic checked."""

    shown: str  #: The value as the book shows it: "100".
    value: float  #: That value as a number.
    inputs: list[float]  #: The numbers the expression combines, each of which a source must hold.
    expression: str  #: "59 + 41".


def parse_derived(spec: str) -> DerivedFigure:
    """``"100 = 59 + 41"`` read and its arithmetic checked. The expression may use + - * / and
    parentheses over numbers written as the sources write them (142,000)."""
    if "=" not in spec:
        raise DerivedError(f"derived figure {spec!r} must read 'VALUE = EXPRESSION', e.g. '100 = 59 + 41'")
    shown, expression = (part.strip() for part in spec.split("=", 1))
    try:
        value = float(shown.replace(",", ""))
        tree = ast.parse(expression.replace(",", ""), mode="eval")
    except (ValueError, SyntaxError):
        raise DerivedError(f"derived figure {spec!r} is not 'NUMBER = ARITHMETIC'") from None
    inputs: list[float] = []

    def evaluate(node):
        if isinstance(node, ast.Expression):
            return evaluate(node.body)
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            return _OPS[type(node.op)](evaluate(node.left), evaluate(node.right))
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            inputs.append(float(node.value))
            return float(node.value)
        raise DerivedError(f"derived figure {spec!r}: only numbers, + - * / and parentheses are allowed")

    result = evaluate(tree)
    # Compared at the precision shown: "6.5" must be within 0.05, "6,000" within 0.5.
    decimals = len(shown.split(".", 1)[1]) if "." in shown else 0
    if abs(result - value) > 0.5 * 10 ** -decimals + 1e-9:
        raise DerivedError(f"derived figure {spec!r}: {expression} is {result:g}, not {shown}; "
                           "correct the value or its inputs")
    return DerivedFigure(shown, value, inputs, expression)


def derived_inputs(spec: str) -> list[Item]:
    """The inputs of a derived figure, as figures a cited source must hold."""
    return [Item("figure", f"{v:g}", v) for v in parse_derived(spec).inputs]
