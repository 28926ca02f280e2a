"""A data file saved again is read again, however little its stamp changed: a save of the same
size within one tick of the clock (or on a file system with coarse times) leaves the file's
modification time, size and inode as they were, and the next read must still see the new
content. Each reader is asked twice in one process, the file rewritten in between with its
modification time restored."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from briefing.archive import shared_registry
from briefing.bibfile import shared_bib
from briefing.corpus import Corpus
from briefing.metadata import shared_cff
from conftest import ROOT, warnings_of

CLEAN = ROOT / "tests" / "roots" / "test-claims-clean"


def rewrite_in_place(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` (of the same length) and give the file back its stamp."""
    assert len(old) == len(new)
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_mtime_ns, after.st_size, after.st_ino) == (before.st_mtime_ns, before.st_size, before.st_ino)


def test_references_bib_rewritten_with_its_stamp_is_read_again(tmp_path):
    path = tmp_path / "references.bib"
    shutil.copyfile(ROOT / "references.bib", path)
    first = shared_bib(path, "references.bib")
    key = next(iter(first.data.entries))
    title = first.data.entries[key].fields["title"]
    rewrite_in_place(path, title, title.swapcase())
    assert shared_bib(path, "references.bib").data.entries[key].fields["title"] == title.swapcase()


def test_citation_cff_rewritten_with_its_stamp_is_read_again(tmp_path):
    path = tmp_path / "CITATION.cff"
    shutil.copyfile(ROOT / "CITATION.cff", path)
    version = str(shared_cff(path)["version"])
    rewrite_in_place(path, f'version: "{version}"', f'version: "{version[::-1]}"')
    assert str(shared_cff(path)["version"]) == version[::-1]


def test_the_registry_and_the_corpus_rewritten_with_their_stamps_are_read_again(tmp_path):
    book = tmp_path / "book"
    shutil.copytree(CLEAN, book)
    registry = book / "data" / "sources.toml"
    first = shared_registry(book)
    assert Corpus.shared(book).index("alpha2022") is not None
    published = first["alpha2022"].published
    changed = published[:-1] + ("1" if published[-1] != "1" else "2")
    rewrite_in_place(registry, f'published = "{published}"', f'published = "{changed}"')
    assert shared_registry(book)["alpha2022"].published == changed
    assert Corpus.shared(book).sources["alpha2022"].published == changed
    # An archived text rewritten so: its hash no longer matches.
    text = book / "sources" / "text" / "alpha2022.txt"
    word = next(w for w in text.read_text(encoding="utf-8").split() if w.isalpha() and len(w) > 4)
    rewrite_in_place(text, word, word[::-1])
    assert [problem.kind for problem in Corpus.shared(book).problems()] == ["integrity"]


def test_a_second_build_in_one_process_sees_a_changed_archived_text(overlay):
    """Two builds of one book in one process (a test session): the second reports an archived
    text changed after the first."""
    assert warnings_of(overlay("claims-clean")) == []
    text = "sources/text/alpha2022.txt"
    original = (CLEAN / text).read_text(encoding="utf-8")
    app = overlay("claims-clean", {text: original + "An added paragraph.\n"})
    assert any("no longer matches its recorded SHA-256" in line for line in warnings_of(app)), warnings_of(app)
