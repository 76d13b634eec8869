"""Factors: which codebook factor bore on which move, in Lee's scheme.

Columns are moves, grouped by person; each is headed by its two ends ("Moscow → Yerevan") and its
stage type, because Lee's origin and destination are the ends of *that* move: the place left and
the place moved to. Rows are factors under a heading per Lee category. A glyph's shape and colour
give the Lee label (push, pull, tie, deterrent, obstacle, enabler, personal ±); it is filled where
the text names the factor as a reason (explicit), hollow where it only sets it beside the move
(implicit); a grey halo marks a judgement made after the move (timing `after`, hindsight); a
stroke through it marks a factor the person says did not weigh on them (salience `discounted`).
When there are more moves than fit across, persons are split over panels, each with the rows it
uses.

One marker per factor and move: where several texts (or several codings) give the same factor, Lee
label and move, they make one marker, filled if any of them names the factor as a reason, with a
halo only if all of them judge it after the move, struck through only if all of them say it did not
weigh. For a person reported by more than one text, each marker names by number the texts that give
it, and the note says which text each number is.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from ..model import journeys
from . import style

MAX_COLUMNS = 16   # moves per panel
ROW = 0.17         # inches per row
MIN_ROW = 0.13     # ... closed up to this before the figure grows past style.MAX_HEIGHT
TALLEST = 40.0     # inches: the most a figure of many persons may grow to
WIDE = 10.0        # inches: the width of a matrix too wide for two panels at the journal width


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
    coded = coded.assign(label=coded["label"].fillna(""), named=coded["certainty"].map(style.CERTAINTY_FILLED).fillna(False),
                         hindsight=coded["timing"].map(style.TIMING_HALO).fillna(False),
                         struck=coded["salience"].map(style.SALIENCE_STRUCK).fillna(False))
    grouped = coded.groupby(key, sort=False, dropna=False)
    out = grouped.agg(coding_id=("coding_id", "first"), named=("named", "any"), hindsight=("hindsight", "all"),
                      struck=("struck", "all"), sources=("source_id", lambda s: tuple(sorted(set(s.dropna())))))
    return out.reset_index()


def multi_text(markers: pd.DataFrame, moves: pd.DataFrame) -> list[str]:
    """Persons whose drawn factors come from more than one text."""
    person = markers["stage_id"].map(dict(zip(moves["stage_id"], moves["person_id"])))
    texts = markers.assign(person=person).explode("sources").groupby("person")["sources"].nunique()
    return sorted(texts.index[texts > 1])


def text_numbers(markers: pd.DataFrame, moves: pd.DataFrame) -> dict[str, int]:
    """A number for each text of the persons reported by more than one text (by source id)."""
    many = set(moves.loc[moves["person_id"].isin(multi_text(markers, moves)), "stage_id"])
    sources = sorted({s for stage, texts in zip(markers["stage_id"], markers["sources"]) if stage in many
                      for s in texts})
    return {s: i + 1 for i, s in enumerate(sources)}


def glyph(ax, x, y, look, coding) -> None:
    marker, colour = look
    if coding.hindsight:
        ax.plot(x, y, marker="o", ms=10.5, mfc="#D9D9D9", mec="none", ls="", zorder=2)
    ax.plot(x, y, marker=marker, ms=5.5, ls="", mfc=colour if coding.named else "white", mec=colour, mew=1.1,
            zorder=3, gid="factor")
    if coding.struck:
        ax.plot(x, y, marker=(2, 0, 45), ms=10, ls="", color="black", mew=1.0, zorder=4)


def draw(data: journeys.Journeys, palette: style.Palette | None = None):
    codings = data.table("codings")
    labels = data.table("factors").set_index("factor_id")["label"]
    categories = data.descriptor.field("codings", "lee_category")["constraints"]["enum"]
    coded = codings.assign(label=data.lee_label(codings["lee_category"], codings["valence"]))
    moves = columns(data)
    persons = data.table("persons").set_index("person_id")["name_in_source"]
    outlets = dict(zip(data.table("sources")["source_id"], data.table("sources")["outlet"]))
    unplaced = coded[~coded["stage_id"].isin(set(moves["stage_id"]))]
    width, most = width_for(len(moves))
    parts = panels(moves, most)
    panel_rows = [rows(coded[coded["stage_id"].isin(set(p["stage_id"]))], categories, labels) for p in parts]

    handles = [Line2D([], [], marker=m, ls="", mfc=c, mec=c, label=label) for label, (m, c) in style.LEE_GLYPHS.items()
               if label in set(coded["label"])]
    if coded["label"].isna().any() or not coded["label"].isin(list(style.LEE_GLYPHS)).all():
        handles.append(Line2D([], [], marker="*", ls="", color="#777777", label="other"))
    handles += [Line2D([], [], marker="o", ls="", mfc="black", mec="black", label="filled: named as a reason"),
                Line2D([], [], marker="o", ls="", mfc="white", mec="black", label="hollow: set beside the move")]
    markers = merged(coded[coded["stage_id"].isin(set(moves["stage_id"]))])
    numbers = text_numbers(markers, moves)
    if markers["hindsight"].any():
        handles.append(Line2D([], [], marker="o", ms=9, ls="", mfc="#D9D9D9", mec="none",
                              label="grey halo: judged after the move (hindsight)"))
    if markers["struck"].any():
        handles.append(Line2D([], [], marker=(2, 0, 45), ms=9, ls="", color="black",
                              label="struck through: said not to weigh (discounted)"))
    note = style.note_text(data, ["codings", "factors", "stages", "locations", "persons"], [
        "Lee's origin and destination are the two ends of each move: the place left (before →) and the place "
        "moved to (after →).",
        style.unplaced_note("Numbers beside a marker (a person reported by more than one text): the texts that give it",
                            [f"{n} {outlets.get(source, source)} (sources/{source})" for source, n in numbers.items()]),
        style.unplaced_note("Not drawn, their stage is not a move", [f"codings/{c}" for c in unplaced["coding_id"]])])
    legend_columns, lines = style.legend_shape([h.get_label() for h in handles], width - 0.5)

    header = max((style.text_width(h, 6) for h in moves["heading"]), default=0.5) + 0.2
    fixed = 0.5 + style.legend_height(lines) + style.note_height(note) + len(parts) * (header + 0.35)
    count = sum(max(len(r), 1) for r in panel_rows)
    row = max(MIN_ROW, min(ROW, (style.MAX_HEIGHT - fixed) / count))  # rows close up before the figure grows
    heights = [row * max(len(r), 1) + header + 0.35 + (0.6 if len(parts) > 1 else 0) for r in panel_rows]
    total = sum(heights) + 0.5 + style.legend_height(lines) + style.note_height(note)
    fig = plt.figure(figsize=(width, style.clamp_height(total, high=TALLEST)), layout="constrained")
    grid = fig.add_gridspec(len(parts) + 1, 1, height_ratios=heights + [max(style.legend_height(lines), 0.05)])
    for number, (part, table) in enumerate(zip(parts, panel_rows)):
        ax = fig.add_subplot(grid[number])
        col_of = {s: i for i, s in enumerate(part["stage_id"])}
        row_of = {(c, f): i for i, (c, f) in enumerate(zip(table["lee_category"], table["factor_id"])) if f}
        here = markers[markers["stage_id"].isin(set(col_of))]
        cell = here["stage_id"] + "|" + here["lee_category"] + "|" + here["factor_id"]
        here = here.assign(nth=cell.groupby(cell).cumcount().to_numpy(), count=cell.map(cell.value_counts()).to_numpy())
        cited = set(moves.loc[moves["person_id"].isin(multi_text(markers, moves)), "stage_id"])
        for c in here.itertuples():
            shift = (c.nth - (c.count - 1) / 2) * 0.3  # different Lee labels of one factor stand side by side
            x, y = col_of[c.stage_id] + shift, row_of[(c.lee_category, c.factor_id)]
            glyph(ax, x, y, style.LEE_GLYPHS.get(c.label, ("*", "#777777")), c)
            if c.stage_id in cited:
                ax.annotate(",".join(str(numbers[s]) for s in c.sources), (x, y), xytext=(4, 2),
                            textcoords="offset points", fontsize=6, color="#444444", ha="left", va="bottom",
                            gid="texts")
        for y in table.index[table["heading"]]:
            ax.axhspan(y - 0.5, y + 0.5, color="#F0F0F0", lw=0, zorder=0)
        ax.set_xlim(-0.6, len(part) - 0.4)
        ax.set_ylim(len(table) - 0.5, -0.5)
        ax.set_yticks(range(len(table)), table["name"])
        for tick, heading in zip(ax.get_yticklabels(), table["heading"]):
            if heading:
                tick.set_fontweight("bold")
        ax.set_xticks(range(len(part)), part["heading"], rotation=90, fontsize=6)
        ax.tick_params(length=0)
        ax.grid(True, color="#EEEEEE", lw=0.5)
        ax.set_axisbelow(True)
        people = part["person_id"].to_numpy(dtype=object)
        starts = np.flatnonzero(np.r_[True, people[1:] != people[:-1]])
        rise = 0.0  # points the person names rise above the panel
        for i, start in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else len(part)
            if start:
                ax.axvline(start - 0.5, color="#888888", lw=0.6)
            name = persons.get(people[start], people[start])
            fits = style.text_width(name, 7, "bold") < (end - start) * (width - 2.4) / max(len(part), most / 2)
            rise = max(rise, 0 if fits else style.text_width(name, 7, "bold") * 72 * 0.87)
            ax.text((start + end - 1) / 2, -0.6, name, ha="center" if fits else "left", va="bottom",
                    rotation=0 if fits else 60, rotation_mode="anchor", fontsize=7, fontweight="bold")
        if number == 0:
            ax.set_title("What pushed, pulled and held them: factors by move (Lee 1966)", loc="left",
                         pad=16 + rise)
    style.add_legend(fig.add_subplot(grid[len(parts)]), handles)
    style.add_note(fig, note)
    return style.finish(fig)
