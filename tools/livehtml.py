"""The live preview (`make livehtml`): sphinx-autobuild's server, file watcher and browser reload,
with each rebuild forked from a process that has already imported Sphinx, its extensions and the
book's own. A saved chapter then costs the rebuild alone, not a new Python importing everything
again (about a second on every save).

Each build runs in a child forked for it, as sphinx-autobuild's own ``python -m sphinx`` would: no
build's state (registered nodes, caches) is left for the next. The first build tells the server
what it imported, and the server imports the same, so that later builds find it loaded. A build
also hands the server what it read from the book's data files (briefing.filecache: the registry,
the names, the archived texts' indexes, the bibliography), each kept under its files' stamps, so
that later builds read only the files that changed. Once a Python file of the book itself
changes, the server's copy of it is stale: from then on each build runs in a new Python, as plain
sphinx-autobuild's do, until the preview is restarted.
Usage is sphinx-autobuild's: ``python tools/livehtml.py [autobuild options] SOURCEDIR OUTDIR [sphinx options]``.
"""

from __future__ import annotations

import importlib
import os
import pickle
import runpy
import subprocess
import sys
from pathlib import Path

import sphinx_autobuild.__main__ as autobuild
from sphinx_autobuild.build import Builder
from sphinx_autobuild.utils import show_message

# Where a build keeps what it read from the book's data files (registry, names, archived texts,
# bibliography): the server keeps it too, so that the next build need not read them again.
FILECACHE = "briefing.filecache"

# What every build of the book imports, besides the extensions its conf.py lists.
PRELOADED = ("sphinx.cmd.build", "sphinx.application", "sphinx.builders.html", "sphinx.search.en",
             "docutils.writers.html4css1", "myst_parser.parsers.sphinx_", "furo")


def import_quietly(names) -> None:
    """Import these modules; one that fails is left to the builds, which report it where the
    author sees it."""
    for name in names:
        if name in sys.modules or name == "__main__":
            continue
        try:
            importlib.import_module(name)
        except KeyboardInterrupt:
            raise
        except BaseException:  # noqa: BLE001 (anything a module may raise on import, SystemExit too)
            continue


def preload(confdir: Path) -> None:
    """Import what a build of the book will import (modules only: no extension is set up)."""
    try:
        extensions = runpy.run_path(str(confdir / "conf.py")).get("extensions", ())
    except Exception:  # noqa: BLE001 (a broken conf.py: each build says how)
        extensions = ()
    import_quietly((*PRELOADED, *extensions))


def own_modules(sourcedir: Path) -> dict[str, int]:
    """The book's own Python files this process has imported, with their modification times."""
    found, installed = {}, Path(sys.prefix).resolve()  # a virtual environment may sit in the book
    for module in list(sys.modules.values()):
        path = getattr(module, "__file__", None)
        if path and (where := Path(path).resolve()).is_relative_to(sourcedir) and not where.is_relative_to(installed):
            try:
                found[path] = os.stat(path).st_mtime_ns
            except OSError:
                continue
    return found


def build_in_child(sphinx_args: list[str]) -> tuple[int, list[str], dict]:
    """``sphinx-build`` with these arguments, in a forked child: its exit status, the names of the
    modules it had loaded when it finished, and what it read from the book's data files that this
    process had not (briefing.filecache), for the next build to start with."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: build, and leave without running the parent's clean-up
        os.close(reader)
        code = 1
        try:
            from sphinx.cmd.build import main

            code = main(sphinx_args)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            with os.fdopen(writer, "wb") as out:
                out.write(_learnt())
            os._exit(code)
    os.close(writer)
    with os.fdopen(reader, "rb") as learnt:  # read before waiting: what it writes fills a pipe
        told = learnt.read()
    code = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    try:
        found = pickle.loads(told)
    except Exception:  # noqa: BLE001 (a child killed before it told anything: nothing learnt)
        return code, [], {}
    return code, found["modules"], found["read"]


def _learnt() -> bytes:
    """What a build tells the server: the modules it loaded, and what it read (whether or not the
    build passed: what is read is kept under the files' stamps, not under the build's outcome)."""
    filecache = sys.modules.get(FILECACHE)
    read = filecache.made_by(os.getpid()) if filecache is not None else {}
    try:
        return pickle.dumps({"modules": sorted(sys.modules), "read": read})
    except Exception:  # noqa: BLE001 (something read that does not pickle: keep the rest)
        return pickle.dumps({"modules": sorted(sys.modules), "read": {
            key: value for key, value in read.items() if _pickles(value)}})


def _pickles(value) -> bool:
    try:
        pickle.dumps(value)
    except Exception:  # noqa: BLE001 (whatever pickling an arbitrary object raises)
        return False
    return True


class WarmBuilds:
    """Builds forked from this process, which learns from the first what a build imports; builds
    in a new Python once the book's own code this process loaded has changed."""

    def __init__(self, sourcedir: Path) -> None:
        self.sourcedir = Path(sourcedir).resolve()
        preload(self.sourcedir)
        self.learnt = False
        self.own = own_modules(self.sourcedir)
        self.stale = False

    def code_changed(self) -> bool:
        for path, mtime in self.own.items():
            try:
                if os.stat(path).st_mtime_ns != mtime:
                    return True
            except OSError:
                return True
        return False

    def build(self, sphinx_args: list[str]) -> int:
        if not self.stale and self.code_changed():
            self.stale = True
            show_message("The book's own Python code changed: each build now starts a new Python "
                         "(restart the preview to make rebuilds fast again)")
        if self.stale:
            return subprocess.run([sys.executable, "-m", "sphinx", *sphinx_args], check=False).returncode
        code, loaded, read = build_in_child(sphinx_args)
        if not self.learnt:
            import_quietly(loaded)
            self.learnt = True
            self.own = {**own_modules(self.sourcedir), **self.own}  # the times as first loaded
        if read and FILECACHE in sys.modules:
            sys.modules[FILECACHE].adopt(read)
        return code


class ForkingBuilder(Builder):
    """sphinx-autobuild's builder, building with ``WarmBuilds`` instead of ``python -m sphinx``."""

    warm: WarmBuilds

    def __call__(self, *, changed_paths):
        if changed_paths:
            show_message("Detected changes: " + ", ".join(p.name for p in changed_paths[:5]))
        code = self.warm.build(list(self.sphinx_args))
        if code:
            print(f"Sphinx exited with exit code: {code}; the server goes on serving the last build")
        show_message(f"Serving on {self.uri}")


def main(argv: list[str]) -> None:
    args, _ = autobuild._parse_args(list(argv))
    ForkingBuilder.warm = WarmBuilds(Path(args.sourcedir))
    autobuild.Builder = ForkingBuilder
    autobuild.main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
