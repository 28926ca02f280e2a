"""The rules of meaning (tools/briefing/claims.py): who speaks, as of when, how sure, and which
names a block may use. Each rule is fed the defect it exists to catch in a copy of the tiny book
tests/roots/test-meaning, which itself builds clean."""

from __future__ import annotations

import pytest

from conftest import only_warning, warnings_of

ONE = "chapters/one.md"


def test_the_right_forms_pass_and_each_source_page_shows_who_speaks(overlay):
    app = overlay("meaning")
    assert warnings_of(app) == []
    page = (app.outdir / "sources" / "alpha2022.html").read_text(encoding="utf-8")
    voices = page.split('id="alpha2022-voices"', 1)[1].split("</table>", 1)[0]
    assert "Who speaks in the text" in voices
    assert "¶2–¶3" in voices and "Kyrgyz Foreign Ministry" in voices and "relayed statement" in voices
    assert "Alpha News" in voices and "outlet" in voices


# --- 1. voices ----------------------------------------------------------------------------------

def test_a_data_row_credits_only_a_voice_or_a_body_of_its_passage(overlay):
    app = overlay("meaning", {"data/figures.csv": ('"Ministry of Health, via Alpha News"',
                                                   '"Foreign Ministry press service (Alpha News)"')})
    only_warning(app, "data/figures.csv:2:", "reported_by credits Kyrgyz Foreign Ministry",
                 "its voice: Alpha News", "[briefing.reporter]")


def test_a_speaker_the_book_does_not_know_is_named_at_the_registry_line(overlay):
    app = overlay("meaning", {"data/sources.toml": ('speaker = "Kremlin"', 'speaker = "The Kremlin press pool"')})
    found = [w for w in warnings_of(app) if "[briefing.voices]" in w]
    assert len(found) == 1 and "data/sources.toml:1:" in found[0] and "'The Kremlin press pool'" in found[0], found


def test_a_voice_beyond_the_text_is_reported(overlay):
    app = overlay("meaning", {"data/sources.toml": ('paragraphs = "7"', 'paragraphs = "7-9"')})
    found = [w for w in warnings_of(app) if "[briefing.voices]" in w]
    assert len(found) == 1 and "covers ¶7–¶9, but the archived text has 8 paragraphs" in found[0], found


def test_a_source_that_does_not_say_who_speaks_is_reported(overlay):
    toml = "data/sources.toml"
    app = overlay("meaning", {toml: ('[[beta2022.voices]]\nparagraphs = "all"\nspeaker = "Beta Daily"\nrole = "outlet"\n\n'
                                     '[[beta2022.voices]]\nparagraphs = "2"\nspeaker = "Tajikistan"\n'
                                     'role = "relayed statement"\n', "")})
    found = [w for w in warnings_of(app) if "[briefing.voices]" in w]
    assert len(found) == 1 and "data/sources.toml:10:" in found[0] and "does not say who speaks" in found[0], found


def test_a_glossary_term_missing_from_the_names_is_reported(overlay):
    app = overlay("meaning", {"chapters/terms.md": ("Tajikistan\n  Named", "Tajik Republic\n  Named")})
    only_warning(app, "chapters/terms.md:7:", "glossary term “Tajik Republic” is not in data/names.toml")


# --- 2. attribution -----------------------------------------------------------------------------

def test_a_figure_credited_to_a_body_the_passage_does_not_name(overlay):
    app = overlay("meaning", {ONE: ("According to Alpha News, the Ministry of Health reported 24 people killed",
                                    "The Foreign Ministry's press service reported 24 people killed")})
    found = warnings_of(app)
    assert any("chapters/one.md:5:" in w and "figure '24' is credited to Kyrgyz Foreign Ministry" in w
               and "alpha2022 ¶4" in w and "credit Alpha News" in w and "[briefing.attribution]" in w
               for w in found), found
    # The pinpoint (¶4) does not name the body credited either: the same defect, seen from the pinpoint.
    assert any("chapters/one.md:5:" in w and "name Kyrgyz Foreign Ministry, but the paragraphs it pinpoints "
               "(alpha2022 ¶4) do not" in w and "[briefing.substance]" in w for w in found), found
    assert len(found) == 2, found


