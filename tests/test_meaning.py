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
    only_warning(app, "chapters/one.md:5:", "figure '24' is credited to Kyrgyz Foreign Ministry",
                 "alpha2022 ¶4", "credit Alpha News", "[briefing.attribution]")


def test_a_narrated_paraphrase_is_not_a_persons_words(overlay):
    app = overlay("meaning", {ONE: ('"to prevent further escalation"', '"to avoid further escalation"')})
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
    app = overlay("meaning", {ONE: ("Tajikistan said 41 people had died by 18 September 2022 {cite:p}`beta2022`",
                                    "In all, 41 people had died by 16 September 2022 "
                                    "{cite:p}`beta2022,alpha2022`")})
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
