"""Timings of the book's build and of its checker, measured in one run (`make bench`):

0. start-up: the imports of a build that has nothing to do, and whether a plotting library or
   another heavy module is among them;
1. a full HTML build, beside the same built by plain Sphinx with none of the book's own
   extensions;
2. the rebuild after a word of a cited paragraph of one chapter is changed (past the block's
   opening words, and among them), and a rebuild with nothing changed, each beside the same built
   by plain Sphinx with none of the book's own extensions (alternated: the fastest of each is
   shown, and the ratio is the median of the pairs' ratios), built as `make html` builds (a new
   Python each time);
3. the checker alone (the code the build runs) over generated books of 10, 100 and 1,000 sources,
   each cited by ten blocks;
4. scaling: the book and replicas of it 5 and 20 times its size (tools/replicate.py): full build,
   one-chapter rebuild and peak memory, and the cost per page;
5. a parallel build (-j auto) of the largest book beside the serial one;
6. the live preview (`make livehtml`, plain sphinx-autobuild): from saving a chapter to the
   browser showing the change.

Each bound the book keeps is printed beside its figure ("bound: … met"). ``--without EXT`` adds,
to the full build and the edit loop, the book built without that extension of conf.py (built in
turn with the others: the ratio with/without is taken in the same run).

It prints figures only. ``--tiny`` runs it on a small test book and small generated books, to
show that it works.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
TOOLS = [ROOT / "tools", ROOT / "tools" / "extensions"]
sys.path[:0] = [str(p) for p in TOOLS]
from sphinxbuild import sphinx_args  # noqa: E402  (the one spelling of a sphinx-build command line)
from briefing.claims import OPENING_WORDS  # noqa: E402
TINY_BOOK = ROOT / "tests" / "roots" / "test-claims-clean"  # its conf.py imports ../rootconf.py
TINY_LONG_BLOCK = ("\nIn the statement it issued that evening about the situation along the border and in the "
                   "villages near it, the ministry said 59 people were hospitalised {cite:p}`alpha2022{¶2}`.\n")
# Not part of a book's sources: left out of the copies the benchmark builds and edits.
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "_build", "node_modules", "tests", ".pytest_cache",
                                    "__pycache__", ".ci")
# Runs sphinx-build in this process and reports its peak memory (its own and its workers').
MEASURED_BUILD = """import resource, sys
from sphinx.cmd.build import main
code = main(sys.argv[1:])
peak = max(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.stderr.write(f"\\nbench-peak-kib {peak}\\n")
sys.exit(code)
"""
# Modules a build should import only when it has a use for them.
HEAVY = ("matplotlib", "numpy", "sphinxext.opengraph", "playwright", "frictionless")


class Run(SimpleNamespace):
    """One timed build: seconds, peak memory (MiB), the finished process."""


def _env() -> dict:
    path = [*map(str, TOOLS), str(TINY_BOOK.parent), os.environ.get("PYTHONPATH", "")]
    return dict(os.environ, PYTHONPATH=os.pathsep.join(path))


def build(src: Path, out: Path, *extra: str, python: tuple[str, ...] = ()) -> Run:
    command = [sys.executable, *python, "-c", MEASURED_BUILD,
               *sphinx_args(src, out, "html", "--no-color", "-d", str(out.parent / f"{out.name}.doctrees"), *extra,
                            strict=False)]
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, env=_env())
    seconds = time.perf_counter() - start
    peak = re.search(r"bench-peak-kib (\d+)", result.stderr)
    return Run(seconds=seconds, peak=int(peak.group(1)) / 1024 if peak else 0.0, result=result)


def _status(run: Run) -> str:
    warnings = sum("WARNING" in line for line in run.result.stderr.splitlines())
    code = run.result.returncode
    return f" (exit {code}, {warnings} warning(s))" if code or warnings else ""


def copy(book: Path, work: Path, name: str = "book") -> Path:
    """A copy of the book to build and edit (the real tree is never touched)."""
    src = work / name
    shutil.copytree(book, src, ignore=NOT_COPIED)
    return src


def _pages(out: Path) -> list[Path]:
    return [p for p in out.rglob("*.html") if p.name not in ("search.html", "genindex.html", "404.html")]


def edited_chapter(src: Path) -> Path:
    """The chapter the benchmark edits: the first that draws no chart."""
    prose = [p for p in sorted((src / "chapters").glob("*.md"))
             if p.stem not in ("bibliography", "glossary", "how-to-cite")]
    return next((p for p in prose if "-chart}" not in p.read_text(encoding="utf-8")), prose[0])


# A cited block is known by its opening words (its anchor and its sources' "Cited by" lists show
# them: briefing.claims.snippet); an edit this many words in is past them.
PAST_OPENING = OPENING_WORDS + 6


def edit_word(src: Path, word: str = "indeed", opening: bool = False) -> Path:
    """Add ``word`` to the first cited paragraph of the edited chapter long enough for it: a real
    edit of a claim, as an author makes it; past the block's opening words, or among them."""
    chapter = edited_chapter(src)
    text = chapter.read_text(encoding="utf-8")
    for paragraph in re.finditer(r"(?:^[^\S\n]*\S.*(?:\n|$))+", text, re.MULTILINE):
        para = paragraph.group(0)
        if "{cite:" not in para or not re.match(r"[A-Za-z-]", para):
            continue
        # A word outside quotation marks and markup: a quotation must stay exact.
        found = next((m for m in re.finditer(r"(?<=\s)[a-z]{4,}\b", para)
                      if not _quoted(para[:m.start()]) and para[:m.start()].count("`") % 2 == 0
                      and (opening or len(para[:m.start()].split()) >= PAST_OPENING)), None)
        if found:
            at = paragraph.start() + found.start()
            chapter.write_text(text[:at] + word + " " + text[at:], encoding="utf-8")
            return chapter
    raise SystemExit(f"bench: no cited paragraph to edit in {chapter}")


def _quoted(before: str) -> bool:
    """Whether a position follows an opening quotation mark that is not yet closed."""
    return before.count("\u201c") > before.count("\u201d") or before.count('"') % 2 == 1


# --- 0. start-up ------------------------------------------------------------------------------

def startup(src: Path, work: Path) -> None:
    out = work / "startup"
    build(src, out)
    run = build(src, out, python=("-X", "importtime"))
    total, heavy = 0, set()
    for line in run.result.stderr.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+\d+ \|\s*(\S+)", line)
        if match:
            total += int(match.group(1))
            heavy |= {name for name in HEAVY if match.group(2) == name}
    print(f"0. start-up: a build with nothing to do imports modules for {total / 1e6:.2f} s of its "
          f"{run.seconds:.2f} s; heavy modules imported: {', '.join(sorted(heavy)) or 'none'}")


# --- 1. full builds ---------------------------------------------------------------------------

def paired_ratio(first: list[float], second: list[float]) -> tuple[float, str]:
    """The median of the ratios of builds run one after the other, and their range. This machine's
    speed changes in spells (the same build took 3.6 s and 4.7 s in one run), so the fastest of
    each side may come from different spells; a pair shares one."""
    ratios = sorted(a / b for a, b in zip(first, second))
    middle = len(ratios) // 2
    median = ratios[middle] if len(ratios) % 2 else (ratios[middle - 1] + ratios[middle]) / 2
    pairs = f"{len(ratios)} pairs" if len(ratios) > 1 else "1 pair"
    return median, f"ratio {median:.2f} (the median of {pairs} built in turn, from {ratios[0]:.2f} to {ratios[-1]:.2f})"


BOUNDS = {"full": 1.6, "edit": 1.3, "live": 2.0, "scaling": 1.3}


def bound(what: str, figure: float, limit: float, unit: str = "") -> None:
    verdict = "met" if figure <= limit else "NOT met"
    print(f"bound: {what} ≤ {limit:g}{unit}: {figure:.2f}{unit}, {verdict}")


def plain_copy(book: Path, work: Path, name: str) -> tuple[Path, tuple[str, ...]]:
    """A copy of the book and the arguments that build it with plain Sphinx (PLAIN_CONF)."""
    plain = copy(book, work, name)
    confdir = work / f"{name}-conf"
    confdir.mkdir()
    (confdir / "conf.py").write_text(PLAIN_CONF.format(conf=str(plain / "conf.py")), encoding="utf-8")
    return plain, ("-c", str(confdir))


def without(book: Path, work: Path, extensions: list[str], name: str) -> Path:
    """A copy of the book whose conf.py leaves out ``extensions``."""
    copied = copy(book, work, name)
    with (copied / "conf.py").open("a", encoding="utf-8") as conf:
        conf.write(f"\nextensions = [e for e in extensions if e not in {extensions!r}]\n")
    return copied


def full_builds(book: Path, work: Path, repeat: int, leave_out: list[str] = ()) -> None:
    plain, plain_args = plain_copy(book, work, "full-plain")
    lean = without(book, work, list(leave_out), "full-without") if leave_out else None
    kinds = ["book", "plain"] + (["without"] if lean else [])
    runs: dict[str, list[float]] = {kind: [] for kind in kinds}
    notes: dict[str, str] = {}
    for n in range(repeat):
        for kind in kinds:  # alternated, so a busy moment weighs on all alike
            out = work / f"full-{kind}-{n}"
            run = (build(plain, out, "-E", *plain_args) if kind == "plain" else
                   build(lean, out, "-E") if kind == "without" else build(book, out, "-E"))
            runs[kind].append(run.seconds)
            notes[kind] = _status(run)
    print(f"1. full build (fastest of {repeat}): {min(runs['book']):.2f} s{notes['book']}")
    against, text = paired_ratio(runs["book"], runs["plain"])
    print(f"1. full build with plain Sphinx (none of the book's extensions): {min(runs['plain']):.2f} s"
          f"{notes['plain']}; the book's against it: {text}")
    bound("full build, the book's against plain Sphinx's", against, BOUNDS["full"], "×")
    if lean:
        _, text = paired_ratio(runs["book"], runs["without"])
        print(f"1. full build without {', '.join(leave_out)}: {min(runs['without']):.2f} s{notes['without']}; "
              f"with against without: {text}")


# --- 2. the edit loop -------------------------------------------------------------------------

PLAIN_CONF = """# The book's sources with none of its own extensions: what Sphinx alone costs.
import runpy
from pathlib import Path
book = runpy.run_path({conf!r})
project = book.get("project", "plain")
extensions = ["myst_parser", "sphinx_design", "sphinxcontrib.bibtex"]
source_suffix = book["source_suffix"]
include_patterns = book.get("include_patterns", ["**"])
exclude_patterns = book["exclude_patterns"]
myst_enable_extensions = book["myst_enable_extensions"]
myst_heading_anchors = book.get("myst_heading_anchors", 0)
# sphinxcontrib-bibtex finds the bibliography beside conf.py, and this conf.py is elsewhere.
bibtex_bibfiles = [str(Path({conf!r}).parent / name) for name in book["bibtex_bibfiles"]]
html_theme = book.get("html_theme", "alabaster")
# The book's own directives and roles, unknown without its extensions; any other warning shows.
suppress_warnings = ["myst.directive_unknown", "myst.role_unknown"]
"""


def _rewritten(out: Path, before: dict) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html") if before.get(p) != p.stat().st_mtime_ns)


def edit_loop(src: Path, work: Path, repeat: int = 3, leave_out: list[str] = ()) -> None:
    """The edit loop, the book's and plain Sphinx's builds alternated ``repeat`` times (each time
    another word of the same paragraph), so that a busy moment weighs on both alike; the fastest
    of each is shown, and their ratio is the median of the pairs' ratios. Built as `make html`
    builds (a new Python each time); with ``leave_out``, the book without those extensions too."""
    books = {"make html": copy(src, work, "edit-book")}
    if leave_out:
        books[f"make html without {', '.join(leave_out)}"] = without(src, work, list(leave_out), "edit-without")
    plain, plain_args = plain_copy(src, work, "edit-plain")
    edited = {}
    for n, (mode, book) in enumerate(books.items()):
        edited[mode] = _edit_loop_of(mode, book, plain, work / f"edit-{n}", work / f"edit-plain-{n}-html",
                                     plain_args, {"book": build, "plain": build}, repeat)
    if len(edited) == 2:
        (_, with_), (other, without_) = edited.items()
        print(f"2. {other}: the edit with against without: {paired_ratio(with_, without_)[1]}")


def _edit_loop_of(mode, book, plain, out, plain_out, plain_args, builders, repeat) -> None:
    build_book = lambda: builders["book"](book, out)  # noqa: E731
    build_plain = lambda: builders["plain"](plain, plain_out, *plain_args)  # noqa: E731
    build_book()
    build_plain()
    runs: dict[str, list] = {"unchanged": [], "plain unchanged": [], "edited": [], "plain edited": [], "opening": []}
    rewritten, opening_rewritten, pages = [], [], 0
    for n in range(repeat):
        runs["unchanged"].append(build_book())
        runs["plain unchanged"].append(build_plain())
        before = {p: p.stat().st_mtime_ns for p in out.rglob("*.html")}
        chapter = edit_word(book)
        runs["edited"].append(build_book())
        if n == 0:
            pages, rewritten = len(before), _rewritten(out, before)
        edit_word(plain)
        runs["plain edited"].append(build_plain())
        before = {p: p.stat().st_mtime_ns for p in out.rglob("*.html")}
        edit_word(book, "newly", opening=True)
        runs["opening"].append(build_book())
        if n == 0:
            opening_rewritten = _rewritten(out, before)
    best = {name: min(found, key=lambda run: run.seconds) for name, found in runs.items()}
    edited, plain_edited = best["edited"], best["plain edited"]
    unchanged, plain_unchanged = best["unchanged"], best["plain unchanged"]
    print(f"2. {mode}: rebuild after changing a word in {chapter.relative_to(book).as_posix()}, past a cited "
          f"block's opening words (fastest of {repeat}): {edited.seconds:.2f} s{_status(edited)}; "
          f"{len(rewritten)} of {pages} pages rewritten: {', '.join(rewritten)}")
    print(f"2. {mode}: the same edit with plain Sphinx (none of the book's extensions): "
          f"{plain_edited.seconds:.2f} s{_status(plain_edited)}; "
          f"{paired_ratio([r.seconds for r in runs['edited']], [r.seconds for r in runs['plain edited']])[1]}")
    print(f"2. {mode}: rebuild with nothing changed: {unchanged.seconds:.2f} s{_status(unchanged)}; plain Sphinx "
          f"{plain_unchanged.seconds:.2f} s: "
          f"{paired_ratio([r.seconds for r in runs['unchanged']], [r.seconds for r in runs['plain unchanged']])[1]}")
    opening = best["opening"]
    print(f"2. {mode}: a word changed among a cited block's opening words, which the \"Cited by\" lists of its "
          f"sources show: {opening.seconds:.2f} s{_status(opening)}; {len(opening_rewritten)} pages rewritten: "
          f"{', '.join(opening_rewritten)}")
    if mode == "make html":
        bound("one-word edit with make html, the book's against plain Sphinx's",
              paired_ratio([r.seconds for r in runs["edited"]], [r.seconds for r in runs["plain edited"]])[0],
              BOUNDS["edit"], "×")
    return [r.seconds for r in runs["edited"]]


# --- the checker on generated books -----------------------------------------------------------

WORDS = ("officials ministry border village district evacuated reported troops ceasefire talks "
         "statement summit region casualties shelling agreement").split()


def _paragraph(rng: random.Random, figure: int, day: int) -> str:
    words = " ".join(rng.choice(WORDS) for _ in range(18))
    return (f"The {words} said {figure:,} people on {day} September 2022, calling it "
            f"\"a {rng.choice(WORDS)} {rng.choice(WORDS)}\" in {rng.choice(WORDS)}.")


def generated_book(root: Path, count: int, seed: int = 1) -> list[tuple[str, list[str], int, bool]]:
    """``count`` archived sources in root/sources/text with their registry, and ten blocks citing
    each: (text, cited keys, the paragraph each pinpoints, whether the text holds a figure no
    cited source has)."""
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
                        f'published = "2022-09-{rng.randrange(1, 29):02d}"\ndate_basis = "generated"\nurl_basis = "generated"\nshort = "{key}"\n')
        for b in range(10):
            figure, day = facts[b]
            defect = b == 9  # one block in ten cites the wrong source for its figure
            shown = rng.randrange(200_001, 300_000) if defect else figure
            blocks.append((f"Officials of the {rng.choice(WORDS)} said {shown:,} people were affected "
                           f"on {day} September 2022 in the {rng.choice(WORDS)}.", [key], b + 1, defect))
    (root / "data").mkdir()
    (root / "data" / "sources.toml").write_text("\n".join(registry), encoding="utf-8")
    return blocks


