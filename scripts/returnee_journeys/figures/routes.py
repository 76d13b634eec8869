"""Routes: each person's path origin → stays → return as curved arcs over Natural Earth outlines.

Legs never travelled (to a planned destination) are dashed. Places coded only at country or
region precision are drawn as hollow squares at their anchor point, not as cities.
"""
from __future__ import annotations

import json

import matplotlib.pyplot as plt
from matplotlib.collections import PolyCollection
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch

from ..model import journeys
from ..model import paths
from . import style


def _rings(geometry: dict) -> list:
    kind = geometry["type"]
    if kind == "Polygon":
        return [geometry["coordinates"][0]]
    if kind == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    if kind == "GeometryCollection":  # rounding the coordinates left a sliver line beside a polygon
        return [ring for part in geometry["geometries"] for ring in _rings(part)]
    return []


def outlines() -> list:
    """Exterior rings of every country polygon in the bundled Natural Earth layer."""
    features = json.loads(paths.BASEMAP.read_text(encoding="utf-8"))["features"]
    return [ring for feature in features for ring in _rings(feature["geometry"])]


def legs(data: journeys.Journeys):
    """(person_id, from location, to location, travelled) for every move, in journey order."""
    stages = data.table("stages").sort_values(["person_id", "seq"])
    for person, journey in stages.groupby("person_id", sort=True):
        last = None
        for stage in journey.itertuples():
            if last is not None:
                yield person, last, stage.location_id, stage.stage_type != "planned"
            if stage.stage_type != "planned":
                last = stage.location_id


def draw(data: journeys.Journeys):
    locations = data.table("locations").set_index("location_id")
    person_colour = style.person_colours(data)
    names = dict(zip(data.table("persons")["person_id"], data.table("persons")["name_in_source"]))
    order = {p: i for i, p in enumerate(sorted(person_colour))}
    used = sorted({loc for _, a, b, _ in legs(data) for loc in (a, b)})
    lon, lat = locations.loc[used, "longitude"], locations.loc[used, "latitude"]

    fig, ax = plt.subplots(figsize=(style.WIDTH, 4.9))
    ax.add_collection(PolyCollection(outlines(), facecolor="#F2F2F2", edgecolor="#B0B0B0", linewidth=0.3))
    for person, a, b, travelled in legs(data):
        if a == b:
            continue
        start = (locations.at[a, "longitude"], locations.at[a, "latitude"])
        end = (locations.at[b, "longitude"], locations.at[b, "latitude"])
        bend = 0.12 + 0.08 * order[person]
        ax.add_patch(FancyArrowPatch(start, end, connectionstyle=f"arc3,rad={bend}", arrowstyle="-|>",
                                     mutation_scale=7, lw=1.3, color=person_colour[person],
                                     linestyle="-" if travelled else (0, (3, 2)), alpha=0.9, zorder=3))
    for location in used:
        row = locations.loc[location]
        precise = row["kind"] == "city"
        ax.plot(row["longitude"], row["latitude"], marker="o" if precise else "s", ms=4 if precise else 5,
                mfc="black" if precise else "white", mec="black", mew=0.8, zorder=4)
        offset, align = {"city": ((4, 3), "left"), "region": ((-4, 4), "right")}.get(row["kind"], ((4, -9), "left"))
        ax.annotate(row["name"], (row["longitude"], row["latitude"]), xytext=offset, ha=align,
                    textcoords="offset points", fontsize=6.5, zorder=5)
    ax.set_xlim(lon.min() - 25, lon.max() + 20)
    ax.set_ylim(max(-90, lat.min() - 15), min(90, lat.max() + 15))
    ax.set_aspect("equal")
    ax.set_xlabel("longitude (°)")
    ax.set_ylabel("latitude (°)")
    ax.set_title("Routes: origin → stays → return (dashed: planned, never travelled)", loc="left")
    handles = [Line2D([], [], color=person_colour[p], lw=1.5, label=names[p]) for p in sorted(person_colour)]
    handles += [Line2D([], [], color="grey", lw=1.3, ls=(0, (3, 2)), label="planned leg, not travelled"),
                Line2D([], [], marker="o", ls="", mfc="black", mec="black", label="city"),
                Line2D([], [], marker="s", ls="", mfc="white", mec="black",
                       label="country or region only (anchor point)")]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=4, frameon=False)
    style.source_note(fig, data, ["stages", "locations", "persons"], extra="Outlines: Natural Earth 1:110m.")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig
