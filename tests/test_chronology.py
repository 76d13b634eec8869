"""Windows of a journey's instants, and durations measured against them, on small made-up journeys."""
from __future__ import annotations

import numpy as np
import pandas as pd

from returnee_journeys.model import chronology
from returnee_journeys.model import dates
from returnee_journeys.model import keys
from returnee_journeys.model import descriptor as descriptor_module
from returnee_journeys.model import paths
from returnee_journeys.validation import rules

DESCRIPTOR = descriptor_module.read(paths.DESCRIPTOR)


def journey(*stages, available="2025-01-01", published=None):
    rows = []
    for seq, (kind, start, end) in enumerate(stages, start=1):
        rows.append({"stage_id": f"p-{seq:02d}", "person_id": "p", "seq": seq, "stage_type": kind,
                     "start": start, "end": end, "source_id": "s"})
    frame = pd.DataFrame(rows, index=pd.RangeIndex(2, 2 + len(rows)))
    for column in ("start", "end"):
        lower, upper, _ = dates.bounds_columns(frame[column].astype("string"))
        frame[f"{column}_lower"], frame[f"{column}_upper"] = lower, upper
    sources = pd.DataFrame({"source_id": ["s"], "available_by_upper": [pd.Timestamp(available)],
                            "published_lower": [pd.Timestamp(published) if published else pd.NaT]})
    return frame, sources, DESCRIPTOR.stage_types(realised=True), DESCRIPTOR.stage_types(position="last")


def test_unknown_dates_take_the_window_their_neighbours_allow():
    stages, sources, realised, last = journey(("origin", "", "2022-09"), ("abroad", "2022-09", ""),
                                       ("abroad", "", "[2023-09..2023-12]"), ("return", "[2023-09..2023-12]", ""))
    w = chronology.windows(stages, sources, realised, last).set_index("stage_id")
    assert w.loc["p-03", "start_min"] == pd.Timestamp("2022-09-01")
    assert w.loc["p-03", "start_max"] == pd.Timestamp("2023-12-31")
    assert w.loc["p-02", "end_max"] == pd.Timestamp("2023-12-31")
    assert w.loc["p-04", "end_max"] == pd.Timestamp("2025-01-01")  # still there when the text appeared
    assert w["continuity"].all() and w["ordered"].all()


def test_a_start_before_an_earlier_start_breaks_the_order():
    stages, sources, realised, last = journey(("origin", "", ""), ("abroad", "2023-05", ""), ("abroad", "", ""),
                                       ("return", "2023-01", ""))
    w = chronology.windows(stages, sources, realised, last)
    assert not w["ordered"].all()
    assert w["continuity"].all()


def test_overlapping_stays_break_continuity_at_the_later_start():
    stages, sources, realised, last = journey(("origin", "", "2022-09"), ("abroad", "2022-09", "2023-06"),
                                       ("return", "2023-03", ""))
    w = chronology.windows(stages, sources, realised, last).set_index("stage_id")
    assert w["continuity"].tolist() == [True, True, False]


def test_planned_stages_are_not_part_of_the_chain():
    stages, sources, realised, last = journey(("origin", "", "2022-09"), ("abroad", "2022-09", "2024-05"),
                                       ("planned", "", ""), ("return", "2024-05", ""))
    w = chronology.windows(stages, sources, realised, last)
    assert "p-03" not in set(w["stage_id"]) and w["ordered"].all()


def durations_against(stages_spec, *rows):
    stages, sources, realised, last = journey(*stages_spec)
    w = chronology.windows(stages, sources, realised, last)
    durations = pd.DataFrame(rows, columns=["duration_id", "first_stage_id", "last_stage_id", "value", "unit",
                                            "qualifier", "span_relation"])
    durations["value"] = durations["value"].astype("Float64")
    durations.index = pd.RangeIndex(2, 2 + len(durations))
    tables = {"discrepancies": pd.DataFrame({"resource": pd.Series([], dtype="string"),
                                             "row_id": pd.Series([], dtype="string")}),
              "stages": stages, "durations": durations}
    return rules.duration_agrees_or_flagged(DESCRIPTOR, keys.Joins(tables), w, durations).tolist()


ARGENTINA = (("origin", "", "2022-09"), ("abroad", "2022-09", "2024-05"), ("return", "2024-05", ""))


def test_stated_durations_are_judged_by_what_their_qualifier_admits():
    verdicts = durations_against(
        ARGENTINA,
        ("d1", "p-02", "p-02", 18, "month", "almost", "equals"),    # 19 to 21 months: not 'just short of 18'
        ("d2", "p-02", "p-02", 2, "year", "almost", "equals"),      # 'almost two years' fits
        ("d3", "p-02", "p-02", 20, "month", "exactly", "equals"),
        ("d4", "p-02", "p-02", 3, "year", "about", "equals"),       # 27 to 45 months: no
        ("d5", "p-02", "p-02", 6, "month", "exactly", "within"),    # six months inside the stay
        ("d6", "p-02", "p-02", 3, "year", "exactly", "within"),     # longer than the stay
        ("d7", "p-02", "p-02", np.nan, "month", "a-few", "equals"),  # a few months is not 20
        ("d8", "p-02", "p-02", 15, "year", "almost", "context"),    # not checked
    )
    assert verdicts == [False, True, True, False, True, False, False, True]


def test_an_open_return_lasts_until_publication_when_that_is_known():
    spec = (("origin", "", "2022-09"), ("abroad", "2022-09", "2024-05"), ("return", "2024-05", ""))
    unknown = chronology.windows(*journey(*spec)).set_index("stage_id")
    known = chronology.windows(*journey(*spec, published="2024-06-24")).set_index("stage_id")
    assert unknown.loc["p-03", "end_min"] == pd.Timestamp("2024-05-01")
    assert known.loc["p-03", "end_min"] == pd.Timestamp("2024-06-24")
