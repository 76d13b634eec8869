"""The real data package as delivered, checked once and whole: valid for frictionless and for our validator
(quotes, hashes and ledger coverage included), its descriptor fully described. Never names real rows."""
from __future__ import annotations

import frictionless

from returnee_journeys.model import paths
from returnee_journeys.model import sentences
from returnee_journeys.validation import provenance
from returnee_journeys.validation.validate import validate


def test_frictionless_validates_the_package():
    report = frictionless.validate(str(paths.DESCRIPTOR))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_real_package_is_valid_and_its_ledger_covers_every_sentence(descriptor, tables, sources_dir):
    """The one check of the real data: the validator, with the texts, finds nothing (quotes, hashes,
    ledger coverage included), and the ledger has one row for each sentence of each text."""
    report = validate(paths.DESCRIPTOR, sources_dir, require_sources=True)
    assert list(report.problems) == [] and report.texts_not_checked == []
    for source_id in tables["sources"]["source_id"]:
        text = provenance.text_path(sources_dir, source_id).read_text(encoding="utf-8")
        ledger = tables["ledger"][tables["ledger"]["source_id"] == source_id]
        assert len(ledger) == len(sentences.split(text)) > 0, source_id


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


def test_the_reliability_sample_is_a_valid_journey_package_with_its_quote_only_texts():
    """reliability/: the second package, checked once, whole, with the quote-only texts it ships."""
    folder = paths.ROOT / "reliability"
    report = validate(folder / "datapackage.json", folder / "sources", require_sources=True)
    assert list(report.problems) == [] and report.texts_not_checked == []
    assert frictionless.validate(str(folder / "datapackage.json")).valid
