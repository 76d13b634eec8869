"""Adding a code: every place it must appear is checked, and the validator names whichever is
missing; relations between codebook codes are read from one side and checked."""
from __future__ import annotations

import mutations
from returnee_journeys.model import codebook
from returnee_journeys.validation.validate import validate


def problems(package):
    return list(validate(package / "datapackage.json", None).problems)


def test_excludes_are_read_as_lists_of_codes_after_a_colon():
    assert codebook.named("Prices: cost-of-living. Money running out: financial-strain, savings.") == [
        "cost-of-living", "financial-strain", "savings"]
    assert codebook.named("Any named factor: use its code instead. A named difficulty (work, money): its own code.") == []


def test_an_excludes_naming_an_unknown_code_is_named(package_copy):
    line = mutations.set_cell(package_copy, "factors", "employment", "excludes", "Prices at a place: cost-of-livng.")
    found = problems(package_copy)
    assert [(p.resource, p.row, p.field, p.rule) for p in found] == [("factors", line, "excludes", "excludes-names-codes")]
    assert "cost-of-livng" in found[0].value


def add_ledger_reason(package, code: str, category: bool = True) -> None:
    def change(descriptor):
        field = next(f for r in descriptor["resources"] if r["name"] == "ledger" for f in r["schema"]["fields"]
                     if f["name"] == "reason")
        field["constraints"]["enum"].append(code)
        if category:
            field["categories"].append({"value": code, "label": "Quoted elsewhere"})
    mutations.edit_descriptor(package, change)


def test_a_new_code_without_its_category_is_named(package_copy):
    add_ledger_reason(package_copy, "quoted-elsewhere", category=False)
    found = problems(package_copy)
    assert [(p.resource, p.field, p.rule) for p in found] == [("ledger", "reason", "profile:categories-enum")]
    assert "no category for quoted-elsewhere" in found[0].hint


def test_a_new_code_the_protocol_does_not_define_is_named(package_copy):
    add_ledger_reason(package_copy, "quoted-elsewhere")
    (package_copy / "docs").mkdir()
    from returnee_journeys.model import paths

    protocol = (paths.ROOT / "docs" / "coding-protocol.md").read_text(encoding="utf-8")
    (package_copy / "docs" / "coding-protocol.md").write_text(protocol, encoding="utf-8")
    found = problems(package_copy)
    assert [(p.resource, p.field, p.rule, p.value) for p in found] == [
        ("ledger", "reason", "protocol-defines-code", "quoted-elsewhere")]
    (package_copy / "docs" / "coding-protocol.md").write_text(
        protocol + "\n`quoted-elsewhere`: the sentence is quoted in another text.\n", encoding="utf-8")
    assert problems(package_copy) == []


def test_a_new_code_missing_from_a_coding_table_is_named(package_copy):
    def change(descriptor):
        field = next(f for r in descriptor["resources"] if r["name"] == "durations" for f in r["schema"]["fields"]
                     if f["name"] == "unit")
        field["constraints"]["enum"].append("fortnight")
        field["categories"].append({"value": "fortnight", "label": "Fortnight"})
    mutations.edit_descriptor(package_copy, change)
    found = problems(package_copy)
    assert [(p.field, p.rule) for p in found] == [("unit", "descriptor:coding-table")]
    assert "no entry for fortnight" in found[0].hint
