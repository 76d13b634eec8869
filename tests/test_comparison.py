"""The comparison table agrees with the chronology windows (the timeline's) and the sequence exports,
on synthetic packages with open returns, undated stays and a text of unknown date; a person added
to the tables is a row more."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from returnee_journeys.exports import sequences as export_sequences
from returnee_journeys.model import comparison
from returnee_journeys.model import descriptor as descriptor_module
from returnee_journeys.model import journeys

pytestmark = pytest.mark.xdist_group("comparison")  # one worker builds its module fixtures


def _package(synthetic_package, tmp_path_factory, n: int, seed: int, undated_text: bool = False):
    descriptor = synthetic_package(n, seed)
    if undated_text:  # a text nobody can date, and some returns it does not date either: no upper bound
        folder = tmp_path_factory.mktemp(f"synthetic-{n}-{seed}-undated") / "package"
        shutil.copytree(descriptor.parent, folder)
        descriptor = folder / descriptor.name
        sources = pd.read_csv(folder / "data" / "sources.csv", dtype=str, keep_default_na=False)
        sources[["published", "available_by"]] = ""
        sources.to_csv(folder / "data" / "sources.csv", index=False, lineterminator="\n")
        stages = pd.read_csv(folder / "data" / "stages.csv", dtype=str, keep_default_na=False)
        last = descriptor_module.read(descriptor).stage_type("last")
        undated = stages.index[(stages["stage_type"] == last) & stages["person_id"].isin(["p000001", "p000002"])]
        for row in undated:
            before = stages.loc[: row - 1]
            previous = before.index[before["start"].ne("") | before["end"].ne("")][-1]
            stages.loc[row, ["start", "start_basis"]] = ""
            stages.loc[previous, ["end", "end_basis"]] = ""
        stages.to_csv(folder / "data" / "stages.csv", index=False, lineterminator="\n")
    return journeys.read(descriptor)


@pytest.fixture(scope="module", params=[False, True], ids=["dated-text", "undated-text"])
def data(request, synthetic_package, tmp_path_factory):
    return _package(synthetic_package, tmp_path_factory, 24, seed=7, undated_text=request.param)


@pytest.fixture(scope="module")
def glance(data):
    return comparison.build(data)


def month(day: str) -> int | None:
    if not day:
        return None
    stamp = pd.Timestamp(day)
    return stamp.year * 12 + stamp.month - 1


def test_one_row_per_person_in_lane_order(data, glance):
    assert glance.rows["person_id"].tolist() == journeys.lanes(data)["person_id"].tolist()
    assert set(glance.cells["person_id"]) <= set(glance.rows["person_id"])


def test_the_synthetic_packages_have_what_the_test_needs(data):
    stages = data.table("stages")
    last = data.descriptor.stage_type("last")
    assert (stages["stage_type"].eq(last) & stages["end"].isna()).any(), "open returns"
    middle = stages[~stages["stage_type"].isin([data.descriptor.stage_type("first"), last])]
    assert (middle["start"].isna() & middle["end"].isna()).sum() + middle["end"].isna().sum() > 0, "undated stays"


def test_windows_are_the_timelines_windows(data, glance):
    windows = data.windows().set_index("stage_id")
    day = lambda v: "" if pd.isna(v) else pd.Timestamp(v).strftime("%Y-%m-%d")  # noqa: E731
    for row in glance.rows.itertuples():
        first, last = windows.loc[row.first_stage_id], windows.loc[row.return_stage_id]
        assert (row.first_departure_min, row.first_departure_max) == (day(first["end_min"]), day(first["end_max"]))
        assert (row.return_min, row.return_max) == (day(last["start_min"]), day(last["start_max"]))


def test_months_agree_with_the_sequence_exports(data, glance):
    tables = export_sequences.tables(data)
    calendar = {int(m): c for m, c in zip(tables["months"]["month"], tables["months"]["calendar_month"])}
    spells = tables["spells-stage-type"]
    by_type = {(s.id, month(calendar[m] + "-01")): s.state for s in spells.itertuples()
               for m in range(int(s.begin), int(s.end) + 1)}
    code = export_sequences.state_code  # the sequence files' state codes
    first_type, last_type = code(data.descriptor.stage_type("first")), code(data.descriptor.stage_type("last"))
    stage_types = set(map(code, data.descriptor.stage_types()))
    checked_unbounded = 0
    for row in glance.rows.itertuples():
        mine = {m: state for (p, m), state in by_type.items() if p == row.person_id}
        assert mine, row.person_id
        dep_lo, dep_hi = month(row.first_departure_min), month(row.first_departure_max)
        ret_lo, ret_hi = month(row.return_min), month(row.return_max)
        # the sequence starts in the departure window
        assert min(mine) == (dep_lo if dep_lo is not None else dep_hi)
        for m, state in mine.items():
            if m < ret_lo:
                assert state != last_type, (row.person_id, m)
            if dep_hi < m < ret_lo:
                assert state != first_type, (row.person_id, m)
            if ret_hi is not None and m > ret_hi:
                assert state == last_type or state not in stage_types, (row.person_id, m)
        # the month counts are the distances between those windows
        assert row.months_abroad_min == max(0, ret_lo - dep_hi)
        if ret_hi is None:
            assert pd.isna(row.months_abroad_max)
            checked_unbounded += 1
        else:
            assert row.months_abroad_max == ret_hi - dep_lo
            assert row.months_abroad_min <= row.months_abroad_max
    if data.table("sources")["available_by"].isna().all():
        assert checked_unbounded >= 1, "an undated return in an undated text has no upper bound"


def test_every_cell_cites_rows_that_exist(data, glance):
    for resource, group in glance.cells.groupby("resource"):
        key = data.descriptor.primary_key(resource)[0]
        assert set(group["row_id"]) <= set(data.table(resource)[key]), resource
    cited = set(zip(glance.cells["person_id"], glance.cells["column"]))
    for pid in glance.rows["person_id"]:
        assert {(pid, c) for c in ("person", "outlet", "origin", "first_departure", "months_abroad", "return")} <= cited


def test_stated_time_abroad_and_its_flag_follow_the_durations(data, glance):
    durations = data.table("durations")
    for row in glance.rows.itertuples():
        cited = glance.cells[(glance.cells["person_id"] == row.person_id) & (glance.cells["resource"] == "durations")]
        stated = durations[durations["duration_id"].isin(cited["row_id"])]
        assert (stated["span_relation"] == comparison.SAME_SPAN[2]).all()
        assert bool(row.stated_duration) == (len(stated) > 0)
        assert pd.isna(row.duration_disagrees) == stated.empty


def test_adding_a_person_adds_a_row(synthetic_package, tmp_path_factory):
    small = comparison.build(_package(synthetic_package, tmp_path_factory, 5, seed=3)).rows
    larger = comparison.build(_package(synthetic_package, tmp_path_factory, 6, seed=3)).rows
    assert len(small) == 5 and len(larger) == 6


def test_factors_named_and_set_beside_are_kept_apart(data, glance):
    codings = data.table("codings").set_index("coding_id")
    codes = {name: code[2] for name, code in (("explicit", comparison.EXPLICIT), ("after", comparison.HINDSIGHT),
                                              ("discounted", comparison.DISCOUNTED))}
    seen = {"named": 0, "beside": 0}
    for column, (_, certainty) in comparison.FACTOR_COLUMNS.items():
        for row in glance.rows.itertuples():
            cited = glance.cells[(glance.cells["person_id"] == row.person_id) & (glance.cells["column"] == column)
                                 & (glance.cells["resource"] == "codings")]["row_id"]
            chosen = codings.loc[cited]
            assert (chosen["certainty"] == certainty[2]).all(), (row.person_id, column)
            assert not (chosen["timing"] == codes["after"]).any() and not (chosen["salience"] == codes["discounted"]).any()
            labels = data.table("factors").set_index("factor_id").loc[chosen["factor_id"], "label"]
            text = getattr(row, column)
            assert all(label in text for label in labels) and bool(text) == (len(chosen) > 0)
            seen["named" if certainty == comparison.EXPLICIT else "beside"] += len(chosen)
    assert seen["named"] and seen["beside"], "the synthetic package has codings of both certainties"
    # leaving: every weighed, not-in-hindsight coding on the move into the first stay abroad is shown
    for row in glance.rows.itertuples():
        mine = codings[(codings["stage_id"] == _leaving_stage(data, row)) & (codings["lee_category"] != "intervening")
                       & (codings["timing"] != codes["after"]) & (codings["salience"] != codes["discounted"])]
        cited = glance.cells[(glance.cells["person_id"] == row.person_id) & (glance.cells["resource"] == "codings")
                             & glance.cells["column"].isin(["reasons_to_leave", "set_beside_leaving"])]["row_id"]
        assert set(cited) == set(mine.index), row.person_id


def _leaving_stage(data, row):
    stages = data.table("stages")
    realised = stages["stage_type"].isin(data.descriptor.stage_types(realised=True))
    mine = stages[(stages["person_id"] == row.person_id) & realised].sort_values("seq")
    first = mine.index[mine["stage_id"] == row.first_stage_id][0]
    later = mine.loc[first:].iloc[1:]
    return later["stage_id"].iloc[0] if len(later) else None


def test_display_marks_the_factors_set_beside():
    table = pd.DataFrame({"named": ["A [push]", "", "", None], "beside": ["B [pull]", "C [tie]", "", "D [push]"]})
    assert comparison.factors_text(table["named"], table["beside"]) == [
        "A [push]. " + comparison.SET_BESIDE + "B [pull]", comparison.SET_BESIDE + "C [tie]", "",
        comparison.SET_BESIDE + "D [push]"]
