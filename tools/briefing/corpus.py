"""The book's sources as one object: the registry, the names, each archived text's index, and
"which sources hold this item". Asked by the claims judge (claims.py), which needs nothing else.
A build makes it once, as it starts (``Corpus.shared``), from the files as they are then.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from .archive import RegistryError, Source, encoding_problem, integrity_problem, shared_registry, voice_problems
from .errors import Problem
from .evidence import Item, SourceIndex
from .meaning import Vocabulary, VocabularyError, load_vocabulary
from .names import Names, NamesError, load_names


def load_counted(path: Path) -> dict[str, str]:
    """data/counted.toml (or data/events.toml) as {word: what it counts (or dates)}; {} when the
    book keeps no such table."""
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError:
        return {}
    return {word.lower(): concept for concept, table in data.items() for word in table.get("words", [])}


def load_related(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """data/related.toml as ({word: group}, {group: "figure" | "date"}); empty when the book keeps
    no such table."""
    if not path.is_file():
        return {}, {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError:
        return {}, {}
    words = {word.lower(): group for group, table in data.items() for word in table.get("words", [])}
    return words, {group: table["held"] for group, table in data.items() if table.get("held")}


class Corpus:
    def __init__(self, root: Path, registry_file: str = "data/sources.toml", names_file: str = "data/names.toml",
                 counted_file: str = "data/counted.toml", events_file: str = "data/events.toml",
                 related_file: str = "data/related.toml", meaning_file: str = "data/meaning.toml"):
        self.root = Path(root)
        self._vocabulary_paths = [self.root / name for name in (counted_file, events_file, related_file, meaning_file)]
        # An unreadable registry or names file reads as none; the error is kept for the build to
        # report (briefing_sources.check_registry).
        self.registry_error: RegistryError | None = None
        self.names_error: NamesError | None = None
        try:
            self.sources: dict[str, Source] = shared_registry(self.root, registry_file)
        except RegistryError as err:
            self.sources, self.registry_error = {}, err
        try:
            self.names: Names | None = load_names(self.root, names_file) if (self.root / names_file).is_file() else None
        except NamesError as err:
            self.names, self.names_error = None, err
        self.counted = load_counted(self.root / counted_file)
        self.events = load_counted(self.root / events_file)
        self.related, self.related_held = load_related(self.root / related_file)
        try:
            self.vocabulary = load_vocabulary(self.root / meaning_file)
        except VocabularyError:
            self.vocabulary = Vocabulary()  # reported with the registry's problems
        self._words: frozenset[str] | None = None
        self._indexes: dict[str, SourceIndex | None] = {}
        self._named: dict[str, frozenset[str]] = {}
        self._holders: dict[tuple, set[str]] | None = None
        self._problems: list[Problem] | None = None

    @classmethod
    def shared(cls, root: Path, registry_file: str = "data/sources.toml", names_file: str = "data/names.toml",
               **vocabularies: str) -> Corpus:
        """The corpus of these files, read afresh (a build makes one as it starts); what it learns
        on demand (indexes, names) is kept with it. ``vocabularies``: counted_file, events_file,
        related_file, meaning_file."""
        return cls(root, registry_file, names_file, **vocabularies)

    @property
    def registry_unread(self) -> bool:
        """The registry could not be read. Its one located problem is reported; the rules that rest on
        it (evidence, citations of its keys, data rows, source pages, the bibliography) are silent,
        since every source would otherwise be reported unknown once per block that cites it."""
        return self.registry_error is not None

    def text_missing(self, key: str) -> bool:
        """The registry names this source's archived text, but the file is not there: its integrity
        problem is reported once, and the rules resting on the text are silent for it."""
        source = self.sources.get(key)
        return source is not None and not source.text_path.is_file()

    def vocabulary_files(self) -> list[Path]:
        """The vocabularies the rules read that the book keeps: what every judged page depends on."""
        return [path for path in self._vocabulary_paths if path.is_file()]

    def problems(self) -> list[Problem]:
        """What is wrong with the registry, the names and the archived texts, each with its rule as
        its kind (names, registry, encoding, integrity, voices), in the order a build reports them."""
        if self._problems is None:
            found = []
            if self.names_error is not None:
                found.append(Problem.at(self.names_error.location, self.names_error.message, kind="names"))
            if self.registry_error is not None:
                found.append(Problem.at(self.registry_error.location, f"{self.registry_error.message} (until the "
                                        "registry reads, nothing that rests on it is checked)", kind="registry"))
            for source in self.sources.values():
                undecodable = encoding_problem(source)
                if undecodable:
                    found.append(Problem.at(undecodable[0], undecodable[1], kind="encoding"))
                problem = integrity_problem(source)
                if problem:
                    found.append(Problem.at(source.location, problem, kind="integrity"))
                elif self.names is not None:
                    found += [Problem.at(source.location, text, kind="voices")
                              for text in voice_problems(source, self.names, len(source.paragraphs()))]
            self._problems = found
        return self._problems

    def keys(self) -> list[str]:
        return list(self.sources)

    def words(self) -> frozenset[str]:
        """Every word the archived texts use, lower case: the spellings the sources vouch for."""
        if self._words is None:
            found: set[str] = set()
            for key in self.sources:
                index = self.index(key)
                for passage in index.passages if index else ():
                    found |= {w.lower() for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", passage.text)}
            self._words = frozenset(found)
        return self._words

    def source(self, key: str) -> Source | None:
        return self.sources.get(key)

    def source_on_page(self, docname: str) -> Source | None:
        """The source whose page (its archived text and what is known of it) ``docname`` is."""
        return next((source for source in self.sources.values() if source.page == docname), None)

    def index(self, key: str) -> SourceIndex | None:
        if key not in self._indexes:
            source = self.sources.get(key)
            self._indexes[key] = SourceIndex(source) if source and source.text_path.is_file() else None
            self.named_by(key)  # the names in its paragraphs are part of its index: read them now
        return self._indexes[key]

    def named_by(self, key: str) -> frozenset[str]:
        """The names a source's text uses, and the voices and agencies its registry entry names."""
        if key not in self._named:
            found: set[str] = set()
            index, source = self.index(key), self.sources.get(key)
            if self.names is not None and index is not None:
                for passage in index.passages:
                    found |= self.names.named_in(passage.text)
            if source is not None:
                found |= {v.speaker for v in source.voices} | {v.via for v in source.voices if v.via}
            self._named[key] = frozenset(found)
        return self._named[key]

    def holding(self, item: Item) -> list[str]:
        """Every source that holds ``item``: for the hint that names a source the block should cite.
        Figures and dates go through an index of all sources built on first use, so the cost of a
        defective block does not grow with the number of sources."""
        if self._holders is None:
            holders: dict[tuple, set[str]] = {}
            for key in self.sources:
                index = self.index(key)
                for passage in (index.passages + [index.metadata]) if index else []:
                    for value in passage.figures:
                        holders.setdefault(("figure", value), set()).add(key)
                    for month, day in passage.dates:
                        holders.setdefault(("date", month, day), set()).add(key)
            self._holders = holders
        if item.kind == "figure" and not isinstance(item.value, str):
            candidates = self._holders.get(("figure", item.value), set())
        elif item.kind == "date":
            candidates = self._holders.get(("date", item.value[1], item.value[2]), set())
        else:
            candidates = set(self.sources)
        return sorted(key for key in candidates if (index := self.index(key)) is not None and index.find(item))
