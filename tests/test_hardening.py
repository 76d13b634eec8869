"""Hardening, round two (issue 26): each class of failure, on the fixture and synthetic packages.

No data loss (output folders), one writer at a time, no link followed out, bounded work (patterns
on RE2), valid means it runs, tables read as Frictionless reads them, escaping for every sink,
signals, permissions. Properties where the class is open-ended; the process is started only where
the behaviour is the process's (signals)."""
from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import test_bad_inputs_properties  # noqa: F401 (registers and loads the hypothesis profile)
from conftest import FIXTURE_SOURCES, build_fixture
from mutations import edit_descriptor, read_rows, set_cell, write_rows
from returnee_journeys import cli
from returnee_journeys.model import files, terminal


@pytest.fixture(autouse=True)
def fixture_texts(monkeypatch):
    """The commands read the fixture's texts (as CI runs them: REQUIRE_SOURCES=1)."""
    monkeypatch.setenv("SOURCES_DIR", str(FIXTURE_SOURCES))


def run(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def rules(out: str) -> set[tuple]:
    return {(p["resource"], p["field"], p["rule"]) for p in json.loads(out)["problems"]}


def validate_json(package: Path) -> tuple[int, str, str]:
    return run("validate", str(package), "--format", "json", "--skip-quotes")


# --- 1. never delete or overwrite what the command did not create ----------------------------------

@pytest.fixture
def occupied(tmp_path) -> Path:
    folder = tmp_path / "mine"
    (folder / "sub").mkdir(parents=True)
    (folder / "notes.txt").write_text("keep me\n")
    (folder / "sub" / "data.csv").write_text("a,b\n1,2\n")
    return folder


@pytest.mark.parametrize("command", [["exports"], ["figures"], ["qdpx", "--sources", str(FIXTURE_SOURCES)]])
def test_an_occupied_out_folder_is_refused_untouched(command, occupied, fixture_package):
    before = snapshot(occupied)
    code, _, err = run(*command, str(fixture_package), "--out", str(occupied))
    assert code == 2 and "not empty and was not written by" in err and err.count("\n") == 1, err
    assert snapshot(occupied) == before


def test_the_package_s_own_data_folder_is_refused_as_out(package_copy):
    before = snapshot(package_copy)
    code, _, err = run("exports", str(package_copy), "--out", str(package_copy / "data"))
    assert code == 2 and snapshot(package_copy) == before


def test_the_current_folder_is_refused_as_out(tmp_path, fixture_package, monkeypatch):
    here = tmp_path / "here"
    here.mkdir()
    monkeypatch.chdir(here)
    code, _, err = run("exports", str(fixture_package), "--out", ".")
    assert code == 2 and "current folder" in err and list(here.iterdir()) == []


def test_synthetic_refuses_an_occupied_folder_and_a_package(occupied, package_copy):
    for folder in (occupied, package_copy):
        before = snapshot(folder)
        code, _, err = run("synthetic", "3", str(folder))
        assert code == 2 and snapshot(folder) == before, err


def test_synthetic_replaces_only_its_own_output_whole(tmp_path):
    out = tmp_path / "synthetic"
    assert run("synthetic", "3", str(out))[0] == 0
    assert (out / files.MARKER).read_text().strip() == "synthetic"
    first = snapshot(out)
    assert run("synthetic", "4", str(out), "--seed", "2")[0] == 0  # its own folder: replaced whole
    assert snapshot(out) != first and sorted(p.name for p in tmp_path.iterdir()) == ["synthetic"]
    code, _, err = run("exports", str(out), "--out", str(out))  # another command's folder: refused
    assert code == 2 and "synthetic" in err


def test_each_command_s_marked_folder_is_replaced(tmp_path):
    out = tmp_path / "out"
    for _ in range(2):
        with files.OutputFolder(out, "exports") as output:
            (output.staging / "table.csv").write_text("x\n")
            output.swap()
    assert sorted(p.name for p in out.iterdir()) == [files.MARKER, "table.csv"]
    with pytest.raises(files.RefusedOutput):
        files.OutputFolder(out, "figures").__enter__()


@pytest.mark.parametrize("kill_after", [0, 1])  # renames done (of two) when the process dies
def test_a_kill_during_the_swap_leaves_the_old_or_the_new_folder_whole(kill_after, tmp_path, monkeypatch):
    out = tmp_path / "out"
    with files.OutputFolder(out, "exports") as output:
        (output.staging / "old.txt").write_text("old")
        output.swap()
    real_rename, done = os.rename, []

    def dying_rename(a, b):
        if len(done) == kill_after:
            raise SystemExit("killed")  # nothing after this point runs in a killed process...
        done.append((a, b))
        real_rename(a, b)

    monkeypatch.setattr(files.os, "rename", dying_rename)
    with pytest.raises(SystemExit):
        output = files.OutputFolder(out, "exports")
        output.__enter__()
        (output.staging / "new.txt").write_text("new")
        output.swap()
    monkeypatch.setattr(files.os, "rename", real_rename)
    if output._lock is not None:
        os.close(output._lock)  # ... and its lock goes with it
    with files.OutputFolder(out, "exports"):  # the next run puts things right
        pass
    assert sorted(p.name for p in out.iterdir()) in ([files.MARKER, "old.txt"], [files.MARKER, "new.txt"])
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_the_user_s_hidden_folders_beside_the_output_are_never_taken_for_leftovers(tmp_path):
    """Named like what a killed run leaves (.out.old-*, .out.new-*, .<name>-<version>.* in dist/), but not
    holding the command's marker: kept, untouched, by exports and by the release."""
    mine = [tmp_path / ".out.old-mine", tmp_path / ".out.new-draft",
            tmp_path / "dist" / ".russian-returnee-journeys-0.3.0.notes"]
    for folder in mine:
        folder.mkdir(parents=True)
        (folder / "notes.txt").write_text("keep me\n")
    with files.OutputFolder(tmp_path / "out", "exports") as output:
        (output.staging / "table.csv").write_text("x\n")
        output.swap()
    assert all((folder / "notes.txt").read_text() == "keep me\n" for folder in mine)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [files.MARKER, "table.csv"]
    killed = tmp_path / "dist" / ".russian-returnee-journeys-0.3.0.k1ll3d"  # what release.build clears
    killed.mkdir()
    (killed / files.MARKER).write_text("release\n")
    assert [files.ours(folder, "release") for folder in (mine[2], killed)] == [False, True]


# --- 2. one writer at a time ------------------------------------------------------------------------

def test_a_second_writer_of_a_folder_waits_then_gives_up_in_one_line(tmp_path):
    out = tmp_path / "out"
    with files.OutputFolder(out, "exports"):
        with pytest.raises(files.RefusedOutput, match="another returnee-journeys command is writing"):
            with files.OutputFolder(out, "exports", wait=0.2):
                pass
    with files.OutputFolder(out, "exports", wait=0.2):  # free again
        pass


# --- 3. never follow a link out ------------------------------------------------------------------------

def test_read_inside_refuses_links_of_every_kind(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    root = tmp_path / "root"
    (root / "real").mkdir(parents=True)
    (root / "real" / "ok.txt").write_text("ok")
    (root / "link.txt").symlink_to(secret)
    (root / "inner.txt").symlink_to(root / "real" / "ok.txt")
    (root / "folder").symlink_to(tmp_path)
    assert files.read_inside(root / "real" / "ok.txt", root) == b"ok"
    for path in (root / "link.txt", root / "inner.txt", root / "folder" / "secret.txt", secret):
        with pytest.raises(OSError):
            files.read_inside(path, root)


@pytest.mark.parametrize("member", ["LICENSE", "figures/timeline.svg", "exports/metadata.json"])
def test_the_release_never_ships_a_linked_file(member, tmp_path, fixture_package):
    from returnee_journeys import figures
    from returnee_journeys.publish import release

    root = tmp_path / "package"
    shutil.copytree(fixture_package, root)
    (root / "LICENSE").write_text("MIT\n")
    drawn, exports = tmp_path / "figures", tmp_path / "exports"
    drawn.mkdir()
    exports.mkdir()
    for name in figures.FIGURES:
        for kind in ("png", "svg"):
            (drawn / f"{name}.{kind}").write_bytes(b"figure")
    (exports / "metadata.json").write_text("{}")
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET")
    target = {"LICENSE": root / "LICENSE", "figures/timeline.svg": drawn / "timeline.svg",
              "exports/metadata.json": exports / "metadata.json"}[member]
    target.unlink()
    target.symlink_to(secret)
    with pytest.raises(OSError, match="symbolic link"):
        release.members(root, exports, drawn)


# --- 4. bounded work: every pattern runs on RE2 ----------------------------------------------------

@pytest.mark.parametrize("pattern", ["(?=a)a+", "(?!x)(a+)+$", "(a)\\1", "(?<=a)b", "a(?#comment)"])
def test_a_pattern_the_linear_time_engine_refuses_is_refused_at_the_descriptor(pattern, package_copy):
    edit_descriptor(package_copy, lambda d: _field(d, "stages", "notes").setdefault("constraints", {}).update(
        pattern=pattern))
    code, out, _ = validate_json(package_copy)
    assert code == 1 and ("stages", "notes.constraints.pattern", "descriptor:regex-not-linear") in rules(out)


def test_a_backtracking_pattern_runs_in_linear_time_on_a_long_value(package_copy):
    edit_descriptor(package_copy, lambda d: _field(d, "stages", "notes").setdefault("constraints", {}).update(
        pattern="(a+)+$"))  # exponential on a backtracking engine: seconds at 25 characters, years at 100
    set_cell(package_copy, "stages", "ivan-03", "notes", "a" * 5000 + "!")
    code, out, _ = run("validate", str(package_copy), "--format", "json", "--skip-quotes")
    assert code == 1 and ("stages", "notes", "pattern") in rules(out)


def _field(descriptor: dict, resource: str, name: str) -> dict:
    table = next(r for r in descriptor["resources"] if r["name"] == resource)
    return next(f for f in table["schema"]["fields"] if f["name"] == name)


# --- 5. valid means it runs ---------------------------------------------------------------------------

def test_foreign_keys_that_point_at_each_other_are_exported(package_copy, tmp_path):
    def cycle(d):
        sources = next(r for r in d["resources"] if r["name"] == "sources")
        sources["schema"].setdefault("foreignKeys", []).append(
            {"fields": "source_id", "reference": {"resource": "persons", "fields": "source_id"}})
    edit_descriptor(package_copy, cycle)
    assert validate_json(package_copy)[0] == 0
    code, _, err = run("exports", str(package_copy), "--out", str(tmp_path / "out"))
    assert code == 0, err


def test_admits_with_null_bounds_runs_everywhere(package_copy, tmp_path):
    def unbounded(d):
        admits = _field(d, "durations", "qualifier")["admits"]
        admits["about"]["min"] = None  # the profile allows null: unbounded
        admits["more-than"]["max"] = None
    edit_descriptor(package_copy, unbounded)
    assert validate_json(package_copy)[0] == 0
    assert run("figures", str(package_copy), "durations", "--out", str(tmp_path / "f"))[0] == 0


@pytest.mark.parametrize("kind, target, value", [("integer", "sqlite", "BOGUS TYPE"), ("string", "arrow", "varchar"),
                                                 ("number", "pandas", "float128"), ("date", "readr", None)])
def test_a_type_map_value_the_writers_do_not_know_is_refused(kind, target, value, package_copy):
    edit_descriptor(package_copy, lambda d: d["typeMap"][kind].update({target: value}))
    code, out, _ = validate_json(package_copy)
    assert code == 1 and ("datapackage.json", f"typeMap.{kind}.{target}", "descriptor:type-map") in rules(out)


CONTROLS = [chr(c) for c in [*range(0, 9), *range(11, 32), 127, *range(0x80, 0xA0), 0x202E, 0x2066]]


@given(control=st.sampled_from(CONTROLS), where=st.sampled_from(["title", "description", "resource", "field", "key"]))
def test_a_control_character_anywhere_in_the_descriptor_is_refused(control, where):
    import tempfile

    from conftest import build_fixture

    def put(d):
        if where in ("title", "description"):
            d[where] = f"Journeys{control}x"
        elif where == "resource":
            d["resources"][0]["title"] += control
        elif where == "field":
            d["resources"][1]["schema"]["fields"][0]["description"] += control
        else:
            d["keywords"] = [f"a{control}"]
    with tempfile.TemporaryDirectory() as scratch:
        package = build_fixture(Path(scratch) / "package")
        edit_descriptor(package, put)
        code, out, _ = validate_json(package)
    assert code == 1 and any(rule == "descriptor:control-character" for _, _, rule in rules(out))


def test_a_category_label_a_spreadsheet_would_run_is_refused(package_copy):
    """A stage type's label is a cell of the sequence exports (states.csv): the descriptor is checked for it."""
    def put(d):
        stages = next(r for r in d["resources"] if r["name"] == "stages")
        field = next(f for f in stages["schema"]["fields"] if f["name"] == "stage_type")
        field["categories"][-1]["label"] = '=HYPERLINK("http://example.org","Return")'
    edit_descriptor(package_copy, put)
    code, out, _ = validate_json(package_copy)
    assert code == 1 and {rule for _, _, rule in rules(out)} == {"descriptor:formula-injection"}


@pytest.mark.parametrize("link", ["javascript:alert(document.cookie)", "data:text/html,<script>x</script>",
                                  "file:///etc/passwd"])
def test_a_link_a_browser_would_run_is_refused(link, package_copy):
    """The Data Package profile takes `javascript:…` as a relative path; Datasette's metadata.json (license_url)
    and the release's metadata would link to it."""
    edit_descriptor(package_copy, lambda d: d["licenses"][0].update(path=link))
    code, out, _ = validate_json(package_copy)
    assert code == 1 and ("datapackage.json", "licenses[0].path", "descriptor:safe-link") in rules(out)


@pytest.mark.parametrize("command", [["qdpx", "--sources", str(FIXTURE_SOURCES)], ["docs"]])
def test_qdpx_and_docs_validate_first(command, package_copy, tmp_path):
    (package_copy / "README.md").write_text("<!-- BEGIN GENERATED: tables -->\n<!-- END GENERATED: tables -->\n")
    set_cell(package_copy, "persons", "ivan", "gender", "martian")
    out = ["--out", str(tmp_path / "out")] if command[0] == "qdpx" else []
    before = snapshot(package_copy)
    code, _, err = run(*command, str(package_copy), *out)
    assert code == 1 and "does not validate" in err
    assert snapshot(package_copy) == before and not (tmp_path / "out").exists()


# --- 6. read CSVs as Frictionless does -------------------------------------------------------------

DIALECTS = [("dialect", {"delimiter": ";"}), ("dialect", {"header": False}), ("dialect", {"commentChar": "o"}),
            ("dialect", {"quoteChar": "'"}), ("dialect", {"skipInitialSpace": True}),
            ("dialect", {"headerRows": [2]}), ("dialect", {"csv": {"delimiter": ";"}}),
            ("dialect", "dialect.json"), ("compression", "gz"), ("encoding", "latin-1")]
DEFAULTS = [("dialect", {"delimiter": ",", "header": True, "quoteChar": '"', "doubleQuote": True,
                         "lineTerminator": "\n"}), ("encoding", "utf-8"), ("format", "csv")]


def _frictionless_rows(package: Path, resource: str):
    import frictionless

    try:
        with frictionless.system.use_context(trusted=True):
            table = frictionless.Package(str(package / "datapackage.json")).get_resource(resource)
            return [row.to_list() for row in table.read_rows()], table.header
    except Exception as error:  # frictionless could not read it at all
        return type(error).__name__, None


OLGA_NOTES = " Olga café"  # a space first, a letter beyond ASCII


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    """What frictionless reads of `persons` with OLGA_NOTES, as the descriptor has it: read once, from
    a package of its own (each test edits a copy of its own)."""
    package = build_fixture(tmp_path_factory.mktemp("plain") / "package")
    set_cell(package, "persons", "olga", "notes", OLGA_NOTES)
    return _frictionless_rows(package, "persons")


@pytest.mark.parametrize("key, value", DIALECTS + DEFAULTS, ids=lambda v: json.dumps(v) if not isinstance(v, str) else v)
def test_a_table_is_read_as_frictionless_reads_it_or_refused_by_name(key, value, package_copy, plain):
    set_cell(package_copy, "persons", "olga", "notes", OLGA_NOTES)
    edit_descriptor(package_copy, lambda d: next(r for r in d["resources"] if r["name"] == "persons").update(
        {key: value}))
    frictionless_reads = _frictionless_rows(package_copy, "persons")
    code, out, _ = validate_json(package_copy)
    if (key, value) in DEFAULTS:  # the default spelled out: both read the same table, and it is valid
        assert frictionless_reads == plain and code == 0
    else:  # frictionless-py honours it (another table, or none): the validator refuses it by name
        assert frictionless_reads != plain
        assert code == 1 and any(r == "descriptor:read-as-frictionless" and f.split(".")[0] == key
                                 for _, f, r in rules(out)), out


def test_a_uri_field_is_checked_as_frictionless_checks_it(package_copy):
    set_cell(package_copy, "sources", "herald-pavel", "coded_copy_url", "example.org/teachers-abroad")
    code, out, _ = validate_json(package_copy)
    assert code == 1 and ("sources", "coded_copy_url", "format:uri") in rules(out)


# --- 7. escaping for every sink -------------------------------------------------------------------

any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=60) | st.sampled_from(
    ["\n\\input{/etc/passwd}", "%\n\\write18{rm -rf ~}", "a\n\nb", "<script>alert(1)</script>", "<!-- END GENERATED: tables -->",
     "`<b>`", "x | y", "$\\alpha$", "\x1b[2J\x1b]0;t\x07", "\u202eevil"])


@given(title=any_text, version=st.sampled_from(["1.0.0", "0.2.0"]))
def test_latex_never_runs_text_from_the_package(title, version):
    from returnee_journeys.exports import comparison

    escaped = comparison.latex_escape(title)
    comment = f"% {comparison.one_line(title)}"
    assert not any(c in escaped + comment for c in "\n\r\f\v")  # a line break would end the comment
    literal = re.sub(r"\\(textbackslash|textasciitilde|textasciicircum|ldots)\{\}|\\[%$#&_{}]|\{[\[\]]\}|\$-\$",
                     "", escaped)
    assert not any(c in literal for c in "\\%$#&_{}~^"), escaped  # every special character is escaped


@given(text=any_text)
def test_markdown_from_the_package_holds_no_html(text):
    from returnee_journeys.publish import docs

    shown = docs.markdown(text)
    outside = shown.split("`")[::2] if shown.count("`") % 2 == 0 else [shown]
    assert all("<" not in part for part in outside)
    cell = docs._cell(text)
    assert "\n" not in cell and "|" not in cell.replace("\\|", "")


@given(text=any_text)
def test_terminal_output_holds_no_control_character(text):
    shown = terminal.shown(text)
    assert not any(ord(c) in terminal.TABLE for c in shown)
    assert terminal.shown("tab\tand\nline") == "tab\tand\nline"


def test_an_escape_sequence_in_a_header_reaches_the_terminal_escaped(package_copy):
    rows = read_rows(package_copy, "persons")
    rows[0][1] = "evil\x1b[2J\x1b]0;title\x07"
    write_rows(package_copy, "persons", rows)
    code, out, err = run("validate", str(package_copy), "--skip-quotes")
    assert code == 1 and "\x1b" not in out + err and "\x07" not in out + err and "\\u001b" in out


def test_a_dollar_in_the_data_is_text_in_the_figures(package_copy, tmp_path):
    set_cell(package_copy, "persons", "ivan", "name_in_source", "Ivan $\\nosuchcommand$ $5")
    code, _, err = run("figures", str(package_copy), "sequences", "--out", str(tmp_path / "f"))
    assert code == 0, err
    # drawn as the literal text (the SVG names each text in a comment), not as a formula
    assert b"Ivan $\\nosuchcommand$ $5" in (tmp_path / "f" / "sequences.svg").read_bytes()


def test_a_cell_longer_than_excel_holds_is_cut_with_a_mark_and_noted():
    from openpyxl import Workbook

    from returnee_journeys.exports import excel

    sheet, cut = Workbook().active, []
    excel.put(sheet, 2, 3, "x" * 40000, cut)
    excel.put(sheet, 3, 3, "y" * excel.CELL_LIMIT, cut)
    value = sheet.cell(row=2, column=3).value
    assert len(value) == excel.CELL_LIMIT and value.endswith(excel.CUT_MARK)
    assert sheet.cell(row=3, column=3).value == "y" * excel.CELL_LIMIT and cut == [f"{sheet.title}!C2"]


# --- 8. signals ---------------------------------------------------------------------------------------

COMMAND = [str(Path(sys.executable).parent / "returnee-journeys")]


@pytest.mark.skipif(not Path(COMMAND[0]).exists(), reason="the command is not installed beside this Python")
@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_at_any_moment_gives_one_line_and_its_exit_code(signum, code, fixture_package, tmp_path):
    """From the command's first line of output (its handlers are in place before its imports; the
    interpreter's own start-up before that is Python's) to its end."""
    out = tmp_path / "out"
    for delay in (0.0, 0.6):
        process = subprocess.Popen([*COMMAND, "exports", str(fixture_package), "--out", str(out)],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert process.stdout.readline().startswith("package: ")
        time.sleep(delay)
        process.send_signal(signum)
        _, err = process.communicate(timeout=120)
        assert "Traceback" not in err, (delay, err)
        if process.returncode != 0:  # it was interrupted (not finished first)
            assert process.returncode == code and err.strip().splitlines()[-1] == "error: interrupted", (delay, err)
        assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["out"])  # nothing staged is left
        if out.exists():
            assert (out / files.MARKER).is_file()  # a folder there is whole


def test_an_interrupt_inside_a_command_removes_what_it_staged(fixture_package, tmp_path, monkeypatch):
    from returnee_journeys.exports import sqlite

    def interrupted(*args, **kwargs):
        raise cli.Interrupted(signal.SIGTERM)
    monkeypatch.setattr(sqlite, "write", interrupted)
    code, _, err = run("exports", str(fixture_package), "--out", str(tmp_path / "out"))
    assert code == 143 and err.strip().splitlines()[-1] == "error: interrupted"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["figures", "release"])
