"""Shared fixtures: Sphinx's own testing fixtures over tiny books in tests/roots/, and one
build of the real book per test session."""

from __future__ import annotations

import json
import os
import re
import runpy
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
# Every test draws its own charts: the user's chart cache is tested on its own (test_charts).
os.environ["BRIEFING_CHART_CACHE"] = "0"

# Paths a book build reads, relative to the repository root.
BOOK_INPUTS = ("conf.py", "index.md", "chapters", "sources", "references.bib", "CITATION.cff", "data",
               "tools", "_static")


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


def sphinx_build(srcdir: Path, builder: str, outdir: Path, *extra: str, make: bool = False,
                 quiet: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m sphinx`` with the book's gate flags (tools/sphinxbuild.py): ``-b builder``, or
    ``-M builder`` (make mode: latexpdf, epub) when ``make``; ``env`` replaces the environment."""
    from sphinxbuild import sphinx_command

    return subprocess.run(sphinx_command(srcdir, outdir, builder, *extra, make=make, quiet=quiet),
                          capture_output=True, text=True, env=env)


@pytest.fixture(scope="session")
def book_html(tmp_path_factory) -> Path:
    """The real book built to HTML once per session, with warnings as errors."""
    out = tmp_path_factory.mktemp("book") / "html"
    result = sphinx_build(ROOT, "html", out, "-d", str(out.parent / "doctrees"))
    assert result.returncode == 0, f"the book does not build cleanly:\n{result.stderr}"
    return out


def search_index(html_dir) -> dict:
    """The built book's searchindex.js, as the search page reads it."""
    text = (html_dir / "searchindex.js").read_text(encoding="utf-8")
    assert text.startswith("Search.setIndex(") and text.endswith(")")
    return json.loads(text[len("Search.setIndex("):-1])


def build_again(make_app, srcdir: Path, edit_between, confoverrides: dict | None = None):
    """Build ``srcdir``, then again in the same build folder after ``edit_between(srcdir)``, as
    two `make html` runs would: the two apps, each with its own warnings."""
    import time

    first = make_app("html", srcdir=srcdir, confoverrides=confoverrides or {})
    first.build()
    first.cleanup()  # unregister its nodes and roles before the second app registers them again
    time.sleep(0.05)  # a later modification time than the first build's
    edit_between(srcdir)
    second = make_app("html", srcdir=srcdir, confoverrides=confoverrides or {})
    second.build()
    return first, second


def warnings_of(app) -> list[str]:
    """The warnings of a test build, without colour codes, one per line."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", app.warning.getvalue())
    # Sphinx warns of its own nodes registered again when one test builds twice in one process.
    return [line for line in text.splitlines() if "WARNING" in line and "is already registered" not in line]


def only_warning(app, *fragments: str) -> str:
    """The build produced exactly one warning, and it contains every fragment."""
    found = warnings_of(app)
    assert len(found) == 1, "\n".join(found)
    for fragment in fragments:
        assert fragment in found[0], found[0]
    return found[0]


def soup(path: Path):
    """A built HTML page, parsed."""
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


# Pages Sphinx generates that hold none of the book's content.
NOT_CONTENT = {"genindex.html", "search.html", "404.html"}  # 404.html: made when the address is known


def content_pages(html_dir: Path) -> list[Path]:
    """The built pages of the book's content."""
    pages = [p for p in sorted(html_dir.rglob("*.html")) if p.name not in NOT_CONTENT
             and "_static" not in p.parts]
    assert pages
    return pages


def book_conf() -> dict:
    """The names conf.py defines."""
    return runpy.run_path(str(ROOT / "conf.py"))


@pytest.fixture
def overlay(make_app, rootdir, tmp_path):
    """Build a copy of a test root with defects applied beside the test that asserts on them:
    ``overlay("meaning", {"chapters/one.md": ("right words", "wrong words")})``; a string instead of
    a pair is a file's whole new text, None deletes the file. A replacement whose old text is
    absent fails the test, so an overlay cannot silently stop applying."""
    def build(root: str, edits: dict | None = None, buildername: str = "html"):
        src = tmp_path / root
        if not src.exists():
            shutil.copytree(rootdir / f"test-{root}", src)
        for rel, change in (edits or {}).items():
            path = src / rel
            if change is None:
                path.unlink()
            elif isinstance(change, tuple):
                old, new = change
                text = path.read_text(encoding="utf-8")
                assert old in text, f"overlay: {old!r} is not in {rel}"
                path.write_text(text.replace(old, new), encoding="utf-8")
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(change, encoding="utf-8")
        app = make_app(buildername, srcdir=src)
        app.build()
        return app

    return build
