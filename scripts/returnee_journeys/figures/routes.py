"""Routes: each person's moves over Natural Earth outlines (README, "Routes", says what is drawn and
why), in three steps: `prepare` decides what is drawn and where each leg starts and ends (lon, lat);
`layout` chooses the projection and the frame from everything drawn; `render` draws it.

A leg is a great-circle path, bent a little so that legs between the same two places stay apart,
without an arrowhead where it leads into a transit stage (a waypoint). A group of countries is drawn
by its members' outlines where the data names them, else listed in the note with its rows. No
network is used: the outlines are the committed Natural Earth layer (see basemap/extract.py).
"""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field

import cartopy.crs as ccrs
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import PathCollection
from matplotlib.lines import Line2D
from matplotlib.patches import FancyArrowPatch, Patch
from matplotlib.path import Path
from pyproj import Geod
import shapely
from shapely.geometry import Point, shape

from ..model import journeys
from ..model import paths
from . import style

GEOD = Geod(ellps="WGS84")
PLATE = ccrs.PlateCarree()  # longitude and latitude (made once: each new CRS costs a millisecond)
LAND = {"facecolor": "#F2F2F2", "edgecolor": "#B0B0B0", "linewidth": 0.3}
NEIGHBOURS_M = 50_000  # a leg's two border ends this close (metres): the outlines touch
HIGHLIGHT = {"facecolor": "#FCEFC7", "edgecolor": "#9A7B1C", "linewidth": 0.8}
OFFSETS = [(4, 3, "left", "bottom"), (-4, 3, "right", "bottom"), (4, -3, "left", "top"), (-4, -3, "right", "top"),
           (0, 6, "center", "bottom"), (0, -6, "center", "top"), (9, 0, "left", "center"), (-9, 0, "right", "center")]
REGIONAL_DEGREES = 55.0  # everything drawn within this angle of its middle: a regional (azimuthal) map
MARGIN = 0.05            # of the frame's width and height, on each side of everything drawn
SPLIT_DEGREES = 1.0      # square degrees of a country on the far side of a world map's edge: split
WORLD_ASPECT = 0.42      # a world map's frame is at least this tall for its width (within the globe)
INSET_DEGREES = 20.0     # on a world map, places this close to a cluster's middle may get a detail inset
INSET_CROWDED = 0.2      # ... when they take less than this share of the map's width
INSET_WIDTH = 0.34       # the inset's width, as a share of the map's
BORDERS = ("Borders: Natural Earth 1:110m, as recognised internationally (Crimea is drawn as part of Ukraine); "
           "they imply no other position of this project.")
# Constrained layout nears the size of a map (an axes of fixed aspect) over repeated passes: a map is
# laid out in two, four with an inset (as many as the committed figures were drawn with).
LAYOUT_PASSES = {False: 2, True: 4}
DOMESTIC = {"lw": 0.8, "linestyle": (0, (1, 1.5))}  # a leg within the person's home country
CITY = {"marker": "o", "ms": 4, "mfc": "black", "mec": "black"}  # the marks of places drawn at a point
REGION = {"marker": "h", "ms": 6, "mfc": "white", "mec": "black"}
TRANSIT = {"marker": "o", "ms": 3.5, "mfc": "white", "mec": "#444444"}
# Where a leg to or from a country known only as a country never ends: generous boxes (west, south,
# east, north) around territory occupied or disputed near the places these journeys reach. Never
# drawn, only kept clear of leg ends: a box wider than the territory only moves an end along the border.
NO_END_ZONES = [
    ("Crimea (Ukraine, occupied by Russia since 2014)", (32.3, 44.2, 36.8, 46.3)),
    ("eastern Ukraine, occupied by Russia (Luhansk, Donetsk, Kharkiv)", (35.5, 46.5, 40.5, 50.3)),
    ("southern Ukraine, occupied by Russia (Zaporizhzhia, Kherson)", (32.3, 45.9, 37.5, 47.8)),
    ("Abkhazia (Georgia, occupied by Russia)", (39.9, 42.4, 42.2, 43.6)),
    ("South Ossetia (Georgia, occupied by Russia)", (43.3, 41.9, 44.6, 42.8)),
    ("Transnistria (Moldova, held by Russian-backed forces)", (28.4, 46.3, 30.2, 48.3)),
]


@functools.lru_cache(maxsize=1)
def countries() -> tuple:
    """(iso_a2, name, geometry) of every country in the bundled Natural Earth layer."""
    features = json.loads(paths.BASEMAP.read_text(encoding="utf-8"))["features"]
    return tuple((f["properties"].get("iso_a2") or "", f["properties"]["name"], shape(f["geometry"]))
                 for f in features)


def polygons_of(geometry) -> list:
    """The polygons of a geometry (a collection may also hold a sliver line left by rounding)."""
    return [p for p in shapely.get_parts(geometry) if p.geom_type == "Polygon"]


