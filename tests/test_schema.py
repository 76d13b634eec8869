"""The descriptor-to-checks mapping of the pandera schemas, on a small descriptor made for the purpose."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from returnee_journeys.model import descriptor as descriptor_module
from returnee_journeys.model import keys
from returnee_journeys.model import load
from returnee_journeys.model import paths
from returnee_journeys.model.problems import Problems
from returnee_journeys.validation import pandera_schemas, rules, schema

FIELDS = [
    {"name": "a", "type": "string", "constraints": {"required": True, "pattern": "^[a-z]+$"}},
    {"name": "b", "type": "integer", "constraints": {"required": False, "minimum": 1, "maximum": 9}},
    {"name": "flag", "type": "boolean", "constraints": {"required": False}},
    {"name": "kind", "type": "string", "constraints": {"required": False, "enum": ["x", "y"]}},
    {"name": "size", "type": "number", "constraints": {"required": False, "minimum": 0}},
    {"name": "ref", "type": "string", "constraints": {"required": False}},
]
DESCRIPTOR = descriptor_module.Descriptor(path=None, data={"typeMap": descriptor_module.read(paths.DESCRIPTOR).data["typeMap"], "resources": [
    {"name": "t", "path": "data/t.csv", "schema": {
        "fields": FIELDS, "primaryKey": ["a", "b"],
        "foreignKeys": [{"fields": ["ref"], "reference": {"resource": "u", "fields": ["id"]}}]}},
    {"name": "u", "path": "data/u.csv", "schema": {"fields": [{"name": "id", "type": "string"}], "primaryKey": ["id"]}},
]})


@pytest.fixture(autouse=True)
def no_journey_rules(monkeypatch):
    """The rules between tables are a journey package's: this descriptor has none of their tables."""
    monkeypatch.setattr(rules, "checks", lambda descriptor, joins: [])


def frame(**columns):
    base = {"a": ["p", "q"], "b": [1, 2], "flag": [True, None], "kind": ["x", None], "size": [0.5, None],
            "ref": ["k", None]}
    base.update(columns)
    return pd.DataFrame({
        "a": pd.array(base["a"], dtype="string"), "b": pd.array(base["b"], dtype="Int64"),
        "flag": pd.array(base["flag"], dtype="boolean"), "kind": pd.array(base["kind"], dtype="string"),
        "size": pd.array(base["size"], dtype="Float64"), "ref": pd.array(base["ref"], dtype="string"),
    }, index=pd.Index([2, 3], name="row"))


def problems(df):
    tables = {"t": df, "u": pd.DataFrame({"id": pd.array(["k"], dtype="string")}, index=pd.Index([2], name="row"))}
    found = Problems()
    pandera_schemas.run(DESCRIPTOR, load.Loaded(tables=tables), {"t": "data/t.csv", "u": "data/u.csv"}, found)
    return {(p.row, p.field, p.rule) for p in found}


def test_valid_frame_passes_with_nullable_integer_boolean_and_number():
    assert problems(frame(b=[1, None])) == set()


def test_a_check_on_a_column_the_descriptor_lacks_is_reported_at_the_descriptor():
    check = schema.Check("t", "some-rule", "a", "hint", lambda f: f["nope"].notna())
    found = schema.verdict(check, frame())
    assert (found.resource, found.field, found.rule, found.file) == (
        "t", "nope", "descriptor:missing-column", "datapackage.json")


@pytest.mark.parametrize("columns, expected", [
    ({"a": ["p", None]}, (3, "a", "required")),
    ({"a": ["p", "Q"]}, (3, "a", "pattern")),
    ({"b": [1, 10]}, (3, "b", "maximum")),
    ({"b": [0, 2]}, (2, "b", "minimum")),
    ({"kind": ["x", "z"]}, (3, "kind", "enum")),
    ({"size": [-1.0, None]}, (2, "size", "minimum")),
    ({"ref": ["k", "nope"]}, (3, "ref", "foreign-key")),
    ({"a": ["p", "p"], "b": [1, 1]}, (3, "a,b", "primary-key")),
    ({"kind": ["x", "@SUM(1)"]}, (3, "kind", "formula-injection")),
    ({"ref": ["k", "a\x00b"]}, (3, "ref", "control-character")),
    ({"ref": ["k", "a\u202eb"]}, (3, "ref", "control-character")),
])
def test_each_constraint_is_a_named_check(columns, expected):
    assert expected in problems(frame(**columns))


def test_composite_primary_key_allows_a_repeat_in_one_column():
    assert problems(frame(a=["p", "p"], b=[1, 2])) == set()


def test_hints_list_the_codes_the_descriptor_gives(fixture_package, monkeypatch):
    """A code added to the descriptor appears in the hints without a code change."""
    package = descriptor_module.read(fixture_package / "datapackage.json")
    data = json.loads(json.dumps(package.data))
    durations = next(r for r in data["resources"] if r["name"] == "durations")
    qualifier = next(f for f in durations["schema"]["fields"] if f["name"] == "qualifier")
    qualifier["constraints"]["enum"].append("a-couple")
    qualifier["admits"]["a-couple"] = {"min": [0, 2], "max": [0, 2]}
    locations = next(r for r in data["resources"] if r["name"] == "locations")
    next(f for f in locations["schema"]["fields"] if f["name"] == "kind")["constraints"]["enum"].append("island")
    changed = descriptor_module.Descriptor(path=package.path, data=data)
    tables = load.load(package).tables
    monkeypatch.undo()  # the journey rules, on this journey package
    hints = {c.rule: c.hint for c in rules.checks(changed, keys.Joins(tables))}
    assert hints["value-matches-qualifier"].endswith("unquantified and a-couple")
    assert "island places have their country_code" in hints["country-code-fits-kind"]
    _, enum_hint = pandera_schemas.field_checks(changed.field("durations", "qualifier"), None)["enum"]
    assert enum_hint.endswith(", a-couple")
