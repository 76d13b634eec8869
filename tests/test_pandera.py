"""The pandera schemas built from the descriptor (`returnee_journeys.schemas`) and the pandera engine
of `validate --engine pandera`: they accept valid packages, carry the descriptor's dtypes, report
what the default engine reports (a differential on the bad-input corpus), and the default engine
never imports pandera."""
from __future__ import annotations

import json
import subprocess
import sys

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
from returnee_journeys.validation import descriptor_checks, pandera_schemas, schema
from returnee_journeys.validation.validate import validate

pytestmark = pytest.mark.xdist_group("pandera")  # one worker builds its module fixtures

# the row and cell cases of the bad-input corpus: each breaks rows, not the file or the descriptor
ROW_CASES = corpus.CELL_CASES + [corpus.duration_against_dates_unflagged, corpus.unused_codebook_factor]


@pytest.fixture(scope="module")
def fixture_schemas(fixture_package):
    return returnee_journeys.schemas(fixture_package)


def both(package):
    """The report of each engine on the package: {engine: (problems as tuples, total, not shown)}."""
    reports = {}
    for engine in ("fast", "pandera"):
        found = validate(package / "datapackage.json", None, check_quotes=False, engine=engine).problems
        reports[engine] = ({(p.resource, p.row, p.field, p.rule, p.value, p.hint, p.file) for p in found},
                           found.total, found.omitted())
    return reports


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


def test_a_constraint_without_a_pandera_check_is_refused(fixture_descriptor, monkeypatch):
    extra = schema.Check("stages", "new-rule", "seq", "hint", lambda f: f["seq"].notna())
    original = schema.field_checks
    monkeypatch.setattr(schema, "field_checks", lambda *a, **k: original(*a, **k) + [extra])
    with pytest.raises(NotImplementedError, match="new-rule"):
        pandera_schemas.schemas(fixture_descriptor)


# --- the pandera engine against the default engine ------------------------------------------

def cli_reports(package, capsys) -> dict:
    """`validate --format json` of each engine, through the command; on stderr only the line naming the package."""
    reports = {}
    for engine in ("fast", "pandera"):
        code = cli.main(["validate", "--package", str(package), "--skip-quotes", "--format", "json",
                         "--engine", engine])
        captured = capsys.readouterr()
        assert (code, captured.err) == (1, f"package: {package / 'datapackage.json'} (russian-returnee-journeys)\n")
        reports[engine] = json.loads(captured.out)
    return reports


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


def test_the_engines_report_the_same_problems_on_the_row_and_cell_cases(tmp_path, capsys):
    """Every row and cell case of the bad-input corpus, stacked in as few packages as leave each
    case's problem in sight: through the command, both engines give the same report (lines,
    fields, rules, values, hints, counts, what is not shown), holding the case's own problem."""
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
        reports = cli_reports(package, capsys)
        assert reports["fast"] == reports["pandera"]
        problems = reports["pandera"]["problems"]
        found = {(p["resource"], p["row"], p["field"], p["rule"]) for p in problems}
        done = [c for c in remaining if expected.get(c.__name__) in found]
        assert done, f"round {round_}: no case's problem found: {[c.__name__ for c in remaining]}"
        remaining = [c for c in remaining if c not in done]
        if more:
            assert more["not_shown"] in reports["pandera"]["not_shown"]
            rules = {(p["resource"], p["row"], p["rule"]) for p in problems}
            assert more["found"] <= rules and not more["not_found"] & rules
    assert round_ <= 3


def test_a_rule_that_cannot_run_is_reported_at_the_descriptor_by_both_engines(package_copy, monkeypatch):
    """A column a rule needs, missing from descriptor and file (past the profile, which names it first)."""
    remove_field(package_copy, "stages", "notes")
    monkeypatch.setattr(descriptor_checks, "check", lambda descriptor: [])
    reports = both(package_copy)
    assert reports["fast"] == reports["pandera"]
    assert ("stages", None, "notes", "descriptor:missing-column") in {p[:4] for p in reports["pandera"][0]}


def test_the_default_engine_does_not_import_pandera(fixture_package):
    code = ("import sys; from returnee_journeys import cli; "
            f"code = cli.main(['validate', '--package', {str(fixture_package)!r}, '--skip-quotes']); "
            "print(code, 'pandera' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[-1] == "0 False"


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
