"""Estimates: the aggregate figures the texts report, as points and ranges, grouped by measure
(one panel per unit), each labelled with who produced it and who relayed it."""
from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..model import journeys
from . import style

TITLE = "Aggregate estimates the texts report"


def positions(rows: pd.DataFrame, lines: list[int], labels: dict[str, str]) -> tuple[list[float], list[tuple]]:
    """y of each estimate (a row as tall as its label's lines), and y of a heading above each
    measure's group: the measure's category label (`labels`), else its code."""
    ys, headings, y = [], [], 0.0
    lines = pd.Series(lines, index=rows.index)
    for measure, group in rows.groupby("measure", sort=False):
        headings.append((y, labels.get(measure, measure)))
        y += 1.0
        for i in group.index:
            ys.append(y + (lines[i] - 1) * 0.5)
            y += lines[i]
        y += 0.3
    return ys, headings


@dataclass
class Panel:
    unit: str
    axis_label: str
    rows: list[dict]     # the estimates, each with its wrapped `label` and `colour`
    ys: list[float]      # y of each estimate (`positions`)
    headings: list       # (y, the measure's label) above each measure's group


@dataclass
class Plan:
    panels: list[Panel]  # one per unit
    keys: list[style.Key]
    note: list[str]


KEYS = [style.Key("exact figure", {"marker": "o", "ls": "", "color": "black"}),
        style.Key("about", {"marker": "o", "ls": "", "mfc": "white", "color": "black"}),
        style.Key("almost (at most)", {"marker": "<", "ls": "", "mfc": "white", "color": "black"}),
        style.Key("more than (at least)", {"marker": ">", "ls": "", "mfc": "white", "color": "black"}),
        style.Key("reported range", {"color": "black", "lw": 3.5})]
PER_LINE = 0.15  # inches per line of a row's label


def prepare(data: journeys.Journeys, palette: style.Palette | None = None) -> Plan:
    palette = style.palette_for(data, palette)
    estimates = data.table("estimates").sort_values(["unit", "measure", "estimate_id"])
    measures = style.category_labels(data, "estimates", "measure")
    units = style.category_labels(data, "estimates", "unit")
    panels = []
    for unit in dict.fromkeys(estimates["unit"]):
        rows = estimates[estimates["unit"] == unit].reset_index(drop=True).to_dict("records")
        for r in rows:
            label = f"{r['estimator']}; via {r['reported_by']}" + (
                f"; {r['reference_date']}" if pd.notna(r["reference_date"]) else "")
            r.update(label="\n".join(textwrap.wrap(label, 48)), colour=palette.colour("measures", r["measure"]))
        ys, headings = positions(pd.DataFrame(rows), [r["label"].count("\n") + 1 for r in rows], measures)
        axis = style.lowered(units.get(unit, unit)) + (" (log scale)" if unit == "persons" else "")
        panels.append(Panel(unit, axis, rows, ys, headings))
    return Plan(panels, KEYS, style.note_parts(data, ["estimates", "sources"]))


def layout(plan: Plan) -> tuple[style.Layout, list[float]]:
    """The sizes, and each panel's share of the height (in lines)."""
    sizes = [sum(max(1, r["label"].count("\n") + 1) for r in p.rows) + 1.3 * len({r["measure"] for r in p.rows}) + 1.2
             for p in plan.panels]
    return style.sized(plan.keys, plan.note, PER_LINE * sum(sizes) + 0.5 * len(plan.panels)), sizes


def render(plan: Plan, size: style.Layout, shares: list[float]):
    if not plan.panels:
        return style.nothing_coded(TITLE, "No estimate is coded: estimates.csv has no rows.", size.note)
    fig, grid = style.figure_with_legend(size.axes_height, size.legend_lines, size.note, shares=shares, unit=PER_LINE)
    for number, panel in enumerate(plan.panels):
        ax = fig.add_subplot(grid[number])
        for y, row in zip(panel.ys, panel.rows):
            c = row["colour"]
            if pd.notna(row["low"]) and pd.notna(row["high"]):
                ax.plot([row["low"], row["high"]], [y, y], color=c, lw=3.5, solid_capstyle="butt")
            if pd.notna(row["value"]):
                marker, filled = style.QUALIFIER_MARKER.get(row["qualifier"], ("o", False))
                ax.plot(row["value"], y, marker=marker, color=c, ms=6, ls="", mfc=c if filled else "white", mew=1.4)
        for y, heading in panel.headings:
            ax.text(-0.01, y, heading, transform=ax.get_yaxis_transform(), fontsize=7, fontweight="bold",
                    va="center", ha="right")
        ax.set_yticks(panel.ys, [r["label"] for r in panel.rows], fontsize=6)
        ax.set_ylim(max(panel.ys) + 0.9, -0.8)
        ax.tick_params(axis="y", length=0)
        if panel.unit == "persons":
            ax.set_xscale("log")
            style.powers_of_ten(ax.xaxis)
            low, high = np.log10(ax.get_xlim())
            if np.floor(high) - np.ceil(low) < 1:  # fewer than two powers of ten, the only numbers shown
                ax.set_xlim(10 ** np.floor(low), 10 ** np.ceil(high))
        elif panel.unit == "percent":
            ax.set_xlim(0, 100)
        ax.set_xlabel(panel.axis_label)
        ax.grid(True, axis="x", color="#EEEEEE", lw=0.5)
        ax.set_axisbelow(True)
        if number == 0:
            ax.set_title(TITLE, loc="left")
    style.add_legend(fig.add_subplot(grid[len(plan.panels)]), style.handles(plan.keys))
    style.add_note(fig, size.note)
    return style.finish(fig)


def draw(data: journeys.Journeys, palette: style.Palette | None = None):
    plan = prepare(data, palette)
    return render(plan, *layout(plan))
