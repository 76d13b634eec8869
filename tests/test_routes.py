"""The routes map: `prepare` decides legs from the tables (unit-tested here without drawing), `layout`
frames everything drawn, and the drawn map holds every place, leg and highlighted outline whole
(the fixture and synthetic journeys in one region, across three continents, and to a large country
known only as a country). Borders are drawn as recognised internationally."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.path import Path
from shapely.geometry import Point

from returnee_journeys.figures import routes
from returnee_journeys.model import journeys

pytestmark = pytest.mark.xdist_group("routes")  # one worker builds its module fixtures

# One person's stages per scenario: (stage_type, location_id), on the synthetic package's places.
SCENARIOS = {
    "one-region": [("origin", "moscow"), ("transit", "north-ossetia"), ("abroad", "tbilisi"), ("abroad", "yerevan"),
                   ("transit", "vladikavkaz"), ("return", "moscow")],
    "three-continents": [("origin", "moscow"), ("abroad", "buenos-aires"), ("abroad", "bangkok"),
                         ("planned", "united-states"), ("return", "moscow")],
    "large-country": [("origin", "saint-petersburg"), ("abroad", "istanbul"), ("abroad", "united-states"),
                      ("return", "russia")],
    "crowded-world": [("origin", "moscow"), ("abroad", "riga"), ("abroad", "helsinki"), ("abroad", "berlin"),
                      ("abroad", "buenos-aires"), ("temporary-return", "moscow"), ("abroad", "bangkok"),
                      ("return", "moscow")],
}
CRIMEA = Point(34.1, 45.2)
INSETS: dict = {}
LABELS: dict = {}


def journey(data: journeys.Journeys, stages: list[tuple[str, str]]) -> journeys.Journeys:
    """The package with one person only, whose stages are `stages` (the tables as the model reads them)."""
    tables = {k: v.copy() for k, v in data.tables.items()}
    person = tables["persons"].iloc[[0]]
    pid = person["person_id"].iloc[0]
    template = tables["stages"][tables["stages"]["person_id"] == pid].iloc[[0]]
    rows = pd.concat([template] * len(stages), ignore_index=True).assign(
        seq=range(1, len(stages) + 1), stage_type=[t for t, _ in stages], location_id=[loc for _, loc in stages],
        stage_id=[f"{pid}-{i + 1:02d}" for i in range(len(stages))])
    tables["persons"], tables["stages"] = person, rows
    return journeys.Journeys(data.descriptor, tables)


@pytest.fixture(scope="module")
def synthetic(synthetic_package):
    return journeys.read(synthetic_package(4, seed=4))


@pytest.fixture(scope="module")
def scenarios(synthetic):
    return {name: journey(synthetic, stages) for name, stages in SCENARIOS.items()}


@pytest.fixture(scope="module")
def maps(scenarios, fixture_package):
    """Each scenario and the fixture, drawn once: (plan, extent, projection, note, drawn legs' vertices),
    and INSETS: the scenario's inset axes with the window extents of its visible labels, where it has one."""
    out = {}
    INSETS.clear()
    for name, data in {**scenarios, "fixture": journeys.read(fixture_package / "datapackage.json")}.items():
        fig = routes.draw(data)
        ax = fig.axes[0]
        if ax.child_axes:
            detail = ax.child_axes[0]
            INSETS[name] = (routes.layout(routes.prepare(data)), ax, detail.get_window_extent(),
                            [t.get_window_extent() for t in detail.texts if t.get_visible() and t.get_text()])
        LABELS[name] = [t for axes in (ax, *ax.child_axes) for t in axes.texts if t.get_text()]
        legs = [path.vertices if path.codes is None else path.vertices[path.codes != Path.CLOSEPOLY]
                for path in (patch.get_path() for patch in ax.patches)]  # a closing vertex is not drawn
        out[name] = (routes.prepare(data), ax.get_extent(), ax.projection, fig._supxlabel.get_text().replace("\n", " "),
                     legs)
        plt.close(fig)
    return out


def inside(projection, extent, lonlat: np.ndarray, tolerance: float = 1.0) -> bool:
    xy = projection.transform_points(routes.ccrs.PlateCarree(), lonlat[:, 0], lonlat[:, 1])[:, :2]
    x0, x1, y0, y1 = extent
    return bool(np.isfinite(xy).all() and (xy[:, 0] >= x0 - tolerance).all() and (xy[:, 0] <= x1 + tolerance).all()
                and (xy[:, 1] >= y0 - tolerance).all() and (xy[:, 1] <= y1 + tolerance).all())


@pytest.mark.parametrize("name", [*SCENARIOS, "fixture"])
def test_every_outline_place_and_leg_lies_whole_inside_the_map(maps, name):
    plan, extent, projection, _, drawn = maps[name]
    assert plan.legs and drawn
    for geometry in plan.outlines:
        for polygon in routes.polygons_of(geometry):
            assert inside(projection, extent, np.asarray(polygon.exterior.coords)), (name, polygon.bounds)
    for lonlat in plan.points() + plan.paths():
        assert inside(projection, extent, lonlat), name
    x0, x1, y0, y1 = extent
    for xy in drawn:  # as drawn, bent: still on the map
        assert ((xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)).all(), name


@pytest.mark.parametrize("name", [*SCENARIOS, "fixture"])
def test_each_place_label_is_clearly_nearer_its_own_place_than_any_other(maps, name):
    """North Ossetia and Vladikavkaz (one-region) are a few pixels apart: a label set beside the other's
    marker names the wrong place. Any other place labelled is at least half as far again from the label."""
    labels = LABELS[name]
    for axes_labels in ([t for t in labels if t.axes is a] for a in {t.axes for t in labels}):
        points = np.array([t.xycoords.transform(t.xy) for t in axes_labels])
        for i, label in enumerate(axes_labels):
            if label.get_visible():
                box = label.get_window_extent()
                gaps = np.hypot(np.clip(np.maximum(box.x0 - points[:, 0], points[:, 0] - box.x1), 0, None),
                                np.clip(np.maximum(box.y0 - points[:, 1], points[:, 1] - box.y1), 0, None))
                near = [axes_labels[j].get_text() for j in np.flatnonzero(gaps <= 1.5 * gaps[i]) if j != i]
                assert near == [], f"{label.get_text()} is beside {near}"


def test_the_projection_follows_the_extent_and_the_note_names_it(maps):
    assert maps["one-region"][2].proj4_params["proj"] == "laea"
    assert "Lambert azimuthal equal-area" in maps["one-region"][3]
    assert maps["three-continents"][2].proj4_params["proj"] == "eqearth"
    assert "Equal Earth" in maps["three-continents"][3]
    for *_, note, _ in maps.values():
        assert "as recognised internationally (Crimea is drawn as part of Ukraine)" in note


def test_crowded_places_on_a_world_map_get_an_inset_over_an_empty_corner(maps):
    assert "crowded-world" in INSETS and "one-region" not in INSETS  # a regional map needs none
    for name, (frame, ax, box, labels) in INSETS.items():
        assert frame.world and frame.inset is not None and "Inset: the places around" in maps[name][3]
        assert len(labels) >= 2 and all(box.x0 <= b.x0 and b.x1 <= box.x1 and box.y0 <= b.y0 and b.y1 <= box.y1
                                        for b in labels), name
        lonlat = np.concatenate(maps[name][0].items())
        xy = ax.transData.transform(ax.projection.transform_points(routes.ccrs.PlateCarree(), lonlat[:, 0],
                                                                   lonlat[:, 1])[:, :2])
        covered = (xy[:, 0] > box.x0) & (xy[:, 0] < box.x1) & (xy[:, 1] > box.y0) & (xy[:, 1] < box.y1)
        assert not covered.any(), name  # nothing drawn on the map lies under the inset


def test_a_large_country_is_whole_not_cut_to_the_cities(maps):
    plan = maps["large-country"][0]
    large = {plan.places.name(loc) for loc in plan.drawn if plan.places.is_area(loc)}
    assert large == {"Russia", "United States"}  # Alaska, Hawaii and Chukotka included: the test above checks


def test_a_region_passed_through_is_no_turn_of_a_route(scenarios):
    plan = routes.prepare(scenarios["one-region"])
    assert [region for _, region in plan.passed] == ["north-ossetia"]
    ends = {(leg.origin, leg.move.to_location) for leg in plan.legs}
    assert ("moscow", "tbilisi") in ends  # drawn straight on past the region
    assert not any("north-ossetia" in pair for pair in ends)
    assert "north-ossetia" in plan.drawn  # still marked, as approximate
    two = routes.prepare(journey(scenarios["one-region"], [("origin", "moscow"), ("transit", "north-ossetia"),
                                                           ("transit", "antalya-province"), ("abroad", "tbilisi")]))
    assert [(leg.origin, leg.move.to_location) for leg in two.legs] == [("moscow", "tbilisi")]
    assert [region for _, region in two.passed] == ["north-ossetia", "antalya-province"]


def test_a_leg_within_the_home_country_is_not_drawn_as_abroad(scenarios):
    plan = routes.prepare(scenarios["one-region"])
    domestic = {(leg.origin, leg.move.to_location) for leg in plan.legs if leg.domestic}
    assert domestic == {("vladikavkaz", "moscow")}


def test_the_home_country_is_the_persons_own(scenarios):
    """Home is the country of the person's origin: a person from Georgia has no leg at home in Russia."""
    data = scenarios["one-region"]
    persons = data.table("persons").assign(origin_location_id="tbilisi")
    plan = routes.prepare(journeys.Journeys(data.descriptor, {**data.tables, "persons": persons}))
    assert {(leg.origin, leg.move.to_location) for leg in plan.legs if leg.domestic} == set()
    assert routes.home_countries(data) == {data.table("persons")["person_id"].iloc[0]: "RU"}


def test_crimea_is_ukraine_and_a_return_to_russia_ends_in_russia(scenarios):
    assert routes.outline("UA").contains(CRIMEA) and not routes.outline("RU").contains(CRIMEA)
    data = journey(scenarios["large-country"], [("origin", "moscow"), ("abroad", "istanbul"), ("return", "russia")])
    plan = routes.prepare(data)
    (leg,) = [leg for leg in plan.legs if leg.move.to_location == "russia"]
    russia = routes.main_part(routes.outline("RU"))
    assert russia.exterior.distance(Point(leg.end)) < 1e-9
    assert not routes.outline("UA").buffer(0.01).contains(Point(leg.end))


@pytest.mark.parametrize("country", ["georgia", "russia"])
def test_a_leg_to_a_country_never_ends_in_occupied_territory(scenarios, country):
    data = journey(scenarios["one-region"], [("origin", "moscow"), ("abroad", "istanbul"), ("abroad", "yerevan"),
                                             ("abroad", country), ("return", "moscow")])
    ends = [point for leg in routes.prepare(data).legs for point in (leg.start, leg.end)
            if country in (leg.origin, leg.move.to_location)]
    assert ends
    lon, lat = np.array(ends).T
    assert not routes.in_no_end_zone(lon, lat).any()
    # without the zones, the nearest vertex of Georgia's border to Moscow would be in them
    if country == "georgia":
        ring = np.asarray(routes.main_part(routes.outline("GE")).exterior.coords)
        _, _, distance = routes.GEOD.inv(np.full(len(ring), 37.62), np.full(len(ring), 55.75), ring[:, 0], ring[:, 1])
        assert routes.in_no_end_zone(*ring[[int(np.argmin(distance))]].T).all()


def test_the_world_meridian_cuts_no_leg_and_splits_no_country():
    atlantic = routes.great_circle_lonlat((37.6, 55.8), (-58.4, -34.6))
    pacific = routes.great_circle_lonlat((100.5, 13.8), (-118.2, 34.1))
    rings = [[np.asarray(p.exterior.coords) for p in routes.polygons_of(routes.outline(c))] for c in ("US", "RU")]
    meridian = routes.world_meridian([atlantic], [], rings)
    edge = meridian + 180
    assert not routes.crosses_meridian(atlantic[:, 0], edge)
    assert sum(routes.split_area(r, edge) for r in rings) < 5  # at most a small island on the far side
    assert routes.crosses_meridian(pacific[:, 0], 180.0) and not routes.crosses_meridian(pacific[:, 0], 0.0)
