"""The real archive: every registered source is archived, byte for byte as recorded, and has
its bibliography entry and page."""

from __future__ import annotations

from briefing.archive import integrity_problem, load_registry
from briefing.bibcheck import field_problems, read_problems
from briefing.bibfile import read_bib
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
    bib = read_bib(ROOT / "references.bib", "references.bib")
    assert read_problems(bib) == []
    assert field_problems(bib) == []
    sources = load_registry(ROOT)
    assert set(bib.spans) == set(sources)
    for source in sources.values():
        assert (ROOT / f"{source.page}.md").is_file()


def write(tmp_path, name, text):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_registry_defects_name_file_and_line(tmp_path):
    import pytest

    from briefing.archive import RegistryError
    write(tmp_path, "data/sources.toml", '[a]\ntext = "t.txt"\n\n[b]\ntext = "u.txt"\nsha256 = "0"\n')
    with pytest.raises(RegistryError) as err:
        load_registry(tmp_path)
    assert err.value.location == "data/sources.toml:1" and "lacks sha256, page" in err.value.message
    write(tmp_path, "data/sources.toml", '[a]\ntext = "t.txt\n')
    with pytest.raises(RegistryError, match=r"data/sources.toml:2: not valid TOML"):
        load_registry(tmp_path)
    fields = 'text = "t"\nsha256 = "0"\npage = "p"\ndate_basis = "d"\nurl_basis = "u"\nshort = "s"\n'
    write(tmp_path, "data/sources.toml", '[a]\n' + fields + 'published = "19 Sep 2022"\n')
    with pytest.raises(RegistryError, match="published must be YYYY-MM-DD"):
        load_registry(tmp_path)


def test_bibliography_field_defects_name_their_entry_line(tmp_path):
    bib = write(tmp_path, "references.bib", """@misc{a,
  title = {T}, howpublished = {O}, year = {2022}, month = {Sept.}, url = {not a url},
  organization = {O},
}
""")
    problems = field_problems(read_bib(bib))
    assert all(problem.line == 1 for problem in problems)
    text = " | ".join(problem.text for problem in problems)
    assert "month 'sept.' is not a month" in text
    assert "url 'not a url' is not a well-formed web address" in text
    assert "field 'organization'" in text and "put the outlet in howpublished" in text


def test_registry_requires_how_the_address_is_known(tmp_path):
    import pytest

    from briefing.archive import RegistryError
    fields = 'text = "t"\nsha256 = "0"\npage = "p"\npublished = "2022-09-19"\ndate_basis = "d"\nshort = "s"\n'
    write(tmp_path, "data/sources.toml", '[a]\n' + fields)
    with pytest.raises(RegistryError, match="lacks url_basis"):
        load_registry(tmp_path)
    write(tmp_path, "data/sources.toml", '[a]\n' + fields + 'url_basis = "From the page."\n')
    assert load_registry(tmp_path)["a"].url_basis == "From the page."
