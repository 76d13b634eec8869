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

QUALIFIER_MARKER = {"exactly": "o", "about": "o", "almost": "<", "more-than": ">"}


def layout(rows: pd.DataFrame) -> tuple[list[float], list[tuple[float, str]]]:
    """y of each estimate, and y of a heading above each measure's group."""
    ys, headings, y = [], [], 0.0
    for measure, group in rows.groupby("measure", sort=False):
        headings.append((y, measure.replace("-", " ")))
        y += 0.9
        ys += [y + i for i in range(len(group))]
        y += len(group) + 0.3
    return ys, headings


def draw(data: journeys.Journeys):
    estimates = data.table("estimates").sort_values(["unit", "measure", "estimate_id"])
    units = list(dict.fromkeys(estimates["unit"]))
    sizes = [estimates["unit"].eq(u).sum() + estimates.loc[estimates["unit"] == u, "measure"].nunique() for u in units]
    fig, axes = plt.subplots(len(units), 1, figsize=(style.WIDTH, 0.3 * sum(sizes) + 1.5),
                             gridspec_kw={"height_ratios": sizes}, squeeze=False)
    colour = style.colours(estimates["measure"], style.MEASURE_COLOURS)
    for ax, unit in zip(axes[:, 0], units):
        rows = estimates[estimates["unit"] == unit].reset_index(drop=True)
        ys, headings = layout(rows)
        for y, row in zip(ys, rows.to_dict("records")):
            c = colour[row["measure"]]
            if pd.notna(row["low"]) and pd.notna(row["high"]):
                ax.plot([row["low"], row["high"]], [y, y], color=c, lw=3.5, solid_capstyle="butt")
            if pd.notna(row["value"]):
                ax.plot(row["value"], y, marker=QUALIFIER_MARKER.get(row["qualifier"], "o"), color=c, ms=6, ls="",
                        mfc=c if row["qualifier"] == "exactly" else "white", mew=1.4)
        for y, heading in headings:
            ax.text(0, y, heading, transform=ax.get_yaxis_transform(), fontsize=7, fontweight="bold", va="center",
                    ha="right")
        labels = [f"{r['estimator']}; via {r['reported_by']}" + (f"; {r['reference_date']}"
                                                                 if pd.notna(r["reference_date"]) else "")
                  for r in rows.to_dict("records")]
        ax.set_yticks(ys, ["\n".join(textwrap.wrap(label, 48)) for label in labels], fontsize=6)
        ax.set_ylim(max(ys) + 0.7, -0.6)
        ax.tick_params(axis="y", length=0)
        if unit == "persons":
            ax.set_xscale("log")
        elif unit == "percent":
            ax.set_xlim(0, 100)
        ax.set_xlabel(unit + (" (log scale)" if unit == "persons" else ""))
        ax.grid(True, axis="x", color="#EEEEEE", lw=0.5)
        ax.set_axisbelow(True)
    axes[0, 0].set_title("Aggregate estimates the texts report", loc="left")
    handles = [Line2D([], [], marker="o", ls="", color="black", label="exact figure"),
               Line2D([], [], marker="o", ls="", mfc="white", color="black", label="about"),
               Line2D([], [], marker="<", ls="", mfc="white", color="black", label="almost (at most)"),
               Line2D([], [], color="black", lw=3.5, label="reported range")]
    axes[-1, 0].legend(handles=handles, loc="upper center", bbox_to_anchor=(0.3, -0.25), ncol=4, frameon=False)
    style.source_note(fig, data, ["estimates", "sources"])
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig
