"""A corpus of bad inputs: each is caught, with exit code, resource, row, field and rule."""
from __future__ import annotations

import json
import shutil

import frictionless
import pytest

from returnee_journeys.validation import provenance
from returnee_journeys import cli
from mutations import (add_column, append_row, drop_column, drop_row, edit_bytes, edit_descriptor, line_of,
                       read_rows, set_cell, write_rows)


def run(package, capsys, sources=None):
    args = ["--package", str(package / "datapackage.json"), "--format", "json"]
    args += ["--sources", str(sources)] if sources else ["--skip-quotes"]
    code = cli.main(["validate"] + args)
    out = capsys.readouterr().out
    report = json.loads(out) if code in (0, 1) else None
    return code, report


def found(report, resource, row, field, rule):
    return any(p["resource"] == resource and p["row"] == row and p["field"] == field and p["rule"] == rule
               for p in report["problems"])


class CellCase:
    """A bad value in one cell: set resource[key].column to value; expect `rule` on `field` there."""

    def __init__(self, name, resource, key, column, value, rule, field=None):
        self.__name__ = name
        self.edit = (resource, key, column, value)
        self.rule, self.field = rule, field or column

    def __call__(self, package):
        resource, key, column, value = self.edit
        return resource, set_cell(package, resource, key, column, value), self.field, self.rule


CELL_CASES = [
    CellCase("wrong_type", "stages", "arseny-02", "seq", "two", "type:integer"),
    CellCase("invalid_edtf", "stages", "aleksey-02", "start", "2022-13", "edtf"),
    CellCase("end_before_start", "stages", "aleksey-02", "end", "2021-01", "end-before-start"),
    CellCase("duplicate_primary_key", "codings", "arseny-02-c01", "coding_id", "arseny-03-c01", "primary-key"),
    CellCase("dangling_foreign_key", "codings", "arseny-02-c01", "factor_id", "no-such-factor", "foreign-key"),
    CellCase("missing_required_value", "stages", "arseny-02", "location_id", "", "required"),
    CellCase("value_outside_enum", "stages", "arseny-02", "stage_type", "holiday", "enum"),
    CellCase("seq_with_gap", "stages", "arseny-04", "seq", "5", "seq-runs-1-to-n"),
    CellCase("journey_not_ending_in_russia", "stages", "arseny-04", "location_id", "serbia",
             "ends-with-return-in-russia", field="stage_type"),
    CellCase("overlapping_stages", "stages", "aleksey-04", "start", "2024-03", "stage-continuity"),
    CellCase("text_cell_is_a_formula", "stages", "arseny-02", "notes", "=HYPERLINK(\"http://x\")", "formula-injection"),
    CellCase("stage_of_another_person", "codings", "arseny-02-c01", "stage_id", "aleksey-04", "stage-source",
             field="source_id"),
    CellCase("planned_stage_with_dates", "stages", "aleksey-03", "start", "2023-01", "planned-has-no-dates"),
    CellCase("date_without_basis", "stages", "aleksey-02", "start_basis", "", "date-basis"),
]


# Cases that break more than a cell: each edits the copy and returns (resource, row, field, rule).
def missing_column(p):
    drop_column(p, "stages", "notes")
    return "stages", 1, "notes", "missing-column"


def unexpected_column(p):
    add_column(p, "stages", "mood")
    return "stages", 1, "mood", "unexpected-column"


def row_with_extra_cell(p):
    rows = read_rows(p, "factors")
    rows[3].append("surplus")
    write_rows(p, "factors", rows)
    return "factors", 4, None, "row-length"


def byte_order_mark(p):
    edit_bytes(p, "persons", lambda raw: b"\xef\xbb\xbf" + raw)
    return "persons", 1, None, "encoding:bom"


def non_utf8_bytes(p):
    line = line_of(p, "locations", "yerevan")
    edit_bytes(p, "locations", lambda raw: raw.replace(b"Yerevan", b"Yer\xe9van"))
    return "locations", line, None, "encoding:utf-8"


def unsafe_resource_path(p):
    edit_descriptor(p, lambda d: d["resources"][0].update(path="../outside.csv"))
    return "sources", None, "path", "safe-path"


def absolute_resource_path(p):
    edit_descriptor(p, lambda d: d["resources"][0].update(path="/etc/passwd"))
    return "sources", None, "path", "safe-path"


def duration_against_dates_unflagged(p):
    drop_row(p, "discrepancies", "aleksey-x03")
    return "durations", line_of(p, "durations", "aleksey-d01"), "value", "duration-agrees-with-dates"


