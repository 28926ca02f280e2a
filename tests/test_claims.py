"""The claims rule and the source checks, each fed the defect it exists to catch: a copy of the
tiny book tests/roots/test-claims-clean, which builds clean, with the defect applied beside the
assertion (the overlay fixture), built with Sphinx's own pytest fixtures."""

from __future__ import annotations

import re

import pytest

from briefing_sources import BibliographyError
from conftest import only_warning, warnings_of

ONE = "chapters/one.md"
# The end of chapters/one.md: a paragraph appended after it starts on line 15.
END = "Read on in the next chapter.\n:::\n"


def append(text: str) -> dict:
    """An overlay that adds ``text`` to the end of chapters/one.md, after a blank line."""
    return {ONE: (END, END + "\n" + text)}


@pytest.mark.sphinx("html", testroot="claims-clean")
def test_clean_book_has_no_warnings_and_links_passages(app):
    app.build()
    assert warnings_of(app) == []
    html = (app.outdir / "chapters" / "one.html").read_text()
    # Cited by outlet and date, in round brackets (briefing_bibstyle), with the pinpoint inside
    # them: the figure claim links to paragraph 2 of alpha, where "59" and "September 14" stand.
    assert re.search(r'\(<a [^>]*>Alpha News, 19 Sep 2022</a>, <a class="pinpoint reference internal" '
                     r'href="../sources/alpha2022.html#alpha2022-p2"[^>]*><span>¶2</span></a>\)', html), html
    assert re.search(r'>Alpha News, 19 Sep 2022</a>, <a class="pinpoint reference internal" '
                     r'href="../sources/alpha2022.html#alpha2022-p3"[^>]*><span>¶3</span></a>\)', html), html
    assert 'href="../sources/beta2022.html#beta2022-p2"' in html
    assert "passage-links" not in html
    source = (app.outdir / "sources" / "alpha2022.html").read_text()
    assert 'id="alpha2022-p3"' in source
    assert "We will not take out any sword from the scabbard" in source
    # "Cited by" lists the chapter's blocks that cite alpha, under the paragraph each rests on:
    # the two that pinpoint ¶2 under ¶2, the quotation under ¶3.
    cited_by = source.split('id="cited-by"', 1)[1].split("</section>", 1)[0]
    assert cited_by.count('href="../chapters/one.html#claim-') == 3
    under = {m.group(1): m.group(0) for m in re.finditer(
        r'<p class="cited-by-paragraph"><a [^>]*href="#(alpha2022-p\d+)".*?</ul>', cited_by, re.S)}
    assert set(under) == {"alpha2022-p2", "alpha2022-p3"}, cited_by
    assert under["alpha2022-p2"].count("one.html#claim-") == 2 and "59 people were hospitalised" in under["alpha2022-p2"]
    assert under["alpha2022-p3"].count("one.html#claim-") == 1 and "any sword" in under["alpha2022-p3"]


def test_uncited_paragraph_is_reported_with_file_and_line(overlay):
    app = overlay("claims-clean", append("This paragraph makes a claim without a source.\n"))
    only_warning(app, "chapters/one.md:15:", "uncited paragraph",
                 "This paragraph makes a claim", "add a citation")


def test_citation_of_unknown_key_is_reported(overlay):
    app = overlay("claims-clean", append("A claim with a key that does not exist {cite:p}`gamma2022`.\n"))
    only_warning(app, "chapters/one.md:15", 'could not find bibtex key "gamma2022"')


def test_entry_cited_by_no_chapter_is_reported(overlay):
    # The chapter keeps one claim, citing alpha2022 only.
    chapter = "# One\n\nThe ministry said 59 people were hospitalised {cite:p}`alpha2022{¶2}`.\n"
    app = overlay("claims-clean", {ONE: chapter})
    only_warning(app, "references.bib:10:", "'beta2022' is cited by no chapter")


def test_entry_without_source_page_is_reported(overlay):
    app = overlay("claims-clean", {"index.md": ("sources/beta2022\n", ""), "sources/beta2022.md": None})
    only_warning(app, "references.bib:10:", "'beta2022' has no source page", "create sources/beta2022.md")


def test_figure_not_in_cited_source_is_reported(overlay):
    app = overlay("claims-clean", append("The ministry said 999 people were hospitalised {cite:p}`alpha2022{¶2}`.\n"))
    only_warning(app, "chapters/one.md:15:", "figure '999' is not in the cited source(s) alpha2022")


def test_figure_only_in_an_uncited_source_names_that_source(overlay):
    app = overlay("claims-clean", append("The ministry said over 142,000 people left {cite:p}`alpha2022{¶2}`.\n"))
    only_warning(app, "chapters/one.md:15:", "figure '142,000'", "it is in beta2022",
                 "which this block does not cite")


