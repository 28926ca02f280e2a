"""Builds that end in a correct book or a clear message, whatever happened to the build before.

- **One build at a time per folder.** A second build of the same output or doctree folder waits
  (saying so) until the first has finished, instead of both writing the same pages, search index
  and saved environment at once.
- **An unfinished build is not taken for a finished one.** While a build runs, its output folder
  holds ``BUILD-INCOMPLETE.txt`` (the e-book's, which would pack it, keeps it beside the
  doctrees); a build that ends removes it, unless warnings treated as errors (``-W``) failed it,
  which leaves it saying so. A build that finds
  it left by an interrupted or crashed one re-reads and rewrites every page:
  otherwise Sphinx would keep the pages and search index half-written then (a page never written
  is written again, but the search index would lack every page the interrupted build did not
  reach, the glossary's entries among them, for good).
- **A build-info file cut short is rebuilt.** An empty or garbled ``.buildinfo`` (a full disk, a
  kill) is removed and every page rewritten, instead of crashing every later build.
- **A page read again is written again, into every output folder.** Sphinx rewrites a page whose
  source is newer than its output; a page re-read because a file it depends on changed is written
  only by the build that re-read it. Builders share one doctree folder (``sphinx-build -M``): after
  an html build, a dirhtml build that re-read a page would leave the html folder's copy stale. So
  each build records, per output folder, when each page it wrote was read, and rewrites the pages
  read since.
- **A failed check is shown in the page.** With ``briefing_check_banner`` on (``make livehtml``
  sets it), a build that warned puts its warnings at the top of every page it wrote, where the
  author looking at the preview sees them; the next build that warns of nothing removes them.
- **Templates compiled once.** The page templates (the theme's and Sphinx's), compiled to Python
  by Jinja on every build otherwise, are kept compiled beside the doctrees; Jinja recompiles a
  template whose source has changed.
"""

from __future__ import annotations

import html
import json
import logging as std_logging
import os
import re
from pathlib import Path

import jinja2
from sphinx.util import logging

logger = logging.getLogger(__name__)
MARKER = "BUILD-INCOMPLETE.txt"
MARKER_TEXT = ("A build of this book into this folder has started and not finished (or was interrupted).\n"
               "Do not publish this folder: build the book again; the next build rewrites every page.\n")
FAILED_TEXT = ("The last build of this book into this folder failed its checks (warnings treated as errors).\n"
               "Do not publish this folder: fix what the build reported and build the book again.\n")
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


def _broken_build_info(app) -> bool:
    """Remove an output folder's ``.buildinfo`` that cannot be read (left empty or cut short by a
    full disk or a kill), which would otherwise crash every later build; its pages are rewritten."""
    path = Path(app.outdir) / ".buildinfo"
    if not path.is_file():
        return False
    try:
        from sphinx.builders.html._build_info import BuildInfo
    except ImportError:
        return False
    try:
        BuildInfo.load(path)
        return False
    except Exception:  # Sphinx raises IndexError or ValueError for a short or garbled file
        logger.info(f"briefing_builddir: {path} is unreadable (an earlier build was cut short); "
                    "rewriting every page")
        path.unlink()
        return True


def note_start(app) -> None:
    marker = marker_path(app)
    try:
        left = marker.read_text(encoding="utf-8")
    except OSError:
        left = None
    # A build that failed its checks wrote every page it meant to: only an unfinished one forces
    # a whole rebuild.
    app.briefing_rebuild_all = (left is not None and left != FAILED_TEXT) or _broken_build_info(app)
    if app.briefing_rebuild_all:
        logger.info(f"briefing_builddir: {marker} says the last build did not finish; "
                    "re-reading and rewriting every page")
    marker.write_text(MARKER_TEXT, encoding="utf-8")


def outdated(app, env, added, changed, removed):
    if getattr(app, "briefing_rebuild_all", False):
        return sorted(set(env.found_docs) - set(added) - set(changed))
    return []


READ = "briefing-read.json"  # beside the doctrees: {builder and output folder: {page: when read}}


def _output_key(app) -> str:
    return f"{app.builder.name} {Path(app.outdir).resolve()}"


