"""The figures hold for any set of journeys: they draw synthetic packages of 4, 6, 12 and 30 persons
with no text over other text and nothing clipped, grow with their content, keep every colour when
a person or place is added and name what they cannot place (that the committed figures are what the
real data draws is checked in test_real_package.py, with `inspect` and `outlines_cut` from here). Each figure is drawn once per size (module-scoped) and the results are inspected."""
from __future__ import annotations

import ast
import shutil
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.patches import Patch
from shapely.geometry import Point

from returnee_journeys import figures
from returnee_journeys.context import Context
from returnee_journeys.figures import factors, routes, style
from returnee_journeys.model import journeys

pytestmark = pytest.mark.xdist_group("figures")  # one worker builds its module fixtures

SIZES = (4, 6, 12, 30)
FIGURE_DIR = Path(figures.__file__).parent


@dataclass
class Drawn:
    overlaps: list
    outside: list
    size: tuple
    texts: list[str]
    legend: dict          # legend label -> face or line colour
    note: str
    open_marks: set       # (x, y) of the "open" marks on the first axes
    xlim: tuple
    map_view: tuple | None  # a map's (extent, projection parameters)


def legend_colours(fig) -> dict:
    """Legend label -> colour of its handle, for every legend of the figure (no layout needed)."""
    legend = {}
    for ax in fig.axes:
        if ax.get_legend():
            for handle, text in zip(ax.get_legend().legend_handles, ax.get_legend().get_texts()):
                colour = handle.get_facecolor() if isinstance(handle, Patch) else handle.get_color()
                legend[text.get_text().replace("\n", " ")] = tuple(np.round(plt.matplotlib.colors.to_rgba(colour), 3))
    return legend


def drawn_alone(package, name: str) -> Drawn:
    """What figure `name` of the package shows, drawn on its own with the package's palette."""
    data = journeys.read(package / "datapackage.json")
    fig = figures.FIGURES[name].draw(data, style.Palette.load(None).extended(data))
    try:
        return inspect(fig)
    finally:
        plt.close(fig)


def inspect(fig) -> Drawn:
    found = style.texts(fig)
    ax = fig.axes[0]
    marks = {(round(float(np.asarray(line.get_xdata())[0]), 3), float(np.asarray(line.get_ydata())[0]))
             for line in ax.get_lines() if line.get_marker() == style.OPEN_MARK["marker"]}
    return Drawn(style.overlaps(fig, found=found), style.outside(fig, found=found), tuple(fig.get_size_inches()),
                 [t.get_text() for t, _ in found], legend_colours(fig),
                 fig._supxlabel.get_text() if fig._supxlabel else "", marks, tuple(ax.get_xlim()),
                 (tuple(ax.get_extent()), dict(ax.projection.proj4_params)) if hasattr(ax, "projection") else None)


@pytest.fixture(scope="module")
def packages(synthetic_package):
    return {n: synthetic_package(n, seed=n) for n in SIZES}


@pytest.fixture(scope="module")
def data(packages):
    return {n: journeys.read(path) for n, path in packages.items()}


# What each size adds: lanes and legends that grow (every figure), factor panels (6 persons and more),
# a wider matrix and second colour channels (12 and more); the map and the durations at the two
# ends. The estimates do not depend on the persons: the committed figures check them.
DRAWN = {4: ["durations", "factors", "routes", "timeline"], 6: ["factors", "sequences", "timeline"],
         12: ["factors", "timeline"], 30: ["durations", "factors", "routes", "sequences", "timeline"]}
ADDED = 4  # the size a person and a place are added to (the colours test); its figures before are drawn[(4, ...)]
KEEP_COLOURS = ("timeline", "routes", "durations")  # the figures whose legends must keep their colours


def drawn_at(data: dict, n: int) -> dict:
    """Draw and inspect the figures DRAWN[n] of the synthetic package of n persons, each with the
    palette a fresh folder gives it (the committed slots left aside)."""
    package = data[n]
    palette = style.Palette.load(None).extended(package)
    out = {}
    for name in DRAWN[n]:
        fig = figures.FIGURES[name].draw(package, palette)
        out[(n, name)] = inspect(fig)
        plt.close(fig)
    return out


