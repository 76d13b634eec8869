"""Sequences: the journeys aligned at first departure, one row per person, one cell per month
(a sequence-index plot; README, "Sequences"). Months follow the same rule as the timeline and the
SPELL/STS exports. A row whose last stay has no known end and whose text has no known date is
carried to the latest date of the package and marked open (censoring code 2 in the exports)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from matplotlib.ticker import MaxNLocator

from ..model import journeys
from . import style


@dataclass
class Plan:
    names: list[str]                  # the rows, top to bottom: persons with a dated departure, in lane order
    rows: dict[str, int]              # person_id -> row
    runs: pd.DataFrame                # id, state ('|'-joined places), x0, x1: months since first departure
    width: int                        # months across
    open_ends: list[tuple[int, int]]  # (month, row) of each open mark
    looks: dict[str, tuple[str, str]]  # place key -> (colour, hatch)
    keys: list[style.Key]             # the legend
    note: list[str]                   # the note's sentences


def prepare(data: journeys.Journeys, palette: style.Palette | None = None) -> Plan:
    palette = style.palette_for(data, palette)
    windows = data.windows()
    months = data.months(windows)  # a departure with no earliest date has no month 0 to align at: no months
    months = months.assign(since=months["month"] - months.groupby("person_id")["month"].transform("min"))
    people = journeys.lanes(data)
    names = journeys.person_names(people)
    people = people[people["person_id"].isin(set(months["person_id"]))].reset_index(drop=True)
    row = {p: i for i, p in enumerate(people["person_id"])}
    censoring = data.censoring(windows).set_index("person_id")
    looks, keys = style.place_looks(palette, months["candidates"].str.split("|").explode(),
                                    journeys.place_names(data.table("locations")))
    open_people = [p for p in people["person_id"] if censoring.at[p, "censor"] == 2]
    if open_people:
        keys.append(style.Key("open: no known end, text undated (censored)", style.OPEN_MARK))
    note = style.note_parts(data, ["stages", "locations", "sources"], [
        style.unplaced_note("Not drawn, nothing dates their first departure",
                            [f"{names[p]} (persons/{p})" for p in names if p not in row]),
        style.unplaced_note("Open, carried to the latest date in the data (the text's date is unknown)",
                            [f"{names[p]} (stages/{censoring.at[p, 'stage_id']})" for p in open_people])])
    runs = style.runs(months.assign(month=months["since"]))
    ends = months.groupby("person_id")["since"].max()
    return Plan([names[p] for p in people["person_id"]], row, runs.assign(x0=runs["begin"], x1=runs["end"] + 1),
                int(months["since"].max()) + 1 if len(months) else 1,
                [(ends[p] + 1, row[p]) for p in open_people], looks, keys, note)


def layout(plan: Plan) -> style.Layout:
    n = max(1, len(plan.names))
    return style.sized(plan.keys, plan.note, max(0.24, min(0.42, 0.42 - 0.01 * (n - 6))) * n + 0.55)


def render(plan: Plan, size: style.Layout):
    fig, grid = style.figure_with_legend(size.axes_height, size.legend_lines, size.note, margin=0.5)
    ax = fig.add_subplot(grid[0])
    style.boxes(ax, plan.runs, plan.looks, plan.rows, 0.8)
    for m in range(1, plan.width):  # month boundaries as thin white lines, as cells
        ax.axvline(m, color="white", lw=0.3, zorder=3)
    for x, row in plan.open_ends:
        ax.plot(x, row, clip_on=False, zorder=6, **style.OPEN_MARK)
    ax.set_xlim(0, plan.width)
    ax.xaxis.set_major_locator(MaxNLocator("auto", steps=[1, 2, 5, 10], integer=True))  # whole months, never 2.5
    ax.set_ylim(len(plan.names) - 0.5, -0.5)
    ax.set_yticks(range(len(plan.names)), plan.names)
    ax.set_xlabel("months since leaving (month 0 = the month of first departure)")
    ax.set_title("Journeys aligned at first departure", loc="left")
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    style.add_legend(fig.add_subplot(grid[1]), style.handles(plan.keys))
    style.add_note(fig, size.note)
    return style.finish(fig)


draw = style.three_steps(prepare, layout, render)
