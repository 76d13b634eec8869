"""Durations: each span of time the texts state, against the span their dates allow.

Grey: the shortest to the longest time the coded dates allow for the stages the duration covers
(for a period `within` them, anything up to the longest). Coloured: the range of lengths the
stated duration admits under its qualifier (as `admits` in datapackage.json defines). Where the
two do not meet, the texts disagree with themselves; such rows carry a discrepancy flag.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..model import journeys
from ..model import keys, spans
from . import style



def stated_as(row) -> str:
    """The duration in words, as coded: qualifier, value, unit."""
    if row.qualifier == "unquantified":
        return f"{row.unit}s, number not given"
    words = {"exactly": "", "a-few": "a few"}.get(row.qualifier, row.qualifier.replace("-", " "))
    value = "" if pd.isna(row.value) else f"{row.value:g}"
    unit = row.unit if value == "1" else f"{row.unit}s"
    return " ".join(w for w in (words, value, unit) if w)


def draw(data: journeys.Journeys):
    days_per_month = data.descriptor.field("durations", "unit")["days"]["month"]
    durations = data.table("durations")
    low, high = spans.admitted_days(data.descriptor, durations)
    shortest, longest = spans.span_days(keys.Joins(data.tables), data.windows(), durations)
    order = {p: i for i, p in enumerate(journeys.lanes(data)["person_id"])}
    durations = durations.assign(order=durations["person_id"].map(order), low=low, high=high,
                                 shortest=shortest.where(durations["span_relation"] != "within", 0), longest=longest)
    durations = durations[durations["span_relation"] != "context"].sort_values(["order", "duration_id"])
    low, high, shortest, longest = (durations[c].to_numpy(float) for c in ("low", "high", "shortest", "longest"))
    discrepancies = data.table("discrepancies")
    flagged = durations["duration_id"].isin(discrepancies.loc[discrepancies["resource"] == "durations", "row_id"]).to_numpy()
    person_colour = style.person_colours(data)
    names = dict(zip(data.table("persons")["person_id"], data.table("persons")["name_in_source"]))
    right = float(np.nanmax(np.r_[longest[np.isfinite(longest)], high[np.isfinite(high)]])) / days_per_month + 3

    fig, ax = plt.subplots(figsize=(style.WIDTH, 0.42 * len(durations) + 1.6))
    for y, (row, lo, hi, s_lo, s_hi, flag) in enumerate(zip(durations.itertuples(), low, high, shortest, longest,
                                                             flagged)):
        s_hi = min(s_hi / days_per_month, right)
        ax.barh(y, s_hi - s_lo / days_per_month, left=s_lo / days_per_month, height=0.62, color="#DDDDDD",
                edgecolor="#999999", lw=0.5)
        a_hi = min(hi / days_per_month, right)
        ax.barh(y, a_hi - lo / days_per_month, left=lo / days_per_month, height=0.26,
                color=person_colour[row.person_id])
        if hi == np.inf:
            ax.annotate("", (right, y), (right - 1.5, y), arrowprops={"arrowstyle": "->",
                                                                       "color": person_colour[row.person_id]})
        ax.text(right + 0.5, y, stated_as(row) + ("  ! disagrees" if flag else ""), va="center", fontsize=6.5,
                color="#CC3311" if flag else "black")
    labels = [f"{names[p]}: {s.replace('-', ' ')}" for p, s in zip(durations["person_id"], durations["subject"])]
    ax.set_yticks(range(len(durations)), labels)
    ax.set_ylim(len(durations) - 0.5, -0.5)
    ax.set_xlim(0, right)
    ax.set_xlabel("months")
    ax.tick_params(axis="y", length=0)
    ax.set_title("Stated durations against the span the dates allow", loc="left")
    handles = [Patch(facecolor="#DDDDDD", edgecolor="#999999", label="span the coded dates allow"),
               Line2D([], [], color="black", lw=4, label="lengths the stated duration admits (person's colour)")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    style.source_note(fig, data, ["durations", "stages", "discrepancies", "sources"])
    fig.tight_layout(rect=(0, 0.03, 0.82, 1))
    return fig
