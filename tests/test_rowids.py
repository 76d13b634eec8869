"""Every row has one name: its row id, the same in the ledger, discrepancies and readings, the web
annotations, the REFI-QDA project and SQLite, for every resource, composite keys included."""
from __future__ import annotations

import re
import sqlite3

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from returnee_journeys.exports import sqlite as export_sqlite
from returnee_journeys.exports import web_annotations
from returnee_journeys.model import journeys, rowids
from returnee_journeys.validation import rules
from returnee_journeys.model import keys

pytestmark = pytest.mark.xdist_group("rowids")  # one worker builds its module fixtures


@pytest.fixture(scope="module")
def data(fixture_package):
    return journeys.read(fixture_package / "datapackage.json")


def pattern(data, resource, field) -> re.Pattern:
    return re.compile(data.descriptor.field(resource, field)["constraints"]["pattern"])


def every_row(data) -> pd.DataFrame:
    """(resource, row_id, key values) of every row of every resource of the package."""
    parts = []
    for resource in data.descriptor.resources:
        name = resource["name"]
        key = data.descriptor.primary_key(name)
        table = data.table(name)
        parts.append(pd.DataFrame({"resource": name, "row_id": rowids.ids(key, table),
                                   "values": list(table[key].astype("string").itertuples(index=False, name=None))}))
    return pd.concat(parts, ignore_index=True)


def test_every_resource_round_trips_through_its_row_id(data):
    rows = every_row(data)
    assert {"person_sources", "ledger"} <= set(rows["resource"])  # composite keys are among them
    assert not rows.duplicated(["resource", "row_id"]).any()
    for resource, row_id, values in rows.itertuples(index=False):
        assert rowids.parse(row_id) == values, (resource, row_id)


def test_every_row_id_fits_the_descriptor_patterns(data):
    row_id = pattern(data, "discrepancies", "row_id")
    assert pattern(data, "readings", "row_id").pattern == row_id.pattern == rowids.ROW_ID
    refs = pattern(data, "ledger", "rows")
    assert refs.pattern == rowids.ROW_REFS
    rows = every_row(data)
    for resource, name in zip(rows["resource"], rows["row_id"]):
        assert row_id.fullmatch(name), name
        assert refs.fullmatch(rowids.ref(resource, name)), name
    assert refs.fullmatch(" ".join(rowids.ref(r, i) for r, i in zip(rows["resource"], rows["row_id"])))


def test_the_validator_finds_every_row_by_its_id(data):
    rows = every_row(data)
    frame = pd.DataFrame({"resource": rows["resource"], "row_id": rows["row_id"].astype("string"), "field": ""})
    resource_ok, row_ok, _, _ = rules._find_targets(data.descriptor, keys.Joins(data.tables), frame)
    assert resource_ok.all() and row_ok.all(), rows[~row_ok.to_numpy()]
    wrong = frame.assign(row_id=frame["row_id"] + "-not")
    assert not rules._find_targets(data.descriptor, keys.Joins(data.tables), wrong)[1].any()


def test_sqlite_names_every_row_by_its_id(data, tmp_path):
    export_sqlite.write(data, tmp_path / "db.sqlite")
    db = sqlite3.connect(tmp_path / "db.sqlite")
    for resource in data.descriptor.resources:
        name = resource["name"]
        key = data.descriptor.primary_key(name)
        columns = ", ".join(f't."{c}"' for c in key)
        found = db.execute(f'SELECT r.row_id, {columns} FROM row_ids AS r JOIN "{name}" AS t '
                           "ON t.rowid = r.table_rowid WHERE r.resource = ?", (name,)).fetchall()
        assert len(found) == len(data.table(name))
        for row_id, *values in found:
            assert rowids.parse(row_id) == tuple(str(v) for v in values)


def test_annotations_name_a_composite_row_as_the_ledger_does(data, fixture_sources):
    from returnee_journeys.model import texts

    document = web_annotations.collection(data, texts.verified(data.table("sources"), fixture_sources))
    described = [b["value"] for item in document["first"]["items"] for b in item["body"] if b["purpose"] == "describing"]
    ledger_refs = {ref for refs in data.table("ledger")["rows"].dropna() for ref in refs.split(" ")}
    composite = [ref for ref in ledger_refs if ref.startswith("person_sources/")]
    assert composite, "the fixture's ledger lists a person_sources row"
    for ref in composite:
        assert any(text.startswith(ref) for text in described), ref


key_values = st.lists(st.one_of(st.text(min_size=1, max_size=12), st.integers(min_value=0).map(str)),
                      min_size=1, max_size=3)


@settings(max_examples=60, deadline=None)
@given(key_values)
def test_any_key_values_round_trip(values):
    name = rowids.row_id(values)
    assert rowids.parse(name) == tuple(values)
    assert re.fullmatch(rowids.ROW_ID, name)
    assert re.fullmatch(rowids.ROW_REFS, rowids.ref("person_sources", name))
    frame = pd.DataFrame({f"k{i}": [v] for i, v in enumerate(values)})
    assert rowids.ids(list(frame.columns), frame).iloc[0] == name
