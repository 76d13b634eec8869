"""Journeys like those of real reports, added as data to a copy of the fixture (tests/journeys.py):
each validates with its text, and the comparison table and the sequences read it correctly."""
from __future__ import annotations

import pytest

import journeys as added
from returnee_journeys.exports import sequences
from returnee_journeys.model import comparison, journeys
from returnee_journeys.validation.validate import validate


@pytest.fixture(scope="module")
def transit_package(tmp_path_factory, fixture_sources):
    return added.package_with(tmp_path_factory.mktemp("transit"), fixture_sources, added.TRANSIT_AT_HOME)


def test_the_added_journey_validates_with_its_text(transit_package):
    package, sources = transit_package
    assert list(validate(package / "datapackage.json", sources, True, True).problems) == []


def test_transit_legs_inside_the_home_country_are_not_abroad(transit_package):
    data = journeys.read(transit_package[0] / "datapackage.json")
    row = comparison.build(data).rows.set_index("person_id").loc["nina"]
    assert row["places_abroad"] == "Veldland"
    # abroad from the end of the transit at home (October 2022) to the start of the one home (November 2023)
    assert (row["months_abroad_min"], row["months_abroad_max"]) == (13, 13)
    assert row["first_departure"] == "2022-10" and row["return"] == "2023-12"


def test_a_transit_leg_at_home_is_a_home_month_in_the_sequences(transit_package):
    data = journeys.read(transit_package[0] / "datapackage.json")
    months = sequences.tables(data)["person-months"]
    nina = months[months["id"] == "nina"].set_index("calendar_month")["state"]
    assert nina["2023-12"] == data.descriptor.home_country
    assert set(nina[(nina.index > "2022-10") & (nina.index < "2023-11")]) == {"XB"}