def unused_codebook_factor(p):
    line = append_row(p, "factors", ["weather", "Weather", "personal", "The climate at a place as the person feels it.",
                                        "Heat, cold, rain at a place.", "Seasons as such: none.", "origin destination"])
    return "factors", line, "factor_id", "factor-used"


CASES = CELL_CASES + [missing_column, unexpected_column, row_with_extra_cell, byte_order_mark, non_utf8_bytes,
                      unsafe_resource_path, absolute_resource_path, duration_against_dates_unflagged,
                      unused_codebook_factor]


def test_the_real_package_is_valid(package_copy, capsys):
    code, report = run(package_copy, capsys)
    assert (code, report["problems"]) == (0, [])


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_bad_input_is_reported_where_it_is(case, package_copy, capsys):
    expected = case(package_copy)
    code, report = run(package_copy, capsys)
    assert code == 1
    assert found(report, *expected), (expected, report["problems"])
    problem = next(p for p in report["problems"] if p["rule"] == expected[3])
    assert problem["hint"] and problem["file"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_whatever_frictionless_rejects_we_reject(case, package_copy, capsys):
    case(package_copy)
    try:
        theirs_valid = frictionless.validate(str(package_copy / "datapackage.json")).valid
    except frictionless.FrictionlessException:
        theirs_valid = False
    code, _ = run(package_copy, capsys)
    assert theirs_valid or code == 1


def test_quote_not_in_text(package_copy, sources_dir, capsys):
    line = set_cell(package_copy, "codings", "arseny-02-c01", "quote", "Arseny flew to the moon")
    code, report = run(package_copy, capsys, sources_dir)
    assert code == 1 and found(report, "codings", line, "quote", "quote-verbatim")


def test_text_hash_mismatch(package_copy, sources_dir, tmp_path, capsys):
    texts = tmp_path / "texts"
    shutil.copytree(sources_dir, texts)
    path = provenance.text_path(texts, "bylinetimes-returning-home")
    path.write_bytes(path.read_bytes() + b"\n")
    code, report = run(package_copy, capsys, texts)
    line = line_of(package_copy, "sources", "bylinetimes-returning-home")
    assert code == 1 and found(report, "sources", line, "text_sha256", "text-hash")


def test_missing_texts_fail_only_when_required(package_copy, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("REQUIRE_SOURCES", raising=False)
    empty = tmp_path / "none"
    empty.mkdir()
    args = ["--package", str(package_copy / "datapackage.json"), "--sources", str(empty)]
    assert cli.main(["validate"] + args) == 0
    assert cli.main(["validate"] + args + ["--require-sources"]) == 1
    assert "text-present" in capsys.readouterr().out


def test_unreadable_input_exits_2(package_copy, capsys):
    (package_copy / "data" / "events.csv").unlink()
    assert cli.main(["validate"] + ["--package", str(package_copy / "datapackage.json"), "--skip-quotes"]) == 2
    assert "data/events.csv" in capsys.readouterr().err
    (package_copy / "datapackage.json").write_text("{not json", encoding="utf-8")
    assert cli.main(["validate"] + ["--package", str(package_copy / "datapackage.json"), "--skip-quotes"]) == 2


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["validate"] + ["--format", "yaml"])
    assert exit_.value.code == 2


def test_text_report_names_file_row_field_rule(package_copy, capsys):
    line = set_cell(package_copy, "stages", "arseny-02", "stage_type", "holiday")
    assert cli.main(["validate"] + ["--package", str(package_copy / "datapackage.json"), "--skip-quotes"]) == 1
    out = capsys.readouterr().out
    assert "stages (data/stages.csv)" in out
    assert f"row {line}, field stage_type, value 'holiday': [enum]" in out


def test_validation_never_writes_to_data(package_copy, capsys):
    before = {p.name: p.read_bytes() for p in (package_copy / "data").iterdir()}
    set_cell(package_copy, "stages", "arseny-02", "seq", "x")
    before["stages.csv"] = (package_copy / "data" / "stages.csv").read_bytes()
    cli.main(["validate"] + ["--package", str(package_copy / "datapackage.json"), "--skip-quotes"])
    capsys.readouterr()
    assert {p.name: p.read_bytes() for p in (package_copy / "data").iterdir()} == before


def test_a_descriptor_without_a_coding_table_is_refused_not_a_crash(package_copy, capsys):
    def drop(d):
        stages = next(r for r in d["resources"] if r["name"] == "stages")
        del next(f for f in stages["schema"]["fields"] if f["name"] == "stage_type")["roles"]
    edit_descriptor(package_copy, drop)
    code, report = run(package_copy, capsys)
    assert code == 1 and found(report, "stages", None, "stage_type", "descriptor:coding-table")

