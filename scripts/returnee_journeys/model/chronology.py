"""Where each realised stay can begin and end, given every date of the journey at once.

A journey is a chain of instants: the start of the first stay, each change of place (the end
of one stay is the start of the next), and the end of the last stay, all in non-decreasing
order and none after the text was available. Each instant has EDTF bounds, or none. A forward
running maximum of the lower bounds and a backward running minimum of the upper bounds give
every instant the tightest window the whole chain allows (an open return lasts at least until
the text's publication, where that is known); the chain is consistent exactly when
no window is empty. Everything is vectorised: the stages are put in journey order once (Arrow's
stable sort), and the running maximum and minimum are taken per person with integer group ids.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import keys

NEVER = np.iinfo("int64").min  # unknown lower bound
ALWAYS = np.iinfo("int64").max  # unknown upper bound


def _days(column: pd.Series, unknown: int) -> np.ndarray:
    values = column.astype("datetime64[s]").to_numpy()
    days = values.astype("datetime64[D]").astype("int64")
    days[np.isnat(values)] = unknown
    return days


def _date(days: np.ndarray) -> np.ndarray:
    out = days.astype("datetime64[D]").astype("datetime64[s]")
    out[(days == NEVER) | (days == ALWAYS)] = np.datetime64("NaT")
    return out


def journey_order(stages: pd.DataFrame, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The positions of `rows` (default: all) of stages in journey order: by person, then seq
    (as a stable sort_values puts them: a missing person or seq last), and whether each starts a
    person's journey (every stage without a person starts one of its own)."""
    rows = np.arange(len(stages)) if rows is None else rows
    person = pa.array(stages["person_id"].astype("string").iloc[rows])
    order = pc.sort_indices(pa.table({"person": person, "seq": pa.array(stages["seq"].iloc[rows])}),
                            sort_keys=[("person", "ascending", "at_end"), ("seq", "ascending", "at_end")])
    person = person.take(order)
    same = pc.equal(person.slice(1), person.slice(0, max(len(person) - 1, 0))).fill_null(False)
    return rows[order.to_numpy()], np.r_[True, ~same.to_numpy(zero_copy_only=False)] if len(rows) else np.zeros(0, bool)


def windows(stages: pd.DataFrame, sources: pd.DataFrame, realised_types: list[str],
            last_types: list[str]) -> pd.DataFrame:
    """Realised stages (of `realised_types`) in journey order, with their tightest start/end
    windows and chain problems. A stay of `last_types` (the return) with no end is still going on
    when its text is published. A stage without a person belongs to no journey and has no window.

    Columns added: start_min, start_max, end_min, end_max (datetime64, NaT = unbounded),
    continuity (False where the stage's start cannot meet the previous stage's end),
    ordered (False where the chain has no room for this stage's start).
    """
    wanted = stages["stage_type"].isin(realised_types).to_numpy(dtype=bool) & stages["person_id"].notna().to_numpy()
    rows, first = journey_order(stages, np.flatnonzero(wanted))
    realised = stages.take(rows)
    cap = _days(keys.lookup(realised["source_id"], sources, "source_id", "available_by_upper"), ALWAYS)
    n = len(realised)
    person = np.cumsum(first) - 1  # one integer per person, in journey order
    last = np.r_[first[1:], True] if n else np.zeros(0, bool)
    s_lo, s_hi = _days(realised["start_lower"], NEVER), _days(realised["start_upper"], ALWAYS)
    e_lo, e_hi = _days(realised["end_lower"], NEVER), _days(realised["end_upper"], ALWAYS)
    # an open return is still going on when the text is published
    still_there = realised["stage_type"].isin(last_types).to_numpy() & (e_lo == NEVER)
    if still_there.any():
        published = _days(keys.lookup(realised["source_id"], sources, "source_id", "published_lower"), NEVER)
        e_lo[still_there] = published[still_there]
    # a stay starts when the previous one ends
    previous = np.r_[NEVER, e_lo[:-1]] if n else e_lo.copy()
    previous[first] = NEVER
    start_lo = np.maximum(s_lo, previous)
    previous = np.r_[ALWAYS, e_hi[:-1]] if n else e_hi.copy()
    previous[first] = ALWAYS
    start_hi = np.minimum(s_hi, previous)
    del previous
    continuity = start_lo <= start_hi
    # the instants, person by person: each stay's start, then the end of the last stay (slot i + person)
    slot = np.arange(n) + person
    end_slot = slot[last] + 1
    group = np.empty(n + len(end_slot), dtype=np.int64)
    group[slot], group[end_slot] = person, person[last]
    lo = np.empty(n + len(end_slot), dtype=np.int64)
    lo[slot], lo[end_slot] = np.where(continuity, start_lo, s_lo), e_lo[last]
    hi = np.empty(n + len(end_slot), dtype=np.int64)
    hi[slot] = np.minimum(np.where(continuity, start_hi, s_hi), cap)
    hi[end_slot] = np.minimum(e_hi[last], cap[last])
    del s_lo, s_hi, e_lo, e_hi, start_lo, start_hi, cap
    # forward running maximum of the lower bounds, backward running minimum of the upper ones
    lo = pd.Series(lo).groupby(group, sort=False).cummax().to_numpy()
    hi = pd.Series(hi[::-1]).groupby(group[::-1], sort=False).cummin().to_numpy()[::-1]
    start_min, start_max = lo[slot], hi[slot]
    # a stay ends when the next one starts; the last one at the end of its chain
    end_min, end_max = np.empty_like(start_min), np.empty_like(start_max)
    end_min[:-1], end_max[:-1] = start_min[1:], start_max[1:]
    end_min[last], end_max[last] = lo[end_slot], hi[end_slot]
    out = realised  # a new frame already (take)
    out["start_min"], out["start_max"] = _date(start_min), _date(start_max)
    out["end_min"], out["end_max"] = _date(end_min), _date(end_max)
    out["continuity"] = continuity
    out["ordered"] = (start_min <= start_max) & (end_min <= end_max)
    return out
