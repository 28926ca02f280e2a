"""The PDF: built once with XeLaTeX, then read back with pdftotext. It has the title page, the
table of contents, every chapter and source page, the archived texts, one bibliography with every
entry, no empty chapter, no unresolved reference and no character the fonts lack.

tools/require_tex.py, which `make pdf` runs first, is tested here too: without TeX it stops at once
with the install line.
"""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from pybtex.database import parse_file

from briefing.archive import load_registry
from conftest import ROOT

REQUIRE_TEX = ROOT / "tools" / "require_tex.py"
INSTALL_LINE = ("apt-get install -y latexmk texlive-latex-recommended texlive-latex-extra "
                "texlive-fonts-recommended tex-gyre texlive-xetex fonts-freefont-otf")
# The body of an A4 page in points: pdftotext crops away the running header and the page number,
# which would otherwise interrupt a paragraph that runs over a page break.
BODY_CROP = ("-x", "0", "-y", "60", "-W", "596", "-H", "715")


def squash(text: str) -> str:
    """Letters and digits only: line breaks, hyphenation, quotes and spacing do not count."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum()).casefold()


@pytest.fixture(scope="session")
def pdf_build(tmp_path_factory) -> Path:
    """The real book built to PDF (sphinx-build -M latexpdf) once per session."""
    check = subprocess.run([sys.executable, str(REQUIRE_TEX)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    out = tmp_path_factory.mktemp("pdf")
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-M", "latexpdf", str(ROOT), str(out),
         "-W", "-n", "--keep-going", "-q"],
        capture_output=True, text=True)
    assert result.returncode == 0, f"the PDF does not build:\n{result.stdout[-3000:]}\n{result.stderr}"
    return out / "latex"


@pytest.fixture(scope="session")
def pdf_file(pdf_build) -> Path:
    """The book's PDF, named by latex_documents (the charts' PDFs sit beside it)."""
    tex_name = runpy.run_path(str(ROOT / "conf.py"))["latex_documents"][0][1]
    pdf = pdf_build / Path(tex_name).with_suffix(".pdf")
    assert pdf.is_file(), f"{pdf.name} not built"
    return pdf


def pdftotext(pdf: Path, *options: str) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *options, str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="session")
def pdf_text(pdf_file) -> str:
    return pdftotext(pdf_file)


@pytest.fixture(scope="session")
def pdf_body(pdf_file) -> str:
    """The text of every page without running headers and page numbers, and without the URL
    footnotes (latex_show_urls), which sit between the halves of a paragraph split by a page."""
    text = pdftotext(pdf_file, *BODY_CROP)
    return "\n".join(line for line in text.splitlines()
                     if not re.fullmatch(r"\s*\d+\s+\S*https?://\S*\s*", line))


def md_title(path: Path) -> str:
    match = re.search(r"^# (.+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    assert match, f"{path.relative_to(ROOT)} has no top-level heading"
    return match.group(1)


def bibliography_pages() -> set[str]:
    return {str(p.relative_to(ROOT).with_suffix("")) for p in (ROOT / "chapters").glob("*.md")
            if "```{bibliography}" in p.read_text(encoding="utf-8")}


def chapter_pages() -> list[Path]:
    """Every page of the book the PDF prints as a chapter or a source section."""
    pages = sorted((ROOT / "chapters").glob("*.md")) + sorted((ROOT / "sources").glob("*.md"))
    skip = bibliography_pages()
    return [p for p in pages if str(p.relative_to(ROOT).with_suffix("")) not in skip]


# --- require_tex.py ------------------------------------------------------------------------

def test_require_tex_stops_without_tex(tmp_path):
    """With no TeX on PATH it exits 2 at once, naming the missing tools and the install line."""
    result = subprocess.run([sys.executable, str(REQUIRE_TEX)], capture_output=True, text=True,
                            env={**os.environ, "PATH": str(tmp_path)}, timeout=30)
    assert result.returncode == 2
    assert "xelatex" in result.stderr and "latexmk" in result.stderr
    assert INSTALL_LINE in result.stderr


def test_require_tex_passes_with_tex():
    """TeX is a stated requirement of the test suite (README): missing, this fails with its install line."""
    result = subprocess.run([sys.executable, str(REQUIRE_TEX)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


# --- the PDF ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_title_page(pdf_file):
    conf = runpy.run_path(str(ROOT / "conf.py"))
    first = squash(pdftotext(pdf_file, "-f", "1", "-l", "1"))
    for field in ("project", "author", "release"):
        assert squash(conf[field]) in first, f"{field} not on the title page"


@pytest.mark.slow
def test_table_of_contents(pdf_text):
    """After the title page, a table of contents lists every chapter, every source page and the
    bibliography, before the first chapter begins."""
    contents = pdf_text[:pdf_text.index("CHAPTER")]
    assert re.search(r"^\f*CONTENTS$", contents, re.MULTILINE), "no table of contents"
    listed = squash(contents)
    missing = [md_title(p) for p in chapter_pages() if squash(md_title(p)) not in listed]
    assert not missing, f"not in the table of contents: {missing}"
    assert "bibliography" in listed


@pytest.mark.slow
def test_every_chapter_and_source_page_is_printed(pdf_text):
    text = squash(pdf_text)
    missing = [f"{p.relative_to(ROOT)}: {md_title(p)}" for p in chapter_pages()
               if squash(md_title(p)) not in text]
    assert not missing, "pages missing from the PDF:\n" + "\n".join(missing)


@pytest.mark.slow
def test_every_archived_paragraph_is_printed(pdf_body):
    """The whole archived text of every source, paragraph by paragraph."""
    text = squash(pdf_body)
    sources = load_registry(ROOT, "data/sources.toml")
    assert sources
    missing = [f"{key} ¶{n}: {para[:70]}" for key, source in sources.items()
               for n, para in enumerate(source.paragraphs(), start=1) if squash(para) not in text]
    assert not missing, "archived paragraphs missing from the PDF:\n" + "\n".join(missing)


@pytest.mark.slow
def test_one_bibliography_with_every_entry(pdf_text):
    entries = parse_file(str(ROOT / "references.bib")).entries
    assert len(entries) == 5
    headings = re.findall(r"^\s*BIBLIOGRAPHY\s*$", pdf_text, re.MULTILINE)
    assert len(headings) == 1, "expected one bibliography"
    bibliography = squash(pdf_text[pdf_text.rindex("BIBLIOGRAPHY"):])
    for key, entry in entries.items():
        title = entry.fields["title"].replace("{", "").replace("}", "")
        assert squash(title) in bibliography, f"bibliography entry {key} ({title}) not in the PDF"
        assert squash(entry.fields["url"]) in bibliography, f"URL of {key} not in the bibliography"


@pytest.mark.slow
def test_no_unresolved_reference_or_raw_markup(pdf_text):
    assert "??" not in pdf_text
    for raw in ("{cite", ":cite:", "{bibliography}", "{derived}", "{download}"):
        assert raw not in pdf_text, f"unrendered markup {raw!r} in the PDF"


@pytest.mark.slow
def test_html_only_parts_stay_out(pdf_text):
    assert "@misc{briefingbook-" not in pdf_text, "the HTML-only \"Cite this page\" block is in the PDF"


@pytest.mark.slow
def test_log_is_clean(pdf_file):
    log = pdf_file.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    assert "Missing character" not in log, "a font lacks a character the book prints"
    assert "There were undefined references" not in log
    assert "multiply defined" not in log
    assert not re.search(r"Hyper reference `[^']+' on page \d+ undefined", log)


@pytest.mark.slow
def test_no_empty_chapter(pdf_file):
    """Every \\chapter of the LaTeX source is followed by text before the next one (the page of the
    {bibliography} directive would otherwise be an empty chapter: its citations move to the end)."""
    tex = pdf_file.with_suffix(".tex").read_text(encoding="utf-8")
    body = tex[tex.index(r"\begin{document}"):tex.index(r"\begin{sphinxthebibliography}")]
    chapters = re.split(r"\\chapter\{", body)[1:]
    assert chapters
    for chapter in chapters:
        title = chapter.split("}", 1)[0]
        rest = re.sub(r"\\(label|phantomsection|sphinxstepscope|detokenize)\b(\{[^{}]*(\{[^{}]*\})?[^{}]*\})?",
                      "", chapter.split("}", 1)[1])
        assert re.search(r"[A-Za-z]{3}", rest), f"chapter '{title}' is empty in the PDF"
    assert len(re.findall(r"\\begin\{sphinxthebibliography\}", tex)) == 1


@pytest.mark.slow
def test_fonts_print_cyrillic_and_typographic_characters(tmp_path):
    """The fonts conf.py gives XeLaTeX have every character the sources may carry: Cyrillic
    names, dashes, curly quotes, accented Latin, the pilcrow and mathematical signs."""
    fontpkg = runpy.run_path(str(ROOT / "conf.py"))["latex_elements"]["fontpkg"]
    sample = "Бишкек, Душанбе, Баткен — «Кыргызстан» – “CSTO” ‘ОДКБ’ António ¶7 ≥ ≤ × № €"
    (tmp_path / "fonts.tex").write_text(
        "\\documentclass{article}\n\\usepackage{fontspec}\n" + fontpkg +
        "\n\\begin{document}\n" + sample + "\n\n\\textbf{" + sample + "}\n\n\\textit{" + sample +
        "}\n\n\\texttt{" + sample + "}\n\\end{document}\n", encoding="utf-8")
    result = subprocess.run(["xelatex", "-interaction=nonstopmode", "-halt-on-error", "fonts.tex"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:]
    log = (tmp_path / "fonts.log").read_text(encoding="utf-8", errors="replace")
    assert "Missing character" not in log, [l for l in log.splitlines() if "Missing character" in l]
    assert squash(sample) in squash(pdftotext(tmp_path / "fonts.pdf"))
