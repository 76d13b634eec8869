"""Durations: each span of time the texts state, against the span their dates allow.

Grey: the shortest to the longest time the coded dates allow for the stages the duration covers
(for a period `within` them, anything up to the longest). Coloured: the range of lengths the
stated duration admits under its qualifier (as `admits` in datapackage.json defines). Where the
two do not meet, the texts disagree with themselves; such rows carry a discrepancy flag."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..model import journeys
from ..model import keys, spans, wording
from . import style

TITLE = "Stated durations against the span the dates allow"


@dataclass
class Plan:
    labels: list[str]        # one row per duration, top to bottom: "person: subject"
    stated: list[str]        # the duration as stated, in words ("  ! disagrees" where flagged)
    flagged: np.ndarray      # the row's duration carries a discrepancy flag
    allowed: np.ndarray      # (shortest, longest) months the coded dates allow, per row (longest may be inf)
    admitted: np.ndarray     # (low, high) months the stated duration admits, per row (high may be inf)
    right: float             # months across
    colours: list[str]       # the person's colour and hatch, per row
    hatches: list
    keys: list[style.Key]
    note: list[str]


def prepare(data: journeys.Journeys, palette: style.Palette | None = None) -> Plan:
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
    flagged = durations["duration_id"].isin(
        discrepancies.loc[discrepancies["resource"] == "durations", "row_id"]).to_numpy()
    names = journeys.person_names(data.table("persons"))
    finite = np.r_[longest[np.isfinite(longest)], high[np.isfinite(high)], low[np.isfinite(low)], 30.0]
    keys_ = [style.Key("span the coded dates allow", {"facecolor": "#DDDDDD", "edgecolor": "#999999"}, area=True),
             style.Key("lengths the stated duration admits (person's colour)", {"color": "black", "lw": 4})]
    if (~np.isfinite(high)).any() or (~np.isfinite(longest)).any():
        keys_.append(style.Key("no upper bound: runs past the edge", {"color": "black", "marker": ">", "lw": 1}))
    note = style.note_parts(data, ["durations", "stages", "discrepancies", "sources"], [
        style.unplaced_note("Not drawn, spans of the context, not of the person's own time",
                            [f"durations/{d}" for d in context["duration_id"]])])
    subjects = style.category_labels(data, "durations", "subject")
    return Plan([f"{names.get(p, p)}: {style.lowered(subjects.get(s, s))}"
                 for p, s in zip(durations["person_id"], durations["subject"])],
                [wording.duration(d.qualifier, d.value, d.unit) + ("  ! disagrees" if flag else "")
                 for d, flag in zip(durations.itertuples(), flagged)],
                flagged, np.c_[shortest, longest] / days_per_month, np.c_[low, high] / days_per_month,
                float(np.nanmax(finite)) / days_per_month + 3,
                [palette.colour("persons", p) for p in durations["person_id"]],
                [palette.hatch("persons", p) or None for p in durations["person_id"]], keys_, note)


def layout(plan: Plan) -> style.Layout:
    n = max(1, len(plan.labels))
    return style.sized(plan.keys, plan.note, max(0.2, min(0.42, 0.42 - 0.006 * (n - 8))) * n + 0.6)


def render(plan: Plan, size: style.Layout):
    if not plan.labels:
        return style.nothing_coded(TITLE, "No duration of a person's own time is coded: durations.csv has no rows "
                                   "(or only spans of the context).", size.note)
    fig, grid = style.figure_with_legend(size.axes_height, size.legend_lines, size.note)
    ax = fig.add_subplot(grid[0])
    ys = np.arange(len(plan.labels))
    (shortest, longest), (low, high), right = plan.allowed.T, plan.admitted.T, plan.right
    ax.barh(ys, np.minimum(longest, right) - shortest, left=shortest, height=0.62, color="#DDDDDD",
            edgecolor="#999999", lw=0.5)
    ax.barh(ys, np.minimum(high, right) - low, left=low, height=0.26, color=plan.colours, hatch=plan.hatches,
            edgecolor="white", lw=0)
    for y in ys[~np.isfinite(high)]:
        ax.plot(right, y, marker=">", ms=4, color=plan.colours[y], clip_on=False)
    for y in ys[~np.isfinite(longest)]:
        ax.plot(right, y, marker=">", ms=4, color="#999999", clip_on=False)
    for y, text, flag in zip(ys, plan.stated, plan.flagged):
        ax.text(1.02, y, text, transform=ax.get_yaxis_transform(), va="center", fontsize=6.5,
                color="#CC3311" if flag else "black")
    ax.set_yticks(range(len(plan.labels)), plan.labels)
    ax.set_ylim(max(len(plan.labels), 1) - 0.5, -0.5)  # an empty table keeps a row's height
    ax.set_xlim(0, right)
    ax.set_xlabel("months")
    ax.tick_params(axis="y", length=0)
    ax.set_title(TITLE, loc="left")
    style.add_legend(fig.add_subplot(grid[1]), style.handles(plan.keys))
    style.add_note(fig, size.note)
    return style.finish(fig)


draw = style.three_steps(prepare, layout, render)
