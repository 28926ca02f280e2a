"""Builds that survive faults: a read-only source tree with the output elsewhere, two builds of
the same folder at the same time, a build interrupted half-way, and bad input (a non-UTF-8
archived text, malformed data files, raw HTML) that must give a located warning, never a
traceback. Each ends in a correct book or a clear message, never a partial book that looks whole."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import copy_book, only_warning, sphinx_build, warnings_of
from sphinxbuild import sphinx_command


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
    assert {"figures", "timeline"} <= {c.split("-")[0] for c in charts}, charts
    page = (out / "chapters" / "human-cost.html").read_text(encoding="utf-8")
    assert all(f"../_images/{c}" in page for c in charts if c.startswith("figures")), "the chart is not on its page"
    assert not (out / "BUILD-INCOMPLETE.txt").exists()


def _start(book: Path, out: Path, doctrees: Path) -> subprocess.Popen:
    return subprocess.Popen(sphinx_command(book, out, "html", "-d", str(doctrees), quiet=False),
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


# Ctrl-C as the build writes its first page, when the environment asks for it: the same conf.py
# for every build of the test (a changed conf.py would make Sphinx read everything again anyway),
# and an interruption that never comes too late for a fast build.
INTERRUPT_WHILE_WRITING = """
if os.environ.get("TEST_INTERRUPT_WHILE_WRITING"):
    def setup(app):
        import signal
        # Whatever disposition the build inherited (a job started without job control ignores
        # SIGINT), Ctrl-C interrupts it as at a terminal.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        app.connect("html-page-context", lambda *args: os.kill(os.getpid(), signal.SIGINT))
"""


def test_interrupted_build_is_redone_whole(tmp_path):
    """Interrupted while writing pages, a build left a search index that the next builds never
    completed (the glossary's entries lost for good) and pages that looked whole."""
    book = copy_book(tmp_path / "book")
    conf = book / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + INTERRUPT_WHILE_WRITING, encoding="utf-8")
    out, doctrees = tmp_path / "html", tmp_path / "doctrees"
    full = sphinx_build(book, "html", out, "-d", str(doctrees))
    assert full.returncode == 0, full.stderr
    want = search_entries(out)
    (book / "chapters" / "glossary.md").touch()  # a change, so that the next build writes pages
    build = subprocess.run(sphinx_command(book, out, "html", "-E", "-d", str(doctrees), quiet=False),
                           capture_output=True, text=True, timeout=300,
                           env=dict(os.environ, TEST_INTERRUPT_WHILE_WRITING="1"))
    assert build.returncode != 0 and "writing output... [" in build.stdout, build.stdout[-2000:]
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
        env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "VENV")}
        result = subprocess.run(["make", "-n", "-o", str(venv / ".installed"), f"VENV={venv}",
                                 f"BUILDDIR={builddir}", target], cwd=tmp_path, capture_output=True, text=True, env=env)
        calls = [line for line in result.stdout.splitlines() if re.search(r"-m sphinx(_autobuild)?\b", line)]
        assert calls, f"make {target} runs no Sphinx build:\n{result.stdout}{result.stderr}"
        for call in calls:
            assert f"-d {builddir}/doctrees" in call, f"make {target} keeps doctrees in its output: {call}"


# --- bad input: a located warning that says what to do, never a traceback --------------------