def test_a_narrated_paraphrase_is_not_a_persons_words(overlay):
    # The paraphrase is the outlet's correspondent's (¶6), pinpointed beside the Kremlin's statement (¶7).
    app = overlay("meaning", {ONE: ('"to prevent further escalation" {cite:p}`alpha2022{¶7}`',
                                    '"to avoid further escalation" {cite:p}`alpha2022{¶6–7}`')})
    only_warning(app, "chapters/one.md:9:", "quotation '\"to avoid further escalation\"' is credited to Vladimir Putin",
                 "these are not Vladimir Putin's words", "[briefing.attribution]")


# --- 3. as-of dates -----------------------------------------------------------------------------

def test_a_publication_date_given_as_the_date_of_a_count(overlay):
    app = overlay("meaning", {ONE: ("Alpha News reported on 19 September 2022 that 24 people were killed",
                                    "As of 19 September 2022, 24 people were killed")})
    only_warning(app, "chapters/one.md:13:", "date '19 September 2022' is only the publication date of alpha2022",
                 "“reported on 19 September 2022”", "[briefing.as-of]")


def test_a_report_date_said_to_be_one_passes(overlay):
    app = overlay("meaning", {ONE: ("Alpha News reported on 19 September 2022 that 24 people were killed",
                                    "24 people were killed, Alpha News wrote in its report of 19 September 2022")})
    assert warnings_of(app) == []


def test_a_date_from_another_passage_does_not_date_a_figure(overlay):
    app = overlay("meaning", {ONE: ("Tajikistan said 41 people had died by 18 September 2022 {cite:p}`beta2022{¶2}`",
                                    "In all, 41 people had died by 16 September 2022 "
                                    "{cite:p}`beta2022{¶2},alpha2022{¶4}`")})
    only_warning(app, "chapters/one.md:11:", "date '16 September 2022' dates the figure(s) 41",
                 "no passage that holds them gives that date", "[briefing.as-of]")


# --- 4. bounds ----------------------------------------------------------------------------------

def test_a_bound_loses_its_qualifier(overlay):
    app = overlay("meaning", {ONE: ("Over 142,000 people were evacuated", "In all, 142,000 people were evacuated")})
    only_warning(app, "chapters/one.md:7:", "figure '142,000'", "“Over 142,000”", "keep its qualifier",
                 "[briefing.bounds]")


def test_arithmetic_on_a_bound_is_shown_as_approximate(overlay):
    app = overlay("meaning", {ONE: ("Roughly {derived}", "Exactly {derived}")})
    only_warning(app, "chapters/one.md:15:", "derived figure '142,024' is computed from a bound",
                 "show it as approximate", "[briefing.bounds]")


# --- 5. names -----------------------------------------------------------------------------------

def test_a_name_no_cited_source_names(overlay):
    app = overlay("meaning", {ONE: ("the minister told the Secretary-General of the casualties",
                                    "the minister told Moscow of the casualties")})
    only_warning(app, "chapters/one.md:3:", "the block names Moscow", "beta2022 names it", "[briefing.names]")


# --- source pages -------------------------------------------------------------------------------

def test_a_source_pages_annotation_is_held_to_its_source(overlay):
    app = overlay("meaning", {"sources/alpha2022.md": ("toll of 24 killed (¶4)", "toll of 42 killed (¶4)")})
    only_warning(app, "sources/alpha2022.md:", "figure '42' is not in the cited source(s) alpha2022",
                 "[briefing.evidence]")


# --- exempt pages -------------------------------------------------------------------------------

def test_an_exempt_page_that_states_a_figure_of_the_conflict(overlay):
    app = overlay("meaning", {"chapters/help.md": ("19 September 2022.", "19 September 2022, when 142,000 had fled.")})
    only_warning(app, "chapters/help.md:7:", "figure '142,000' on a page exempt from the claims rule",
                 "[briefing.exempt-page]")


# --- a defect stays a failure ---------------------------------------------------------------------

