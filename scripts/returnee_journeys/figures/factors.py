"""Factors: which codebook factor bore on which move, in Lee's scheme.

Rows are factors grouped by Lee category; columns are the moves of each person (the move into
each stage after the origin), grouped by person. A glyph's shape and colour give the Lee label
(push, pull, tie, deterrent, obstacle, enabler, personal ±); filled where the text names the
factor as a reason (explicit), hollow where it only sets it beside the move (implicit).
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from ..model import journeys
from . import style

MOVE_KIND = {"abroad": "left Russia", "temporary-return": "back for a while", "return": "came back",
             "planned": "planned"}


def moves(data: journeys.Journeys) -> pd.DataFrame:
    """Every move (stage after the origin) with a short label, people in timeline order."""
    stages = data.table("stages").sort_values(["person_id", "seq"])
    previous = stages.groupby("person_id")["stage_type"].shift()
    kind = stages["stage_type"].map(MOVE_KIND)
    kind = kind.mask((stages["stage_type"] == "abroad") & (previous == "abroad"), "moved on")
    names = data.table("locations").set_index("location_id")["name"]
    out = stages.assign(kind=kind, place=stages["location_id"].map(names))
    out = out[out["stage_type"] != "origin"]
    order = {p: i for i, p in enumerate(journeys.lanes(data)["person_id"])}
    return out.assign(order=out["person_id"].map(order)).sort_values(["order", "seq"]).reset_index(drop=True)


def draw(data: journeys.Journeys):
    codings = data.table("codings")
    factor_table = data.table("factors").set_index("factor_id")
    categories = data.descriptor.field("codings", "lee_category")["constraints"]["enum"]
    coded = codings.assign(label=data.lee_label(codings["lee_category"], codings["valence"]))
    rows = (coded[["lee_category", "factor_id"]].drop_duplicates()
            .assign(rank=lambda f: f["lee_category"].map(categories.index),
                    name=lambda f: f["factor_id"].map(factor_table["label"]))
            .sort_values(["rank", "name"]).reset_index(drop=True))
    row_of = {(c, f): i for i, (c, f) in enumerate(zip(rows["lee_category"], rows["factor_id"]))}
    columns = moves(data)
    col_of = {s: i for i, s in enumerate(columns["stage_id"])}

    fig, ax = plt.subplots(figsize=(style.WIDTH, 0.16 * len(rows) + 2.4))
    cell = coded["stage_id"].map(col_of).astype(str) + "|" + coded["lee_category"] + "|" + coded["factor_id"]
    coded = coded.assign(nth=cell.groupby(cell).cumcount(), count=cell.map(cell.value_counts()))
    for c in coded.itertuples():
        marker, colour = style.LEE_GLYPHS.get(c.label, style.OTHER_GLYPH)
        explicit = c.certainty == "explicit"
        shift = (c.nth - (c.count - 1) / 2) * 0.32  # codings sharing a cell stand side by side
        ax.plot(col_of[c.stage_id] + shift, row_of[(c.lee_category, c.factor_id)], marker=marker, ms=5.5, ls="",
                mfc=colour if explicit else "white", mec=colour, mew=1.1)
    ax.set_xlim(-0.6, len(columns) - 0.4)
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.set_yticks(range(len(rows)), rows["name"])
    ax.set_xticks(range(len(columns)), [f"{k}: {p}" for k, p in zip(columns["kind"], columns["place"])],
                  rotation=90, fontsize=6)
    ax.tick_params(length=0)
    ax.grid(True, color="#EEEEEE", lw=0.5)
    ax.set_axisbelow(True)
    category = rows["lee_category"].to_numpy(dtype=object)
    for boundary in np.flatnonzero(category[1:] != category[:-1]) + 1:
        ax.axhline(boundary - 0.5, color="#888888", lw=0.6)
    for category, group in rows.groupby("lee_category", sort=False, observed=True):
        ax.text(-0.02, group.index.to_numpy().mean(), category, transform=ax.get_yaxis_transform(), rotation=90,
                ha="right", va="center", fontsize=7, fontweight="bold", color="#444444")
    ax.yaxis.set_tick_params(pad=14)
    persons = data.table("persons").set_index("person_id")["name_in_source"]
    people = columns["person_id"].to_numpy(dtype=object)
    starts = np.flatnonzero(np.r_[True, people[1:] != people[:-1]])
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(columns)
        if start:
            ax.axvline(start - 0.5, color="#888888", lw=0.6)
        ax.text((start + end - 1) / 2, -0.8, persons[columns.at[start, "person_id"]], ha="center", va="bottom",
                fontsize=7.5, fontweight="bold")
    ax.set_title("What pushed, pulled and held them: factors by move (Lee 1966)", loc="left", pad=16)
    handles = [Line2D([], [], marker=m, ls="", mfc=c, mec=c, label=label) for label, (m, c) in style.LEE_GLYPHS.items()
               if label in set(coded["label"])]
    if not coded["label"].isin(list(style.LEE_GLYPHS)).all():
        handles.append(Line2D([], [], marker=style.OTHER_GLYPH[0], ls="", color=style.OTHER_GLYPH[1], label="other"))
    handles += [Line2D([], [], marker="o", ls="", mfc="black", mec="black", label="explicit reason"),
                Line2D([], [], marker="o", ls="", mfc="white", mec="black", label="implicit")]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    style.source_note(fig, data, ["codings", "factors", "stages", "persons"])
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    return fig
