"""What builds read from the book's data files is parsed once per process while the files are
unchanged (briefing.filecache): a changed file is always read again."""

from __future__ import annotations

import os

from briefing import filecache
from briefing.corpus import Corpus
from conftest import ROOT, warnings_of


def _touch_later(path) -> None:
    """Give the file a later modification time, as a save a moment later would."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))


def test_a_file_is_parsed_again_only_when_it_changed(tmp_path):
    path = tmp_path / "data.txt"
    path.write_text("one", encoding="utf-8")
    reads = []

    def parse(found):
        reads.append(found.read_text(encoding="utf-8"))
        return reads[-1]

    assert filecache.parsed("test", path, parse) == "one"
    assert filecache.parsed("test", path, parse) == "one" and len(reads) == 1, "an unchanged file was parsed again"
    path.write_text("two!", encoding="utf-8")
    assert filecache.parsed("test", path, parse) == "two!" and len(reads) == 2
    path.write_text("six!", encoding="utf-8")  # the same size: the time tells it apart
    _touch_later(path)
    assert filecache.parsed("test", path, parse) == "six!"
    assert filecache.parsed("another parser", path, lambda found: "its own") == "its own"


def test_a_file_saved_while_it_was_read_is_read_again(tmp_path):
    """The stamp is taken before the file is read: a save during the read is seen next time."""
    path = tmp_path / "data.txt"
    path.write_text("old", encoding="utf-8")

    def parse_while_saved(found):
        text = found.read_text(encoding="utf-8")
        found.write_text("newer", encoding="utf-8")  # the author saves while the build reads
        return text

    assert filecache.parsed("saved", path, parse_while_saved) == "old"
    assert filecache.parsed("saved", path, lambda found: found.read_text(encoding="utf-8")) == "newer"


def test_what_a_forked_build_made_is_handed_over_and_not_again(tmp_path):
    """made_by names what this process made; once adopted by another, it is that one's."""
    path = tmp_path / "data.txt"
    path.write_text("x", encoding="utf-8")
    filecache.parsed("handed", path, lambda found: "made here")
    made = filecache.made_by(os.getpid())
    key = ("handed", str(path.resolve()))
    assert made[key][1] == "made here"
    filecache.adopt({key: made[key]})
    assert key not in filecache.made_by(os.getpid()), "an adopted entry would be handed over again"
    assert filecache.parsed("handed", path, lambda found: "parsed again") == "made here"


def test_the_corpus_is_shared_until_an_archived_text_it_read_changes(tmp_path):
    import shutil

    book = tmp_path / "book"
    shutil.copytree(ROOT / "tests" / "roots" / "test-claims-clean", book)
    first = Corpus.shared(book)
    assert Corpus.shared(book) is first
    assert first.index("alpha2022") is not None and first.problems() == []
    text = book / "sources" / "text" / "alpha2022.txt"
    text.write_text(text.read_text(encoding="utf-8") + "\nAn added paragraph.\n", encoding="utf-8")
    again = Corpus.shared(book)
    assert again is not first, "a changed archived text was not read again"
    assert [problem.kind for problem in again.problems()] == ["integrity"]
    assert len(again.index("alpha2022").paragraphs) == len(first.index("alpha2022").paragraphs) + 1


def test_a_second_build_in_one_process_sees_a_changed_archived_text(overlay):
    """Two builds of one book in one process (a test session, the live preview's server): the
    second reports an archived text changed after the first."""
    assert warnings_of(overlay("claims-clean")) == []
    text = "sources/text/alpha2022.txt"
    original = (ROOT / "tests" / "roots" / "test-claims-clean" / text).read_text(encoding="utf-8")
    app = overlay("claims-clean", {text: original + "An added paragraph.\n"})
    assert any("no longer matches its recorded SHA-256" in line for line in warnings_of(app)), warnings_of(app)
