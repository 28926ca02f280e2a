"""The live preview (`make livehtml`): sphinx-autobuild's server, file watcher and browser reload,
with each rebuild forked from a process that has already imported Sphinx, its extensions and the
book's own. A saved chapter then costs the rebuild alone, not a new Python importing everything
again (about a second on every save).

Each build runs in a child forked for it, as sphinx-autobuild's own ``python -m sphinx`` would: no
build's state (registered nodes, caches) is left for the next. Usage is sphinx-autobuild's:
``python tools/livehtml.py [autobuild options] SOURCEDIR OUTDIR [sphinx options]``.
"""

from __future__ import annotations

import importlib
import os
import runpy
import sys
from pathlib import Path

import sphinx_autobuild.__main__ as autobuild
from sphinx_autobuild.build import Builder
from sphinx_autobuild.utils import show_message

# What every build of the book imports, besides the extensions its conf.py lists.
PRELOADED = ("sphinx.cmd.build", "sphinx.application", "sphinx.builders.html", "sphinx.search.en",
             "docutils.writers.html4css1", "myst_parser.parsers.sphinx_", "furo")


def preload(confdir: Path) -> None:
    """Import what a build of the book will import (modules only: no extension is set up). What
    fails to load is left to the builds, which report it where the author sees it."""
    try:
        extensions = runpy.run_path(str(confdir / "conf.py")).get("extensions", ())
    except Exception:  # noqa: BLE001 (a broken conf.py: each build says how)
        extensions = ()
    for name in (*PRELOADED, *extensions):
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001
            continue


def build_in_child(sphinx_args: list[str]) -> int:
    """``sphinx-build`` with these arguments, in a forked child; its exit status."""
    pid = os.fork()
    if pid == 0:  # the child: build, and leave without running the parent's clean-up
        code = 1
        try:
            from sphinx.cmd.build import main

            code = main(sphinx_args)
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


class ForkingBuilder(Builder):
    """sphinx-autobuild's builder, forking the warm process instead of starting ``python -m sphinx``."""

    def __call__(self, *, changed_paths):
        if changed_paths:
            show_message("Detected changes: " + ", ".join(p.name for p in changed_paths[:5]))
        code = build_in_child(list(self.sphinx_args))
        if code:
            print(f"Sphinx exited with exit code: {code}; the server goes on serving the last build")
        show_message(f"Serving on {self.uri}")


def main(argv: list[str]) -> None:
    args, _ = autobuild._parse_args(list(argv))
    preload(Path(args.sourcedir))
    autobuild.Builder = ForkingBuilder
    autobuild.main(argv)


if __name__ == "__main__":
    main(sys.argv[1:])
