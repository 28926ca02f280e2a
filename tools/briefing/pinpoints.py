"""Pinpoints: the paragraphs of an archived source that a citation rests on.

An author writes them as sphinxcontrib-bibtex's post-text of a citation, one per key:
``{cite:p}`interfax2022withdrawal{¶10}```, ``{cite:p}`a{¶3–4},b{¶2, ¶7}```. Paragraphs are
numbered from 1, as the source pages number them. Pure Python, no Sphinx.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# "¶10", "¶3–4", "¶3–¶4", "¶3-4", "¶3, ¶7–8": ranges and lists, en dash or hyphen.
_RANGE = re.compile(r"¶\s?(\d+)(?:\s?[–-]\s?¶?\s?(\d+))?")
_LIST = re.compile(r"^\s*" + _RANGE.pattern + r"(?:\s*,\s*" + _RANGE.pattern + r")*\s*$")


class PinpointError(ValueError):
    """A post-text that starts like a pinpoint but is not one."""


class Cite(NamedTuple):
    """One key of a citation, with the paragraphs it pinpoints (empty: none given)."""

    key: str
    paragraphs: tuple[int, ...] = ()
    malformed: str = ""  # why a post-text meant as a pinpoint does not read as one (reported apart)

    @property
    def pinned(self) -> bool:
        return bool(self.paragraphs)


def is_pinpoint(post: str) -> bool:
    """Whether a citation's post-text is meant as a pinpoint (it starts with ¶)."""
    return post.strip().startswith("¶")


def parse(post: str) -> tuple[int, ...]:
    """The paragraphs a pinpoint names, in order and each once: "¶3–5, ¶9" is (3, 4, 5, 9)."""
    if not _LIST.match(post):
        raise PinpointError(f"pinpoint “{post}” is not of the form ¶N, ¶N–M or a list of them (“¶3, ¶7–8”)")
    found: list[int] = []
    for match in _RANGE.finditer(post):
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if first < 1 or last < first:
            raise PinpointError(f"pinpoint “{post}”: paragraphs are numbered from 1 and a range runs upwards")
        found += [n for n in range(first, last + 1) if n not in found]
    return tuple(found)


def write(paragraphs) -> str:
    """The pinpoint an author writes for these paragraphs: (3, 4, 5, 9) is "¶3–5, ¶9"."""
    numbers = sorted(set(paragraphs))
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"¶{run[0]}" if len(run) == 1 else f"¶{run[0]}–{run[-1]}" for run in runs)


def locators(text: str) -> tuple[int, ...]:
    """The paragraphs a text points to with its own ¶ locators ("(¶3–¶8)", "¶9"): on a source
    page, what its prose pinpoints of the page's own source."""
    found: list[int] = []
    for match in _RANGE.finditer(text):
        first, last = int(match.group(1)), int(match.group(2) or match.group(1))
        found += [n for n in range(first, max(first, last) + 1) if n not in found]
    return tuple(found)


def runs(post: str) -> list[tuple[int, ...]]:
    """A pinpoint's runs as the author wrote them: "¶3–5, ¶9" is [(3, 4, 5), (9,)]."""
    return [tuple(range(int(m.group(1)), int(m.group(2) or m.group(1)) + 1)) for m in _RANGE.finditer(post)]
