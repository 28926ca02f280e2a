"""Pinpoints: each citation names the paragraphs it rests on, and the build proves the words it
covers against exactly those paragraphs. Each rule is fed the defect it exists to catch in a copy
of tests/roots/test-pinpoint (which itself builds clean), and must fail at the file and line,
naming the paragraph that would be right."""

from __future__ import annotations

import json
import re

import pytest

from briefing import pinpoints
from conftest import build_again, warnings_of

ONE = "chapters/one.md"
DEAD = "The Health Ministry reported 59 people dead and 198 injured {cite:p}`gamma2022{¶4}`."
HOUSES = "including 364 residential\nhouses {cite:p}`gamma2022{¶4}`."
IMANKULOV = ("Imankulov told Gamma Wire that the country is not considering withdrawing from the alliance\n"
             "{cite:p}`gamma2022{¶3}`.")


def warned(app, where: str, *fragments: str) -> str:
    """One of the build's warnings is at ``where`` and holds every fragment."""
    found = [w for w in warnings_of(app) if where in w and all(f in w for f in fragments)]
    assert found, "\n".join(warnings_of(app))
    return found[0]


def test_the_clean_book_builds_and_links_each_pinpoint_to_its_paragraph(overlay):
    app = overlay("pinpoint")
    assert warnings_of(app) == []
    page = (app.outdir / "chapters" / "one.html").read_text(encoding="utf-8")
    # The pinpoint is part of the citation, "(Gamma Wire, 22 Sep 2022, ¶4)", its ¶ a link to the
    # paragraph whose title quotes the paragraph's opening words.
    link = re.search(r'Gamma Wire, 22 Sep 2022</a>, <a class="pinpoint reference internal" '
                     r'href="../sources/gamma2022.html#gamma2022-p4" title="([^"]*)"><span>¶4</span></a>\)', page)
    assert link, page
    assert "The Health Ministry reported the deaths of 59 people" in link.group(1)


def test_cited_by_is_grouped_under_each_paragraph(overlay):
    app = overlay("pinpoint")
    page = (app.outdir / "sources" / "gamma2022.html").read_text(encoding="utf-8")
    cited = page.split('class="cited-by', 1)[1]
    groups = re.findall(r'href="#gamma2022-p(\d+)"[^>]*><span>¶\d+</span></a></p>\s*<ul[^>]*>(.*?)</ul>', cited, re.S)
    by_paragraph = {int(n): body for n, body in groups}
    assert sorted(by_paragraph) == [3, 4, 5, 6, 7, 8], sorted(by_paragraph)
    assert "The Health Ministry reported 59 people dead" in by_paragraph[4]
    assert "The Health Ministry reported 59 people dead" not in by_paragraph[5]


def test_every_annotation_of_the_books_register_targets_its_pinpointed_paragraphs(book_html):
    register = json.loads((book_html / "data" / "claims-register.jsonld").read_text(encoding="utf-8"))
    annotations = register["first"]["items"]
    assert len(annotations) > 300
    assert [a["id"] for a in annotations if not a["target"]] == []
    # The front page's "Kyrgyz dead 59" card rests on Interfax ¶10, not its dateline or timestamp.
    card = next(a for a in annotations if a["page"].endswith("index.html") and "Kyrgyz dead" in a["body"]["value"])
    interfax = [t["paragraph"] for t in card["target"] if t.get("sourceKey") == "interfax2022withdrawal"]
    assert interfax == [10], card["target"]


# --- the pinpoint itself ----------------------------------------------------------------------

def test_a_citation_without_a_pinpoint_is_told_the_paragraphs_and_the_text_to_write(overlay):
    app = overlay("pinpoint", {ONE: ("{cite:p}`gamma2022{¶4}`.\n\nThe Emergency", "{cite:p}`gamma2022`.\n\nThe Emergency")})
    warned(app, f"{ONE}:3:", "names no paragraph", "gamma2022: ¶4", "{cite:p}`gamma2022{¶4}`", "[briefing.pinpoint]")


