"""The PDF: built once with XeLaTeX, then read back with pdftotext. It has the title page, the
table of contents, every chapter and source page, the archived texts, one bibliography with every
entry, no empty chapter, no unresolved reference and no character the fonts lack.

tools/require_tex.py, which `make pdf` runs first, is tested here too: without TeX it stops at once
with the install line.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from pybtex.database import parse_file

import require_tex
from briefing.archive import load_registry
from briefing.dates import date_words
from conftest import ROOT, book_conf, copy_book

REQUIRE_TEX = ROOT / "tools" / "require_tex.py"
# The body of an A4 page in points: pdftotext crops away the running header and the page number,
# which would otherwise interrupt a paragraph that runs over a page break.
BODY_CROP = ("-x", "0", "-y", "60", "-W", "596", "-H", "715")


def squash(text: str) -> str:
    """Letters and digits only: line breaks, hyphenation, quotes and spacing do not count."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalnum()).casefold()


@pytest.fixture(scope="session")
def made_pdf(tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """A copy of the real book built to PDF with `make pdf`, once per session: what make printed,
    and the build folder."""
    check = subprocess.run([sys.executable, str(REQUIRE_TEX)], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    out = tmp_path_factory.mktemp("pdf")
    book = copy_book(out / "book")
    shutil.copy2(ROOT / "Makefile", book)
    result = _make_pdf(book, out / "build")
    assert result.returncode == 0, f"the PDF does not build:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result, out / "build"


@pytest.fixture(scope="session")
def pdf_build(made_pdf) -> Path:
    return made_pdf[1] / "latex"


@pytest.fixture(scope="session")
def pdf_file(pdf_build) -> Path:
    """The book's PDF, named by latex_documents (the charts' PDFs sit beside it)."""
    tex_name = book_conf()["latex_documents"][0][1]
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
    assert require_tex.INSTALL in result.stderr


def readme_install_line() -> list[str]:
    """The packages of the README's `apt-get install` command (continued over lines)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.findall(r"^apt-get install -y ((?:.*\\\n)*.*)$", readme, re.MULTILINE)
    assert len(found) == 1, found
    return found[0].replace("\\\n", " ").split()


def ci_install_line() -> list[str]:
    """The packages .ci/run installs when they are missing."""
    found = re.findall(r'^packages="([^"]*)"', (ROOT / ".ci" / "run").read_text(encoding="utf-8"), re.MULTILINE)
    assert len(found) == 1, found
    return found[0].split()


def test_the_readme_and_ci_install_the_same_packages_and_the_tex_of_require_tex():
    """The install line was written four times: tools/require_tex.py holds the TeX packages, and
    the README's line and .ci/run's list (which a shell script cannot import) must match it."""
    readme = readme_install_line()
    assert readme == ci_install_line(), "README.md and .ci/run install different packages"
    assert " ".join(require_tex.PACKAGES) in " ".join(readme), \
        f"README.md's install line lacks the TeX packages of tools/require_tex.py: {require_tex.INSTALL}"


@pytest.mark.slow
def test_require_tex_passes_with_tex():
    """TeX is a stated requirement of `make test` (README), not of `make check`: missing, this
    fails with its install line."""
    result = subprocess.run([sys.executable, str(REQUIRE_TEX)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def _fake_tools(bindir: Path, fonts: list[str]) -> None:
    """xelatex and latexmk that do nothing, and an fc-list that knows only ``fonts``."""
    bindir.mkdir()
    for tool in ("xelatex", "latexmk"):
        (bindir / tool).write_text("#!/bin/sh\nexit 0\n")
    listing = "".join(f"/usr/share/fonts/x/{f}: \\n" for f in fonts)
    (bindir / "fc-list").write_text(f"#!/bin/sh\nprintf '{listing}'\n")
    for tool in bindir.iterdir():
        tool.chmod(0o755)


def test_require_tex_stops_when_a_font_conf_py_names_is_missing(tmp_path):
    """With TeX present but FreeSans missing, XeLaTeX stopped at its interactive `?` prompt;
    now `make pdf` stops before TeX, naming the font and the package to install."""
    _fake_tools(tmp_path / "bin", ["FreeSerif.otf", "FreeSerifItalic.otf", "FreeSerifBold.otf",
                                   "FreeSerifBoldItalic.otf"])
    result = subprocess.run([sys.executable, str(REQUIRE_TEX)], capture_output=True, text=True,
                            env={**os.environ, "PATH": str(tmp_path / "bin")}, timeout=30)
    assert result.returncode == 2, result.stderr
    assert "FreeSans.otf" in result.stderr and "FreeMonoBold.otf" in result.stderr
    assert "FreeSerif.otf" not in result.stderr
    assert "apt-get install -y fonts-freefont-otf" in result.stderr


def test_require_tex_passes_when_the_fonts_are_there(tmp_path):
    wanted = require_tex.font_files((ROOT / "conf.py").read_text(encoding="utf-8"))
    assert "FreeSerif.otf" in wanted and "FreeMonoBoldOblique.otf" in wanted, wanted
    _fake_tools(tmp_path / "bin", wanted)
    result = subprocess.run([sys.executable, str(REQUIRE_TEX)], capture_output=True, text=True,
                            env={**os.environ, "PATH": str(tmp_path / "bin")}, timeout=30)
    assert result.returncode == 0 and result.stderr == "", result.stderr


# --- make pdf --------------------------------------------------------------------------------

def _make_pdf(book: Path, builddir: Path) -> subprocess.CompletedProcess:
    venv = Path(sys.prefix)
    # stdin stays open and silent: a TeX waiting at a `?` prompt would hang until the timeout.
    return subprocess.run(["make", "-s", "-o", str(venv / ".installed"), f"VENV={venv}",
                           f"BUILDDIR={builddir}", "pdf"], cwd=book, capture_output=True, text=True,
                          stdin=subprocess.PIPE, timeout=600)


@pytest.mark.slow
def test_make_pdf_is_quiet_and_says_where_the_pdf_is(made_pdf):
    """It printed some 8,600 lines of TeX; now one line, the PDF's path. No doctrees in the
    published folders."""
    result, build = made_pdf
    pdf = build / "latex" / "kyrgyzstan-tajikistan-border-2022.pdf"
    assert result.stdout.strip().splitlines() == [f"The PDF: {pdf}"], result.stdout[-2000:]
    assert result.stderr == ""
    assert pdf.is_file() and (build / "latex" / "tex-output.log").is_file()
    assert (build / "doctrees").is_dir()


@pytest.mark.slow
def test_make_pdf_failure_shows_the_end_of_the_log_and_never_waits(tmp_path):
    book = copy_book(tmp_path / "book")
    shutil.copy2(ROOT / "Makefile", book)
    with (book / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write('\nlatex_elements["preamble"] += r"\\BriefingNoSuchMacro"\n')
    result = _make_pdf(book, tmp_path / "build")
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Undefined control sequence" in output, output[-3000:]
    assert "make pdf: TeX failed" in output and str(tmp_path / "build" / "latex" / "tex-output.log") in output
    assert len(output.splitlines()) < 80, "the failure printed all of TeX's output"


# --- the PDF ---------------------------------------------------------------------------------

@pytest.mark.slow
def test_title_page(pdf_file):
    """Title, subtitle, author, edition and its date, and the date of the latest source, taken
    from data/sources.toml."""
    conf = book_conf()
    first = squash(pdftotext(pdf_file, "-f", "1", "-l", "1"))
    for field in ("project", "author", "release", "briefing_subtitle"):
        assert squash(conf[field]) in first, f"{field} not on the title page"
    latest = max(s.published for s in load_registry(ROOT, "data/sources.toml").values())
    assert squash(f"Latest source: {date_words(latest)}") in first
    released = re.search(r"^date-released: (\S+)", (ROOT / "CITATION.cff").read_text(), re.MULTILINE)[1]
    assert squash(f"Edition {conf['release']}, {date_words(released)}") in first


@pytest.mark.slow
def test_table_of_contents(pdf_text):
    """After the title page, a table of contents lists every chapter, every source page and the
    bibliography, before the first chapter begins."""
    contents = pdf_text[:pdf_text.index("Chapter 1\n")]
    assert re.search(r"^\f*Contents$", contents, re.MULTILINE), "no table of contents"
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
def test_one_bibliography_with_every_entry(pdf_body):
    entries = parse_file(str(ROOT / "references.bib")).entries
    # Each archived source article, and data sets (the locator map's) cited as such: however many.
    sources = load_registry(ROOT, "data/sources.toml")
    assert {key for key, e in entries.items() if e.type == "article"} == set(sources)
    assert all(e.type == "dataset" for key, e in entries.items() if key not in sources)
    # After the contents, which list it too; without the running heads, which repeat it on its pages.
    body = pdf_body[pdf_body.index("Chapter 1\n"):]
    headings = re.findall(r"^\s*Bibliography\s*$", body, re.MULTILINE)
    assert len(headings) == 1, "expected one bibliography"
    bibliography = squash(body[body.rindex("\nBibliography\n"):])
    for key, entry in entries.items():
        title = entry.fields["title"].replace("{", "").replace("}", "")
        assert squash(title) in bibliography, f"bibliography entry {key} ({title}) not in the PDF"
        assert squash(entry.fields["url"]) in bibliography, f"URL of {key} not in the bibliography"


def text_problems(text: str) -> list[str]:
    """Unresolved references ("??") and markup that was printed instead of rendered."""
    problems = ["an unresolved reference (??)"] if "??" in text else []
    return problems + [f"unrendered markup {raw!r}" for raw in
                       ("{cite", ":cite:", "{bibliography}", "{derived}", "{download}") if raw in text]


def test_text_problems_are_found():
    assert text_problems("see section ?? and {cite:p}`key`") == [
        "an unresolved reference (??)", "unrendered markup '{cite'"]
    assert text_problems("see section 2.1 (Interfax, 22 Sep 2022)") == []


@pytest.mark.slow
def test_no_unresolved_reference_or_raw_markup(pdf_text):
    assert not text_problems(pdf_text)


@pytest.mark.slow
def test_html_only_parts_stay_out(pdf_text):
    assert "@misc{briefingbook-" not in pdf_text, "the HTML-only \"Cite this page\" block is in the PDF"


def log_problems(log: str, limit_pt: float = 5.0) -> list[str]:
    """What the LaTeX log says is wrong with the PDF: a character no font has, an undefined or
    doubly defined reference, a box wider than the page allows by more than limit_pt."""
    problems = []
    if "Missing character" in log:
        problems.append("a font lacks a character the book prints")
    if "There were undefined references" in log or re.search(r"Hyper reference `[^']+' on page \S+ undefined", log):
        problems.append("an undefined reference")
    if "multiply defined" in log:
        problems.append("a label defined twice")
    for width, where in re.findall(r"^Overfull \\hbox \(([\d.]+)pt too wide\) (.*)$", log, re.MULTILINE):
        if float(width) > limit_pt:
            problems.append(f"a line {width}pt too wide {where} of the .tex")
    for height, where in re.findall(r"^Overfull \\vbox \(([\d.]+)pt too high\) (.*)$", log, re.MULTILINE):
        if float(height) > limit_pt:
            problems.append(f"a page {height}pt too full {where}")
    if "Float too large for page" in log:
        problems.append("a figure or table taller than the page")
    return problems


def test_log_problems_are_found():
    assert log_problems("Overfull \\hbox (4.9pt too wide) in paragraph at lines 3--4\n") == []
    assert log_problems("Overfull \\hbox (25.2124pt too wide) in paragraph at lines 4068--4068\n") == [
        "a line 25.2124pt too wide in paragraph at lines 4068--4068 of the .tex"]
    assert log_problems("Overfull \\vbox (432.8pt too high) has occurred while \\output is active []\n")
    assert log_problems("Missing character: There is no ж in font FreeSerif!")
    assert log_problems("LaTeX Warning: Hyper reference `index:x' on page ii undefined on input line 9.")
    assert log_problems("LaTeX Warning: Float too large for page by 66.8pt on input line 3853.")


@pytest.mark.slow
def test_log_is_clean(pdf_file):
    """No missing glyph, no undefined reference, no box more than 5 pt too wide."""
    log = pdf_file.with_suffix(".log").read_text(encoding="utf-8", errors="replace")
    assert not log_problems(log)


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
    fontpkg = book_conf()["latex_elements"]["fontpkg"]
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


# --- the briefing document: front matter, numbering, metadata, bookmarks, running heads ---------

def front_page_headings() -> list[str]:
    """The front page's own section headings: the PDF prints them, unnumbered, before the contents."""
    text = (ROOT / "index.md").read_text(encoding="utf-8")
    return re.findall(r"^## (.+)$", text, re.MULTILINE)


def toctree_pages() -> list[str]:
    """The pages the front page's toctrees list, in order, source pages under sources/index."""
    text = (ROOT / "index.md").read_text(encoding="utf-8")
    pages = []
    for block in re.findall(r"```\{toctree\}\n(.*?)```", text, re.DOTALL):
        pages += [line.strip() for line in block.splitlines() if line.strip() and not line.startswith(":")]
    return pages


def order_problems(text: str, markers: list[str]) -> list[str]:
    """Each marker must appear in text after the one before it."""
    problems, position = [], 0
    for marker in markers:
        found = squash(text).find(squash(marker), position)
        if found < 0:
            problems.append(f"{marker!r} missing or out of order")
        else:
            position = found
    return problems


def test_order_problems_are_found():
    assert order_problems("Title Key judgments Contents Chapter 1", ["Title", "Key judgments", "Contents"]) == []
    assert order_problems("Title Contents Key judgments", ["Title", "Key judgments", "Contents"]) == [
        "'Contents' missing or out of order"]


@pytest.mark.slow
def test_front_matter_comes_before_the_contents(pdf_file):
    """Title page, then the key judgments and key figures (every section of the front page),
    then the contents and the lists of tables and figures, then chapter 1."""
    conf = book_conf()
    pages = pdftotext(pdf_file).split("\f")
    first_chapter = next(i for i, page in enumerate(pages) if re.search(r"^Chapter 1$", page, re.MULTILINE))
    front = "\n".join(pages[:first_chapter + 1])
    markers = [conf["project"], "Latest source", *front_page_headings(), "Contents",
               "List of Tables", "List of Figures", "Chapter 1"]
    assert not order_problems(front, markers)
    for heading in front_page_headings():
        assert not re.search(rf"^\d+(\.\d+)*\s+{re.escape(heading)}$", front, re.MULTILINE), \
            f"{heading!r} is numbered"


def chapter_heads(text: str) -> list[tuple[str, str]]:
    """(number, title) of every chapter and appendix head: 'Chapter 1' / 'Appendix A', then its title."""
    return re.findall(r"^(?:Chapter|Appendix) (\w+)\n\n(.+)$", text, re.MULTILINE)


def numbering_problems(heads: list[tuple[str, str]], chapters: list[str], appendices: list[str]) -> list[str]:
    expected = [(str(n), t) for n, t in enumerate(chapters, 1)] + \
               [(chr(ord("A") + n), t) for n, t in enumerate(appendices)]
    got = [(n, squash(t)) for n, t in heads]
    return [f"expected {n} {t!r}" for n, t in expected if (n, squash(t)[:20]) not in
            [(gn, gt[:20]) for gn, gt in got]]


def test_numbering_problems_are_found():
    heads = chapter_heads("Chapter 1\n\nThe clashes\n\nChapter 2\n\nHuman cost\n\nAppendix A\n\nGlossary\n")
    assert numbering_problems(heads, ["The clashes", "Human cost"], ["Glossary"]) == []
    # The old PDF: chapter one was the book's own title, the chapters started at two.
    heads = chapter_heads("Chapter 1\n\nThe border conflict\n\nChapter 2\n\nThe clashes\n")
    assert numbering_problems(heads, ["The clashes"], []) == ["expected 1 'The clashes'"]


@pytest.mark.slow
def test_chapters_numbered_from_the_clashes(pdf_body):
    conf = book_conf()
    skip = bibliography_pages()
    pages = [p for p in toctree_pages() if p not in skip]
    appendices = [p for p in pages if p in conf["briefing_appendices"]]
    chapters = [p for p in pages if p not in appendices]
    assert chapters[0] == "chapters/clashes"
    title = lambda page: md_title(ROOT / f"{page}.md")
    assert not numbering_problems(chapter_heads(pdf_body), [title(p) for p in chapters],
                                  [title(p) for p in appendices])


def pdf_metadata(pdf: Path) -> dict[str, str]:
    """The document information (pdfinfo) and the XMP stream's language and keywords."""
    info = subprocess.run(["pdfinfo", "-enc", "UTF-8", str(pdf)], capture_output=True, text=True, check=True).stdout
    fields = dict(re.findall(r"^(\w[\w ]*?):\s+(.*)$", info, re.MULTILINE))
    xmp = subprocess.run(["pdfinfo", "-meta", str(pdf)], capture_output=True, text=True, check=True).stdout
    language = re.search(r"<dc:language>.*?<rdf:li>([^<]+)</rdf:li>", xmp, re.DOTALL)
    fields["Language"] = language[1] if language else ""
    keywords = re.search(r"<pdf:Keywords>([^<]*)</pdf:Keywords>", xmp)
    fields["XMP keywords"] = keywords[1] if keywords else ""
    return fields


def metadata_problems(fields: dict[str, str], expected: dict[str, str]) -> list[str]:
    return [f"{key}: {fields.get(key, '')!r}, expected {value!r}" for key, value in expected.items()
            if fields.get(key, "").strip() != value]


def test_metadata_problems_are_found():
    expected = {"Title": "T", "Keywords": "a, b", "Language": "en-GB"}
    assert metadata_problems({"Title": "T", "Keywords": "a, b", "Language": "en-GB"}, expected) == []
    assert metadata_problems({"Title": "T", "Language": ""}, expected) == [
        "Keywords: '', expected 'a, b'", "Language: '', expected 'en-GB'"]


@pytest.mark.slow
def test_metadata(pdf_file):
    """Title, author, subject, keywords (CITATION.cff's) and language, in the document
    information and in the XMP stream."""
    import yaml
    conf = book_conf()
    keywords = ", ".join(yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))["keywords"])
    fields = pdf_metadata(pdf_file)
    assert not metadata_problems(fields, {
        "Title": conf["project"], "Author": conf["author"], "Subject": conf["briefing_subtitle"],
        "Keywords": keywords, "XMP keywords": keywords, "Language": conf["briefing_pdf_language"]})
    assert fields["Metadata Stream"] == "yes"