def test_malformed_data_files_give_located_errors(tmp_path):
    from briefing.datafiles import read_dataset, read_rows
    from conftest import ROOT

    timeline = read_dataset(ROOT, "timeline")
    header = ",".join(timeline.columns) + "\n"
    good = "2022-09-14,14 September 2022,Fighting,src,p\n"
    cases = {
        "latin1.csv": ((header + good).encode() + "2022-09-15,15 September 2022,Caf\xe9,src,p\n".encode("latin-1"),
                       "data/latin1.csv:3", "not UTF-8"),
        "bom.csv": (b"\xef\xbb\xbf" + (header + good).encode(), "data/bom.csv:1", "byte-order mark"),
        "nul.csv": ((header + "2022-09-14,14 September 2022,Fig\x00hting,src,p\n").encode(), "data/nul.csv:2",
                    "U+0000"),
        "month13.csv": ((header + "2022-13-45,14 September 2022,Fighting,src,p\n").encode(), "data/month13.csv:2",
                        "YYYY-MM-DD"),
        "quote.csv": ((header + good + '2022-09-15,"15 September 2022,Fighting,src,p\n').encode(),
                      "data/quote.csv:", ""),
    }
    (tmp_path / "data").mkdir()
    for name, (content, where, what) in cases.items():
        (tmp_path / "data" / name).write_bytes(content)
        rows, errors = read_rows(tmp_path, f"data/{name}", timeline)
        assert errors, f"{name}: no error"
        assert errors[0].location.startswith(where), (name, errors[0].location)
        assert what in errors[0].message and ";" in errors[0].message, (name, errors[0].message)
    rows, errors = read_rows(tmp_path, "data/month13.csv", timeline)
    assert rows == []


def test_non_utf8_registry_gives_its_line(tmp_path):
    from briefing.archive import RegistryError, load_registry

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "sources.toml").write_bytes(b"# registry\n[a]\nshort = \"Caf\xe9\"\n")
    try:
        load_registry(tmp_path)
    except RegistryError as err:
        assert err.location == "data/sources.toml:3" and "UTF-8" in err.message
    else:
        raise AssertionError("a non-UTF-8 registry was read")


def test_bad_input_to_the_book_gives_located_warnings_not_tracebacks(tmp_path):
    """A non-UTF-8 archived text (its hash recorded), a data row with an impossible date and
    malformed raw HTML in a chapter: each ended in a Sphinx traceback or passed unnoticed."""
    import re

    book = copy_book(tmp_path / "book")
    text = book / "sources" / "text" / "inozpress2022events.txt"
    old_hash = hashlib.sha256(text.read_bytes()).hexdigest()
    data = text.read_bytes()
    lines = data.split(b"\n")
    third = lines[2].decode()
    lines[2] = third.encode("latin-1", errors="replace") + b" caf\xe9"
    bad = b"\n".join(lines)
    text.write_bytes(bad)
    registry = book / "data" / "sources.toml"
    registry.write_text(registry.read_text(encoding="utf-8").replace(old_hash, hashlib.sha256(bad).hexdigest()),
                        encoding="utf-8")
    figures = book / "data" / "figures.csv"
    rows = figures.read_text(encoding="utf-8").splitlines(keepends=True)
    rows[1] = rows[1].replace(",,not stated", ",2022-13-45,not stated", 1)
    figures.write_text("".join(rows), encoding="utf-8")
    chapter = book / "chapters" / "csto.md"
    chapter.write_text(chapter.read_text(encoding="utf-8") + "\n<div><p>Unclosed <b>&bogus; <\n", encoding="utf-8")
    result = sphinx_build(book, "html", tmp_path / "html", "-d", str(tmp_path / "doctrees"))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr and "Exception occurred" not in result.stderr, result.stderr[-3000:]
    line = 3  # the line made undecodable
    assert re.search(rf"sources/text/inozpress2022events\.txt:{line}: WARNING: .*not UTF-8.*archive the outlet's text as UTF-8",
                     result.stderr), result.stderr[-3000:]
    assert re.search(r"data/figures\.csv:2: WARNING: as_of must be YYYY-MM-DD \(a day that exists\), not '2022-13-45'; correct it",
                     result.stderr), result.stderr[-3000:]


