"""Start-up imports nothing the build will not use: setting up every extension of the book loads
no plotting library (charts import matplotlib only when one must be drawn), and a rebuild imports
no module that plain Sphinx does not, but the book's own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bench import PLAIN_CONF
from conftest import ROOT

SETUP = """
import sys
from sphinx.application import Sphinx
Sphinx({root!r}, {root!r}, {out!r}, {out!r} + "/doctrees", "html", status=None, warning=None)
heavy = [name for name in ("matplotlib", "numpy", "sphinxext.opengraph") if name in sys.modules]
print(",".join(heavy) or "none")
"""


def test_setting_up_the_book_imports_no_plotting_library(tmp_path):
    result = subprocess.run([sys.executable, "-c", SETUP.format(root=str(ROOT), out=str(tmp_path))],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "none", f"imported at start-up: {result.stdout.strip()}"


LOOKUPS = """
import sys
import pybtex.plugin, sphinxcontrib.bibtex.plugin
from sphinx.application import Sphinx
app = Sphinx({root!r}, {root!r}, {out!r}, {out!r} + "/doctrees", "html", status=None, warning=None)
looked_up, read = [], pybtex.plugin.entry_points
def reading(**where):
    looked_up.append(where)
    return read(**where)
pybtex.plugin.entry_points = sphinxcontrib.bibtex.plugin._entry_points = reading
app.build()
print(looked_up)
"""


def test_a_build_finds_its_citation_plugins_without_reading_package_metadata(tmp_path):
    """Each pybtex or sphinxcontrib-bibtex plugin lookup that is not registered at run time reads
    every installed package's metadata: the book registers the ones it uses (briefing_bibstyle)."""
    result = subprocess.run([sys.executable, "-c", LOOKUPS.format(root=str(ROOT), out=str(tmp_path))],
                            capture_output=True, text=True, timeout=300,
                            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", (
        f"looked up in package metadata during the build: {result.stdout.strip()} — add them to "
        "LOOKED_UP in tools/extensions/briefing_bibstyle.py")


# The top-level packages a build has imported, and Sphinx's own modules by their first three
# parts ("sphinx.builders.epub3"; the book's citation style's own modules are sphinxcontrib-bibtex's).
MODULES = """
import json, sys
from sphinx.application import Sphinx
app = Sphinx({root!r}, {conf!r}, {out!r}, {out!r} + "/doctrees", "html", status=None, warning=None)
app.build()
print(json.dumps(sorted({{".".join(m.split(".")[:3]) if m.startswith(("sphinx.", "sphinxcontrib.")) else m.split(".")[0]
                         for m in sys.modules}})))
"""


def rebuild_modules(root: Path, conf: Path, out: Path) -> set[str]:
    """The modules imported by a second build of ``root`` into ``out``, in a new Python."""
    for _ in range(2):
        result = subprocess.run([sys.executable, "-c", MODULES.format(root=str(root), conf=str(conf), out=str(out))],
                                capture_output=True, text=True, timeout=300,
                                env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
        assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def test_an_html_rebuild_imports_nothing_plain_sphinx_does_not(tmp_path):
    """A rebuild imports only what plain Sphinx with the same theme and third-party extensions
    imports (the benchmark's plain build), and the book's own modules: no plotting library, no
    web client of its own. requests, Sphinx's EPUB builder and soupsieve are in both: Sphinx
    loads every built-in builder (the linkcheck builder imports requests) and furo imports
    BeautifulSoup, which imports soupsieve."""
    confdir = tmp_path / "plain-conf"
    confdir.mkdir()
    (confdir / "conf.py").write_text(PLAIN_CONF.format(conf=str(ROOT / "conf.py")), encoding="utf-8")
    book = rebuild_modules(ROOT, ROOT, tmp_path / "book")
    plain = rebuild_modules(ROOT, confdir, tmp_path / "plain")
    own = {name for name in book if name == "briefing" or name.startswith("briefing_")}
    assert book - plain - own == set(), f"imported by a rebuild of the book only: {sorted(book - plain - own)}"
    assert {"requests", "soupsieve", "sphinx.builders.epub3"} <= plain, "Sphinx and furo no longer import these"
