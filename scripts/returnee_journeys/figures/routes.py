"""Routes: each person's moves over Natural Earth outlines, in a Lambert azimuthal equal-area
projection centred on the places drawn, its extent fitted to them.

A leg is a great-circle path, bent a little so that legs between the same two places stay apart;
dashed where it leads to a destination planned but never reached; without an arrowhead where it
leads into a transit stage (a waypoint). How each place is drawn follows its precision
(`style.PLACE_DRAWING`, by locations.kind): a city is a dot; a region, known only as a region, a
hollow hexagon at its approximate point; a country known only as a country is its outline,
highlighted, and legs end at its border (never at an anchor point inside it); a group of countries
is drawn by its members' outlines where the data names them, and otherwise listed in the note with
the rows it concerns. No network is used: the outlines are the committed Natural Earth layer.
"""
from __future__ import annotations

import functools
import json

import cartopy.crs as ccrs
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch
from matplotlib.path import Path
from pyproj import Geod
from shapely.geometry import Point, shape

from ..model import journeys
from ..model import paths
from . import style

GEOD = Geod(ellps="WGS84")
LAND = {"facecolor": "#F2F2F2", "edgecolor": "#B0B0B0", "linewidth": 0.3}
NEIGHBOURS_M = 50_000  # a leg's two border ends this close (metres): the outlines touch
HIGHLIGHT = {"facecolor": "#FCEFC7", "edgecolor": "#9A7B1C", "linewidth": 0.8}
OFFSETS = [(4, 3, "left", "bottom"), (-4, 3, "right", "bottom"), (4, -3, "left", "top"), (-4, -3, "right", "top"),
           (0, 6, "center", "bottom"), (0, -6, "center", "top"), (9, 0, "left", "center"), (-9, 0, "right", "center")]


@functools.lru_cache(maxsize=1)
def countries() -> tuple:
    """(iso_a2, name, geometry) of every country in the bundled Natural Earth layer."""
    features = json.loads(paths.BASEMAP.read_text(encoding="utf-8"))["features"]
    return tuple((f["properties"].get("iso_a2") or "", f["properties"]["name"], shape(f["geometry"]))
                 for f in features)


def polygons_of(geometry) -> list:
    """The polygons of a geometry (a collection may also hold a sliver line left by rounding)."""
    if geometry.geom_type == "Polygon":
        return [geometry]
    return [p for part in getattr(geometry, "geoms", []) for p in polygons_of(part)]


def angular_distance(lon, lat, centre) -> np.ndarray:
    """Great-circle angle in degrees from `centre` (lon, lat) to each point."""
    lon, lat = np.radians(np.asarray(lon, float)), np.radians(np.asarray(lat, float))
    c_lon, c_lat = np.radians(centre[0]), np.radians(centre[1])
    cosine = np.sin(lat) * np.sin(c_lat) + np.cos(lat) * np.cos(c_lat) * np.cos(lon - c_lon)
    return np.degrees(np.arccos(np.clip(cosine, -1, 1)))


def outline_paths(geometries, projection, visible: float):
    """Matplotlib paths of the geometries in the projection, the fast way, and the geometries left to
    cartopy. The projection here is azimuthal: a polygon lying wholly within 170° of its centre projects
    without cuts, so its vertices are simply transformed (all at once); one out of sight is skipped;
    only the rare polygon reaching around to the far side goes through cartopy's exact projection."""
    centre = (projection.proj4_params["lon_0"], projection.proj4_params["lat_0"])
    rings, owners, exact = [], [], []
    for number, geometry in enumerate(geometries):
        polygons = polygons_of(geometry)
        if not polygons:
            continue
        coords = [np.asarray(r.coords) for p in polygons for r in (p.exterior, *p.interiors)]
        distance = angular_distance(np.concatenate(coords)[:, 0], np.concatenate(coords)[:, 1], centre)
        if distance.min() > visible + 5:
            continue
        if distance.max() >= 170:
            exact.append(geometry)
            continue
        rings += coords
        owners += [number] * len(coords)
    paths_ = []
    if rings:
        flat = np.concatenate(rings)
        xy = projection.transform_points(ccrs.PlateCarree(), flat[:, 0], flat[:, 1])[:, :2]
        bounds = np.cumsum([0] + [len(r) for r in rings])
        by_owner: dict[int, list] = {}
        for owner, start, stop in zip(owners, bounds[:-1], bounds[1:]):
            by_owner.setdefault(owner, []).append(xy[start:stop])
        for owner in sorted(by_owner):
            parts = by_owner[owner]
            codes = np.concatenate([[Path.MOVETO] + [Path.LINETO] * (len(part) - 2) + [Path.CLOSEPOLY]
                                    for part in parts])
            paths_.append(Path(np.concatenate(parts), codes))
    return paths_, exact