def bookmarks(pdf: Path) -> list[str]:
    """The titles of the PDF's outline (bookmarks), in order, at every level."""
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-q", "-stdout", str(pdf)],
                         capture_output=True, text=True, check=True).stdout
    outline = xml[xml.find("<outline>"):] if "<outline>" in xml else ""
    import html
    return [html.unescape(t) for t in re.findall(r"<item[^>]*>([^<]*)", outline)]


def missing_bookmarks(marks: list[str], headings: list[str]) -> list[str]:
    have = {squash(re.sub(r"^(\d+|[A-Z])(\.\d+)*\s+", "", m)) for m in marks}
    return [h for h in headings if squash(h) not in have]


def test_missing_bookmarks_are_found():
    assert missing_bookmarks(["1 The clashes", "1.1 When", "A Glossary"], ["The clashes", "When", "Glossary"]) == []
    assert missing_bookmarks(["1 The clashes"], ["The clashes", "When"]) == ["When"]


@pytest.mark.slow
def test_bookmarks_for_every_chapter_and_section(pdf_file):
    headings = list(front_page_headings())
    for page in chapter_pages():
        text = page.read_text(encoding="utf-8")
        headings += [h for h in re.findall(r"^#{1,3} (.+)$", text, re.MULTILINE)]
    headings = [re.sub(r"\{[^}]+\}`([^`<]+?)(\s*<[^>]*>)?`", r"\1", h) for h in headings]
    marks = bookmarks(pdf_file)
    assert "Contents" in marks
    assert not missing_bookmarks(marks, headings)