def drawn_with_a_person_added(data: dict, n: int, folder: Path) -> dict:
    """As `make figures` would redraw the package of n persons after a person and a place are added
    to it: the palette kept in `folder` from the first drawing, extended; the legends of KEEP_COLOURS."""
    before = data[n]
    after = added_person(before)
    first = style.Palette.load(None).extended(before)  # the palette drawn[(n, ...)] were drawn with
    first.save(folder / style.PALETTE_FILE)
    second = style.Palette.for_output(folder).extended(after)
    legends = {}
    for name in KEEP_COLOURS:
        fig = figures.FIGURES[name].draw(after, second)
        legends[name] = legend_colours(fig)
        plt.close(fig)
    return {"first": first.slots, "second": second.slots, "legends": legends}


def outlines_cut(plan, ax) -> list:
    """The bounds of every polygon of a highlighted outline that reaches beyond the map's frame."""
    x0, x1, y0, y1 = ax.get_extent()
    cut = []
    for geometry in plan.outlines:
        for polygon in routes.polygons_of(geometry):
            lonlat = np.asarray(polygon.exterior.coords)
            xy = ax.projection.transform_points(routes.ccrs.PlateCarree(), lonlat[:, 0], lonlat[:, 1])
            if not ((xy[:, 0] >= x0 - 1) & (xy[:, 0] <= x1 + 1) & (xy[:, 1] >= y0 - 1) & (xy[:, 1] <= y1 + 1)).all():
                cut.append(polygon.bounds)
    return cut


@pytest.fixture(scope="module")
def drawings(data, tmp_path_factory):
    """Every figure at the sizes in DRAWN, and the package of ADDED persons with one more. Drawn in
    this process, not a forked pool: forking a process that runs Arrow's threads risks a deadlock
    (Python 3.12 warns of it), and under `make test` the other worker keeps the second core busy."""
    results = {"added": drawn_with_a_person_added(data, ADDED, tmp_path_factory.mktemp("added"))}
    for n in DRAWN:
        results.update(drawn_at(data, n))
    return results


@pytest.fixture(scope="module")
def drawn(drawings):
    return {key: value for key, value in drawings.items() if isinstance(key, tuple)}


@pytest.mark.parametrize("n", SIZES)
def test_no_text_overlaps_other_text_and_nothing_is_clipped(drawn, n):
    assert [name for name in DRAWN[n] if (n, name) in drawn] == DRAWN[n]
    for name in DRAWN[n]:
        assert drawn[(n, name)].overlaps == [], f"{name} at {n} persons: overlapping texts"
        assert drawn[(n, name)].outside == [], f"{name} at {n} persons: text beyond the canvas"


def test_figures_grow_with_their_content_within_bounds(drawn):
    for name in ("timeline", "factors"):
        heights = [drawn[(n, name)].size[1] for n in SIZES]
        assert heights == sorted(heights) and heights[-1] > heights[0] * 1.5, (name, heights)
    for (n, name), result in drawn.items():
        assert result.size[1] <= max(style.MAX_HEIGHT, factors.TALLEST), (name, n, result.size)


def test_every_person_has_a_lane_and_a_legend_entry(data, drawn):
    for n, package in data.items():
        names = set(package.table("persons")["name_in_source"])
        lanes = {t.split(" (")[0] for t in drawn[(n, "timeline")].texts}
        assert names <= lanes
        if (n, "sequences") in drawn:
            assert names <= set(drawn[(n, "sequences")].texts)
        if (n, "routes") in drawn:
            placed = set(package.table("stages")["person_id"])
            assert {package.table("persons").set_index("person_id").at[p, "name_in_source"] for p in placed} <= set(
                drawn[(n, "routes")].legend)


def test_the_source_note_spells_outlets_as_they_do_and_lists_them(data, drawn):
    note = drawn[(30, "timeline")].note.replace("\n", " ")
    outlets = sorted(data[30].table("sources")["outlet"].unique(), key=str.casefold)
    assert "texts in " + ", ".join(outlets[:-1]) + " and " + outlets[-1] + "." in note
    assert "AFP" in note and "Afp" not in note
    assert style.listing(["A"]) == "A" and style.listing(["A", "B", "C"]) == "A, B and C"


def test_the_note_says_when_a_text_is_coded_from_a_reworded_copy(drawn):
    note = drawn[(4, "factors")].note.replace("\n", " ")
    assert "The Al Jazeera text is coded from a copy (copy.example.net) that rewords Al Jazeera's own" in note
    assert "the copy's wording" in note


def test_an_undated_event_is_named_in_the_note_not_drawn(data, drawn):
    events = data[4].table("events")
    undated = events[events["date_lower"].isna() & events["date_upper"].isna()]
    assert len(undated)
    result = drawn[(4, "timeline")]
    for event in undated.itertuples():
        assert f"{event.label} (events/{event.event_id})" in result.note.replace("\n", " ")
        assert not any(t.startswith(event.label + ",") for t in result.texts)
    dated = events.drop(undated.index)
    assert all(any(t.startswith(label + ",") for t in result.texts) for label in dated["label"])