def test_a_defect_fails_every_build_until_it_is_fixed(overlay):
    edits = {ONE: ("Over 142,000 people", "142,000 people")}
    first = overlay("meaning", edits)
    assert len(warnings_of(first)) == 1
    again = overlay("meaning")  # same sources and output: nothing is re-read
    assert [w for w in warnings_of(again) if "[briefing.bounds]" in w], warnings_of(again)


def test_editing_the_names_re_reads_the_pages_that_use_them(overlay):
    overlay("meaning")
    app = overlay("meaning", {"data/names.toml": ('["Moscow"]\nkind = "place"\nforms = []\n', "")})
    # Moscow is no longer a name, and no page used it: still clean; Dushanbe now goes too, and the
    # page that quoted beta (which names it) is re-read without a warning.
    assert warnings_of(app) == []
    app = overlay("meaning", {"data/names.toml": ('forms = ["Tajik authorities"]', 'forms = []')})
    assert warnings_of(app) == [], warnings_of(app)


# --- what a figure counts (issue: evidence per item) ---------------------------------------------

def test_a_figure_given_as_another_count(overlay):
    app = overlay("meaning", {ONE: ("Over 142,000 people were evacuated", "Over 142,000 people were killed")})
    only_warning(app, "chapters/one.md:7:", "figure '142,000' is given as “killed”",
                 "counts “evacuated” with it", "[briefing.counted]")


def test_one_and_two_count_when_they_count(overlay):
    app = overlay("meaning", {ONE: ("Tajikistan said 41 people had died by 18 September 2022",
                                    "Tajikistan said 41 people had died two days after 16 September 2022")})
    found = warnings_of(app)
    assert any("figure 'two' is not in the cited source(s) beta2022" in w for w in found), found


def test_numbers_that_count_and_numbers_that_do_not():
    from briefing.evidence import extract

    def figures(text):
        return [(i.shown, i.value) for i in extract(text) if i.kind == "figure"]

    assert figures("Rahmon turned 70 two days earlier") == [("70", 70.0), ("two", 2.0)]
    assert figures("the Order of Merit, III degree") == [("III", 3.0)]
    assert figures("the two districts and one of its members") == []
    assert figures("paragraphs ¶3–¶8 at https://example.org/news/83286/") == []


# --- quotations ---------------------------------------------------------------------------------

def test_an_insertion_names_only_what_the_passage_names(overlay):
    app = overlay("meaning", {ONE: ('The Kremlin said Putin urged the sides "to prevent further escalation" {cite:p}`alpha2022{¶7}`',
                                    'The minister said the other side "[Tajikistan] does not comply with the agreements" '
                                    '{cite:p}`alpha2022{¶3},beta2022{¶2}`')})
    only_warning(app, "chapters/one.md:9:", "the insertion “[Tajikistan]”", "names Tajikistan",
                 "[briefing.insertion]")


def test_an_ellipsis_joins_only_adjacent_paragraphs(overlay):
    app = overlay("meaning", {ONE: ('"to prevent further escalation"', '"Ministry reports … to prevent further escalation"')})
    found = [w for w in warnings_of(app) if "[briefing.evidence]" in w]
    assert len(found) == 1 and "quotation" in found[0] and "chapters/one.md:9:" in found[0], warnings_of(app)


def test_a_quotation_in_single_marks_is_checked(overlay):
    app = overlay("meaning", {ONE: ('"to prevent further escalation"', "‘to stop any escalation’")})
    found = [w for w in warnings_of(app) if "[briefing.evidence]" in w]
    assert len(found) == 1 and "quotation '\"to stop any escalation\"'" in found[0], warnings_of(app)


# --- sentence by sentence -------------------------------------------------------------------------

def test_each_sentence_is_held_to_the_citation_that_follows_it(overlay):
    app = overlay("meaning", {ONE: ("Tajikistan said 41 people had died by 18 September 2022 {cite:p}`beta2022{¶2}`.",
                                    "Over 142,000 people were evacuated {cite:p}`beta2022{¶2}`; Tajikistan said 41 "
                                    "people had died by 18 September 2022 {cite:p}`alpha2022{¶4}`.")})
    found = [w for w in warnings_of(app) if "[briefing.evidence]" in w]
    assert len(found) == 3, warnings_of(app)
    assert all("chapters/one.md:11:" in w for w in found), found
    moved = [w for w in found if "which the citation after it names" in w]
    assert len(moved) == 2, found
    assert any("figure '142,000' is not in beta2022" in w for w in moved), found
    assert any("figure '41' is not in alpha2022" in w for w in moved), found
    # The date is in beta2022 too, but the citation after it pinpoints alpha2022 ¶4, which lacks it.
    assert any("date '18 September 2022' is not in the paragraphs the citation pinpoints (alpha2022 ¶4)" in w
               for w in found), found