def header_problems(headers: list[str], short_titles: set[str]) -> list[str]:
    """Every page's running head names a chapter by its short title ('2. Human cost')."""
    problems = []
    for number, header in enumerate(headers, 1):
        head = re.sub(r"^(Appendix )?(\d+|[A-Z])\.\s*", "", header.strip())
        head = re.sub(r"\s+\S+$", "", head) if head not in short_titles else head  # the page number
        if squash(head) not in {squash(t) for t in short_titles}:
            problems.append(f"page {number}: running head {header.strip()!r}")
    return problems


def test_header_problems_are_found():
    assert header_problems(["1. The clashes 9", "Appendix A. Glossary 37"], {"The clashes", "Glossary"}) == []
    assert header_problems(["1. The clashes, 14–19 September 2022 9"], {"The clashes"}) == [
        "page 1: running head '1. The clashes, 14–19 September 2022 9'"]


@pytest.mark.slow
def test_running_heads_give_the_chapter_short_title(pdf_file):
    conf = book_conf()
    skip = bibliography_pages()
    shorts = {conf["briefing_running_heads"].get(p, md_title(ROOT / f"{p}.md"))
              for p in toctree_pages() if p not in skip}
    pages = pdftotext(pdf_file).split("\f")
    start = next(i for i, page in enumerate(pages) if re.search(r"^Chapter 1$", page, re.MULTILINE))
    end = next(i for i in range(start, len(pages)) if re.search(r"^Bibliography$", pages[i], re.MULTILINE))
    headers = [pdftotext(pdf_file, "-f", str(n), "-l", str(n), "-y", "0", "-H", "60", "-x", "0", "-W", "596")
               .replace("\f", "").replace("\n", " ") for n in range(start + 1, end + 1)]
    # A chapter's first page has no running head.
    headers = [h for h in headers if h.strip() and not re.fullmatch(r"\s*\d+\s*", h)]
    assert headers
    assert not header_problems(headers, shorts)


