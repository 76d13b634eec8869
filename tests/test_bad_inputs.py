"""A corpus of bad inputs: each is caught, with exit code, resource, row, field and rule."""
from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import os
import shutil
import stat
import unicodedata

import pytest

from returnee_journeys import cli
from returnee_journeys.model import files, names
from returnee_journeys.model import paths
from returnee_journeys.model import problems as problems_module
from returnee_journeys.validation import provenance
from mutations import (add_column, append_row, drop_column, drop_row, edit_bytes, edit_descriptor, line_of,
                       read_rows, remove_field, set_cell, write_rows)


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
    CellCase("wrong_type", "stages", "ivan-03", "seq", "two", "type:integer"),
    CellCase("invalid_edtf", "stages", "ivan-03", "start", "2022-13", "edtf"),
    CellCase("end_before_start", "stages", "ivan-03", "end", "2021-01", "end-before-start"),
    CellCase("duplicate_primary_key", "codings", "ivan-03-c01", "coding_id", "ivan-03-c02", "primary-key"),
    CellCase("dangling_foreign_key", "codings", "ivan-03-c01", "factor_id", "no-such-factor", "foreign-key"),
    CellCase("missing_required_value", "stages", "ivan-03", "location_id", "", "required"),
    CellCase("stage_without_person", "stages", "ivan-03", "person_id", "", "required"),
    CellCase("value_outside_enum", "stages", "ivan-03", "stage_type", "holiday", "enum"),
    CellCase("seq_with_gap", "stages", "ivan-07", "seq", "8", "seq-runs-1-to-n"),
    CellCase("journey_not_ending_at_home", "stages", "ivan-07", "location_id", "marlow-bay",
             "ends-with-return-home", field="stage_type"),
    CellCase("overlapping_stages", "stages", "ivan-05", "start", "2023-04", "stage-continuity"),
    CellCase("text_cell_is_a_formula", "stages", "ivan-03", "notes", "=HYPERLINK(\"http://x\")", "formula-injection"),
    CellCase("stage_of_another_person", "codings", "ivan-03-c01", "stage_id", "pavel-03", "stage-source",
             field="source_id"),
    CellCase("planned_stage_with_dates", "stages", "ivan-06", "start", "2023-06", "planned-has-no-dates"),
    CellCase("date_without_basis", "stages", "ivan-03", "start_basis", "", "date-basis"),
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
    line = line_of(p, "locations", "marlow-bay")
    edit_bytes(p, "locations", lambda raw: raw.replace(b"Marlow Bay", b"Marl\xf6w Bay"))
    return "locations", line, None, "encoding:utf-8"


def unsafe_resource_path(p):
    edit_descriptor(p, lambda d: d["resources"][0].update(path="../outside.csv"))
    return "sources", None, "path", "descriptor:safe-path"


def absolute_resource_path(p):
    edit_descriptor(p, lambda d: d["resources"][0].update(path="/etc/passwd"))
    return "sources", None, "path", "descriptor:safe-path"


def duration_against_dates_unflagged(p):
    drop_row(p, "discrepancies", "olga-x01")
    return "durations", line_of(p, "durations", "olga-d01"), "value", "duration-agrees-with-dates"


def unused_codebook_factor(p):
    line = append_row(p, "factors", ["weather", "Weather", "personal", "The climate at a place as the person feels it.",
                                        "Heat, cold, rain at a place.", "Seasons as such: none.", "origin destination"])
    return "factors", line, "factor_id", "factor-used"


CASES = CELL_CASES + [missing_column, unexpected_column, row_with_extra_cell, byte_order_mark, non_utf8_bytes,
                      unsafe_resource_path, absolute_resource_path, duration_against_dates_unflagged,
                      unused_codebook_factor]


def test_the_fixture_is_valid_with_its_texts(package_copy, fixture_sources, capsys):
    code, report = run(package_copy, capsys, fixture_sources)
    assert (code, report["problems"]) == (0, [])


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_bad_input_is_reported_where_it_is(case, package_copy, capsys):
    expected = case(package_copy)
    code, report = run(package_copy, capsys)
    assert code == 1
    assert found(report, *expected), (expected, report["problems"])
    problem = next(p for p in report["problems"] if p["rule"] == expected[3])
    assert problem["hint"] and problem["file"]
    assert not any(p["rule"] == "descriptor:check-failed" for p in report["problems"])  # every rule ran


# The differential with frictionless, as a table: for each case above, whether `frictionless validate`
# (5.21, on the same package) also rejects it. We reject every case (the test above), so whatever
# frictionless rejects, we reject; the cases it lets through are what the journey rules add.
# Measured, not assumed: FRICTIONLESS_DIFFERENTIAL=1 runs frictionless on each case and compares
# (slow: one frictionless run per case, so not part of `make test`). Documented in docs/validation.md.
FRICTIONLESS_CATCHES = {
    "wrong_type": True,
    "invalid_edtf": False,
    "end_before_start": False,
    "duplicate_primary_key": True,
    "dangling_foreign_key": True,
    "missing_required_value": True,
    "stage_without_person": True,
    "value_outside_enum": True,
    "seq_with_gap": False,
    "journey_not_ending_at_home": False,
    "overlapping_stages": False,
    "text_cell_is_a_formula": False,
    "stage_of_another_person": False,
    "planned_stage_with_dates": False,
    "date_without_basis": False,
    "missing_column": True,
    "unexpected_column": True,
    "row_with_extra_cell": True,
    "byte_order_mark": False,
    "non_utf8_bytes": True,
    "unsafe_resource_path": True,
    "absolute_resource_path": True,
    "duration_against_dates_unflagged": False,
    "unused_codebook_factor": False,
}