def test_misquotation_is_reported(overlay):
    app = overlay("claims-clean", append(
        "The minister said “we will not draw any sword from the scabbard” {cite:p}`alpha2022{¶3}`.\n"))
    only_warning(app, "chapters/one.md:15:", "quotation", "draw any sword", "quote the source exactly")


def test_wrong_date_is_reported(overlay):
    app = overlay("claims-clean", append("The ministry spoke on 15 September 2022 {cite:p}`alpha2022{¶2}`.\n"))
    only_warning(app, "chapters/one.md:15:", "date '15 September 2022' is not in the cited source(s) alpha2022")


def test_derived_figure_with_wrong_arithmetic_or_inputs_is_reported(overlay):
    app = overlay("claims-clean", append("In all, {derived}`101 = 59 + 41` were counted {cite:p}`alpha2022{¶2}`.\n\n"
                                         "And {derived}`201 = 59 + 142` in all {cite:p}`alpha2022{¶2}`.\n"))
    found = warnings_of(app)
    assert len(found) == 2, "\n".join(found)
    assert "chapters/one.md:15:" in found[0] and "59 + 41 is 100, not 101" in found[0]
    assert "chapters/one.md:17:" in found[1] and "figure '142 (input of derived 201)'" in found[1]


def test_tampered_archived_text_is_reported(overlay):
    app = overlay("claims-clean", {"sources/text/alpha2022.txt": ("said 59 people", "said 60 people")})
    found = [w for w in warnings_of(app) if "[briefing.integrity]" in w]
    assert len(found) == 1, warnings_of(app)
    assert "data/sources.toml:1:" in found[0]
    assert "sources/text/alpha2022.txt no longer matches its recorded SHA-256" in found[0]


def test_malformed_bibliography_stops_the_build_with_its_line(overlay):
    with pytest.raises(BibliographyError, match=r"references.bib:1[0-9]: BibTeX syntax error"):
        overlay("claims-clean", {"references.bib": ("{Evacuation figures},", "{Evacuation figures,")})


def test_bibliography_field_rules(overlay):
    app = overlay("claims-clean", {"references.bib": ("url          = {https://beta.example.org/evacuation},",
                                                      "date         = {2022-09-20},")})
    found = [w for w in warnings_of(app) if "references.bib:10:" in w]
    assert any("lacks 'url'" in w for w in found), found
    assert any("field 'date'" in w and "use year, month and day" in w for w in found), found


def test_exemption_needs_a_reason(overlay):
    app = overlay("claims-clean", {
        **append(":::{uncited}\nNo reason given here.\n:::\n"),
        "chapters/two.md": "---\nuncited: ''\n---\n# Two\n\nA page exempted without a reason.\n",
        "index.md": ("chapters/one\n", "chapters/one\nchapters/two\n")})
    found = warnings_of(app)
    assert any("chapters/one.md:15:" in w and "needs ':reason:'" in w for w in found), found
    assert any("chapters/two.md:1:" in w and "'uncited' needs a reason" in w for w in found), found
    assert len(found) == 2, found


@pytest.mark.sphinx("html", testroot="data-rows")
def test_data_rows_are_held_to_their_passage(app):
    app.build()
    found = warnings_of(app)
    expected = {
        "data/figures.csv:3:": "figure '42' is not in the passage this row names",
        "data/figures.csv:4:": "is not in the text of beta2022",
        "data/figures.csv:5:": "unknown source key 'gamma2022'",
        "data/figures.csv:6:": "as_of must be YYYY-MM-DD",
        "data/timeline.csv:3:": "date '16 September 2022' is not in the passage this row names",
        "data/figures.csv:7:": "number 14 is not the figure in value '41'",
        "data/figures.csv:8:": "as_of 2022-09-18 is not the day '19 September 2022' names",
        "data/timeline.csv:4:": "date 2022-09-15 is not the day '14 September 2022' names",
    }
    for location, message in expected.items():
        assert any(location in w and message in w for w in found), (location, found)
    assert len(found) == len(expected), found


