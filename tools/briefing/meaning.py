"""The rules of meaning that tokens do not carry, each holding a sentence of the book against the
paragraphs its citation pinpoints: negation, direction, quantity, sides, the forms of names, the
places of places, and the book's inferred days. Their words are data (data/meaning.toml, read as
``Vocabulary``). Called by ``claims.judge`` with the block and its context; pure Python.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from .errors import Problem
from .evidence import Passage, date_spans, extract, figure_spans, normalise, stems
from .pinpoints import write

if TYPE_CHECKING:
    from .claims import Block, _Context


@dataclass(frozen=True)
class Vocabulary:
    """data/meaning.toml."""

    negation: tuple[str, ...] = ()
    about_sources: tuple[str, ...] = ()
    up: tuple[str, ...] = ()
    down: tuple[str, ...] = ()
    change_verbs: tuple[str, ...] = ()
    quantities: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sides: dict[str, tuple[str, ...]] = field(default_factory=dict)
    adjectives: dict[str, tuple[str, ...]] = field(default_factory=dict)
    acts: tuple[str, ...] = ()
    accusations: tuple[str, ...] = ()
    inferred: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    comparatives: tuple[str, ...] = ()
    lower_bounds: tuple[str, ...] = ()


class VocabularyError(ValueError):
    pass


def load_vocabulary(path: Path) -> Vocabulary:
    """The vocabulary a book keeps; an empty one (no rule of this module runs) without the file."""
    if not path.is_file():
        return Vocabulary()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise VocabularyError(f"{path.name}: {err}") from None

    def words(table: str, key: str) -> tuple[str, ...]:
        return tuple(w.lower() for w in data.get(table, {}).get(key, ()))

    return Vocabulary(
        negation=words("negation", "words"), about_sources=words("negation", "about_sources"),
        up=words("direction", "up"), down=words("direction", "down"), change_verbs=words("direction", "verbs"),
        quantities={name: tuple(w.lower() for w in found) for name, found in data.get("quantity", {}).items()},
        sides={name: tuple(w.lower() for w in found) for name, found in data.get("sides", {}).items()},
        adjectives={name: tuple(w.lower() for w in found) for name, found in data.get("adjectives", {}).items()},
        acts=words("acts", "words"), accusations=words("acts", "accusations"), inferred=words("inferred", "markers"),
        units=words("places", "units"), comparatives=words("bounds", "comparatives"),
        lower_bounds=words("bounds", "lower"))


# --- what each sentence rests on --------------------------------------------------------------

_WORDS = re.compile(r"[a-z']+")


class Sentence(NamedTuple):
    text: str  # normalised
    words: frozenset[str]  # its words, lower case: what a rule asks first
    passages: tuple  # ((key, Passage), …): the paragraphs its citation pinpoints


def pinned_sentences(block: Block, ctx: _Context) -> tuple[Sentence, ...]:
    """Each sentence of the block whose citation pinpoints paragraphs, with those paragraphs:
    what the sentence says is held against them. Read once per block, for every rule."""
    kept = getattr(ctx, "_pinned_sentences", None)
    if kept is not None:
        return kept
    from .claims import cited_pieces, split_sentences

    found = []
    for piece in cited_pieces(block):
        passages = tuple((cite.key, p) for cite in piece.cites if cite.key in ctx.indexes
                         for n in cite.paragraphs if (p := ctx.passage(cite.key, n)) is not None)
        if not passages:
            continue
        for sentence in split_sentences(normalise(piece.text)):
            if re.search(r"[A-Za-z]{3}", sentence):
                found.append(Sentence(sentence, frozenset(_WORDS.findall(sentence.lower())), passages))
    ctx._pinned_sentences = tuple(found)
    return ctx._pinned_sentences


def _first_words(words: tuple[str, ...]) -> frozenset[str]:
    """The first word of each phrase: a sentence holding none of them holds no phrase."""
    return _first_words_cached(words)


@functools.lru_cache(maxsize=64)
def _first_words_cached(words: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w.split()[0] for w in words if w)


@functools.lru_cache(maxsize=64)
def _phrase(words: tuple[str, ...]) -> re.Pattern:
    ordered = sorted(words, key=len, reverse=True)
    return re.compile(r"(?<![\w'])(" + "|".join(re.escape(w) for w in ordered) + r")(?![\w'])", re.IGNORECASE)


def _closest_sentence(sentence: str, passages) -> tuple[str, int, str] | None:
    """The sentence of the pinpointed paragraphs that shares most content words with ``sentence``
    (at least three): (its text, its paragraph, its source)."""
    from .claims import split_sentences

    words = stems(sentence)
    best, best_score = None, 2
    for key, passage in passages:
        for candidate in split_sentences(passage.text):
            score = len(words & stems(candidate))
            if score > best_score:
                best, best_score = (candidate, passage.number, key), score
    return best


# --- negation ---------------------------------------------------------------------------------

def _polarity(text: str, vocabulary: Vocabulary) -> int:
    """How many negations a sentence makes, once what it says of its sources is set aside."""
    text = _phrase(vocabulary.about_sources).sub(" ", text.lower()) if vocabulary.about_sources else text.lower()
    return len(_phrase(vocabulary.negation).findall(text)) if vocabulary.negation else 0


_PARAPHRASE = 0.5  # the share of a sentence's content words its passage's sentence must hold


def _negated(text: str, vocabulary: Vocabulary) -> dict[str, bool]:
    return _negated_cached(text, vocabulary.negation, vocabulary.about_sources)


@functools.lru_cache(maxsize=4096)
def _negated_cached(text: str, negation: tuple[str, ...], about_sources: tuple[str, ...]) -> dict[str, bool]:
    """For each content word's stem in a sentence, whether a negation governs it: a negation word
    at most two words before it ("is not being considered", "did not dare"). What the sentence
    says of its sources ("does not say") is set aside first."""
    lowered = text.lower()
    if about_sources:
        lowered = _phrase(about_sources).sub(" ", lowered)
    words = _WORDS.findall(lowered)
    negations = set(negation)
    found: dict[str, bool] = {}
    for n, word in enumerate(words):
        if len(word) < 4 or word in negations:
            continue
        stem = next(iter(stems(word)), None)
        if stem is None:
            continue
        governed = any(w in negations for w in words[max(0, n - 3):n])
        found[stem] = found.get(stem, False) or governed
    return found


def rule_negation(block: Block, ctx: _Context) -> list[Problem]:
    """A sentence does not deny what its passage affirms, nor affirm what it denies: a word the
    sentence shares with the closest sentence of its pinpointed paragraphs is negated in both or
    in neither."""
    vocabulary = ctx.vocabulary
    if not vocabulary.negation:
        return []
    problems = []
    negations = frozenset(vocabulary.negation)
    for sentence, words, passages in pinned_sentences(block, ctx):
        closest = _closest_sentence(sentence, passages)
        if closest is None:
            continue
        theirs, number, key = closest
        if words.isdisjoint(negations) and negations.isdisjoint(_WORDS.findall(theirs.lower())):
            continue  # neither says no
        ours_negated, theirs_negated = _negated(sentence, vocabulary), _negated(theirs, vocabulary)
        differ = [stem for stem in ours_negated if stem in theirs_negated
                  and ours_negated[stem] != theirs_negated[stem]]
        # Only a close paraphrase is held to its sentence's polarity: most of its words are there.
        if not differ or len(set(ours_negated) & set(theirs_negated)) < _PARAPHRASE * len(ours_negated):
            continue
        denies = ours_negated[differ[0]]
        problems.append(block.problem(
            "negation", f"the sentence “{_short(sentence)}” {'denies' if denies else 'affirms'} what {key} "
                        f"¶{number} {'affirms' if denies else 'denies'} (“{_short(theirs)}”): say what the "
                        "passage says"))
    return problems


def _where(passages) -> str:
    """The pinpointed paragraphs, as a message names them: "gamma2022 ¶4; gamma2022 ¶7"."""
    return "; ".join(f"{key} ¶{p.number}" for key, p in passages[:3])


def _short(text: str, words: int = 12) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")


# --- direction --------------------------------------------------------------------------------

_FROM_TO = re.compile(r"\bfrom\s+(?:over\s+|more than\s+|about\s+)?(\S+)\s+(?:\S+\s+){0,3}?to\s+(?:over\s+|more than\s+|about\s+)?(\S+)")


def rule_direction(block: Block, ctx: _Context) -> list[Problem]:
    """"Rose" for a count that fell, or a change its passage does not report: "from X to Y" goes
    the way its verb says, and a verb of change before a single figure is in its passage."""
    vocabulary = ctx.vocabulary
    if not (vocabulary.up and vocabulary.down):
        return []
    problems = []
    first = _first_words(vocabulary.up) | _first_words(vocabulary.down)
    for sentence, words, passages in pinned_sentences(block, ctx):
        if words.isdisjoint(first):
            continue
        plain = re.sub(r'"[^"]*"', " ", sentence)
        up = _phrase(vocabulary.up).search(plain)
        down = _phrase(vocabulary.down).search(plain)
        if not (up or down):
            continue
        going = "up" if up and not down else "down" if down and not up else None
        for match in _FROM_TO.finditer(plain):
            first, second = (_value(match.group(1)), _value(match.group(2)))
            if going is None or first is None or second is None or first == second:
                continue
            if (second > first) != (going == "up"):
                word = (up or down).group(1)
                problems.append(block.problem(
                    "direction", f"the sentence says the count {word} from {match.group(1)} to "
                                 f"{match.group(2).rstrip('.,;:')}, which goes the other way: say which way it went"))
        verbs = [m.group(1).lower() for m in _phrase(vocabulary.change_verbs).finditer(plain)] \
            if vocabulary.change_verbs else []
        if not verbs or not figure_spans(plain) or _FROM_TO.search(plain):
            continue
        text = " ".join(p.text for _, p in passages).lower()
        ours = "up" if verbs[0] in vocabulary.up else "down"
        same = _phrase(vocabulary.up if ours == "up" else vocabulary.down).search(text)
        if same:
            continue
        shown = _where(passages)
        problems.append(block.problem(
            "direction", f"the sentence says a count {verbs[0]}, but the paragraphs it pinpoints ({shown}) "
                         f"report no {'rise' if ours == 'up' else 'fall'}: say what they report"))
    return problems


def _value(text: str) -> float | None:
    found = figure_spans(normalise(text.strip(".,;:")))
    return found[0][0] if found else None


# --- quantity ---------------------------------------------------------------------------------

def rule_quantity(block: Block, ctx: _Context) -> list[Problem]:
    """"Some villages" where the passage says "all villages", or a quantity it does not give."""
    groups = ctx.vocabulary.quantities
    if not groups:
        return []
    every = tuple(word for words in groups.values() for word in words)
    pattern = _quantity_pattern(every)
    first = _first_words(every)
    group_of = {word: name for name, words in groups.items() for word in words}
    problems = []
    for sentence, words, passages in pinned_sentences(block, ctx):
        if words.isdisjoint(first):
            continue
        plain = re.sub(r'"[^"]*"', " ", sentence)
        for match in pattern.finditer(plain):
            word, noun = match.group(1).lower(), match.group(2).lower()
            if re.match(r"\s*\d", plain[match.end(1):]):
                continue  # "some 140": a bound, the bounds rule's
            ours = group_of[word]
            noun_stem = next(iter(stems(noun)), noun)
            theirs: set[str] = set()
            for _, passage in passages:
                for found in re.finditer(r"[a-z]{4,}", passage.text.lower()):
                    if next(iter(stems(found.group(0))), "") != noun_stem:
                        continue
                    before = passage.text.lower()[max(0, found.start() - 40):found.start()]
                    near = [m for m in pattern.finditer(before + found.group(0))]
                    theirs |= {group_of[m.group(1).lower()] for m in near if m.group(2).lower() == found.group(0)}
            if not theirs or ours in theirs:
                continue
            shown = _where(passages)
            told = f"“{' or '.join(sorted(theirs)).replace('_', ' ')}”"
            problems.append(block.problem(
                "quantity", f"“{word} {noun}”: the paragraphs it pinpoints ({shown}) give {told} of {noun}: "
                            "give the quantity the passage gives"))
    return problems


@functools.lru_cache(maxsize=8)
def _quantity_pattern(every: tuple[str, ...]) -> re.Pattern:
    """A quantity and the noun it bears on: "all villages", "almost all of the border villages"."""
    return re.compile(r"(?<![\w'])(" + "|".join(re.escape(w) for w in sorted(every, key=len, reverse=True))
                      + r")\s+(?:of\s+)?(?:the\s+)?(?:[a-z-]+\s+)?([a-z]{4,})\b", re.IGNORECASE)


# --- sides ------------------------------------------------------------------------------------

# A side named after one of these is where or to whom something happens, not who does it.
_NOT_ACTOR = re.compile(r"\b(?:with|against|from|on|in|into|to|at|of|for)\s+(?:the\s+)?$")


def _actor(text: str, at: int, end: int, sides: dict[str, tuple[str, ...]],
           accusations: tuple[str, ...] = ()) -> str | None:
    """Who does the act at ``at``–``end`` of its sentence: the side named just after it behind
    "by" or "of" ("an invasion by Tajik forces"), else the side named nearest before it, not after
    a preposition ("the border with Tajikistan") nor before an accusation that the act is the
    object of (the accuser is not the accused)."""
    after = re.match(r"[\"')]?\s+(?:[a-z]+\s+){0,2}?(?:by|of)\s+(?:the\s+)?(\S+)", text[end:end + 60])
    if after:
        side = next((side for side, forms in sides.items() if _phrase(forms).fullmatch(after.group(1).strip(".,;"))),
                    None)
        if side:
            return side
    start = max(text.rfind(". ", 0, at), text.rfind("; ", 0, at), 0)
    act = text[at:end]
    if accusations and act not in accusations:
        start = max([start] + [m.end() for m in _phrase(accusations).finditer(text, start, at)])
    best, where = None, -1
    for side, forms in sides.items():
        for match in _phrase(forms).finditer(text, start, at):
            if match.start() > where and not _NOT_ACTOR.search(text[max(0, match.start() - 15):match.start()]):
                best, where = side, match.start()
    return best


def rule_sides(block: Block, ctx: _Context) -> list[Problem]:
    """One side's weapon, accusation or loss is not given to the other: the side named nearest
    before the act is the side its passage names there."""
    vocabulary = ctx.vocabulary
    if not (vocabulary.sides and vocabulary.acts):
        return []
    problems, seen = [], set()
    first = _first_words(vocabulary.acts)
    for sentence, words, passages in pinned_sentences(block, ctx):
        if words.isdisjoint(first):
            continue
        lowered = sentence.lower()
        for match in _phrase(vocabulary.acts).finditer(lowered):
            act = match.group(1)
            ours = _actor(lowered, match.start(), match.end(), vocabulary.sides, vocabulary.accusations)
            if ours is None or (act, ours) in seen:
                continue
            theirs = set()
            for _, passage in passages:
                text = passage.text.lower()
                for found in _phrase((act,)).finditer(text):
                    side = _actor(text, found.start(), found.end(), vocabulary.sides, vocabulary.accusations)
                    if side:
                        theirs.add(side)
            if not theirs or ours in theirs:
                continue
            seen.add((act, ours))
            shown = _where(passages)
            problems.append(block.problem(
                "sides", f"“{act}” is given to {ours}, but the paragraphs it pinpoints ({shown}) give it to "
                         f"{' and '.join(sorted(theirs))}: one side's act or loss is not the other's"))
    return problems


# --- the forms of names -----------------------------------------------------------------------

_CAPITALISED = re.compile(r"\b[A-Z][a-z]+(?:-[A-Z][a-z]+)?\b")


def rule_name_forms(block: Block, ctx: _Context) -> list[Problem]:
    """A name is written as a source or data/names.toml writes it: a word one or two letters from
    a known name's ("Japharov" for "Japarov") is a misspelling."""
    known = ctx.corpus_words()
    tokens = ctx.name_tokens()
    if not tokens:
        return []
    problems, seen = [], set()
    for match in _CAPITALISED.finditer(normalise(block.text)):
        word = match.group(0)
        if word in seen or word.lower() in known or len(word) < 5:
            continue
        seen.add(word)
        near = [t for t in tokens if t[0].lower() == word[0].lower() and abs(len(t) - len(word)) <= 2
                and t.lower() != word.lower() and _distance(word.lower(), t.lower()) <= (1 if len(word) < 7 else 2)]
        if near:
            problems.append(block.problem(
                "name-form", f"“{word}” is spelled as no source spells it; the sources write “{near[0]}”: "
                             "write a form they use (data/names.toml lists them)"))
    return problems


