"""typeMap values are checked against the types each target knows; every value allowed works in
the export that reads it."""
from __future__ import annotations

import pytest

import mutations
from returnee_journeys.exports import parquet, sqlite as export_sqlite
from returnee_journeys.model import journeys
from returnee_journeys.validation import type_map
from returnee_journeys.validation.validate import validate


def set_type(package, kind, target, value):
    mutations.edit_descriptor(package, lambda d: d["typeMap"][kind].__setitem__(target, value))


BAD = [("date", "arrow", "timestamp"), ("string", "arrow", "int64"), ("integer", "arrow", "int8"),
       ("integer", "sqlite", "NUMERIC"), ("number", "pandas", "float32"), ("boolean", "readr", "x")]


def test_a_type_the_target_does_not_know_or_cannot_hold_is_refused(package_copy):
    for kind, target, value in BAD:
        set_type(package_copy, kind, target, value)
    found = list(validate(package_copy / "datapackage.json", None).problems)
    assert sorted((p.field, p.rule, p.value) for p in found) == sorted(
        (f"typeMap.{kind}.{target}", "descriptor:type-map", value) for kind, target, value in BAD)
    assert "no type alias 'timestamp'" in next(p.hint for p in found if p.value == "timestamp")


ARROW = {"string": ["string", "large_string"], "integer": ["int64"], "number": ["float64", "double"],
         "boolean": ["bool"], "date": ["date32", "date64", "timestamp[s]", "timestamp[ms]", "timestamp[ns]"]}
SQLITE = {kind: sorted(types) for kind, types in type_map.SQLITE.items()}
ROUNDS = max(len(v) for v in [*ARROW.values(), *SQLITE.values()])


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_every_allowed_type_validates_and_exports(package_copy, tmp_path, round_):
    """Each round sets, for every type, the next allowed Arrow and SQLite type: every one is used once."""
    def change(descriptor):
        for kind, entry in descriptor["typeMap"].items():
            entry["arrow"] = ARROW[kind][round_ % len(ARROW[kind])]
            entry["sqlite"] = SQLITE[kind][round_ % len(SQLITE[kind])]
    mutations.edit_descriptor(package_copy, change)
    assert list(validate(package_copy / "datapackage.json", None).problems) == []
    data = journeys.read(package_copy / "datapackage.json")
    for resource in data.descriptor.resources:
        parquet.write(data, resource, tmp_path / f"{resource['name']}.parquet")
    export_sqlite.write(data, tmp_path / "db.sqlite")


def test_the_sqlite_types_are_those_sqlite_utils_creates():
    from sqlite_utils.db import COLUMN_TYPE_MAPPING

    assert type_map.SQLITE_KNOWN == {k for k in COLUMN_TYPE_MAPPING if isinstance(k, str)}