def test_a_command_that_fails_leaves_no_out_folder_it_made(command, fixture_package, tmp_path, monkeypatch):
    """The disk full at the first figure (or the release's exports): no folder of half the files is left."""
    from returnee_journeys import exports
    from returnee_journeys.figures import durations

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(durations, "draw", disk_full)
    monkeypatch.setattr(exports, "write_all", disk_full)
    code, _, err = run(command, str(fixture_package), "--out", str(tmp_path / "new"))
    assert code == 2 and "No space left on device" in err and list(tmp_path.iterdir()) == []


def test_a_full_disk_in_sqlite_s_words_is_one_line_naming_the_folder(fixture_package, tmp_path, monkeypatch):
    import sqlite3

    from returnee_journeys.exports import sqlite

    def disk_full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")
    monkeypatch.setattr(sqlite, "write", disk_full)
    code, _, err = run("exports", str(fixture_package), "--out", str(tmp_path / "out"))
    assert code == 2 and err == f"error: the sqlite export could not be written (database or disk is full): {tmp_path / 'out'}\n"
    assert list(tmp_path.iterdir()) == []


def test_a_file_the_disk_has_no_room_for_is_named(tmp_path):
    import resource

    limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (1000, limit[1]))  # beyond it: EFBIG (Python ignores SIGXFSZ)
    try:
        with pytest.raises(OSError) as raised:
            files.write_atomically(tmp_path / "figure.svg", b"x" * 100_000)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limit)
    assert raised.value.filename == str(tmp_path / "figure.svg") and list(tmp_path.iterdir()) == []