def test_removing_a_chapter_rewrites_the_cited_by_lists_that_named_it(tmp_path):
    book = copy_book(tmp_path / "book")
    index = book / "index.md"
    index.write_text(index.read_text(encoding="utf-8").replace("chapters/glossary\n", "chapters/glossary\nchapters/extra\n"),
                     encoding="utf-8")
    (book / "chapters" / "extra.md").write_text(
        "# An extra chapter\n\nKyrgyzstan is a member of the CSTO {cite:p}`interfax2022withdrawal{¶3}`.\n",
        encoding="utf-8")
    out, doctrees = tmp_path / "html", tmp_path / "doctrees"
    first = sphinx_build(book, "html", out, "-d", str(doctrees))
    assert first.returncode == 0, first.stderr
    page = out / "sources" / "interfax2022withdrawal.html"
    assert "An extra chapter" in page.read_text(encoding="utf-8"), "the test chapter is not in the Cited by list"

    (book / "chapters" / "extra.md").unlink()
    index.write_text(index.read_text(encoding="utf-8").replace("chapters/extra\n", ""), encoding="utf-8")
    second = sphinx_build(book, "html", out, "-d", str(doctrees))
    assert second.returncode == 0, second.stderr
    html = page.read_text(encoding="utf-8")
    assert "An extra chapter" not in html and "extra.html" not in html, "the Cited by list still names the removed chapter"
    assert not (out / "chapters" / "extra.html").exists(), "the removed chapter's page is left in the folder"


@pytest.mark.sphinx("html", testroot="claims-clean")
def test_a_whole_file_defect_names_the_file_not_a_page(app):
    """Sphinx reads a location without a line as a document name ("references.bib.md"): a defect
    of a whole file is warned with the file's path leading the message instead."""
    from briefing.errors import Problem
    from briefing_sources import warn

    from conftest import warnings_of

    assert Problem("data/figures.csv", None, "the file is empty").for_sphinx() == \
        ("data/figures.csv: the file is empty", None)
    assert Problem("data/figures.csv", 3, "bad row").for_sphinx() == ("bad row", "data/figures.csv:3")
    warn("the file is empty", "references.bib", "bibliography")
    warn("bad row", "data/sources.toml:4", "registry")
    found = warnings_of(app)
    assert any("WARNING: references.bib: the file is empty" in line for line in found), found
    assert any(line.startswith("data/sources.toml:4: WARNING: bad row") for line in found), found
    assert not any(".bib.md" in line for line in found), found


# --- faults that heal, on a tiny book ----------------------------------------------------------

def _tiny(tmp_path: Path) -> Path:
    """A copy of the one-source test book, with the build-folder guard."""
    import shutil

    from conftest import ROOT
    book = tmp_path / "tiny"
    shutil.copytree(ROOT / "tests" / "roots" / "test-pinpoint", book)
    with (book / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('\nextensions = extensions + ["briefing_builddir"]\n')
    return book


def _build_tiny(book: Path, out: Path) -> subprocess.CompletedProcess:
    from conftest import ROOT
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(ROOT / p) for p in ("tools", "tools/extensions",
                                                                                 "tests/roots"))}
    return sphinx_build(book, "html", out, "-d", str(out.parent / "doctrees"), env=env)


def test_an_empty_or_garbled_buildinfo_is_rebuilt_not_a_crash(tmp_path):
    """A full disk left .buildinfo empty, and every later build crashed (IndexError) until the
    file was deleted by hand."""
    book, out = _tiny(tmp_path), tmp_path / "html"
    assert _build_tiny(book, out).returncode == 0
    want = snapshot(out)
    for broken in ("", "# Sphinx build info version 1\n", "garbage\x00\n"):
        (out / ".buildinfo").write_text(broken, encoding="utf-8")
        again = _build_tiny(book, out)
        assert again.returncode == 0 and "Traceback" not in again.stderr, again.stderr
        assert snapshot(out) == want


def test_a_build_that_fails_its_checks_leaves_the_folder_marked(tmp_path):
    """Under -W a failed build's pages were written and its folder looked publishable."""
    book, out = _tiny(tmp_path), tmp_path / "html"
    assert _build_tiny(book, out).returncode == 0
    chapter = book / "chapters" / "one.md"
    good = chapter.read_text(encoding="utf-8")
    chapter.write_text(good.replace("59 people dead", "58 people dead"), encoding="utf-8")
    failed = _build_tiny(book, out)
    assert failed.returncode == 1 and "'58'" in failed.stderr, failed.stderr
    marker = (out / "BUILD-INCOMPLETE.txt").read_text(encoding="utf-8")
    assert "failed its checks" in marker and "Do not publish" in marker
    chapter.write_text(good, encoding="utf-8")
    fixed = _build_tiny(book, out)
    assert fixed.returncode == 0, fixed.stderr
    assert not (out / "BUILD-INCOMPLETE.txt").exists()


