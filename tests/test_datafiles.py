"""Data rows: the machine-read columns (sort dates, numbers) agree with the text shown."""

from briefing.datafiles import Row, date_mismatch, known_measures, row_problems


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

    app = overlay("meaning", {"data/figures.csv": ("killed-24,deaths,", "killed-24,death,"),
                              "data/datapackage.json": '{"units": {"about": "x", "deaths": "people"}}'})
    found = warnings_of(app)
    assert len(found) == 1 and "data/figures.csv:2:" in found[0], found
    assert "unknown measure 'death': use one of deaths" in found[0], found[0]


def test_number_must_be_the_value_shown():
    row = Row("data/figures.csv:2", {"number": "2", "value": "two days", "as_of": "", "as_of_text": "x"})
    assert row_problems(row) == []
    row = Row("data/figures.csv:2", {"number": "140", "value": "more than 14", "as_of": "", "as_of_text": "x"})
    assert "is not the figure in value" in row_problems(row)[0]


def test_malformed_rows_are_reported_never_dropped(tmp_path):
    from briefing.datafiles import TIMELINE_COLUMNS, read_rows
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "t.csv").write_text(
        "date,when,event,source,passage\n"
        "2022-09-14,14 September 2022,ok,a,p\n"
        "2022-09-14,14 September 2022,too,many,fields,here\n"
        "2022-09-14,,no when,a,p\n"
        '2022-09-15,"15 September\n2022",spans two lines,a,p\n'
        "2022-09-16,16 September 2022,after the multi-line row,a,\n", encoding="utf-8")
    rows, errors = read_rows(tmp_path, "data/t.csv", TIMELINE_COLUMNS)
    assert [row.location for row in rows] == ["data/t.csv:2", "data/t.csv:5"]
    assert [(e.location, e.message.split(";")[0]) for e in errors] == [
        ("data/t.csv:3", "wrong number of fields"),
        ("data/t.csv:4", "empty field(s) when"),
        ("data/t.csv:7", "empty field(s) passage"),
    ]
    (tmp_path / "data" / "t.csv").write_text("date,when\n", encoding="utf-8")
    rows, errors = read_rows(tmp_path, "data/t.csv", TIMELINE_COLUMNS)
    assert errors[0].location == "data/t.csv:1" and "header lacks column(s) event" in errors[0].message


def test_the_book_names_its_measures_once():
    from conftest import ROOT

    measures = known_measures(ROOT)
    assert measures and "kyrgyz_deaths" in measures and "about" not in measures