def test_an_out_folder_whose_name_is_not_utf8_is_refused_in_one_line(fixture_package, tmp_path):
    out = tmp_path / os.fsdecode(b"exports-\xff")  # a name saved in Latin-1, as the shell passes it
    code, _, err = run("exports", str(fixture_package), "--out", str(out))
    assert code == 2 and "not UTF-8" in err and err.count("\n") == 1 and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("make", [lambda p: p.write_bytes(b"title: [\n"), lambda p: p.write_bytes(b"\xff\xfe")],
                         ids=["not-yaml", "not-utf8"])
def test_a_citation_file_that_cannot_be_one_is_one_line_naming_it(make, package_copy):
    """It was an internal error (a YAML or a decoding error)."""
    make(package_copy / "CITATION.cff")
    code, _, err = run("docs", str(package_copy))
    assert code == 2 and "CITATION.cff" in err and "internal error" not in err and err.count("\n") == 1, err


def test_a_generated_section_of_a_name_docs_does_not_make_is_one_line_naming_it(package_copy):
    (package_copy / "README.md").write_text("<!-- BEGIN GENERATED: nosuch -->\nold\n<!-- END GENERATED: nosuch -->\n")
    code, _, err = run("docs", str(package_copy))
    assert code == 2 and "no generated section is named 'nosuch'" in err and err.count("\n") == 1, err


