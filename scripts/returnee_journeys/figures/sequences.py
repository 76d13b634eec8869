"""Sequences: the journeys aligned at first departure, one row per person, one cell per month
(a sequence-index plot). Months follow the same rule as the timeline and the SPELL/STS exports:
a month whose place is uncertain is hatched, striped with the places it could be. A row ends
where its text's date ends what is known; a row whose last stay has no known end and whose text
has no known date is carried to the latest date of the package and marked open (censoring code 2
in the exports). Persons nothing dates the departure of are named in the note.
"""
from __future__ import annotations

from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..model import journeys
from . import style


def draw(data: journeys.Journeys, palette: style.Palette | None = None):
    palette = style.palette_for(data, palette)
    windows = data.windows()
    months = data.months(windows)
    start = months.groupby("person_id")["month"].transform("min")
    months = months.assign(since=months["month"] - start)
    people = journeys.lanes(data)
    names = dict(zip(people["person_id"], people["name_in_source"]))
    people = people[people["person_id"].isin(set(months["person_id"]))].reset_index(drop=True)
    row = {p: i for i, p in enumerate(people["person_id"])}
    censoring = data.censoring(windows).set_index("person_id")
    location_names = journeys.place_names(data.table("locations"))

    used = sorted(set(months["candidates"].str.split("|").explode()), key=lambda k: palette.slot("places", k))
    handles = [Patch(facecolor=palette.colour("places", k), hatch=palette.hatch("places", k), edgecolor="white",
                     lw=0, label=location_names.get(k, k)) for k in used]
    handles.append(Patch(facecolor=style.UNCERTAIN_COLOUR, **style.UNCERTAIN,
                         label="uncertain month: stripes = possible places"))
    open_people = [p for p in people["person_id"] if censoring.at[p, "censor"] == 2]
    if open_people:
        handles.append(Line2D([], [], **style.OPEN_MARK, label="open: no known end, text undated (censored)"))
    unplaced = [f"{names[p]} (persons/{p})" for p in names if p not in row]
    note = style.note_text(data, ["stages", "locations", "sources"], [
        style.unplaced_note("Not drawn, nothing dates their first departure", unplaced),
        style.unplaced_note("Open, carried to the latest date in the data (the text's date is unknown)",
                            [f"{names[p]} (stages/{censoring.at[p, 'stage_id']})" for p in open_people])])
    columns, lines = style.legend_shape([h.get_label() for h in handles])

    n = max(1, len(people))
    lane = max(0.24, min(0.42, 0.42 - 0.01 * (n - 6)))
    axes_height = lane * n + 0.55
    fig, grid = style.figure_with_legend(axes_height, lines, note, margin=0.5)
    ax = fig.add_subplot(grid[0])
    spans = style.runs(months.assign(month=months["since"]))
    style.boxes(ax, spans.assign(x0=spans["begin"], x1=spans["end"] + 1), palette, row, 0.8)
    # month boundaries as thin white lines, as cells
    width = int(months["since"].max()) + 1 if len(months) else 1
    for m in range(1, width):
        ax.axvline(m, color="white", lw=0.3, zorder=3)
    ends = months.groupby("person_id")["since"].max()
    for person in open_people:
        ax.plot(ends[person] + 1, row[person], clip_on=False, zorder=6, **style.OPEN_MARK)
    ax.set_xlim(0, width)
    ax.set_ylim(len(people) - 0.5, -0.5)
    ax.set_yticks(range(len(people)), people["name_in_source"])
    ax.set_xlabel("months since leaving (month 0 = the month of first departure)")
    ax.set_title("Journeys aligned at first departure", loc="left")
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    style.add_legend(fig.add_subplot(grid[1]), handles)
    style.add_note(fig, note)
    return style.finish(fig)