def test_every_kind_of_block_must_be_cited(overlay):
    chapter = """# One

The ministry said 59 people were hospitalised {cite:p}`alpha2022{¶2}`.

- A cited item {cite:p}`alpha2022{¶2}`.
- An uncited list item.

| Claim | Source |
| --- | --- |
| A cited row | {cite:p}`beta2022{¶2}` |
| An uncited row | none |

:::{admonition} Note
An uncited paragraph in an admonition.
:::

::::{grid} 1
:::{grid-item-card} An uncited card
Its body cites nothing.
:::
::::

:::{uncited}
:reason: reading instructions, no claim
Nothing here is checked.
:::
"""
    app = overlay("claims-clean", {ONE: chapter})
    found = warnings_of(app)
    expected = [("chapters/one.md:6:", "uncited list item"),
                ("chapters/one.md:11:", "uncited table row"),
                ("chapters/one.md:14:", "uncited paragraph"),
                ("chapters/one.md:19:", "uncited card")]
    for (location, kind), warning in zip(expected, found):
        assert location in warning and kind in warning, (location, kind, warning)
    assert len(found) == len(expected), found


def test_incremental_build_rewrites_only_the_source_pages_whose_citers_changed(make_app, rootdir, tmp_path):
    import os
    import shutil
    import time
    srcdir = tmp_path / "book"
    shutil.copytree(rootdir / "test-claims-clean", srcdir)
    first = make_app("html", srcdir=srcdir)
    first.build()
    first.cleanup()  # unregister its nodes and roles before the second app registers them again
    out = srcdir / "_build" / "html" / "sources"
    before = {page: (out / page).stat().st_mtime_ns for page in ("alpha2022.html", "beta2022.html")}
    time.sleep(0.05)
    chapter = srcdir / "chapters" / "one.md"
    chapter.write_text(chapter.read_text() + "\nOfficials also said over 142,000 left {cite:p}`beta2022{¶2}`.\n")
    os.utime(chapter)
    app = make_app("html", srcdir=srcdir)
    app.build()
    assert warnings_of(app) == []
    assert (out / "alpha2022.html").stat().st_mtime_ns == before["alpha2022.html"]
    assert (out / "beta2022.html").stat().st_mtime_ns != before["beta2022.html"]
    assert "Officials also said over 142,000 left" in (out / "beta2022.html").read_text()


def test_a_block_keeps_its_anchor_and_its_sources_pages_when_corrected_past_its_opening_words(
        make_app, rootdir, tmp_path):
    """A block's anchor is a digest of its opening words, the words its sources' "Cited by" lists
    show: a correction past them keeps readers' links to the block and rewrites no source page; a
    change to them changes both."""
    import re
    import shutil
    import time
    srcdir = tmp_path / "book"
    shutil.copytree(rootdir / "test-claims-clean", srcdir)
    chapter = srcdir / "chapters" / "one.md"
    opening = "Officials of the regional administration said that evacuees from the border villages were counted"
    block = f"\n{opening} at over 142,000 in all, and that more were expected {{cite:p}}`beta2022{{¶2}}`.\n"
    chapter.write_text(chapter.read_text() + block)
    out = srcdir / "_build" / "html"

    def build() -> tuple[str, int]:
        app = make_app("html", srcdir=srcdir)
        app.build()
        assert warnings_of(app) == []
        app.cleanup()  # unregister its nodes and roles before the next app registers them again
        page = (out / "chapters" / "one.html").read_text()
        anchor = re.search(r'id="(claim-[0-9a-f]+)"[^>]*>\s*Officials of the (?:regional|district)', page)
        assert anchor, "the block has no anchor"
        return anchor.group(1), (out / "sources" / "beta2022.html").stat().st_mtime_ns

    first, written = build()
    time.sleep(0.05)
    chapter.write_text(chapter.read_text().replace("more were expected", "more were still expected"))
    second, rewritten = build()
    assert second == first, "a correction past the opening words changed the block's anchor"
    assert rewritten == written, "a correction past the opening words rewrote the source page"
    time.sleep(0.05)
    chapter.write_text(chapter.read_text().replace("regional administration", "district administration"))
    third, rewritten = build()
    assert third != first and rewritten != written
    assert f"one.html#{third}" in (out / "sources" / "beta2022.html").read_text()
    assert "Officials of the district administration" in (out / "sources" / "beta2022.html").read_text()


@pytest.mark.sphinx("html", testroot="registry-mismatch")
def test_bibliography_and_registry_must_name_the_same_sources(app):
    app.build()
    found = warnings_of(app)
    expected = [
        ("chapters/one.md:5:", "(beta2022 has no archived text to check against)"),
        ("sources/beta2022.md:3:", "source-facts: unknown source 'beta2022'"),
        ("sources/beta2022.md:6:", "archived-text: no archived text for source 'beta2022'"),
        ("references.bib:10:", "'beta2022' has no archived source: add [beta2022]"),
        ("data/sources.toml:10:", "source 'gamma2022' has no entry in references.bib"),
    ]
    for location, message in expected:
        assert any(location in w and message in w for w in found), (location, message, found)
    assert len(found) == len(expected), found


