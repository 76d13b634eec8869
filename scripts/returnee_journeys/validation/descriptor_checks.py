"""Checks of the descriptor itself, before any table is read: safe paths, the Data Package
profile, the coding tables the code reads from it, resource names and foreign-key targets."""
from __future__ import annotations

from pathlib import PurePosixPath

from frictionless import FrictionlessException, Package

from ..model.descriptor import Descriptor
from ..model.problems import Problem
from . import profile


def unsafe_path(path: object) -> str | None:
    """Why a resource path may not be read, or None when it is a safe relative path."""
    if not isinstance(path, str) or not path:
        return "the resource path must be one relative path (a string)"
    if "://" in path or path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":"):
        return "the resource path is absolute or a URL"
    if ".." in PurePosixPath(path.replace("\\", "/")).parts:
        return "the resource path leaves the package folder (..)"
    return None


# The coding tables that rules, figures and exports read from fields of the descriptor: for each
# (resource, field, property), the enum whose codes the table must cover.
CODING_TABLES = [
    ("stages", "stage_type", "roles", ("stages", "stage_type")),
    ("durations", "unit", "days", ("durations", "unit")),
    ("durations", "qualifier", "admits", ("durations", "qualifier")),
    ("codings", "valence", "labels", ("codings", "lee_category")),
]


def _coding_tables(descriptor: Descriptor) -> list[Problem]:
    problems = []
    for resource, field_name, prop, (enum_resource, enum_field) in CODING_TABLES:
        try:
            table = descriptor.field(resource, field_name)[prop]
            codes = descriptor.field(enum_resource, enum_field)["constraints"]["enum"]
        except (StopIteration, KeyError):
            table, codes = None, None
        if table is None or not isinstance(table, dict) or set(table) != set(codes or []):
            problems.append(Problem(resource, None, field_name, "descriptor:coding-table", prop,
                                    f"the field needs a `{prop}` table with one entry for each code of "
                                    f"{enum_resource}.{enum_field} (see the field's description)", "datapackage.json"))
    try:
        home = descriptor.field("stages", "stage_type")["home_country"]
    except (StopIteration, KeyError):
        home = None
    if not isinstance(home, str) or len(home) != 2:
        problems.append(Problem("stages", None, "stage_type", "descriptor:coding-table", "home_country",
                                "stage_type needs `home_country`: the ISO 3166-1 alpha-2 code of Russia", "datapackage.json"))
    if not problems:
        for position in ("first", "last"):
            if len(descriptor.stage_types(position=position)) != 1:
                problems.append(Problem("stages", None, "stage_type", "descriptor:coding-table", "roles",
                                        f"exactly one stage type must have the role position `{position}`",
                                        "datapackage.json"))
    return problems


def check(descriptor: Descriptor) -> list[Problem]:
    """Paths first (nothing is read before they are safe), then frictionless' own profile check."""
    problems = []
    for index, resource in enumerate(descriptor.resources):
        reason = unsafe_path(resource.get("path"))
        if reason:
            problems.append(
                Problem(
                    resource=str(resource.get("name", f"resources[{index}]")),
                    row=None,
                    field="path",
                    rule="safe-path",
                    value=str(resource.get("path")),
                    hint=f"{reason}; use a path such as data/<name>.csv inside the package",
                    file="datapackage.json",
                )
            )
    if problems:
        return problems
    try:
        errors = list(Package.metadata_validate(descriptor.data))
    except FrictionlessException as exception:
        errors = [exception.error]
    for error in errors:
        problems.append(
            Problem("datapackage.json", None, None, f"descriptor:{error.type}", None, error.message, "datapackage.json")
        )
    if problems:
        return problems
    problems += _coding_tables(descriptor)
    if not problems:  # the journey-package profile (docs/profile.md), once the coding tables are sound
        problems += profile.profile_problems(descriptor.data)
    names = [r.get("name") for r in descriptor.resources]
    for resource in descriptor.resources:
        if resource.get("path") != f"data/{resource.get('name')}.csv":
            problems.append(
                Problem(resource.get("name"), None, "path", "resource-name-is-file-name", resource.get("path"),
                        "name each resource after its CSV file: data/<name>.csv", "datapackage.json")
            )
        for fk in resource.get("schema", {}).get("foreignKeys", []):
            target = fk["reference"].get("resource")
            if target not in names and target != "":
                problems.append(
                    Problem(resource.get("name"), None, ",".join(fk["fields"]), "foreign-key-target", target,
                            "the foreign key points at a resource the package does not have", "datapackage.json")
                )
    return problems
