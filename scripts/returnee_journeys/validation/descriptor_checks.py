"""Checks of the descriptor itself, before any table is read.

`CHECKS` runs in order; each takes the Descriptor and returns problems, and the first stage that
finds any stops the run (later stages rely on what earlier ones checked). To add a check (for
instance a published profile), write a function and put it in `CHECKS` at the right stage.

1. structure: the parts of a Data Package v2 descriptor the validator and the writers rely on,
   with the types Table Schema gives them; each mistake named at its place in the descriptor
   (an invalid regex, a foreign key to a missing field, a non-finite bound, …);
   and no control character in any of its strings;
2. names: package name, version, resource names and paths safe to become file names; every
   property that would make a Frictionless reader read a table differently refused (`reading`);
3. the coding tables the code reads from fields of the descriptor.
"""
from __future__ import annotations

import math
import re
from pathlib import PurePosixPath

from ..model import names
from ..model.descriptor import Descriptor
from ..model.problems import Problem
from . import profile
from . import reading
from . import type_map as type_map_module

FILE = "datapackage.json"
TYPES = ("string", "integer", "number", "boolean", "date")
HASH_LENGTHS = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}


def _problem(resource, where, rule, value, hint) -> Problem:
    shown = None if value is None else (str(value) if len(str(value)) <= 80 else str(value)[:79] + "…")
    return Problem(str(resource)[:80], None, where, f"descriptor:{rule}", shown, hint, FILE)


def unsafe_path(path: object) -> str | None:
    """Why a resource path may not be read, or None when it is a safe relative path."""
    if not isinstance(path, str) or not path:
        return "the resource path must be one relative path (a string)"
    if "://" in path or path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":"):
        return "the resource path is absolute or a URL"
    if ".." in PurePosixPath(path.replace("\\", "/")).parts:
        return "the resource path leaves the package folder (..)"
    if "\x00" in path or len(path) > 255:
        return "the resource path is not a usable file name"
    return None


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _fields(value) -> list | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return value
    return None


