"""The live preview (`make livehtml`): plain sphinx-autobuild, as CPython's docs use it. A saved
chapter is rebuilt and shown, and a failed check is shown in the page itself (a banner), not only
in the terminal; the next clean build takes the banner out."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from conftest import ROOT

BANNER = "This build failed"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _page(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def _wait_for(condition, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_make_livehtml_is_plain_sphinx_autobuild_with_the_gate_and_the_banner(tmp_path):
    shutil.copy2(ROOT / "Makefile", tmp_path / "Makefile")
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "VENV")}
    venv = Path(sys.prefix)
    result = subprocess.run(["make", "-n", "-o", str(venv / ".installed"), f"VENV={venv}", "LIVEPORT=8123",
                             "livehtml"], cwd=tmp_path, capture_output=True, text=True, env=env)
    command = next(line for line in result.stdout.splitlines() if "sphinx_autobuild" in line)
    assert re.search(r"/bin/python -m sphinx_autobuild --host 127\.0\.0\.1 --port 8123 ", command), command
    for part in ("-W", "--keep-going", "-D briefing_check_banner=1", "-b html"):
        assert part in command, command


def test_a_saved_defect_is_shown_in_the_page_and_its_fix_takes_it_out(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(ROOT / "tests" / "roots" / "test-pinpoint", book)
    with (book / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('\nextensions = extensions + ["briefing_builddir"]\n')
    chapter = book / "chapters" / "one.md"
    good = chapter.read_text(encoding="utf-8")
    port = _free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT / "tools"), str(ROOT / "tools" / "extensions"), str(ROOT / "tests" / "roots")]))
    server = subprocess.Popen(
        [sys.executable, "-m", "sphinx_autobuild", "--host", "127.0.0.1", "--port", str(port), "-b", "html",
         "-W", "-n", "--keep-going", "-D", "briefing_check_banner=1", "-d", str(tmp_path / "doctrees"), str(book),
         str(tmp_path / "html")], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/chapters/one.html"
    try:
        assert _wait_for(lambda: "59 people dead" in _page(url)), "the preview never served the chapter"
        assert BANNER not in _page(url)
        time.sleep(1)  # the watcher starts beside the server: a save at once may come before it watches
        chapter.write_text(good.replace("59 people dead", "58 people dead"), encoding="utf-8")
        assert _wait_for(lambda: "58 people dead" in (text := _page(url)) and BANNER in text), \
            "the saved chapter was not rebuilt with the banner"
        page = _page(url)
        assert "figure &#x27;58&#x27; is not in the cited source(s) gamma2022" in page
        chapter.write_text(good, encoding="utf-8")
        assert _wait_for(lambda: "59 people dead" in (text := _page(url)) and BANNER not in text), \
            "the fixed chapter still shows the banner"
    finally:
        server.terminate()
        server.wait(timeout=30)
