"""The e-book: `sphinx-build -M epub` once, then read back as a zip. epubcheck (Debian's package)
accepts it; every internal link (citations, passage links, glossary links) leads to a file and an
id inside the book; nothing is loaded from another host; the package metadata names the title,
the language and the date of the latest source. The post-processing that makes the browser-made
files valid EPUB (tools/extensions/briefing_epub.py) is tested on the defects it fixes.
"""

from __future__ import annotations

import posixpath
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from briefing.archive import load_registry
from briefing_epub import fix_css, fix_svg, fix_xhtml
from briefing.dates import date_words
from conftest import ROOT, book_conf, sphinx_build

CONF = book_conf()


def epubcheck_command() -> list[str]:
    """Debian installs /usr/bin/epubcheck as a link to the jar: run it with java."""
    path = shutil.which("epubcheck")
    if path is None:
        pytest.fail("epubcheck is not installed: apt-get install -y epubcheck (see README)")
    real = Path(path).resolve()
    return ["java", "-jar", str(real)] if real.suffix == ".jar" else [str(real)]


def epubcheck(epub: Path) -> list[str]:
    """epubcheck's errors and warnings ([] when it accepts the file)."""
    result = subprocess.run([*epubcheck_command(), str(epub)], capture_output=True, text=True, timeout=600)
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if re.match(r"(FATAL|ERROR|WARNING)\b", line)]
    return problems if problems or result.returncode == 0 else [result.stdout[-2000:] + result.stderr[-2000:]]


@pytest.fixture(scope="session")
def epub_file(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("epub")
    result = sphinx_build(ROOT, "epub", out, make=True)
    assert result.returncode == 0, f"the e-book does not build:\n{result.stdout[-3000:]}\n{result.stderr}"
    epub = out / "epub" / f"{CONF['epub_basename']}.epub"
    assert epub.is_file()
    return epub


def read_zip(epub: Path) -> dict[str, str]:
    with zipfile.ZipFile(epub) as z:
        return {name: z.read(name).decode("utf-8", errors="replace") for name in z.namelist()
                if name.endswith((".xhtml", ".css", ".svg", ".opf", ".ncx"))}


def make_epub(path: Path, files: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        for name, text in files.items():
            z.writestr(name, text)
    return path


def broken_links(files: dict[str, str]) -> list[str]:
    """Internal hrefs of the XHTML pages that lead to no file, or to no element with that id."""
    ids = {name: set(re.findall(r'\sid="([^"]+)"', text)) for name, text in files.items()}
    problems = []
    for name, text in files.items():
        if not name.endswith(".xhtml"):
            continue
        for href in re.findall(r'<a\b[^>]*\shref="([^"]+)"', text):
            parts = urlsplit(href)
            if parts.scheme or href.startswith("//"):
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), unquote(parts.path))) \
                if parts.path else name
            if target not in files:
                problems.append(f"{name}: {href} (no such file)")
            elif parts.fragment and unquote(parts.fragment) not in ids[target]:
                problems.append(f"{name}: {href} (no such id)")
    return problems


def external_resources(files: dict[str, str]) -> list[str]:
    """Anything a reader would load from another host: images, styles, scripts, fonts."""
    pattern = re.compile(r'(?:<(?:img|script|source|audio|video|iframe|link)\b[^>]*?\s(?:src|href)="'
                         r'|xlink:href="|@import\s+["\']|url\(\s*["\']?)((?:https?:)?//[^"\')\s]+)')
    return [f"{name}: {url}" for name, text in files.items() for url in pattern.findall(text)]


# --- the checks catch their defects --------------------------------------------------------------

def test_broken_links_are_found():
    files = {"a.xhtml": '<p id="x"><a href="b.xhtml#y">b</a> <a href="#x">a</a> <a href="https://e.org/">e</a></p>',
             "b.xhtml": '<p id="y"/>'}
    assert broken_links(files) == []
    files["a.xhtml"] += '<a href="b.xhtml#z">z</a><a href="c.xhtml">c</a>'
    assert broken_links(files) == ["a.xhtml: b.xhtml#z (no such id)", "a.xhtml: c.xhtml (no such file)"]


def test_external_resources_are_found():
    assert external_resources({"a.xhtml": '<a href="https://e.org/">a link is not a resource</a>'}) == []
    assert external_resources({"a.xhtml": '<img src="https://e.org/x.png"/>',
                               "s.css": "body { background: url(https://e.org/b.png) }"}) == [
        "a.xhtml: https://e.org/x.png", "s.css: https://e.org/b.png"]


@pytest.mark.slow
def test_epubcheck_rejects_a_broken_epub(tmp_path):
    epub = make_epub(tmp_path / "broken.epub", {"META-INF/container.xml": "<container/>"})
    assert epubcheck(epub)


def test_browser_files_made_valid():
    assert fix_xhtml('<input checked="checked" id="t" type="radio">') == '<input checked="checked" id="t" type="radio" />'
    assert fix_xhtml('<input id="t" />') == '<input id="t" />'
    svg = ('<?xml version="1.0"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n  "http://www.w3.org/'
           'Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg><path id="g" transform="scale(1)"/><path d="M 0 0"/></svg>')
    fixed = fix_svg(svg)
    assert "DOCTYPE" not in fixed and '<path d="" id="g" transform="scale(1)"/>' in fixed and '<path d="M 0 0"/>' in fixed
    assert fix_css("a { x: 1 }\n.p:has(> span:target) { y: 2 }\n") == "a { x: 1 }\n"


# --- the e-book -----------------------------------------------------------------------------

