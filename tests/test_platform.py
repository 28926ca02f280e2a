"""The two commands on the README's platform: an older Python stops `make` at once with one plain
sentence, and no half-made virtual environment is ever left in place."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

from conftest import ROOT, copy_book, sphinx_build

sys.path.insert(0, str(ROOT / "tools"))
import require_python  # noqa: E402


def test_older_python_gets_one_sentence_naming_what_to_install():
    for version in ((3, 9, 18), (3, 10, 13)):
        message = require_python.problem(version)
        assert message and "3.11" in message and "apt-get install python3" in message, message
        assert message.count(". ") <= 1 and "\n" not in message, message


def test_supported_python_passes():
    assert require_python.problem((3, 11, 2)) is None  # Debian 12's own python3
    assert require_python.problem() is None


# What a calling make hands down to the makes it runs (`make check VENV=/some/venv` puts VENV in
# MAKEFLAGS): a test's make of its own copy must not build, or replace, the caller's venv.
MAKE_ENV = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "VENV", "MAKEOVERRIDES")


def make(*args, cwd, **options) -> subprocess.CompletedProcess:
    """`make` in a copy of the book, with none of the calling make's settings."""
    env = {name: value for name, value in os.environ.items() if name not in MAKE_ENV}
    return subprocess.run(["make", *args], cwd=cwd, env=env, capture_output=True, text=True, **options)


def _makefile_copy(tmp_path):
    for name in ("Makefile", "requirements.txt"):
        shutil.copy2(ROOT / name, tmp_path / name)
    (tmp_path / "tools").mkdir()
    shutil.copy2(ROOT / "tools" / "require_python.py", tmp_path / "tools")
    return tmp_path


def test_failed_first_run_leaves_no_venv(tmp_path):
    book = _makefile_copy(tmp_path)
    old = tmp_path / "python-3.10"
    old.write_text(f"#!/bin/sh\nexec {sys.executable} -c 'import sys; sys.path.insert(0, \"tools\"); "
                   "import require_python as r; m = r.problem((3, 10, 13)); "
                   "sys.stderr.write(\"make: \" + m + \"\\n\"); sys.exit(2)' \"$@\"\n")
    old.chmod(0o755)
    result = make("-s", "venv", f"PYTHON={old}", cwd=book, timeout=60)
    assert result.returncode != 0
    assert "needs Python 3.11 or newer" in result.stderr, result.stderr
    assert not list(book.glob(".venv*")), "a failed first run left a virtual environment behind"


def test_interrupted_install_leaves_no_half_made_venv(tmp_path):
    """pip fails half-way (here: a requirement that cannot be had): .venv is not created, so the
    next run starts afresh instead of failing on a broken environment."""
    book = _makefile_copy(tmp_path)
    (book / "requirements.txt").write_text("briefing-no-such-package==0.0.0\n", encoding="utf-8")
    result = make("-s", "venv", f"PYTHON={sys.executable}", cwd=book, timeout=300)
    assert result.returncode != 0, result.stdout
    assert not (book / ".venv").exists(), "a failed install left .venv in place"


def test_markdown_elsewhere_in_the_checkout_is_not_read(tmp_path):
    """CI keeps a second virtual environment in the checkout; the Markdown files that packages ship
    there (and any stray notes) are not pages of the book."""
    book = copy_book(tmp_path / "book")
    for stray in (".venv-floor/lib/python3.11/site-packages/pkg/README.md", "notes/draft.md"):
        (book / stray).parent.mkdir(parents=True)
        (book / stray).write_text("# Not the book's\n\nA page nothing links to.\n", encoding="utf-8")
    out = tmp_path / "html"
    result = sphinx_build(book, "html", out, "-d", str(tmp_path / "doctrees"))
    assert result.returncode == 0, result.stderr
    assert not (out / "notes").exists() and not list(out.glob(".venv*")), "a stray Markdown file became a page"


def test_the_venvs_own_scripts_run_after_the_move(tmp_path):
    """The venv is built aside and moved; the scripts inside it (pip, activate) name the venv,
    not the folder it was built in."""
    book = _makefile_copy(tmp_path)
    (book / "requirements.txt").write_text("", encoding="utf-8")
    made = make("-s", "venv", f"PYTHON={sys.executable}", cwd=book, timeout=300)
    assert made.returncode == 0, made.stderr
    pip = subprocess.run([str(book / ".venv" / "bin" / "pip"), "--version"], capture_output=True, text=True)
    assert pip.returncode == 0, pip.stderr
    assert ".partial." not in (book / ".venv" / "bin" / "activate").read_text(encoding="utf-8")


def test_a_callers_make_settings_do_not_reach_the_tests_makes(tmp_path, monkeypatch):
    """`make check VENV=/some/venv` handed VENV down (MAKEFLAGS) to the tests' own `make venv`,
    which rebuilt /some/venv empty."""
    theirs = tmp_path / "their-venv"
    theirs.mkdir()
    (theirs / "keep").write_text("the caller's\n", encoding="utf-8")
    monkeypatch.setenv("MAKEFLAGS", f"VENV={theirs}")
    monkeypatch.setenv("MAKELEVEL", "1")
    monkeypatch.setenv("VENV", str(theirs))
    book = tmp_path / "book"
    book.mkdir()
    _makefile_copy(book)
    (book / "requirements.txt").write_text("", encoding="utf-8")
    made = make("-s", "venv", f"PYTHON={sys.executable}", cwd=book, timeout=300)
    assert made.returncode == 0, made.stderr
    assert (book / ".venv" / ".installed").is_file()
    assert sorted(p.name for p in theirs.iterdir()) == ["keep"], "a test's make touched the caller's venv"


def test_a_second_first_make_waits_for_the_venv_and_keeps_it(tmp_path):
    """Two first `make html` in a fresh clone: the second deleted the first's venv under its
    running build."""
    book = tmp_path / "book"
    book.mkdir()
    _makefile_copy(book)
    (book / "requirements.txt").write_text("", encoding="utf-8")
    env = {name: value for name, value in os.environ.items() if name not in MAKE_ENV}
    # The first make's pip is slowed down: the second starts while it installs.
    slow = tmp_path / "bin"
    slow.mkdir()
    (slow / "python3").write_text(f"#!/bin/sh\ncase \"$*\" in *venv*) sleep 3;; esac\nexec {sys.executable} \"$@\"\n")
    (slow / "python3").chmod(0o755)
    first = subprocess.Popen(["make", "-s", "venv", f"PYTHON={slow / 'python3'}"], cwd=book, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1)
    second = subprocess.run(["make", "-s", "venv", f"PYTHON={sys.executable}"], cwd=book, env=env,
                            capture_output=True, text=True, timeout=300)
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0 and second.returncode == 0, err + second.stderr
    assert "waiting for it to finish" in second.stdout, second.stdout
    assert "-m venv" not in second.stdout, "the second make built the venv again"
    assert (book / ".venv" / ".installed").is_file() and not list(book.glob(".venv.partial.*"))
