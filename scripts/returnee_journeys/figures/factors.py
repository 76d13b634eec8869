"""Factors: which codebook factor bore on which move, in Lee's scheme (README, "Factors", says how
a glyph reads). When there are more moves than fit across, persons are split over panels, each with
the rows it uses.

One marker per factor and move: where several texts (or several codings) give the same factor, Lee
label and move, they make one marker, filled if any of them names the factor as a reason, with a
halo only if all of them judge it after the move, struck through only if all of them say it did not
weigh. For a person reported by more than one text, each marker names by number the texts that give
it, and the note says which text each number is."""
from __future__ import annotations

from dataclasses import dataclass

import matplotlib.pyplot as plt
from matplotlib.lines import Line2D
import numpy as np
import pandas as pd

from ..model import journeys
from . import style

MAX_COLUMNS = 16   # moves per panel
ROW = 0.17         # inches per row
MIN_ROW = 0.13     # ... closed up to this before the figure grows past style.MAX_HEIGHT
TALLEST = 40.0     # inches: the most a figure of many persons may grow to
WIDE = 10.0        # inches: the width of a matrix too wide for two panels at the journal width
TITLE = "What pushed, pulled and held them: factors by move (Lee 1966)"


def columns(data: journeys.Journeys) -> pd.DataFrame:
    """Every move with its heading: 'from → to (stage type)'."""
    moves = data.moves()
    names = data.table("locations").set_index("location_id")["name"]
    labels = style.category_labels(data, "stages", "stage_type")
    kind = moves["stage_type"].map(lambda t: style.lowered(labels.get(t) or t))
    heading = moves["from_location"].map(names) + " → " + moves["to_location"].map(names) + " (" + kind + ")"
    return moves.assign(heading=heading.to_numpy())


def width_for(moves: int) -> tuple[float, int]:
    """Figure width and moves per panel: the journal width while two panels hold every move, else wider."""
    if moves <= 2 * MAX_COLUMNS:
        return style.WIDTH, MAX_COLUMNS
    return WIDE, int((WIDE - 2.3) / 0.28)


def panels(moves: pd.DataFrame, most: int = MAX_COLUMNS) -> list[pd.DataFrame]:
    """Persons in lane order, split so that no panel has more than `most` moves (a person with
    more has a panel of their own)."""
    out, current = [], []
    for _, group in moves.groupby("person_id", sort=False):
        if current and sum(len(g) for g in current) + len(group) > most:
            out.append(pd.concat(current, ignore_index=True))
            current = []
        current.append(group)
    if current:
        out.append(pd.concat(current, ignore_index=True))
    return out


def rows(coded: pd.DataFrame, categories: list[str], labels: pd.Series) -> pd.DataFrame:
    """A heading row per Lee category used, then its factors by label; y counts down from 0."""
    used = (coded[["lee_category", "factor_id"]].drop_duplicates()
            .assign(rank=lambda f: f["lee_category"].map(categories.index),
                    name=lambda f: f["factor_id"].map(labels).fillna(f["factor_id"]))
            .sort_values(["rank", "name", "factor_id"]))
    out = []
    for category, group in used.groupby("lee_category", sort=False):
        out.append({"lee_category": category, "factor_id": None, "name": category, "heading": True})
        out += [{"lee_category": category, "factor_id": f, "name": n, "heading": False}
                for f, n in zip(group["factor_id"], group["name"])]
    return pd.DataFrame(out, columns=["lee_category", "factor_id", "name", "heading"])


