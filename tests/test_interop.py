"""The descriptor as other readers need it: frictionless-r (which CRAN cannot install here, so its
requirements are checked as its source states them) and the journey-package profile."""
from __future__ import annotations

import copy
import json
import re

import pytest

from mutations import set_cell
from returnee_journeys.model import paths
from returnee_journeys.validation import descriptor_checks
from returnee_journeys.model import descriptor as descriptor_module
from returnee_journeys.validation import profile

pytestmark = pytest.mark.xdist_group("interop")  # one worker builds its module fixtures

# frictionless-r (R/check_schema.R): the field types it can read
R_TYPES = {"string", "number", "integer", "boolean", "object", "array", "date", "time", "datetime", "year",
           "yearmonth", "duration", "geopoint", "geojson", "any"}
R_TRUE, R_FALSE = {"TRUE", "true", "True", "T", "1"}, {"FALSE", "false", "False", "F", "0"}  # readr::col_logical


@pytest.fixture(scope="module")
def package() -> dict:
    return json.loads(paths.DESCRIPTOR.read_text(encoding="utf-8"))


def frictionless_r_problems(package: dict, root) -> list[str]:
    """What frictionless-r's read_package()/read_resource() refuse or misread, from its source:
    check_package (resources with names), version() ($schema), resource() (path xor data, safe paths,
    files exist), get_schema (profile tabular-data-resource, schema with fields), check_schema (names,
    types), create_locale (encoding), read_from_path (header skipped, names from the schema, na =
    missingValues as strings, default dialect), col_logical (true/false values)."""
    out = []
    if not isinstance(package.get("resources"), list) or not package["resources"]:
        return ["no resources"]
    schema_url = package.get("$schema", "")
    version = re.sub(r"^https://datapackage\.org/profiles/([0-9A-Za-z.-]+)/.*", r"\1", schema_url)
    if version in ("", "1.0") or schema_url == "":
        out.append("read as a v1 package: resources would be upgraded and `type` ignored")
    names = [r.get("name") for r in package["resources"]]
    if None in names or len(set(names)) != len(names):
        out.append("every resource needs a unique name")
    for r in package["resources"]:
        name = r.get("name")
        if r.get("profile") != "tabular-data-resource":
            out.append(f"{name}: get_schema() needs profile tabular-data-resource")
        if r.get("type") != "table":
            out.append(f"{name}: a v2 reader needs type table")
        if ("path" in r) == ("data" in r):
            out.append(f"{name}: exactly one of path and data")
        path = r.get("path", "")
        if path.startswith("/") or path.startswith("../") or not (root / path).is_file():
            out.append(f"{name}: path must be a relative file in the package")
        if str(r.get("encoding", "utf-8")).lower() not in ("utf-8", "utf8"):
            out.append(f"{name}: encoding")
        dialect = r.get("dialect", {})
        if dialect.get("delimiter", ",") != "," or dialect.get("quoteChar", '"') != '"' or \
                dialect.get("header", True) is not True or dialect.get("escapeChar") not in (None, "\\"):
            out.append(f"{name}: a CSV dialect readr is not given")
        schema = r.get("schema")
        if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list):
            out.append(f"{name}: schema with fields")
            continue
        missing = schema.get("missingValues", [""])
        if not all(isinstance(v, str) for v in missing):
            out.append(f"{name}: missingValues must be strings (readr's na)")
        fields = schema["fields"]
        for f in fields:
            if not f.get("name") or f.get("type", "any") not in R_TYPES:
                out.append(f"{name}.{f.get('name')}: field name and a type frictionless-r knows")
            if f.get("type") == "boolean" and not (set(f.get("trueValues", ["true"])) <= R_TRUE
                                                  and set(f.get("falseValues", ["false"])) <= R_FALSE):
                out.append(f"{name}.{f['name']}: trueValues/falseValues readr cannot read")
            if f.get("type") == "date" and f.get("format", "default") != "default":
                out.append(f"{name}.{f['name']}: date format")
            if "decimalChar" in f or "groupChar" in f or f.get("bareNumber") is False:
                out.append(f"{name}.{f['name']}: number format")
        header = (root / path).read_text(encoding="utf-8").split("\n", 1)[0].split(",") if (root / path).is_file() else []
        if header != [f.get("name") for f in fields]:
            out.append(f"{name}: frictionless-r names columns from the schema, in order, and skips the header")
        enums = {f["name"]: f["constraints"]["enum"] for f in fields if f.get("constraints", {}).get("enum")}
        if enums and (root / path).is_file():
            import csv
            with open(root / path, encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle):
                    for field, enum in enums.items():
                        if row[field] not in enum and row[field] not in missing:
                            out.append(f"{name}.{field}: {row[field]!r} would become NA in the factor")
    return out


