"""The evidence rule in plain Python: what counts as a figure, a date and a quotation, and when
a source holds it."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.archive import Source, split_paragraphs
from briefing.evidence import DerivedError, SourceIndex, extract, normalise, parse_derived


def source(text: str, published: str = "2022-09-22") -> SourceIndex:
    meta = Source(key="s", text_path=Path("/nonexistent"), text_rel="s.txt", sha256="0", page="p",
                  published=published, date_basis="", url_basis="", short="S", location="x:1")
    return SourceIndex(meta, split_paragraphs(text))


def kinds(text):
    return [(item.kind, item.value) for item in extract(text)]


def test_figures_are_normalised():
    assert kinds("over 142,000 and 130 thousand and 6 million") == [
        ("figure", 142000.0), ("figure", 130000.0), ("figure", 6000000.0)]
    assert kinds("more than 700 facilities, the 77th session") == [("figure", 700.0), ("figure", 77.0)]
    assert kinds("seven villages") == [("figure", 7.0)]


def test_outlet_names_and_idioms_are_not_figures():
    assert kinds("24.kg reported it") == []
    assert kinds("one of the two sides") == []


def test_dates_in_every_written_form():
    assert kinds("September 14") == [("date", (None, 9, 14))]
    assert kinds("14 September 2022") == [("date", (2022, 9, 14))]
    assert kinds("Oct. 10, 2022") == [("date", (2022, 10, 10))]
    assert kinds("September 15–17") == [("date", (None, 9, 15)), ("date", (None, 9, 17))]
    assert kinds("from September 14 to 17") == [("date", (None, 9, 14)), ("date", (None, 9, 17))]
    assert kinds("in September 2022") == [("date", (2022, 9, None))]


def test_quotations_fold_typography_but_not_words():
    text = "He said “we do not take out any sword […] from the scabbard” and “announsed [sic]”."
    quotes = [item.value for item in extract(text) if item.kind == "quotation"]
    assert quotes == [("we do not take out any sword", "from the scabbard"), ("announsed",)]
    assert normalise("a\u00a0b – “c”") == 'a b - "c"'


def test_source_holds_figures_dates_and_quotes_by_paragraph():
    index = source("Title\nOn September 14 about 130 thousand left.\nHe said: “Go home now.”")
    (figure,) = [i for i in extract("130,000 people") if i.kind == "figure"]
    assert index.find(figure) == [2]
    (date,) = extract("14 September 2022")
    assert index.find(date) == [2]
    (quote,) = extract("“Go home now”")
    assert index.find(quote) == [3]
    (misquote,) = extract("“Go home at once”")
    assert index.find(misquote) == []


def test_publication_date_counts_as_part_of_the_source():
    index = source("Nothing dated here.", published="2022-09-22")
    (date,) = extract("22 September 2022")
    assert index.find(date) == [0]
    (wrong,) = extract("23 September 2022")
    assert index.find(wrong) == []
    (year_wrong,) = extract("14 September 2021")
    assert source("On September 14.").find(year_wrong) == []


def test_derived_figures_check_their_arithmetic():
    assert parse_derived("100 = 59 + 41").inputs == [59.0, 41.0]
    assert parse_derived("6,000 = 142,000 - 136,000").value == 6000.0
    with pytest.raises(DerivedError, match="is 100, not 101"):
        parse_derived("101 = 59 + 41")
    with pytest.raises(DerivedError, match="only numbers"):
        parse_derived("100 = __import__('os')")
    with pytest.raises(DerivedError, match="VALUE = EXPRESSION"):
        parse_derived("100")


def test_best_passage_for_a_claim_without_figures():
    index = source("The weather was fine.\nThe minister regretted the ceasefire violations by the other side.")
    assert index.best_passage("The minister regretted violations of the ceasefire") == 2
    assert index.best_passage("Completely unrelated prose") is None


def test_one_calendar_reads_every_spelling_of_a_month():
    from briefing.dates import date_words, month_abbreviation, month_number
    assert [month_number(m) for m in ("September", "september", "Sept.", "sep", "9")] == [9] * 5
    assert [month_number(m) for m in ("", "se", "Septober", "13", "n.d.")] == [None] * 5
    assert month_abbreviation(9) == "sep"
    assert date_words("2022-09-14") == "14 September 2022" and date_words("2022-09") == "September 2022"


def test_the_edges_of_reading_numbers():
    """Digit groups split by a thin or non-breaking space, composite number words, and derived
    arithmetic compared at the precision it is shown with."""
    from briefing.evidence import DerivedError, extract, parse_derived

    def figures(text):
        return [i.value for i in extract(text) if i.kind == "figure"]

    assert figures("142\u202f000 and 142\u00a0000 people") == [142000.0, 142000.0]
    assert figures("twenty-four killed and forty one injured") == [24.0, 41.0]
    assert parse_derived("6.5 = 13 / 2").value == 6.5
    with pytest.raises(DerivedError, match="is 6.5, not 6.6"):
        parse_derived("6.6 = 13 / 2")
    assert parse_derived("6,000 = 142,000 - 136,000").value == 6000


def test_a_number_in_words_is_read_whole():
    """"one hundred and twenty" is 120, never the 20 at its end."""
    def figures(text):
        return [i.value for i in extract(text) if i.kind == "figure"]

    assert figures("one hundred and twenty people") == [120.0]
    assert figures("two hundred houses, three thousand evacuees") == [200.0, 3000.0]
    assert figures("a hundred and five, thirty-five thousand, one thousand two hundred") == [105.0, 35000.0, 1200.0]
    assert figures("hundreds of people, one of the two sides") == []
    # A letter that folds into a number word's ("ſ", a long s) is read as the pattern reads it:
    # the word, not a crash of the build.
    assert figures("About ſix hundred people left") == [600.0]
    index = source("Title\nOne hundred and twenty people were evacuated.")
    (held,) = extract("120 people")
    assert index.find(held) == [2]
    (smaller,) = extract("20 people")
    assert index.find(smaller) == []


def test_digit_groups_split_by_a_space_are_one_number():
    def figures(text):
        return [i.value for i in extract(text) if i.kind == "figure"]

    assert figures("10 000 people and 1 250 000 more") == [10000.0, 1250000.0]
    (held,) = extract("10,000 people")
    assert source("Title\nAbout 10 000 people left.").find(held) == [2]
    # A year does not start a digit group: a year and a count stay two figures.
    assert figures("in 2022 150 people") == [2022.0, 150.0]
    assert figures("on 14 September 2022 150 people") == [150.0]


def test_names_with_numbers_are_no_figures():
    """A number after letters and a hyphen ("COVID-19", "F-16") is part of a name, and a numbered
    part of a document ("Article 4") is a locator: neither must be in a cited source."""
    def figures(text):
        return [i.value for i in extract(text) if i.kind == "figure"]

    assert figures("COVID-19 rules, an F-16, Su-25 jets, Article 4 and Resolution 2401") == []
    assert figures("16 jets under Article 4, aged 18-25") == [16.0, 18.0, 25.0]