def test_a_citation_file_is_never_read_through_a_link(tmp_path):
    """The release read a linked CITATION.cff (a link to /dev/zero: until memory ran out) before refusing
    to pack it; a link to a valid file shows that no link is followed."""
    from returnee_journeys.model import citation
    from returnee_journeys.model.descriptor import UnreadableInput

    elsewhere = tmp_path / "elsewhere.cff"
    elsewhere.write_text("cff-version: 1.2.0\nmessage: Cite it.\ntitle: T\nauthors: [{name: A}]\n")
    (tmp_path / "package").mkdir()
    (tmp_path / "package" / "CITATION.cff").symlink_to(elsewhere)
    assert citation.read(elsewhere)["title"] == "T"
    with pytest.raises(UnreadableInput, match="symbolic link"):
        citation.read(tmp_path / "package" / "CITATION.cff")


def test_load_never_reads_a_table_from_outside_the_package(package_copy, tmp_path):
    """`returnee_journeys.load()` read a resource whose path climbs out of the package (`../`), which
    `validate` refuses as safe-path: it returned another folder's table as the named package's."""
    import returnee_journeys

    (tmp_path / "elsewhere").mkdir()
    shutil.copy(package_copy / "data" / "events.csv", tmp_path / "elsewhere" / "events.csv")

    def climb_out(data):
        next(r for r in data["resources"] if r["name"] == "events")["path"] = "../elsewhere/events.csv"
    edit_descriptor(package_copy, climb_out)
    with pytest.raises(returnee_journeys.InvalidData, match="1 problem"):
        returnee_journeys.load(package_copy)


