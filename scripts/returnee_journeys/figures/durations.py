"""Durations: each span of time the texts state, against the span their dates allow.

Grey: the shortest to the longest time the coded dates allow for the stages the duration covers
(for a period `within` them, anything up to the longest). Coloured: the range of lengths the
stated duration admits under its qualifier (as `admits` in datapackage.json defines). Where the
two do not meet, the texts disagree with themselves; such rows carry a discrepancy flag.
"""
from __future__ import annotations

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


def draw(data: journeys.Journeys, palette: style.Palette | None = None):
    palette = style.palette_for(data, palette)
    days_per_month = data.descriptor.field("durations", "unit")["days"]["month"]
    durations = data.table("durations")
    low, high = spans.admitted_days(data.descriptor, durations)
    shortest, longest = spans.span_days(keys.Joins(data.tables), data.windows(), durations)
    order = {p: i for i, p in enumerate(journeys.lanes(data)["person_id"])}
    durations = durations.assign(order=durations["person_id"].map(order), low=low, high=high,
                                 shortest=shortest.where(durations["span_relation"] != "within", 0), longest=longest)
    context = durations[durations["span_relation"] == "context"]
    durations = durations[durations["span_relation"] != "context"].sort_values(["order", "duration_id"])
    low, high, shortest, longest = (durations[c].to_numpy(float) for c in ("low", "high", "shortest", "longest"))
    discrepancies = data.table("discrepancies")
    flagged = durations["duration_id"].isin(discrepancies.loc[discrepancies["resource"] == "durations", "row_id"]).to_numpy()
    names = dict(zip(data.table("persons")["person_id"], data.table("persons")["name_in_source"]))
    finite = np.r_[longest[np.isfinite(longest)], high[np.isfinite(high)], low[np.isfinite(low)], 30.0]
    right = float(np.nanmax(finite)) / days_per_month + 3

    handles = [Patch(facecolor="#DDDDDD", edgecolor="#999999", label="span the coded dates allow"),
               Line2D([], [], color="black", lw=4, label="lengths the stated duration admits (person's colour)")]
    if (~np.isfinite(high)).any() or (~np.isfinite(longest)).any():
        handles.append(Line2D([], [], color="black", marker=">", lw=1, label="no upper bound: runs past the edge"))
    note = style.note_text(data, ["durations", "stages", "discrepancies", "sources"], [
        style.unplaced_note("Not drawn, spans of the context, not of the person's own time",
                            [f"durations/{d}" for d in context["duration_id"]])])
    columns, lines = style.legend_shape([h.get_label() for h in handles])
    n = max(1, len(durations))
    per_row = max(0.2, min(0.42, 0.42 - 0.006 * (n - 8)))
    axes_height = per_row * n + 0.6
    fig, grid = style.figure_with_legend(axes_height, lines, note)
    ax = fig.add_subplot(grid[0])
    ys = np.arange(len(durations))
    colours = [palette.colour("persons", p) for p in durations["person_id"]]
    hatches = [palette.hatch("persons", p) or None for p in durations["person_id"]]
    s_hi = np.minimum(longest / days_per_month, right)
    ax.barh(ys, s_hi - shortest / days_per_month, left=shortest / days_per_month, height=0.62, color="#DDDDDD",
            edgecolor="#999999", lw=0.5)
    a_hi = np.minimum(high / days_per_month, right)
    ax.barh(ys, a_hi - low / days_per_month, left=low / days_per_month, height=0.26, color=colours, hatch=hatches,
            edgecolor="white", lw=0)
    for y in ys[~np.isfinite(high)]:
        ax.plot(right, y, marker=">", ms=4, color=colours[y], clip_on=False)
    for y in ys[~np.isfinite(longest)]:
        ax.plot(right, y, marker=">", ms=4, color="#999999", clip_on=False)
    for y, row, flag in zip(ys, durations.itertuples(), flagged):
        ax.text(1.02, y, stated_as(row) + ("  ! disagrees" if flag else ""), transform=ax.get_yaxis_transform(),
                va="center", fontsize=6.5, color="#CC3311" if flag else "black")
    subjects = style.category_labels(data, "durations", "subject")
    labels = [f"{names.get(p, p)}: {style.lowered(subjects.get(s, s))}"
              for p, s in zip(durations["person_id"], durations["subject"])]
    ax.set_yticks(range(len(durations)), labels)
    ax.set_ylim(max(len(durations), 1) - 0.5, -0.5)  # an empty table keeps a row's height
    ax.set_xlim(0, right)
    ax.set_xlabel("months")
    ax.tick_params(axis="y", length=0)
    ax.set_title("Stated durations against the span the dates allow", loc="left")
    style.add_legend(fig.add_subplot(grid[1]), handles)
    style.add_note(fig, note)
    return style.finish(fig)