def test_a_malformed_pinpoint_and_one_beyond_the_text_are_reported(overlay):
    app = overlay("pinpoint", {ONE: [("{cite:p}`gamma2022{¶4}`.\n\nThe Emergency", "{cite:p}`gamma2022{¶four}`.\n\nThe Emergency")][0]})
    warned(app, f"{ONE}:3:", "“¶four” is not of the form", "[briefing.pinpoint]")
    app = overlay("pinpoint", {ONE: (IMANKULOV, IMANKULOV.replace("¶3", "¶12"))})
    warned(app, f"{ONE}:8:", "names ¶12, but its archived text has 9 paragraphs", "[briefing.pinpoint]")


def test_pinpoints_parse_and_write_back():
    assert pinpoints.parse("¶3–5, ¶9") == (3, 4, 5, 9)
    assert pinpoints.parse("¶3-¶4") == (3, 4)
    assert pinpoints.write((3, 4, 5, 9)) == "¶3–5, ¶9"
    with pytest.raises(pinpoints.PinpointError):
        pinpoints.parse("¶5–3")
    assert pinpoints.locators("the timestamp (¶1) and the figures (¶3–¶4)") == (1, 3, 4)


# --- the evidence is in the pinpointed paragraphs ---------------------------------------------

def test_a_casualty_figure_pinned_to_a_dateline_is_reported(overlay):
    app = overlay("pinpoint", {ONE: (DEAD, DEAD.replace("¶4", "¶1"))})
    warned(app, f"{ONE}:3:", "figure '198' is not in the paragraphs the citation pinpoints (gamma2022 ¶1)",
           "it is in gamma2022 ¶4: cite ¶4", "[briefing.evidence]")
    warned(app, f"{ONE}:3:", "gamma2022 ¶1 shares no name and no content word", "[briefing.substance]")


def test_a_figure_only_in_the_datelines_own_line_supports_only_publication_facts(overlay):
    app = overlay("pinpoint", {ONE: (DEAD, "The clashes began at 16:47 on 22 September {cite:p}`gamma2022{¶1}`.")})
    warned(app, f"{ONE}:3:", "date '22 September' is only the publication date of gamma2022", "[briefing.as-of]")


def test_a_figure_that_is_in_another_paragraph_of_the_same_source_is_reported(overlay):
    app = overlay("pinpoint", {ONE: (DEAD, DEAD.replace("¶4", "¶7"))})
    warned(app, f"{ONE}:3:", "figure '198' is not in the paragraphs the citation pinpoints (gamma2022 ¶7)",
           "it is in gamma2022 ¶4: cite ¶4", "[briefing.evidence]")


def test_a_pinpoint_to_a_paragraph_that_shares_no_name_or_word_is_reported(overlay):
    app = overlay("pinpoint", {ONE: (IMANKULOV, IMANKULOV.replace("¶3", "¶6"))})
    warned(app, f"{ONE}:8:", "gamma2022 ¶6 shares no name and no content word", "[briefing.substance]")
    warned(app, f"{ONE}:8:", "name Marat Imankulov", "gamma2022 ¶3 does", "[briefing.substance]")


def test_a_claim_with_no_figure_pinned_to_the_neighbouring_paragraph_is_reported(overlay):
    app = overlay("pinpoint", {ONE: (IMANKULOV, IMANKULOV.replace("¶3", "¶4"))})
    warned(app, f"{ONE}:8:", "gamma2022 ¶4 shares no name and no content word",
           "the paragraphs that share most with them are ¶3", "[briefing.substance]")


def test_an_attribution_to_a_voice_absent_from_the_pinpointed_paragraph_is_reported(overlay):
    app = overlay("pinpoint", {ONE: ("The death toll rose to 59 {cite:p}`gamma2022{¶7}`.",
                                     "The Health Ministry said the death toll rose to 59 {cite:p}`gamma2022{¶7}`.")})
    warned(app, f"{ONE}:24:", "figure '59' is credited to Health Ministry", "gamma2022 ¶7", "[briefing.attribution]")


