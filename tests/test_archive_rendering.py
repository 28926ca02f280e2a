"""The archive is shown as archived: every rendered paragraph of every archived text is, character
for character, the archived line (no smart quotes, dashes or ellipses put in by the build), in the
HTML book here, in the e-book (tests/test_epub.py) and in the PDF (tests/test_pdf.py), with the
helpers below."""

from __future__ import annotations

import html
import re
import tomllib

from conftest import ROOT

PARAGRAPH = re.compile(r'<p class="archived-paragraph"[^>]*>(.*?)</p>', re.S)


def _rendered(page: str) -> list[str]:
    texts = []
    for inner in PARAGRAPH.findall(page):
        text = html.unescape(re.sub(r"<[^>]+>", "", inner))
        texts.append(re.sub(r"^¶\d+ ", "", text))
    return texts


def archived_texts() -> dict[str, tuple[str, list[str]]]:
    """Each source's page name and archived paragraphs (its non-blank lines), exactly as archived."""
    registry = tomllib.loads((ROOT / "data" / "sources.toml").read_text(encoding="utf-8"))
    return {key: (source["page"], [line.strip() for line in (ROOT / source["text"]).read_text(encoding="utf-8")
                                   .splitlines() if line.strip()])
            for key, source in registry.items()}


def compare_pages(pages: dict[str, str]) -> int:
    """Assert that every archived paragraph is rendered exactly on its page ({page name: markup});
    return how many were compared."""
    checked = 0
    for key, (page, archived) in archived_texts().items():
        shown = _rendered(pages[page])
        assert len(shown) == len(archived), f"{key}: {len(shown)} paragraphs shown, {len(archived)} archived"
        for number, (want, got) in enumerate(zip(archived, shown), start=1):
            assert got == want, f"{page} ¶{number} differs from the archived line:\n{got!r}\n{want!r}"
            checked += 1
    return checked


def pdf_paragraph_pattern(number: int, paragraph: str) -> re.Pattern:
    """The paragraph as pdftotext gives it from the PDF, whitespace collapsed: every character as
    archived, except that any whitespace (a no-break space too: extracted text cannot tell it)
    may be any run of spaces, and a hyphen may be missing where it ended a line (pdftotext joins
    a line ending in a hyphen to the next, which also undoes TeX's own hyphenation)."""
    parts = []
    for char in re.sub(r"\s+", " ", paragraph):
        parts.append(" +" if char == " " else "-?" if char == "-" else re.escape(char))
    return re.compile(rf"¶{number} " + "".join(parts) + r"(?= ¶| |$)")


def test_pdf_pattern_catches_altered_characters():
    pattern = pdf_paragraph_pattern(6, 'He said "no" -- and left\u00a0then.')
    assert pattern.search('x ¶6 He said "no" -- and left then. ¶7')
    assert pattern.search('x ¶6 He said "no" -- and left then.')
    for altered in ('He said “no” -- and left then.', 'He said "no" – and left then.',
                    "He said 'no' -- and left then.", 'He said "no" -- and left then…'):
        assert not pattern.search(f"¶6 {altered} ¶7"), altered


def test_every_archived_paragraph_renders_exactly(book_html):
    registry = tomllib.loads((ROOT / "data" / "sources.toml").read_text(encoding="utf-8"))
    checked = 0
    for key, source in registry.items():
        archived = [line.strip() for line in (ROOT / source["text"]).read_text(encoding="utf-8").splitlines()
                    if line.strip()]
        shown = _rendered((book_html / f"{source['page']}.html").read_text(encoding="utf-8"))
        assert len(shown) == len(archived), f"{key}: {len(shown)} paragraphs shown, {len(archived)} archived"
        for number, (want, got) in enumerate(zip(archived, shown), start=1):
            assert got == want, f"{source['page']}.html ¶{number} differs from non-blank line {number} of {source['text']}:\n{got!r}\n{want!r}"
            checked += 1
    assert checked > 60
