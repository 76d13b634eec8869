"""Lengths of time: what a stated duration admits, and what span the coded dates allow.

Used by the validator (does a duration fit its dates?) and by the durations figure alike.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import keys
from .descriptor import Descriptor


def admitted_days(descriptor: Descriptor, durations: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The shortest and longest true length (in days) a stated duration is taken to allow."""
    admits = descriptor.field("durations", "qualifier")["admits"]
    unit = keys.map_values(durations["unit"], descriptor.field("durations", "unit")["days"]).astype(float)
    value = durations["value"].astype(float).fillna(0.0)
    qualifier = durations["qualifier"]

    def bound(which: str, unbounded: float) -> pd.Series:
        factor = keys.map_values(qualifier, {q: (s[which] or [np.nan])[0] for q, s in admits.items()}).astype(float)
        offset = keys.map_values(qualifier, {q: (s[which] or [np.nan, np.nan])[1] for q, s in admits.items()})
        days = (factor * value + offset.astype(float)) * unit
        return days.fillna(unbounded)

    return bound("min", 0.0), bound("max", np.inf)


def span_days(j: keys.Joins, windows: pd.DataFrame, durations: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The shortest and longest time the dates allow from the first stage's start to the last's end."""
    stages = j.tables["stages"]

    aligned = windows.index.equals(stages.index)  # windows given on every stage's row: take by position

    def at(column: str, bound: str) -> pd.Series:
        where = j.positions("durations", column, "stages", "stage_id")
        if aligned:
            values = windows[bound].to_numpy()
            missing = np.datetime64("NaT").astype(values.dtype)
            found = values[np.maximum(where, 0)] if len(values) else np.full(len(where), missing)
            return pd.Series(np.where(where >= 0, found, missing), index=durations.index)
        lines = stages.index.to_numpy()
        found = lines[np.maximum(where, 0)] if len(lines) else np.full(len(where), -1)
        rows = np.where(where >= 0, found, -1)  # windows share the stages' rows
        return pd.Series(windows[bound].reindex(rows).to_numpy(), index=durations.index)

    start_min, start_max = at("first_stage_id", "start_min"), at("first_stage_id", "start_max")
    end_min, end_max = at("last_stage_id", "end_min"), at("last_stage_id", "end_max")
    shortest = ((end_min - start_max).dt.days.astype(float)).clip(lower=0).fillna(0.0)
    longest = (end_max - start_min).dt.days.astype(float).fillna(np.inf)
    return shortest, longest