def test_one_citation_holds_the_whole_block(overlay):
    app = overlay("meaning", {ONE: ("Tajikistan said 41 people had died by 18 September 2022 {cite:p}`beta2022{¶2}`.",
                                    "Over 142,000 people were evacuated; Tajikistan said 41 people had died by "
                                    "18 September 2022 {cite:p}`alpha2022{¶5},beta2022{¶2}`.")})
    assert warnings_of(app) == []


def test_one_sides_count_is_not_the_others(overlay):
    app = overlay("meaning", {"sources/text/beta2022.txt": ("said 41 people died", "said 41 Tajik people died"),
                              "data/sources.toml": ("67c93861412d4a031a63b1747d7f1fd4841ff3c52a2dc3834613a9afefce92fd",
                                                    _sha256_after("beta2022", "said 41 people died", "said 41 Tajik people died")),
                              ONE: ("Tajikistan said 41 people had died", "Tajikistan said 41 Kyrgyz people had died")})
    only_warning(app, "chapters/one.md:11:", "figure '41' is given as Kyrgyz", "gives it as Tajik", "[briefing.counted]")


def _sha256_after(key: str, old: str, new: str) -> str:
    import hashlib

    from conftest import ROOT

    text = (ROOT / "tests" / "roots" / "test-meaning" / "sources" / "text" / f"{key}.txt").read_bytes()
    return hashlib.sha256(text.replace(old.encode(), new.encode())).hexdigest()


# --- what a date dates ----------------------------------------------------------------------------

def test_a_date_given_to_another_event(overlay):
    app = overlay("meaning", {ONE: ("Alpha News reported on 19 September 2022 that 24 people were killed",
                                    "After the ceasefire of 16 September 2022, 24 people were killed, Alpha News reported")})
    only_warning(app, "chapters/one.md:13:", "date '16 September 2022' is given as the day of “ceasefire”",
                 "alpha2022 ¶4", "[briefing.dated]")


def test_a_date_given_to_its_own_event_passes(overlay):
    old, new = "died by September 18,", "died by September 18, the day of the ceasefire,"
    app = overlay("meaning", {"sources/text/beta2022.txt": (old, new),
                              "data/sources.toml": ("67c93861412d4a031a63b1747d7f1fd4841ff3c52a2dc3834613a9afefce92fd",
                                                    _sha256_after("beta2022", old, new)),
                              ONE: ("Tajikistan said 41 people had died by 18 September 2022",
                                    "Tajikistan said 41 people had died by the ceasefire of 18 September 2022")})
    assert warnings_of(app) == []


def test_names_that_are_not_utf8_are_located(tmp_path):
    from briefing.names import NamesError, load_names

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "names.toml").write_bytes(b'["Kremlin"]\nkind = "organisation"\nforms = ["Kreml\xe9"]\n')
    with pytest.raises(NamesError) as caught:
        load_names(tmp_path)
    assert caught.value.location == "data/names.toml:3" and "save the file as UTF-8" in caught.value.message


def test_a_missing_data_file_is_named_by_its_own_path(overlay):
    app = overlay("meaning", {"data/figures.csv": None})
    found = warnings_of(app)
    assert any("data/figures.csv:1:" in w and "data file is missing" in w for w in found), found
    assert not any("figures.csv.md" in w for w in found), found


def test_raw_html_states_no_figure_of_the_sources(overlay):
    app = overlay("meaning", {ONE: ("# One\n", '# One\n\n<div class="note">Over 142,000 people were evacuated.</div>\n')})
    only_warning(app, "chapters/one.md:3:", "figure '142,000' in raw HTML", "[briefing.raw-html]")