@pytest.mark.slow
def test_archived_texts_render_exactly(pdf_body):
    """Every archived paragraph in the PDF is the archived line, character for character (no
    smart quotes, TeX ligatures such as -- or ``, or dashes put in), but for what text extraction
    cannot tell: line breaks and no-break spaces, and a hyphen at the end of a line."""
    from test_archive_rendering import archived_texts, pdf_paragraph_pattern

    flat = re.sub(r"\s+", " ", pdf_body)
    checked = 0
    for key, (page, paragraphs) in archived_texts().items():
        for number, paragraph in enumerate(paragraphs, start=1):
            assert pdf_paragraph_pattern(number, paragraph).search(flat), \
                f"{key} ¶{number} is not in the PDF as archived: {paragraph!r}"
            checked += 1
    assert checked > 60


# --- the reader's briefing document: key figures, numbering, lists, front matter ------------------

def numbering_gaps(numbers: list[int]) -> list[str]:
    """Captions numbered once through the book: 1, 2, 3, … in page order, none repeated."""
    return [f"{n} after {m}" for m, n in zip([0, *numbers], numbers) if n != m + 1]


def test_numbering_gaps_are_found():
    assert numbering_gaps([1, 2, 3]) == []
    assert numbering_gaps([1, 2, 1, 2]) == ["1 after 2"]


