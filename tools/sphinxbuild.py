"""The one spelling of a ``sphinx-build`` command line, for the tests and tools/bench.py.

The book's gate builds with warnings as errors (``-W``), nitpicky references (``-n``) and every
warning shown before it fails (``--keep-going``); ``-q`` leaves only the warnings on stderr.
"""

from __future__ import annotations

import sys
from pathlib import Path

STRICT = ("-W", "-n", "--keep-going")


def sphinx_args(srcdir: Path | str, outdir: Path | str, builder: str = "html", *extra: str,
                make: bool = False, strict: bool = True, quiet: bool = True) -> list[str]:
    """The arguments after ``sphinx-build``: ``-b BUILDER``, or ``-M BUILDER`` (make mode, for a
    target such as latexpdf or epub) when ``make``; ``strict`` gives the gate's flags, otherwise
    only ``-n``."""
    flags = [*(STRICT if strict else ("-n",)), *(("-q",) if quiet else ()), *extra]
    if make:
        return ["-M", builder, str(srcdir), str(outdir), *flags]
    return ["-b", builder, *flags, str(srcdir), str(outdir)]


def sphinx_command(srcdir: Path | str, outdir: Path | str, builder: str = "html", *extra: str,
                   **options) -> list[str]:
    """``python -m sphinx …`` under this interpreter (the book's virtual environment)."""
    return [sys.executable, "-m", "sphinx", *sphinx_args(srcdir, outdir, builder, *extra, **options)]
