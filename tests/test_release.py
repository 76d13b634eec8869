"""Citable, licensed, releasable: one version everywhere, valid CFF, a reproducible zip. The release is
built from a synthetic package (tests/built.py); that the committed README and docs are current is
checked on the real package, in test_real_package.py."""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import frictionless
import jsonschema
import pandas as pd
import pytest
import yaml

import built
from mutations import set_cell
from returnee_journeys import figures
from returnee_journeys.context import Context
from returnee_journeys.model import journeys
from returnee_journeys.publish import docs
from returnee_journeys.publish import metadata
from returnee_journeys.model import files
from returnee_journeys.model import paths
from returnee_journeys.publish import release

pytestmark = pytest.mark.xdist_group("built")  # one worker builds tests/built.py

ROOT = paths.ROOT


def released_descriptor() -> dict:
    """The descriptor of the package the release is built from (the synthetic one)."""
    return json.loads((built.release_package() / "datapackage.json").read_text(encoding="utf-8"))


def citation() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_citation_file_is_valid_cff_1_2_0():
    schema = json.loads((paths.PROFILE / "cff-1.2.0.schema.json").read_text(encoding="utf-8"))
    cff = json.loads(json.dumps(citation(), default=str))  # YAML dates as the strings CFF expects
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(cff)
    assert cff["type"] == "dataset" and cff["license"] == "CC-BY-4.0"
    assert {r["type"] for r in cff["references"]} == {"newspaper-article"}


