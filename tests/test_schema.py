"""The descriptor-to-pandera mapping, on a small descriptor made for the purpose."""
from __future__ import annotations

import pandas as pd
import pytest

from returnee_journeys.model import descriptor as descriptor_module
from returnee_journeys.model import keys
from returnee_journeys.model import paths
from returnee_journeys.validation import schema

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
    tables = {"t": df, "u": pd.DataFrame({"id": pd.array(["k"], dtype="string")})}
    book = schema.RuleBook()
    built = schema.build(DESCRIPTOR, "t", keys.Joins(tables), book)
    return {(p.row, p.field, p.rule) for p in schema.run(built, df, book, "data/t.csv")}


def test_valid_frame_passes_with_nullable_integer_boolean_and_number():
    assert problems(frame(b=[1, None])) == set()


def test_dtypes_follow_the_descriptor_not_pandera_defaults():
    tables = {"t": frame(), "u": pd.DataFrame({"id": ["k"]})}
    built = schema.build(DESCRIPTOR, "t", keys.Joins(tables), schema.RuleBook())
    assert str(built.columns["b"].dtype) == "Int64" and built.columns["b"].nullable
    assert str(built.columns["flag"].dtype) == "boolean"
    assert not built.columns["a"].nullable


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
])
def test_each_constraint_is_a_named_check(columns, expected):
    assert expected in problems(frame(**columns))


def test_composite_primary_key_allows_a_repeat_in_one_column():
    assert problems(frame(a=["p", "p"], b=[1, 2])) == set()