def visible_angle(projection, box) -> float:
    """The largest angle from the projection's centre to a point of the map's edge (180 beyond the limb)."""
    x0, x1, y0, y1 = box
    t = np.linspace(0, 1, 25)
    edge_x = np.concatenate([x0 + (x1 - x0) * t, np.full_like(t, x1), x1 - (x1 - x0) * t, np.full_like(t, x0)])
    edge_y = np.concatenate([np.full_like(t, y0), y0 + (y1 - y0) * t, np.full_like(t, y1), y1 - (y1 - y0) * t])
    lonlat = ccrs.PlateCarree().transform_points(projection, edge_x, edge_y)
    if not np.isfinite(lonlat[:, :2]).all():
        return 180.0
    centre = (projection.proj4_params["lon_0"], projection.proj4_params["lat_0"])
    return float(angular_distance(lonlat[:, 0], lonlat[:, 1], centre).max())


def add_outlines(ax, geometries, projection, box, look, zorder) -> None:
    from matplotlib.collections import PathCollection
    paths_, exact = outline_paths(geometries, projection, visible_angle(projection, box))
    if paths_:
        ax.add_collection(PathCollection(paths_, facecolors=look["facecolor"], edgecolors=look["edgecolor"],
                                         linewidths=look["linewidth"], zorder=zorder, transform=ax.transData))
    if exact:
        ax.add_geometries(exact, ccrs.PlateCarree(), **look, zorder=zorder)


def outline(code) -> object | None:
    """The country's outline (all its polygons), or None where the layer has none at 1:110m."""
    found = [g for c, _, g in countries() if c and c == code]
    return found[0] if found else None


def main_part(geometry):
    """The largest polygon (the mainland: legs never end at an exclave such as Kaliningrad)."""
    return max(polygons_of(geometry), key=lambda p: p.area)


def nearest_on_border(geometry, toward: tuple[float, float]) -> tuple[float, float]:
    """The vertex of the mainland's border nearest (on the ellipsoid) to a point."""
    ring = np.asarray(main_part(geometry).exterior.coords)
    _, _, distance = GEOD.inv(np.full(len(ring), toward[0]), np.full(len(ring), toward[1]), ring[:, 0], ring[:, 1])
    lon, lat = ring[int(np.argmin(distance))]
    return float(lon), float(lat)


def great_circle(a, b, bend: float, projection) -> np.ndarray:
    """Projected points of the great circle from a to b, pushed sideways by `bend` (a share of the
    chord's length) at the middle, tapering to nothing at the ends."""
    inner = GEOD.npts(a[0], a[1], b[0], b[1], 48)
    lonlat = np.array([a, *inner, b], dtype=float)
    xy = projection.transform_points(ccrs.PlateCarree(), lonlat[:, 0], lonlat[:, 1])[:, :2]
    chord = xy[-1] - xy[0]
    length = float(np.hypot(*chord))
    if length == 0:
        return xy
    normal = np.array([-chord[1], chord[0]]) / length
    t = np.linspace(0, 1, len(xy))
    return xy + np.outer(np.sin(np.pi * t) * bend * length, normal)


