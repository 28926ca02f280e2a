"""The registry of archived source texts (``data/sources.toml``) and their integrity.

Pure Python, no Sphinx: the build, the tests and the benchmark all read sources through here.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import LocatedError

REQUIRED_FIELDS = ("text", "sha256", "page", "published", "date_basis", "url_basis", "short")
_PUBLISHED = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")
# Who speaks in a passage: the outlet reporting (the default for every paragraph), or, for a range
# of paragraphs, a body whose statement the outlet relays, a person it quotes, its own comment, or
# its summary of another outlet.
ROLES = ("outlet", "relayed statement", "quoted person", "outlet's comment", "summary of another outlet")
_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")


@dataclass(frozen=True)
class Voice:
    first: int  # paragraph range, 1-based; 0-0 for the outlet, which reports every paragraph
    last: int
    speaker: str  # a name of data/names.toml
    role: str
    via: str = ""  # the outlet or agency a quotation came through, if the text says so

    def covers(self, number: int) -> bool:
        return self.role == "outlet" or self.first <= number <= self.last

    def span(self) -> str:
        if self.role == "outlet":
            return "all"
        return f"¶{self.first}" if self.first == self.last else f"¶{self.first}–¶{self.last}"


class RegistryError(LocatedError):
    """A defect in data/sources.toml."""


@dataclass(frozen=True)
class Source:
    key: str
    text_path: Path
    text_rel: str
    sha256: str
    page: str
    published: str
    date_basis: str
    url_basis: str  # how the outlet's address for the article is known
    short: str
    location: str  # "data/sources.toml:LINE" of the source's table header
    voices: tuple[Voice, ...] = ()
    inferred_day: bool = False  # the day of ``published`` is the book's inference; the source prints none

    @property
    def outlet(self) -> str | None:
        return next((v.speaker for v in self.voices if v.role == "outlet"), None)

    def speakers(self, number: int) -> set[str]:
        """Who speaks in paragraph ``number``: the outlet always (it reports), and whoever the
        registry says the outlet relays, quotes or summarises there."""
        return {v.speaker for v in self.voices if v.covers(number)}

    @property
    def year(self) -> int:
        return int(self.published[:4])

    @property
    def month(self) -> int:
        return int(self.published[5:7])

    @property
    def day(self) -> int | None:
        return int(self.published[8:10]) if len(self.published) == 10 else None

    def read_text(self) -> str:
        # Undecodable bytes never stop the build: encoding_problem() reports them, located, and
        # the build fails on that warning; meanwhile they read as U+FFFD.
        return self.text_path.read_bytes().decode("utf-8", errors="replace")

    def paragraphs(self) -> list[str]:
        return split_paragraphs(self.read_text())

    def anchor(self, number: int) -> str:
        """The stable HTML id of paragraph ``number`` (1-based) of the archived text."""
        return f"{self.key}-p{number}"


def split_paragraphs(text: str) -> list[str]:
    """Every non-blank line of an archived text is one paragraph, numbered from 1.

    The archived articles put each paragraph on one line; numbering non-blank lines keeps the
    numbers (and so the anchors) fixed for as long as the text's hash is.
    """
    return [line.strip() for line in text.splitlines() if line.strip()]


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _undecodable(data: bytes, err: UnicodeDecodeError) -> tuple[int, int, str]:
    """Line, column (both from 1) and the bytes of the first sequence that is not UTF-8."""
    before = data[:err.start]
    line = before.count(b"\n") + 1
    column = len(before) - (before.rfind(b"\n") + 1) + 1
    return line, column, data[err.start:err.end].hex(" ")


def encoding_problem(source: Source) -> tuple[str, str] | None:
    """Where the archived text is not UTF-8 (location "path:line") and what to do, or None."""
    try:
        data = source.text_path.read_bytes()
    except OSError:
        return None  # integrity_problem says it is missing
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as err:
        line, column, found = _undecodable(data, err)
        return (f"{source.text_rel}:{line}",
                f"archived text {source.text_rel} of source '{source.key}' is not UTF-8 (bytes {found} at "
                f"line {line}, column {column}); archive the outlet's text as UTF-8 (re-save the original "
                "page's text in that encoding, never retype it) and record the new file's SHA-256")
    return None


def table_lines(raw: str) -> dict[str, int]:
    """The line of each top-level table header of a TOML text, ``[key]`` or ``["A name"]``,
    so that a defect in a table is reported at its header (arrays of tables are not headers)."""
    lines = {}
    for number, line in enumerate(raw.splitlines(), start=1):
        match = re.match(r'^\s*\[\s*"?([^"\]\[]+)"?\s*\]\s*(#.*)?$', line)
        if match:
            lines[match.group(1).strip()] = number
    return lines


def _outside_the_book(root: Path, rel: str) -> str | None:
    """Why a path named by a data file would read a file from outside the book's folder, or None:
    an archived text is published on its page, so a path that led out would publish whatever it
    reached (a symbolic link is followed to where it leads)."""
    path = Path(rel)
    if path.is_absolute() or rel.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", rel):
        return "is an absolute path"
    if ".." in re.split(r"[\\/]", rel):
        return "leads out of its folder ('..')"
    try:
        (root / path).resolve().relative_to(root.resolve())
    except ValueError:
        return "leads out of the book's folder (through a symbolic link)"
    return None


def _first_line(raw: str, pattern: str) -> int:
    """The first line of a TOML text matching ``pattern`` (1 when none does)."""
    return next((number for number, line in enumerate(raw.splitlines(), start=1) if re.match(pattern, line)), 1)


def _field_line(raw: str, header: int, name: str) -> int:
    """The line of a field of the table whose header is at ``header``."""
    for number, line in enumerate(raw.splitlines()[header:], start=header + 1):
        if re.match(r"^\s*\[", line):
            break
        if re.match(rf"^\s*{re.escape(name)}\s*=", line):
            return number
    return header


def load_registry(root: Path, rel_path: str = "data/sources.toml") -> dict[str, Source]:
    """Read the registry; raise RegistryError naming the file and line of the first defect."""
    path = root / rel_path
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise RegistryError(f"{rel_path}:1", "the source registry is missing; create it (see README, 'Adding a source')") from None
    try:
        raw = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line, column, found = _undecodable(data, err)
        raise RegistryError(f"{rel_path}:{line}", f"not UTF-8 (bytes {found} at column {column}); "
                                                  "save the file as UTF-8") from None
    try:
        data = tomllib.loads(raw)
    except tomllib.TOMLDecodeError as err:
        line = getattr(err, "lineno", None) or _line_from_message(str(err))
        raise RegistryError(f"{rel_path}:{line}", f"not valid TOML ({err}); fix the syntax") from None
    headers = table_lines(raw)
    sources: dict[str, Source] = {}
    for key, table in data.items():
        location = f"{rel_path}:{headers.get(key, 1)}"
        if not isinstance(table, dict):
            raise RegistryError(location, f"'{key}' must be a table [{key}] describing one source")
        if key not in headers and set(table) == {"voices"}:
            # [[key.voices]] alone makes a table of that name: its source's [key] was removed or renamed.
            line = _first_line(raw, rf"^\s*\[\[\s*\"?{re.escape(key)}\"?\.voices\s*\]\]")
            raise RegistryError(f"{rel_path}:{line}", f"voices of '{key}', but no source [{key}]: rename them to the "
                                "source's key ([[KEY.voices]]) or remove them with their source")
        missing = [name for name in REQUIRED_FIELDS if not str(table.get(name, "")).strip()]
        if missing:
            raise RegistryError(location, f"source '{key}' lacks {', '.join(missing)}; add the field(s)")
        text_problem = _outside_the_book(root, str(table["text"]))
        if text_problem:
            line = _field_line(raw, headers.get(key, 1), "text")
            raise RegistryError(f"{rel_path}:{line}", f"source '{key}': text = {table['text']!r} {text_problem}; "
                                "archive the text in the book, under sources/text/, and name it by its path there")
        if not _PUBLISHED.match(str(table["published"])):
            raise RegistryError(location, f"source '{key}': published must be YYYY-MM-DD or YYYY-MM, not {table['published']!r}")
        sources[key] = Source(
            key=key,
            text_path=root / table["text"],
            text_rel=table["text"],
            sha256=str(table["sha256"]).lower(),
            page=table["page"],
            published=str(table["published"]),
            date_basis=table["date_basis"],
            url_basis=table["url_basis"],
            short=table["short"],
            location=location,
            voices=_voices(key, table.get("voices", []), location),
            inferred_day=table.get("day_inferred") is True,
        )
    return sources


def shared_registry(root: Path, rel_path: str = "data/sources.toml") -> dict[str, Source]:
    """``load_registry``: read afresh by each call (a build reads it as it starts)."""
    return load_registry(root, rel_path)


def _voices(key: str, entries, location: str) -> tuple[Voice, ...]:
    """The [[KEY.voices]] tables of a source: one outlet (paragraphs = "all") and any ranges."""
    if not isinstance(entries, list):
        raise RegistryError(location, f"source '{key}': voices must be [[{key}.voices]] tables")
    voices = []
    for entry in entries:
        where = f"source '{key}', voice {entry.get('speaker', '?')!r}" if isinstance(entry, dict) else f"source '{key}'"
        if not isinstance(entry, dict) or not all(str(entry.get(f, "")).strip() for f in ("paragraphs", "speaker", "role")):
            raise RegistryError(location, f"{where}: each voice needs paragraphs, speaker and role")
        role, span = entry["role"], str(entry["paragraphs"]).strip()
        if role not in ROLES:
            raise RegistryError(location, f"{where}: role must be one of {', '.join(ROLES)}, not {role!r}")
        if role == "outlet":
            if span != "all":
                raise RegistryError(location, f"{where}: the outlet reports every paragraph: write paragraphs = \"all\"")
            first = last = 0
        else:
            match = _RANGE.match(span)
            if not match or int(match.group(1)) < 1 or int(match.group(2) or match.group(1)) < int(match.group(1)):
                raise RegistryError(location, f"{where}: paragraphs must be \"N\" or \"N-M\" (1 ≤ N ≤ M), not {span!r}")
            first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        voices.append(Voice(first, last, entry["speaker"].strip(), role, str(entry.get("via", "")).strip()))
    if voices and sum(v.role == "outlet" for v in voices) != 1:
        raise RegistryError(location, f"source '{key}': name exactly one voice with role = \"outlet\" "
                                      "and paragraphs = \"all\" (the outlet that published it)")
    return tuple(voices)


def voice_problems(source: Source, names, paragraph_count: int) -> list[str]:
    """What is wrong with a source's voices against its text and the names of the book."""
    if not source.voices:
        return [f"source '{source.key}' does not say who speaks in it: add [[{source.key}.voices]] tables "
                "(the outlet, and the paragraphs where it relays, quotes or summarises another voice)"]
    problems = []
    for voice in source.voices:
        if voice.speaker not in names:
            problems.append(f"source '{source.key}': speaker {voice.speaker!r} is not a name of data/names.toml; "
                            "use its name there, or add it")
        if voice.via and voice.via not in names:
            problems.append(f"source '{source.key}': via {voice.via!r} is not a name of data/names.toml")
        if voice.last > paragraph_count:
            problems.append(f"source '{source.key}': voice of {voice.speaker} covers {voice.span()}, but the "
                            f"archived text has {paragraph_count} paragraphs")
    return problems


def _line_from_message(message: str) -> int:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else 1


def integrity_problem(source: Source) -> str | None:
    """Why the archived text does not match its recorded hash, or None when it does."""
    if not source.text_path.is_file():
        return (f"archived text {source.text_rel} of source '{source.key}' is missing; "
                "restore it from the outlet's original")
    actual = file_sha256(source.text_path)
    if actual != source.sha256:
        return (f"archived text {source.text_rel} no longer matches its recorded SHA-256 "
                f"(recorded {source.sha256[:12]}…, found {actual[:12]}…); archived texts are verbatim: "
                "restore the original bytes, or record the new hash only if the outlet's text was re-archived")
    return None
