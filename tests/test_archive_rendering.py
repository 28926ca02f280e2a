"""The archive is shown as archived: every rendered paragraph of every archived text is, character
for character, the archived line (no smart quotes, dashes or ellipses put in by the build)."""

from __future__ import annotations

import html
import re
import tomllib

from conftest import ROOT

PARAGRAPH = re.compile(r'<p class="archived-paragraph">(.*?)</p>', re.S)


def _rendered(page: str) -> list[str]:
    texts = []
    for inner in PARAGRAPH.findall(page):
        text = html.unescape(re.sub(r"<[^>]+>", "", inner))
        texts.append(re.sub(r"^¶\d+ ", "", text))
    return texts


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
