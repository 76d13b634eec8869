"""Checks of the descriptor itself, before any table is read (docs/validation.md, "What is checked").

`CHECKS` runs in stages; each check takes the Descriptor and returns problems, and the first stage
that finds any stops the run (later stages rely on what earlier ones checked)."""
from __future__ import annotations

import json
import math
import re

from ..model import cells, names, paths
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
CATEGORY_LABEL = re.compile(r"\.categories\[\d+\]\.label$")  # the exports put it in a cell (sequences/states.csv)
LINK = re.compile(r"^(?:(?:licenses|sources|contributors)\[\d+\]\.path|homepage)$")  # links in the exports' metadata
OTHER_SCHEME = re.compile(r"^(?!(?:https?|ftps?)://)[A-Za-z][A-Za-z0-9+.-]*:")  # javascript:, data:, file: …


def plain_strings(descriptor: Descriptor) -> list[Problem]:
    """No control character in any string (or key) of the descriptor, each named by its place; no
    category label that a spreadsheet would run as a formula; no link with a scheme a browser would run."""
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
            elif value.startswith(cells.FORMULA_START) and CATEGORY_LABEL.search(where):
                problems.append(_problem(FILE, where, "formula-injection", value, "a category label starting with "
                                         "= + - @ or a tab runs as a formula in a spreadsheet cell: reword it"))
            elif LINK.match(where) and OTHER_SCHEME.match(value):
                problems.append(_problem(FILE, where, "safe-link", value, "Datasette and the release's metadata link "
                                         "to it: write an http(s) URL or a relative path (no javascript:, data:, "
                                         "file: …)"))
    return sorted(problems, key=lambda p: p.field or "")


def _telling(error) -> list:
    """What an error says is wrong: where the instance fits none of a oneOf / anyOf (a field of no
    type the profile knows, or of a known type with a bad property), the errors of the alternative
    that got furthest (its type matched); the error itself when no alternative stands out."""
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        return [error]
    branches: dict[int, list] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    reach = {b: (min(len(e.relative_path) for e in found), -len(found)) for b, found in branches.items()}
    best = max(reach.values())
    furthest = [b for b in branches if reach[b] == best]
    return [e for sub in branches[furthest[0]] for e in _telling(sub)] if len(furthest) == 1 else [error]


def _profile_problem(data: dict, error) -> Problem | None:
    """A Data Package profile error as a problem at its place: a resource path that is not relative and
    local is refused as `safe-path`; a dialect is left to the reading check, which names the reason."""
    resource, where = profile.place(data, list(error.absolute_path))
    owner = re.split(r"[.[]", where or "")[0] if resource != FILE else None
    if owner == "dialect":
        return None
    if owner == "path":
        return _problem(resource, where, "safe-path", error.instance, "a resource path is relative and stays inside "
                        "the package (no URL, no absolute path, no ..): use data/<name>.csv")
    message = (f"{json.dumps(error.instance)[:60]} fits none of the forms allowed here"
               if error.validator in ("oneOf", "anyOf") else error.message[:160])
    return _problem(resource, where, "structure", None, f"the Data Package profile: {message}")


def data_package_profile(descriptor: Descriptor) -> list[Problem]:
    """The descriptor against the Data Package profile its `$schema` names (v2, the one this
    validator ships), each error at its place with the profile's words."""
    named = descriptor.data.get("$schema", profile.DATA_PACKAGE_V2)
    if named != profile.DATA_PACKAGE_V2:
        return [_problem(FILE, "$schema", "structure", named, f"name the Data Package profile {profile.DATA_PACKAGE_V2}: "
                         "the one this validator reads")]
    found = profile.errors(paths.PROFILE / profile.DATA_PACKAGE_V2_FILE, descriptor.data)
    return [p for p in (_profile_problem(descriptor.data, t) for error in found for t in _telling(error)) if p]