@pytest.mark.parametrize("wrong, counted", [
    ("59 people injured and 198 dead", "“deaths”"),
    ("198 people dead and 59 injured", "“injuries”"),
])
def test_a_count_is_bound_to_its_own_figure(overlay, wrong, counted):
    app = overlay("pinpoint", {ONE: ("59 people dead and 198 injured", wrong)})
    warned(app, f"{ONE}:3:", counted, "[briefing.counted]")


def test_a_figure_given_the_count_word_of_its_neighbour_is_reported(overlay):
    app = overlay("pinpoint", {ONE: (HOUSES, "and 364 people\nkilled {cite:p}`gamma2022{¶4}`.")})
    warned(app, f"{ONE}:5:", "figure '364' is given as “killed”", "counts “residential houses”", "[briefing.counted]")


def test_a_data_row_naming_the_wrong_passage_is_told_which_paragraph_holds_its_figure(overlay):
    # The row quotes ¶5 (the evacuation) for the toll of ¶4: a row cites nothing, so it is told
    # which paragraph to quote, not which source to cite.
    app = overlay("meaning", {"data/figures.csv": ('"The Ministry of Health reported 122 victims, 24 people were killed"',
                                                   '"Over 142,000 people were evacuated"')})
    warned(app, "data/figures.csv:2:", "figure '24' is not in the passage this row names",
           "it is in alpha2022 ¶4: copy into the row's passage column the words of ¶4", "[briefing.evidence]")


# --- meaning that tokens do not carry ---------------------------------------------------------

def test_a_negation_flipped_is_reported(overlay):
    app = overlay("pinpoint", {ONE: ("the country is not considering", "the country is considering")})
    warned(app, f"{ONE}:8:", "affirms what gamma2022 ¶3 denies", "[briefing.negation]")


def test_a_count_said_to_fall_where_its_passage_says_it_rose_is_reported(overlay):
    app = overlay("pinpoint", {ONE: ("The death toll rose to 59", "The death toll fell to 59")})
    warned(app, f"{ONE}:24:", "says a count fell", "report no fall", "[briefing.direction]")


def test_a_change_that_goes_the_other_way_from_its_figures_is_reported(overlay):
    app = overlay("pinpoint", {ONE: ("The death toll rose to 59", "The death toll rose from 198 to 59")})
    warned(app, f"{ONE}:24:", "rose from 198 to 59, which goes the other way", "[briefing.direction]")


def test_a_quantity_the_passage_does_not_give_is_reported(overlay):
    app = overlay("pinpoint", {ONE: ("All villages in the region", "Some villages in the region")})
    warned(app, f"{ONE}:18:", "“some villages”", "give “all”", "[briefing.quantity]")


@pytest.mark.parametrize("old, new, act", [
    ("Tajikistan accused Kyrgyz forces", "Kyrgyzstan accused Tajik forces", "“accused” is given to Kyrgyzstan"),
    ("said Tajik forces were using tanks", "said Kyrgyz forces were using tanks", "“tanks” is given to Kyrgyzstan"),
])
def test_one_sides_act_given_to_the_other_is_reported(overlay, old, new, act):
    app = overlay("pinpoint", {ONE: (old, new)})
    warned(app, ONE, act, "give it to Tajikistan", "[briefing.sides]")


def test_a_name_spelled_as_no_source_spells_it_is_reported(overlay):
    app = overlay("pinpoint", {ONE: ("Imankulov told", "Imankolov told")})
    warned(app, f"{ONE}:8:", "“Imankolov” is spelled as no source spells it", "“Imankulov”", "[briefing.name-form]")


def test_a_place_put_in_a_district_its_passage_does_not_put_it_in_is_reported(overlay):
    app = overlay("pinpoint", {ONE: ("in Chon-Alai district", "in Batken district")})
    warned(app, f"{ONE}:15:", "Dzhekendi is put in batken", "put it in chon-alai", "[briefing.places]")


def test_the_books_inferred_day_shown_as_printed_is_reported(overlay):
    app = overlay("pinpoint", {ONE: ('"on Sunday", [18] September', '"on Sunday", 18 September')})
    warned(app, f"{ONE}:21:", "the day is the book's inference", "“[18]”", "[briefing.inferred-day]")