def angular_distance(lon, lat, centre) -> np.ndarray:
    """Great-circle angle in degrees from `centre` (lon, lat) to each point."""
    lon, lat = np.radians(np.asarray(lon, float)), np.radians(np.asarray(lat, float))
    c_lon, c_lat = np.radians(centre[0]), np.radians(centre[1])
    cosine = np.sin(lat) * np.sin(c_lat) + np.cos(lat) * np.cos(c_lat) * np.cos(lon - c_lon)
    return np.degrees(np.arccos(np.clip(cosine, -1, 1)))


def projected(projection, lonlat: np.ndarray) -> np.ndarray:
    """(x, y) in the projection of an array of (lon, lat)."""
    return projection.transform_points(PLATE, lonlat[:, 0], lonlat[:, 1])[:, :2]


def box_edge(box, n: int) -> tuple[np.ndarray, np.ndarray]:
    """x and y of n points along each side of a frame (x0, x1, y0, y1), anticlockwise from its lower left."""
    x0, x1, y0, y1 = box
    t = np.linspace(0, 1, n)
    return (np.concatenate([x0 + (x1 - x0) * t, np.full_like(t, x1), x1 - (x1 - x0) * t, np.full_like(t, x0)]),
            np.concatenate([np.full_like(t, y0), y0 + (y1 - y0) * t, np.full_like(t, y1), y1 - (y1 - y0) * t]))


def crosses_meridian(lon: np.ndarray, meridian):
    """Whether a path of longitudes (a ring or a line) crosses `meridian` (a step of over 180° measured
    from it means it went across); for an array of meridians, an array of answers."""
    meridians = np.atleast_1d(np.asarray(meridian, float))
    relative = np.mod(np.asarray(lon, float)[None, :] - meridians[:, None], 360.0)
    crossed = (np.abs(np.diff(relative, axis=1)) > 180).any(axis=1)
    return bool(crossed[0]) if np.ndim(meridian) == 0 else crossed


def outline(code) -> object | None:
    """The country's outline (all its polygons), or None where the layer has none at 1:110m."""
    return next((g for c, _, g in countries() if c and c == code), None)


def main_part(geometry):
    """The largest polygon (the mainland: legs never end at an exclave such as Kaliningrad)."""
    return max(polygons_of(geometry), key=lambda p: p.area)


