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
from pathlib import Path

from briefing.htmlpage import parse_page  # the one model of a built page (tools/ is on the path)

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "data" / "html-ids-baseline.json"
PAGES = ("index.html", "chapters/*.html", "sources/*.html")
UNSTABLE = re.compile(r"id\d+|index-\d+|[_a-z]+_\d+|sd-tab-(item|set)-\d+(-content)?")


def page_ids(path: Path) -> list[str]:
    """The stable ids inside the page's <article role="main"> (the theme's chrome is not the book's)."""
    page = parse_page(path.read_text(encoding="utf-8"))
    return sorted(i for i in page.main_ids if not UNSTABLE.fullmatch(i))


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
