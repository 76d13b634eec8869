"""The pandera schemas built from the descriptor (`returnee_journeys.schemas`), through which
`validate` checks every table: they accept valid packages, carry the descriptor's dtypes, and
report many failures of one rule, repeated keys and rules that cannot run as problems."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from pandera.errors import SchemaErrorReason, SchemaErrors

import returnee_journeys
import test_bad_inputs as corpus
from conftest import build_fixture
from mutations import append_row, read_rows, remove_field, write_rows
from returnee_journeys import cli
from returnee_journeys.model import paths
from returnee_journeys.model.problems import LIMIT
from returnee_journeys.validation import descriptor_checks
from returnee_journeys.validation.validate import validate

pytestmark = pytest.mark.xdist_group("pandera")  # one worker builds its module fixtures

# the row and cell cases of the bad-input corpus: each breaks rows, not the file or the descriptor
ROW_CASES = corpus.CELL_CASES + [corpus.duration_against_dates_unflagged, corpus.unused_codebook_factor]


@pytest.fixture(scope="module")
def fixture_schemas(fixture_package):
    return returnee_journeys.schemas(fixture_package)


# --- the schemas -----------------------------------------------------------------------------

def test_the_schemas_accept_the_fixture_with_or_without_bounds(fixture_package, fixture_descriptor, fixture_schemas):
    tables = returnee_journeys.load(fixture_package, categories=False)
    assert list(fixture_schemas) == list(tables) and len(tables) > 10
    for name, frame in tables.items():
        fixture_schemas[name].validate(frame, lazy=True)  # raises SchemaErrors on any failure
    bare = returnee_journeys.load(fixture_package, bounds=False, categories=False)
    with_edtf = [name for name in bare if fixture_descriptor.edtf_fields(name)]
    assert "stages" in with_edtf and not any(c.endswith("_lower") for c in bare["stages"].columns)
    for name in with_edtf:  # the rules need the bounds: the schema adds them to its own copy
        fixture_schemas[name].validate(bare[name], lazy=True)


def test_dtypes_are_the_descriptors_not_panderas_defaults(fixture_descriptor, fixture_schemas, fixture_tables):
    wanted = {}
    for resource in fixture_descriptor.resources:
        for field in resource["schema"]["fields"]:
            column = fixture_schemas[resource["name"]].columns[field["name"]]
            expected = pd.api.types.pandas_dtype(fixture_descriptor.dtype(field, "pandas"))
            assert str(column.dtype) == str(expected), (resource["name"], field["name"])
            assert column.nullable == (not field.get("constraints", {}).get("required", False))
            wanted.setdefault(field.get("type", "string"), str(column.dtype))
    assert wanted == {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean",
                      "date": "datetime64[s]"}
    # pandera's own dtypes take int64 for Int64 and any unit for datetime64[s]; these do not
    stages = fixture_tables["stages"][[f["name"] for f in fixture_descriptor.fields("stages")]].copy()
    copies = fixture_tables["copies"][[f["name"] for f in fixture_descriptor.fields("copies")]].copy()
    stages["seq"] = stages["seq"].astype("int64")
    stages["notes"] = stages["notes"].astype(object)
    copies["seen"] = copies["seen"].astype("datetime64[ns]")
    for name, frame, columns in [("stages", stages, {"seq", "notes"}), ("copies", copies, {"seen"})]:
        with pytest.raises(SchemaErrors) as failed:
            fixture_schemas[name].validate(frame, lazy=True)
        wrong = {e.schema.name for e in failed.value.schema_errors if e.reason_code == SchemaErrorReason.WRONG_DATATYPE}
        assert wrong == columns


def test_an_optional_integer_may_be_missing(fixture_schemas, fixture_tables):
    """Table Schema's optional integer is a nullable Int64 (pandera's frictionless import makes it int64)."""
    persons = fixture_tables["persons"].copy()
    persons["age_reported"] = pd.array([None] * len(persons), dtype="Int64")
    fixture_schemas["persons"].validate(persons, lazy=True)


def test_an_edited_frame_is_checked_in_its_columns_and_against_the_other_tables(fixture_package, fixture_schemas):
    stages = returnee_journeys.load(fixture_package, bounds=False, categories=False)["stages"]
    first, second = stages.index[2], stages.index[3]
    stages.loc[first, "stage_type"] = "holiday"
    stages.loc[second, "location_id"] = "nowhere-at-all"
    with pytest.raises(SchemaErrors) as failed:
        fixture_schemas["stages"].validate(stages, lazy=True)
    cases = failed.value.failure_cases
    assert {(first, "stage_type", "isin"), (second, "location_id", "foreign-key")} <= {
        (int(i), c, k.split("(")[0]) for i, c, k in zip(cases["index"], cases["column"], cases["check"])
        if c in ("stage_type", "location_id")}
    assert "place-fits-stage-type" in set(cases["check"])  # a rule between tables, on the frame given


# --- validation through the schemas -----------------------------------------------------------

def cli_report(package, capsys) -> dict:
    """`validate --format json`, through the command; on stderr only the line naming the package."""
    code = cli.main(["validate", "--package", str(package), "--skip-quotes", "--format", "json"])
    captured = capsys.readouterr()
    assert (code, captured.err) == (1, f"package: {package / 'datapackage.json'} (russian-returnee-journeys)\n")
    return json.loads(captured.out)


def more_failures(package) -> dict:
    """Beside the corpus: many failing rows of one rule, a repeated key, and a key with a part
    missing twice (reported as missing, not as a repeated key). What each must be reported as."""
    many = 300
    for i in range(many):
        append_row(package, "factors", [f"unused-{i}", "Unused", "personal", "A factor no coding uses.",
                                        "Whatever a text says.", "Nothing else.", "personal"])
    locations = read_rows(package, "locations")
    write_rows(package, "locations", locations + [locations[1]])
    ledger = read_rows(package, "ledger")
    pair = next((i, j) for i in range(1, len(ledger)) for j in range(i + 1, len(ledger))
                if ledger[i][:2] == ledger[j][:2])  # two sentences of one paragraph
    for i in pair:
        ledger[i][2] = ""
    write_rows(package, "ledger", ledger)
    return {"not_shown": {"resource": "factors", "rule": "factor-used", "field": "factor_id",
                          "not_shown": many + 1 - LIMIT},
            "found": {("locations", 2, "primary-key"), ("locations", len(locations) + 1, "primary-key")}
            | {("ledger", i + 1, "required") for i in pair},
            "not_found": {("ledger", i + 1, "primary-key") for i in pair}}


def test_the_row_and_cell_cases_are_each_reported_where_they_are(tmp_path, capsys):
    """Every row and cell case of the bad-input corpus, stacked in as few packages as leave each
    case's problem in sight, and beside them many failures of one rule (counted, the rest not
    shown), a repeated key, and a key with a part missing (reported as missing, not repeated)."""
    remaining, round_ = list(ROW_CASES), 0
    while remaining:
        round_ += 1
        package = build_fixture(tmp_path / f"round-{round_}")
        expected = {}
        for case in remaining:
            try:
                expected[case.__name__] = case(package)
            except KeyError:  # an earlier case of this round changed the row it edits
                pass
        more = more_failures(package) if round_ == 1 else None
        report = cli_report(package, capsys)
        problems = report["problems"]
        found = {(p["resource"], p["row"], p["field"], p["rule"]) for p in problems}
        done = [c for c in remaining if expected.get(c.__name__) in found]
        assert done, f"round {round_}: no case's problem found: {[c.__name__ for c in remaining]}"
        remaining = [c for c in remaining if c not in done]
        if more:
            assert more["not_shown"] in report["not_shown"]
            rules = {(p["resource"], p["row"], p["rule"]) for p in problems}
            assert more["found"] <= rules and not more["not_found"] & rules
    assert round_ <= 3


def test_a_rule_that_cannot_run_is_reported_at_the_descriptor(package_copy, monkeypatch):
    """A column a rule needs, missing from descriptor and file (past the profile, which names it first)."""
    remove_field(package_copy, "stages", "notes")
    monkeypatch.setattr(descriptor_checks, "check", lambda descriptor: [])
    found = validate(package_copy / "datapackage.json", None, check_quotes=False).problems
    assert ("stages", None, "notes", "descriptor:missing-column") in {(p.resource, p.row, p.field, p.rule)
                                                                      for p in found}


def test_the_docs_example_accepts_the_package_and_catches_an_edit(capsys, monkeypatch, fixture_package):
    """The python blocks of docs/validation.md, run on the package `load()` reads with no path (here
    the fixture, standing in for the shipped dataset): every table passes its schema, and the
    edited stage is caught on its line by `isin`."""
    monkeypatch.setattr(paths, "DESCRIPTOR", fixture_package / "datapackage.json")
    text = (paths.ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in text.split("```python\n")[1:]]
    assert len(blocks) == 1
    namespace = {"__name__": "__docs__"}
    exec(compile(blocks[0], "<docs/validation.md>", "exec"), namespace)
    printed = capsys.readouterr().out
    line = namespace["stages"].index[0]
    assert any(row.split()[1] == "stage_type" and row.split()[2].startswith("isin(") and row.split()[-1] == str(line)
               for row in printed.splitlines()[1:]), printed
