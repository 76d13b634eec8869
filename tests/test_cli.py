"""The command acts on the package it is pointed at (the argument, --package, else ./datapackage.json;
the bundled dataset only with --bundled), says which on its first line, writes its outputs beside
that package, cites that package, and starts new ones (`init`). In-process, on the fixture package."""
from __future__ import annotations

import json
import shlex
import subprocess

import pytest
from openpyxl import load_workbook

from mutations import append_row, edit_descriptor, set_cell
from returnee_journeys import cli
from returnee_journeys.context import Context
from returnee_journeys.model import journeys, paths

READERS = ["validate", "figures", "exports", "qdpx", "release", "docs"]


def files_under(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


def test_make_hands_a_package_path_with_a_space_to_the_command_whole():
    """`make validate PACKAGE="my packages/x"` (the README's form) names one package, not two words."""
    package = "/no such/my packages/datapackage.json"
    plan = subprocess.run(["make", "--dry-run", "--always-make", "release", "figures", "docs", "qdpx",
                           f"PACKAGE={package}"], cwd=paths.CHECKOUT, capture_output=True, text=True, check=True)
    runs = [shlex.split(line) for line in plan.stdout.splitlines() if "returnee-journeys " in line]
    assert {words[1] for words in runs} >= {"validate", "exports", "release", "figures", "docs", "qdpx"}
    assert all(words[2:] == [package] for words in runs), plan.stdout


@pytest.mark.parametrize("command", READERS)
def test_with_no_package_here_the_command_says_how_to_name_one(command, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert cli.main([command]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "no datapackage.json in the current folder" in err
    assert "--bundled" in err and list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("make, expected", [
    (lambda d: d / "nope", "no such file or folder"),
    (lambda d: (d / "empty").mkdir() or d / "empty", "holds no datapackage.json"),
    (lambda d: (d / "p" / "datapackage.json").mkdir(parents=True) or d / "p" / "datapackage.json",
     "is a folder, not a descriptor file"),
    (lambda d: (d / "q" / "datapackage.json").mkdir(parents=True) or d / "q", "is a folder, not a descriptor file"),
    (lambda d: (d / "r.zip").write_bytes(b"PK\x03\x04\x14\x00\x00\x08\x08\x00\xa7") and d / "r.zip",
     "is a zip archive: unzip it into a folder of its own (unzip -d DIR r.zip) and name that folder"),
])
@pytest.mark.parametrize("command", ["validate", "exports"])
def test_a_package_path_that_is_not_one_is_exit_2_with_one_line(command, make, expected, tmp_path, capsys):
    target = make(tmp_path)
    before = files_under(tmp_path)
    assert cli.main([command, str(target)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and expected in err
    assert files_under(tmp_path) == before


def test_the_package_in_the_current_folder_is_the_one_validated(package_copy, monkeypatch, capsys):
    set_cell(package_copy, "persons", "ivan", "gender", "robot")
    monkeypatch.chdir(package_copy)
    assert cli.main(["validate", "--skip-quotes"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"package: {package_copy / 'datapackage.json'} (russian-returnee-journeys)"
    assert any("persons" in line for line in lines[1:])


def test_the_argument_and_the_option_name_the_same_package(package_copy, capsys):
    set_cell(package_copy, "persons", "ivan", "gender", "robot")
    for args in ([str(package_copy)], [str(package_copy / "datapackage.json")], ["--package", str(package_copy)]):
        assert cli.main(["validate", "--skip-quotes", "--format", "json", *args]) == 1
        out, err = capsys.readouterr()
        assert json.loads(out)["valid"] is False
        assert err.startswith(f"package: {package_copy / 'datapackage.json'} ")  # stdout stays JSON


def test_the_bundled_dataset_only_when_asked_for(tmp_path, monkeypatch, capsys, fixture_package):
    from returnee_journeys.model import paths

    bundled = fixture_package / "datapackage.json"  # standing in for the shipped dataset: its rows are not read here
    monkeypatch.setattr(paths, "DESCRIPTOR", bundled)
    monkeypatch.chdir(tmp_path)
    assert cli.main(["validate", "--bundled", "--skip-quotes"]) == 0
    assert capsys.readouterr().out.startswith(f"package: {bundled} (russian-returnee-journeys)\n")
    assert cli.main(["validate", "--skip-quotes"]) == 2  # not without --bundled
    assert cli.main(["validate", "--bundled", str(tmp_path)]) == 2


def test_figures_of_an_invalid_package_write_nothing(package_copy, monkeypatch, capsys):
    set_cell(package_copy, "persons", "ivan", "gender", "robot")
    monkeypatch.chdir(package_copy)
    before = files_under(package_copy)
    assert cli.main(["figures", "durations"]) == 1
    assert files_under(package_copy) == before and "does not validate" in capsys.readouterr().err


def test_the_command_suggested_for_an_invalid_package_runs_as_written_in_a_shell(tmp_path, capsys):
    """A folder name with a space (or a quote) is quoted in the command the error suggests, so that
    pasting it into a shell validates that package."""
    import shlex

    from conftest import build_fixture

    package = build_fixture(tmp_path / "team's package")
    set_cell(package, "persons", "ivan", "gender", "robot")
    assert cli.main(["figures", str(package)]) == 1
    suggested = capsys.readouterr().err.split("(run `", 1)[1].split("`", 1)[0]
    assert shlex.split(suggested) == ["returnee-journeys", "validate", str(package / "datapackage.json")]


def test_outputs_go_beside_the_package_and_nowhere_else(package_copy, fixture_sources, tmp_path, monkeypatch, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert cli.main(["figures", str(package_copy), "durations", "--sources", str(fixture_sources)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("package: ") and "figures/durations.svg" in printed
    assert (package_copy / "figures" / "durations.svg").is_file() and list(elsewhere.iterdir()) == []


def test_a_renamed_copy_is_named_and_cited_as_itself(package_copy, fixture_sources, tmp_path, capsys):
    def rename(d):
        d["name"], d["title"] = "some-other-journeys", "Some Other Journeys"
        d["contributors"] = [{"title": "Some Other Team", "roles": ["creator"]}]
    edit_descriptor(package_copy, rename)
    ctx = Context.open(package_copy, sources=fixture_sources)
    assert (ctx.name, ctx.title, ctx.citation["title"]) == ("some-other-journeys", "Some Other Journeys",
                                                            "Some Other Journeys")
    from returnee_journeys.figures import durations

    note = durations.draw(journeys.read(ctx.path))._supxlabel.get_text()
    assert "Some Other Journeys" in note and "Russian" not in note
    out = tmp_path / "exports"
    assert cli.main(["exports", str(package_copy), "--out", str(out), "--sources", str(fixture_sources)]) == 0
    capsys.readouterr()
    readme = [c for row in load_workbook(out / "some-other-journeys.xlsx")["README"].iter_rows(values_only=True)
              for c in row if c]
    text = "\n".join(map(str, readme))
    assert "Some Other Journeys" in text and "Some Other Team" in text and "Russian Returnee" not in text


def test_init_starts_a_package_that_validates(tmp_path, capsys):
    target = tmp_path / "belarus-returns"
    assert cli.main(["init", str(target), "--title", "Belarusian Returns", "--home", "BY", "--licence", "CC0-1.0"]) == 0
    descriptor = json.loads((target / "datapackage.json").read_text(encoding="utf-8"))
    assert (descriptor["name"], descriptor["title"], descriptor["licenses"][0]["name"]) == (
        "belarus-returns", "Belarusian Returns", "CC0-1.0")
    assert descriptor["sources"] == [] and all((target / r["path"]).read_text(encoding="utf-8").count("\n") == 1
                                               for r in descriptor["resources"])
    assert {"README.md", "LICENSE-DATA.md", "sources/.gitignore"} <= set(files_under(target))
    capsys.readouterr()
    assert cli.main(["validate", str(target)]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("valid")
    assert cli.main(["figures", str(target)]) == 1 and "no journeys yet" in capsys.readouterr().err


def test_init_describes_the_tables_without_naming_this_projects_country(tmp_path, capsys):
    """A Belarusian package inherits the instrument's descriptions of every table, field and code: they
    speak of the home country, never of Russia (an example value may still come from this project)."""
    target = tmp_path / "belarus-returns"
    assert cli.main(["init", str(target), "--home", "BY"]) == 0
    capsys.readouterr()
    descriptor = json.loads((target / "datapackage.json").read_text(encoding="utf-8"))
    described = [(resource["name"], thing.get("name"), text) for resource in descriptor["resources"]
                 for thing in [resource, *resource["schema"]["fields"]]
                 for text in [thing.get("description", ""), *(c.get("label", "") for c in thing.get("categories", []))]]
    assert [d for d in described if "Russia" in d[2]] == []


def test_a_package_keeping_its_own_texts_is_checked_against_them_whatever_sources_dir_says(
        package_copy, fixture_sources, tmp_path, monkeypatch, capsys):
    """`init` tells a team to keep its texts in the package's sources/; a SOURCES_DIR left set for
    another project's texts (none of this package's) does not send the quotes unchecked."""
    import shutil

    shutil.copytree(fixture_sources, package_copy / "sources")
    other = tmp_path / "other-project-texts"
    other.mkdir()
    (other / "someone-else.txt").write_text("Another project's text.\n", encoding="utf-8")
    monkeypatch.setenv("SOURCES_DIR", str(other))
    monkeypatch.setenv("REQUIRE_SOURCES", "")
    assert Context.open(package_copy).sources == package_copy / "sources"
    assert cli.main(["validate", str(package_copy)]) == 0
    assert "not found" not in capsys.readouterr().err
    monkeypatch.setenv("SOURCES_DIR", str(fixture_sources))  # where it holds the package's texts, it is used
    assert Context.open(package_copy).sources == fixture_sources


def test_init_in_a_folder_whose_name_gives_no_package_name_asks_for_one(tmp_path, capsys):
    """A folder named in another alphabet (`Беларусь`) gives no package name: init asks for --name
    rather than refusing a name "''" the user never gave; a home country given twice is listed once."""
    target = tmp_path / "Беларусь"
    assert cli.main(["init", str(target), "--home", "BY"]) == 2
    err = capsys.readouterr().err
    assert "Беларусь" in err and "--name" in err and "''" not in err and not target.exists()
    assert cli.main(["init", str(target), "--name", "belarus-returns", "--home", "BY", "--home", "by"]) == 0
    assert "home countries BY;" in (target / "README.md").read_text(encoding="utf-8")


def test_output_read_only_in_part_ends_quietly_as_on_sigpipe(fixture_package, monkeypatch, capsys):
    """`returnee-journeys validate | head -1`: the reader leaves after the first line. That is no error of
    the input (exit 2, "error: Broken pipe"): the command stops quietly with 141, as one ended by SIGPIPE."""
    import io
    import sys

    class ReaderGoneAfterOneLine(io.StringIO):
        def write(self, text):
            if "\n" in self.getvalue():
                raise BrokenPipeError(32, "Broken pipe")
            return super().write(text)

    capsys.readouterr()
    monkeypatch.setattr(sys, "stdout", ReaderGoneAfterOneLine())
    assert cli.main(["validate", str(fixture_package), "--skip-quotes"]) == 141
    assert capsys.readouterr().err == ""


def test_a_package_folder_named_like_a_figure_is_the_package_where_no_other_is_here(
        fixture_package, fixture_sources, tmp_path, monkeypatch, capsys):
    """From its parent, `returnee-journeys figures timeline` names the team's folder `timeline` (there is
    no package in the parent to draw a timeline of), not 'no datapackage.json in the current folder'."""
    import shutil

    shutil.copytree(fixture_package, tmp_path / "timeline")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCES_DIR", str(fixture_sources))  # the gate may require the fixture's texts
    assert cli.main(["figures", "timeline", "timeline"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith(f"package: {tmp_path / 'timeline' / 'datapackage.json'}")
    assert out[1:] == ["figures/palette.json", "figures/timeline.png", "figures/timeline.svg"]


@pytest.mark.parametrize("occupied", ["file", "folder"])
def test_init_never_writes_over_anything(occupied, tmp_path, capsys):
    target = tmp_path / "there"
    if occupied == "file":
        target.write_text("mine", encoding="utf-8")
    else:
        target.mkdir()
        (target / "notes.txt").write_text("mine", encoding="utf-8")
    before = files_under(tmp_path)
    assert cli.main(["init", str(target)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and files_under(tmp_path) == before


@pytest.mark.parametrize("title", ["Returns\x1b[31m", "Returns\u202e", "Returns\udced"],
                         ids=["escape", "bidi-override", "bytes-not-utf8"])
def test_init_refuses_a_title_the_validator_would_refuse(title, tmp_path, capsys):
    """An escape sequence or a bidi override: a package that fails validation at once; a byte that is
    not UTF-8 (how a shell passes it): an internal error. Both are a usage error, nothing written."""
    assert cli.main(["init", str(tmp_path / "new"), "--title", title]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("error: --title") and err.count("\n") == 1 and list(tmp_path.iterdir()) == []


def test_version_and_an_example_in_every_help(capsys):
    with pytest.raises(SystemExit) as done:
        cli.main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("returnee-journeys ")
    commands = cli.parser()._subparsers._group_actions[0].choices
    for name, command in commands.items():
        assert "example:\n  returnee-journeys " + name in command.format_help(), name


def _add_belarusian(package, return_to="minsk"):
    """Ales: Minsk -> Vilnius -> `return_to`, coded beside the fixture's Russian journeys."""
    append_row(package, "locations", ["minsk", "Minsk", "city", "BY", "53.9", "27.57", "", "", "An invented stay."])
    append_row(package, "locations", ["vilnius", "Vilnius", "city", "LT", "54.69", "25.28", "", "", ""])
    append_row(package, "persons", ["ales", "gazette-ivan-olga", "Ales", "", "male", "", "", "", "minsk", "stated", "",
                                    "Ales left Minsk", ""])
    for seq, (kind, place, start, end) in enumerate([("origin", "minsk", "", "2022-10"),
                                                     ("abroad", "vilnius", "2022-10", "2023-05"),
                                                     ("return", return_to, "2023-05", "")], start=1):
        append_row(package, "stages", [f"ales-0{seq}", "ales", str(seq), kind, place, "stated", start, end,
                                       "stated" if start else "", "stated" if end else "", "", "gazette-ivan-olga",
                                       "Ales left Minsk", ""])


def test_a_journey_from_another_home_country_validates_and_returns_home(package_copy, capsys):
    _add_belarusian(package_copy)
    assert cli.main(["validate", str(package_copy), "--skip-quotes"]) == 1  # BY is not a home country yet
    assert "[home-country-listed]" in capsys.readouterr().out
    edit_descriptor(package_copy, lambda d: next(f for r in d["resources"] if r["name"] == "stages"
                                                 for f in r["schema"]["fields"] if f["name"] == "stage_type")
                    .update(home_countries=["RU", "BY"]))
    assert cli.main(["validate", str(package_copy), "--skip-quotes"]) == 0, capsys.readouterr().out
    capsys.readouterr()
    data = journeys.read(package_copy / "datapackage.json")
    months = data.months()
    assert months[months["person_id"] == "ales"]["state"].iloc[-1] == "BY"
    assert set(months[months["person_id"] == "ivan"]["state"]) >= {"RU"}


def test_a_return_outside_the_persons_home_is_refused(package_copy, capsys):
    _add_belarusian(package_copy, return_to="severograd")  # a Belarusian "returning" to Russia
    edit_descriptor(package_copy, lambda d: next(f for r in d["resources"] if r["name"] == "stages"
                                                 for f in r["schema"]["fields"] if f["name"] == "stage_type")
                    .update(home_countries=["RU", "BY"]))
    assert cli.main(["validate", str(package_copy), "--skip-quotes"]) == 1
    out = capsys.readouterr().out
    assert "[ends-with-return-home]" in out and "[place-fits-stage-type]" in out


def test_a_citation_file_is_used_only_when_it_names_the_package(package_copy):
    from returnee_journeys.model import paths

    (package_copy / "CITATION.cff").write_bytes((paths.ROOT / "CITATION.cff").read_bytes())
    assert Context.open(package_copy).citation["title"] == "Russian Returnee Journeys"  # the fixture keeps the title
    edit_descriptor(package_copy, lambda d: d.update(title="Copied Journeys"))
    cited = Context.open(package_copy).citation  # a CITATION.cff left over from the copied package is not used
    assert cited["title"] == "Copied Journeys" and "references" not in cited


def test_a_citation_file_of_another_version_is_refused_not_cited(package_copy, fixture_sources, capsys):
    """A team raised the package's version and left CITATION.cff at the old one: the release
    `<name>-0.4.0.zip` held a CITATION.cff and a README telling readers to cite "Version 0.3.0", beside a
    schema.org Dataset saying 0.4.0. `validate` now names it, so every command that cites the package stops."""
    from returnee_journeys.model import paths

    (package_copy / "CITATION.cff").write_bytes((paths.ROOT / "CITATION.cff").read_bytes())
    edit_descriptor(package_copy, lambda d: d.update(version="0.4.0"))
    code = cli.main(["release", str(package_copy), "--sources", str(fixture_sources)])
    error = capsys.readouterr().err
    assert code == 1 and "CITATION.cff" in error and "0.4.0" in error and "[citation-version]" in error
    assert not list((package_copy / "dist").glob("*.zip"))


def test_a_citation_file_naming_its_authors_by_given_name_or_not_at_all(package_copy, fixture_sources, capsys):
    """A CITATION.cff whose author has only `given-names` (valid CFF) stopped `exports` with "internal error
    (KeyError: 'family-names')"; one with no `authors` (which CFF requires), with KeyError: 'authors'. The
    first is cited by the given name; the second is reported by `validate` (the CFF schema), so nothing is
    made from it."""
    head = "cff-version: 1.2.0\nmessage: cite\ntitle: Russian Returnee Journeys\nversion: 0.3.0\n"
    (package_copy / "CITATION.cff").write_text(head + "authors:\n  - given-names: Anna\n", encoding="utf-8")
    assert cli.main(["exports", str(package_copy), "--sources", str(fixture_sources)]) == 0
    readme = load_workbook(package_copy / "dist" / "exports" / "russian-returnee-journeys.xlsx")["README"]
    assert any(str(c.value).startswith("Anna. (n.d.)") for c in readme["A"])
    (package_copy / "CITATION.cff").write_text(head, encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["exports", str(package_copy), "--sources", str(fixture_sources)]) == 1
    assert "[citation-schema]" in capsys.readouterr().err


def test_a_citation_file_that_is_not_valid_cff_is_reported_where_it_is_wrong(package_copy, capsys):
    """The release ships the package's CITATION.cff as it is: one with a 13th month and an identifier of a
    type CFF does not know was released without a word."""
    from returnee_journeys.model import paths

    cff = (paths.ROOT / "CITATION.cff").read_text(encoding="utf-8")
    cff = cff.replace('date-released: "2026-12-04"', 'date-released: "2026-13-04"', 1).replace("- type: url", "- type: web", 1)
    (package_copy / "CITATION.cff").write_text(cff, encoding="utf-8")
    assert cli.main(["validate", str(package_copy), "--skip-quotes"]) == 1
    out = capsys.readouterr().out
    assert "date-released" in out and "identifiers/0" in out and out.count("[citation-schema]") >= 2


@pytest.mark.parametrize("argv", [["agreement", "PACKAGE", "--resamples", "-5"], ["agreement", "PACKAGE", "--seed", "-1"],
                                  ["synthetic", "0", "out"], ["synthetic", "3", "out", "--seed", "-1"],
                                  ["bench", "-3"]])
def test_a_negative_count_or_seed_is_a_usage_error_not_an_internal_one(argv, fixture_package, tmp_path, monkeypatch,
                                                                       capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as done:
        cli.main([str(fixture_package) if a == "PACKAGE" else a for a in argv])
    err = capsys.readouterr().err
    assert done.value.code == 2 and "must be at least" in err and "internal error" not in err
    assert list(tmp_path.iterdir()) == []


def test_the_glance_section_of_a_teams_readme_points_at_what_the_team_has(package_copy, fixture_sources, monkeypatch,
                                                                          capsys):
    """A team's README (no Makefile, no docs/comparison.md or docs/reliability.md) was told the table came
    from `make docs`, how its columns are computed in a docs/comparison.md and its alphas in a
    docs/reliability.md it does not have."""
    monkeypatch.setenv("SOURCES_DIR", str(fixture_sources))  # the fixture's texts, where CI requires them
    (package_copy / "README.md").write_text("<!-- BEGIN GENERATED: journeys-at-a-glance -->\n"
                                            "<!-- END GENERATED: journeys-at-a-glance -->\n", encoding="utf-8")
    assert cli.main(["docs", str(package_copy)]) == 0
    capsys.readouterr()
    readme = (package_copy / "README.md").read_text(encoding="utf-8")
    assert "`returnee-journeys docs`" in readme and "make docs" not in readme
    assert "docs/comparison.md" not in readme and "metadata.json" in readme
    assert "Krippendorff" in readme and "docs/reliability.md" not in readme


def test_docs_on_a_package_with_no_generated_section_says_there_is_nothing_to_regenerate(package_copy, fixture_sources,
                                                                                         monkeypatch, capsys):
    monkeypatch.setenv("SOURCES_DIR", str(fixture_sources))  # the fixture's texts, where CI requires them
    (package_copy / "README.md").write_text("# Our journeys\n\nWritten by hand.\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in package_copy.rglob("*") if p.is_file()}
    assert cli.main(["docs", str(package_copy)]) == 0
    err = capsys.readouterr().err
    assert "nothing to regenerate" in err and "<!-- BEGIN GENERATED: journeys-at-a-glance -->" in err
    assert {p: p.read_bytes() for p in package_copy.rglob("*") if p.is_file()} == before
