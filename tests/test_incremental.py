"""A rebuild is a fresh build: for each kind of input and each sequence of builders, build a copy of
a tiny book, change one input, build again, and compare the warnings and every output file with a
fresh build of the changed copy.

Each build is a new ``python -m sphinx`` (as ``make html`` runs it) with the book's gate flags, and
the copies carry the book's extensions beyond the test roots' own (rootconf.py), so that every
cache and shortcut of an incremental build is exercised. The three sequences of a case and its
fresh build run side by side, each in a copy of its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import ROOT

# A few seconds a case, three sequences and a fresh build each: `make test` runs it, `make check` not.
pytestmark = pytest.mark.slow

# The book's extensions a tiny root can carry: "Cite this page", the built-HTML check, the
# accessibility fixes and reading aids, the build-folder guard, the search's figures, and the book's theme.
EXTRA = ["briefing_cite", "briefing_links", "briefing_a11y", "briefing_reading", "briefing_builddir", "briefing_search"]
# Besides, where the root has data rows: the reference-manager metadata, the claims register and
# the data package.
DATA_EXTRA = ["briefing_metadata", "briefing_register"]

CONF = """
from rootconf import *  # noqa: F401,F403

briefing_cited_docs = ["index", "chapters/*", "sources/*"]
extensions = extensions + {extensions!r}
html_theme = "furo"
project = "Test book"
copyright = "2026, the test book's editors"  # the EPUB builder wants both
release = version = "1"
"""

HOW_TO_CITE = """---
uncited: how to cite the book; it makes no claim
---

# How to cite
"""

# builder sequences: the builders run after the first html build and the edit, the last is html.
SEQUENCES = {"html": ("html",), "dirhtml": ("dirhtml", "html"), "epub": ("epub", "html")}


def prepare(root: str, dest: Path) -> Path:
    shutil.copytree(ROOT / "tests" / "roots" / f"test-{root}", dest, ignore=shutil.ignore_patterns("__pycache__"))
    extensions = EXTRA + (DATA_EXTRA if (dest / "data" / "figures.csv").exists() else [])
    (dest / "conf.py").write_text(CONF.format(extensions=extensions), encoding="utf-8")
    if "briefing_register" in extensions:
        # What the register and the metadata read, as the book keeps them.
        shutil.copyfile(ROOT / "data" / "claims-register.schema.json", dest / "data" / "claims-register.schema.json")
        cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
        cff = re.sub(r"(?m)^title: .*$", 'title: "Test book"', cff)
        cff = re.sub(r"(?m)^version: .*$", 'version: "1"', cff)
        (dest / "CITATION.cff").write_text(cff, encoding="utf-8")
        (dest / "chapters" / "how-to-cite.md").write_text(HOW_TO_CITE, encoding="utf-8")
        index = dest / "index.md"
        index.write_text(index.read_text(encoding="utf-8").replace("chapters/bibliography",
                                                                   "chapters/how-to-cite\nchapters/bibliography"),
                         encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def tools(tmp_path_factory) -> Path:
    """The book's code as the module's tests started, shared by all their builds: the rules' code
    is part of the environment's version, so every build of a case must run the same code."""
    copy = tmp_path_factory.mktemp("code")
    shutil.copytree(ROOT / "tools", copy / "tools", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(ROOT / "tests" / "roots" / "rootconf.py", copy / "rootconf.py")
    return copy


def build(src: Path, builder: str, out: Path, doctrees: Path, code: Path) -> tuple[int, Counter]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(code / "tools"), str(code / "tools" / "extensions"), str(code)]),
        "NO_COLOR": "1", "BRIEFING_CHART_CACHE": "0"}
    result = subprocess.run([sys.executable, "-m", "sphinx", "-b", builder, "-W", "-n", "--keep-going", "-q",
                             "-d", str(doctrees), str(src), str(out)], capture_output=True, text=True, env=env)
    assert result.returncode in (0, 1), f"{builder} build of {src} crashed:\n{result.stderr[-3000:]}"
    # The copies lie in different folders: a warning names its file relative to its copy.
    lines = [re.sub(r"\x1b\[[0-9;]*m", "", line).replace(str(src) + os.sep, "")
             for line in result.stderr.splitlines() if "WARNING" in line]
    return result.returncode, Counter(lines)


def normalised(path: Path, rel: str) -> bytes:
    data = path.read_bytes()
    if rel == "searchindex.js":
        # Sphinx keeps a word that no page holds any more as a term of no page ("word": []), where a
        # fresh build has no such term; it finds nothing, so only the terms that find a page count.
        index = json.loads(data.decode("utf-8")[len("Search.setIndex("):-1])
        for part in ("terms", "titleterms"):
            index[part] = {term: pages for term, pages in index[part].items() if pages != []}
        return json.dumps(index, sort_keys=True).encode()
    return data