def _distance(a: str, b: str) -> int:
    """Levenshtein distance."""
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


# --- places -----------------------------------------------------------------------------------

def _placed(text: str, place_forms: tuple[str, ...], units: tuple[str, ...]) -> set[str]:
    """The larger places ``text`` puts a place in ("X village in Chon-Alai district": chon-alai)."""
    found = set()
    unit = "|".join(map(re.escape, units))
    for form in place_forms:
        pattern = re.compile(re.escape(form) + r"(?:\s+[a-z]+){0,2}?,?\s+in\s+(?:the\s+)?((?:[A-Z][\w-]+)"
                             r"(?:\s+and\s+[A-Z][\w-]+)?)\s+(?:" + unit + r")\b")
        for match in pattern.finditer(text):
            found |= {part.lower() for part in re.split(r"\s+and\s+", match.group(1))}
    return found


def rule_places(block: Block, ctx: _Context) -> list[Problem]:
    """A place is put in the district or region its passage puts it in."""
    units = ctx.vocabulary.units
    if not units:
        return []
    problems = []
    for sentence, words, passages in pinned_sentences(block, ctx):
        if words.isdisjoint(units):
            continue
        for name, _, _ in ctx.names.find(sentence):
            entry = ctx.names.names[name]
            if entry.kind != "place":
                continue
            forms = (name, *entry.forms)
            ours = _placed(sentence, forms, units)
            if not ours:
                continue
            theirs = set().union(*(_placed(p.text, forms, units) for _, p in passages))
            if not theirs or ours <= theirs:
                continue
            shown = _where(passages)
            problems.append(block.problem(
                "places", f"{name} is put in {', '.join(sorted(ours))}, but the paragraphs it pinpoints ({shown}) "
                          f"put it in {', '.join(sorted(theirs))}: place it as the passage does"))
    return problems