@pytest.mark.slow
def test_reader_front_matter_numbering_and_lists(pdf_file):
    pages = pdftotext(pdf_file).split("\f")
    first_chapter = next(i for i, page in enumerate(pages) if re.search(r"^Chapter 1$", page, re.MULTILINE))
    assert first_chapter - 1 <= 4, f"front matter of {first_chapter - 1} pages after the title"
    # The key figures' box heads the first page after the title, with who counted each.
    assert "Who counted, and when" in pages[1] and "142,000" in pages[1] and "Bottom line" in pages[1]
    body = "\n".join(pages[first_chapter:])
    for kind in ("Table", "Fig."):
        numbers = [int(n) for n in re.findall(rf"^\s*{re.escape(kind)} (\d+):", body, re.MULTILINE)]
        assert numbers and not numbering_gaps(numbers), (kind, numbers)
    lists = "\n".join(pages[:first_chapter])
    assert "Who speaks in the text" not in lists, "metadata tables are in the List of Tables"
    assert "Data:" not in lists, "the List of Figures prints whole captions"


def cited_by_problems(text: str) -> list[str]:
    """The PDF's text (pdftotext, pages split by form feeds): each "Cited by" section is a line
    naming the claims register, not a list of links that lead nowhere on paper."""
    problems = []
    for number, page in enumerate(text.split("\f"), 1):
        # Up to the next numbered heading ("B.2 Interfax …", "3.1 …") or the page's end.
        for match in re.finditer(r"Cited by\n(.*?)(?=\n(?:[A-Z]|\d+)(?:\.\d+)+ |\Z)", page, re.S):
            body = match.group(1)
            if "claims register" not in body or len(body) > 400:
                problems.append(f"p. {number}: a 'Cited by' list of {len(body)} characters")
    return problems


def test_cited_by_problems_are_found():
    listing = "Cited by\n¶10\n" + "Human cost: Kyrgyz dead 59 …\n" * 20
    assert cited_by_problems("Preface\f" + listing) == [f"p. 2: a 'Cited by' list of {len(listing) - 9} characters"]
    assert cited_by_problems("Cited by\nThe blocks … are listed in the claims register (data/x.csv).") == []


def test_no_cited_by_pages_in_the_pdf(pdf_text):
    text = pdf_text
    assert text.count("Cited by") >= 5, "the source pages' 'Cited by' sections are gone from the PDF"
    assert cited_by_problems(text) == []