@pytest.mark.slow
def test_epubcheck_accepts_the_book(epub_file):
    assert epubcheck(epub_file) == []


@pytest.mark.slow
def test_links_lead_inside_the_book(epub_file):
    files = read_zip(epub_file)
    assert not broken_links(files)
    hrefs = [h for name, t in files.items() if name.endswith(".xhtml") for h in re.findall(r'\shref="([^"]+)"', t)]
    for kind, pattern in (("citation", r"bibliography\.xhtml#"), ("passage link", r"sources/\w+\.xhtml#\w+-p\d+$|^\w+\.xhtml#\w+-p\d+$"),
                          ("glossary link", r"glossary\.xhtml#term-")):
        assert any(re.search(pattern, h) for h in hrefs), f"no {kind} in the e-book"


@pytest.mark.slow
def test_nothing_loaded_from_another_host(epub_file):
    assert not external_resources(read_zip(epub_file))


@pytest.mark.slow
def test_every_page_is_in_the_book(epub_file):
    files = read_zip(epub_file)
    pages = [p for p in ["index", *[f"chapters/{q.stem}" for q in (ROOT / "chapters").glob("*.md")],
                         *[f"sources/{q.stem}" for q in (ROOT / "sources").glob("*.md")]]]
    missing = [p for p in pages if f"{p}.xhtml" not in files]
    assert not missing


@pytest.mark.slow
def test_package_metadata(epub_file):
    opf = read_zip(epub_file)["content.opf"]
    assert f"<dc:title>{CONF['project']}</dc:title>" in opf
    assert "<dc:language>en-GB</dc:language>" in opf
    latest = max(s.published for s in load_registry(ROOT, "data/sources.toml").values())
    assert f"Latest source: {date_words(latest)}" in opf


@pytest.mark.slow
def test_archived_texts_render_exactly(epub_file):
    """Every archived paragraph in the e-book is, character for character, the archived line."""
    from test_archive_rendering import archived_texts, compare_pages

    files = read_zip(epub_file)
    pages = {page: files[f"{page}.xhtml"] for page, _ in archived_texts().values()}
    assert compare_pages(pages) > 60


# --- DAISY Ace --------------------------------------------------------------------------------

ACE = ROOT / "tests" / "clients" / "node_modules" / ".bin" / "ace-cli"


def ace_violations(epub: Path, out: Path) -> tuple[str, list[str]]:
    """DAISY Ace's outcome and each rule it finds broken ("document: rule"), run with Debian's
    Chromium (Puppeteer downloads no browser)."""
    assert ACE.is_file(), "DAISY Ace is not installed: `make test` installs it (npm ci in tests/clients, README)"
    import json
    import os
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": "/usr/bin/chromium", "PUPPETEER_SKIP_DOWNLOAD": "1"}
    result = subprocess.run([str(ACE), "--silent", "--force", "--outdir", str(out), str(epub)],
                            capture_output=True, text=True, timeout=900, env=env)
    report = out / "report.json"
    assert report.is_file(), f"Ace wrote no report:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"
    data = json.loads(report.read_text(encoding="utf-8"))
    found = [f"{subject['earl:testSubject']['url']}: {a['earl:test']['dct:title']}"
             for subject in data["assertions"] for a in subject["assertions"]]
    return data["earl:result"]["earl:outcome"], found


def test_daisy_ace_passes_the_book(epub_file, tmp_path):
    outcome, found = ace_violations(epub_file, tmp_path / "ace")
    assert (outcome, found) == ("pass", []), "\n".join(found)


def test_daisy_ace_reports_what_the_fixes_add(epub_file, tmp_path):
    """The e-book as Sphinx alone packs it: no language on a document, no accessibility
    metadata, no ARIA role on the table of contents."""
    broken = tmp_path / "broken.epub"
    with zipfile.ZipFile(epub_file) as source, zipfile.ZipFile(broken, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename.endswith("clashes.xhtml"):
                data = re.sub(rb' (xml:)?lang="[^"]*"', b"", data, count=2)
            elif info.filename.endswith(".opf"):
                data = re.sub(rb'\s*<meta property="schema:[^"]*">[^<]*</meta>', b"", data)
            elif info.filename.endswith("nav.xhtml"):
                data = data.replace(b' role="doc-toc"', b"")
            target.writestr(info, data, compress_type=zipfile.ZIP_STORED if info.filename == "mimetype"
                            else zipfile.ZIP_DEFLATED)
    outcome, found = ace_violations(broken, tmp_path / "ace")
    assert outcome == "fail"
    text = "\n".join(found)
    for rule in ("clashes.xhtml: html-has-lang", "metadata-accessmode", "metadata-accessibilityhazard",
                 "nav.xhtml: epub-type-has-matching-role"):
        assert rule in text, text


def test_accessibility_fixes_on_their_own():
    from briefing_epub import TOC_NAV, with_accessibility, with_language

    page = '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">\n<head>'
    assert with_language(page, "en-GB").startswith(
        '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" lang="en-GB" xml:lang="en-GB">')
    assert with_language(with_language(page, "en-GB"), "en-GB") == with_language(page, "en-GB")
    assert TOC_NAV.sub('<nav epub:type="toc" role="doc-toc"', '<nav epub:type="toc">') == '<nav epub:type="toc" role="doc-toc">'
    opf = with_accessibility("<metadata>\n  </metadata>")
    for name in ("accessMode", "accessModeSufficient", "accessibilityFeature", "accessibilityHazard",
                 "accessibilitySummary"):
        assert f'property="schema:{name}"' in opf, name