def test_the_descriptor_meets_frictionless_r(package, fixture_package, synthetic_package):
    """The descriptor, and the rows of the fixture and of a synthetic package under it."""
    assert frictionless_r_problems(package, fixture_package) == []
    assert frictionless_r_problems(package, synthetic_package(12, 12).parent) == []


def test_the_frictionless_r_check_catches_what_frictionless_r_refuses(package, fixture_package):
    broken = copy.deepcopy(package)
    del broken["resources"][0]["profile"]
    broken["resources"][1]["path"] = "../elsewhere.csv"
    broken["resources"][2]["schema"]["fields"][0]["type"] = "datum"
    broken["resources"][3]["schema"]["missingValues"] = [{"value": "", "label": "empty"}]
    problems = frictionless_r_problems(broken, fixture_package)
    assert any("tabular-data-resource" in p for p in problems)
    assert any("relative file" in p for p in problems)
    assert any("type frictionless-r knows" in p for p in problems)
    assert any("missingValues must be strings" in p for p in problems)


def test_the_frictionless_r_check_catches_a_code_outside_the_enum(package, package_copy):
    stages = (package_copy / "data" / "stages.csv").read_text(encoding="utf-8").splitlines()
    first = stages[1].split(",", 1)[0]
    set_cell(package_copy, "stages", first, "stage_type", "wandering")
    assert frictionless_r_problems(package, package_copy) == ["stages.stage_type: 'wandering' would become NA in the factor"]


def test_every_coded_field_has_categories_matching_its_enum(package):
    coded = [(r["name"], f) for r in package["resources"] for f in r["schema"]["fields"]
             if f.get("constraints", {}).get("enum")]
    assert coded
    for resource, field in coded:
        assert [c["value"] for c in field["categories"]] == field["constraints"]["enum"], (resource, field["name"])
        assert all(c["label"] for c in field["categories"])


def test_the_package_conforms_to_its_profile(package):
    assert package["journeyProfile"] in profile.available()
    assert profile.profile_problems(package) == []


def _field(descriptor: dict, resource: str, field: str) -> dict:
    table = next(r for r in descriptor["resources"] if r["name"] == resource)
    return next(f for f in table["schema"]["fields"] if f["name"] == field)


@pytest.mark.parametrize("change, rule", [
    (lambda d: d.pop("journeyProfile"), "profile:missing"),
    (lambda d: d.update(journeyProfile="journey-package-profile-9.9.9.json"), "profile:unknown-version"),
    (lambda d: d.pop("typeMap"), "profile:required"),
    (lambda d: d["typeMap"]["boolean"].pop("readr"), "profile:required"),
    (lambda d: d.update(resources=[r for r in d["resources"] if r["name"] != "ledger"]), "profile:contains"),
    (lambda d: d["resources"][0].pop("profile"), "profile:required"),
    (lambda d: d["resources"][0].update(type="data"), "profile:const"),
    (lambda d: _field(d, "stages", "stage_type").pop("roles"), "profile:required"),
    (lambda d: _field(d, "stages", "stage_type")["roles"]["origin"].update(position="start"), "profile:enum"),
    (lambda d: _field(d, "stages", "stage_type").update(home_countries=["Russia"]), "profile:pattern"),
    (lambda d: _field(d, "stages", "stage_type").update(home_countries=[]), "profile:minItems"),
    (lambda d: d.update(keywords="migration"), "profile:type"),  # the official Data Package v2 profile's requirement
    (lambda d: _field(d, "codings", "valence").pop("labels"), "profile:required"),
    (lambda d: _field(d, "durations", "unit")["days"].update(month=0), "profile:exclusiveMinimum"),
    (lambda d: _field(d, "durations", "qualifier")["admits"]["about"].pop("max"), "profile:required"),
    (lambda d: _field(d, "stages", "quote").pop("quote"), "profile:required"),
    (lambda d: _field(d, "stages", "start").pop("rdfType"), "profile:required"),
    (lambda d: _field(d, "stages", "seq").update(type="string"), "profile:const"),
    (lambda d: next(r for r in d["resources"] if r["name"] == "stages")["schema"].pop("missingValues"),
     "profile:required"),
    (lambda d: _field(d, "codings", "certainty")["categories"].reverse(), "profile:categories-enum"),
    (lambda d: _field(d, "codings", "certainty")["categories"].pop(), "profile:categories-enum"),
])
def test_the_profile_refuses_what_the_tools_rely_on(package, change, rule):
    broken = copy.deepcopy(package)
    change(broken)
    rules = {p.rule for p in profile.profile_problems(broken)}
    assert rule in rules, rules


