"""Shared fixtures: Sphinx's own testing fixtures over tiny books in tests/roots/, and one
build of the real book per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# The book's tools, and rootconf.py, the configuration the test books share.
sys.path[:0] = [str(ROOT / "tools"), str(ROOT / "tools" / "extensions"), str(ROOT / "tests" / "roots")]

pytest_plugins = ("sphinx.testing.fixtures",)

# Sphinx colours its output whenever CI=true; the tests read that output as plain text.
os.environ["NO_COLOR"] = "1"

# Paths a book build reads, relative to the repository root.
BOOK_INPUTS = ("conf.py", "index.md", "chapters", "sources", "references.bib", "data",
               "tools", "_static", "_templates")


@pytest.fixture(scope="session")
def rootdir() -> Path:
    return ROOT / "tests" / "roots"


def copy_book(destination: Path) -> Path:
    """A copy of the real book's sources, for tests that build or tamper with it."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in BOOK_INPUTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, destination / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, destination / name)
    return destination


def sphinx_build(srcdir: Path, builder: str, outdir: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", builder, "-W", "-n", "--keep-going", "-q",
         *extra, str(srcdir), str(outdir)],
        capture_output=True, text=True)


@pytest.fixture(scope="session")
def book_html(tmp_path_factory) -> Path:
    """The real book built to HTML once per session, with warnings as errors."""
    out = tmp_path_factory.mktemp("book") / "html"
    result = sphinx_build(ROOT, "html", out, "-d", str(out.parent / "doctrees"))
    assert result.returncode == 0, f"the book does not build cleanly:\n{result.stderr}"
    return out