# Sphinx's backup of the previous build's settings, made when they changed: a fresh folder has none.
NOT_COMPARED = {".buildinfo.bak"}


def files_of(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): normalised(p, p.relative_to(out).as_posix())
            for p in sorted(out.rglob("*")) if p.is_file() and p.relative_to(out).as_posix() not in NOT_COMPARED}


def differences(incremental: dict[str, bytes], fresh: dict[str, bytes]) -> list[str]:
    found = [f"only in the incremental build: {name}" for name in sorted(set(incremental) - set(fresh))]
    found += [f"only in the fresh build: {name}" for name in sorted(set(fresh) - set(incremental))]
    for name in sorted(set(incremental) & set(fresh)):
        if incremental[name] != fresh[name]:
            old, new = incremental[name].decode("utf-8", "replace"), fresh[name].decode("utf-8", "replace")
            at = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
            found.append(f"{name} differs: incremental …{old[max(0, at - 80):at + 80]!r}… "
                         f"fresh …{new[max(0, at - 80):at + 80]!r}…")
    return found


# --- the edits --------------------------------------------------------------------------------

def replace(rel: str, old: str, new: str):
    def edit(src: Path) -> None:
        path = src / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return edit


def both(*edits):
    def edit(src: Path) -> None:
        for one in edits:
            one(src)
    return edit


def rehash(key: str):
    """Record the archived text's new SHA-256 in the registry, as an author does after an edit."""
    def edit(src: Path) -> None:
        registry = src / "data" / "sources.toml"
        digest = hashlib.sha256((src / "sources" / "text" / f"{key}.txt").read_bytes()).hexdigest()
        text = registry.read_text(encoding="utf-8")
        text = re.sub(rf'(\[{key}\][^\[]*?sha256 = ")[0-9a-f]+', rf"\g<1>{digest}", text, count=1)
        registry.write_text(text, encoding="utf-8")
    return edit


CASES = {
    # pinpoint: one source, every rule of meaning.
    "chapter-text": ("pinpoint", replace("chapters/one.md", "using heavy weaponry", "using heavy guns")),
    "chapter-text-wrong": ("pinpoint", replace("chapters/one.md", "59 people dead", "58 people dead")),
    "chapter-title": ("pinpoint", replace("chapters/one.md", "# One", "# The first chapter")),
    "archived-text": ("pinpoint", both(replace("sources/text/gamma2022.txt", "seven villages", "eight villages"),
                                        rehash("gamma2022"))),
    "archived-text-stale-hash": ("pinpoint", replace("sources/text/gamma2022.txt", "heavy weaponry", "heavy arms")),
    "sources-toml": ("pinpoint", replace("data/sources.toml", 'short = "Gamma Wire, 22 Sep 2022"',
                                         'short = "Gamma Wire, 22 September 2022"')),
    "sources-toml-voice": ("pinpoint", replace("data/sources.toml", 'paragraphs = "3"\nspeaker = "Marat Imankulov"',
                                               'paragraphs = "4"\nspeaker = "Marat Imankulov"')),
    "names-toml": ("pinpoint", replace("data/names.toml", '["Dzhekendi"]\nkind = "place"\nforms = []', "")),
    "counted-toml": ("pinpoint", replace("data/counted.toml", '"killed", "dead", ', '"killed", ')),
    "events-toml": ("pinpoint", replace("data/events.toml", '[mourning]\nwords = ["mourning"]',
                                        '[mourning]\nwords = ["mourning", "evening"]')),
    "related-toml": ("pinpoint", replace("data/related.toml", '"escalation", "escalated", ', "")),
    "meaning-toml": ("pinpoint", replace("data/meaning.toml", 'up = ["rose", ', 'up = [')),
    "references-bib-title": ("pinpoint", replace("references.bib", "Border clashes leave dozens dead",
                                                 "Border clashes leave many dead")),
    "references-bib-url": ("pinpoint", replace("references.bib", "https://gamma.example.org/clashes",
                                               "https://gamma.example.org/clashes-2")),
    "conf-value": ("pinpoint", lambda src: (src / "conf.py").open("a", encoding="utf-8").write(
        'project = "Another test book"\n')),
    # data-rows: two sources, the data tables, the register and the data package.
    "data-chapter-text": ("data-rows", replace("chapters/one.md", "Officials counted over 142,000 evacuees",
                                               "Officials counted more than 142,000 evacuees")),
    "figures-csv": ("data-rows", replace("data/figures.csv", "ok,kyrgyz_deaths,People killed,",
                                         "ok,kyrgyz_deaths,People who died,")),
    "timeline-csv": ("data-rows", replace("data/timeline.csv", "The ministry reports.", "The ministry reports a toll.")),
    "datapackage-json": ("data-rows", replace("data/datapackage.json", '"name": "test-data-rows-data"',
                                              '"name": "test-data-rows-data-2"')),
}


