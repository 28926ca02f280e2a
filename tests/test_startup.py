"""Start-up imports nothing the build will not use: setting up every extension of the book loads
no plotting library (charts import matplotlib only when one must be drawn)."""

from __future__ import annotations

import os
import subprocess
import sys

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
