"""Data rows: the machine-read columns (sort dates, numbers) agree with the text shown."""

from briefing.datafiles import Row, date_mismatch, row_problems


def test_sort_date_must_match_the_date_shown():
    assert date_mismatch("2022-09-14", "14 September 2022") is None
    assert date_mismatch("2022-09-01", "September 2022") is None
    assert date_mismatch("1993-01-01", "1993 (year only)") is None
    assert "not the day" in date_mismatch("2022-09-15", "14 September 2022")
    assert "names no year" in date_mismatch("2021-09-14", "14 September 2022")
    assert "first of its month" in date_mismatch("2022-09-03", "September 2022")


def test_relative_dates_fall_on_the_named_side():
    assert date_mismatch("2022-10-03", "Week before 10 October 2022") is None
    assert "within a month before" in date_mismatch("2022-10-12", "Week before 10 October 2022")


def test_number_must_be_the_value_shown():
    row = Row("data/figures.csv:2", {"number": "2", "value": "two days", "as_of": "", "as_of_text": "x"})
    assert row_problems(row) == []
    row = Row("data/figures.csv:2", {"number": "140", "value": "more than 14", "as_of": "", "as_of_text": "x"})
    assert "is not the figure in value" in row_problems(row)[0]