def test_a_day_the_outlet_gives_credited_to_the_voice_it_relays_is_reported(overlay):
    app = overlay("pinpoint", {ONE: ("Putin urged the two presidents to avoid further escalation, and the Kremlin",
                                     "According to the Kremlin, Putin urged the two presidents on [18] September to "
                                     "avoid further escalation, and the Kremlin")})
    warned(app, f"{ONE}:21:", "date '18 September' is credited to Kremlin", "the day is the outlet's own (gamma2022 ¶7)",
           "credit the day to Gamma Wire", "[briefing.attribution]")


def test_a_date_found_only_in_a_paragraphs_dateline_is_the_publication_date(overlay):
    # "CAPITAL. Sept 22 (Gamma Wire) - …": the 22nd dates the report, not what Imankulov said.
    app = overlay("pinpoint", {ONE: ("Imankulov told Gamma Wire that", "On 22 September Imankulov said that")})
    warned(app, f"{ONE}:8:", "date '22 September' is only the publication date of gamma2022", "[briefing.as-of]")


def test_two_lower_bounds_ranked_are_reported(overlay):
    app = overlay("pinpoint", {ONE: ("All villages in the region are under the control of the Kyrgyz military, the "
                                     "governor said\n{cite:p}`gamma2022{¶6}`.",
                                     "The registered refugees, more than 130 thousand, were fewer than the over "
                                     "136,000 people evacuated {cite:p}`gamma2022{¶6}`.")})
    warned(app, f"{ONE}:18:", "“fewer than” ranks", "lower bounds", "[briefing.bounds]")


# --- a rebuild judges as a fresh build does -------------------------------------------------

def _rebuilt(make_app, rootdir, tmp_path, edit_before, edit_between):
    """The pinpoint root built, edited, and built again in the same folders: the two apps."""
    import shutil

    srcdir = tmp_path / "book"
    shutil.copytree(rootdir / "test-pinpoint", srcdir)
    edit_before(srcdir)
    return build_again(make_app, srcdir, edit_between, {"html_theme": "basic"})


def _replace(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("old, new, wrong, kind", [
    # data/meaning.toml first lacks the word that catches the defect, then gains it between builds.
    ('units = ["district", "districts", ', 'units = [', ("in Chon-Alai district", "in Batken district"),
     "[briefing.places]"),
    ('words = ["not", ', 'words = [', ("the country is not considering", "the country is considering"),
     "[briefing.negation]"),
])
def test_a_changed_vocabulary_judges_the_pages_again(make_app, rootdir, tmp_path, old, new, wrong, kind):
    vocabulary = "data/meaning.toml"

    def plant(srcdir):
        _replace(srcdir / vocabulary, old, new)
        _replace(srcdir / ONE, *wrong)

    first, second = _rebuilt(make_app, rootdir, tmp_path, plant, lambda srcdir: _replace(srcdir / vocabulary, new, old))
    assert not [w for w in warnings_of(first) if kind in w], warnings_of(first)
    assert [w for w in warnings_of(second) if kind in w], "the rebuild did not judge the page again"


def test_a_change_to_the_rules_code_changes_the_environment_version(tmp_path, monkeypatch):
    import shutil

    import briefing_claims

    rules = tmp_path / "briefing"
    shutil.copytree(briefing_claims.RULES, rules, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(briefing_claims, "RULES", rules)
    before = briefing_claims.rules_version()
    (rules / "claims.py").write_text((rules / "claims.py").read_text(encoding="utf-8") + "\n# changed\n",
                                     encoding="utf-8")
    assert briefing_claims.rules_version() != before


def test_a_data_rows_passage_is_the_archived_text_byte_for_byte(overlay):
    app = overlay("meaning", {"data/figures.csv": ("reported 122 victims", "reported 122\u00a0victims")})
    warned(app, "data/figures.csv:2:", "differs from the archived text in its spaces or quotation marks",
           "[briefing.passage]")