def in_no_end_zone(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Whether each point lies in one of NO_END_ZONES (its edges included)."""
    return shapely.intersects_xy(shapely.union_all([shapely.box(*zone) for _, zone in NO_END_ZONES]), lon, lat)


def nearest_on_border(geometry, toward: tuple[float, float]) -> tuple[float, float]:
    """The vertex of the mainland's border nearest (on the ellipsoid) to a point, outside the territory
    occupied or disputed around it (NO_END_ZONES) wherever the border has a vertex elsewhere."""
    ring = np.asarray(main_part(geometry).exterior.coords)
    _, _, distance = GEOD.inv(np.full(len(ring), toward[0]), np.full(len(ring), toward[1]), ring[:, 0], ring[:, 1])
    excluded = in_no_end_zone(ring[:, 0], ring[:, 1])
    if not excluded.all():
        distance = np.where(excluded, np.inf, distance)
    lon, lat = ring[int(np.argmin(distance))]
    return float(lon), float(lat)


def great_circle_lonlat(a, b, points: int = 48) -> np.ndarray:
    """Longitudes and latitudes of the great circle from a to b, ends included."""
    return np.array([a, *GEOD.npts(a[0], a[1], b[0], b[1], points), b], dtype=float)


def great_circle(a, b, bend: float, projection) -> np.ndarray:
    """Projected points of the great circle from a to b, pushed sideways by `bend` (a share of the
    chord's length) at the middle, tapering to nothing at the ends."""
    xy = projected(projection, great_circle_lonlat(a, b))
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
        self.coordinates = {location: (float(lon), float(lat)) for location, lon, lat in zip(
            self.locations.index, self.locations["longitude"], self.locations["latitude"])}
        self.shapes = {}
        for location, row in self.locations.iterrows():
            if self.drawing[location] == "outline":
                self.shapes[location] = outline(row["country_code"])
        self.missing_outline = sorted(k for k, v in self.shapes.items() if v is None)

    def name(self, location) -> str:
        return self.locations.at[location, "name"]

    def country(self, location) -> str:
        code = self.locations.at[location, "country_code"]
        return code if isinstance(code, str) else ""

    def is_area(self, location) -> bool:
        return self.shapes.get(location) is not None

    def is_group(self, location) -> bool:
        return self.drawing.get(location) == "group"

    def is_region(self, location) -> bool:
        return self.drawing.get(location) == "area-point"

    def point(self, location) -> tuple[float, float]:
        return self.coordinates[location]

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


def home_countries(data: journeys.Journeys) -> dict[str, str]:
    """Each person's home country: the country of their origin (`Journeys.homes`)."""
    return {p: h for p, h in data.homes().items() if isinstance(h, str) and h}


@dataclass
class Leg:
    move: object                 # the row of `Journeys.moves()` the leg draws
    start: tuple[float, float]   # lon, lat
    end: tuple[float, float]
    domestic: bool               # both ends in the person's home country
    origin: str                  # the place the leg is drawn from (a region passed through is skipped)


@dataclass
class Plan:
    places: Places
    names: dict[str, str]               # person_id -> name in the source
    persons: list[str]                  # persons with a move, in lane order
    legs: list[Leg] = field(default_factory=list)
    neighbours: list[Leg] = field(default_factory=list)   # touching outlines: named, not drawn
    groups: list = field(default_factory=list)            # moves to or from a group of countries
    inside: list = field(default_factory=list)            # moves within the country they are coded to
    passed: list = field(default_factory=list)            # (move, region): regions passed through
    transit: set = field(default_factory=set)
    planned: bool = False
    named: list = field(default_factory=list)             # every place the moves name, groups aside

    @property
    def drawn(self) -> set:
        """Every place drawn: the ends of legs and neighbours, and the regions passed through."""
        ends = {loc for leg in self.legs + self.neighbours for loc in (leg.origin, leg.move.to_location)}
        return ends | {region for _, region in self.passed}

    @property
    def outlines(self) -> list:
        """The highlighted country outlines, by location id."""
        return [self.places.shapes[loc] for loc in sorted(self.drawn) if self.places.is_area(loc)]

    def marked(self) -> list[str]:
        """Places drawn at a point (cities, regions), in a stable order."""
        return [loc for loc in sorted(self.drawn) if not self.places.is_area(loc)]

    def paths(self) -> list[np.ndarray]:
        """Each leg's great-circle path, as (lon, lat)."""
        return [great_circle_lonlat(leg.start, leg.end) for leg in self.legs + self.neighbours]

    def points(self) -> list[np.ndarray]:
        return [np.array([self.places.point(loc)]) for loc in self.marked()]

    def rings(self) -> list[list[np.ndarray]]:
        """The outer rings of each highlighted outline, one list per country."""
        return [[np.asarray(p.exterior.coords) for p in polygons_of(g)] for g in self.outlines]

    def items(self) -> list[np.ndarray]:
        """Everything the frame must hold, as arrays of (lon, lat)."""
        return self.paths() + self.points() + [ring for rings in self.rings() for ring in rings]


def prepare(data: journeys.Journeys) -> Plan:
    """Decide, from the tables alone, which moves become legs and where each ends (lon, lat)."""
    places = Places(data)
    moves = data.moves()
    persons = journeys.lanes(data)
    home = home_countries(data)
    plan = Plan(places, journeys.person_names(persons),
                [p for p in persons["person_id"] if p in set(moves["person_id"])],
                transit=set(moves.loc[moves["waypoint"], "to_location"]), planned=not moves["realised"].all())
    skipped: dict[tuple[str, str], str] = {}  # (person, region passed through) -> the place drawn before it
    for move in moves.itertuples():
        a, b = skipped.get((move.person_id, move.from_location), move.from_location), move.to_location
        if a == b:
            continue
        if places.is_group(a) or places.is_group(b):
            plan.groups.append(move)
            continue
        if move.waypoint and move.realised and places.is_region(b) and not places.is_region(a):
            skipped[(move.person_id, b)] = a  # no route turns at a region's made-up centre
            plan.passed.append((move, b))
            continue
        if places.contains(a, b) or places.contains(b, a):
            plan.inside.append(move)
            continue
        start, end = places.ends(a, b)
        own = home.get(move.person_id)
        domestic = bool(own) and places.country(a) == places.country(b) == own
        leg = Leg(move, start, end, domestic, a)
        if places.is_area(a) and places.is_area(b) and GEOD.inv(*start, *end)[2] < NEIGHBOURS_M:
            plan.neighbours.append(leg)  # two outlines that touch: an arrow between them would have no length
            continue
        plan.legs.append(leg)
    plan.named = sorted(loc for loc in set(moves["from_location"]) | set(moves["to_location"])
                        if not places.is_group(loc))
    return plan


@dataclass
class Frame:
    projection: object
    box: tuple[float, float, float, float]  # x0, x1, y0, y1 in the projection
    world: bool                             # Equal Earth (places across continents), else regional
    caption: str
    inset: Frame | None = None            # a regional detail of crowded places, on a world map
    inset_bounds: tuple = ()                # where it sits on the map (axes fraction: x, y, width, height)
    inset_places: tuple = ()                # the places named in the inset rather than on the map

    @property
    def aspect(self) -> float:
        x0, x1, y0, y1 = self.box
        return (y1 - y0) / (x1 - x0)


def spherical_centre(lonlat: np.ndarray) -> tuple[float, float]:
    lon, lat = np.radians(lonlat[:, 0]), np.radians(lonlat[:, 1])
    vector = np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)]).mean(axis=1)
    return (float(np.degrees(np.arctan2(vector[1], vector[0]))),
            float(np.degrees(np.arctan2(vector[2], np.hypot(vector[0], vector[1])))))


def azimuthal(centre: tuple[float, float]):
    """A Lambert azimuthal equal-area projection centred on (lon, lat), to a tenth of a degree."""
    return ccrs.LambertAzimuthalEqualArea(central_longitude=round(centre[0], 1), central_latitude=round(centre[1], 1))