def linear_time_refusal(pattern: str) -> str | None:
    """Why RE2, the linear-time engine every pattern runs on, refuses `pattern` (None: it takes it).
    A pattern RE2 refuses is refused at the descriptor: no pattern ever runs on a backtracking engine."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        pc.match_substring_regex(pa.array([""], pa.string()), f"^(?:{pattern})$")
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
        return str(error).split(":", 1)[-1].strip() or "refused"
    return None


# Characters no string of the descriptor may hold: they would act on a terminal, break a
# spreadsheet cell or a LaTeX line (C0 controls but tab and line feed, DEL, C1, bidi controls).
DESCRIPTOR_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def plain_strings(descriptor: Descriptor) -> list[Problem]:
    """No control character in any string (or key) of the descriptor, each named by its place."""
    problems: list[Problem] = []
    stack = [("", descriptor.data)]
    while stack and len(problems) < 20:
        where, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                stack.append((f"{where}.{key}" if where else str(key), key))
                stack.append((f"{where}.{key}" if where else str(key), item))
        elif isinstance(value, list):
            stack.extend((f"{where}[{i}]", item) for i, item in enumerate(value))
        elif isinstance(value, str):
            found = DESCRIPTOR_CONTROL.search(value)
            if found:
                shown = where.encode("unicode_escape").decode("ascii")
                problems.append(_problem(FILE, shown[:200], "control-character", f"U+{ord(found.group()):04X}",
                                         "a control character (U+%04X) in the descriptor: remove it (a line break "
                                         "is \\n in JSON; tabs and line breaks are the only ones allowed)"
                                         % ord(found.group())))
    return sorted(problems, key=lambda p: p.field or "")


def _constraints(resource: str, field: dict, where: str) -> list[Problem]:
    problems = []
    constraints = field.get("constraints", {})
    kind = field.get("type", "string")
    if not isinstance(constraints, dict):
        return [_problem(resource, f"{where}.constraints", "structure", None, "constraints must be an object")]
    for key in ("required", "unique"):
        if key in constraints and not isinstance(constraints[key], bool):
            problems.append(_problem(resource, f"{where}.constraints.{key}", "structure", constraints[key],
                                     f"{key} must be true or false"))
    if "enum" in constraints:
        enum = constraints["enum"]
        wanted = str if kind in ("string", "date") else bool if kind == "boolean" else (int, float)
        if not isinstance(enum, list) or not enum or not all(isinstance(v, wanted) and not (
                wanted is not bool and isinstance(v, bool)) for v in enum):
            problems.append(_problem(resource, f"{where}.constraints.enum", "structure", None,
                                     f"enum must be a non-empty list of {kind} values"))
        elif len(set(map(repr, enum))) != len(enum):
            problems.append(_problem(resource, f"{where}.constraints.enum", "structure", None,
                                     "enum lists a value twice"))
    if "pattern" in constraints:
        pattern = constraints["pattern"]
        try:
            if not isinstance(pattern, str) or len(pattern) > 1000:
                raise re.error("not a string of at most 1000 characters")
            re.compile(pattern)  # what frictionless-py runs
        except (re.error, RecursionError, OverflowError) as error:
            problems.append(_problem(resource, f"{where}.constraints.pattern", "invalid-regex", pattern,
                                     f"the pattern is not a valid regular expression ({str(error)[:80]})"))
        else:
            reason = linear_time_refusal(pattern)
            if reason:
                problems.append(_problem(resource, f"{where}.constraints.pattern", "regex-not-linear", pattern,
                                         "the validator runs patterns on a linear-time engine (RE2), which refuses "
                                         f"this one ({reason[:80]}): write it without lookaround or "
                                         "backreferences"))
    for key in ("minimum", "maximum"):
        if key in constraints:
            value = constraints[key]
            if not _is_number(value) or (kind == "integer" and not -2**63 <= value < 2**63) or (
                    kind == "number" and abs(value) > 1.7e308):
                problems.append(_problem(resource, f"{where}.constraints.{key}", "structure", value,
                                         f"{key} must be a finite number that a {kind} can hold"))
            elif kind not in ("integer", "number"):
                problems.append(_problem(resource, f"{where}.constraints.{key}", "structure", value,
                                         f"{key} applies to integer and number fields; this one is {kind}"))
    for key in ("minLength", "maxLength"):
        if key in constraints:
            value = constraints[key]
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**31:
                problems.append(_problem(resource, f"{where}.constraints.{key}", "structure", value,
                                         f"{key} must be a whole number from 0"))
    return problems


def structure(descriptor: Descriptor) -> list[Problem]:
    data = descriptor.data
    problems = []
    for key in ("name", "version"):
        if not isinstance(data.get(key), str):
            problems.append(_problem(FILE, key, "structure", None, f"the package needs a `{key}` (a string)"))
    resources = data.get("resources")
    if not isinstance(resources, list) or not resources or not all(isinstance(r, dict) for r in resources):
        return problems + [_problem(FILE, "resources", "structure", None,
                                    "the package needs `resources`: a non-empty list of objects")]
    missing_values = data.get("missingValues", [""])
    if not isinstance(missing_values, list) or not all(isinstance(v, str) for v in missing_values):
        problems.append(_problem(FILE, "missingValues", "structure", None, "missingValues must be a list of strings"))
    type_map = data.get("typeMap")
    seen_names = set()
    for index, resource in enumerate(resources):
        label = resource.get("name") if isinstance(resource.get("name"), str) else f"resources[{index}]"
        if not isinstance(resource.get("name"), str):
            problems.append(_problem(label, "name", "structure", None, "each resource needs a `name` (a string)"))
        elif resource["name"] in seen_names:
            problems.append(_problem(label, "name", "duplicate-resource", resource["name"],
                                     "two resources have this name; each must be unique"))
        seen_names.add(resource.get("name"))
        reason = unsafe_path(resource.get("path"))
        if reason:
            problems.append(_problem(label, "path", "safe-path", resource.get("path"),
                                     f"{reason}; use a path such as data/<name>.csv inside the package"))
        if "bytes" in resource and not (isinstance(resource["bytes"], int) and not isinstance(resource["bytes"], bool)
                                        and resource["bytes"] >= 0):
            problems.append(_problem(label, "bytes", "structure", resource["bytes"], "bytes must be a whole number"))
        if "hash" in resource:
            digest = resource["hash"]
            algorithm, _, value = digest.rpartition(":") if isinstance(digest, str) else ("", "", "")
            if not isinstance(digest, str) or (algorithm or "md5") not in HASH_LENGTHS or \
                    not re.fullmatch(f"[0-9a-fA-F]{{{HASH_LENGTHS[algorithm or 'md5']}}}", value):
                problems.append(_problem(label, "hash", "structure", digest,
                                         "hash must be <algorithm>:<hex> with md5, sha1, sha256 or sha512"))
        schema = resource.get("schema")
        if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) or not schema["fields"] \
                or not all(isinstance(f, dict) for f in schema["fields"]):
            problems.append(_problem(label, "schema.fields", "structure", None,
                                     "each resource needs a schema with a non-empty list of fields"))
            continue
        field_names = []
        for number, field in enumerate(schema["fields"]):
            where = f"schema.fields[{number}]"
            name = field.get("name")
            if not isinstance(name, str) or not name or len(name) > 200 or "\x00" in name:
                problems.append(_problem(label, f"{where}.name", "structure", name, "each field needs a name"))
                continue
            where = name
            if name in field_names:
                problems.append(_problem(label, where, "duplicate-field", name, "two fields have this name"))
            field_names.append(name)
            kind = field.get("type", "string")
            if kind not in TYPES:
                problems.append(_problem(label, f"{where}.type", "structure", kind,
                                         f"the validator reads the types {', '.join(TYPES)}"))
                continue
            if not isinstance(type_map, dict) or not isinstance(type_map.get(kind), dict) \
                    or "pandas" not in type_map[kind]:
                problems.append(_problem(FILE, "typeMap", "structure", kind,
                                         f"typeMap needs an entry for the type {kind} with its pandas dtype"))
            for key in ("trueValues", "falseValues"):
                if key in field and not (isinstance(field[key], list) and all(isinstance(v, str) for v in field[key])):
                    problems.append(_problem(label, f"{where}.{key}", "structure", None, f"{key} must list strings"))
            problems += _constraints(label, field, where)
        missing = schema.get("missingValues", [""])
        if not isinstance(missing, list) or not all(isinstance(v, str) for v in missing):
            problems.append(_problem(label, "schema.missingValues", "structure", None,
                                     "missingValues must be a list of strings"))
        if "primaryKey" in schema:
            key = _fields(schema["primaryKey"])
            if key is None:
                problems.append(_problem(label, "schema.primaryKey", "structure", None,
                                         "primaryKey must be a field name or a list of them"))
            else:
                for column in key:
                    if column not in field_names:
                        problems.append(_problem(label, "schema.primaryKey", "key-field-missing", column,
                                                 f"the primary key names {column!r}, which is not a field"))
    problems += type_map_module.problems(type_map, {
        f.get("type", "string") for r in resources if isinstance(r.get("schema"), dict)
        and isinstance(r["schema"].get("fields"), list) for f in r["schema"]["fields"] if isinstance(f, dict)
        and isinstance(f.get("type", "string"), str)})  # a type that is not a string is reported with its field
    if problems:
        return problems
    by_name = {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in resources}
    for resource in resources:
        label = resource["name"]
        foreign_keys = resource["schema"].get("foreignKeys", [])
        if not isinstance(foreign_keys, list):
            problems.append(_problem(label, "schema.foreignKeys", "structure", None, "foreignKeys must be a list"))
            continue
        for number, fk in enumerate(foreign_keys):
            where = f"schema.foreignKeys[{number}]"
            reference = fk.get("reference") if isinstance(fk, dict) else None
            own = _fields(fk.get("fields")) if isinstance(fk, dict) else None
            theirs = _fields(reference.get("fields")) if isinstance(reference, dict) else None
            target = reference.get("resource", "") if isinstance(reference, dict) else None
            if own is None or theirs is None or not isinstance(target, str):
                problems.append(_problem(label, where, "structure", None,
                                         "a foreign key needs `fields` and a `reference` with `resource` and `fields`"))
                continue
            target = target or label
            if len(own) != len(theirs):
                problems.append(_problem(label, where, "foreign-key-fields", None,
                                         "a foreign key names as many fields as its reference"))
            for column in own:
                if column not in by_name[label]:
                    problems.append(_problem(label, where, "foreign-key-field-missing", column,
                                             f"the foreign key names {column!r}, which is not a field of {label}"))
            if target not in by_name:
                problems.append(_problem(label, where, "foreign-key-target", target,
                                         "the foreign key points at a resource the package does not have"))
                continue
            for column in theirs:
                if column not in by_name[target]:
                    problems.append(_problem(label, where, "foreign-key-field-missing", column,
                                             f"the foreign key points at {target}.{column}, which is not a field"))
    return problems


def safe_names(descriptor: Descriptor) -> list[Problem]:
    """Everything of the descriptor that becomes a file name is safe as one."""
    data = descriptor.data
    problems = []
    for key, kind in (("name", "name"), ("version", "version")):
        reason = names.unsafe(data.get(key), kind)
        if reason:
            problems.append(_problem(FILE, key, "safe-name", data.get(key),
                                     f"{reason}; it becomes part of the release's and the exports' file names"))
    for resource in descriptor.resources:
        reason = names.unsafe(resource.get("name"), "name")
        if reason:
            problems.append(_problem(resource.get("name"), "name", "safe-name", resource.get("name"),
                                     f"{reason}; resource names become file names of the exports"))
        elif resource.get("path") != f"data/{resource.get('name')}.csv":
            problems.append(_problem(resource.get("name"), "path", "resource-name-is-file-name", resource.get("path"),
                                     "name each resource after its CSV file: data/<name>.csv"))
    return problems


# The coding tables that rules, figures and exports read from fields of the descriptor: for each
# (resource, field, property), the enum whose codes the table must cover.
CODING_TABLES = [
    ("stages", "stage_type", "roles", ("stages", "stage_type")),
    ("durations", "unit", "days", ("durations", "unit")),
    ("durations", "qualifier", "admits", ("durations", "qualifier")),
    ("codings", "valence", "labels", ("codings", "lee_category")),
]


def coding_tables(descriptor: Descriptor) -> list[Problem]:
    problems = []
    for resource, field_name, prop, (enum_resource, enum_field) in CODING_TABLES:
        try:
            table = descriptor.field(resource, field_name)[prop]
            codes = descriptor.field(enum_resource, enum_field)["constraints"]["enum"]
        except (StopIteration, KeyError, TypeError):
            table, codes = None, None
        if table is None or not isinstance(table, dict) or set(table) != set(codes or []):
            missing = [c for c in codes or [] if not isinstance(table, dict) or c not in table]
            extra = [c for c in table if c not in (codes or [])] if isinstance(table, dict) else []
            detail = "; ".join(filter(None, [f"no entry for {', '.join(map(str, missing))}" if missing else "",
                                             f"not a code: {', '.join(map(str, extra))}" if extra else ""]))
            problems.append(Problem(resource, None, field_name, "descriptor:coding-table", prop,
                                    f"the field needs a `{prop}` table with one entry for each code of "
                                    f"{enum_resource}.{enum_field} (see the field's description)"
                                    + (f": {detail}" if detail else ""), FILE))
    if not problems:
        roles = descriptor.field("stages", "stage_type")["roles"]
        if not all(isinstance(r, dict) for r in roles.values()):
            problems.append(Problem("stages", None, "stage_type", "descriptor:coding-table", "roles",
                                    "each stage type's roles must be an object", FILE))
    try:
        homes = descriptor.home_countries
    except (StopIteration, KeyError, TypeError):
        homes = None
    if not isinstance(homes, list) or not homes or not all(isinstance(h, str) and len(h) == 2 for h in homes):
        problems.append(Problem("stages", None, "stage_type", "descriptor:coding-table", "home_countries",
                                "stage_type needs `home_countries`: the ISO 3166-1 alpha-2 codes of the countries "
                                "the journeys leave from and return to, such as [\"RU\"]", FILE))
    if not problems:
        for position in ("first", "last"):
            if len(descriptor.stage_types(position=position)) != 1:
                problems.append(Problem("stages", None, "stage_type", "descriptor:coding-table", "roles",
                                        f"exactly one stage type must have the role position `{position}`", FILE))
    return problems


def journey_profile(descriptor: Descriptor) -> list[Problem]:
    """The journey-package profile (docs/profile.md), once the coding tables are sound."""
    return profile.profile_problems(descriptor.data)


PROTOCOL = "docs/coding-protocol.md"


def protocol_definitions(descriptor: Descriptor) -> list[Problem]:
    """Where the package has a coding protocol (docs/coding-protocol.md beside its descriptor), every
    code of every enumerated field is defined there: named in backquotes (`code`)."""
    path = descriptor.root / PROTOCOL
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8", errors="replace")
    problems = []
    for resource in descriptor.resources:
        for field in resource["schema"]["fields"]:
            for code in field.get("constraints", {}).get("enum", []):
                if f"`{code}`" not in text:
                    problems.append(Problem(resource["name"], None, field["name"], "protocol-defines-code", code,
                                            f"the coding protocol ({PROTOCOL}) does not define the code `{code}`: "
                                            "say there when to use it (a new code appears in the enum, in "
                                            "`categories` with its label, and in the protocol)", PROTOCOL))
    return problems


# Stages in order: a stage runs only when every earlier one found nothing.
CHECKS = [[structure, plain_strings], [safe_names, reading.reading], [coding_tables], [journey_profile]]


def check(descriptor: Descriptor) -> list[Problem]:
    """Problems of the descriptor itself; empty when the tables can be read by it."""
    for stage in CHECKS:
        problems = [p for check_ in stage for p in check_(descriptor)]
        if problems:
            return problems
    return []