def pinned_block(text: str, keys: list[str], paragraph: int):
    """A block as the build reads it: one citation, each key pinpointing ``paragraph``."""
    from briefing.claims import Block, Segment
    from briefing.pinpoints import Cite

    return Block(text, tuple(keys), segments=(Segment(len(text), tuple(Cite(k, (paragraph,)) for k in keys)),))


def generated_corpus(root: Path):
    """The corpus of a generated book, read with the book's own vocabularies."""
    from briefing.corpus import Corpus

    return Corpus(root, names_file=str(ROOT / "data" / "names.toml"), counted_file=str(ROOT / "data" / "counted.toml"),
                  events_file=str(ROOT / "data" / "events.toml"), related_file=str(ROOT / "data" / "related.toml"),
                  meaning_file=str(ROOT / "data" / "meaning.toml"))


def checker(work: Path, sizes: list[int]) -> None:
    from briefing.claims import judge

    for count in sizes:
        root = work / f"generated-{count}"
        blocks = generated_book(root, count)
        start = time.perf_counter()
        corpus = generated_corpus(root)
        for key in corpus.keys():
            corpus.index(key)
        indexing = time.perf_counter() - start
        times = {False: [], True: []}
        for text, keys, paragraph, defect in blocks:
            block = pinned_block(text, keys, paragraph)
            start = time.perf_counter()
            judge(block, corpus)
            times[defect].append(time.perf_counter() - start)
        clean, faulty = times[False], times[True]
        if count == sizes[len(sizes) // 2]:
            rule_costs(corpus, blocks, count)
        print(f"3. checker (evidence, pinpoint and meaning rules), {count} sources, {len(blocks)} blocks: indexing "
              f"{1000 * indexing / count:.3f} ms/source; {1000 * sum(clean) / len(clean):.3f} ms/block "
              f"({len(clean)} clean blocks), {1000 * sum(faulty) / len(faulty):.3f} ms/block ({len(faulty)} "
              "with a figure no cited source has)")


def rule_costs(corpus, blocks, count: int) -> None:
    """What each rule adds per block: the evidence rule alone, then each rule of meaning with it."""
    from briefing import claims

    everything = claims.MEANING_RULES

    def per_block(rules) -> float:
        claims.MEANING_RULES = rules
        start = time.perf_counter()
        for text, keys, paragraph, _defect in blocks:
            claims.judge(pinned_block(text, keys, paragraph), corpus)
        return 1000 * (time.perf_counter() - start) / len(blocks)

    try:
        base = per_block(())
        costs = [f"{rule.__name__.removeprefix('rule_')} +{max(0.0, per_block((rule,)) - base):.3f}"
                 for rule in everything]
    finally:
        claims.MEANING_RULES = everything
    print(f"3. rule costs, {count} sources: evidence {base:.3f} ms/block; each rule of meaning adds (ms/block): "
          + ", ".join(costs))


# --- 4 and 5. scaling -------------------------------------------------------------------------

def scaling(src: Path, work: Path, factors: list[int]) -> None:
    from replicate import replicate

    per_page = {}
    largest = None
    for factor in factors:
        book = copy(src, work, f"scale-{factor}x")
        if factor > 1:
            replicate(book, factor - 1)
        out = work / f"scale-{factor}x-html"
        full = build(book, out, "-E")
        pages = len(_pages(out))
        edit_word(book)
        rebuild = build(book, out)
        per_page[factor] = full.seconds / pages
        largest = (factor, book, full)
        print(f"4. {factor}x book, {pages} pages: full build {full.seconds:.2f} s{_status(full)} "
              f"({1000 * per_page[factor]:.1f} ms/page, peak {full.peak:.0f} MiB); "
              f"one-chapter rebuild {rebuild.seconds:.2f} s{_status(rebuild)} (peak {rebuild.peak:.0f} MiB)")
    first, last = factors[0], factors[-1]
    print(f"4. cost per page at {last}x against {first}x: ratio {per_page[last] / per_page[first]:.2f}")
    bound(f"cost per page at {last}x against {first}x", per_page[last] / per_page[first], BOUNDS["scaling"], "×")
    factor, book, serial = largest
    parallel = build(book, work / f"scale-{factor}x-parallel", "-E", "-j", "auto")
    faster = "faster" if parallel.seconds < serial.seconds else "not faster"
    print(f"5. {factor}x book with -j auto ({os.cpu_count()} CPU(s)): {parallel.seconds:.2f} s{_status(parallel)} "
          f"against {serial.seconds:.2f} s serial: {faster} (ratio {parallel.seconds / serial.seconds:.2f})")


# --- 6. the live preview ----------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serving(url: str, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return True
        except OSError:
            time.sleep(0.2)
    return False


LIVE_SERVERS = {
    "make livehtml (plain sphinx-autobuild: a new python -m sphinx per rebuild)":
        ["-m", "sphinx_autobuild", "-D", "briefing_check_banner=1"],
}


def live_preview(src: Path, work: Path, repeat: int = 3) -> None:
    """Save a chapter while the browser shows it under the live preview; time until the page
    shows the change. Measured for the book's preview and for plain sphinx-autobuild."""
    from browser import CHROMIUM

    if not Path(CHROMIUM).exists():
        print(f"6. live preview: not measured: {CHROMIUM} is missing (apt-get install chromium)")
        return
    for n, (name, server) in enumerate(LIVE_SERVERS.items()):
        shown, best = _live_preview_once(src, work / f"live-{n}", server, repeat)
        print(f"6. live preview, {name}: from saving a chapter to the browser showing the change: {shown}")
        if best is not None:
            bound("live preview, save to page shown", best, BOUNDS["live"], " s")


def _live_preview_once(src: Path, work: Path, server_command: list[str], repeat: int = 3) -> tuple[str, float | None]:
    from browser import launch
    from playwright.sync_api import Error, sync_playwright

    work.mkdir()
    book = copy(src, work, "live-book")
    out = work / "live-html"
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, *server_command, "-b", "html", "-q", "--host", "127.0.0.1",
         "--port", str(port), "-d", str(work / "live-doctrees"), str(book), str(out)],
        env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        chapter = edited_chapter(book)
        page_path = chapter.relative_to(book).with_suffix(".html").as_posix()
        url = f"http://127.0.0.1:{port}/{page_path}"
        if not _serving(url, time.monotonic() + 180):
            return "not measured: the server did not start serving", None
        times = []
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_page()
            page.goto(url)
            for n in range(repeat):  # the fastest of a few saves counts: these machines are noisy
                marker = f"Benchmarkedit{n}"
                started = time.perf_counter()
                edit_word(book, marker)
                while time.perf_counter() - started < 60:
                    try:
                        if page.evaluate(f"() => !!document.body && document.body.innerText.includes({marker!r})"):
                            times.append(time.perf_counter() - started)
                            break
                    except Error:
                        pass  # the page is reloading
                    time.sleep(0.02)
                else:
                    break
            browser.close()
        return (f"{min(times):.2f} s (fastest of {len(times)})", min(times)) if times else ("not within 60 s", None)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tiny", action="store_true", help="a quick run on a small test book")
    parser.add_argument("--repeat", type=int, default=5, help="builds per setting (the fastest of each is shown; "
                        "ratios are the median of pairs)")
    parser.add_argument("--only", choices=["startup", "full", "edit", "live", "checker"], help="run one section only")
    parser.add_argument("--without", default="", help="extensions of conf.py (comma-separated) to weigh: the full "
                        "build and the edit loop are also built without them")
    args = parser.parse_args(argv)
    book = TINY_BOOK if args.tiny else ROOT
    repeat = 1 if args.tiny else args.repeat
    sizes = [2, 5] if args.tiny else [10, 100, 1000]
    factors = [1, 2] if args.tiny else [1, 5, 20]
    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as tmp:
        work = Path(tmp)
        print(f"book: {book.relative_to(ROOT).as_posix() or '.'}; Python {sys.version.split()[0]}; {os.cpu_count()} CPU(s)")
        if args.only == "checker":
            checker(work, sizes)
            return 0
        src = copy(book, work)
        if args.tiny:  # its paragraphs are shorter than a block's opening words: one that is not
            with (src / "chapters" / "one.md").open("a", encoding="utf-8") as chapter:
                chapter.write(TINY_LONG_BLOCK)
        if args.only == "startup":
            startup(src, work)
            return 0
        leave_out = [name for name in args.without.split(",") if name]
        if args.only == "full":
            full_builds(src, work, repeat, leave_out)
            return 0
        if args.only == "edit":
            edit_loop(src, work, repeat, leave_out)
            return 0
        if args.only == "live":
            live_preview(src, work, repeat)
            return 0
        startup(src, work)
        full_builds(src, work, repeat)
        edit_loop(src, work, repeat)
        checker(work, sizes)
        scaling(src, work, factors)
        live_preview(src, work, repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
