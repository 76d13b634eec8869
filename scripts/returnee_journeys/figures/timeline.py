"""Timeline: one lane per person, grouped by travel party, in calendar months (README, "Timeline").
Events are labelled vertical lines (dotted where only a bound is known), their labels stacked in as
many rows as they need; what cannot be placed (an undated event, a person with no dated departure)
is named in the note."""
from __future__ import annotations

from dataclasses import dataclass

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import matplotlib.transforms as transforms
import numpy as np
import pandas as pd

from ..model import journeys, wording
from . import style

ROW = 10.0  # points between two rows of event labels
BASE = 4.0  # points from the top of the axes to the first row of labels
BRACKET = {"color": "#333333", "lw": 1.2, "marker": "|", "ms": 3, "mew": 1.2, "solid_capstyle": "butt"}


def month_ticks(months: int, most: int = 8):
    """Ticks on the first month of every 1, 2, 3, 6 or 12 months (or years), at most `most` of them."""
    step = next((s for s in (1, 2, 3, 6, 12) if months / s <= most), None)
    if step is None:
        return mdates.YearLocator(base=max(1, int(np.ceil(months / 12 / most))))
    return mdates.MonthLocator(bymonth=range(1, 13, step))


def lane_labels(data, people: pd.DataFrame) -> list[str]:
    outlets = dict(zip(data.table("sources")["source_id"], data.table("sources")["outlet"]))
    names = journeys.person_names(people)
    return [f"{names[p]} ({outlets.get(s, s)})" for p, s in zip(people["person_id"], people["source_id"])]


def month_number(index) -> np.ndarray:
    """Matplotlib date numbers of the first day of month indexes (year * 12 + month - 1)."""
    index = np.asarray(index, dtype=np.int64)
    return mdates.date2num((index - 1970 * 12).astype("datetime64[M]"))


def stack_labels(fig, ax, labels: list, optional: list, spans: dict | None = None) -> int:
    """Put event labels in rows above the axes so that no two overlap, and hide each optional label
    (inside the axes) that would overlap another text; one layout pass. Return the number of rows.
    `spans` (id of a label -> (first, last) date number) are the date ranges drawn as brackets under
    their labels: a row keeps room for the bracket too, so no two brackets share a row where they overlap."""
    spans = spans or {}
    label_ids = {id(t) for t in labels}
    others = [(t, box) for t, box in style.texts(fig) if id(t) not in label_ids]
    renderer = fig.canvas.get_renderer()
    right = ax.get_window_extent(renderer).x1
    placed: list[list[tuple[float, float]]] = []
    pad = 4.0
    for label in sorted(labels, key=lambda t: t.xy[0]):
        box = label.get_window_extent(renderer)
        if box.x1 > right:  # would run past the axes: hang it to the left of its line
            label.set_horizontalalignment("right")
            label.set_position((-2, label.get_position()[1]))
            box = label.get_window_extent(renderer)
        left, right_ = box.x0, box.x1
        if id(label) in spans:
            ends = [ax.transData.transform((x, 0))[0] for x in spans[id(label)]]
            left, right_ = min(left, *ends) - 2, max(right_, *ends) + 2
        row = next((i for i, taken in enumerate(placed)
                    if all(right_ + pad <= x0 or left >= x1 + pad for x0, x1 in taken)), len(placed))
        if row == len(placed):
            placed.append([])
        placed[row].append((left, right_))
        label.set_position((label.get_position()[0], BASE + row * ROW))
    optional_ids = {id(t) for t in optional}
    kept = [box for t, box in others if id(t) not in optional_ids]
    for text in optional:
        box = text.get_window_extent(renderer)
        if any(min(box.x1, b.x1) + 1 > max(box.x0, b.x0) and min(box.y1, b.y1) + 1 > max(box.y0, b.y0) for b in kept):
            text.set_visible(False)
        else:
            kept.append(box)
    return len(placed)


@dataclass
class Event:
    x: pd.Timestamp            # where its line is drawn: its date, or the bound known
    exact: bool                # a day: a solid line, else dotted
    text: str                  # its label
    span: tuple | None         # (lower, upper) of a range, drawn as a bracket under its label


@dataclass
class Plan:
    ys: dict[str, float]              # person_id -> y of the lane
    labels: list[str]                 # the lanes' labels, in the order of `ys`
    first: int                        # months shown (indexes): first to horizon
    horizon: int
    runs: pd.DataFrame                # id, state ('|'-joined places), begin, end (month indexes)
    looks: dict[str, tuple[str, str]]  # place key -> (colour, hatch)
    keys: list[style.Key]             # the legend
    planned: list[tuple]              # (x, lane y, colour, label) of each destination never reached
    contradictions: list[tuple]       # (x, lane y) of each contradiction on a date
    open_ys: list[float]              # lanes open to the edge
    events: list[Event]
    note: list[str]


