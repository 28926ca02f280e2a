r"""Stop `make pdf` at once, with the install line, when the TeX tools or the fonts it needs are
missing.

Without this, Sphinx writes the LaTeX sources and only then fails deep inside latexmk, or (a font
conf.py names not installed) XeLaTeX stops at its interactive `?` prompt. The fonts are those of
conf.py's ``\setmainfont``/``\setsansfont``/``\setmonofont`` lines, each looked up as the files
its options name (``Extension=.otf, UprightFont=*, ItalicFont=*Italic`` …) among the files
fontconfig knows (``fc-list``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

# The PDF is built with XeLaTeX (conf.py: latex_engine) driven by latexmk.
TOOLS = ("xelatex", "latexmk")
# The one list of the Debian packages the PDF needs: the README's and .ci/run's install lines hold
# them too, and tests/test_pdf.py checks that they do.
PACKAGES = ("latexmk", "texlive-latex-recommended", "texlive-latex-extra", "texlive-fonts-recommended",
            "tex-gyre", "texlive-xetex", "fonts-freefont-otf")
INSTALL = "apt-get install -y " + " ".join(PACKAGES)
EXIT_MISSING = 2
CONF = Path(__file__).resolve().parents[1] / "conf.py"
# The Debian package of each font family conf.py may name.
FONT_PACKAGES = {"Free": "fonts-freefont-otf", "TeX Gyre": "tex-gyre", "texgyre": "tex-gyre",
                 "DejaVu": "fonts-dejavu-core", "Noto": "fonts-noto-core"}
SETFONT = re.compile(r"\\set(?:main|sans|mono)font\{([^}]+)\}(?:\[([^\]]*)\])?")


def missing_tools() -> list[str]:
    return [tool for tool in TOOLS if shutil.which(tool) is None]


def font_files(conf_text: str) -> list[str]:
    """The font files the \\set…font lines of conf.py load (by file name when an Extension is
    given, as fontspec then does), or the family names when none is."""
    wanted = []
    for name, options in SETFONT.findall(conf_text):
        opts = dict(part.split("=", 1) for part in (o.strip() for o in options.split(",")) if "=" in part)
        extension = opts.get("Extension", "").strip()
        if not extension:
            wanted.append(name.strip())
            continue
        shapes = [opts.get(k, "*" if k == "UprightFont" else "") for k in
                  ("UprightFont", "ItalicFont", "BoldFont", "BoldItalicFont")]
        wanted += [shape.strip().replace("*", name.strip()) + extension for shape in shapes if shape.strip()]
    return list(dict.fromkeys(wanted))


def installed_fonts() -> set[str] | None:
    """File names and family names fontconfig knows, or None without fc-list."""
    if shutil.which("fc-list") is None:
        return None
    listing = subprocess.run(["fc-list", ":", "file", "family"], capture_output=True, text=True).stdout
    known = set()
    for line in listing.splitlines():
        path, _, families = line.partition(":")
        known.add(Path(path.strip()).name)
        known.update(f.strip() for f in families.split(","))
    return known


def package_for(font: str) -> str:
    return next((pkg for prefix, pkg in FONT_PACKAGES.items() if font.startswith(prefix)),
                "the package that provides it")


def missing_fonts(conf_text: str, known: set[str]) -> list[str]:
    return [font for font in font_files(conf_text) if font not in known]


def main() -> int:
    missing = missing_tools()
    if missing:
        print(f"make pdf: {', '.join(missing)} not found on PATH; the PDF needs TeX. "
              f"On Debian or Ubuntu install it with:\n  {INSTALL}", file=sys.stderr)
        return EXIT_MISSING
    known = installed_fonts()
    if known is None:
        print("make pdf: fc-list not found, so the fonts conf.py names cannot be checked; "
              "on Debian or Ubuntu: apt-get install -y fontconfig", file=sys.stderr)
        return EXIT_MISSING
    fonts = missing_fonts(CONF.read_text(encoding="utf-8"), known)
    if fonts:
        packages = " ".join(sorted({package_for(f) for f in fonts}))
        print(f"make pdf: the font(s) {', '.join(fonts)} that conf.py names are not installed "
              f"(fc-list does not list them). On Debian or Ubuntu install them with:\n"
              f"  apt-get install -y {packages}", file=sys.stderr)
        return EXIT_MISSING
    return 0


if __name__ == "__main__":
    sys.exit(main())
