"""The real archive: every registered source is archived, byte for byte as recorded, and has
its bibliography entry and page."""

from __future__ import annotations

from briefing.archive import integrity_problem, load_registry
from briefing.bibcheck import entry_lines, field_problems, syntax_problem
from conftest import ROOT


def test_every_archived_text_matches_its_recorded_hash():
    sources = load_registry(ROOT)
    assert len(sources) == 5
    for source in sources.values():
        assert integrity_problem(source) is None, integrity_problem(source)


def test_integrity_check_catches_a_changed_byte(tmp_path):
    source = next(iter(load_registry(ROOT).values()))
    copy = tmp_path / "copy.txt"
    copy.write_bytes(source.text_path.read_bytes().replace(b".", b",", 1))
    tampered = type(source)(**{**source.__dict__, "text_path": copy})
    assert "no longer matches its recorded SHA-256" in integrity_problem(tampered)


def test_registry_and_bibliography_name_the_same_sources():
    bib = ROOT / "references.bib"
    assert syntax_problem(bib) is None
    assert field_problems(bib) == []
    sources = load_registry(ROOT)
    assert set(entry_lines(bib)) == set(sources)
    for source in sources.values():
        assert (ROOT / f"{source.page}.md").is_file()