def _constraints(resource: str, field: dict) -> list[Problem]:
    """What the profile cannot say of a field's constraints: patterns valid and linear-time, bounds
    that a column of its type can hold, lengths from 0."""
    problems, name, kind = [], field["name"], field.get("type", "string")
    constraints = field.get("constraints", {})
    if "pattern" in constraints:
        try:
            if not isinstance(constraints["pattern"], str) or len(constraints["pattern"]) > 1000:
                raise re.error("not a string of at most 1000 characters")
            re.compile(constraints["pattern"])  # what frictionless-py runs
            reason = linear_time_refusal(constraints["pattern"])
        except (re.error, RecursionError, OverflowError) as error:
            problems.append(_problem(resource, f"{name}.constraints.pattern", "invalid-regex", constraints["pattern"],
                                     f"the pattern is not a valid regular expression ({str(error)[:80]})"))
        else:
            if reason:
                problems.append(_problem(resource, f"{name}.constraints.pattern", "regex-not-linear",
                                         constraints["pattern"], "the validator runs patterns on a linear-time engine "
                                         f"(RE2), which refuses this one ({reason[:80]}): write it without lookaround "
                                         "or backreferences"))
    for key in ("minimum", "maximum"):
        value = constraints.get(key, 0)
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if key in constraints and not (number and (kind == "integer" and -2**63 <= value < 2**63 or
                                                   kind == "number" and math.isfinite(value) and abs(value) <= 1.7e308)):
            problems.append(_problem(resource, f"{name}.constraints.{key}", "structure", value,
                                     f"{key} must be a finite number that a field of type {kind} can hold"))
    for key in ("minLength", "maxLength"):
        value = constraints.get(key, 0)
        if not (isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31):
            problems.append(_problem(resource, f"{name}.constraints.{key}", "structure", constraints[key],
                                     f"{key} must be a whole number from 0"))
    return problems


def _resource(resource: dict) -> list[Problem]:
    """What the profile cannot say of one resource: a safe path and hash, a schema written in the
    descriptor, fields named once, of the types this validator reads, a primary key of its fields."""
    label, schema = resource["name"], resource.get("schema")
    problems = []
    algorithm, _, digest = resource.get("hash", "md5:" + "0" * 32).rpartition(":")
    if len(digest) != HASH_LENGTHS.get(algorithm or "md5"):
        problems.append(_problem(label, "hash", "structure", resource["hash"],
                                 "hash must be <algorithm>:<hex> with md5, sha1, sha256 or sha512"))
    if not isinstance(schema, dict):
        return problems + [_problem(label, "schema", "structure", None, "write the schema in the descriptor: "
                                    "the validator does not read a schema from a path")]
    names = [field["name"] for field in schema["fields"]]
    for number, field in enumerate(schema["fields"]):
        if field["name"] in names[:number]:
            problems.append(_problem(label, field["name"], "duplicate-field", field["name"], "two fields have this name"))
        if field.get("type", "string") not in TYPES:
            problems.append(_problem(label, f"{field['name']}.type", "structure", field["type"],
                                     f"the validator reads the types {', '.join(TYPES)}"))
        else:
            problems += _constraints(label, field)
        if "sourceField" in field and field["sourceField"] not in names:
            problems.append(_problem(label, f"{field['name']}.sourceField", "structure", field["sourceField"],
                                     "a quote's sourceField names the field of the same table that holds its text"))
    key = schema.get("primaryKey", [])
    problems += [_problem(label, "schema.primaryKey", "key-field-missing", column,
                          f"the primary key names {column!r}, which is not a field")
                 for column in ([key] if isinstance(key, str) else key) if column not in names]
    return problems


def _foreign_keys(resources: list[dict]) -> list[Problem]:
    """Each foreign key names fields of its resource and of the resource it points at, as many on each side."""
    by_name = {r["name"]: [f["name"] for f in r["schema"]["fields"]] for r in resources}
    problems = []
    for resource in resources:
        label = resource["name"]
        for number, fk in enumerate(resource["schema"].get("foreignKeys", [])):
            where, reference = f"schema.foreignKeys[{number}]", fk["reference"]
            own, theirs = ([v] if isinstance(v, str) else v for v in (fk["fields"], reference["fields"]))
            target = reference.get("resource") or label
            if len(own) != len(theirs):
                problems.append(_problem(label, where, "foreign-key-fields", None,
                                         "a foreign key names as many fields as its reference"))
            problems += [_problem(label, where, "foreign-key-field-missing", column, f"the foreign key names "
                                  f"{column!r}, which is not a field of {label}") for column in own
                         if column not in by_name[label]]
            if target not in by_name:
                problems.append(_problem(label, where, "foreign-key-target", target,
                                         "the foreign key points at a resource the package does not have"))
                continue
            problems += [_problem(label, where, "foreign-key-field-missing", column, f"the foreign key points at "
                                  f"{target}.{column}, which is not a field") for column in theirs
                         if column not in by_name[target]]
    return problems


