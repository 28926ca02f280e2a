"""Anchors readers link to must not disappear: a baseline of the ids of the built pages, and a
check that every id in it is still there (after CPython's Doc/tools/check-html-ids.py).

    python tools/check_html_ids.py collect _build/html   # write data/html-ids-baseline.json
    python tools/check_html_ids.py check _build/html     # fail on every id that disappeared

Only the pages readers cite (the front page, the chapters, the source pages) and only ids inside
the page's main content count. New ids are fine. Sphinx's numbered ids (id3, index-0) are left
out: they are not stable by design. The claim anchors (claim-<hash>) are kept: readers cite single
claims, and an anchor changes when its block's wording does, so rewording a cited claim is a
deliberate edit of the baseline.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "data" / "html-ids-baseline.json"
PAGES = ("index.html", "chapters/*.html", "sources/*.html")
UNSTABLE = re.compile(r"id\d+|index-\d+|[_a-z]+_\d+|sd-tab-(item|set)-\d+(-content)?")


class _MainIds(HTMLParser):
    """The ids inside <article role="main"> (the theme's chrome is not the book's)."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
            "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self._depth = 0  # open elements inside the main article; 0 when outside it

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._depth == 0:
            if tag == "article" and attrs.get("role") == "main":
                self._depth = 1
            return
        if attrs.get("id") and not UNSTABLE.fullmatch(attrs["id"]):
            self.ids.add(attrs["id"])
        if tag not in self.VOID:
            self._depth += 1

    def handle_startendtag(self, tag, attrs):
        if self._depth:
            attrs = dict(attrs)
            if attrs.get("id") and not UNSTABLE.fullmatch(attrs["id"]):
                self.ids.add(attrs["id"])

    def handle_endtag(self, tag):
        if self._depth and tag not in self.VOID:
            self._depth -= 1


def page_ids(path: Path) -> list[str]:
    parser = _MainIds()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return sorted(parser.ids)


def collect(html_dir: Path) -> dict[str, list[str]]:
    pages = sorted({p for pattern in PAGES for p in html_dir.glob(pattern)})
    return {p.relative_to(html_dir).as_posix(): page_ids(p) for p in pages}


def removed(baseline: dict[str, list[str]], current: dict[str, list[str]]) -> list[str]:
    """Every page or id of the baseline that the current build lacks, one message each."""
    problems = []
    for page, ids in sorted(baseline.items()):
        if page not in current:
            problems.append(f"{page}: the page is gone, and with it the links to its {len(ids)} anchors")
            continue
        have = set(current[page])
        problems += [_gone(page, i) for i in ids if i not in have]
    return problems


def _gone(page: str, anchor: str) -> str:
    if anchor.startswith("claim-"):
        return (f"{page}: claim anchor '{anchor}' disappeared (links to {page}#{anchor} now break): "
                "a cited block was reworded or removed; if that is deliberate, run 'collect' again")
    return (f"{page}: id '{anchor}' disappeared (links to {page}#{anchor} now break); restore the "
            f"anchor, e.g. with a target '({anchor})=' before the heading")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("collect", "check"))
    parser.add_argument("html_dir", type=Path, help="the built HTML book, e.g. _build/html")
    parser.add_argument("--baseline", type=Path, default=BASELINE)
    args = parser.parse_args(argv)
    if not (args.html_dir / "index.html").is_file():
        print(f"{args.html_dir}: no built book here (no index.html); build it first", file=sys.stderr)
        return 2
    current = collect(args.html_dir)
    if args.command == "collect":
        args.baseline.write_text(json.dumps(current, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"{args.baseline}: {sum(map(len, current.values()))} ids on {len(current)} pages")
        return 0
    if not args.baseline.is_file():
        print(f"{args.baseline}: no baseline; run 'collect' first", file=sys.stderr)
        return 2
    problems = removed(json.loads(args.baseline.read_text(encoding="utf-8")), current)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