class Places:
    """How each place of the package is drawn, and where a leg to or from it ends."""

    def __init__(self, data: journeys.Journeys):
        self.locations = data.table("locations").set_index("location_id")
        self.drawing = self.locations["kind"].map(style.PLACE_DRAWING).fillna("point")
        self.shapes = {}
        for location, row in self.locations.iterrows():
            if self.drawing[location] == "outline":
                self.shapes[location] = outline(row["country_code"])
        self.missing_outline = sorted(k for k, v in self.shapes.items() if v is None)

    def name(self, location) -> str:
        return self.locations.at[location, "name"]

    def is_area(self, location) -> bool:
        return self.shapes.get(location) is not None

    def is_group(self, location) -> bool:
        return self.drawing.get(location) == "group"

    def point(self, location) -> tuple[float, float]:
        row = self.locations.loc[location]
        return float(row["longitude"]), float(row["latitude"])

    def reference(self, location) -> tuple[float, float]:
        """A point standing for the place when choosing where the other end of a leg lies."""
        if self.is_area(location):
            point = main_part(self.shapes[location]).representative_point()
            return point.x, point.y
        return self.point(location)

    def contains(self, area, location) -> bool:
        return self.is_area(area) and self.shapes[area].contains(Point(self.reference(location)))

    def ends(self, a, b) -> tuple[tuple[float, float], tuple[float, float]]:
        """Where a leg from a to b starts and ends: a point place's own point, a country's border."""
        start = nearest_on_border(self.shapes[a], self.reference(b)) if self.is_area(a) else self.point(a)
        end = nearest_on_border(self.shapes[b], start) if self.is_area(b) else self.point(b)
        if self.is_area(a):
            start = nearest_on_border(self.shapes[a], end)
        return start, end


def fitted_projection(points: np.ndarray):
    """A Lambert azimuthal equal-area projection centred on the points' spherical mean."""
    lon, lat = np.radians(points[:, 0]), np.radians(points[:, 1])
    vector = np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)]).mean(axis=1)
    centre_lon = float(np.degrees(np.arctan2(vector[1], vector[0])))
    centre_lat = float(np.degrees(np.arctan2(vector[2], np.hypot(vector[0], vector[1]))))
    return ccrs.LambertAzimuthalEqualArea(central_longitude=round(centre_lon, 1), central_latitude=round(centre_lat, 1))


def extent(xy: np.ndarray, aspect_range=(0.45, 0.9)) -> tuple[float, float, float, float]:
    """A padded box around projected points, at least 1500 km across, of a bounded height:width."""
    x0, y0 = xy.min(axis=0)
    x1, y1 = xy.max(axis=0)
    width, height = max(x1 - x0, 1.5e6), max(y1 - y0, 1.0e6)
    width, height = width * 1.2, height * 1.25
    aspect = height / width
    if aspect < aspect_range[0]:
        height = width * aspect_range[0]
    elif aspect > aspect_range[1]:
        width = height / aspect_range[1]
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return cx - width / 2, cx + width / 2, cy - height / 2, cy + height / 2


def place_labels(fig, labels: list) -> None:
    """Try each label at each offset around its point until it overlaps no text placed so far; a
    label that fits nowhere is hidden (its marker and the legend remain)."""
    label_ids = {id(t) for t in labels}
    taken = [box for t, box in style.texts(fig) if id(t) not in label_ids]
    renderer = fig.canvas.get_renderer()
    width, height = fig.canvas.get_width_height()
    gap = 2.0  # pixels kept free around a label
    for label in labels:
        for dx, dy, ha, va in OFFSETS:
            label.set_position((dx, dy))
            label.set_horizontalalignment(ha)
            label.set_verticalalignment(va)
            box = label.get_window_extent(renderer)
            inside = box.x0 >= gap and box.y0 >= gap and box.x1 <= width - gap and box.y1 <= height - gap
            if inside and not any(min(box.x1, b.x1) + gap > max(box.x0, b.x0)
                                  and min(box.y1, b.y1) + gap > max(box.y0, b.y0) for b in taken):
                taken.append(box)
                break
        else:
            label.set_visible(False)