def merged(coded: pd.DataFrame) -> pd.DataFrame:
    """One row per move, Lee category, factor and Lee label: every coding of it together, its texts
    (`sources`, sorted) and its strongest reading (see the module's docstring)."""
    key = ["stage_id", "lee_category", "factor_id", "label"]
    coded = coded.assign(label=coded["label"].fillna(""),
                         named=coded["certainty"].map(style.CERTAINTY_FILLED).fillna(False),
                         hindsight=coded["timing"].map(style.TIMING_HALO).fillna(False),
                         struck=coded["salience"].map(style.SALIENCE_STRUCK).fillna(False))
    grouped = coded.groupby(key, sort=False, dropna=False)
    out = grouped.agg(coding_id=("coding_id", "first"), named=("named", "any"), hindsight=("hindsight", "all"),
                      struck=("struck", "all"), sources=("source_id", lambda s: tuple(sorted(set(s.dropna())))))
    return out.reset_index()


def multi_text(markers: pd.DataFrame, moves: pd.DataFrame, reported: set) -> list[str]:
    """Persons with drawn factors who are `reported` by more than one text (person_sources), or whose drawn
    factors come from more than one text."""
    person = markers["stage_id"].map(dict(zip(moves["stage_id"], moves["person_id"])))
    texts = markers.assign(person=person).explode("sources").groupby("person")["sources"].nunique()
    return sorted(texts.index[(texts > 1) | texts.index.isin(reported)])


def text_numbers(markers: pd.DataFrame, moves: pd.DataFrame, reported: set) -> dict[str, int]:
    """A number for each text of the persons reported by more than one text (by source id)."""
    many = set(moves.loc[moves["person_id"].isin(multi_text(markers, moves, reported)), "stage_id"])
    sources = sorted({s for stage, texts in zip(markers["stage_id"], markers["sources"]) if stage in many
                      for s in texts})
    return {s: i + 1 for i, s in enumerate(sources)}


def glyph(ax, c) -> None:
    """One marker (`Panel.glyphs` row `c`), with its halo and stroke."""
    if c.hindsight:
        ax.add_line(Line2D([c.x], [c.y], marker="o", ms=10.5, mfc="#D9D9D9", mec="none", ls="", zorder=2))
    ax.add_line(Line2D([c.x], [c.y], marker=c.marker, ms=5.5, ls="", mfc=c.colour if c.named else "white",
                       mec=c.colour, mew=1.1, zorder=3, gid="factor"))
    if c.struck:
        ax.add_line(Line2D([c.x], [c.y], marker=(2, 0, 45), ms=10, ls="", color="black", mew=1.0, zorder=4))


@dataclass
class Panel:
    moves: pd.DataFrame         # its columns: stage_id, person_id, heading
    rows: pd.DataFrame          # its rows (`rows`): lee_category, factor_id, name, heading
    glyphs: pd.DataFrame        # x, y, marker, colour, named, hindsight, struck, cite (the texts' numbers or "")
    persons: list[tuple]        # (first column, column after the last, name) of each person


@dataclass
class Plan:
    width: float                # inches
    most: int                   # moves per panel
    panels: list[Panel]
    keys: list[style.Key]
    note: list[str]


@dataclass
class Layout(style.Layout):
    heights: list[float]        # each panel's height (inches)
    total: float                # the figure's height before clamping
    fits: list[list[bool]]      # per panel and person: the name fits across its columns (else it is slanted)
    rise: float                 # points the first panel's names rise above it


def glyphs(here: pd.DataFrame, part: pd.DataFrame, table: pd.DataFrame, cited: set, numbers: dict) -> pd.DataFrame:
    """Where each marker of a panel goes and how it looks; different Lee labels of one factor and
    move stand side by side."""
    col_of = {s: i for i, s in enumerate(part["stage_id"])}
    row_of = {(c, f): i for i, (c, f) in enumerate(zip(table["lee_category"], table["factor_id"])) if f}
    cell = here["stage_id"] + "|" + here["lee_category"] + "|" + here["factor_id"]
    nth, count = cell.groupby(cell).cumcount().to_numpy(), cell.map(cell.value_counts()).to_numpy()
    looks = [style.LEE_GLYPHS.get(label, ("*", "#777777")) for label in here["label"]]
    return pd.DataFrame({
        "x": [col_of[s] + (n - (k - 1) / 2) * 0.3 for s, n, k in zip(here["stage_id"], nth, count)],
        "y": [row_of[key] for key in zip(here["lee_category"], here["factor_id"])],
        "marker": [m for m, _ in looks], "colour": [c for _, c in looks],
        **{flag: here[flag].to_numpy() for flag in ("named", "hindsight", "struck")},
        "cite": [",".join(str(numbers[t]) for t in texts) if s in cited else ""
                 for s, texts in zip(here["stage_id"], here["sources"])]})


