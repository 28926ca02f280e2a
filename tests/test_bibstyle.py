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


def test_an_inferred_day_keeps_its_brackets_in_every_label():
    """A day the outlet does not print is entered as day = {[18]}: no label shows it as printed."""
    inferred = entry("{Al Mayadeen English}", "2022", "sep", "[18]")
    assert date_text(inferred, short=True) == "[18] Sep 2022"
    assert date_text(inferred, short=False) == "[18] September 2022"
    inferred.key = "m"
    printed = entry("{Al Mayadeen English}", "2022", "sep", "17")
    printed.key = "p"
    formatted = list(NewsStyle().format_entries([inferred, printed]))
    assert [(item.key, item.label) for item in formatted] == [
        ("p", "Al Mayadeen English 17 Sep 2022"), ("m", "Al Mayadeen English [18] Sep 2022")]
    assert "[18] September 2022" in formatted[1].text.render_as("text")
    # A day in neither form is shown as written, not dropped.
    assert date_text(entry("X", "2022", "sep", "18th"), short=True) == "18th Sep 2022"


def test_the_books_labels_match_the_registry():
    """Each source's short name carries the date its citations show, and the bibliography and the
    registry date the article alike (an inferred day in brackets in both)."""
    from pybtex.database import parse_file

    from briefing.archive import load_registry
    from briefing_sources import date_disagreement
    from conftest import ROOT

    from briefing_bibstyle import note_inferred_days

    bib = parse_file(str(ROOT / "references.bib")).entries
    note_inferred_days(load_registry(ROOT))  # as a build does when it starts
    for key, source in load_registry(ROOT).items():
        assert source.short.endswith(", " + date_text(bib[key], short=True)), key
        assert date_disagreement(bib[key], source) is None, key
    al_mayadeen = bib["almayadeen2022putin"]
    assert date_text(al_mayadeen, short=True) == "[18] Sep 2022"
    assert "inferred" in al_mayadeen.fields["note"]
    assert date_text(bib["kg24news2022guterres"], short=True) == "Sep 2022"  # undated: no day


def test_a_bibliography_date_that_differs_from_the_registry_is_reported():
    from pathlib import Path

    from briefing.archive import Source
    from briefing_sources import date_disagreement

    source = Source(key="k", text_path=Path("/x"), text_rel="x", sha256="0", page="p",
                    published="2022-09-18", date_basis="", url_basis="", short="S", location="s.toml:3")
    assert date_disagreement(entry("O", "2022", "sep", "[18]"), source) is None
    problem = date_disagreement(entry("O", "2022", "sep", "17"), source)
    assert problem and "2022-09-17" in problem and "s.toml:3" in problem
    assert date_disagreement(entry("O", "2022", "sep"), source) is not None