def test_an_open_return_with_no_known_date_runs_to_the_edge_with_an_open_mark(data, drawn):
    data = data[30]
    censor = data.censoring()
    open_people = censor.loc[censor["censor"] == 2, "person_id"]
    assert len(open_people)
    result = drawn[(30, "timeline")]
    lanes = dict(zip(journeys.lanes(data)["person_id"], journeys.lanes(data)["y"]))
    assert result.open_marks == {(round(result.xlim[1], 3), lanes[p]) for p in open_people}
    note = result.note.replace("\n", " ")
    for person in open_people:
        assert f"stages/{censor.set_index('person_id').at[person, 'stage_id']}" in note
    months = data.months()
    horizon = data.horizon()
    assert (months[months["person_id"].isin(open_people)].groupby("person_id")["month"].max() == horizon).all()
    sequences = drawn[(30, "sequences")]
    assert len(sequences.open_marks) == len(open_people)


def added_person(data: journeys.Journeys) -> journeys.Journeys:
    """The same package with one more person, whose id sorts first, in a country not used before."""
    tables = {k: v.copy() for k, v in data.tables.items()}
    donor = tables["persons"]["person_id"].iloc[-1]
    new = "a00000"
    for name, column in (("persons", "person_id"), ("stages", "person_id")):
        rows = tables[name][tables[name][column] == donor].copy()
        rows[column] = new
        if name == "persons":
            rows["name_in_source"] = "Person added"
        if name == "stages":
            rows["stage_id"] = rows["stage_id"].str.replace(donor, new, regex=False)
            abroad = rows["stage_type"].isin(data.descriptor.stage_types(at_home=False, realised=True))
            rows.loc[abroad.idxmax(), "location_id"] = "oslo"
        tables[name] = pd.concat([tables[name], rows], ignore_index=True)
    oslo = tables["locations"].iloc[[0]].assign(location_id="oslo", name="Oslo", kind="city", country_code="NO",
                                                latitude=59.91, longitude=10.75)
    tables["locations"] = pd.concat([tables["locations"], oslo], ignore_index=True)
    return journeys.Journeys(data.descriptor, tables)


def test_colours_stay_when_a_person_and_a_place_are_added(drawn, drawings):
    added = drawings["added"]
    first, second = added["first"], added["second"]
    for kind, keys in first.items():
        assert second[kind][:len(keys)] == keys
    assert "a00000" in second["persons"] and "NO" in second["places"]
    for name in KEEP_COLOURS:
        old, new = drawn[(ADDED, name)].legend, added["legends"][name]
        shared = set(old) & set(new)
        assert len(shared) >= len(old) - 1  # every entry (a place's label may gain a name)
        assert {k: old[k] for k in shared} == {k: new[k] for k in shared}, name
        if name != "durations":
            assert len(set(new) - set(old)) >= 1, name  # the newcomer has an entry of its own


def test_palette_is_colour_blind_safe_and_distinct_up_to_twelve_then_a_second_channel():
    colorspacious = pytest.importorskip("colorspacious")
    rgb = np.array([plt.matplotlib.colors.to_rgb(c) for c in style.PALETTE])
    assert len(set(style.PALETTE)) == len(style.PALETTE) >= 12
    views = [colorspacious.cspace_convert(rgb, "sRGB1", "CAM02-UCS")]
    for kind in ("protanomaly", "deuteranomaly", "tritanomaly"):
        seen = np.clip(colorspacious.cspace_convert(rgb, {"name": "sRGB1+CVD", "cvd_type": kind, "severity": 100},
                                                    "sRGB1"), 0, 1)
        views.append(colorspacious.cspace_convert(seen, "sRGB1", "CAM02-UCS"))
    for view in views:
        distance = np.linalg.norm(view[:, None] - view[None], axis=-1)
        assert distance[np.triu_indices(len(rgb), 1)].min() >= 9
    palette = style.Palette({"places": [f"k{i:02d}" for i in range(30)], "persons": [], "measures": []})
    looks = {(palette.colour("places", k), palette.hatch("places", k)) for k in palette.slots["places"]}
    assert len(looks) == 30
    assert palette.hatch("places", "k00") == "" and palette.hatch("places", "k12") != ""


