"""Dates, windows and durations are worded one way everywhere (model/wording.py)."""
from __future__ import annotations

import pandas as pd

from returnee_journeys.model import wording

t = pd.Timestamp


def test_a_window_reads_like_a_date_at_its_precision():
    assert wording.window(t("2022-09-01"), t("2022-09-30")) == "2022-09"
    assert wording.window(t("2022-09-21"), t("2022-09-21")) == "2022-09-21"
    assert wording.window(t("2023-01-01"), t("2023-12-31")) == "2023"
    assert wording.window(t("2023-09-01"), t("2023-12-31")) == "2023-09 – 2023-12"
    assert wording.window(t("2023-09-02"), t("2023-12-30")) == "2023-09-02 – 2023-12-30"
    assert wording.window(t("2022-09-21"), pd.NaT) == "2022-09-21 or later"
    assert wording.window(pd.NaT, t("2022-09-30")) == "2022-09 or earlier"
    assert wording.window(pd.NaT, pd.NaT) == "unknown"
    assert wording.day(pd.NaT) == "" and wording.month(2022 * 12 + 8) == "2022-09"
    assert wording.listing([]) == "" and wording.listing(["A", "B"]) == "A and B"


def test_a_stated_duration_reads_as_coded():
    assert wording.duration("about", 1.5, "year") == "about 1.5 years"
    assert wording.duration("exactly", 1.0, "month") == "1 month"
    assert wording.duration("more-than", 2.0, "week") == "more than 2 weeks"
    assert wording.duration("a-few", float("nan"), "month") == "a few months"
    assert wording.duration("unquantified", None, "day") == "days, number not given"
    assert wording.count(3, 5) == "3–5" and wording.count(3, 3) == "3" and wording.count(3, pd.NA) == "3 or more"


def test_the_figures_and_the_comparison_table_word_a_duration_alike(fixture_package):
    from returnee_journeys.figures import durations
    from returnee_journeys.model import comparison, journeys

    data = journeys.read(fixture_package / "datapackage.json")
    drawn = {text.split("  !")[0] for text in durations.prepare(data).stated}
    stated = {part.split(" (")[0] for cell in comparison.build(data).rows["stated_duration"] if cell
              for part in cell.split("; ")}
    assert stated and stated <= drawn