def test_a_0_2_0_package_still_conforms_to_its_version(package):
    """The migration of docs/profile.md, backwards: a package that keeps 0.2.0's one `home_country`
    and names profile 0.2.0 is still checked against 0.2.0 and conforms."""
    old = copy.deepcopy(package)
    old["journeyProfile"] = "journey-package-profile-0.2.0.json"
    stage_type = _field(old, "stages", "stage_type")
    stage_type["home_country"] = stage_type.pop("home_countries")[0]
    assert profile.profile_problems(old) == []
    assert profile.profile_problems(package) == []
    migrated_wrongly = copy.deepcopy(old)
    migrated_wrongly["journeyProfile"] = "journey-package-profile-0.3.0.json"
    assert {p.rule for p in profile.profile_problems(migrated_wrongly)} >= {"profile:required"}


def test_the_validator_runs_the_profile_step(package, tmp_path):
    broken = copy.deepcopy(package)
    _field(broken, "stages", "quote").pop("quote")
    (tmp_path / "datapackage.json").write_text(json.dumps(broken), encoding="utf-8")
    problems = descriptor_checks.check(descriptor_module.read(tmp_path / "datapackage.json"))
    assert [(p.resource, p.field, p.rule) for p in problems] == [("stages", "quote", "profile:required")]


@pytest.mark.parametrize("removed", ["durations", "codings"])
def test_a_missing_resource_is_named_as_missing(package, removed, tmp_path):
    """A team that drops a table it does not code (durations) is told the profile requires it, not that
    a field of the absent table lacks its table of codes."""
    broken = copy.deepcopy(package)
    broken["resources"] = [r for r in broken["resources"] if r["name"] != removed]
    (tmp_path / "datapackage.json").write_text(json.dumps(broken), encoding="utf-8")
    problems = descriptor_checks.check(descriptor_module.read(tmp_path / "datapackage.json"))
    assert [(p.rule, p.value) for p in problems] == [("profile:contains", "resources")]
    assert f"`{removed}`" in problems[0].hint


def test_the_profile_is_a_valid_versioned_json_schema():
    import jsonschema

    for name, path in profile.available().items():
        schema = json.loads(path.read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(schema)
        assert name == f"journey-package-profile-{schema['version']}.json"
        assert "docs/profile.md" in schema["description"]


def _resource(descriptor: dict, name: str) -> dict:
    return next(r for r in descriptor["resources"] if r["name"] == name)


@pytest.mark.parametrize("change, place", [
    (lambda d: d.update(resources={}), ("datapackage.json", "resources", "descriptor:structure")),
    (lambda d: d.update({"$schema": "https://example.org/other.json"}), ("datapackage.json", "$schema",
                                                                          "descriptor:structure")),
    (lambda d: _resource(d, "sources").update(bytes="many"), ("sources", "bytes", "descriptor:structure")),
    (lambda d: _resource(d, "sources")["schema"].update(fields=[]), ("sources", "schema.fields", "descriptor:structure")),
    (lambda d: _field(d, "stages", "stage_type")["constraints"].update(enum=["abroad", "abroad"]),
     ("stages", "stage_type.constraints.enum", "descriptor:structure")),
    (lambda d: _field(d, "stages", "seq")["constraints"].update(minimum="one"),  # a string the profile allows, not a number
     ("stages", "seq.constraints.minimum", "descriptor:structure")),
    (lambda d: _resource(d, "sources").update(path="../elsewhere.csv"), ("sources", "path", "descriptor:safe-path")),
    (lambda d: _resource(d, "stages")["schema"].update(primaryKey=["stage_id", "nope"]),
     ("stages", "schema.primaryKey", "descriptor:key-field-missing")),
    (lambda d: _field(d, "stages", "seq").update(type="year"), ("stages", "seq.type", "descriptor:structure")),
])
def test_the_data_package_profile_names_each_mistake_at_its_place(package, change, place, tmp_path):
    """The structure check is the Data Package profile the descriptor's $schema names (and what a JSON
    Schema cannot say): each mistake at its resource and field, by name."""
    broken = copy.deepcopy(package)
    change(broken)
    found = descriptor_checks.structure(descriptor_module.Descriptor(path=tmp_path / "datapackage.json", data=broken))
    assert place in {(p.resource, p.field, p.rule) for p in found}, found
