"""Timeline: one lane per person, grouped by travel party, in calendar months.

Months whose place is certain are solid in the country's colour; uncertain months are hatched,
striped with the colours of every place the person could have been. Events are labelled
vertical lines; planned destinations never reached and the texts' contradictions are marked.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.patches import Patch, Rectangle
from matplotlib.lines import Line2D

from ..model import journeys
from . import style


def _date(month_index) -> pd.Timestamp:
    return journeys.month_start(month_index)


def draw(data: journeys.Journeys):
    windows = data.windows()
    events = data.table("events").sort_values(["date_lower", "date_upper", "event_id"])
    sources = data.table("sources")
    first = int(journeys.month(events["date_lower"].fillna(events["date_upper"])).min())
    last = int(journeys.month(sources["available_by_upper"]).max())
    months = data.months(windows, since=first)
    months = months[months["month"] <= last]
    people = journeys.lanes(data)
    y_of = dict(zip(people["person_id"], people["y"]))
    palette = style.place_colours(data)
    names = journeys.place_names(data.table("locations"))

    fig, ax = plt.subplots(figsize=(style.WIDTH, 0.55 * len(people) + 1.9))
    height = 0.62
    for person, month, candidates in months[["person_id", "month", "candidates"]].itertuples(index=False):
        places = candidates.split("|")
        left, right = _date(month), _date(month + 1)
        y = y_of[person] - height / 2
        if len(places) == 1:
            ax.add_patch(Rectangle((left, y), right - left, height, color=palette[places[0]], lw=0))
            continue
        stripe = height / len(places)
        for i, place in enumerate(places):
            ax.add_patch(Rectangle((left, y + i * stripe), right - left, stripe, facecolor=palette[place],
                                   lw=0, **style.UNCERTAIN))

    stages = data.table("stages")
    locations = data.table("locations")
    for stage in stages[stages["stage_type"] == "planned"].itertuples():
        before = windows[(windows["person_id"] == stage.person_id) & (windows["seq"] < stage.seq)].iloc[-1]
        x = before["start_max"] + (before["end_min"] - before["start_max"]) / 2
        y = y_of[stage.person_id] + height / 2 + 0.14
        place = journeys.place_key(locations, pd.Series([stage.location_id])).iloc[0]
        name = locations.loc[locations["location_id"] == stage.location_id, "name"].iloc[0]
        ax.plot(x, y, marker="D", ms=5, mfc="white", mec=palette[place], mew=1.4, zorder=5)
        ax.annotate(f"planned: {name} (not reached)", (x, y), xytext=(5, 0), textcoords="offset points",
                    va="center", fontsize=6)

    discrepancies = data.table("discrepancies")
    for d in discrepancies[(discrepancies["resource"] == "stages") & discrepancies["field"].isin(["start", "end"])].itertuples():
        stage = windows[windows["stage_id"] == d.row_id]
        if stage.empty:
            continue
        stage = stage.iloc[0]
        lo, hi = (stage["start_min"], stage["start_max"]) if d.field == "start" else (stage["end_min"], stage["end_max"])
        x = lo + (hi - lo) / 2
        ax.text(x, y_of[stage["person_id"]] - height / 2 - 0.05, "!", ha="center", va="top", fontsize=9,
                fontweight="bold", color="#CC3311")

    top = max(y_of.values()) + 0.75
    span = (_date(first), _date(last + 1))
    for i, event in enumerate(events.itertuples()):
        known = pd.notna(event.date_lower)
        x = event.date_lower if known else event.date_upper
        ax.axvline(x, color="#333333", lw=0.7, ls="-" if known else ":", zorder=1)
        late = (x - span[0]) / (span[1] - span[0]) > 0.7
        label = f"{event.label}, {'' if known else 'by '}{x:%Y-%m-%d}"
        ax.text(x, 1.01 + 0.045 * (i % 2), label, transform=ax.get_xaxis_transform(), fontsize=6,
                ha="right" if late else "left", va="bottom")

    ax.set_yticks(people["y"], [f"{n} ({s.split('-')[0].title()})" for n, s in
                                zip(people["name_in_source"], people["source_id"].map(
                                    dict(zip(sources["source_id"], sources["outlet"]))))])
    ax.set_xlim(*span)
    ax.set_ylim(min(y_of.values()) - 0.8, top)
    ax.xaxis.set_major_locator(plt.matplotlib.dates.MonthLocator(bymonth=[1, 7]))
    ax.xaxis.set_major_formatter(plt.matplotlib.dates.DateFormatter("%Y-%m"))
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_title("Where each returnee was, month by month", loc="left", pad=26)

    handles = [Patch(color=palette[k], label=names.get(k, k)) for k in sorted(palette)]
    handles += [Patch(facecolor=style.UNCERTAIN_COLOUR, **style.UNCERTAIN,
                      label="uncertain month: stripes = possible places"),
                Line2D([], [], marker="D", ls="", mfc="white", mec="black", label="planned, never reached"),
                Line2D([], [], marker="$!$", ls="", color="#CC3311", label="contradiction in the text")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=3, frameon=False)
    style.source_note(fig, data, ["persons", "stages", "locations", "events", "discrepancies", "sources"])
    fig.tight_layout(rect=(0, 0.02, 1, 1))
    return fig