def test_every_code_the_figures_draw_has_a_look(data):
    descriptor = data[4].descriptor

    def codes(resource, field):
        return descriptor.field(resource, field)["constraints"]["enum"]

    assert set(descriptor.lee_labels().values()) <= set(style.LEE_GLYPHS)
    assert set(codes("codings", "certainty")) <= set(style.CERTAINTY_FILLED)
    assert set(codes("codings", "timing")) <= set(style.TIMING_HALO)
    assert set(codes("codings", "salience")) <= set(style.SALIENCE_STRUCK)
    assert set(codes("estimates", "qualifier")) <= set(style.QUALIFIER_MARKER)
    assert set(codes("locations", "kind")) <= set(style.PLACE_DRAWING)
    assert set(style.PLACE_DRAWING.values()) <= {"point", "area-point", "outline", "group"}


def test_no_figure_names_a_stage_type(data):
    stage_types = set(data[4].descriptor.field("stages", "stage_type")["constraints"]["enum"])
    for path in FIGURE_DIR.glob("*.py"):
        literals = {node.value for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                    if isinstance(node, ast.Constant) and isinstance(node.value, str)}
        assert not literals & stage_types, f"{path.name} names {literals & stage_types}"


def test_a_country_is_its_outline_and_a_leg_ends_at_its_border(data):
    data = data[30]
    places = routes.Places(data)
    countries = [loc for loc, how in places.drawing.items() if how == "outline" and places.is_area(loc)]
    moves = data.moves()
    into = moves[moves["to_location"].isin(countries) & ~moves["from_location"].isin(countries)]
    assert len(into)
    for move in into.itertuples():
        if places.contains(move.to_location, move.from_location):
            continue
        _, end = places.ends(move.from_location, move.to_location)
        assert end != places.point(move.to_location)
        assert routes.main_part(places.shapes[move.to_location]).exterior.distance(Point(end)) < 1e-9


def test_the_map_names_groups_it_cannot_draw_and_fits_the_places(data, drawn):
    data = data[30]
    note = drawn[(30, "routes")].note.replace("\n", " ")
    locations = data.table("locations").set_index("location_id")
    moves = data.moves()
    groups = [loc for loc in locations.index if style.PLACE_DRAWING[locations.at[loc, "kind"]] == "group"]
    into = moves[moves["to_location"].isin(groups) & (moves["to_location"] != moves["from_location"])]
    assert len(into)
    for move in into.itertuples():
        assert f"stages/{move.stage_id}" in note
    assert "Projection: " in note
    frame = routes.layout(routes.prepare(data))
    (x0, x1, y0, y1), parameters = drawn[(30, "routes")].map_view
    assert np.allclose((x0, x1, y0, y1), frame.box) and parameters == frame.projection.proj4_params
    cities = {m.to_location for m in moves.itertuples() if locations.at[m.to_location, "kind"] == "city"}
    assert cities
    for city in cities:
        x, y = frame.projection.transform_point(locations.at[city, "longitude"], locations.at[city, "latitude"],
                                                routes.ccrs.PlateCarree())
        assert x0 <= x <= x1 and y0 <= y <= y1, city


def test_a_move_between_touching_outlines_is_named_not_drawn_without_length(data, drawn):
    data = data[30]
    note = drawn[(30, "routes")].note.replace("\n", " ")
    places = routes.Places(data)
    touching = 0
    for move in data.moves().itertuples():
        a, b = move.from_location, move.to_location
        if a == b or not (places.is_area(a) and places.is_area(b)) or places.contains(a, b) or places.contains(b, a):
            continue
        start, end = places.ends(a, b)
        if routes.GEOD.inv(*start, *end)[2] < routes.NEIGHBOURS_M:
            touching += 1
            assert f"{places.name(a)} to {places.name(b)} (stages/{move.stage_id})" in note
        else:
            assert f"(stages/{move.stage_id})" not in note
    assert touching  # the synthetic package of 30 has a move between neighbours (Serbia, Montenegro)


def test_factor_columns_name_both_ends_of_each_move_and_mark_hindsight_and_discounting(data, drawn):
    packages, data = data, data[6]
    columns = factors.columns(data)
    names = data.table("locations").set_index("location_id")["name"]
    for move in columns.itertuples():
        assert move.heading.startswith(f"{names[move.from_location]} → {names[move.to_location]} (")
    legend = drawn[(6, "factors")].legend
    assert any("hindsight" in label for label in legend) and any("discounted" in label for label in legend)
    wide = [len(factors.panels(columns, factors.MAX_COLUMNS)) for columns in [factors.columns(packages[30])]]
    assert wide[0] > 1


