from datetime import date

import edtf

import pandas as pd
import pytest

from returnee_journeys.model import dates


@pytest.mark.parametrize("value, lower, upper", [
    ("2022-09-21", date(2022, 9, 21), date(2022, 9, 21)),
    ("2022-09", date(2022, 9, 1), date(2022, 9, 30)),
    ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ("2023", date(2023, 1, 1), date(2023, 12, 31)),
    ("2022-03~", date(2022, 3, 1), date(2022, 3, 31)),  # strict bounds: no fuzzy padding
    ("2023-12?", date(2023, 12, 1), date(2023, 12, 31)),
    ("2023-09/2023-12", date(2023, 9, 1), date(2023, 12, 31)),
    ("[2023-09..2023-12]", date(2023, 9, 1), date(2023, 12, 31)),
    ("[..2025-02-10]", None, date(2025, 2, 10)),
    ("[2022-09..]", date(2022, 9, 1), None),
    ("2022-09-21/..", date(2022, 9, 21), None),  # not start + 10 years
    ("2022-09-21/", date(2022, 9, 21), None),
    ("../2023-05", None, date(2023, 5, 31)),
    ("", None, None),
])
def test_strict_bounds(value, lower, upper):
    assert dates.bounds(value) == (lower, upper)


@pytest.mark.parametrize("value", ["2022-13", "22-09", "September 2022", "2023-12/2023-01", "../..", "[..]"])
def test_invalid_values_raise(value):
    with pytest.raises(dates.EDTFError):
        dates.bounds(value)


def test_columns_parse_each_distinct_value_once_and_flag_invalid(monkeypatch):
    calls = []
    real = dates.bounds
    monkeypatch.setattr(dates, "bounds", lambda v: calls.append(v) or real(v))
    values = pd.Series(["2022-09", "2022-09", None, "bad", "2023"], dtype="string")
    lower, upper, invalid = dates.bounds_columns(values)
    assert sorted(calls) == ["2022-09", "2023", "bad"]
    assert invalid.tolist() == [False, False, False, True, False]
    assert lower.iloc[0] == pd.Timestamp("2022-09-01") and upper.iloc[4] == pd.Timestamp("2023-12-31")
    assert pd.isna(lower.iloc[2]) and pd.isna(upper.iloc[3])


@pytest.mark.parametrize("value", ["2022", "2022-09", "2024-02", "2023-02", "2022-09-21", "2000-12-31"])
def test_plain_dates_get_the_bounds_edtf_gives(value):
    parsed = edtf.parse_edtf(value)
    expected = (edtf.struct_time_to_date(parsed.lower_strict()), edtf.struct_time_to_date(parsed.upper_strict()))
    assert dates.bounds(value) == expected


@pytest.mark.parametrize("value", ["2022-00", "2023-02-29", "2022-09-31"])
def test_impossible_plain_dates_are_invalid(value):
    with pytest.raises(dates.EDTFError):
        dates.bounds(value)


@pytest.mark.parametrize("value", ["[2023-09..2023-12]", "[2022-02-24..2022-02-25]", "[2022..2023]"])
def test_set_ranges_get_the_bounds_edtf_gives(value):
    parsed = edtf.parse_edtf(value)
    expected = (edtf.struct_time_to_date(parsed.lower_strict()), edtf.struct_time_to_date(parsed.upper_strict()))
    assert dates.bounds(value) == expected


@pytest.mark.parametrize("value, lower, upper", [
    ("2022-21", date(2022, 3, 1), date(2022, 5, 31)),     # spring
    ("2022-22", date(2022, 6, 1), date(2022, 8, 31)),     # summer
    ("2022-23", date(2022, 9, 1), date(2022, 11, 30)),    # autumn
    ("2022-24", date(2022, 12, 1), date(2023, 2, 28)),    # winter, into the next year
    ("[2022-21..2022-23]", date(2022, 3, 1), date(2022, 11, 30)),
    ("2022-21/2022-24", date(2022, 3, 1), date(2023, 2, 28)),
])
def test_seasons_are_not_read_as_months(value, lower, upper):
    assert dates.bounds(value) == (lower, upper)


@pytest.mark.parametrize("value", ["2022-20", "2022-25", "2022-21-01"])
def test_no_month_past_24_and_no_day_of_a_season(value):
    with pytest.raises(dates.EDTFError):
        dates.bounds(value)