def _read_record(app) -> dict:
    try:
        return json.loads((Path(app.doctreedir) / READ).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def read_elsewhere(app, env) -> list[str]:
    """The pages read (by a build into another output folder) since this folder's were written."""
    written = _read_record(app).get(_output_key(app))
    if written is None:
        return []  # no record: Sphinx's own comparison of times decides, as for a new folder
    _remove_pages_of_removed_documents(app, set(written) - set(env.found_docs))
    return sorted(doc for doc in env.found_docs if doc in env.all_docs and written.get(doc) != env.all_docs[doc])


def _remove_pages_of_removed_documents(app, removed: set[str]) -> None:
    """A page whose document is gone is removed from the folder, as a fresh build would not have
    it (Sphinx leaves it, and its copy of the source, in place)."""
    outfile = getattr(app.builder, "get_outfilename", None)
    if outfile is None:
        return
    for docname in sorted(removed):
        for path in (Path(outfile(docname)), *Path(app.outdir, "_sources").glob(f"{docname}.*")):
            if path.is_file():
                path.unlink()
                logger.info(f"briefing_builddir: removed {path}, whose document is gone")


def _save_read(app) -> None:
    record = _read_record(app)
    record[_output_key(app)] = dict(app.env.all_docs)
    path = Path(app.doctreedir) / READ
    partial = path.with_name(f"{READ}.{os.getpid()}.partial")
    partial.write_text(json.dumps(record, sort_keys=True), encoding="utf-8")
    os.replace(partial, path)


def failed_checks(app) -> bool:
    """Whether ``-W`` turns this build's warnings into a failure (Sphinx sets the exit status only
    after build-finished)."""
    return bool(getattr(app, "_fail_on_warnings", False) and getattr(app, "_warncount", 0))


BANNER_START, BANNER_END = "<!-- briefing-check-banner -->", "<!-- /briefing-check-banner -->"
_BANNER = re.compile(re.escape(BANNER_START) + ".*?" + re.escape(BANNER_END), re.DOTALL)


class _Warnings(std_logging.Handler):
    """This build's warnings, as the terminal shows them, for the banner."""

    def __init__(self) -> None:
        super().__init__(std_logging.WARNING)
        self.found: list[str] = []

    def emit(self, record) -> None:
        location = getattr(record, "location", None)
        where = f"{location}: " if isinstance(location, str) and location else ""
        text = where + record.getMessage()
        if text not in self.found:  # a warning Sphinx passes on twice (-W) is shown once
            self.found.append(text)


def watch_warnings(app) -> None:
    if app.config.briefing_check_banner and app.builder.format == "html":
        app.briefing_warnings = _Warnings()
        std_logging.getLogger("sphinx").addHandler(app.briefing_warnings)


def show_warnings(app, exception) -> None:
    """Put this build's warnings at the top of each page of the folder, or take an old banner out."""
    handler = getattr(app, "briefing_warnings", None)
    if handler is not None:
        std_logging.getLogger("sphinx").removeHandler(handler)
    if app.builder.format != "html" or not Path(app.outdir).is_dir():
        return
    found = handler.found if handler is not None else []
    banner = ""
    if found:
        items = "".join(f"<li>{html.escape(text)}</li>" for text in found[:50])
        more = f"<p>… and {len(found) - 50} more, in the terminal.</p>" if len(found) > 50 else ""
        banner = (f'{BANNER_START}<div role="alert" class="briefing-check-banner" style="background:#fde2e1;'
                  f'color:#5c0a06;border:3px solid #b3261e;padding:0.75em 1em;margin:0;font:1rem/1.4 sans-serif">'
                  f"<p><strong>This build failed {len(found)} check(s)</strong>: the page may state what its "
                  f"sources do not support.</p><ul>{items}</ul>{more}</div>{BANNER_END}")
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = _BANNER.sub("", text)
        if banner:
            new = re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + banner, new, count=1)
        if new != text:
            page.write_text(new, encoding="utf-8")


def note_end(app, exception) -> None:
    try:
        if exception is None:
            _save_read(app)
            if failed_checks(app):
                marker_path(app).write_text(FAILED_TEXT, encoding="utf-8")
            else:
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
    # No rebuild when it changes: the banner is put in, or taken out, after the pages are written.
    app.add_config_value("briefing_check_banner", False, "", types=frozenset({bool, int}))
    app.connect("builder-inited", watch_warnings)
    # After the checks of the built pages (priority 500), before the folder is released.
    app.connect("build-finished", show_warnings, priority=850)
    app.connect("config-inited", lock_folders)
    app.connect("builder-inited", note_start)
    app.connect("builder-inited", keep_compiled_templates)
    app.connect("env-get-outdated", outdated)
    app.connect("env-updated", read_elsewhere)
    # Last, after every check of the built pages has warned.
    app.connect("build-finished", note_end, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
