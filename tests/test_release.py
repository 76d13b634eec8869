"""Citable, licensed, releasable: one version everywhere, valid CFF, current docs, a reproducible zip."""
from __future__ import annotations

import json
import re
import zipfile

import frictionless
import jsonschema
import yaml

from returnee_journeys.publish import docs
from returnee_journeys.model import paths
from returnee_journeys.publish import release

ROOT = paths.ROOT


def citation() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def test_citation_file_is_valid_cff_1_2_0():
    schema = json.loads((ROOT / "tests" / "schemas" / "cff-1.2.0.schema.json").read_text(encoding="utf-8"))
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


def test_readme_generated_sections_are_current():
    readme, rendered = docs.current()
    assert readme == rendered, "run `make docs`"
    for block in ("tables", "data-dictionary", "codebook", "how-to-cite"):
        assert f"<!-- BEGIN GENERATED: {block} -->" in readme


def test_readme_documents_every_field(descriptor):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for resource in descriptor.resources:
        assert f"### {resource['name']}" in readme
        for field in resource["schema"]["fields"]:
            assert f"| `{field['name']}` |" in readme


def test_release_is_reproducible_and_validates_with_hashes(tmp_path):
    first = release.build(ROOT, tmp_path / "a")
    second = release.build(ROOT, tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as archive:
        archive.extractall(tmp_path / "unzipped")
        names = archive.namelist()
    top = tmp_path / "unzipped" / first.stem
    assert names == sorted(names)
    assert {"datapackage.json", "CITATION.cff", "LICENSE", "README.md", "data/stages.csv",
            "figures/timeline.png"} <= {n.split("/", 1)[1] for n in names}
    released = json.loads((top / "datapackage.json").read_text(encoding="utf-8"))
    assert all(r["hash"].startswith("sha256:") and r["bytes"] > 0 for r in released["resources"])
    assert frictionless.validate(str(top / "datapackage.json")).valid
    stages = top / "data" / "stages.csv"
    stages.write_bytes(stages.read_bytes().replace(b"Yerevan", b"Jerevan"))
    assert not frictionless.validate(str(top / "datapackage.json")).valid, "frictionless must check the hashes"