def structure(descriptor: Descriptor) -> list[Problem]:
    """The Data Package profile (`data_package_profile`), then what a JSON Schema cannot say: each
    resource name used once, each resource (`_resource`), every typeMap entry, the foreign keys."""
    problems = data_package_profile(descriptor)
    if problems:
        return problems
    resources = descriptor.data["resources"]
    names = [r["name"] for r in resources]
    problems += [_problem(name, "name", "duplicate-resource", name, "two resources have this name; each must be unique")
                 for number, name in enumerate(names) if name in names[:number]]
    for resource in resources:
        problems += _resource(resource)
    problems += type_map_module.problems(descriptor.data.get("typeMap"), {
        f.get("type", "string") for r in resources if isinstance(r.get("schema"), dict) for f in r["schema"]["fields"]})
    return problems or _foreign_keys(resources)


def created(descriptor: Descriptor) -> list[Problem]:
    """`created`, where given, is an RFC 3339 date-time: the profile's `format`, which its JSON Schema pass does not check."""
    value = descriptor.data.get("created")
    if not isinstance(value, str) or descriptor.created:
        return []
    return [_problem(FILE, "created", "structure", value, "the Data Package profile: `created` is an RFC 3339 "
                     "date-time, a day with a time and a zone, e.g. 2026-12-04T00:00:00Z")]


# the tables and views the SQLite export adds beside the resources' (their Datasette metadata names each)
SQLITE_OWN = set(json.loads((paths.PACKAGE / "exports" / "templates" / "datasette.json").read_text(encoding="utf-8"))["tables"])


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
        elif resource.get("name") in SQLITE_OWN:
            problems.append(_problem(resource.get("name"), "name", "reserved-name", resource.get("name"),
                                     "the SQLite export adds a table or view of this name: call the resource otherwise"))
        elif resource.get("path") != f"data/{resource.get('name')}.csv":
            problems.append(_problem(resource.get("name"), "path", "resource-name-is-file-name", resource.get("path"),
                                     "name each resource after its CSV file: data/<name>.csv"))
    return problems


CFF_SCHEMA = "cff-1.2.0.schema.json"  # the Citation File Format 1.2.0 schema (CC-BY-4.0), as cffconvert ships it


def _cff_errors(instance: dict) -> list:
    """jsonschema's errors of `instance` against the CFF schema, formats checked; jsonschema-rs first
    says whether there are any (jsonschema's import and schema build cost a command about 50 ms)."""
    import jsonschema_rs

    schema = json.loads((paths.PROFILE / CFF_SCHEMA).read_text(encoding="utf-8"))
    if jsonschema_rs.Draft7Validator(schema, validate_formats=True).is_valid(instance):
        return []
    import jsonschema

    return list(jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).iter_errors(instance))


def citation_file(descriptor: Descriptor) -> list[Problem]:
    """The package's CITATION.cff, where it names this package (`citation.for_package`): valid Citation File
    Format 1.2.0 (the release ships it; the README and the spreadsheet cite the package from it), at the
    descriptor's version."""
    import yaml

    from ..model import citation

    own, version = descriptor.root / citation.FILE, str(descriptor.data.get("version"))
    try:
        cff = citation.read(own) if own.is_file() else None
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        return [Problem(citation.FILE, None, None, "citation-schema", None, f"not readable as YAML: {error}"[:200],
                        citation.FILE)]
    if not isinstance(cff, dict) or cff.get("title") != descriptor.data.get("title"):
        return []
    problems = [Problem(citation.FILE, None, "/".join(map(str, e.absolute_path)) or None, "citation-schema", None,
                        f"the Citation File Format 1.2.0: {e.message}"[:200], citation.FILE)
                for e in _cff_errors(json.loads(json.dumps(cff, default=str)))][:20]  # YAML dates as CFF's text
    if str(cff.get("version")) != version:
        problems.append(Problem(citation.FILE, None, "version", "citation-version", str(cff.get("version")),
                                f"CITATION.cff cites this package at another version than datapackage.json's {version}: "
                                "give it the same `version` (and its `date-released`, with `preferred-citation`'s)",
                                citation.FILE))
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
    present = {r.get("name") for r in descriptor.resources}
    for resource, field_name, prop, (enum_resource, enum_field) in CODING_TABLES:
        if not {resource, enum_resource} <= present:
            continue  # the profile names the missing resource
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
CHECKS = [[structure, plain_strings, created], [safe_names, reading.reading, citation_file], [coding_tables], [journey_profile]]


def check(descriptor: Descriptor) -> list[Problem]:
    """Problems of the descriptor itself; empty when the tables can be read by it."""
    for stage in CHECKS:
        problems = [p for check_ in stage for p in check_(descriptor)]
        if problems:
            return problems
    return []