def test_one_version_everywhere():
    package = json.loads(paths.DESCRIPTOR.read_text(encoding="utf-8"))
    newest = re.search(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$",
                       (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"), re.M)
    zenodo = json.loads((ROOT / ".zenodo.json").read_text(encoding="utf-8"))
    assert package["version"] == str(citation()["version"]) == newest[1] == zenodo["version"]
    assert str(citation()["date-released"]) == newest[2]


def test_data_licence_is_cc_by_and_no_doi_is_invented():
    package = json.loads(paths.DESCRIPTOR.read_text(encoding="utf-8"))
    assert [lic["name"] for lic in package["licenses"]] == ["CC-BY-4.0"]
    for name in ("CITATION.cff", ".zenodo.json", "datapackage.json", "README.md"):
        assert not re.search(r"\b10\.\d{4,9}/\S+", (ROOT / name).read_text(encoding="utf-8")), name
    assert "doi" not in citation()


def test_docs_rewrites_the_generated_sections_and_its_check_reports_them_stale_after_a_data_edit(package_copy, capsys):
    """On the fixture package, with a README whose generated sections hold something else: `docs
    --check` finds it stale, `docs` rewrites it from the fixture's rows, after which the check passes
    until a row is edited."""
    (package_copy / "README.md").write_text("# Journeys\n\n" + "".join(
        f"<!-- BEGIN GENERATED: {block} -->\nout of date\n<!-- END GENERATED: {block} -->\n\n"
        for block in ("tables", "journeys-at-a-glance")), encoding="utf-8")
    ctx = Context.open(package_copy)
    assert docs.update(ctx, check=True) == 1
    assert "README.md is stale: run `make docs`" in capsys.readouterr().err
    assert docs.update(ctx) == 0 and docs.update(ctx, check=True) == 0
    readme = (package_copy / "README.md").read_text(encoding="utf-8")
    assert "out of date" not in readme
    persons = pd.read_csv(package_copy / "data" / "persons.csv", dtype=str)
    assert all(f"| {name} |" in readme for name in persons["name_in_source"])  # the glance table: the fixture's
    set_cell(package_copy, "persons", persons["person_id"][0], "name_in_source", "Renamed")
    capsys.readouterr()
    assert docs.update(Context.open(package_copy), check=True) == 1
    assert "README.md is stale" in capsys.readouterr().err
    assert docs.update(Context.open(package_copy)) == 0
    assert "| Renamed |" in (package_copy / "README.md").read_text(encoding="utf-8")


def test_release_is_reproducible_and_validates_with_hashes(tmp_path):
    first = built.release()
    second = release.build(built.release_package(), tmp_path / "b", built.synthetic_exports())
    assert first.read_bytes() == second.read_bytes()
    top = tmp_path / "unzipped"
    with zipfile.ZipFile(first) as archive:
        archive.extractall(top)
        names = archive.namelist()
    assert names == sorted(names)
    assert {"datapackage.json", "CITATION.cff", "LICENSE", "README.md", "data/stages.csv",
            "figures/timeline.png"} <= set(names)
    released = json.loads((top / "datapackage.json").read_text(encoding="utf-8"))
    assert all(r["hash"].startswith("sha256:") and r["bytes"] > 0 for r in released["resources"])
    assert frictionless.validate(str(top / "datapackage.json")).valid
    assert (top / "data" / "stages.csv").read_bytes() == (built.release_package() / "data" / "stages.csv").read_bytes()
    stages = top / "data" / "stages.csv"
    stages.write_bytes(stages.read_bytes().replace(b"stage_id", b"stage_iD", 1))
    assert not frictionless.validate(str(top / "datapackage.json")).valid, "frictionless must check the hashes"


def _tampered(archive: Path, target: Path, member: str, change) -> Path:
    """A copy of the zip with one member's bytes changed, every other member as it was."""
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(target, "w") as copy:
        for info in source.infolist():
            content = source.read(info)
            copy.writestr(info, change(content) if info.filename == member else content)
    return target


def _quote_edited(raw: bytes) -> bytes:
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8"))))
    column = rows[0].index("quote")
    row = next(r for r in reversed(rows) if r and r[column].strip())
    start = raw.rindex(row[column].encode("utf-8"))
    assert raw[start:start + 1].isalpha()
    return raw[:start] + raw[start:start + 1].swapcase() + raw[start + 1:]


def test_the_release_zip_is_a_frictionless_zipped_package(tmp_path):
    """`frictionless validate <release>.zip`, as Frictionless documents it, reads the descriptor at the
    zip's root and checks every table; a zip whose table was changed after the descriptor fails."""
    archive = built.release()
    package = json.loads(zipfile.ZipFile(archive).read("datapackage.json"))
    report = frictionless.validate(str(archive))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert sorted(task.name for task in report.tasks) == sorted(r["name"] for r in package["resources"])
    assert all(task.type == "table" for task in report.tasks)
    assert sum(task.stats.get("rows", 0) for task in report.tasks) > 0
    loaded = frictionless.Package(str(archive))
    assert loaded.get_resource("stages").read_rows()
    # same length, other content (one letter of the last quote's case swapped): only the sha256 can tell
    bad = _tampered(archive, tmp_path / "tampered.zip", "data/stages.csv", _quote_edited)
    tampered = frictionless.validate(str(bad))
    assert not tampered.valid
    assert [(task.name, [e.type for e in task.errors]) for task in tampered.tasks if not task.valid] \
        == [("stages", ["hash-count"])]


def test_release_holds_exactly_the_listed_files():
    with zipfile.ZipFile(built.release()) as archive:
        members = archive.namelist()
    assert all(not n.startswith("/") and ".." not in n.split("/") for n in members)
    package = released_descriptor()
    exports = sorted("exports/" + p.relative_to(built.synthetic_exports()).as_posix()
                     for p in built.synthetic_exports().rglob("*")
                     if p.is_file() and p.name != files.MARKER)  # the folder's marker is not shipped
    expected = sorted(
        [e.name for e in release.CONTENTS if not e.name.endswith("/")]
        + [r["path"] for r in package["resources"]]
        + [f"figures/{n}.{kind}" for n in figures.FIGURES for kind in ("png", "svg")]
        + exports + [f"profile/{package['journeyProfile']}", "profile/datapackage-2.0.json"])
    assert members == expected
    for member in members:  # every member belongs to exactly one entry of the one list
        owners = [e for e in release.CONTENTS if member == e.name or (e.name.endswith("/") and member.startswith(e.name))]
        assert len(owners) == 1, member


def test_release_readme_explains_the_archive_with_its_own_paths():
    top = built.unzipped()
    readme = (top / "README.md").read_text(encoding="utf-8")
    assert "dist/" not in readme and "make " not in readme and "docs/benchmark" not in readme
    quoted = set(re.findall(r"`((?:data|exports|figures|profile)/[^`*]+?)`", readme))
    quoted |= set(re.findall(r'"((?:data|exports|figures|profile)/[^"{}]+?)"', readme))
    assert quoted, "the README names the archive's files"
    for path in quoted:
        assert (top / path).exists(), path
    for entry in release.CONTENTS:
        assert f"`{entry.name}`" in readme
    for heading in ("## Contents", "## Journeys at a glance", "## How to load each format", "## Data dictionary",
                    "## How to cite"):
        assert heading in readme


def test_schema_org_jsonld_describes_the_release_and_every_variable():
    top = built.unzipped()
    document = json.loads((top / "dataset.jsonld").read_text(encoding="utf-8"))
    package = released_descriptor()
    assert document["@type"] == "Dataset" and document["@context"].startswith("https://schema.org")
    assert document["version"] == package["version"] and document["name"] == package["title"]
    assert document["license"] == package["licenses"][0]["path"]
    assert document["creator"] and document["description"] == package["description"]
    urls = {d["contentUrl"] for d in document["distribution"]}
    on_disk = {p.relative_to(top).as_posix() for p in top.rglob("*") if p.is_file()}
    assert urls <= on_disk and on_disk - urls <= {"dataset.jsonld", "ro-crate-metadata.json", "README.md"}
    fields = [f"{r['name']}.{f['name']}" for r in package["resources"] for f in r["schema"]["fields"]]
    assert [v["name"] for v in document["variableMeasured"]] == fields
    covered = metadata.coverage(journeys.read(built.release_package() / "datapackage.json").tables)
    assert document["temporalCoverage"] == covered.temporal  # the synthetic package's own dates


def test_ro_crate_metadata_lists_every_file_of_the_archive():
    from rocrate.rocrate import ROCrate

    top = built.unzipped()
    crate = ROCrate(top)
    package = released_descriptor()
    assert crate.root_dataset["name"] == package["title"]
    assert crate.root_dataset["version"] == package["version"]
    parts = {e.id for e in crate.root_dataset["hasPart"]}
    on_disk = {p.relative_to(top).as_posix() for p in top.rglob("*") if p.is_file()}
    assert parts == on_disk - {"ro-crate-metadata.json", "README.md"}
    for entity in crate.root_dataset["hasPart"]:
        assert int(entity["contentSize"]) == (top / entity.id).stat().st_size, entity.id


def test_the_archive_readme_lists_only_what_it_holds_under_the_package_licence(package_copy, tmp_path):
    """A team's package under CC0, with no changelog and no code of its own: the archive's README gives
    LICENSE-DATA.md the package's licence and lists no file the archive does not hold."""
    from mutations import edit_descriptor

    edit_descriptor(package_copy, lambda d: d["licenses"][0].update(
        name="CC0-1.0", path="https://creativecommons.org/publicdomain/zero/1.0/"))
    (package_copy / "LICENSE-DATA.md").write_text("# Data licence: CC0-1.0\n", encoding="utf-8")
    drawn, exports = tmp_path / "figures", tmp_path / "exports"
    drawn.mkdir()
    exports.mkdir()
    (exports / "comparison.csv").write_text("person_id\n", encoding="utf-8")
    for name in figures.FIGURES:
        for kind in ("png", "svg"):
            (drawn / f"{name}.{kind}").write_bytes(b"drawn")
    members = dict(release.members(package_copy, exports, drawn))
    contents = members["README.md"].decode("utf-8").split("## Contents")[1].split("\n## ")[0]
    listed = {row.split("|")[1].strip(" `"): int(row.split("|")[2]) for row in contents.splitlines()
              if row.startswith("| `")}
    held = {e.name for e in release.CONTENTS if any(m.startswith(e.name) if e.name.endswith("/") else m == e.name
                                                     for m in members)}
    assert set(listed) == held and "CHANGELOG.md" not in held and all(n > 0 for n in listed.values())
    assert "CC0-1.0" in contents and "CC-BY-4.0" not in contents
    assert "LICENSE" not in held and "MIT" not in members["README.md"].decode("utf-8")  # no code licence claimed
