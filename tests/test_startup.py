"""Start-up imports nothing the build will not use: setting up every extension of the book loads
no plotting library (charts import matplotlib only when one must be drawn)."""

from __future__ import annotations

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