def split_area(rings: list[np.ndarray], cut):
    """How much of a country (square degrees, near enough to compare) a map edge at `cut` would put
    on the far side from the rest: 0 where the cut misses the smallest arc of longitude holding it.
    For an array of cuts, an array of answers."""
    cuts = np.atleast_1d(np.asarray(cut, float))
    lon = np.concatenate([r[:, 0] for r in rings]) % 360
    ordered = np.sort(np.unique(lon))
    gaps = np.diff(np.r_[ordered, ordered[0] + 360])
    start = ordered[(int(np.argmax(gaps)) + 1) % len(ordered)]  # the arc begins after its largest gap
    length = 360 - float(gaps.max())
    where = (cuts - start) % 360
    left = np.zeros(len(cuts))
    right = np.zeros(len(cuts))
    for ring in rings:
        area = 0.5 * abs(float(np.dot(ring[:-1, 0], ring[1:, 1]) - np.dot(ring[1:, 0], ring[:-1, 1])))
        share = (((ring[:, 0] - start) % 360)[None, :] < where[:, None]).mean(axis=1)
        left, right = left + area * share, right + area * (1 - share)
    out = np.where(where >= length, 0.0, np.minimum(left, right))
    return float(out[0]) if np.ndim(cut) == 0 else out


def world_meridian(paths_: list[np.ndarray], points: list[np.ndarray], rings: list[list[np.ndarray]]) -> float:
    """The central meridian for a world map. Its opposite, the map's edge, cuts as few legs and splits
    as few highlighted countries as it can (a country counts as split when over SPLIT_DEGREES² of it
    would lie on the far side), then splits as little of them as it can, then passes no place, then
    keeps as far from everything drawn as it can. Half degrees, so that reruns agree."""
    cuts = np.arange(-180.0, 180.0, 0.5)
    everything = np.concatenate([a[:, 0] for a in paths_ + points] + [r[:, 0] for rs in rings for r in rs])
    legs_cut = sum((crosses_meridian(p[:, 0], cuts) for p in paths_), np.zeros(len(cuts)))
    split = [split_area(r, cuts) for r in rings]
    countries_split = sum((a > SPLIT_DEGREES for a in split), np.zeros(len(cuts)))
    split_total = np.round(sum(split, np.zeros(len(cuts))), 1)
    near = sum((np.abs((p[0, 0] - cuts + 180) % 360 - 180) < 2 for p in points), np.zeros(len(cuts)))
    clearance = np.round(nearest_angle(everything, cuts), 3)
    order = np.lexsort((-clearance, near, split_total, legs_cut + countries_split))
    best = cuts[order[0]]
    return float((best + 360) % 360 - 180)


