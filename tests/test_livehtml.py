"""The live preview (`make livehtml`, tools/livehtml.py): a saved chapter is rebuilt by a child
forked from the warm server process, and a failed rebuild leaves the server serving."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

from conftest import ROOT


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(condition, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _serves(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_a_saved_chapter_is_rebuilt_and_a_failed_rebuild_keeps_the_server(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(ROOT / "tests" / "roots" / "test-claims-clean", book)
    out, port = tmp_path / "html", _free_port()
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT / "tools"), str(ROOT / "tools" / "extensions"), str(ROOT / "tests" / "roots")]))
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "tools" / "livehtml.py"), "--host", "127.0.0.1", "--port", str(port),
         "-b", "html", "-d", str(tmp_path / "doctrees"), str(book), str(out)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        page = out / "chapters" / "one.html"
        assert _wait_for(lambda: _serves(f"http://127.0.0.1:{port}/chapters/one.html")), "the preview never served"
        chapter = book / "chapters" / "one.md"
        chapter.write_text(chapter.read_text(encoding="utf-8") + "\n## Livepreviewmarker\n", encoding="utf-8")
        assert _wait_for(lambda: "Livepreviewmarker" in page.read_text(encoding="utf-8")), \
            "a saved chapter was not rebuilt"
        # A build that fails (a conf.py that raises) is reported; the server goes on serving.
        conf = book / "conf.py"
        conf.write_text(conf.read_text(encoding="utf-8") + "\nraise RuntimeError('broken on purpose')\n",
                        encoding="utf-8")
        time.sleep(3)
        assert server.poll() is None, "a failed rebuild stopped the preview"
        assert _serves(f"http://127.0.0.1:{port}/chapters/one.html")
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert "Sphinx exited with exit code: 2" in output, output[-3000:]
