"""Data rows: the machine-read columns (sort dates, numbers) agree with the text shown, as the
data package describes each data set."""

import pytest

from briefing.datafiles import DataError, Row, date_mismatch, read_dataset, read_rows, row_problems
from briefing.errors import Problem
from conftest import ROOT

FIGURES = read_dataset(ROOT, "figures")
TIMELINE = read_dataset(ROOT, "timeline")


def test_sort_date_must_match_the_date_shown():
    assert date_mismatch("2022-09-14", "14 September 2022") is None
    assert date_mismatch("2022-09-01", "September 2022") is None
    assert date_mismatch("1993-01-01", "1993 (year only)") is None
    assert "not the day" in date_mismatch("2022-09-15", "14 September 2022")
    assert "names no year" in date_mismatch("2021-09-14", "14 September 2022")
    assert "first of its month" in date_mismatch("2022-09-03", "September 2022")


def test_relative_dates_fall_on_the_named_side():
    assert date_mismatch("2022-10-03", "Week before 10 October 2022") is None
    assert "within the week before" in date_mismatch("2022-10-12", "Week before 10 October 2022")
    # A week is a week: a sort date three weeks earlier is not "the week before".
    assert "within the week before" in date_mismatch("2022-10-01", "The week before the report of 10 October 2022")
    assert date_mismatch("2022-09-20", "A month before 10 October 2022") is None


def test_an_unknown_measure_is_named_never_dropped(overlay):
    from conftest import warnings_of

    app = overlay("meaning", {"data/figures.csv": ("killed-24,deaths,", "killed-24,death,")})
    found = warnings_of(app)
    assert len(found) == 1 and "data/figures.csv:2:" in found[0], found
    assert "unknown measure 'death': use one of deaths" in found[0], found[0]


def test_number_must_be_the_value_shown():
    row = Row("data/figures.csv:2", {"measure": "displaced", "number": "2", "value": "two days", "as_of": "",
                                     "as_of_text": "x"})
    assert row_problems(row, FIGURES) == []
    row = Row("data/figures.csv:2", {"measure": "displaced", "number": "140", "value": "more than 14", "as_of": "",
                                     "as_of_text": "x"})
    assert "is not the figure in value" in row_problems(row, FIGURES)[0].message
    assert row_problems(row, FIGURES)[0].location == "data/figures.csv:2"


def test_row_problems_are_located_problems_of_each_data_set():
    row = Row("data/timeline.csv:7", {"date": "2022-09-15", "when": "14 September 2022", "event": "e",
                                      "source": "s", "passage": "p"})
    assert row_problems(row, TIMELINE) == [Problem("data/timeline.csv", 7, "date 2022-09-15 is not the day "
                                                   "'14 September 2022' names; make date and when agree")]
    row = Row("data/figures.csv:3", {"measure": "kyrgyz_deaths", "number": "41", "value": "41",
                                     "as_of": "2022-10-14", "as_of_text": "14 September 2022"})
    (problem,) = row_problems(row, FIGURES)
    assert (problem.path, problem.line) == ("data/figures.csv", 3)
    assert problem.message.startswith("as_of 2022-10-14 is in month 10") and "make as_of and as_of_text agree" \
        in problem.message


def test_the_package_describes_each_data_set_once():
    assert FIGURES.columns[:2] == ("id", "measure") and FIGURES.optional == {"as_of"}
    assert FIGURES.date_columns == ("as_of",) and FIGURES.number_column == "number"
    assert FIGURES.in_words == {"number": "value", "as_of": "as_of_text"} and FIGURES.unit_column == "measure"
    assert TIMELINE.columns == ("date", "when", "event", "source", "passage") and not TIMELINE.optional
    assert TIMELINE.date_columns == ("date",) and TIMELINE.number_column is None and TIMELINE.unit_column is None


@pytest.mark.parametrize("package, where, what", [
    (None, "data/datapackage.json:1", "the data package is missing"),
    ('{"resources": [\n  {"name": "figures",}\n]}', "data/datapackage.json:2", "not valid JSON"),
    ('{"resources": []}', "data/datapackage.json:1", "no resource named 'timeline'"),
    ('{"resources": [{"name": "timeline", "schema": {"fields": [\n{"name": "date", "type": "date", '
     '"inWords": "whenn"}]}}]}', "data/datapackage.json:2", "inWords of date: 'whenn'"),
])
def test_a_package_that_cannot_describe_the_data_set_is_located(tmp_path, package, where, what):
    if package is not None:
        (tmp_path / "data").mkdir()
        (tmp_path / "data" / "datapackage.json").write_text(package, encoding="utf-8")
    with pytest.raises(DataError) as raised:
        read_dataset(tmp_path, "timeline")
    assert raised.value.location == where and what in raised.value.message, raised.value


def test_a_broken_package_is_a_located_warning_of_the_table(overlay):
    from conftest import warnings_of

    app = overlay("meaning", {"data/datapackage.json": ('"inWords": "value"', '"inWords": "valeu"')})
    found = warnings_of(app)
    assert found and "data/datapackage.json:10:" in found[0] and "inWords of number: 'valeu'" in found[0], found


def test_malformed_rows_are_reported_never_dropped(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "t.csv").write_text(
        "date,when,event,source,passage\n"
        "2022-09-14,14 September 2022,ok,a,p\n"
        "2022-09-14,14 September 2022,too,many,fields,here\n"
        "2022-09-14,,no when,a,p\n"
        '2022-09-15,"15 September\n2022",spans two lines,a,p\n'
        "2022-09-16,16 September 2022,after the multi-line row,a,\n", encoding="utf-8")
    rows, errors = read_rows(tmp_path, "data/t.csv", TIMELINE)
    assert [row.location for row in rows] == ["data/t.csv:2", "data/t.csv:5"]
    assert [(e.location, e.message.split(";")[0]) for e in errors] == [
        ("data/t.csv:3", "wrong number of fields"),
        ("data/t.csv:4", "empty field(s) when"),
        ("data/t.csv:7", "empty field(s) passage"),
    ]
    (tmp_path / "data" / "t.csv").write_text("date,when\n", encoding="utf-8")
    rows, errors = read_rows(tmp_path, "data/t.csv", TIMELINE)
    assert errors[0].location == "data/t.csv:1" and "header lacks column(s) event" in errors[0].message


def test_the_book_names_its_measures_once():
    measures = FIGURES.units
    assert measures and "kyrgyz_deaths" in measures and "about" not in measures