def test_passage_links_prefer_the_paragraph_holding_most_of_the_block():
    from briefing.claims import PassageRef as Ref, _closest_passages
    from briefing.evidence import PUBLICATION_DETAILS
    # "59 dead on 19 September": 59 only in ¶7; the date in ¶7, ¶10, ¶14 and the publication details.
    hits = [[Ref("a", 7)], [Ref("a", 7), Ref("a", 10), Ref("a", 14), Ref("a", PUBLICATION_DETAILS)]]
    assert _closest_passages(hits) == [Ref("a", 7)]
    # Two sources each backing their own figure keep both links.
    assert _closest_passages([[Ref("a", 2)], [Ref("b", 5)]]) == [Ref("a", 2), Ref("b", 5)]


def test_a_heading_is_held_to_the_sources_cited_in_its_section(overlay):
    app = overlay("claims-clean", append("## 999 hospitalised on 14 September\n\n"
                                         "The ministry said 59 people were hospitalised {cite:p}`alpha2022{¶2}`.\n"))
    only_warning(app, "chapters/one.md:15:", "heading “999 hospitalised on 14 September”",
                 "figure '999' is not in the cited source(s) alpha2022")


def test_a_heading_with_a_date_needs_a_citation_in_its_section(overlay):
    app = overlay("claims-clean", {"chapters/two.md": "# Events of 14 September\n\nNo citation anywhere here.\n",
                                   "index.md": ("chapters/one\n", "chapters/one\nchapters/two\n")})
    found = warnings_of(app)
    assert any("chapters/two.md:1:" in w and "heading “Events of 14 September” states a figure, date or "
               "quotation, but nothing in its section cites a source" in w for w in found), found
    assert len(found) == 2, found  # and the uncited paragraph


def test_an_admonition_title_is_held_to_the_sources_cited_in_it(overlay):
    app = overlay("claims-clean", append(":::{admonition} The minister: “we will not draw any sword”\n"
                                         "The minister spoke {cite:p}`alpha2022{¶3}`.\n:::\n"))
    only_warning(app, "chapters/one.md:15:", "admonition title", "draw any sword", "quote the source exactly")


def test_a_heading_backed_by_its_section_passes(overlay):
    app = overlay("claims-clean", append("## 59 hospitalised on 14 September\n\n"
                                         "The ministry said 59 people were hospitalised {cite:p}`alpha2022{¶2}`.\n"))
    assert warnings_of(app) == []


def test_a_footnote_is_a_block_and_its_marker_no_figure(overlay):
    app = overlay("claims-clean", append(
        "The minister spoke of the evacuation[^n] {cite:p}`alpha2022{¶3}`.\n\n"
        "[^n]: Officials counted 999 evacuees {cite:p}`beta2022{¶2}`.\n\n"
        "The ministry said 59 people were hospitalised[^m] {cite:p}`alpha2022{¶2}`.\n\n"
        "[^m]: A note that cites nothing.\n"))
    found = warnings_of(app)
    expected = [("chapters/one.md:17:", "figure '999' is not in the cited source(s) beta2022"),
                ("chapters/one.md:21:", "uncited paragraph: “A note that cites nothing.”")]
    for location, message in expected:
        assert any(location in w and message in w for w in found), (location, message, found)
    assert len(found) == len(expected), found  # neither marker read as the figure 1 or 2


def test_removing_a_chapter_removes_it_from_the_cited_by_lists(make_app, rootdir, tmp_path):
    import shutil
    srcdir = tmp_path / "book"
    shutil.copytree(rootdir / "test-claims-clean", srcdir)
    two, index = srcdir / "chapters" / "two.md", srcdir / "index.md"
    two.write_text("# Two\n\nOfficials counted over 142,000 evacuees {cite:p}`beta2022{¶2}`.\n")
    index.write_text(index.read_text().replace("chapters/one\n", "chapters/one\nchapters/two\n"))
    first = make_app("html", srcdir=srcdir)
    first.build()
    first.cleanup()
    page = srcdir / "_build" / "html" / "sources" / "beta2022.html"
    assert "chapters/two.html#claim-" in page.read_text()
    two.unlink()
    index.write_text(index.read_text().replace("chapters/two\n", ""))
    app = make_app("html", srcdir=srcdir)
    app.build()
    assert warnings_of(app) == []
    assert "chapters/two.html#claim-" not in page.read_text()


