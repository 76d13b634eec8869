"""The validator's compact tables (model/compact.py) read exactly as the public tables: every column,
and the helpers the rules use to judge a compact column without decoding it."""
from __future__ import annotations

import pandas as pd
import pytest

from returnee_journeys.bench import synthetic
from returnee_journeys.model import compact
from returnee_journeys.model import descriptor as descriptor_module
from returnee_journeys.model import load

pytestmark = pytest.mark.xdist_group("compact")  # one worker builds its module fixtures


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """A synthetic package loaded twice: as `returnee_journeys.load()` gives it, and compact."""
    path = synthetic.generate(60, tmp_path_factory.mktemp("compact"), seed=5)
    descriptor = descriptor_module.read(path)
    public, held = load.load(descriptor), load.load(descriptor, compact=True)
    assert not public.problems and not held.problems
    return public.tables, held.tables


def test_text_that_repeats_is_held_compactly_and_ids_are_not(both):
    _, held = both
    assert compact.is_compact(held["stages"]["stage_type"]) and compact.is_compact(held["codings"]["factor_id"])
    assert not compact.is_compact(held["stages"]["stage_id"]) and not compact.is_compact(held["codings"]["coding_id"])


def test_a_compact_table_reads_as_the_public_one(both):
    public, held = both
    for name, frame in public.items():
        table = compact.Table(held[name])
        assert list(table.columns) == list(frame.columns) and len(table) == len(frame)
        for column in frame.columns:
            pd.testing.assert_series_equal(table[column], frame[column])
        pd.testing.assert_frame_equal(table.decoded(), frame)
        if len(frame):
            mask = pd.Series([i % 2 == 0 for i in range(len(frame))], index=frame.index)
            pd.testing.assert_frame_equal(table[mask].decoded(), frame[mask])


@pytest.mark.parametrize("column,value", [("stage_type", "abroad"), ("stage_type", "no-such-type"),
                                          ("start_basis", "stated"), ("notes", "x"), ("stage_id", "p000001-01")])
def test_the_helpers_answer_as_pandas_does(both, column, value):
    public, held = both
    stages, table = public["stages"], compact.Table(held["stages"])
    pd.testing.assert_series_equal(compact.equals(table, column, value), stages[column] == value)
    assert (compact.isin(table, column, [value, "origin"]) == stages[column].isin([value, "origin"]).to_numpy()).all()
    pd.testing.assert_series_equal(compact.notna(table, column), stages[column].notna())
