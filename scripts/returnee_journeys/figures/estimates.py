"""Estimates: the aggregate figures the texts report, as points and ranges, grouped by measure
(one panel per unit), each labelled with who produced it and who relayed it.
"""
from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.lines import Line2D

from ..model import journeys
from . import style

def layout(rows: pd.DataFrame, lines: list[int], labels: dict[str, str]) -> tuple[list[float], list[tuple[float, str]]]:
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


def draw(data: journeys.Journeys, palette: style.Palette | None = None):
    palette = style.palette_for(data, palette)
    estimates = data.table("estimates").sort_values(["unit", "measure", "estimate_id"])
    units = list(dict.fromkeys(estimates["unit"]))
    handles = [Line2D([], [], marker="o", ls="", color="black", label="exact figure"),
               Line2D([], [], marker="o", ls="", mfc="white", color="black", label="about"),
               Line2D([], [], marker="<", ls="", mfc="white", color="black", label="almost (at most)"),
               Line2D([], [], marker=">", ls="", mfc="white", color="black", label="more than (at least)"),
               Line2D([], [], color="black", lw=3.5, label="reported range")]
    note = style.note_text(data, ["estimates", "sources"])
    columns, lines = style.legend_shape([h.get_label() for h in handles])
    wrapped = {}
    sizes = []
    for unit in units:
        rows = estimates[estimates["unit"] == unit]
        height = 0.0
        for r in rows.to_dict("records"):
            label = f"{r['estimator']}; via {r['reported_by']}" + (
                f"; {r['reference_date']}" if pd.notna(r["reference_date"]) else "")
            wrapped[r["estimate_id"]] = "\n".join(textwrap.wrap(label, 48))
            height += max(1, wrapped[r["estimate_id"]].count("\n") + 1)
        sizes.append(height + 1.3 * rows["measure"].nunique() + 1.2)
    per_line = 0.15
    axes_height = per_line * sum(sizes) + 0.5 * len(units)
    fig = plt.figure(figsize=(style.WIDTH, style.clamp_height(axes_height + 0.45 + style.legend_height(lines)
                                                              + style.note_height(note))), layout="constrained")
    grid = fig.add_gridspec(len(units) + 1, 1, height_ratios=sizes + [max(style.legend_height(lines), 0.05) / per_line])
    for number, unit in enumerate(units):
        ax = fig.add_subplot(grid[number])
        rows = estimates[estimates["unit"] == unit].reset_index(drop=True)
        ys, headings = layout(rows, [wrapped[e].count("\n") + 1 for e in rows["estimate_id"]],
                              style.category_labels(data, "estimates", "measure"))
        for y, row in zip(ys, rows.to_dict("records")):
            c = palette.colour("measures", row["measure"])
            if pd.notna(row["low"]) and pd.notna(row["high"]):
                ax.plot([row["low"], row["high"]], [y, y], color=c, lw=3.5, solid_capstyle="butt")
            if pd.notna(row["value"]):
                marker, filled = style.QUALIFIER_MARKER.get(row["qualifier"], ("o", False))
                ax.plot(row["value"], y, marker=marker, color=c, ms=6, ls="", mfc=c if filled else "white", mew=1.4)
        for y, heading in headings:
            ax.text(-0.01, y, heading, transform=ax.get_yaxis_transform(), fontsize=7, fontweight="bold",
                    va="center", ha="right")
        ax.set_yticks(ys, [wrapped[e] for e in rows["estimate_id"]], fontsize=6)
        ax.set_ylim(max(ys) + 0.9, -0.8)
        ax.tick_params(axis="y", length=0)
        if unit == "persons":
            ax.set_xscale("log")
            style.powers_of_ten(ax.xaxis)
        elif unit == "percent":
            ax.set_xlim(0, 100)
        unit_label = style.category_labels(data, "estimates", "unit").get(unit, unit)
        ax.set_xlabel(style.lowered(unit_label) + (" (log scale)" if unit == "persons" else ""))
        ax.grid(True, axis="x", color="#EEEEEE", lw=0.5)
        ax.set_axisbelow(True)
        if number == 0:
            ax.set_title("Aggregate estimates the texts report", loc="left")
    style.add_legend(fig.add_subplot(grid[len(units)]), handles)
    style.add_note(fig, note)
    return style.finish(fig)