def draw(data: journeys.Journeys, palette: style.Palette | None = None):
    palette = style.palette_for(data, palette)
    places = Places(data)
    moves = data.moves()
    persons = journeys.lanes(data)
    names = dict(zip(persons["person_id"], persons["name_in_source"]))

    legs, not_drawn, inside, neighbours = [], [], [], []
    for move in moves.itertuples():
        a, b = move.from_location, move.to_location
        if a == b:
            continue
        if places.is_group(a) or places.is_group(b):
            not_drawn.append(move)
            continue
        if places.contains(a, b) or places.contains(b, a):
            inside.append(move)
            continue
        start, end = places.ends(a, b)
        if places.is_area(a) and places.is_area(b) and GEOD.inv(*start, *end)[2] < NEIGHBOURS_M:
            neighbours.append((move, start, end))  # two outlines that touch: an arrow between them would have no length
            continue
        legs.append((move, start, end))

    drawn = {loc for move, _, _ in legs + neighbours for loc in (move.from_location, move.to_location)}
    points = [p for _, s, e in legs + neighbours for p in (s, e)] + [places.point(loc) for loc in drawn if not places.is_area(loc)]
    if not points:  # nothing to draw but places: centre on every place the journeys name
        points = [places.reference(loc) for loc in set(moves["from_location"]) | set(moves["to_location"])
                  if not places.is_group(loc)] or [(0.0, 0.0)]
    projection = fitted_projection(np.array(points))
    xy = projection.transform_points(ccrs.PlateCarree(), *np.array(points).T)[:, :2]
    x0, x1, y0, y1 = extent(xy)
    aspect = (y1 - y0) / (x1 - x0)

    transit = set(moves.loc[moves["waypoint"], "to_location"])
    groups = sorted({loc for m in not_drawn for loc in (m.from_location, m.to_location) if places.is_group(loc)})
    handles = [Line2D([], [], color=palette.colour("persons", p), lw=1.5, marker=palette.marker("persons", p) or None,
                      ms=4, label=names[p]) for p in persons["person_id"] if p in set(moves["person_id"])]
    if not moves["realised"].all():
        handles.append(Line2D([], [], color="grey", lw=1.3, ls=(0, (3, 2)), label="planned leg, never travelled"))
    kinds = {places.drawing[loc] for loc in drawn}
    if any(not places.is_area(loc) and places.drawing[loc] == "point" for loc in drawn - transit):
        handles.append(Line2D([], [], marker="o", ls="", mfc="black", mec="black", ms=4, label="city"))
    if "area-point" in kinds:
        handles.append(Line2D([], [], marker="h", ls="", mfc="white", mec="black", ms=6,
                              label="region: approximate point"))
    if any(places.is_area(loc) for loc in drawn):
        handles.append(Patch(**HIGHLIGHT, label="known only as a country: its outline"))
    if drawn & transit:
        handles.append(Line2D([], [], marker="o", ls="", mfc="white", mec="#444444", ms=3.5,
                              label="transit: waypoint (no arrowhead)"))
    notes = [
        style.unplaced_note("Not on the map, a group of countries whose members the data does not name", [
            f"{places.name(g)}: " + style.listing([
                f"{names[p]} (" + ", ".join(f"stages/{m.stage_id}" for m in not_drawn
                                            if m.person_id == p and g in (m.from_location, m.to_location)) + ")"
                for p in dict.fromkeys(m.person_id for m in not_drawn if g in (m.from_location, m.to_location))])
            for g in groups]),
        style.unplaced_note("Not drawn, a move within the country it is coded to",
                            [f"{names[m.person_id]} (stages/{m.stage_id})" for m in inside]),
        style.unplaced_note("Not drawn, a move between neighbouring countries known only by their outlines",
                            [f"{names[m.person_id]}: {places.name(m.from_location)} to {places.name(m.to_location)} "
                             f"(stages/{m.stage_id})" for m, _, _ in neighbours]),
        style.unplaced_note("Drawn at their coordinates, no outline at 1:110m",
                            [f"{places.name(loc)} (locations/{loc})" for loc in places.missing_outline if loc in drawn]),
        "Projection: Lambert azimuthal equal-area, centred on the places drawn. Outlines: Natural Earth 1:110m.",
    ]
    note = style.note_text(data, ["stages", "locations", "persons"], notes)
    columns, lines = style.legend_shape([h.get_label() for h in handles])
    map_height = min(6.2, max(2.6, (style.WIDTH - 0.3) * aspect))
    fig = plt.figure(figsize=(style.WIDTH, map_height + 0.45 + style.legend_height(lines) + style.note_height(note)),
                     layout="constrained")
    grid = fig.add_gridspec(2, 1, height_ratios=[map_height, max(style.legend_height(lines), 0.05)])
    ax = fig.add_subplot(grid[0], projection=projection)
    ax.set_extent((x0, x1, y0, y1), crs=projection)
    highlighted = [places.shapes[loc] for loc in sorted(drawn) if places.is_area(loc)]
    add_outlines(ax, [g for _, _, g in countries()], projection, (x0, x1, y0, y1), LAND, zorder=1)
    if highlighted:
        add_outlines(ax, highlighted, projection, (x0, x1, y0, y1), HIGHLIGHT, zorder=2)

    travelled: dict[tuple, int] = {}
    for move, start, end in legs:
        pair = tuple(sorted((move.from_location, move.to_location)))
        k = travelled.get(pair, 0)
        travelled[pair] = k + 1
        side = 1 if (move.from_location, move.to_location) == pair else -1
        bend = side * (0.08 + 0.05 * (k // 2)) * (1 if k % 2 == 0 else -1)
        path = great_circle(start, end, bend, projection)
        colour = palette.colour("persons", move.person_id)
        arrow = "-" if move.waypoint else "-|>"
        ax.add_patch(FancyArrowPatch(path=Path(path), arrowstyle=arrow, mutation_scale=7, lw=1.2, color=colour,
                                     linestyle="-" if move.realised else (0, (3, 2)), alpha=0.9, zorder=4,
                                     transform=ax.transData))
        marker = palette.marker("persons", move.person_id)
        if marker:
            middle = path[len(path) // 2]
            ax.plot(*middle, marker=marker, ms=3.5, color=colour, ls="", zorder=5, transform=ax.transData)

    labels = []
    for loc in sorted(drawn):
        if places.is_area(loc):
            anchor = main_part(places.shapes[loc]).representative_point()
            px, py = projection.transform_point(anchor.x, anchor.y, ccrs.PlateCarree())
            if not (x0 <= px <= x1 and y0 <= py <= y1):  # its middle is off the map: name it at a leg's end
                lon, lat = next(s if m.from_location == loc else e for m, s, e in legs
                                if loc in (m.from_location, m.to_location))
                px, py = projection.transform_point(lon, lat, ccrs.PlateCarree())
            labels.append(ax.annotate(places.name(loc), (px, py), xycoords=ax.transData, xytext=(4, 3),
                                      textcoords="offset points", fontsize=6.5, style="italic", zorder=6,
                                      color="#6B5412", in_layout=False))
            continue
        lon, lat = places.point(loc)
        px, py = projection.transform_point(lon, lat, ccrs.PlateCarree())
        if loc in transit and places.drawing[loc] == "point":
            look = {"marker": "o", "ms": 3.5, "mfc": "white", "mec": "#444444", "mew": 0.8}
        elif places.drawing[loc] == "area-point":
            look = {"marker": "h", "ms": 6, "mfc": "white", "mec": "black", "mew": 0.8}
        else:
            look = {"marker": "o", "ms": 4, "mfc": "black", "mec": "black", "mew": 0.8}
        ax.plot(px, py, ls="", zorder=6, transform=ax.transData, **look)
        labels.append(ax.annotate(places.name(loc), (px, py), xycoords=ax.transData, xytext=(4, 3),
                                  textcoords="offset points", fontsize=6.5, zorder=7, in_layout=False))
    ax.set_title("Routes: origin → stays → return (dashed: planned, never travelled)", loc="left")
    style.add_legend(fig.add_subplot(grid[1]), handles)
    style.add_note(fig, note)
    place_labels(fig, labels)
    return style.finish(fig)
