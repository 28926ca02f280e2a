"""references.bib read once with pybtex (tools/briefing/bibfile.py): every defect located at its
line with what to do, never a traceback; the "Cite this page" entry written by pybtex's writer."""

from __future__ import annotations

import codecs
import io
import re
import shutil

import pytest
from pybtex.database import parse_string

from briefing.bibfile import entry_text, read_bib
from briefing_sources import BibliographyError
from conftest import ROOT

BETA = "@misc{beta2022,\n  title        = {Evacuation figures},"


def test_entries_keep_their_line_and_their_text():
    bib = read_bib(ROOT / "tests" / "roots" / "test-claims-clean" / "references.bib", "references.bib")
    assert bib.problems == []
    assert (bib.location("alpha2022"), bib.location("beta2022")) == ("references.bib:1", "references.bib:10")
    assert bib.raw("beta2022").startswith(BETA) and bib.raw("beta2022").endswith("evacuation},\n}")
    assert bib.urls() == ["https://alpha.example.org/casualties", "https://beta.example.org/evacuation"]


def test_a_repeated_key_is_located_at_the_repeat(overlay):
    with pytest.raises(BibliographyError, match=r"references.bib:10: entry key 'alpha2022' is used twice "
                                                r"\(first at references.bib:1\): give this entry a key"):
        overlay("claims-clean", {"references.bib": ("@misc{beta2022,", "@misc{alpha2022,")})


def test_a_malformed_entry_is_a_located_warning_and_stops_the_build(make_app, rootdir, tmp_path):
    srcdir = tmp_path / "claims-clean"
    shutil.copytree(rootdir / "test-claims-clean", srcdir)
    bib = srcdir / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace("= {Evacuation figures}", "= {Evacuation figures"),
                   encoding="utf-8")
    warning = io.StringIO()
    with pytest.raises(BibliographyError, match=r"references.bib:1[0-9]: BibTeX syntax error: .*: fix the entry"):
        make_app("html", srcdir=srcdir, warning=warning)
    # The problem is also warned at its line, as every other defect of the book is.
    assert re.search(r"references.bib:1[0-9]: WARNING: BibTeX syntax error", warning.getvalue())


def test_a_field_given_twice_is_located_at_its_entry(tmp_path):
    path = tmp_path / "x.bib"
    path.write_text("@misc{a,\n  title = {T},\n}\n\n@misc{b,\n  title = {One},\n  title = {Two},\n}\n",
                    encoding="utf-8")
    bib = read_bib(path, "x.bib")
    assert [(p.location, p.kind) for p in bib.problems] == [("x.bib:5", "duplicate-field")]
    assert "keep one of the two values" in str(bib.problems[0])


def test_the_written_entry_parses_back_to_the_same_fields():
    fields = {"title": "{Casualties & evacuations: 100% of the reports}",
              "howpublished": "In {The Kyrgyzstan–Tajikistan Border Conflict}, version 2026.11",
              "year": "2026", "month": "November", "url": "https://book.example/chapters/a_b.html#x%20y"}
    written = entry_text("briefingbook-chapters-a-b", "misc", fields, {"author": ["{The briefing book's editors}"]})
    (key, entry), = parse_string(written, "bibtex").entries.items()
    assert key == "briefingbook-chapters-a-b" and entry.type == "misc"
    # Text fields come back LaTeX-encoded ("\&"); the address comes back verbatim.
    assert {name: codecs.decode(value, "ulatex") if name != "url" else value
            for name, value in entry.fields.items()} == fields
    assert [str(person) for person in entry.persons["author"]] == ["{The briefing book's editors}"]