# --- what is written into LaTeX: escaped, or refused where it is written ----------------------------

def test_tex_escape_escapes_every_special_backslash_included():
    from briefing_latex import tex_escape

    assert tex_escape(r"C:\new #1 50% & {x} ~ ^ _ $") == (
        r"C:\textbackslash{}new \#1 50\% \& \{x\} \textasciitilde{} \textasciicircum{} \_ \$")
    assert tex_escape("two\nlines") == "two lines"


def _book_with_keyword(tmp_path: Path, keyword: str) -> Path:
    book = copy_book(tmp_path / "book")
    cff = book / "CITATION.cff"
    text = cff.read_text(encoding="utf-8")
    assert "  - briefing book\n" in text
    cff.write_text(text.replace("  - briefing book\n", f"  - briefing book\n  - {keyword}\n", 1), encoding="utf-8")
    return book


def _cff_line(book: Path, fragment: str) -> int:
    return next(n for n, line in enumerate((book / "CITATION.cff").read_text(encoding="utf-8").splitlines(), 1)
                if fragment in line)


@pytest.mark.slow
def test_a_value_tex_cannot_print_is_refused_naming_citation_cff_and_its_line(tmp_path):
    """A control character (YAML's "\\a") in a keyword: the PDF's build stops, naming the line."""
    from conftest import sphinx_build

    book = _book_with_keyword(tmp_path, '"bell\\a"')
    result = sphinx_build(book, "latex", tmp_path / "latex", "-d", str(tmp_path / "doctrees"))
    assert result.returncode != 0
    line = _cff_line(book, "bell")
    assert f"{book / 'CITATION.cff'}:{line}: WARNING: keywords holds the character U+0007" in result.stderr, \
        result.stderr[-2000:]
    tex = next((tmp_path / "latex").glob("*.tex"), None)
    assert tex is None or "\a" not in tex.read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_keyword_with_tex_specials_builds(tmp_path):
    """A backslash (and # $ % & ~ _ ^ { }) in a CITATION.cff keyword stopped `make pdf` with
    "Undefined control sequence"; now the .tex holds it escaped and the PDF's keywords show it."""
    book = _book_with_keyword(tmp_path, '"C:\\\\new #1 50% & {x} ~ ^ _ $"')
    shutil.copy2(ROOT / "Makefile", book)
    result = _make_pdf(book, tmp_path / "build")
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    latex = tmp_path / "build" / "latex"
    tex = next(latex.glob("kyrgyzstan*.tex")).read_text(encoding="utf-8")
    assert r"C:\textbackslash{}new \#1 50\% \& \{x\} \textasciitilde{} \textasciicircum{} \_ \$" in tex
    fields = pdf_metadata(next(latex.glob("kyrgyzstan*.pdf")))
    assert fields["Keywords"].endswith(r"briefing book, C:\new #1 50% & {x} ~ ^ _ $"), fields["Keywords"]


# --- archived texts set off; cross-references with their pages ----------------------------------

def unframed_archived_texts(tex: str) -> list[str]:
    """The archived texts must be set in the framed environment, under their label."""
    problems = []
    if not re.search(r"\\newenvironment\{sphinxclassarchived-text\}\{[^\n]*\\MakeFramed", tex):
        problems.append("no frame for the archived texts in the preamble")
    body = tex[tex.find(r"\begin{document}"):]
    boxes = re.findall(r"\\begin\{sphinxuseclass\}\{archived-text\}\s*\\sphinxAtStartPar\s*(\S{0,40})", body)
    if not boxes:
        problems.append("no archived text in the .tex")
    problems += [f"an archived text opens with {start!r}, not its label" for start in boxes
                 if not start.startswith(r"\BriefingArchivedLabel{")]
    return problems


def crossrefs_without_page(tex: str) -> list[str]:
    """Internal cross-references (not a citation's ¶ pinpoints, not glossary terms) that print no
    page number after them."""
    body = tex[tex.find(r"\begin{document}"):]
    missing = []
    for match in re.finditer(r"\\hyperref\[\\detokenize\{([^}]*)\}\]\{\\sphinxcrossref\{(?!¶)", body):
        depth, i = 2, match.end()
        while depth and i < len(body):  # to the end of the reference's group
            depth += {"{": 1, "}": -1}.get(body[i], 0)
            i += 1
        if not body[i:i + 60].lstrip("}").startswith(r"\BriefingPageref{"):
            # Not in a caption (a moving argument): from its opening to here, no paragraph ends.
            before = body[:match.start()]
            opening = max(before.rfind(r"\caption{"), before.rfind(r"\sphinxcaption{"))
            if opening < 0 or "\n\n" in before[opening:]:
                missing.append(match.group(1))
    return missing


