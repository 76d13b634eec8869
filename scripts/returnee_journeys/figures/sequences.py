"""Sequences: the journeys aligned at first departure, one row per person, one cell per month
(a sequence-index plot). Months follow the same rule as the timeline and the SPELL/STS exports:
a month whose place is uncertain is hatched, striped with the places it could be.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import Patch, Rectangle

from ..model import journeys
from . import style


def draw(data: journeys.Journeys):
    months = data.months()
    start = months.groupby("person_id")["month"].transform("min")
    months = months.assign(since=months["month"] - start)
    people = journeys.lanes(data)
    row = {p: i for i, p in enumerate(people["person_id"])}
    palette = style.place_colours(data)
    names = journeys.place_names(data.table("locations"))

    fig, ax = plt.subplots(figsize=(style.WIDTH, 0.42 * len(people) + 1.5))
    for person, since, candidates in months[["person_id", "since", "candidates"]].itertuples(index=False):
        places = candidates.split("|")
        stripe = 0.8 / len(places)
        for i, place in enumerate(places):
            uncertain = len(places) > 1
            look = {"lw": 0, **style.UNCERTAIN} if uncertain else {"lw": 0.3, "edgecolor": "white"}
            ax.add_patch(Rectangle((since, row[person] - 0.4 + i * stripe), 1, stripe, facecolor=palette[place],
                                   **look))
    ax.set_xlim(0, months["since"].max() + 1)
    ax.set_ylim(len(people) - 0.5, -0.5)
    ax.set_yticks(range(len(people)), people["name_in_source"])
    ax.set_xlabel("months since leaving Russia (month 0 = month of first departure)")
    ax.set_title("Journeys aligned at first departure", loc="left")
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    used = sorted(set(months["candidates"].str.split("|").explode()))
    handles = [Patch(color=palette[k], label=names.get(k, k)) for k in used]
    handles.append(Patch(facecolor=style.UNCERTAIN_COLOUR, **style.UNCERTAIN,
                         label="uncertain month: stripes = possible places"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=3, frameon=False)
    style.source_note(fig, data, ["stages", "locations", "sources"])
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig
