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
    return np.where(np.isnat(values), unknown, days)


def _date(days: np.ndarray) -> np.ndarray:
    out = days.astype("datetime64[D]").astype("datetime64[s]")
    return np.where((days == NEVER) | (days == ALWAYS), np.datetime64("NaT"), out)


def _journey_order(stages: pd.DataFrame, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`rows` of stages sorted by person, then seq (stable; a missing seq last), and whether each
    sorted row starts a new person."""
    person = pa.array(stages["person_id"].astype("string").iloc[rows])
    order = pc.sort_indices(pa.table({"person": person, "seq": pa.array(stages["seq"].iloc[rows])}),
                            sort_keys=[("person", "ascending", "at_end"), ("seq", "ascending", "at_end")])
    person = person.take(order)
    same = pc.equal(person.slice(1), person.slice(0, max(len(person) - 1, 0))).to_numpy(zero_copy_only=False)
    return rows[order.to_numpy()], np.r_[True, ~same] if len(rows) else np.zeros(0, bool)


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
    rows, first = _journey_order(stages, np.flatnonzero(wanted))
    realised = stages.take(rows)
    available = keys.lookup(realised["source_id"], sources, "source_id", "available_by_upper")
    published = keys.lookup(realised["source_id"], sources, "source_id", "published_lower")
    cap = _days(available, ALWAYS)
    person = np.cumsum(first) - 1  # one integer per person, in journey order
    s_lo, s_hi = _days(realised["start_lower"], NEVER), _days(realised["start_upper"], ALWAYS)
    e_lo, e_hi = _days(realised["end_lower"], NEVER), _days(realised["end_upper"], ALWAYS)
    # an open return is still going on when the text is published
    still_there = realised["stage_type"].isin(last_types).to_numpy() & (e_lo == NEVER)
    e_lo = np.where(still_there, _days(published, NEVER), e_lo)
    last = np.r_[first[1:], True] if len(person) else np.zeros(0, bool)
    prev_lo = np.where(first, NEVER, np.r_[NEVER, e_lo[:-1]])
    prev_hi = np.where(first, ALWAYS, np.r_[ALWAYS, e_hi[:-1]])
    start_lo, start_hi = np.maximum(s_lo, prev_lo), np.minimum(s_hi, prev_hi)
    continuity = start_lo <= start_hi
    # the instants: one per stage start, then one per person for the end of the last stay
    n = len(realised)
    point_lo = np.concatenate([np.where(continuity, start_lo, s_lo), e_lo[last]])
    point_hi = np.minimum(np.concatenate([np.where(continuity, start_hi, s_hi), e_hi[last]]),
                          np.concatenate([cap, cap[last]]))
    owner = np.concatenate([np.arange(n), np.flatnonzero(last)])
    order = np.lexsort((np.r_[np.zeros(n), np.ones(last.sum())], owner))
    points = pd.DataFrame({"person": np.concatenate([person, person[last]])[order],
                           "lo": point_lo[order], "hi": point_hi[order]})
    points["lo"] = points.groupby("person", sort=False)["lo"].cummax()
    points["hi"] = points.iloc[::-1].groupby("person", sort=False)["hi"].cummin().iloc[::-1]
    is_end = np.r_[np.zeros(n, bool), np.ones(last.sum(), bool)][order]
    starts = points[~is_end]
    ends_of_last = points[is_end]
    start_min, start_max = starts["lo"].to_numpy(), starts["hi"].to_numpy()
    next_lo = np.where(last, 0, np.r_[start_min[1:], 0])
    next_hi = np.where(last, 0, np.r_[start_max[1:], 0])
    end_min = next_lo.copy()
    end_max = next_hi.copy()
    end_min[last] = ends_of_last["lo"].to_numpy()
    end_max[last] = ends_of_last["hi"].to_numpy()
    out = realised  # a new frame already (take)
    out["start_min"], out["start_max"] = _date(start_min), _date(start_max)
    out["end_min"], out["end_max"] = _date(end_min), _date(end_max)
    out["continuity"] = continuity
    out["ordered"] = (start_min <= start_max) & (end_min <= end_max)
    return out
