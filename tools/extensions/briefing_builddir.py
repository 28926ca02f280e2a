"""Builds that end in a correct book or a clear message, whatever happened to the build before.

- **One build at a time per folder.** A second build of the same output or doctree folder waits
  (saying so) until the first has finished, instead of both writing the same pages, search index
  and saved environment at once.
- **An unfinished build is not taken for a finished one.** While a build runs, its output folder
  holds ``BUILD-INCOMPLETE.txt`` (the e-book's, which would pack it, keeps it beside the
  doctrees); a build that ends (successfully or with warnings) removes it. A build that finds
  it left by an interrupted or crashed one re-reads and rewrites every page:
  otherwise Sphinx would keep the pages and search index half-written then (a page never written
  is written again, but the search index would lack every page the interrupted build did not
  reach, the glossary's entries among them, for good).
- **Templates compiled once.** The page templates (the theme's and Sphinx's), compiled to Python
  by Jinja on every build otherwise, are kept compiled beside the doctrees; Jinja recompiles a
  template whose source has changed.
"""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
from sphinx.util import logging

logger = logging.getLogger(__name__)
MARKER = "BUILD-INCOMPLETE.txt"
MARKER_TEXT = ("A build of this book into this folder has started and not finished (or was interrupted).\n"
               "Do not publish this folder: build the book again; the next build rewrites every page.\n")
_HELD: dict[str, int] = {}  # folder -> open descriptor holding its lock, in this process


def _lock(folder: Path) -> None:
    try:
        import fcntl
    except ImportError:  # not on POSIX: no lock, as before
        return
    folder.mkdir(parents=True, exist_ok=True)
    key = str(folder.resolve())
    if key in _HELD:
        return
    fd = os.open(key, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        logger.info(f"briefing_builddir: another build is using {folder}; waiting for it to finish")
        fcntl.flock(fd, fcntl.LOCK_EX)
    _HELD[key] = fd


def _release() -> None:
    while _HELD:
        _, fd = _HELD.popitem()
        os.close(fd)  # closing the descriptor releases its lock


def lock_folders(app, config) -> None:
    # Before the saved environment is read: it is one of the things two builds would share.
    for folder in sorted({Path(app.outdir), Path(app.doctreedir)}, key=str):
        _lock(folder)


def marker_path(app) -> Path:
    # The e-book builder packs every file of its output folder into the book: its marker is kept
    # beside the doctrees instead (the e-book itself is one file, written last).
    if app.builder.name.startswith("epub"):
        return Path(app.doctreedir) / f"{Path(MARKER).stem}-{app.builder.name}.txt"
    return Path(app.outdir) / MARKER


def note_start(app) -> None:
    marker = marker_path(app)
    app.briefing_rebuild_all = marker.exists()
    if app.briefing_rebuild_all:
        logger.info(f"briefing_builddir: {marker} says the last build did not finish; "
                    "re-reading and rewriting every page")
    marker.write_text(MARKER_TEXT, encoding="utf-8")


def outdated(app, env, added, changed, removed):
    if getattr(app, "briefing_rebuild_all", False):
        return sorted(set(env.found_docs) - set(added) - set(changed))
    return []


def note_end(app, exception) -> None:
    try:
        if exception is None:
            marker_path(app).unlink(missing_ok=True)
    finally:
        _release()


def keep_compiled_templates(app) -> None:
    environment = getattr(getattr(app.builder, "templates", None), "environment", None)
    if isinstance(environment, jinja2.Environment):
        folder = Path(app.doctreedir) / "templates"
        folder.mkdir(parents=True, exist_ok=True)
        environment.bytecode_cache = jinja2.FileSystemBytecodeCache(str(folder))


def setup(app):
    app.connect("config-inited", lock_folders)
    app.connect("builder-inited", note_start)
    app.connect("builder-inited", keep_compiled_templates)
    app.connect("env-get-outdated", outdated)
    app.connect("build-finished", note_end)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
