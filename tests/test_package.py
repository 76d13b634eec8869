"""The data package as delivered: valid for frictionless, true to its texts, journeys well formed."""
from __future__ import annotations

import hashlib

import frictionless

from returnee_journeys.model import paths
from returnee_journeys.validation import provenance


def test_frictionless_validates_the_package():
    report = frictionless.validate(str(paths.DESCRIPTOR))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_each_text_has_the_recorded_sha256(tables, sources_dir):
    for source_id, expected in tables["sources"][["source_id", "text_sha256"]].itertuples(index=False):
        raw = provenance.text_path(sources_dir, source_id).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == expected, source_id


def test_every_quote_fragment_occurs_verbatim_once(descriptor, tables, sources_dir):
    texts = {s: provenance.text_path(sources_dir, s).read_text(encoding="utf-8")
             for s in tables["sources"]["source_id"]}
    checked = 0
    for resource, frame in tables.items():
        for column in descriptor.quote_fields(resource):
            for row, source_id, quote in frame[["source_id", column]].dropna().itertuples():
                for fragment in quote.split(provenance.JOINER):
                    assert texts[source_id].count(fragment) == 1, (resource, row, column, fragment)
                    checked += 1
    assert checked >= 100  # persons, stages, durations, codings, estimates, events, discrepancies


def _journeys(tables):
    stages = tables["stages"].sort_values(["person_id", "seq"])
    country = stages["location_id"].map(tables["locations"].set_index("location_id")["country_code"])
    return stages.assign(country=country).groupby("person_id")


def test_every_journey_starts_at_origin_and_ends_with_a_return_in_russia(tables):
    journeys = _journeys(tables)
    assert set(journeys.groups) == set(tables["persons"]["person_id"])
    for person, stages in journeys:
        assert stages.iloc[0]["stage_type"] == "origin", person
        realised = stages[stages["stage_type"] != "planned"]
        assert realised.iloc[-1]["stage_type"] == "return", person
        assert realised.iloc[-1]["country"] == "RU", person


def test_seq_runs_one_to_n_per_person(tables):
    for person, stages in _journeys(tables):
        assert stages["seq"].tolist() == list(range(1, len(stages) + 1)), person


def test_every_table_row_is_a_stated_or_marked_fact(tables):
    stages = tables["stages"]
    inferred = stages[stages["location_certainty"] == "inferred"]
    assert inferred["notes"].notna().all()
    planned = stages[stages["stage_type"] == "planned"]
    assert planned[["start", "end"]].isna().all().all()


def test_descriptor_fields_are_fully_described(descriptor):
    key_names = {r["schema"]["primaryKey"][0] for r in descriptor.resources}
    for resource in descriptor.resources:
        schema = resource["schema"]
        assert schema.get("primaryKey"), resource["name"]
        assert resource["path"] == f"data/{resource['name']}.csv"
        keys = {c for fk in schema.get("foreignKeys", []) for c in fk["fields"]}
        for field in schema["fields"]:
            where = f"{resource['name']}.{field['name']}"
            for prop in ("type", "title", "description", "example"):
                assert field.get(prop) not in (None, ""), (where, prop)
            assert "required" in field.get("constraints", {}), where
            names_a_key = any(field["name"] == k or field["name"].endswith("_" + k) for k in key_names)
            if names_a_key and field["name"] not in schema["primaryKey"]:
                assert field["name"] in keys, f"{where} points elsewhere but has no foreignKey"
                assert "Foreign key to" in field["description"], where


def test_csv_files_are_utf8_lf_with_the_descriptor_header(descriptor):
    for resource in descriptor.resources:
        raw = descriptor.csv_path(resource["name"]).read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
        assert b"\r" not in raw
        header = raw.decode("utf-8").split("\n", 1)[0].split(",")
        assert header == [f["name"] for f in resource["schema"]["fields"]]
