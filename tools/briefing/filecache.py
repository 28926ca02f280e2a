"""What a build reads from the book's data files, and makes of them, parsed once per process while
the files stay as they were. The live preview forks each build from one process that keeps what
the builds read (tools/livehtml.py), and a test session builds the same book many times: a build
then parses only what changed.

A file is known by its stamp (modification time, size, inode), taken before it is read, as Sphinx
knows a changed page: a file saved while it was being read has a new stamp, and is read again by
the next build. What is made of a file's content (a formatted bibliography entry) is kept under
that content. What is kept is shared by every build of the process, so callers never change it.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")

# Enough for the files and entries of a few books (a test session builds many small ones); the
# least recently used goes first. Each value is kept with the process that made it.
LIMIT = 256
ADOPTED = 0  # the maker of what was adopted from another process (made_by(ADOPTED) lists it)
_KEPT: OrderedDict[tuple, tuple[int, object]] = OrderedDict()


def stamp(path: Path | str) -> tuple | None:
    """The file's modification time, size and inode; None when there is no such file."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size, found.st_ino


class Stamps:
    """The stamps of the files an object was made from, each taken before the file was read."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple | None] = {}

    def note(self, path: Path | str) -> None:
        """Call before reading ``path``."""
        self._seen.setdefault(str(path), stamp(path))

    def current(self) -> bool:
        """Whether every file noted is as it was."""
        return all(stamp(path) == seen for path, seen in self._seen.items())


def remember(key: tuple, make: Callable[[], T], current: Callable[[T], bool]) -> T:
    """``make()``, or what it made before under ``key`` while ``current(it)`` holds."""
    found = _KEPT.get(key)
    if found is not None and current(found[1]):
        _KEPT.move_to_end(key)
        return found[1]
    made = make()
    _keep(key, os.getpid(), made)
    return made


def parsed(kind: str, path: Path | str, parse: Callable[[Path], T]) -> T:
    """``parse(path)`` (``kind`` tells parsers of one file apart), made once per process while
    the file keeps its stamp."""
    path = Path(path)
    now = stamp(path)  # before reading
    return remember((kind, str(path.resolve())), lambda: (now, parse(path)),
                    lambda found: now is not None and found[0] == now)[1]


def made_by(pid: int) -> dict[tuple, object]:
    """What the process ``pid`` made (a forked build: what it read that its parent had not)."""
    return {key: value for key, (maker, value) in _KEPT.items() if maker == pid}


def adopt(made: dict[tuple, object]) -> None:
    """Keep what another process made (``made_by``), as if made here: the live preview's server
    keeps what its forked builds read, and the next build starts with it."""
    for key, value in made.items():
        _keep(key, ADOPTED, value)


def _keep(key: tuple, maker: int, value: object) -> None:
    _KEPT[key] = (maker, value)
    _KEPT.move_to_end(key)
    if len(_KEPT) > LIMIT:
        _KEPT.popitem(last=False)