def person_spans(part: pd.DataFrame, persons: pd.Series) -> list[tuple]:
    people = part["person_id"].to_numpy(dtype=object)
    starts = list(np.flatnonzero(np.r_[True, people[1:] != people[:-1]]))
    return [(start, end, persons.get(people[start], people[start]))
            for start, end in zip(starts, starts[1:] + [len(part)])]


def keys(coded: pd.DataFrame, markers: pd.DataFrame) -> list[style.Key]:
    out = [style.Key(label, {"marker": m, "ls": "", "mfc": c, "mec": c}) for label, (m, c) in style.LEE_GLYPHS.items()
           if label in set(coded["label"])]
    if coded["label"].isna().any() or not coded["label"].isin(list(style.LEE_GLYPHS)).all():
        out.append(style.Key("other", {"marker": "*", "ls": "", "color": "#777777"}))
    out += [style.Key("filled: named as a reason", {"marker": "o", "ls": "", "mfc": "black", "mec": "black"}),
            style.Key("hollow: set beside the move", {"marker": "o", "ls": "", "mfc": "white", "mec": "black"})]
    if markers["hindsight"].any():
        out.append(style.Key("grey halo: judged after the move (hindsight)",
                             {"marker": "o", "ms": 9, "ls": "", "mfc": "#D9D9D9", "mec": "none"}))
    if markers["struck"].any():
        out.append(style.Key("struck through: said not to weigh (discounted)",
                             {"marker": (2, 0, 45), "ms": 9, "ls": "", "color": "black"}))
    return out


def prepare(data: journeys.Journeys, palette: style.Palette | None = None) -> Plan:
    codings = data.table("codings")
    labels = data.table("factors").set_index("factor_id")["label"]
    categories = data.descriptor.field("codings", "lee_category")["constraints"]["enum"]
    coded = codings.assign(label=data.lee_label(codings["lee_category"], codings["valence"]))
    moves = columns(data)
    persons = journeys.person_names(data.table("persons"))
    outlets = dict(zip(data.table("sources")["source_id"], data.table("sources")["outlet"]))
    unplaced = coded[~coded["stage_id"].isin(set(moves["stage_id"]))]
    width, most = width_for(len(moves))
    markers = merged(coded[coded["stage_id"].isin(set(moves["stage_id"]))])
    reported = set(data.table("person_sources")["person_id"])
    numbers = text_numbers(markers, moves, reported)
    cited = set(moves.loc[moves["person_id"].isin(multi_text(markers, moves, reported)), "stage_id"])
    parts = []
    for part in panels(moves, most):
        table = rows(coded[coded["stage_id"].isin(set(part["stage_id"]))], categories, labels)
        here = markers[markers["stage_id"].isin(set(part["stage_id"]))]
        parts.append(Panel(part, table, glyphs(here, part, table, cited, numbers), person_spans(part, persons)))
    note = style.note_parts(data, ["codings", "factors", "stages", "locations", "persons"], [
        "Lee's origin and destination are the two ends of each move: the place left (before →) and the place "
        "moved to (after →).",
        style.unplaced_note("Numbers beside a marker (a person reported by more than one text): the texts that give it",
                            [f"{n} {outlets.get(source, source)} (sources/{source})" for source, n in numbers.items()]),
        style.unplaced_note("Not drawn, their stage is not a move", [f"codings/{c}" for c in unplaced["coding_id"]])])
    return Plan(width, most, parts, keys(coded, markers), note)