def _first_month(data: journeys.Journeys, windows: pd.DataFrame, dated: pd.DataFrame) -> int:
    """The first month shown: the earliest dated event or first departure."""
    origin = windows[windows["stage_type"] == data.descriptor.stage_type("first")]
    departures = journeys.month(origin["end_min"].fillna(origin["end_max"])).dropna()
    starts = pd.concat([journeys.month(dated["date_lower"].fillna(dated["date_upper"])).dropna(),
                        departures.astype("Int64")])
    first = int(starts.min()) if len(starts) else data.horizon()
    if data.horizon() is None or first is None:
        raise ValueError("nothing in the package is dated: no timeline can be drawn")
    return first


def _contradictions(data, windows, ys: dict, drawn: set) -> tuple[list[tuple], list[str]]:
    """(middle of the window, lane y) of each contradiction on a stage's date, and those that cannot be marked."""
    flagged = data.table("discrepancies")
    flagged = flagged[(flagged["resource"] == "stages") & flagged["field"].isin(["start", "end"])]
    marked, unmarked = [], []
    for d in flagged.itertuples():
        stage = windows[windows["stage_id"] == d.row_id]
        lo = hi = pd.NaT
        if not stage.empty:
            stage = stage.iloc[0]
            lo, hi = stage[f"{d.field}_min"], stage[f"{d.field}_max"]  # d.field is start or end
            lo, hi = (lo if pd.notna(lo) else hi), (hi if pd.notna(hi) else lo)
        if pd.isna(lo) or stage["person_id"] not in ys or stage["person_id"] not in drawn:
            unmarked.append(f"discrepancies/{d.discrepancy_id}")
        else:
            marked.append((lo + (hi - lo) / 2, ys[stage["person_id"]]))
    return marked, unmarked


def _planned(data, windows, planned: pd.DataFrame, ys: dict, horizon: int, looks: dict) -> list[tuple]:
    """(middle of the stay before, lane y, colour, label) of each destination planned, never reached."""
    locations = data.table("locations")
    out = []
    for stage in planned.itertuples():
        before = windows[(windows["person_id"] == stage.person_id) & (windows["seq"] < stage.seq)]
        if before.empty or stage.person_id not in ys:
            continue
        before = before.iloc[-1]
        lo = before["start_max"] if pd.notna(before["start_max"]) else before["start_min"]
        hi = before["end_min"] if pd.notna(before["end_min"]) else journeys.month_start(horizon + 1)
        if pd.isna(lo):
            continue
        place = journeys.place_key(locations, pd.Series([stage.location_id])).iloc[0]
        name = locations.loc[locations["location_id"] == stage.location_id, "name"].iloc[0]
        out.append((lo + (hi - lo) / 2, ys[stage.person_id], looks[place][0], f"planned: {name}"))
    return out


def _events(dated: pd.DataFrame) -> list[Event]:
    events = []
    for event in dated.itertuples():
        lower, upper = event.date_lower, event.date_upper
        exact = pd.notna(lower) and pd.notna(upper) and lower == upper
        span = (lower, upper) if pd.notna(lower) and pd.notna(upper) and not exact else None
        events.append(Event(lower if exact or pd.isna(upper) else upper, exact,
                            f"{event.label}, {wording.window(lower, upper)}", span))
    return events


def prepare(data: journeys.Journeys, palette: style.Palette | None = None) -> Plan:
    palette = style.palette_for(data, palette)
    windows = data.windows()
    people = journeys.lanes(data)
    names = journeys.person_names(people)
    events = data.table("events").sort_values(["date_lower", "date_upper", "event_id"])
    dated = events[events["date_lower"].notna() | events["date_upper"].notna()]
    horizon = data.horizon()
    first = _first_month(data, windows, dated)
    months = data.months(windows, since=first)
    months = months[months["month"] <= horizon]
    drawn = set(months["person_id"])
    ys = dict(zip(people["person_id"], people["y"]))
    censoring = data.censoring(windows).set_index("person_id")
    stages, locations = data.table("stages"), data.table("locations")
    planned = stages[~stages["stage_type"].isin(data.descriptor.stage_types(realised=True))]

    used = set(months["candidates"].str.split("|").explode())
    looks, keys = style.place_looks(palette, used | set(journeys.place_key(locations, planned["location_id"])),
                                    journeys.place_names(locations))
    if len(planned):
        keys.append(style.Key("planned, never reached", {"marker": "D", "ls": "", "mfc": "white", "mec": "black"}))
    contradictions, unmarked = _contradictions(data, windows, ys, drawn)
    if len(contradictions) + len(unmarked):
        keys.append(style.Key("contradiction in the text", {"marker": style.EXCLAMATION, "ls": "", "color": "#CC3311"}))
    open_people = [p for p in censoring.index[censoring["censor"] == 2] if p in drawn]
    if open_people:
        keys.append(style.Key("open: no known end, text undated (runs to the edge)", style.OPEN_MARK))
    note = style.note_parts(data, ["persons", "stages", "locations", "events", "discrepancies", "sources"], [
        style.unplaced_note("Not on the time axis, no date", [f"{e.label} (events/{e.event_id})"
                                                             for e in events.drop(dated.index).itertuples()]),
        style.unplaced_note("Not drawn, nothing dates their first departure",
                            [f"{names[p]} (persons/{p})" for p in people["person_id"] if p not in drawn]),
        style.unplaced_note("Contradictions not marked, their date has no bound", unmarked),
        style.unplaced_note("Open to the edge, the text's date is unknown",
                            [f"{names[p]} (stages/{censoring.at[p, 'stage_id']})" for p in open_people])])
    return Plan(ys, lane_labels(data, people), first, horizon, style.runs(months), looks, keys,
                _planned(data, windows, planned, ys, horizon, looks), contradictions,
                [ys[p] for p in open_people if p in ys], _events(dated), note)