def test_the_frictionless_table_covers_every_case():
    assert list(FRICTIONLESS_CATCHES) == [case.__name__ for case in CASES]


@pytest.mark.skipif(not os.environ.get("FRICTIONLESS_DIFFERENTIAL"), reason="set FRICTIONLESS_DIFFERENTIAL=1")
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.__name__)
def test_frictionless_catches_what_the_table_says(case, package_copy):
    import frictionless  # slow to import, and only this opt-in test needs it

    case(package_copy)
    try:
        theirs_valid = frictionless.validate(str(package_copy / "datapackage.json")).valid
    except frictionless.FrictionlessException:
        theirs_valid = False
    assert (not theirs_valid) == FRICTIONLESS_CATCHES[case.__name__]


def test_quote_not_in_text(package_copy, fixture_sources, capsys):
    line = set_cell(package_copy, "codings", "ivan-03-c01", "quote", "Ivan flew to the moon")
    code, report = run(package_copy, capsys, fixture_sources)
    assert code == 1 and found(report, "codings", line, "quote", "quote-verbatim")


def test_text_hash_mismatch(package_copy, fixture_sources, tmp_path, capsys):
    texts = tmp_path / "texts"
    shutil.copytree(fixture_sources, texts)
    path = provenance.text_path(texts, "herald-pavel")
    path.write_bytes(path.read_bytes() + b"\n")
    code, report = run(package_copy, capsys, texts)
    line = line_of(package_copy, "sources", "herald-pavel")
    assert code == 1 and found(report, "sources", line, "text_sha256", "text-hash")


def test_a_text_that_is_not_utf8_is_one_problem_not_one_per_quote(package_copy, fixture_sources, tmp_path, capsys):
    texts = tmp_path / "texts"
    shutil.copytree(fixture_sources, texts)
    path = provenance.text_path(texts, "herald-pavel")
    path.write_bytes(path.read_text(encoding="utf-8").encode("utf-16"))  # the copy that was coded, by its hash
    line = set_cell(package_copy, "sources", "herald-pavel", "text_sha256", hashlib.sha256(path.read_bytes()).hexdigest())
    code, report = run(package_copy, capsys, texts)
    assert code == 1 and [(p["resource"], p["row"], p["rule"]) for p in report["problems"]] == [
        ("sources", line, "text-encoding")]


