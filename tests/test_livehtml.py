"""The live preview (`make livehtml`, tools/livehtml.py): a saved chapter is rebuilt by a child
forked from the warm server process, and a failed rebuild leaves the server serving."""

from __future__ import annotations

import json
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


def _env() -> dict:
    """The environment a preview runs in: the book's tools and the test books' shared conf."""
    return dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT / "tools"), str(ROOT / "tools" / "extensions"), str(ROOT / "tests" / "roots")]))


def _run_warm(script: str, book, args: list[str]):
    """Run ``script`` (builds as the preview makes them) in a process of its own; its result and
    the JSON report it prints last."""
    result = subprocess.run([sys.executable, "-c", script, str(book), json.dumps(args)], env=_env(),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    return result, json.loads(result.stdout.strip().splitlines()[-1])


def test_a_saved_chapter_is_rebuilt_and_a_failed_rebuild_keeps_the_server(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(ROOT / "tests" / "roots" / "test-claims-clean", book)
    out, port = tmp_path / "html", _free_port()
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "tools" / "livehtml.py"), "--host", "127.0.0.1", "--port", str(port),
         "-b", "html", "-d", str(tmp_path / "doctrees"), str(book), str(out)],
        env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
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


# Builds as the preview makes them, in a process of their own (preloading imports into it).
WARM = """import json, sys
from pathlib import Path
from livehtml import WarmBuilds
warm = WarmBuilds(Path(sys.argv[1]))
args = json.loads(sys.argv[2])
first = warm.build(args)
learnt = "briefing_claims" in sys.modules and "sphinx.builders.html" in sys.modules
stamp = Path(sys.argv[1]) / "stamp_ext.py"
stamp.write_text(stamp.read_text().replace("first", "second"))
second = warm.build(args)
print(json.dumps({"codes": [first, second], "learnt": learnt, "stale": warm.stale}))
"""
# A book's own extension: it writes what its code says into the built book.
STAMP_EXT = """def setup(app):
    app.connect("build-finished", lambda app, exc: (app.outdir / "stamp.txt").write_text("first"))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
"""


def test_builds_learn_the_imports_and_a_changed_extension_is_not_run_stale(tmp_path):
    """The first build's imports are loaded by the warm process for the next; once the book's own
    Python code changes, the next build runs it as changed (a new Python), not the stale copy."""
    book = tmp_path / "book"
    shutil.copytree(ROOT / "tests" / "roots" / "test-claims-clean", book)
    (book / "stamp_ext.py").write_text(STAMP_EXT, encoding="utf-8")
    (book / "conf.py").write_text("import sys\nsys.path.insert(0, __import__('os').path.dirname(__file__))\n"
                                  "from rootconf import *  # noqa: F401,F403\nextensions = [*extensions, 'stamp_ext']\n",
                                  encoding="utf-8")
    out = tmp_path / "html"
    args = ["-b", "html", "-q", "-d", str(tmp_path / "doctrees"), str(book), str(out)]
    result, report = _run_warm(WARM, book, args)
    assert report["codes"] == [0, 0], result.stderr[-3000:]
    assert report["learnt"], "the warm process did not load what the first build imported"
    assert report["stale"], "a changed extension of the book was not noticed"
    assert (out / "stamp.txt").read_text() == "second", "the second build ran the extension's old code"


# The server keeps what its builds read from the data files; a file changed since is read again.
ADOPT = """import json, sys
from pathlib import Path
from briefing import filecache
from livehtml import WarmBuilds
warm = WarmBuilds(Path(sys.argv[1]))
args = json.loads(sys.argv[2])
codes = [warm.build(args)]
kept = sorted(key[0] for key in filecache.made_by(filecache.ADOPTED))
text = Path(sys.argv[1]) / "sources" / "text" / "alpha2022.txt"
original = text.read_text(encoding="utf-8")
text.write_text(original + "\\nAn added paragraph.\\n", encoding="utf-8")
codes.append(warm.build(args))
text.write_text(original, encoding="utf-8")
codes.append(warm.build(args))
print(json.dumps({"codes": codes, "kept": kept}))
"""


def test_the_server_keeps_what_builds_read_and_a_changed_source_is_read_again(tmp_path):
    """After the first build the server holds the sources it read (so later builds need not read
    them); an archived text changed after that fails the next build, and passes once restored."""
    book = tmp_path / "book"
    shutil.copytree(ROOT / "tests" / "roots" / "test-claims-clean", book)
    args = ["-b", "html", "-q", "-W", "-d", str(tmp_path / "doctrees"), str(book), str(tmp_path / "html")]
    result, report = _run_warm(ADOPT, book, args)
    assert "corpus" in report["kept"] and any(kind.startswith("bib ") for kind in report["kept"]), report
    assert report["codes"][0] == 0 and report["codes"][2] == 0, result.stderr[-3000:]
    assert report["codes"][1] != 0, "a build after an archived text changed did not see it"
    assert "no longer matches its recorded SHA-256" in result.stderr


def test_a_build_killed_outright_leaves_the_server_building(tmp_path):
    """A build that dies before it can tell the server anything (killed, out of memory) is an
    exit status, not a crash of the server."""
    book = tmp_path / "book"
    shutil.copytree(ROOT / "tests" / "roots" / "test-claims-clean", book)
    conf = book / "conf.py"
    conf.write_text(conf.read_text(encoding="utf-8") + "\nimport os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
                    encoding="utf-8")
    script = ("import sys\nfrom livehtml import build_in_child\n"
              "code, modules, read = build_in_child(['-b', 'html', '-q', sys.argv[1], sys.argv[2]])\n"
              "print(code, len(modules), len(read))\n")
    result = subprocess.run([sys.executable, "-c", script, str(book), str(tmp_path / "html")], env=_env(),
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["-9", "0", "0"], result.stdout


def test_what_does_not_pickle_is_left_to_the_next_build(tmp_path):
    """A build hands the server everything it read that pickles; an object that does not is read
    again by the next build, and costs the rest nothing."""
    import pickle

    from briefing import filecache
    from livehtml import _learnt

    filecache.remember(("test: a parse that pickles",), lambda: {"kept": 1}, lambda _: True)
    filecache.remember(("test: a parse that does not",), lambda: (lambda: 1), lambda _: True)
    told = pickle.loads(_learnt())
    assert told["read"].get(("test: a parse that pickles",)) == {"kept": 1}
    assert ("test: a parse that does not",) not in told["read"]
    assert "briefing.filecache" in told["modules"]
