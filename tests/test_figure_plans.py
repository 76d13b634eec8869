"""Each figure's `prepare` step, on the fixture package and a synthetic one: what a figure draws,
decided as plain data before anything is laid out or drawn."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from returnee_journeys.figures import durations, estimates, factors, sequences, timeline
from returnee_journeys.model import journeys


@pytest.fixture(scope="module")
def packages(fixture_package, synthetic_package):
    return [journeys.read(fixture_package / "datapackage.json"), journeys.read(synthetic_package(6, seed=6))]


def open_persons(data) -> list[str]:
    censor = data.censoring()
    return list(censor.loc[censor["censor"] == 2, "person_id"])


def test_sequences_start_every_dated_person_at_month_zero_and_run_without_gaps(packages):
    for data in packages:
        plan = sequences.prepare(data)
        months = data.months()
        lanes = journeys.lanes(data)
        assert plan.names == [n for p, n in zip(lanes["person_id"], lanes["name_in_source"])
                              if p in set(months["person_id"])]
        for person, own in plan.runs.sort_values(["id", "x0"]).groupby("id"):
            assert own["x0"].iloc[0] == 0
            assert (own["x0"].to_numpy()[1:] == own["x1"].to_numpy()[:-1]).all()
            assert own["x1"].iloc[-1] == np.ptp(months.loc[months["person_id"] == person, "month"]) + 1
        assert plan.width == plan.runs["x1"].max()
        assert set(plan.runs["state"].str.split("|").explode()) <= set(plan.looks)
        assert [k.label for k in plan.keys][len(plan.looks)] == "uncertain month: stripes = possible places"
        ends = plan.runs.groupby("id")["x1"].max()
        assert sorted(plan.open_ends) == sorted((ends[p], plan.rows[p]) for p in open_persons(data) if p in plan.rows)
    assert any(plan.open_ends for plan in map(sequences.prepare, packages))


def test_timeline_labels_each_dated_event_once_and_names_the_undated_in_the_note(packages):
    for data in packages:
        plan = timeline.prepare(data)
        events = data.table("events")
        dated = events["date_lower"].notna() | events["date_upper"].notna()
        assert sorted(e.text.rsplit(", ", 1)[0] for e in plan.events) == sorted(events.loc[dated, "label"])
        for event in plan.events:
            if event.exact:
                assert event.span is None
            if event.span is not None:
                assert event.span[0] < event.span[1] and event.x == event.span[1]
        note = " ".join(plan.note)
        for event in events[~dated].itertuples():
            assert f"{event.label} (events/{event.event_id})" in note
        assert plan.runs["begin"].min() >= plan.first and plan.runs["end"].max() <= plan.horizon
        assert sorted(plan.open_ys) == sorted(plan.ys[p] for p in open_persons(data) if p in plan.ys)
        assert all(text.startswith("planned: ") and colour in {c for c, _ in plan.looks.values()}
                   for _, _, colour, text in plan.planned)
    assert any(plan.planned for plan in map(timeline.prepare, packages))
    assert any(e.span for e in timeline.prepare(packages[0]).events)


def test_durations_draw_each_own_span_with_ordered_bounds_and_mark_the_flagged(packages):
    for data in packages:
        plan = durations.prepare(data)
        table = data.table("durations")
        own = table[table["span_relation"] != "context"]
        assert len(plan.labels) == len(plan.stated) == len(plan.colours) == len(own)
        assert (plan.allowed[:, 0] <= plan.allowed[:, 1]).all() and (plan.admitted[:, 0] <= plan.admitted[:, 1]).all()
        assert [text.endswith("! disagrees") for text in plan.stated] == list(plan.flagged)
        finite = np.r_[plan.allowed.ravel(), plan.admitted.ravel()]
        assert plan.right >= finite[np.isfinite(finite)].max()
        for duration in table.loc[table["span_relation"] == "context", "duration_id"]:
            assert f"durations/{duration}" in " ".join(plan.note)
    assert any(plan.flagged.any() for plan in map(durations.prepare, packages))


def test_estimates_one_panel_per_unit_rows_in_order_under_their_measure(packages):
    for data in packages:
        plan = estimates.prepare(data)
        table = data.table("estimates")
        assert [p.unit for p in plan.panels] == sorted(table["unit"].unique())
        for panel in plan.panels:
            assert len(panel.rows) == (table["unit"] == panel.unit).sum()
            assert all(len(line) <= 48 for row in panel.rows for line in row["label"].split("\n"))
            assert list(panel.ys) == sorted(panel.ys) and len(set(panel.ys)) == len(panel.ys)
            assert len(panel.headings) == len({row["measure"] for row in panel.rows})
            assert panel.headings[0][0] < panel.ys[0]


def test_factors_one_glyph_per_merged_coding_on_its_factors_row(packages):
    for data in packages:
        plan = factors.prepare(data)
        moves = factors.columns(data)
        codings = data.table("codings")
        coded = codings.assign(label=data.lee_label(codings["lee_category"], codings["valence"]))
        merged = factors.merged(coded[coded["stage_id"].isin(set(moves["stage_id"]))])
        assert sum(len(p.glyphs) for p in plan.panels) == len(merged)
        assert pd.concat([p.moves for p in plan.panels])["stage_id"].tolist() == moves["stage_id"].tolist()
        for panel in plan.panels:
            assert len(panel.moves) <= plan.most
            assert not panel.rows.loc[panel.glyphs["y"], "heading"].any()
            assert ((panel.glyphs["x"] > -0.5) & (panel.glyphs["x"] < len(panel.moves) - 0.5)).all()
            spans = [(int(a), int(b)) for a, b, _ in panel.persons]
            assert spans[0][0] == 0 and spans[-1][1] == len(panel.moves)
            assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))
        labels = [k.label for k in plan.keys]
        assert "filled: named as a reason" in labels and "hollow: set beside the move" in labels
        assert ("grey halo: judged after the move (hindsight)" in labels) == bool(merged["hindsight"].any())
