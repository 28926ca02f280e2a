"""Timings of the book's build and of its checker, measured in one run (`make bench`):

1. a full HTML build with the book's checks, and the same build with them off (BRIEFING_CHECKS=0);
2. the rebuild after one chapter is edited, and which pages it rewrote;
3. the checker alone (evidence extraction and source matching, the code the build runs) over
   generated books of 10, 100 and 1,000 sources, each cited by ten blocks.

It prints figures only. ``--tiny`` runs it on a small test book and small generated books, to
show that it works.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
TOOLS = [ROOT / "tools", ROOT / "tools" / "extensions"]
sys.path[:0] = [str(p) for p in TOOLS]
TINY_BOOK = ROOT / "tests" / "roots" / "test-charts"  # its conf.py imports ../rootconf.py
# Not part of a book's sources: left out of the copies the benchmark builds and edits.
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "_build", "node_modules", "tests", ".pytest_cache",
                                    "__pycache__", ".ci")


def build(src: Path, out: Path, *extra: str, checks: bool = True) -> tuple[float, subprocess.CompletedProcess]:
    path = [*map(str, TOOLS), str(TINY_BOOK.parent), os.environ.get("PYTHONPATH", "")]
    env = dict(os.environ, BRIEFING_CHECKS="1" if checks else "0", PYTHONPATH=os.pathsep.join(path))
    if not checks:
        extra += ("-D", "briefing_checks=0")
    command = [sys.executable, "-m", "sphinx", "-b", "html", "-n", "-q", "--no-color", "-d", str(out.parent / f"{out.name}.doctrees"),
               *extra, str(src), str(out)]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    return time.perf_counter() - start, result


def _status(result: subprocess.CompletedProcess) -> str:
    warnings = sum("WARNING" in line for line in result.stderr.splitlines())
    return f" (exit {result.returncode}, {warnings} warning(s))" if result.returncode or warnings else ""


def copy(book: Path, work: Path) -> Path:
    """A copy of the book to build and edit, warmed by one build so both timed builds find its
    charts drawn (the real tree is never touched)."""
    src = work / "book"
    shutil.copytree(book, src, ignore=NOT_COPIED)
    build(src, work / "warm-up")
    return src


def full_builds(book: Path, work: Path, repeat: int) -> None:
    runs, notes = {True: [], False: []}, {}
    for n in range(repeat):
        for checks in (True, False):  # alternated, so a busy moment weighs on both alike
            seconds, result = build(book, work / f"full-{'on' if checks else 'off'}-{n}", "-E", checks=checks)
            runs[checks].append(seconds)
            notes[checks] = _status(result)
    (on, on_note), (off, off_note) = (min(runs[True]), notes[True]), (min(runs[False]), notes[False])
    print(f"1. full build (fastest of {repeat}): with checks {on:.2f} s{on_note}; checks off {off:.2f} s{off_note}; "
          f"ratio {on / off:.2f}")


def edit_rebuild(src: Path, work: Path) -> None:
    out = work / "edit"
    build(src, out)
    chapter = next(p for p in sorted((src / "chapters").glob("*.md")) if p.stem != "bibliography")
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*.html")}
    with chapter.open("a", encoding="utf-8") as handle:
        handle.write("\n% edited by the benchmark\n")  # a MyST comment: a change with no claim
    seconds, result = build(src, out)
    rewritten = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")
                       if before.get(p) != p.stat().st_mtime_ns)
    print(f"2. rebuild after editing {chapter.relative_to(src).as_posix()}: {seconds:.2f} s{_status(result)}; "
          f"{len(rewritten)} of {len(before)} pages rewritten: {', '.join(rewritten)}")


# --- the checker on generated books -----------------------------------------------------------

WORDS = ("officials ministry border village district evacuated reported troops ceasefire talks "
         "statement summit region casualties shelling agreement").split()


def _paragraph(rng: random.Random, figure: int, day: int) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(18))
    return (f"The {words} said {figure:,} people on {day} September 2022, calling it "
            f"\"a {rng.choice(WORDS)} {rng.choice(WORDS)}\" in {rng.choice(WORDS)}.")


def generated_book(root: Path, count: int, seed: int = 1) -> list[tuple[str, list[str], bool]]:
    """``count`` archived sources in root/sources/text with their registry, and ten blocks citing
    each: (text, cited keys, whether the text holds a figure no cited source has)."""
    rng = random.Random(seed)
    (root / "sources" / "text").mkdir(parents=True)
    registry, blocks = [], []
    for n in range(count):
        key = f"src{n:04d}"
        facts = [(rng.randrange(10, 200_000), rng.randrange(1, 29)) for _ in range(12)]
        text = "\n".join(_paragraph(rng, figure, day) for figure, day in facts) + "\n"
        path = root / "sources" / "text" / f"{key}.txt"
        path.write_text(text, encoding="utf-8")
        registry.append(f'[{key}]\ntext = "sources/text/{key}.txt"\n'
                        f'sha256 = "{hashlib.sha256(path.read_bytes()).hexdigest()}"\npage = "sources/{key}"\n'
                        f'published = "2022-09-{rng.randrange(1, 29):02d}"\ndate_basis = "generated"\nshort = "{key}"\n')
        for b in range(10):
            figure, day = facts[b]
            defect = b == 9  # one block in ten cites the wrong source for its figure
            shown = rng.randrange(200_001, 300_000) if defect else figure
            blocks.append((f"Officials of the {rng.choice(WORDS)} said {shown:,} people were affected "
                           f"on {day} September 2022 in the {rng.choice(WORDS)}.", [key], defect))
    (root / "data").mkdir()
    (root / "data" / "sources.toml").write_text("\n".join(registry), encoding="utf-8")
    return blocks


def checker(work: Path, sizes: list[int]) -> None:
    import logging

    from docutils import nodes

    import briefing_claims
    from briefing_sources import registry, source_index

    logging.getLogger("sphinx").setLevel(logging.CRITICAL)  # the defects are intended
    for count in sizes:
        root = work / f"generated-{count}"
        blocks = generated_book(root, count)
        app = SimpleNamespace(srcdir=str(root), config=SimpleNamespace(briefing_sources_file="data/sources.toml"))
        start = time.perf_counter()
        for key in registry(app):
            source_index(app, key)
        indexing = time.perf_counter() - start
        times = {False: [], True: []}
        for text, keys, defect in blocks:
            start = time.perf_counter()
            briefing_claims.check_evidence(app, nodes.paragraph(), text, [], keys, ("generated", 1))
            times[defect].append(time.perf_counter() - start)
        clean, faulty = times[False], times[True]
        print(f"3. checker, {count} sources, {len(blocks)} blocks: indexing {1000 * indexing / count:.3f} ms/source; "
              f"{1000 * sum(clean) / len(clean):.3f} ms/block ({len(clean)} clean blocks), "
              f"{1000 * sum(faulty) / len(faulty):.3f} ms/block ({len(faulty)} with a figure no cited source has)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="a quick run on a small test book")
    parser.add_argument("--repeat", type=int, default=3, help="full builds per setting (the fastest counts)")
    args = parser.parse_args(argv)
    book = TINY_BOOK if args.tiny else ROOT
    repeat = 1 if args.tiny else args.repeat
    sizes = [2, 5] if args.tiny else [10, 100, 1000]
    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as tmp:
        work = Path(tmp)
        print(f"book: {book.relative_to(ROOT).as_posix() or '.'}; Python {sys.version.split()[0]}; {os.cpu_count()} CPU(s)")
        src = copy(book, work)
        full_builds(src, work, repeat)
        edit_rebuild(src, work)
        checker(work, sizes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
