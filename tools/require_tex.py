"""Stop `make pdf` at once, with the install line, when the TeX tools it needs are missing.

Without this, Sphinx writes the LaTeX sources and only then fails deep inside latexmk.
"""

from __future__ import annotations

import shutil
import sys

# The PDF is built with XeLaTeX (conf.py: latex_engine) driven by latexmk.
TOOLS = ("xelatex", "latexmk")
INSTALL = ("apt-get install -y latexmk texlive-latex-recommended texlive-latex-extra "
           "texlive-fonts-recommended tex-gyre texlive-xetex fonts-freefont-otf")
EXIT_MISSING = 2


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def main() -> int:
    missing = missing_tools()
    if missing:
        print(f"make pdf: {', '.join(missing)} not found on PATH; the PDF needs TeX. "
              f"On Debian or Ubuntu install it with:\n  {INSTALL}", file=sys.stderr)
        return EXIT_MISSING
    return 0


if __name__ == "__main__":
    sys.exit(main())