# --- inferred days ----------------------------------------------------------------------------

def rule_inferred_day(block: Block, ctx: _Context) -> list[Problem]:
    """A day the book infers (a source's unprinted publication day, or the date of its "on
    Sunday") is written in brackets, "[18] September", or said in the sentence to be inferred."""
    problems, seen = [], set()
    text = normalise(block.text)
    for item in extract(block.text):
        if item.kind != "date" or item.value[2] is None or item.value in seen:
            continue
        _, month, day = item.value
        if re.search(rf"\[{day}\]\s", text) or _phrase(ctx.vocabulary.inferred or ("\0",)).search(text):
            continue
        inferred = []
        for hit in ctx.hits(item):
            source = ctx.corpus.source(hit.key)
            if source is None:
                continue
            if not hit.in_text:
                if getattr(source, "inferred_day", False) and (source.month, source.day) == (month, day):
                    inferred.append(f"{hit.key}'s publication day, which it does not print")
                continue
            passage = ctx.passage(hit.key, hit.number)
            if passage is not None and (month, day) in passage.dates and not _printed(passage, month, day):
                inferred.append(f"{hit.key} ¶{hit.number}, which gives only a weekday")
        hits_printed = any(hit.in_text and (p := ctx.passage(hit.key, hit.number)) is not None
                           and _printed(p, month, day) for hit in ctx.hits(item))
        if inferred and not hits_printed:
            seen.add(item.value)
            problems.append(block.problem(
                "inferred-day", f"{item.describe()}: the day is the book's inference ({inferred[0]}), shown as if "
                                f"printed: write it in brackets (“[{day}]”) or say that it is inferred"))
    return problems


def _printed(passage: Passage, month: int, day: int) -> bool:
    """Whether the paragraph prints the day as a date, not only as a weekday."""
    return any((m, d) == (month, day) for m, d, _, _ in date_spans(passage.text))


RULES = (rule_negation, rule_direction, rule_quantity, rule_sides, rule_name_forms, rule_places, rule_inferred_day)

__all__ = ["RULES", "Vocabulary", "load_vocabulary", "pinned_sentences", "write"]