@pytest.mark.parametrize("defect", ["syntax", "duplicate"])
def test_a_bibliography_that_cannot_be_read_ends_with_its_located_message(tmp_path, defect):
    """A syntax error or a repeated key was located, then followed by Sphinx's crash report asking
    for a bug report to Sphinx."""
    book = _tiny(tmp_path)
    bib = book / "references.bib"
    entry = bib.read_text(encoding="utf-8")
    bib.write_text(entry + ("\n@misc{other,\n  title = {Unclosed,\n" if defect == "syntax" else "\n" + entry),
                   encoding="utf-8")
    result = _build_tiny(book, tmp_path / "html")
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    expected = r"references.bib:1\d: BibTeX syntax error" if defect == "syntax" else \
        r"references.bib:10: entry key 'gamma2022' is used twice \(first at references.bib:1\)"
    assert __import__("re").match(expected, last), result.stderr
    for crash in ("Traceback", "report this error", "sphinx-doc/sphinx", "Malformed"):
        assert crash not in result.stderr


def test_a_link_in_a_bibliography_field_to_anything_but_the_web_or_mail_is_refused(tmp_path):
    """\\url{javascript:…} in a note became a live link in the HTML and the PDF."""
    book, out = _tiny(tmp_path), tmp_path / "html"
    bib = book / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace(
        "  day          = {22},\n", "  day          = {22},\n  note         = {See \\url{javascript:alert(7)} and "
        "\\url{https://gamma.example.org/} or \\href{mailto:desk@gamma.example.org}{the desk}},\n"), encoding="utf-8")
    result = _build_tiny(book, out)
    assert result.returncode == 1
    refused = [line for line in result.stderr.splitlines() if "may be links" in line]
    assert len(refused) == 1 and refused[0].startswith("references.bib:7: WARNING: entry 'gamma2022' links to "
                                                       "'javascript:alert(7)'"), result.stderr
    assert (out / "BUILD-INCOMPLETE.txt").is_file(), "the folder with the live link looks publishable"


BETA_TABLE = """[beta2022]
text = "sources/text/beta2022.txt"
sha256 = "0eba6a956239183689ca8bece7da8e8eaf76e4721a55cacd97f58c3939481995"
page = "sources/beta2022"
published = "2022-09-20"
date_basis = "Printed with the article."
url_basis = "Known from the page itself."
short = "beta2022"
"""


@pytest.mark.parametrize("root", ["claims-clean", "charts"])  # citations and source pages; data rows and charts
@pytest.mark.parametrize("defect, edits, location, fragment", [
    ("malformed TOML", {"data/sources.toml": ('page = "sources/alpha2022"', 'page = "sources/alpha2022" "')},
     "data/sources.toml:4:", "not valid TOML"),
    # [[beta2022.voices]] left behind when [beta2022] is removed: located at the voices, not line 1.
    ("orphaned voices", {"data/sources.toml": (BETA_TABLE, '\n[[beta2022.voices]]\nparagraphs = "1"\n'
                                                           'speaker = "ministry"\nrole = "relayed"\n')},
     "data/sources.toml:11:", "voices of 'beta2022', but no source [beta2022]"),
    ("a missing archived text", {"sources/text/beta2022.txt": None},
     "data/sources.toml:10:", "sources/text/beta2022.txt of source 'beta2022' is missing"),
])
def test_one_registry_defect_gives_one_located_message(overlay, root, defect, edits, location, fragment):
    """A defect of the registry is reported once, at its own line; the rules that rest on what it
    could not give (every citation of the book, the data rows, the charts, the source pages, the
    bibliography) are silent, instead of reporting each block that cites a source as unchecked."""
    assert not warnings_of(overlay(root)), "the root is clean before its defect"
    app = overlay(root, edits)
    message = only_warning(app, location, fragment)
    assert "Traceback" not in app.status.getvalue() + app.warning.getvalue(), defect
    assert message
