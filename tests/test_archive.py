"""The real archive: every registered source is archived, byte for byte as recorded, and has
its bibliography entry and page."""

from __future__ import annotations

import subprocess
import sys

from briefing.archive import integrity_problem, load_registry
from briefing.bibcheck import field_problems, read_problems
from briefing.bibfile import read_bib
from conftest import ROOT


def test_every_archived_text_matches_its_recorded_hash():
    sources = load_registry(ROOT)
    assert sources  # however many the book archives (README, "Adding a source")
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
    # Data sets (the locator map's) are cited as such, with no archived text.
    assert {key for key, entry in bib.data.entries.items() if entry.type != "dataset"} == set(sources)
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


def _registry_naming(tmp_path, text_path: str) -> None:
    fields = ('sha256 = "0"\npage = "p"\npublished = "2022-09-19"\ndate_basis = "d"\nurl_basis = "u"\n'
              'short = "s"\n')
    write(tmp_path, "book/data/sources.toml",
          f'[a]\n{fields}text = "sources/text/a.txt"\n\n[b]\n{fields}text = "{text_path}"\n')


def test_a_registry_path_out_of_the_book_is_refused_at_its_line(tmp_path):
    import pytest

    from briefing.archive import RegistryError
    secret = write(tmp_path, "secret.txt", "not the book's\n")
    book = tmp_path / "book"
    (book / "sources" / "text").mkdir(parents=True)
    (book / "sources" / "text" / "link.txt").symlink_to(secret)
    for path, why in ((str(secret), "is an absolute path"), ("../secret.txt", "'..'"),
                      ("sources/text/../../../secret.txt", "'..'"),
                      ("sources/text/link.txt", "symbolic link")):
        _registry_naming(tmp_path, path)
        with pytest.raises(RegistryError) as err:
            load_registry(book)
        # The `text` line of the second table.
        assert err.value.location == "data/sources.toml:17", err.value.location
        assert why in err.value.message and "sources/text/" in err.value.message
    _registry_naming(tmp_path, "sources/text/b.txt")
    assert load_registry(book)["b"].text_path == book / "sources" / "text" / "b.txt"


def test_a_sixth_source_added_as_the_readme_says_passes_the_archive_tests(tmp_path):
    """The README's "Adding a source", in a copy: the tests of the archive hold for any number."""
    import hashlib
    import shutil

    from conftest import copy_book
    book = copy_book(tmp_path / "book")
    text = "CAPITAL, 24 Sept (Test Wire) - Monitors met.\n\nTwelve observers came from each side.\n"
    write(book, "sources/text/testwire2022monitoring.txt", text)
    digest = hashlib.sha256(text.encode()).hexdigest()
    with (book / "references.bib").open("a", encoding="utf-8") as bib:
        bib.write("\n@misc{testwire2022monitoring,\n  title        = {Monitors meet},\n"
                  "  howpublished = {Test Wire},\n  year         = {2022},\n  month        = sep,\n"
                  "  day          = {24},\n  url          = {https://testwire.example.org/monitors},\n}\n")
    with (book / "data" / "sources.toml").open("a", encoding="utf-8") as registry:
        registry.write(f'\n[testwire2022monitoring]\ntext = "sources/text/testwire2022monitoring.txt"\n'
                       f'sha256 = "{digest}"\npage = "sources/testwire2022monitoring"\npublished = "2022-09-24"\n'
                       'date_basis = "Printed with the article."\nurl_basis = "Taken from the outlet\'s page."\n'
                       'short = "Test Wire, 24 Sep 2022"\n\n[[testwire2022monitoring.voices]]\n'
                       'paragraphs = "all"\nspeaker = "Test Wire"\nrole = "outlet"\n')
    shutil.copyfile(book / "sources" / "interfax2022withdrawal.md", book / "sources" / "testwire2022monitoring.md")
    (book / "tests").mkdir()
    for name in ("conftest.py", "test_archive.py"):
        shutil.copyfile(ROOT / "tests" / name, book / "tests" / name)
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-k", "not sixth",
                             str(book / "tests" / "test_archive.py")], capture_output=True, text=True, cwd=book)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "passed" in result.stdout and "failed" not in result.stdout
