"""Incremental builds are held to the same rules as clean ones: a defect fails every build until
it is fixed, and a change to an archived text re-judges the pages that cite it. Each test builds a
copy of tests/roots/test-claims-clean twice in one build folder, as two `make html` runs would."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from conftest import build_again, warnings_of

THEME = {"html_theme": "basic"}


def defects(app) -> list[str]:
    """The build's warnings but the names rule's (the empty names file of build_twice gives the
    sources no voices)."""
    return [w for w in warnings_of(app) if "[briefing.voices]" not in w]


def build_twice(make_app, rootdir: Path, tmp_path: Path, edit_before, edit_between):
    """Build a copy of the clean root after ``edit_before(srcdir)``, then again, in the same build
    folder, after ``edit_between(srcdir)``; the two apps, each with its own warnings."""
    srcdir = tmp_path / "book"
    shutil.copytree(rootdir / "test-claims-clean", srcdir)
    # The claims rule makes each page depend on data/names.toml, and Sphinx re-reads on every build
    # a page with a missing dependency: an empty one keeps the second build from re-reading.
    (srcdir / "data" / "names.toml").write_text("", encoding="utf-8")
    edit_before(srcdir)
    # The test app sets the theme after reading the configuration, which would read as a changed
    # configuration and re-read every page; named here, it is the same for both builds.
    return build_again(make_app, srcdir, edit_between, THEME)


def test_a_bibliography_defect_fails_the_next_build_too(make_app, rootdir, tmp_path):
    """The bibliography's checks ran only when a page was re-read, so a second `make html` with
    nothing changed passed a book whose first build had failed."""
    def drop_the_only_citation_of_beta(srcdir):
        (srcdir / "chapters" / "one.md").write_text(
            "# One\n\nThe ministry said 59 people were hospitalised {cite:p}`alpha2022{¶2}`.\n", encoding="utf-8")

    first, second = build_twice(make_app, rootdir, tmp_path, drop_the_only_citation_of_beta, lambda srcdir: None)
    for app in (first, second):
        found = [w for w in defects(app) if "bibliography entry 'beta2022' is cited by no chapter" in w]
        assert len(found) == 1 and "references.bib:10:" in found[0], defects(app)
    assert "0 added, 0 changed, 0 removed" in second.status.getvalue(), "the second build re-read pages"


@pytest.mark.parametrize("with_hash", [True, False], ids=["text-and-hash", "text-only"])
def test_a_changed_archived_text_rejudges_the_chapter_citing_it(make_app, rootdir, tmp_path, with_hash):
    """Re-archiving a text (its words, and its SHA-256 in data/sources.toml) re-reads the chapter
    that cites it, which is judged against the new words: the chapter's 59 is no longer in them.
    The text alone changed (the hash left stale) re-reads it too, so the page depends on the text
    itself, not only on the registry."""
    def rearchive_alpha(srcdir):
        text = srcdir / "sources" / "text" / "alpha2022.txt"
        old = hashlib.sha256(text.read_bytes()).hexdigest()
        text.write_text(text.read_text(encoding="utf-8").replace("said 59 people", "said 60 people"),
                        encoding="utf-8")
        if with_hash:
            registry = srcdir / "data" / "sources.toml"
            registry.write_text(registry.read_text(encoding="utf-8").replace(
                old, hashlib.sha256(text.read_bytes()).hexdigest()), encoding="utf-8")

    first, second = build_twice(make_app, rootdir, tmp_path, lambda srcdir: None, rearchive_alpha)
    assert defects(first) == []
    found = defects(second)
    assert any("chapters/one.md:3:" in w and "figure '59' is not in the cited source(s) alpha2022" in w
               for w in found), found
    read = [line for line in re.sub(r"\x1b\[[0-9;]*m", "", second.status.getvalue()).splitlines()
            if line.startswith("reading sources")]
    assert any(line.endswith(" chapters/one") for line in read), read
    assert any("[briefing.integrity]" in w for w in found) != with_hash, found