def _retitle_first_bib_entry(src: Path) -> None:
    path = src / "references.bib"
    text = path.read_text(encoding="utf-8")
    new = re.sub(r"(title\s*=\s*\{)", r"\g<1>Retitled: ", text, count=1)
    assert new != text
    path.write_text(new, encoding="utf-8")


def _cff_edit(src: Path) -> None:
    """A new keyword in CITATION.cff (the pages' metadata show the keywords)."""
    path = src / "CITATION.cff"
    text = path.read_text(encoding="utf-8")
    new = re.sub(r"(?m)^keywords:\n", "keywords:\n  - incremental rebuilds\n", text, count=1)
    assert new != text, "CITATION.cff has no keywords list"
    path.write_text(new, encoding="utf-8")


CASES["citation-cff"] = ("data-rows", _cff_edit)
CASES["data-references-bib"] = ("data-rows", _retitle_first_bib_entry)


def _rules_edit(code: Path) -> None:
    """A change to a rules module: the blocks' anchors and "Cited by" snippets take fewer opening words."""
    path = code / "tools" / "briefing" / "claims.py"
    text = path.read_text(encoding="utf-8")
    assert "OPENING_WORDS = 14" in text
    path.write_text(text.replace("OPENING_WORDS = 14", "OPENING_WORDS = 9"), encoding="utf-8")


# Edits to the book's code, not its text: each build of the case runs a copy of the code of its own.
CODE_CASES = {"rules-module": ("pinpoint", _rules_edit)}


def run_sequence(tmp: Path, root: str, edit, builders: tuple[str, ...], code: Path) -> tuple[int, Counter, Path]:
    """``edit(src, code)``: the change between the first build and the rebuilds."""
    src = prepare(root, tmp / "src")
    doctrees = tmp / "doctrees"  # one doctree folder for every builder, as `sphinx-build -M` keeps it
    build(src, "html", tmp / "html", doctrees, code)
    edit(src, code)
    for builder in builders:
        rc, warnings = build(src, builder, tmp / builder, doctrees, code)
    return rc, warnings, tmp / "html"


def run_fresh(tmp: Path, root: str, edit, code: Path) -> tuple[int, Counter, Path]:
    src = prepare(root, tmp / "src")
    edit(src, code)
    rc, warnings = build(src, "html", tmp / "html", tmp / "doctrees", code)
    return rc, warnings, tmp / "html"


def own_code(tools: Path, tmp: Path) -> Path:
    shutil.copytree(tools, tmp / "code")
    return tmp / "code"


@pytest.mark.parametrize("case", sorted(CASES) + sorted(CODE_CASES))
def test_an_incremental_build_equals_a_fresh_one(case, tmp_path, tools):
    if case in CODE_CASES:
        root, code_edit = CODE_CASES[case]
        edit = lambda src, code: code_edit(code)  # noqa: E731
        code_of = {name: own_code(tools, tmp_path / name) for name in ("fresh", *SEQUENCES)}
    else:
        root, text_edit = CASES[case]
        edit = lambda src, code: text_edit(src)  # noqa: E731
        code_of = {name: tools for name in ("fresh", *SEQUENCES)}
    with ThreadPoolExecutor(max_workers=len(SEQUENCES) + 1) as pool:
        fresh = pool.submit(run_fresh, tmp_path / "fresh", root, edit, code_of["fresh"])
        runs = {name: pool.submit(run_sequence, tmp_path / name, root, edit, builders, code_of[name])
                for name, builders in SEQUENCES.items()}
        fresh_rc, fresh_warnings, fresh_out = fresh.result()
        results = {name: run.result() for name, run in runs.items()}
    fresh_files = files_of(fresh_out)
    problems = []
    for name, (rc, warnings, out) in results.items():
        sequence = " → ".join(("html", "edit") + SEQUENCES[name])
        if warnings != fresh_warnings:
            problems.append(f"{sequence}: warnings differ from a fresh build's:\n  only incremental: "
                            f"{sorted((warnings - fresh_warnings).elements())}\n  only fresh: "
                            f"{sorted((fresh_warnings - warnings).elements())}")
        if rc != fresh_rc:
            problems.append(f"{sequence}: exit status {rc}, a fresh build's {fresh_rc}")
        problems += [f"{sequence}: {d}" for d in differences(files_of(out), fresh_files)]
    assert not problems, "\n".join(problems)