def test_a_missing_table_is_named_with_its_package(package_copy):
    """`load("pkg")` said only `data/events.csv: cannot read the file`: relative to which package?"""
    import returnee_journeys

    (package_copy / "data" / "events.csv").unlink()
    with pytest.raises(returnee_journeys.UnreadableInput) as raised:
        returnee_journeys.load(package_copy)
    assert str(raised.value).startswith(f"{package_copy / 'data' / 'events.csv'}: cannot read the file")


def test_docs_never_reads_a_pyproject_that_is_not_a_regular_file(package_copy):
    os.mkfifo(package_copy / "pyproject.toml")  # opened as a file, it would wait for a writer forever
    assert run("docs", str(package_copy))[0] == 0


# --- 9. permissions --------------------------------------------------------------------------------

def test_outputs_are_readable_by_all_whatever_the_umask(tmp_path):
    previous = os.umask(0o077)
    try:
        files.write_atomically(tmp_path / "dist" / "deep" / "file.txt", "x")
        with files.OutputFolder(tmp_path / "dist" / "exports", "exports") as output:
            (output.staging / "sub").mkdir()
            (output.staging / "sub" / "t.csv").write_text("x")
            output.swap()
    finally:
        os.umask(previous)
    for path in [tmp_path / "dist", *(tmp_path / "dist").rglob("*")]:
        assert stat.S_IMODE(path.stat().st_mode) == (0o755 if path.is_dir() else 0o644), path


@given(line=st.text(st.sampled_from("*a _)]\t b\u00e9"), max_size=24))
def test_emphasis_is_removed_as_the_regex_does_in_linear_time(line):
    from returnee_journeys.exports import excel

    assert excel.without_emphasis(line) == excel.EMPHASIS.sub(r"\2", line)