def test_archived_text_and_pageref_checks_catch_their_defects():
    preamble = r"\newenvironment{sphinxclassarchived-text}{\def\FrameCommand{}\MakeFramed{}}{\endMakeFramed}"
    good = (preamble + "\n\\begin{document}\n\\begin{sphinxuseclass}{archived-text}\n\\sphinxAtStartPar\n"
            r"\BriefingArchivedLabel{The outlet’s text}" "\n")
    assert unframed_archived_texts(good) == []
    assert unframed_archived_texts(good.replace(preamble, "")) == ["no frame for the archived texts in the preamble"]
    assert unframed_archived_texts(good.replace(r"\BriefingArchivedLabel{", "")) == [
        "an archived text opens with 'The', not its label"]
    ref = r"{\hyperref[\detokenize{chapters/csto::doc}]{\sphinxcrossref{\DUrole{doc}{The CSTO}}}}"
    pin = r"{\hyperref[\detokenize{sources/a:a-p1}]{\sphinxcrossref{¶1}}}"
    page = r"\BriefingPageref{\detokenize{chapters/csto::doc}}"
    assert crossrefs_without_page("\\begin{document}" + ref + page + " and " + pin) == []
    assert crossrefs_without_page("\\begin{document}see " + ref + " and " + pin) == ["chapters/csto::doc"]


@pytest.mark.slow
def test_archived_texts_are_set_off(pdf_file):
    tex = pdf_file.with_suffix(".tex").read_text(encoding="utf-8")
    assert not unframed_archived_texts(tex)
    # The label is printed once per source, above its text.
    assert pdftotext(pdf_file).count("The outlet’s text, archived verbatim") == len(load_registry(ROOT, "data/sources.toml"))


@pytest.mark.slow
def test_cross_references_give_their_pages(pdf_file, pdf_text):
    tex = pdf_file.with_suffix(".tex").read_text(encoding="utf-8")
    assert not crossrefs_without_page(tex)
    # The chapter map, in print: "Human cost (p. 6) — the dead, …"
    assert re.search(r"Human cost \(p\. \d+\)", pdf_text), "no page number after the chapter map's links"


# --- figures the book computes, the bibliography's labels, pages as pictures ---------------------

DERIVED_ROLE = re.compile(r"\{derived\}`([^`]+)`")


def derived_sources() -> list[tuple[str, str]]:
    """("file:line", the figure shown) for each {derived} figure of the book's pages."""
    found = []
    for path in sorted(ROOT.glob("*.md")) + sorted(ROOT.glob("chapters/*.md")) + sorted(ROOT.glob("sources/*.md")):
        if path.name == "README.md":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            found += [(f"{path.relative_to(ROOT)}:{number}", text.split("=", 1)[0].strip())
                      for text in DERIVED_ROLE.findall(line)]
    return found


def unmarked_derived_figures(tex: str, derived: list[tuple[str, str]]) -> list[str]:
    """The .tex must give the derived-figure class a dotted underline and wrap each derived
    figure in it, as the HTML marks them (briefing.css) and the How-to-read page promises."""
    problems = []
    preamble = tex[:tex.find(r"\begin{document}")]
    handler = re.search(r"\\expandafter\\let\\csname DUrolederived-figure\\endcsname\\(\w+)", preamble)
    body = handler and re.search(rf"\\newcommand{{\\{handler.group(1)}}}\[1\]{{[^\n]*\\xleaders", preamble)
    if not body:
        problems.append("the preamble gives derived figures no dotted underline (DUrolederived-figure)")
    marked = re.findall(r"\\DUrole\{derived-figure\}\{([^{}]*)\}", tex)
    for where, shown in derived:
        if shown in marked:
            marked.remove(shown)
        else:
            problems.append(f"{where}: the derived figure {shown} is printed plain in the PDF")
    return problems


def test_unmarked_derived_figures_are_found():
    derived = [("chapters/human-cost.md:41", "24")]
    preamble = (r"\newcommand{\BriefingDerived}[1]{\setbox\z@\hbox{#1}\xleaders\hbox{.}\hfil}" "\n"
                r"\expandafter\let\csname DUrolederived-figure\endcsname\BriefingDerived" "\n")
    marked = preamble + r"\begin{document}was \DUrole{derived-figure}{24}, the same"
    assert unmarked_derived_figures(marked, derived) == []
    assert unmarked_derived_figures(marked.replace(preamble, ""), derived) == [
        "the preamble gives derived figures no dotted underline (DUrolederived-figure)"]
    assert unmarked_derived_figures(preamble + r"\begin{document}was 24, the same", derived) == [
        "chapters/human-cost.md:41: the derived figure 24 is printed plain in the PDF"]


@pytest.mark.slow
def test_derived_figures_are_marked_as_in_html(pdf_file):
    derived = derived_sources()
    assert derived, "no {derived} figure in the book's pages"
    assert unmarked_derived_figures(pdf_file.with_suffix(".tex").read_text(encoding="utf-8"), derived) == []


def bibliography_labels(tex: str) -> tuple[str, list[str]]:
    """The label whose width the bibliography's hanging indent takes, and every entry's label."""
    plain = lambda label: label.replace("{[}", "[").replace("{]}", "]")  # noqa: E731
    widest = re.search(r"\\def\\BriefingWidestLabel\{(.*)\}\s*\\begin\{sphinxthebibliography\}", tex)
    labels = re.findall(r"^\\bibitem\[(.*)\]\{[^}]*\}$", tex, re.MULTILINE)
    return (plain(widest.group(1)) if widest else ""), [plain(label) for label in labels]


