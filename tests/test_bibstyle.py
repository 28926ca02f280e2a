"""News articles without a byline are cited by outlet and date, and listed in that order."""

from __future__ import annotations

from pybtex.database import Entry

from briefing_bibstyle import NewsStyle, date_text


def entry(outlet, year, month=None, day=None):
    fields = {"title": "T", "howpublished": outlet, "year": year, "url": "https://x.org/"}
    if month:
        fields["month"] = month
    if day:
        fields["day"] = day
    return Entry("misc", fields=fields)


def test_dates_print_what_is_known():
    assert date_text(entry("Interfax", "2022", "sep", "22"), short=True) == "22 Sep 2022"
    assert date_text(entry("24.kg", "2022", "sep"), short=False) == "September 2022"
    assert date_text(entry("X", "2022"), short=True) == "2022"


def test_bibliography_is_ordered_and_labelled_by_outlet_and_date():
    entries = {"c": entry("{inozPRESS.kg}", "2022", "oct", "10"), "a": entry("Interfax", "2022", "sep", "22"),
               "b": entry("{inozPRESS.kg}", "2022", "sep", "19"), "d": entry("24.kg", "2022", "sep")}
    for key, value in entries.items():
        value.key = key
    formatted = NewsStyle().format_entries(entries.values())
    assert [(item.key, item.label) for item in formatted] == [
        ("d", "24.kg Sep 2022"), ("b", "inozPRESS.kg 19 Sep 2022"),
        ("c", "inozPRESS.kg 10 Oct 2022"), ("a", "Interfax 22 Sep 2022")]
