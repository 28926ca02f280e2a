"""Builds that survive faults: a read-only source tree with the output elsewhere, two builds of
the same folder at the same time, a build interrupted half-way, and bad input (a non-UTF-8
archived text, malformed data files, raw HTML) that must give a located warning, never a
traceback. Each ends in a correct book or a clear message, never a partial book that looks whole."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import copy_book, sphinx_build


def snapshot(tree: Path) -> dict[str, str]:
    """Every file of a tree with its digest (Python's own byte-code caches aside)."""
    return {p.relative_to(tree).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(tree.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def search_entries(html: Path) -> dict:
    text = (html / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[len("Search.setIndex("):-1])["indexentries"]


def test_read_only_source_tree_builds_elsewhere(tmp_path):
    """The charts were written into the source tree: a read-only checkout (or one shared by
    several builds) ended in a Sphinx traceback. Now the build writes only under its own folders."""
    book = copy_book(tmp_path / "book")
    before = snapshot(book)
    modes = {p: p.stat().st_mode for p in [book, *book.rglob("*")]}
    for path in modes:
        path.chmod(modes[path] & ~0o222)
    try:
        out = tmp_path / "elsewhere" / "html"
        result = sphinx_build(book, "html", out, "-d", str(tmp_path / "elsewhere" / "doctrees"))
    finally:
        for path, mode in modes.items():
            path.chmod(mode)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(book) == before, "the build wrote into the source tree"
    charts = sorted(p.name for p in (out / "_images").glob("*.svg"))
    assert [c.split("-")[0] for c in charts] == ["figures", "timeline"], charts
    page = (out / "chapters" / "human-cost.html").read_text(encoding="utf-8")
    assert all(f"../_images/{c}" in page for c in charts if c.startswith("figures")), "the chart is not on its page"
    assert not (out / "BUILD-INCOMPLETE.txt").exists()


def _start(book: Path, out: Path, doctrees: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sphinx", "-b", "html", "-W", "-n", "--keep-going",
                             str(book), str(out), "-d", str(doctrees)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_builds_of_one_folder_at_once_take_turns(tmp_path):
    book = copy_book(tmp_path / "book")
    out, doctrees = tmp_path / "html", tmp_path / "doctrees"
    first = _start(book, out, doctrees)
    time.sleep(1.5)
    second = _start(book, out, doctrees)
    (out1, err1), (out2, err2) = first.communicate(timeout=600), second.communicate(timeout=600)
    assert first.returncode == 0 and second.returncode == 0, err1 + err2
    assert "waiting for it to finish" in out1 + out2, "the second build did not wait for the first"
    assert not (out / "BUILD-INCOMPLETE.txt").exists()
    assert "batken region" in search_entries(out)


def test_interrupted_build_is_redone_whole(tmp_path):
    """Interrupted while writing pages, a build left a search index that the next builds never
    completed (the glossary's entries lost for good) and pages that looked whole."""
    book = copy_book(tmp_path / "book")
    out, doctrees = tmp_path / "html", tmp_path / "doctrees"
    full = sphinx_build(book, "html", out, "-d", str(doctrees))
    assert full.returncode == 0, full.stderr
    want = search_entries(out)
    (book / "chapters" / "glossary.md").touch()  # a change, so that the next build writes pages
    build = subprocess.Popen([sys.executable, "-m", "sphinx", "-b", "html", "-W", "-n", "--keep-going", "-E",
                              str(book), str(out), "-d", str(doctrees)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    for line in build.stdout:
        if line.startswith("writing output... ["):
            build.send_signal(signal.SIGINT)
            break
    build.communicate(timeout=120)
    assert build.returncode != 0
    assert (out / "BUILD-INCOMPLETE.txt").is_file(), "the interrupted build's folder looks whole"
    for _ in range(2):
        again = sphinx_build(book, "html", out, "-d", str(doctrees))
        assert again.returncode == 0, again.stderr
        assert search_entries(out) == want, "the search index lost entries after an interrupted build"
    assert not (out / "BUILD-INCOMPLETE.txt").exists()


def test_every_make_target_keeps_doctrees_outside_the_published_folders(tmp_path):
    """Doctrees landed in _build/html/.doctrees (half the output, with the build machine's
    absolute paths), which publishing _build/html as the README suggests leaked."""
    import re
    import shutil

    from conftest import ROOT

    shutil.copy2(ROOT / "Makefile", tmp_path / "Makefile")
    venv = Path(sys.prefix)
    builddir = tmp_path / "build"
    for target in ("html", "epub", "pdf", "linkcheck", "livehtml"):
        result = subprocess.run(["make", "-n", "-o", str(venv / ".installed"), f"VENV={venv}",
                                 f"BUILDDIR={builddir}", target], cwd=tmp_path, capture_output=True, text=True)
        calls = [line for line in result.stdout.splitlines() if re.search(r"-m sphinx(_autobuild)?\b", line)]
        assert calls, f"make {target} runs no Sphinx build:\n{result.stdout}{result.stderr}"
        for call in calls:
            assert f"-d {builddir}/doctrees" in call, f"make {target} keeps doctrees in its output: {call}"