def layout(plan: Plan) -> Layout:
    size = style.sized(plan.keys, plan.note, 0, plan.width)
    headings = [h for panel in plan.panels for h in panel.moves["heading"]]
    header = max((style.text_width(h, 6) for h in headings), default=0.5) + 0.2
    fixed = (0.5 + style.legend_height(size.legend_lines) + style.note_height(size.note)
             + len(plan.panels) * (header + 0.35))
    count = sum(max(len(p.rows), 1) for p in plan.panels)
    row = max(MIN_ROW, min(ROW, (style.MAX_HEIGHT - fixed) / count))  # rows close up before the figure grows
    heights = [row * max(len(p.rows), 1) + header + 0.35 + (0.6 if len(plan.panels) > 1 else 0) for p in plan.panels]
    fits, rise = [], 0.0
    for number, panel in enumerate(plan.panels):
        room = (plan.width - 2.4) / max(len(panel.moves), plan.most / 2)
        fits.append([style.text_width(name, 7, "bold") < (end - start) * room for start, end, name in panel.persons])
        if number == 0:
            rise = max([0.0] + [style.text_width(name, 7, "bold") * 72 * 0.87
                                for (_, _, name), fit in zip(panel.persons, fits[0]) if not fit])
    total = sum(heights) + 0.5 + style.legend_height(size.legend_lines) + style.note_height(size.note) + rise / 72
    return Layout(size.note, size.legend_lines, size.axes_height, heights, total, fits, rise)


def render(plan: Plan, size: Layout):
    if all(panel.rows.empty for panel in plan.panels):
        return style.nothing_coded(TITLE, "No factor of a move is coded: codings.csv has no rows (or none on a move).",
                                   size.note)
    fig = plt.figure(figsize=(plan.width, style.clamp_height(size.total, high=TALLEST)), layout="constrained")
    grid = fig.add_gridspec(len(plan.panels) + 1, 1,
                            height_ratios=size.heights + [max(style.legend_height(size.legend_lines), 0.05)])
    for number, (panel, fits) in enumerate(zip(plan.panels, size.fits)):
        ax = fig.add_subplot(grid[number])
        for c in panel.glyphs.itertuples():
            glyph(ax, c)
            if c.cite:
                ax.annotate(c.cite, (c.x, c.y), xytext=(4, 2), textcoords="offset points", fontsize=6,
                            color="#444444", ha="left", va="bottom", gid="texts")
        table = panel.rows
        for y in table.index[table["heading"]]:
            ax.axhspan(y - 0.5, y + 0.5, color="#F0F0F0", lw=0, zorder=0)
        ax.set_xlim(-0.6, len(panel.moves) - 0.4)
        ax.set_ylim(len(table) - 0.5, -0.5)
        ax.set_yticks(range(len(table)), table["name"])
        for tick, heading in zip(ax.get_yticklabels(), table["heading"]):
            if heading:
                tick.set_fontweight("bold")
        ax.set_xticks(range(len(panel.moves)), panel.moves["heading"], rotation=90, fontsize=6)
        ax.tick_params(length=0)
        ax.grid(True, color="#EEEEEE", lw=0.5)
        ax.set_axisbelow(True)
        for (start, end, name), fit in zip(panel.persons, fits):
            if start:
                ax.axvline(start - 0.5, color="#888888", lw=0.6)
            ax.text((start + end - 1) / 2, -0.6, name, ha="center" if fit else "left", va="bottom",
                    rotation=0 if fit else 60, rotation_mode="anchor", fontsize=7, fontweight="bold")
        if number == 0:
            ax.set_title(TITLE, loc="left", pad=16 + size.rise)
    style.add_legend(fig.add_subplot(grid[len(plan.panels)]), style.handles(plan.keys))
    style.add_note(fig, size.note)
    return style.finish(fig)


draw = style.three_steps(prepare, layout, render)