def test_missing_texts_fail_only_when_required(package_copy, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("REQUIRE_SOURCES", raising=False)
    empty = tmp_path / "none"
    empty.mkdir()
    args = ["--package", str(package_copy / "datapackage.json"), "--sources", str(empty)]
    assert cli.main(["validate"] + args) == 0
    captured = capsys.readouterr()
    banner, verdict = captured.out.splitlines()[:2]
    assert banner == f"package: {package_copy / 'datapackage.json'} (russian-returnee-journeys)"
    assert verdict.startswith("valid") and "not checked" in captured.err
    assert cli.main(["validate"] + args + ["--require-sources"]) == 1
    assert "text-present" in capsys.readouterr().out


def test_unreadable_input_exits_2(package_copy, capsys):
    (package_copy / "data" / "events.csv").unlink()
    assert cli.main(["validate"] + ["--package", str(package_copy / "datapackage.json"), "--skip-quotes"]) == 2
    assert "data/events.csv" in capsys.readouterr().err
    (package_copy / "datapackage.json").write_text("{not json", encoding="utf-8")
    assert cli.main(["validate"] + ["--package", str(package_copy / "datapackage.json"), "--skip-quotes"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "cannot read the descriptor" in captured.err and captured.err.count("\n") == 1


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["validate"] + ["--format", "yaml"])
    assert exit_.value.code == 2
    assert "invalid choice: 'yaml'" in capsys.readouterr().err


def test_text_report_names_file_row_field_rule(package_copy, capsys):
    line = set_cell(package_copy, "stages", "ivan-03", "stage_type", "holiday")
    assert cli.main(["validate"] + ["--package", str(package_copy / "datapackage.json"), "--skip-quotes"]) == 1
    out = capsys.readouterr().out
    assert "stages (data/stages.csv)" in out
    assert f"row {line}, field stage_type, value 'holiday': [enum]" in out


def test_validation_never_writes_to_data(package_copy, capsys):
    before = {p.name: p.read_bytes() for p in (package_copy / "data").iterdir()}
    set_cell(package_copy, "stages", "ivan-03", "seq", "x")
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



# --- hostile and broken input (issue 11): each class on the fixture ------------------------------

SECRET = "TOKEN-7f3c9a-not-for-reports"


def run_all(package, capsys, *extra):
    """Exit code, stdout and stderr of `validate --format json` on the package."""
    code = cli.main(["validate", "--package", str(package / "datapackage.json"), "--format", "json", *extra])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def rules_of(out):
    return {(p["resource"], p["row"], p["field"], p["rule"]) for p in json.loads(out)["problems"]}


def secret_file(tmp_path):
    path = tmp_path / "secret.csv"
    path.write_text(f"event_id,date\n{SECRET},2022\n", encoding="utf-8")
    return path


def as_symlink_outside(p, tmp_path):
    (p / "data" / "events.csv").unlink()
    (p / "data" / "events.csv").symlink_to(secret_file(tmp_path))


def as_symlink_inside(p, tmp_path):
    (p / "data" / "events.csv").unlink()
    (p / "data" / "events.csv").symlink_to(p / "data" / "factors.csv")


def as_fifo(p, tmp_path):
    (p / "data" / "events.csv").unlink()
    os.mkfifo(p / "data" / "events.csv")


def as_directory(p, tmp_path):
    (p / "data" / "events.csv").unlink()
    (p / "data" / "events.csv").mkdir()


def as_device(p, tmp_path):
    (p / "data" / "events.csv").unlink()
    try:
        os.mknod(p / "data" / "events.csv", 0o644 | stat.S_IFCHR, os.makedev(1, 3))  # like /dev/null
    except (PermissionError, OSError):
        pytest.skip("this machine does not allow mknod")


def data_folder_is_a_symlink(p, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    shutil.move(p / "data", elsewhere)
    (p / "data").symlink_to(elsewhere)


@pytest.mark.parametrize("make", [as_symlink_outside, as_symlink_inside, as_fifo, as_directory, as_device,
                                  data_folder_is_a_symlink], ids=lambda f: f.__name__)
def test_only_regular_files_inside_the_package_are_read(make, package_copy, tmp_path, capsys):
    make(package_copy, tmp_path)
    code, out, err = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1, err
    assert ("events", None, "path", "regular-file") in rules_of(out)
    assert SECRET not in out + err


def test_a_file_in_a_linked_folder_is_not_called_a_link_itself(package_copy, tmp_path, capsys):
    data_folder_is_a_symlink(package_copy, tmp_path)
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    hints = {p["hint"] for p in json.loads(out)["problems"] if p["resource"] == "events"}
    assert code == 1 and hints == {"data/events.csv is in a folder that is a symbolic link (data): only regular "
                                   "files inside the package are read"}


def test_a_text_that_is_not_a_regular_file_is_refused_unread(package_copy, fixture_sources, tmp_path, capsys):
    texts = tmp_path / "texts"
    shutil.copytree(fixture_sources, texts)
    (texts / "herald-pavel.txt").unlink()
    (texts / "herald-pavel.txt").symlink_to(secret_file(tmp_path))
    code, out, err = run_all(package_copy, capsys, "--sources", str(texts))
    assert code == 1
    assert ("sources", line_of(package_copy, "sources", "herald-pavel"), "source_id", "text-file") in rules_of(out)
    assert SECRET not in out + err


@pytest.mark.parametrize("source_id", ["../secret", "x" * 5000, "a\x00b"])
def test_a_source_id_cannot_reach_outside_the_texts_folder(source_id, package_copy, fixture_sources, capsys):
    def loosen(d):  # a hostile descriptor: no pattern on the ids
        for resource in d["resources"]:
            for f in resource["schema"]["fields"]:
                if f["name"] == "source_id":
                    f["constraints"].pop("pattern", None)
    edit_descriptor(package_copy, loosen)
    for resource in ("sources",):
        rows = read_rows(package_copy, resource)
        rows[2][0] = source_id
        write_rows(package_copy, resource, rows)
    code, out, err = run_all(package_copy, capsys, "--sources", str(fixture_sources), "--require-sources")
    assert code == 1 and "Traceback" not in err
    assert any(r[3] in ("text-file", "control-character") for r in rules_of(out))


@pytest.mark.parametrize("key, value", [("name", "./../pwned"), ("version", "1.0/../../x"), ("name", "x" * 300)])
def test_names_that_become_file_names_must_be_safe(key, value, package_copy, capsys):
    edit_descriptor(package_copy, lambda d: d.update({key: value}))
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and ("datapackage.json", None, key, "descriptor:safe-name") in rules_of(out)


def test_a_resource_name_must_be_safe(package_copy, capsys):
    edit_descriptor(package_copy, lambda d: d["resources"][-1].update(name="../ledger"))
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and ("../ledger", None, "name", "descriptor:safe-name") in rules_of(out)


def test_writers_refuse_names_that_leave_their_folder(tmp_path):
    with pytest.raises(names.UnsafeName):
        names.inside(tmp_path, "../pwned-0.1.0.zip")
    with pytest.raises(names.UnsafeName):
        names.checked("./../pwned")
    assert names.inside(tmp_path, "ok-0.1.0.zip") == tmp_path / "ok-0.1.0.zip"


def deep_json(p):
    (p / "datapackage.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")


def nan_in_json(p):
    (p / "datapackage.json").write_text('{"name": NaN, "resources": []}', encoding="utf-8")


def repeated_key(p):
    (p / "datapackage.json").write_text('{"name": "a", "name": "b"}', encoding="utf-8")


def descriptor_is_a_fifo(p):
    (p / "datapackage.json").unlink()
    os.mkfifo(p / "datapackage.json")


@pytest.mark.parametrize("make", [deep_json, nan_in_json, repeated_key, descriptor_is_a_fifo],
                         ids=lambda f: f.__name__)
def test_an_unreadable_descriptor_is_exit_2_in_one_line(make, package_copy, capsys):
    make(package_copy)
    code, out, err = run_all(package_copy, capsys)
    assert code == 2 and out == "" and err.startswith("error: ") and err.count("\n") == 1


def test_an_overlong_package_path_is_exit_2(capsys):
    code = cli.main(["validate", "--package", "/tmp/" + "x" * 5000])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: ") and "Traceback" not in err


def test_integers_beyond_64_bits_are_type_errors(package_copy, capsys):
    lines = [set_cell(package_copy, "stages", "ivan-03", "seq", "99999999999999999999999"),
             set_cell(package_copy, "stages", "ivan-05", "seq", "-9223372036854775809")]
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and {("stages", line, "seq", "type:integer") for line in lines} <= rules_of(out)


@pytest.mark.parametrize("constraint", [{"minimum": 10**30}, {"minimum": True}, {"maxLength": -1}])
def test_impossible_constraints_are_reported_at_the_descriptor(constraint, package_copy, capsys):
    def change(d):
        stages = next(r for r in d["resources"] if r["name"] == "stages")
        next(f for f in stages["schema"]["fields"] if f["name"] == "seq")["constraints"].update(constraint)
    edit_descriptor(package_copy, change)
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    problems = json.loads(out)["problems"]
    assert code == 1 and all(p["file"] == "datapackage.json" for p in problems)
    assert any(p["field"].startswith("seq.constraints") for p in problems)


def test_non_finite_numbers_are_refused(package_copy, capsys):
    values = {"severograd": "1e309", "kestrel-region": "-1e400", "marlow-bay": "NaN", "veldland": "inf",
              "farland": "Infinity"}  # one run, one row each
    lines = [set_cell(package_copy, "locations", key, "latitude", value) for key, value in values.items()]
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and {("locations", line, "latitude", "type:number") for line in lines} <= rules_of(out)


def test_an_event_dated_after_its_text(package_copy, capsys):
    line = set_cell(package_copy, "events", "war-begins", "date", "2026-01")
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and ("events", line, "date", "after-text") in rules_of(out)


@pytest.mark.parametrize("resource", ["events", "persons", "stages", "sources", "locations"])
def test_a_header_only_table_the_rules_need_is_refused(resource, package_copy, capsys):
    write_rows(package_copy, resource, read_rows(package_copy, resource)[:1])
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and (resource, None, None, "has-rows") in rules_of(out)
    assert not any(rule == "descriptor:check-failed" for _, _, _, rule in rules_of(out))


def test_events_without_any_date_are_refused(package_copy, capsys):
    rows = read_rows(package_copy, "events")
    write_rows(package_copy, "events", [rows[0]] + [r[:1] + [""] + r[2:] for r in rows[1:]])
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and ("events", None, "date", "has-a-dated-event") in rules_of(out)


def test_control_characters_in_free_text_are_refused(package_copy, capsys):
    texts = {"ivan-01": "a\x00b", "ivan-02": "bell\x07", "ivan-03": "esc\x1b[31m", "ivan-04": "rtl\u202eoverride",
             "ivan-05": "c1\x85", "olga-02": "isolate\u2066x", "olga-03": "del\x7f"}  # one run, one row each
    lines = [set_cell(package_copy, "stages", key, "notes", text) for key, text in texts.items()]
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and {("stages", line, "notes", "control-character") for line in lines} <= rules_of(out)


def test_a_multi_line_note_is_valid_free_text(package_copy, capsys):
    set_cell(package_copy, "stages", "ivan-03", "notes", "first line\nsecond line\twith a tab")
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert (code, json.loads(out)["problems"]) == (0, [])


@pytest.mark.parametrize("season", ["2022-22", "2022-24"])  # spring is in the fixture; winter runs into 2023
def test_edtf_seasons_are_valid(season, package_copy, capsys):
    set_cell(package_copy, "stages", "pavel-01", "end", season)
    set_cell(package_copy, "stages", "pavel-02", "start", season)
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert (code, json.loads(out)["problems"]) == (0, [])


def test_a_quoted_header_is_valid(package_copy, capsys):
    rows = read_rows(package_copy, "factors")
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)
    (package_copy / "data" / "factors.csv").write_text(buffer.getvalue(), encoding="utf-8")
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert (code, json.loads(out)["problems"]) == (0, [])


def test_a_row_longer_than_arrows_block_is_valid(package_copy, capsys):
    set_cell(package_copy, "stages", "ivan-03", "notes", "long " * 600_000)  # 3 MB, Arrow reads 1 MB blocks
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert (code, json.loads(out)["problems"]) == (0, [])


def test_lines_are_physical_after_multi_line_cells(package_copy, capsys):
    set_cell(package_copy, "stages", "ivan-02", "notes", "one\ntwo\nthree")
    set_cell(package_copy, "stages", "ivan-05", "stage_type", "holiday")
    raw = (package_copy / "data" / "stages.csv").read_text(encoding="utf-8")
    physical = raw.split("\n").index(next(line for line in raw.split("\n") if line.startswith("ivan-05,"))) + 1
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and ("stages", physical, "stage_type", "enum") in rules_of(out)
    assert physical == line_of(package_copy, "stages", "ivan-05") + 2


def test_row_length_lines_are_physical_after_multi_line_cells(package_copy, capsys):
    set_cell(package_copy, "factors", "call-up", "definition", "A call-up,\nannounced\nwhere the person lives.")
    rows = read_rows(package_copy, "factors")
    rows[3].append("surplus")
    write_rows(package_copy, "factors", rows)
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and ("factors", 6, None, "row-length") in rules_of(out)


def test_a_created_that_is_not_a_date_time_is_reported_and_the_qda_files_stay_valid(package_copy, fixture_sources,
                                                                                   capsys, tmp_path):
    """`created` as a day ("2026-12-04"): the Data Package profile asks for an RFC 3339 date-time, which a
    JSON Schema pass does not check; `validate` said valid and `qdpx` stopped with an internal error (REFI's
    creationDateTime is an xsd:dateTime), the annotations calling the day a dateTime. Now `validate` names
    it, and the REFI-QDA project and the annotations leave out a time they do not have."""
    from returnee_journeys.context import Context
    from returnee_journeys.exports import qdpx, web_annotations
    from returnee_journeys.model import journeys, texts

    edit_descriptor(package_copy, lambda d: d.update(created="2026-12-04"))
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and rules_of(out) == {("datapackage.json", None, "created", "descriptor:structure")}
    ctx = Context.open(package_copy, sources=fixture_sources)
    assert qdpx.build(ctx, tmp_path / "qdpx").is_file()  # checked against REFI's Project.xsd as it is written
    data = journeys.read(ctx.path)
    document = web_annotations.collection(data, texts.verified(data.table("sources"), ctx.sources))
    assert all("created" not in item for item in document["first"]["items"])


@pytest.mark.parametrize("name", ["agreement", "stages_dated"])
def test_a_table_named_like_a_table_the_sqlite_export_adds_is_reported(name, package_copy, capsys):
    """A team's own table called `agreement` (or a view's name) was valid, then `exports` stopped with an
    internal error (table already exists)."""
    (package_copy / "data" / f"{name}.csv").write_text("note_id\nn1\n", encoding="utf-8")

    def add(d):
        own = copy.deepcopy(next(r for r in d["resources"] if r["name"] == "events"))
        own.update(name=name, path=f"data/{name}.csv")
        own["schema"] = {"fields": [{"name": "note_id", "title": "Note", "type": "string", "description": "id"}],
                         "primaryKey": ["note_id"], "missingValues": [""]}
        d["resources"].append(own)
    edit_descriptor(package_copy, add)
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and rules_of(out) == {(name, None, "name", "descriptor:reserved-name")}


def test_a_column_a_rule_needs_is_reported_at_the_descriptor(package_copy, capsys):
    remove_field(package_copy, "stages", "notes")
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    problems = json.loads(out)["problems"]
    # the journey-package profile names the missing field first; without a profile, the rule that
    # needs the column reports it (test_schema.py): either way at the descriptor, never as row failures
    assert code == 1 and problems and all(
        (p["resource"], p["row"], p["file"]) == ("stages", None, "datapackage.json") for p in problems)


def test_an_invalid_regex_is_reported_at_the_descriptor(package_copy, capsys):
    def change(d):
        next(r for r in d["resources"] if r["name"] == "factors")["schema"]["fields"][0]["constraints"]["pattern"] = "([a-z"
    edit_descriptor(package_copy, change)
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and rules_of(out) == {("factors", None, "factor_id.constraints.pattern", "descriptor:invalid-regex")}


def test_a_foreign_key_to_a_missing_field_is_reported_at_the_descriptor(package_copy, capsys):
    def change(d):
        next(r for r in d["resources"] if r["name"] == "codings")["schema"]["foreignKeys"][1]["reference"]["fields"] = ["nope"]
    edit_descriptor(package_copy, change)
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and rules_of(out) == {("codings", None, "schema.foreignKeys[1]", "descriptor:foreign-key-field-missing")}


def test_a_quote_whose_source_field_is_not_a_field_is_reported_at_the_descriptor(package_copy, capsys):
    def change(d):
        fields = next(r for r in d["resources"] if r["name"] == "discrepancies")["schema"]["fields"]
        next(f for f in fields if f["name"] == "quote_b")["sourceField"] = "source_id_c"
    edit_descriptor(package_copy, change)
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and rules_of(out) == {("discrepancies", None, "quote_b.sourceField", "descriptor:structure")}


def test_a_duplicated_header_is_named_as_such(package_copy, capsys):
    rows = read_rows(package_copy, "factors")
    rows[0][2] = "label"
    write_rows(package_copy, "factors", rows)
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and ("factors", 1, "label", "duplicate-column") in rules_of(out)


def test_a_quote_in_another_unicode_form_gets_a_hint_that_says_so(package_copy, fixture_sources, capsys):
    quote = unicodedata.normalize("NFD", "where he found work in a café")
    line = set_cell(package_copy, "codings", "ivan-03-c01", "quote", quote)
    code, out, _ = run_all(package_copy, capsys, "--sources", str(fixture_sources))
    problem = next(p for p in json.loads(out)["problems"] if p["rule"] == "quote-verbatim")
    assert code == 1 and problem["row"] == line and "NFC" in problem["hint"] and "NFD" in problem["hint"]


def test_a_text_with_windows_line_endings_gets_a_hint_that_says_so(package_copy, fixture_sources, tmp_path, capsys):
    texts = tmp_path / "texts"
    shutil.copytree(fixture_sources, texts)
    path = texts / "herald-pavel.txt"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    code, out, _ = run_all(package_copy, capsys, "--sources", str(texts))
    hints = [p["hint"] for p in json.loads(out)["problems"] if p["rule"] in ("text-hash", "ledger-covers-text")]
    assert code == 1 and hints and all("CRLF" in h for h in hints)


@pytest.mark.parametrize("table", ["persons", "stages", "codings", "durations", "person_sources"])
def test_a_table_refused_at_reading_is_not_reported_again_through_the_rows_it_holds(table, package_copy,
                                                                                    fixture_sources, capsys):
    """The ledger and the discrepancies name rows of other tables; when one table cannot be read (here:
    CRLF line endings), its problem is reported once and the rows named in it are not judged against nothing."""
    path = package_copy / "data" / f"{table}.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    code, out, _ = run_all(package_copy, capsys, "--sources", str(fixture_sources))
    assert code == 1 and {(resource, rule) for resource, _, _, rule in rules_of(out)} == {(table, "line-endings")}


def test_a_codebook_factor_used_only_in_a_table_refused_at_reading_is_not_called_unused(package_copy, capsys):
    """factor-used reads the reliability codings too: when they cannot be read, it is left out."""
    append_row(package_copy, "factors", ["weather"] + read_rows(package_copy, "factors")[1][1:])
    rows = read_rows(package_copy, "codings_by_coder")
    rows[1][rows[0].index("factor_id")] = "weather"
    write_rows(package_copy, "codings_by_coder", rows)
    edit_bytes(package_copy, "codings_by_coder", lambda raw: raw.replace(b"\n", b"\r\n"))
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and {(r, rule) for r, _, _, rule in rules_of(out)} == {("codings_by_coder", "line-endings")}


def test_rows_of_the_wrong_length_refuse_their_table_and_are_not_reported_again_elsewhere(package_copy, capsys):
    """Left out, the rows of the wrong length were missed by every row naming them (foreign keys,
    rules, the ledger): one bad row of persons was forty problems in six tables."""
    rows = read_rows(package_copy, "persons")
    rows[1].append("surplus")
    rows[2].pop()
    write_rows(package_copy, "persons", rows)
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and rules_of(out) == {("persons", 2, None, "row-length"), ("persons", 3, None, "row-length")}


def test_a_stage_naming_a_place_that_does_not_exist_is_reported_once(package_copy, capsys):
    """The dangling location_id is the foreign key's problem; whether the place is at home is not judged again."""
    line = set_cell(package_copy, "stages", "ivan-07", "location_id", "nowhere")  # a return: at home?
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and rules_of(out) == {("stages", line, "location_id", "foreign-key")}


def test_a_stage_naming_a_person_who_does_not_exist_is_not_judged_through_that_person(package_copy, capsys):
    """Whether a text reports on the person, and whether the journey ends at home, need the person's row:
    the dangling person_id is reported by the foreign key, not again by the stage's or its codings' rules."""
    line = set_cell(package_copy, "stages", "ivan-02", "person_id", "nobody")
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    found = rules_of(out)
    assert code == 1 and ("stages", line, "person_id", "foreign-key") in found
    assert not {rule for _, _, _, rule in found} & {"person-source", "stage-source", "ends-with-return-home",
                                                    "place-fits-stage-type"}


def test_an_empty_file_is_one_problem_not_one_per_column(package_copy, capsys):
    (package_copy / "data" / "persons.csv").write_bytes(b"")
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    problems = json.loads(out)["problems"]
    assert code == 1 and [(p["resource"], p["row"], p["field"], p["rule"]) for p in problems] == [
        ("persons", 1, None, "missing-column")]
    assert "person_id,source_id" in problems[0]["hint"]


def test_a_person_without_an_id_is_reported_as_required_not_again_as_without_an_origin_stage(package_copy, capsys):
    line = set_cell(package_copy, "persons", "ivan", "person_id", "")
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and {(r, rule) for r, row, _, rule in rules_of(out) if row == line and r == "persons"} == {
        ("persons", "required")}


def test_a_cell_that_fails_its_type_is_not_reported_again_by_a_rule_on_its_field(package_copy, capsys):
    line = set_cell(package_copy, "durations", "olga-d01", "value", "6.50x")  # a numeric qualifier wants a value
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and rules_of(out) == {("durations", line, "value", "type:number")}


def test_a_ledger_listing_that_fails_its_pattern_is_reported_once(package_copy, fixture_sources, capsys):
    """A malformed `rows` cell (two spaces, a word that is no reference) is the pattern's problem: its references
    are not judged again as rows that do not exist or do not quote the sentence. The hint shows the example."""
    rows = read_rows(package_copy, "ledger")
    at = next(i for i, r in enumerate(rows) if r[rows[0].index("rows")].count(" ") >= 2)
    cell = rows[at][rows[0].index("rows")]
    rows[at][rows[0].index("rows")] = cell.replace(" ", "  ", 1) + " nonsense"
    write_rows(package_copy, "ledger", rows)
    code, out, _ = run_all(package_copy, capsys, "--sources", str(fixture_sources))
    problems = json.loads(out)["problems"]
    assert code == 1 and [(p["resource"], p["row"], p["field"], p["rule"]) for p in problems] == [
        ("ledger", at + 1, "rows", "pattern")]
    assert "see the field's example" in problems[0]["hint"]


@pytest.mark.parametrize("written", ["person_id ", "Person_ID", "person_id\u200b"])
def test_a_column_name_misspelt_by_case_space_or_an_invisible_character_is_one_problem(written, package_copy,
                                                                                       capsys):
    edit_bytes(package_copy, "persons", lambda raw: raw.replace(b"person_id,", written.encode() + b",", 1))
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    problems = json.loads(out)["problems"]
    assert code == 1 and [(p["resource"], p["row"], p["field"], p["rule"], p["value"]) for p in problems] == [
        ("persons", 1, "person_id", "unexpected-column", written)]
    assert repr(written) in problems[0]["hint"] and "write 'person_id'" in problems[0]["hint"]


@pytest.mark.parametrize("removed", ["occupation", "notes"])
def test_a_field_removed_from_the_descriptor_is_one_problem_naming_it(removed, package_copy, capsys):
    """Removed in the middle, it shifts the fields after it; at the end, too few are left: one problem either way."""
    remove_field(package_copy, "persons", removed)
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    problems = json.loads(out)["problems"]
    assert code == 1 and len(problems) == 1 and removed in problems[0]["hint"]


def test_a_descriptor_saved_with_a_byte_order_mark_gets_a_hint_that_says_so(package_copy, capsys):
    descriptor = package_copy / "datapackage.json"
    descriptor.write_bytes(b"\xef\xbb\xbf" + descriptor.read_bytes())
    code, out, err = run_all(package_copy, capsys)
    assert code == 2 and out == "" and "byte-order mark; save it as UTF-8 without BOM" in err


@pytest.mark.parametrize("encode", [lambda raw: raw.decode("utf-8").encode("utf-16-le"), lambda raw: bytes(4096)],
                         ids=["utf-16-without-bom", "binary"])
def test_a_table_that_is_binary_or_utf16_is_one_problem_at_its_first_line(encode, package_copy, capsys):
    edit_bytes(package_copy, "persons", encode)
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and rules_of(out) == {("persons", 1, None, "encoding:nul")}


def test_a_very_long_column_name_is_shown_cut_in_the_text_report(package_copy, capsys):
    add_column(package_copy, "stages", "x" * 5000)
    code = cli.main(["validate", "--package", str(package_copy), "--skip-quotes"])
    printed = capsys.readouterr().out
    assert code == 1 and "[unexpected-column]" in printed and max(map(len, printed.splitlines())) < 1000


def test_a_descriptor_escaping_half_a_surrogate_pair_is_refused_in_one_line(package_copy, capsys):
    """json reads "\\ud800" as a string no file can hold: the exports would fail on it after a valid report."""
    descriptor = package_copy / "datapackage.json"
    text = descriptor.read_text(encoding="utf-8").replace('"title": "', '"title": "\\ud800', 1)
    descriptor.write_text(text, encoding="utf-8")
    code, out, err = run_all(package_copy, capsys)
    assert code == 2 and out == "" and "\\ud800 is half of a surrogate pair" in err


def test_each_problem_is_reported_once(package_copy, capsys):
    line = set_cell(package_copy, "stages", "ivan-03", "seq", "two")  # not also `required`
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    at_cell = [p for p in json.loads(out)["problems"] if p["row"] == line and p["field"] == "seq"]
    assert code == 1 and [p["rule"] for p in at_cell] == ["type:integer"]
    text = cli.main(["validate", "--package", str(package_copy), "--skip-quotes"])
    printed = capsys.readouterr().out.splitlines()
    printed = [line for line in printed if line]
    assert text == 1 and len(printed) == len(set(printed))


def test_many_failures_are_counted_and_a_few_shown(package_copy, capsys):
    n = 30_000
    rows = read_rows(package_copy, "factors")
    rows += [[f"unused-{i}", "Unused", "personal", "A factor that no coding uses at all.", "Whatever a text says.",
              "Nothing else at all.", "personal"] for i in range(n)]
    write_rows(package_copy, "factors", rows)
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    report = json.loads(out)
    shown = [p for p in report["problems"] if p["rule"] == "factor-used"]
    assert code == 1 and report["count"] == n and len(shown) == problems_module.LIMIT
    assert report["not_shown"] == [{"resource": "factors", "rule": "factor-used", "field": "factor_id",
                                    "not_shown": n - problems_module.LIMIT}]
    cli.main(["validate", "--package", str(package_copy), "--skip-quotes"])
    assert f"… and {n - problems_module.LIMIT} more [factor-used]" in capsys.readouterr().out


def test_a_header_of_many_unknown_columns_shows_a_few_and_counts_the_rest(package_copy, capsys):
    """One problem per column, each on a field of its own: the per-field limit alone printed them all (a
    header of 100,000 columns, 100,000 lines)."""
    n = 500
    rows = read_rows(package_copy, "stages")
    write_rows(package_copy, "stages", [rows[0] + [f"x{i}" for i in range(n)]] + [r + [""] * n for r in rows[1:]])
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    report = json.loads(out)
    shown = [p for p in report["problems"] if p["rule"] == "unexpected-column"]
    limit = problems_module.LIMIT * problems_module.FIELDS_SHOWN
    assert code == 1 and report["count"] == n and len(shown) == limit
    assert report["not_shown"] == [{"resource": "stages", "rule": "unexpected-column", "field": None,
                                    "not_shown": n - limit}]
    cli.main(["validate", "--package", str(package_copy), "--skip-quotes"])
    printed = capsys.readouterr().out
    assert f"… and {n - limit} more [unexpected-column] on other fields not shown" in printed
    assert len(printed.splitlines()) < limit + 10


@pytest.mark.parametrize("value, required", [("0", False), ("false", False), ("no", False), (" No ", False),
                                             ("", False), ("1", True), ("yes", True), ("true", True)])
def test_require_sources_reads_the_usual_words(value, required, monkeypatch):
    monkeypatch.setenv("REQUIRE_SOURCES", value)
    assert paths.sources_required() is required


def test_an_explicit_sources_folder_that_does_not_exist_is_exit_2(package_copy, tmp_path, capsys, monkeypatch):
    code, _, err = run_all(package_copy, capsys, "--sources", str(tmp_path / "nope"))
    assert code == 2 and "does not exist" in err
    monkeypatch.setenv("SOURCES_DIR", str(tmp_path / "nope"))
    code, _, err = run_all(package_copy, capsys)
    assert code == 2 and "does not exist" in err


def test_a_sources_path_that_is_a_file_is_not_called_missing(package_copy, capsys):
    code, _, err = run_all(package_copy, capsys, "--sources", str(package_copy / "datapackage.json"))
    assert code == 2 and "is not a folder" in err


@pytest.mark.parametrize("command", ["figures", "exports"])
def test_figures_and_exports_are_made_only_from_a_valid_package(command, package_copy, tmp_path, capsys):
    set_cell(package_copy, "stages", "ivan-03", "stage_type", "holiday")
    out = tmp_path / "out"
    code = cli.main([command, "--package", str(package_copy), "--out", str(out)])
    assert code == 1 and not out.exists()
    assert "does not validate" in capsys.readouterr().err


def test_a_tampered_file_is_named(package_copy, capsys):
    raw = (package_copy / "data" / "stages.csv").read_bytes()
    def sign(d):
        for resource in d["resources"]:
            content = (package_copy / resource["path"]).read_bytes()
            resource["bytes"], resource["hash"] = len(content), "sha256:" + hashlib.sha256(content).hexdigest()
    edit_descriptor(package_copy, sign)
    assert run_all(package_copy, capsys, "--skip-quotes")[0] == 0
    (package_copy / "data" / "stages.csv").write_bytes(raw.replace(b"Marlow Bay", b"Marlow Bey", 1))
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and ("stages", None, "hash", "integrity") in rules_of(out)
    (package_copy / "data" / "stages.csv").write_bytes(raw + b"\n")
    code, out, _ = run_all(package_copy, capsys, "--skip-quotes")
    assert code == 1 and ("stages", None, "bytes", "integrity") in rules_of(out)


def test_exports_clean_up_after_a_killed_run_and_are_world_readable(package_copy, fixture_sources, tmp_path, capsys,
                                                                    monkeypatch):
    monkeypatch.setenv("SOURCES_DIR", str(fixture_sources))  # the gate may require the fixture's texts
    out = tmp_path / "dist" / "exports"
    stale = tmp_path / "dist" / ".exports.new-killedrun"  # what a run killed mid-way leaves behind
    stale.mkdir(parents=True)
    (stale / files.MARKER).write_text("exports\n")  # written first: the folder is known as the command's
    (stale / "half-written.sqlite").write_bytes(b"partial")
    assert cli.main(["exports", "--package", str(package_copy), "--out", str(out)]) == 0
    capsys.readouterr()
    assert not stale.exists() and [p.name for p in (tmp_path / "dist").iterdir()] == ["exports"]
    modes = {p.relative_to(out).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in [out, *out.rglob("*")]}
    assert modes["."] == 0o755 and any(name.endswith(".sqlite") for name in modes)
    assert all(mode == (0o755 if (out / name).is_dir() else 0o644) for name, mode in modes.items())


@pytest.mark.parametrize("edit", ["left-open", "returned-twice"])
def test_a_journey_not_ending_in_one_return_home_is_told_what_to_code(edit, package_copy, capsys):
    if edit == "left-open":  # the text says he has not come back
        drop_row(package_copy, "stages", "ivan-07")
    else:  # an earlier return home coded as the return
        set_cell(package_copy, "stages", "ivan-04", "stage_type", "return")
    code, report = run(package_copy, capsys)
    hints = [p["hint"] for p in report["problems"] if p["rule"] == "ends-with-return-home"]
    assert code == 1 and len(hints) == 1
    assert "`temporary-return`" in hints[0] and "not come back" in hints[0]