def test_a_block_in_another_script_is_a_block(overlay):
    """A paragraph in Cyrillic is held to the claims rule like any other: uncited, it is reported."""
    app = overlay("claims-clean", {"chapters/one.md": ("Together,", "Министерство сообщило о погибших.\n\nTogether,")})
    found = [w for w in warnings_of(app) if "uncited paragraph" in w]
    assert len(found) == 1 and "Министерство" in found[0], warnings_of(app)


TWO_KEYS = append("The ministry said 59 people were hospitalised and over 142,000 were evacuated "
                  "{cite:p}`alpha2022{¶2},beta2022{¶2}`.\n")
REFERENCES = (("alpha2022", "Alpha News, 19 Sep 2022"), ("beta2022", "Beta Wire, 20 Sep 2022"))


def test_each_keys_pinpoint_links_follow_its_reference_in_html_and_latex(overlay):
    """The pinpoint is rendered by the referencing style (briefing_bibstyle.pinpoint_text) as the
    citation's post-text: each key's paragraphs link right after that key's reference, in every
    builder; in LaTeX, as a \\hyperref to the label of the paragraph on the source's page."""
    app = overlay("claims-clean", TWO_KEYS)
    assert warnings_of(app) == []
    html = (app.outdir / "chapters" / "one.html").read_text(encoding="utf-8")
    for key, label in REFERENCES:
        assert re.search(rf'>{label}</a>, <a class="pinpoint reference internal" '
                         rf'href="../sources/{key}.html#{key}-p2"[^>]*><span>¶2</span></a>', html), (key, html)
    # The two keys' pinpoints stay with their own keys, inside one pair of brackets.
    assert re.search(r'\(<a [^>]*>Alpha News, 19 Sep 2022</a>, <a [^>]*alpha2022-p2[^>]*><span>¶2</span></a>, '
                     r'<a [^>]*>Beta Wire, 20 Sep 2022</a>, <a [^>]*beta2022-p2[^>]*><span>¶2</span></a>\)', html), html
    app.cleanup()
    app = overlay("claims-clean", buildername="latex")
    assert warnings_of(app) == []
    tex = next(app.outdir.glob("*.tex")).read_text(encoding="utf-8")
    for key, label in REFERENCES:
        target = re.escape(f"sources/{key}:{key}-p2")
        assert re.search(r"\\hyperlink\{cite\.[^}]*\}\{" + re.escape(label) + r"\}, \{\\hyperref\[\\detokenize\{"
                         + target + r"\}\]\{\\sphinxcrossref\{\\P\{\}2\}\}\}", tex), (key, tex)
        # The label the reference points to is the paragraph's, on the source's page.
        assert re.search(r"\\label\{\\detokenize\{" + target + r"\}\}\\DUrole\{paragraph-number\}\{\\P\{\}2\}", tex), key


def test_a_pinpoint_that_cannot_be_linked_is_reported(overlay):
    """A pinpoint past the end of the archived text, or one not of a pinpoint's form, links
    nowhere: the build says so at the citation's line, and the LaTeX shows it as text, with no
    reference to a label that does not exist."""
    app = overlay("claims-clean", append("The minister spoke of the scabbard {cite:p}`alpha2022{¶9}`.\n\n"
                                         "The minister spoke of the sword {cite:p}`alpha2022{¶three}`.\n"),
                  buildername="latex")
    found = warnings_of(app)
    assert any("chapters/one.md:15:" in w and "the pinpoint ¶9 of alpha2022 names ¶9, but its archived text has "
               "4 paragraphs" in w for w in found), found
    assert any("chapters/one.md:17:" in w and "pinpoint “¶three” is not of the form" in w
               and "in the citation of alpha2022" in w for w in found), found
    assert found and all("[briefing.pinpoint]" in w for w in found), found
    tex = next(app.outdir.glob("*.tex")).read_text(encoding="utf-8")
    assert re.search(r"\{Alpha News, 19 Sep 2022\}, \\P\{\}9\)", tex), tex
    assert re.search(r"\{Alpha News, 19 Sep 2022\}, \\P\{\}three\)", tex), tex
    assert "alpha2022-p9" not in tex


def test_a_name_with_a_number_is_not_demanded_of_the_source(overlay):
    """COVID-19, F-16, Article 4: names, not figures; a plain figure beside them still is one."""
    named = "Under Article 4 of the COVID-19 rules, no F-16 flew; the ministry said 59 people were hospitalised"
    assert warnings_of(overlay("claims-clean", append(f"{named} {{cite:p}}`alpha2022{{¶2}}`.\n"))) == []
    app = overlay("claims-clean", {ONE: (named, named.replace("59 people", "16 people"))})
    only_warning(app, "chapters/one.md:15:", "figure '16' is not in the cited source(s) alpha2022")