def nearest_angle(longitudes: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """Each cut's angle in degrees to the nearest of the longitudes: only the longitudes on either
    side of it in circular order are measured (a few, to be safe from rounding)."""
    lon = np.unique(longitudes)
    order = np.argsort(lon % 360, kind="stable")
    lon = lon[order]
    near = (np.searchsorted(lon % 360, cuts % 360)[:, None] + np.arange(-2, 2)) % len(lon)
    return np.min(np.abs((lon[near] - cuts[:, None] + 180) % 360 - 180), axis=1)


def padded(xy: np.ndarray, minimum: float = 0.0) -> tuple[float, float, float, float]:
    x0, y0 = xy.min(axis=0)
    x1, y1 = xy.max(axis=0)
    width, height = max(x1 - x0, minimum), max(y1 - y0, minimum * 2 / 3)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    width, height = width * (1 + 2 * MARGIN), height * (1 + 2 * MARGIN)
    return cx - width / 2, cx + width / 2, cy - height / 2, cy + height / 2


def extent(xy: np.ndarray, aspect_range=(0.45, 0.9)) -> tuple[float, float, float, float]:
    """A padded box around projected points, at least 1500 km across, of a bounded height:width (the
    box only ever grows to reach the bounds)."""
    x0, x1, y0, y1 = padded(xy, 1.5e6)
    width, height = x1 - x0, y1 - y0
    aspect = height / width
    if aspect < aspect_range[0]:
        height = width * aspect_range[0]
    elif aspect > aspect_range[1]:
        width = height / aspect_range[1]
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return cx - width / 2, cx + width / 2, cy - height / 2, cy + height / 2


def layout(plan: Plan) -> Frame:
    """The projection and frame: regional where everything lies within REGIONAL_DEGREES of its middle,
    else Equal Earth; the frame holds every item of the plan, with a margin."""
    items = plan.items() or [np.array([plan.places.reference(loc)]) for loc in plan.named] or [np.zeros((1, 2))]
    lonlat = np.concatenate(items)
    centre = spherical_centre(np.unique(lonlat.round(2), axis=0))
    if angular_distance(lonlat[:, 0], lonlat[:, 1], centre).max() <= REGIONAL_DEGREES:
        projection = azimuthal(centre)
        return Frame(projection, extent(projected(projection, lonlat)), False,
                     "Projection: Lambert azimuthal equal-area, centred on the places drawn (they lie in one region).")
    meridian = world_meridian(plan.paths(), plan.points(), plan.rings())
    projection = ccrs.EqualEarth(central_longitude=meridian)
    x0, x1, y0, y1 = padded(projected(projection, lonlat))
    (lx0, lx1), (ly0, ly1) = projection.x_limits, projection.y_limits
    x0, x1, y0, y1 = max(x0, lx0), min(x1, lx1), max(y0, ly0), min(y1, ly1)
    grow = max(0.0, WORLD_ASPECT * (x1 - x0) - (y1 - y0)) / 2
    box = (x0, x1, max(y0 - grow, ly0), min(y1 + grow, ly1))
    where = f"{abs(meridian):g}°{'E' if meridian >= 0 else 'W'}" if meridian else "0°"
    frame = Frame(projection, box, True,
                  f"Projection: Equal Earth, centred on {where} (the places drawn span continents).")
    return with_inset(plan, frame)


def crowded(plan: Plan) -> tuple[list[str], tuple[float, float] | None]:
    """The largest group of places drawn at a point within INSET_DEGREES of one of them (ties: the
    first in order), with the outlines whose middle lies there too, and that group's middle."""
    marked = plan.marked()
    if len(marked) < 3:
        return [], None
    points = np.array([plan.places.point(loc) for loc in marked])
    near = [angular_distance(points[:, 0], points[:, 1], p) <= INSET_DEGREES for p in points]
    best = int(np.argmax([n.sum() for n in near]))
    group = [loc for loc, inside in zip(marked, near[best]) if inside]
    if len(group) < 3:
        return [], None
    centre = spherical_centre(points[near[best]])
    areas = [loc for loc in sorted(plan.drawn) if plan.places.is_area(loc)
             and angular_distance(*plan.places.reference(loc), centre) <= INSET_DEGREES
             and np.ptp(np.asarray(main_part(plan.places.shapes[loc]).exterior.coords)[:, 0]) < INSET_DEGREES]
    return group + areas, centre


def with_inset(plan: Plan, frame: Frame) -> Frame:
    """The world frame with a detail inset of its most crowded places, where they are crowded (less
    than INSET_CROWDED of the map's width) and a corner of the map is free of anything drawn."""
    group, centre = crowded(plan)
    if not group:
        return frame
    x0, x1, y0, y1 = frame.box
    points = np.array([plan.places.point(loc) for loc in group if not plan.places.is_area(loc)])
    if np.ptp(projected(frame.projection, points)[:, 0]) >= INSET_CROWDED * (x1 - x0):
        return frame
    projection = azimuthal(centre)
    areas = [np.asarray(main_part(plan.places.shapes[loc]).exterior.coords)
             for loc in group if plan.places.is_area(loc)]
    lonlat = np.concatenate([points, *areas])
    inset = Frame(projection, extent(projected(projection, lonlat)), False, "")
    width = INSET_WIDTH
    height = width * inset.aspect / frame.aspect
    if height > 0.6:
        width, height = width * 0.6 / height, 0.6
    drawn = projected(frame.projection, np.concatenate(plan.items()))
    fx, fy = (drawn[:, 0] - x0) / (x1 - x0), (drawn[:, 1] - y0) / (y1 - y0)
    for cx, cy in ((1 - width - 0.01, 0.01), (0.01, 0.01), (1 - width - 0.01, 0.99 - height), (0.01, 0.99 - height)):
        if not ((fx >= cx - 0.02) & (fx <= cx + width + 0.02) & (fy >= cy - 0.02) & (fy <= cy + height + 0.02)).any():
            name = plan.places.name(min(group[:len(points)], key=lambda loc: float(
                angular_distance(*plan.places.point(loc), centre))))
            frame.caption += f" Inset: the places around {name}, in a Lambert azimuthal equal-area projection."
            frame.inset, frame.inset_bounds, frame.inset_places = inset, (cx, cy, width, height), tuple(group)
            return frame
    return frame


def outline_paths(geometries, projection, keep, exact):
    """Matplotlib paths of the geometries in the projection, the fast way (all vertices transformed at
    once), and the geometries left to cartopy's exact projection: `keep(lon, lat)` says whether a
    polygon is in view at all, `exact(lon, lat)` whether it would be cut (its rings cross the map's
    edge) and so needs cartopy."""
    rings, owners, exact_ones = [], [], []
    for number, geometry in enumerate(geometries):
        polygons = polygons_of(geometry)
        if not polygons:
            continue
        coords = [np.asarray(r.coords) for p in polygons for r in (p.exterior, *p.interiors)]
        flat = np.concatenate(coords)
        if not keep(flat[:, 0], flat[:, 1]):
            continue
        if any(exact(c[:, 0], c[:, 1]) for c in coords):
            exact_ones.append(geometry)
            continue
        rings += coords
        owners += [number] * len(coords)
    paths_ = []
    if rings:
        xy = projected(projection, np.concatenate(rings))
        bounds = np.cumsum([0] + [len(r) for r in rings])
        by_owner: dict[int, list] = {}
        for owner, start, stop in zip(owners, bounds[:-1], bounds[1:]):
            by_owner.setdefault(owner, []).append(xy[start:stop])
        for owner in sorted(by_owner):
            parts = by_owner[owner]
            codes = np.concatenate([[Path.MOVETO] + [Path.LINETO] * (len(part) - 2) + [Path.CLOSEPOLY]
                                    for part in parts])
            paths_.append(Path(np.concatenate(parts), codes))
    return paths_, exact_ones


def visible_angle(projection, box) -> float:
    """The largest angle from the projection's centre to a point of the map's edge (180 beyond the limb)."""
    lonlat = PLATE.transform_points(projection, *box_edge(box, 25))
    if not np.isfinite(lonlat[:, :2]).all():
        return 180.0
    centre = (projection.proj4_params["lon_0"], projection.proj4_params["lat_0"])
    return float(angular_distance(lonlat[:, 0], lonlat[:, 1], centre).max())


def add_outlines(ax, geometries, frame: Frame, look, zorder) -> None:
    projection = frame.projection
    if frame.world:  # a cylindrical-like world map: a ring is cut only where it crosses the opposite meridian
        edge = projection.proj4_params["lon_0"] + 180.0
        paths_, exact = outline_paths(geometries, projection, lambda lon, lat: True,
                                      lambda lon, lat: crosses_meridian(lon, edge))
    else:  # azimuthal: a polygon within 170° of the centre projects without cuts; one out of sight is skipped
        centre = (projection.proj4_params["lon_0"], projection.proj4_params["lat_0"])
        visible = visible_angle(projection, frame.box)
        paths_, exact = outline_paths(
            geometries, projection, lambda lon, lat: angular_distance(lon, lat, centre).min() <= visible + 5,
            lambda lon, lat: angular_distance(lon, lat, centre).max() >= 170)
    if paths_:
        ax.add_collection(PathCollection(paths_, facecolors=look["facecolor"], edgecolors=look["edgecolor"],
                                         linewidths=look["linewidth"], zorder=zorder, transform=ax.transData))
    if exact:
        ax.add_geometries(exact, PLATE, **look, zorder=zorder)


def unambiguous(box, points: np.ndarray, own: int) -> bool:
    """Whether a label's box is clearly nearer its own place (`points[own]`, in pixels) than every other
    place labelled: any other at least half as far again. A label beside a neighbour's marker names it."""
    away = np.hypot(np.clip(np.maximum(box.x0 - points[:, 0], points[:, 0] - box.x1), 0, None),
                    np.clip(np.maximum(box.y0 - points[:, 1], points[:, 1] - box.y1), 0, None))
    return bool((np.delete(away, own) > 1.5 * away[own]).all())


def place_labels(fig, labels: list, blocked=(), within=None) -> None:
    """Try each label at each offset around its point until it overlaps no text placed so far (nor a
    `blocked` box, such as an inset over the map), lies `within` a box (default: the canvas) and is
    `unambiguous`; a label that fits nowhere is hidden (its marker and the legend remain). The figure
    is drawn."""
    label_ids = {id(t) for t in labels}
    taken = [box for t, box in style.texts(fig, drawn=True) if id(t) not in label_ids] + list(blocked)
    renderer = fig.canvas.get_renderer()
    width, height = fig.canvas.get_width_height()
    gap = 2.0  # pixels kept free around a label
    x0, y0, x1, y1 = (0, 0, width, height) if within is None else (within.x0, within.y0, within.x1, within.y1)
    points = np.array([label.xycoords.transform(label.xy) for label in labels]).reshape(-1, 2)
    for i, label in enumerate(labels):
        for dx, dy, ha, va in OFFSETS:
            label.set_position((dx, dy))
            label.set_horizontalalignment(ha)
            label.set_verticalalignment(va)
            box = label.get_window_extent(renderer)
            inside = box.x0 >= x0 + gap and box.y0 >= y0 + gap and box.x1 <= x1 - gap and box.y1 <= y1 - gap
            if inside and unambiguous(box, points, i) and not any(
                    min(box.x1, b.x1) + gap > max(box.x0, b.x0) and min(box.y1, b.y1) + gap > max(box.y0, b.y0)
                    for b in taken):
                taken.append(box)
                break
        else:
            label.set_visible(False)


def legend_handles(plan: Plan, palette: style.Palette) -> list:
    places, drawn = plan.places, plan.drawn
    handles = [Line2D([], [], color=palette.colour("persons", p), lw=1.5, marker=palette.marker("persons", p) or None,
                      ms=4, label=plan.names[p]) for p in plan.persons]
    if plan.planned:
        handles.append(Line2D([], [], color="grey", lw=1.3, ls=(0, (3, 2)), label="planned leg, never travelled"))
    if any(leg.domestic for leg in plan.legs):
        handles.append(Line2D([], [], color="grey", lw=DOMESTIC["lw"], ls=DOMESTIC["linestyle"],
                              label="within the home country, not abroad"))
    if any(places.drawing[loc] == "point" for loc in drawn - plan.transit if not places.is_area(loc)):
        handles.append(Line2D([], [], ls="", **CITY, label="city"))
    if any(places.is_region(loc) for loc in drawn):
        handles.append(Line2D([], [], ls="", **REGION, label="region: approximate point (none of its own)"))
    if any(places.is_area(loc) for loc in drawn):
        handles.append(Patch(**HIGHLIGHT, label="known only as a country: its outline"))
    if any(places.drawing[loc] == "point" for loc in drawn & plan.transit):
        handles.append(Line2D([], [], ls="", **TRANSIT, label="transit: waypoint (no arrowhead)"))
    return handles


def notes(plan: Plan, frame: Frame) -> list[str]:
    places, names = plan.places, plan.names
    groups = sorted({loc for m in plan.groups for loc in (m.from_location, m.to_location) if places.is_group(loc)})

    def rows(moves, place) -> str:
        return style.listing([
            f"{names[p]} (" + ", ".join(f"stages/{m.stage_id}" for m in moves
                                        if m.person_id == p and place in (m.from_location, m.to_location)) + ")"
            for p in dict.fromkeys(m.person_id for m in moves if place in (m.from_location, m.to_location))])

    return [
        style.unplaced_note("Not on the map, a group of countries whose members the data does not name",
                            [f"{places.name(g)}: {rows(plan.groups, g)}" for g in groups]),
        style.unplaced_note("Passed through, a region with no point of its own (the route is drawn straight on)",
                            [f"{places.name(region)}: {names[m.person_id]} (stages/{m.stage_id})"
                             for m, region in plan.passed]),
        style.unplaced_note("Not drawn, a move within the country it is coded to",
                            [f"{names[m.person_id]} (stages/{m.stage_id})" for m in plan.inside]),
        style.unplaced_note("Not drawn, a move between neighbouring countries known only by their outlines",
                            [f"{names[leg.move.person_id]}: {places.name(leg.origin)} to "
                             f"{places.name(leg.move.to_location)} (stages/{leg.move.stage_id})"
                             for leg in plan.neighbours]),
        style.unplaced_note("Drawn at their coordinates, no outline at 1:110m",
                            [f"{places.name(loc)} (locations/{loc})" for loc in places.missing_outline
                             if loc in plan.drawn]),
        frame.caption + " " + BORDERS,
    ]


def pieces(xy: np.ndarray, frame: Frame) -> list[np.ndarray]:
    """A projected path in the pieces a world map's edge leaves of it (one piece where it is not cut)."""
    if not frame.world:
        return [xy]
    width = frame.projection.x_limits[1] - frame.projection.x_limits[0]
    jumps = np.flatnonzero(np.abs(np.diff(xy[:, 0])) > width / 2) + 1
    return [part for part in np.split(xy, jumps) if len(part) > 1]


def bent_path(leg: Leg, bend: float, frame: Frame, globe) -> list[np.ndarray]:
    """The leg's projected pieces, bent by `bend` where the bent path stays on the map (inside the
    frame and, on a world map, on the `globe`), else bent less, else straight along its great circle."""
    x0, x1, y0, y1 = frame.box
    straight = pieces(great_circle(leg.start, leg.end, 0.0, frame.projection), frame)
    if len(straight) > 1:
        return straight  # cut by the edge: no bend across it
    for share in (1.0, 0.5, 0.25):
        path = great_circle(leg.start, leg.end, bend * share, frame.projection)
        inside = ((path[:, 0] >= x0) & (path[:, 0] <= x1) & (path[:, 1] >= y0) & (path[:, 1] <= y1)).all()
        if inside and (not frame.world or shapely.contains_xy(globe, path[1:-1, 0], path[1:-1, 1]).all()):
            return [path]
    return straight


def draw_legs(ax, plan: Plan, frame: Frame, palette: style.Palette) -> None:
    travelled: dict[tuple, int] = {}
    globe = frame.projection.domain.buffer(-1.0) if frame.world else None
    for leg in plan.legs:
        move = leg.move
        pair = tuple(sorted((leg.origin, move.to_location)))
        k = travelled.get(pair, 0)
        travelled[pair] = k + 1
        side = 1 if (leg.origin, move.to_location) == pair else -1
        bend = side * (0.08 + 0.05 * (k // 2)) * (1 if k % 2 == 0 else -1)
        parts = bent_path(leg, bend, frame, globe)
        colour = palette.colour("persons", move.person_id)
        line = DOMESTIC if leg.domestic else {"lw": 1.2, "linestyle": "-"}
        if not move.realised:
            line = {**line, "linestyle": (0, (3, 2))}
        for number, part in enumerate(parts):
            last = number == len(parts) - 1
            ax.add_patch(FancyArrowPatch(path=Path(part), arrowstyle="-|>" if last and not move.waypoint else "-",
                                         mutation_scale=7, color=colour, alpha=0.9, zorder=4,
                                         transform=ax.transData, **line))
        marker = palette.marker("persons", move.person_id)
        if marker:
            longest = max(parts, key=len)
            ax.plot(*longest[len(longest) // 2], marker=marker, ms=3.5, color=colour, ls="", zorder=5,
                    transform=ax.transData)


def draw_places(ax, plan: Plan, frame: Frame, named) -> list:
    """Markers of point places and the labels of the places drawn (`named`: of these only), placed later."""
    places, projection = plan.places, frame.projection
    x0, x1, y0, y1 = frame.box
    named = set(named)
    labels = []
    for loc in sorted(plan.drawn):
        if places.is_area(loc):
            if loc not in named:
                continue
            anchor = main_part(places.shapes[loc]).representative_point()
            px, py = projection.transform_point(anchor.x, anchor.y, PLATE)
            if not (x0 <= px <= x1 and y0 <= py <= y1):  # its middle is off the map: name it at a leg's end
                lon, lat = next((leg.start if leg.origin == loc else leg.end for leg in plan.legs
                                 if loc in (leg.origin, leg.move.to_location)), (anchor.x, anchor.y))
                px, py = projection.transform_point(lon, lat, PLATE)
            labels.append(ax.annotate(places.name(loc), (px, py), xycoords=ax.transData, xytext=(4, 3),
                                      textcoords="offset points", fontsize=6.5, style="italic", zorder=6,
                                      color="#6B5412", in_layout=False))
            continue
        lon, lat = places.point(loc)
        px, py = projection.transform_point(lon, lat, PLATE)
        look = REGION if places.is_region(loc) else TRANSIT if loc in plan.transit else CITY
        ax.plot(px, py, ls="", mew=0.8, zorder=6, transform=ax.transData, **look)
        if loc not in named:
            continue
        name = places.name(loc) + (" (approx.)" if places.is_region(loc) else "")
        labels.append(ax.annotate(name, (px, py), xycoords=ax.transData, xytext=(4, 3),
                                  textcoords="offset points", fontsize=6.5, zorder=7, in_layout=False))
    return labels


def draw_map(ax, plan: Plan, frame: Frame, palette: style.Palette) -> None:
    """The frame's land, the highlighted outlines and the legs."""
    ax.set_extent(frame.box, crs=frame.projection)
    add_outlines(ax, [g for _, _, g in countries()], frame, LAND, zorder=1)
    add_outlines(ax, plan.outlines, frame, HIGHLIGHT, zorder=2)
    draw_legs(ax, plan, frame, palette)


def render(data: journeys.Journeys, plan: Plan, frame: Frame, palette: style.Palette):
    handles = legend_handles(plan, palette)
    note = style.wrap_note(style.note_parts(data, ["stages", "locations", "persons"], notes(plan, frame)))
    _, lines = style.legend_shape([h.get_label() for h in handles])
    map_height = min(6.2, max(1.6, (style.WIDTH - 0.3) * frame.aspect))
    fig = plt.figure(figsize=(style.WIDTH, map_height + 0.45 + style.legend_height(lines) + style.note_height(note)),
                     layout="constrained")
    grid = fig.add_gridspec(2, 1, height_ratios=[map_height, max(style.legend_height(lines), 0.05)])
    ax = fig.add_subplot(grid[0], projection=frame.projection)
    draw_map(ax, plan, frame, palette)
    labels = draw_places(ax, plan, frame, set(plan.drawn) - set(frame.inset_places))
    ax.set_title("Routes: origin → stays → return (dashed: planned, never travelled)", loc="left")
    style.add_legend(fig.add_subplot(grid[1]), handles)
    style.add_note(fig, note)
    detail = draw_inset(ax, plan, frame, palette) if frame.inset is not None else None
    details = draw_places(detail, plan, frame.inset, frame.inset_places) if detail else []
    for label in details:
        label.set_visible(False)  # placed second, inside the inset
    style.finish(fig, passes=LAYOUT_PASSES[detail is not None])  # labels take no part in the layout
    fig.draw_without_rendering()
    place_labels(fig, labels, blocked=[detail.get_window_extent()] if detail else [])
    for label in details:
        label.set_visible(True)
    if detail:
        place_labels(fig, details, within=detail.get_window_extent())
    return fig


def draw_inset(ax, plan: Plan, frame: Frame, palette: style.Palette):
    """The detail inset in its corner of the map, and a frame on the map around the area it shows."""
    inset = frame.inset
    detail = ax.inset_axes(list(frame.inset_bounds), projection=inset.projection, zorder=8)
    detail.set_anchor("SE" if frame.inset_bounds[0] > 0.5 and frame.inset_bounds[1] < 0.5 else
                      "SW" if frame.inset_bounds[1] < 0.5 else "NE" if frame.inset_bounds[0] > 0.5 else "NW")
    draw_map(detail, plan, inset, palette)
    detail.set_facecolor("white")
    edge = PLATE.transform_points(inset.projection, *box_edge(inset.box, 20))
    on_map = projected(frame.projection, edge)
    ax.plot(*np.vstack([on_map, on_map[:1]]).T, color="#666666", lw=0.6, zorder=7, transform=ax.transData)
    return detail


def draw(data: journeys.Journeys, palette: style.Palette | None = None):
    plan = prepare(data)
    return render(data, plan, layout(plan), style.palette_for(data, palette))
