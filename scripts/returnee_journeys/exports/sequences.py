"""Sequence-analysis export: SPELL tables (id, begin, end, state) by place and by stage type,
a wide person-month STS table, and the month index → calendar month key.

Months are integers counted from 1 = January of the year of the earliest event; the state of a
month follows the rule of `journeys` (the place every stay that can cover the month shares, or
`uncertain`), the same rule the figures use.
"""
from __future__ import annotations

import pandas as pd

from ..model import journeys


def origin_month(data: journeys.Journeys) -> int:
    """Calendar month index (year*12+month-1) that becomes 1: January of the first event's year."""
    events = data.table("events")
    first = events["date_lower"].fillna(events["date_upper"]).min()
    return first.year * 12


def tables(data: journeys.Journeys) -> dict[str, pd.DataFrame]:
    windows = data.windows()
    zero = origin_month(data) - 1
    by_place = data.months(windows)
    by_type = data.months(windows, by="stage_type")
    out = {}
    for name, months in (("spells-place", by_place), ("spells-stage-type", by_type)):
        spells = journeys.spells(months)
        out[name] = spells.assign(begin=spells["begin"] - zero, end=spells["end"] - zero)
    wide = by_place.assign(month=by_place["month"] - zero).pivot(index="person_id", columns="month", values="state")
    wide.columns = [str(c) for c in wide.columns]  # month numbers, as sequenzo and TraMineR like them
    out["sts-place"] = wide.reset_index().rename(columns={"person_id": "id"})
    months = sorted(set(by_place["month"]) | set(by_type["month"]))
    out["months"] = pd.DataFrame({"month": [m - zero for m in months],
                                  "calendar_month": [f"{m // 12}-{m % 12 + 1:02d}" for m in months]})
    return out