def test_make_figures_keeps_the_palette_beside_the_figures(packages, data, tmp_path):
    """A researcher's added person only needs data and `make figures`: the slots file follows."""
    package = tmp_path / "package"
    shutil.copytree(packages[4].parent, package)
    # the package's own figures folder keeps its colours: slots given before, here another package's
    (package / "figures").mkdir(exist_ok=True)
    style.Palette.load(None).extended(data[6]).save(package / "figures" / style.PALETTE_FILE)
    out = tmp_path / "figures"
    figures.draw(Context.open(package), ["durations"], out)
    kept = style.Palette.load(out / style.PALETTE_FILE)
    committed = style.Palette.load(package / "figures" / style.PALETTE_FILE)
    assert committed.slots["persons"]
    for kind, keys in committed.slots.items():
        assert kept.slots[kind][:len(keys)] == keys  # the committed colours come first, unchanged
    persons = pd.read_csv(package / "data" / "persons.csv")["person_id"]
    assert set(persons) <= set(kept.slots["persons"])
    shutil.rmtree(out)


@pytest.mark.parametrize("name", ["factors", "timeline"])
def test_a_very_long_name_is_drawn_whole_and_clear_of_the_other_texts(name, tmp_path):
    """A name of 48 letters (a person with a patronymic and a double surname): the factors slant it
    above their columns, the timeline writes it beside its lane; neither cuts it off or lets the
    month labels run into each other."""
    from conftest import build_fixture
    from mutations import set_cell

    package = build_fixture(tmp_path / "package")
    set_cell(package, "persons", "pavel", "name_in_source", "Aliaksandr Ŭładzimiravič Kandratsienka-Zhukouski")
    seen = drawn_alone(package, name)
    assert any("Kandratsienka" in text for text in seen.texts)
    assert seen.overlaps == []
    # the factors' slanted name stays on the canvas; the timeline's legend, centred under its axes, may not yet
    assert name == "timeline" or seen.outside == []


@pytest.mark.parametrize("name, table", [("durations", "durations"), ("estimates", "estimates"),
                                         ("factors", "codings")])
def test_a_table_with_no_rows_is_drawn_as_a_sentence_saying_so(name, table, tmp_path):
    """A team that codes no duration, no estimate or no factor yet (start-a-package.md's first person)
    gets a figure that says so, not an empty frame under a legend of marks that nothing uses (the
    factors' move headings ran into that legend and the note)."""
    from conftest import build_fixture

    package = build_fixture(tmp_path / "package")
    csv_file = package / "data" / f"{table}.csv"
    csv_file.write_text(csv_file.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    seen = drawn_alone(package, name)
    assert any(text.startswith("No ") and f"{table}.csv has no rows" in text for text in seen.texts), seen.texts
    assert seen.legend == {} and seen.overlaps == [] and seen.outside == []


def test_a_log_axis_of_estimates_within_one_decade_still_shows_two_numbers(tmp_path):
    """Estimates of 110,000 to 180,000 persons: the log axis fitted to them held no power of ten and so no
    number at all; it now reaches the decades around them."""
    from conftest import build_fixture
    from mutations import set_cell

    from returnee_journeys.figures import estimates

    package = build_fixture(tmp_path / "package")
    set_cell(package, "estimates", "region-left", "value", "120000")
    for column, value in (("low", "110000"), ("high", "180000"), ("unit", "persons")):
        set_cell(package, "estimates", "region-returned", column, value)
    fig = estimates.draw(journeys.read(package / "datapackage.json"))
    fig.canvas.draw()
    (axis,) = [ax for ax in fig.axes if ax.get_xscale() == "log"]
    low, high = axis.get_xlim()
    shown = [t.get_text() for t, x in zip(axis.get_xticklabels(), axis.get_xticks()) if t.get_text() and low <= x <= high]
    plt.close(fig)
    assert len(shown) >= 2, shown


@pytest.mark.parametrize("months", [3, 22])
def test_the_sequences_axis_counts_whole_months(months, fixture_package):
    """Months since leaving are whole: an axis of 22 months was labelled 2.5, 7.5 … (matplotlib's
    default steps), one of 3 months 0.5, 1.5 …"""
    import dataclasses

    from returnee_journeys.figures import sequences

    plan = dataclasses.replace(sequences.prepare(journeys.read(fixture_package / "datapackage.json")), width=months)
    fig = sequences.render(plan, sequences.layout(plan))
    try:
        fig.draw_without_rendering()
        ticks = [t.get_text() for t in fig.axes[0].get_xticklabels() if t.get_text()]
        assert len(ticks) >= 2 and all(t.isdigit() for t in ticks), ticks
    finally:
        plt.close(fig)