def layout(plan: Plan) -> style.Layout:
    n = len(plan.ys)
    lane = max(0.27, min(0.55, 0.55 - 0.012 * (n - 6)))
    span_y = (max(plan.ys.values()) - min(plan.ys.values())) if n else 0
    return style.sized(plan.keys, plan.note, lane * (span_y + 1.6))


def _height(size: style.Layout, rows: int) -> tuple[float, float]:
    """The figure's height and the axes' share of it with `rows` rows of event labels above the axes."""
    figure = size.axes_height + 0.75 + style.legend_height(size.legend_lines) + style.note_height(size.note)
    return style.clamp_height(figure + 0.3 + rows * ROW / 72), size.axes_height + 0.5 + rows * ROW / 72


def render(plan: Plan, size: style.Layout):
    label_rows = max(1, len(plan.events))  # upper bound; trimmed below
    legend = max(style.legend_height(size.legend_lines), 0.05)
    fig_height, axes_share = _height(size, label_rows)
    fig = plt.figure(figsize=(style.WIDTH, fig_height), layout="constrained")
    grid = fig.add_gridspec(2, 1, height_ratios=[axes_share, legend])
    ax = fig.add_subplot(grid[0])
    legend_ax = fig.add_subplot(grid[1])

    height = 0.62
    runs = plan.runs.assign(x0=month_number(plan.runs["begin"]), x1=month_number(plan.runs["end"] + 1))
    style.boxes(ax, runs, plan.looks, plan.ys, height)
    optional = []
    for x, y, colour, text in plan.planned:
        y = y + height / 2 + 0.12
        ax.plot(x, y, marker="D", ms=4.5, mfc="white", mec=colour, mew=1.3, zorder=5)
        optional.append(ax.annotate(text, (mdates.date2num(x), y), xytext=(5, 0), textcoords="offset points",
                                    va="center", fontsize=6))
    for x, y in plan.contradictions:
        ax.plot(x, y - height / 2 - 0.16, marker=style.EXCLAMATION, ms=6, color="#CC3311", ls="", zorder=5)
    edge = journeys.month_start(plan.horizon + 1)
    for y in plan.open_ys:
        ax.plot(mdates.date2num(edge), y, clip_on=False, zorder=6, **style.OPEN_MARK)
    labels, spans = [], {}
    for event in plan.events:
        ax.axvline(event.x, color="#333333", lw=0.7, ls="-" if event.exact else ":", zorder=1)
        labels.append(ax.annotate(event.text, (mdates.date2num(event.x), 1), xycoords=ax.get_xaxis_transform(),
                                  xytext=(2, BASE), textcoords="offset points", fontsize=6, ha="left", va="bottom"))
        if event.span is not None:
            spans[id(labels[-1])] = tuple(mdates.date2num(d) for d in event.span)

    ax.set_yticks(list(plan.ys.values()), plan.labels)
    ax.set_xlim(journeys.month_start(plan.first), edge)
    ax.set_ylim(min(plan.ys.values()) - 0.8, max(plan.ys.values()) + 0.75)
    # as many month labels as fit beside the lanes' names (a long name leaves the axis less room)
    room = style.WIDTH - 0.3 - max((style.text_width(t, plt.rcParams["ytick.labelsize"]) for t in plan.labels), default=0)
    most = int(room / (style.text_width("2000-00", plt.rcParams["xtick.labelsize"]) + 0.15))
    ax.xaxis.set_major_locator(month_ticks(plan.horizon + 1 - plan.first, max(2, min(8, most))))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m"))
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    title = ax.set_title("Where each returnee was, month by month", loc="left", pad=6)
    style.add_legend(legend_ax, style.handles(plan.keys))
    style.add_note(fig, size.note)
    # rows depend on horizontal positions only, and lanes keep their size: the height may change after
    stack = stack_labels(fig, ax, labels, optional, spans)
    for label in labels:  # each date range as a bracket just under its own label, in the label's row
        if id(label) in spans:
            row = round((label.get_position()[1] - BASE) / ROW)
            under = transforms.offset_copy(ax.get_xaxis_transform(), fig=fig, y=row * ROW + 2, units="points")
            ax.plot(spans[id(label)], [1, 1], transform=under, clip_on=False, gid="date-range", **BRACKET)
    ax.set_title(title.get_text(), loc="left", pad=6 + stack * ROW + 2)
    fig_height, axes_share = _height(size, stack)
    grid.set_height_ratios([axes_share, legend])
    fig.set_figheight(fig_height)
    return style.finish(fig)


draw = style.three_steps(prepare, layout, render)