def label_overruns(pages: list[list[list[tuple[float, float, str]]]]) -> list[str]:
    """The bibliography's pages as lines of words (xMin, xMax, text): every entry's text must start
    at the one hanging indent, not pushed right by a label wider than the indent."""
    starts = []
    for number, lines in enumerate(pages, 1):
        # A label starts at the margin; a line of an entry's text may start with "[18]" too.
        margin = min((words[0][0] for words in lines if words), default=0.0)
        for words in lines:
            if not words or not words[0][2].startswith("[") or words[0][0] - margin > 1.5:
                continue
            depth = 0
            for i, (_, _, text) in enumerate(words):
                depth += text.count("[") - text.count("]")
                if depth <= 0:
                    break
            if i + 1 < len(words):
                label = " ".join(w[2] for w in words[:i + 1])
                starts.append((words[i + 1][0], f"p. {number}: {label}"))
    if not starts:
        return ["no labelled entry found"]
    indent = min(x for x, _ in starts)
    return [f"{where} pushes its entry {x - indent:.0f} pt right of the hanging indent"
            for x, where in starts if x - indent > 1.5]


def test_label_overruns_are_found():
    short = [(72.0, 100.0, "[Kun.uz"), (103.0, 130.0, "2022]"), (160.0, 200.0, "Kun.uz.")]
    long = [(72.0, 100.0, "[inozPRESS.kg"), (103.0, 115.0, "19"), (118.0, 135.0, "Sep"), (138.0, 170.0, "2022]"),
            (173.0, 220.0, "inozPRESS.kg.")]
    assert label_overruns([[short, [(160.0, 300.0, "continued")], [(160.0, 190.0, "[18]"), (193.0, 220.0, "May")],
                            long]]) == [
        "p. 1: [inozPRESS.kg 19 Sep 2022] pushes its entry 13 pt right of the hanging indent"]
    assert label_overruns([[short, [(72.0, 100.0, "[A"), (103.0, 120.0, "[18]"), (123.0, 150.0, "2022]"),
                                    (160.0, 190.0, "A.")]]]) == []


def bbox_lines(pdf: Path, first: int, last: int) -> list[list[list[tuple[float, float, str]]]]:
    """pdftotext's word boxes of pages first to last: per page, its lines of (xMin, xMax, word)."""
    import html as html_module

    out = subprocess.run(["pdftotext", "-bbox-layout", "-f", str(first), "-l", str(last), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    pages = []
    for page in re.findall(r"<page\b.*?</page>", out, re.S):
        pages.append([[(float(a), float(b), html_module.unescape(w)) for a, b, w in
                       re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', line)]
                      for line in re.findall(r"<line\b.*?</line>", page, re.S)])
    return pages


@pytest.mark.slow
def test_bibliography_labels_fit_their_hanging_indent(pdf_file, pdf_text):
    widest, labels = bibliography_labels(pdf_file.with_suffix(".tex").read_text(encoding="utf-8"))
    assert labels and widest == max(labels, key=len), (widest, max(labels, key=len))
    pages = pdf_text.split("\f")
    # The list's first page: the first to print its first label (a citation in the text is
    # parenthesised, "(24.kg, Sep 2022)"); it runs to the end of the book.
    first = next(n for n, page in enumerate(pages, 1) if f"[{labels[0]}]" in page)
    assert label_overruns(bbox_lines(pdf_file, first, len(pages) - 1)) == []


ARTIFACTS = Path(__file__).parent / "artifacts"


def page_holding(pages: list[str], *words: str) -> int:
    """The number of the first page whose text holds every one of ``words`` (squashed), or 0."""
    wanted = [squash(w) for w in words]
    return next((n for n, page in enumerate(pages, 1) if all(w in squash(page) for w in wanted)), 0)


@pytest.mark.slow
def test_pdf_pages_are_saved_as_pictures(pdf_file, pdf_text):
    """The title page, the summary (bottom line and key figures), a chart and the map, rendered
    with pdftoppm into tests/artifacts/pdf-*.png; each is the page it is named for."""
    pages = pdf_text.split("\f")
    conf = book_conf()
    chosen = {
        "title": (1, (conf["project"], conf["briefing_subtitle"][:40])),
        "summary": (page_holding(pages, "Bottom line", "Who counted, and when"), ("Bottom line", "Who counted, and when")),
        "chart-human-cost": (page_holding(pages, "Kyrgyz deaths, injured and displaced or evacuated", "Colour: who reported"),
                             ("Kyrgyz deaths, injured", "Colour: who reported the figure")),
        "map": (page_holding(pages, "Kyrgyzstan, Tajikistan and their neighbours", "Natural Earth"),
                ("Kyrgyzstan, Tajikistan and their neighbours", "Bishkek", "Fig. 1")),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    for name, (number, words) in chosen.items():
        assert number, f"no page of the PDF holds the {name}"
        text = pdftotext(pdf_file, "-f", str(number), "-l", str(number))
        for word in words:
            assert squash(word) in squash(text), f"p. {number}, saved as pdf-{name}.png, lacks {word!r}"
        target = ARTIFACTS / f"pdf-{name}"
        subprocess.run(["pdftoppm", "-f", str(number), "-l", str(number), "-r", "100", "-png", "-singlefile",
                        str(pdf_file), str(target)], check=True)
        png = target.with_suffix(".png")
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000, png
