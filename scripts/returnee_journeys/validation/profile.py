"""The journey-package profile check: the descriptor against the JSON Schema of the profile version
it names in `journeyProfile` (shipped in returnee_journeys/profile/, never fetched), plus what a
JSON Schema cannot say: each field's `categories` list exactly its `enum`, in the same order.

Documented in docs/profile.md. `profile_problems(descriptor)` takes the parsed descriptor (a dict)
and returns Problems; `errors` checks a descriptor against any shipped schema (the structure check
runs the official Data Package profile through it).
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from ..model import paths
from ..model.problems import Problem

KEY = "journeyProfile"
FILE_NAME = re.compile(r"^journey-package-profile-(\d+)\.(\d+)\.(\d+)\.json$")
FILE = "datapackage.json"


def available() -> dict[str, Path]:
    """The profile versions this validator knows: file name → path."""
    return {p.name: p for p in sorted(paths.PROFILE.glob("journey-package-profile-*.json")) if FILE_NAME.match(p.name)}


def latest() -> str:
    return max(available(), key=lambda n: tuple(int(x) for x in FILE_NAME.match(n).groups()))


# The official Data Package v2 profile, which the journey profiles build on (allOf/$ref): shipped
# beside them, so that a $ref to its address is resolved locally and nothing is ever fetched.
DATA_PACKAGE_V2 = "https://datapackage.org/profiles/2.0/datapackage.json"
DATA_PACKAGE_V2_FILE = "datapackage-2.0.json"


def _refuse(uri: str):  # never fetch: every schema a profile refers to is shipped
    from referencing.exceptions import NoSuchResource

    raise NoSuchResource(ref=uri)


@lru_cache(maxsize=8)
def _validator(path: Path, compiled: bool):
    """The schema at `path`, built once per process: compiled (jsonschema-rs), which says in well
    under a millisecond whether a descriptor conforms, or jsonschema's, which says where and why not."""
    schema = json.loads(path.read_text(encoding="utf-8"))
    official = json.loads((paths.PROFILE / DATA_PACKAGE_V2_FILE).read_text(encoding="utf-8"))
    if compiled:
        import jsonschema_rs

        return jsonschema_rs.validator_for(schema, registry=jsonschema_rs.Registry([(DATA_PACKAGE_V2, official)]),
                                           retriever=_refuse, validate_formats=False)
    import jsonschema
    from referencing import Registry, Resource

    registry = Registry(retrieve=_refuse).with_resource(DATA_PACKAGE_V2, Resource.from_contents(official))
    return jsonschema.validators.validator_for(schema)(schema, registry=registry)


def errors(path: Path, descriptor: dict) -> list:
    """The descriptor's errors against the schema at `path` (jsonschema's), in document order."""
    if _validator(path, compiled=True).is_valid(descriptor):
        return []
    return sorted(_validator(path, compiled=False).iter_errors(descriptor),
                  key=lambda e: [(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in e.absolute_path])


def where_in(descriptor: dict, path: list) -> tuple[str, str | None]:
    """The resource (and field) an error path points into, by name."""
    resource, field = FILE, None
    if len(path) >= 2 and path[0] == "resources" and isinstance(path[1], int):
        try:
            item = descriptor["resources"][path[1]]
            resource = str(item.get("name", f"resources[{path[1]}]"))
            if len(path) >= 5 and path[2:4] == ["schema", "fields"] and isinstance(path[4], int):
                field = str(item["schema"]["fields"][path[4]].get("name", f"fields[{path[4]}]"))
        except (KeyError, IndexError, TypeError, AttributeError):
            pass
    return resource, field


def place(data: dict, path: list) -> tuple[str, str | None]:
    """(resource, where in it) for a JSON path into the descriptor: a resource and a field by name,
    the rest dotted (`seq.constraints.minimum`, `schema.primaryKey`, `resources`)."""
    resource, field = where_in(data, path)
    rest = path if resource == FILE else [field] + path[5:] if field is not None else path[2:]
    return resource, "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in rest).lstrip(".") or None


def _problem(resource: str, field: str | None, rule: str, value: str | None, hint: str) -> Problem:
    return Problem(resource, None, field, f"profile:{rule}", value, hint, FILE)


def _categories(descriptor: dict) -> list[Problem]:
    """Every `categories` lists exactly the field's `enum` codes, in order (labels may say anything)."""
    problems = []
    for resource in descriptor.get("resources", []) if isinstance(descriptor.get("resources"), list) else []:
        fields = resource.get("schema", {}).get("fields", []) if isinstance(resource, dict) else []
        for field in fields if isinstance(fields, list) else []:
            if not isinstance(field, dict) or "categories" not in field:
                continue
            values = [c.get("value") if isinstance(c, dict) else c for c in field["categories"] or []]
            enum = field.get("constraints", {}).get("enum")
            if enum is not None and values != enum:
                missing = [v for v in enum if v not in values]
                extra = [v for v in values if v not in enum]
                detail = "; ".join(filter(None, [f"no category for {', '.join(map(str, missing))}" if missing else "",
                                                 f"not in the enum: {', '.join(map(str, extra))}" if extra else "",
                                                 "not in the enum's order" if not missing and not extra else ""]))
                problems.append(_problem(str(resource.get("name")), str(field.get("name")), "categories-enum",
                                         ", ".join(map(str, values)),
                                         f"`categories` must list the codes of `constraints.enum` in the same order, "
                                         f"each with its label ({detail})"))
    return problems


def profile_problems(descriptor: dict) -> list[Problem]:
    """Problems of the descriptor against its journey-package profile (empty: it conforms)."""
    known = available()
    name = descriptor.get(KEY) if isinstance(descriptor, dict) else None
    if not isinstance(name, str) or not name:
        return [_problem(FILE, None, "missing", None,
                         f"name the journey-package profile the package follows: \"{KEY}\": \"{latest()}\" "
                         "(see docs/profile.md)")]
    if name not in known:
        return [_problem(FILE, None, "unknown-version", name,
                         f"this validator knows {', '.join(known)}; use one of them, or a newer returnee-journeys "
                         "for a newer profile")]
    found = errors(known[name], descriptor)
    # a field missing or out of place shifts every later one: report only the first in each table
    first_misplaced: dict[int, int] = {}
    for error in found:
        path = list(error.absolute_path)
        if len(path) == 6 and path[2:4] == ["schema", "fields"] and path[5] == "name" and error.validator == "const":
            first_misplaced[path[1]] = min(first_misplaced.get(path[1], path[4]), path[4])
    problems = []
    for error in found:
        path = list(error.absolute_path)
        in_fields = len(path) >= 4 and path[2:4] == ["schema", "fields"] and path[1] in first_misplaced
        if in_fields and (len(path) == 4 or path[4] > first_misplaced[path[1]]  # too few fields: the same cause
                          or (path[4] == first_misplaced[path[1]] and path[5:] != ["name"])):
            continue
        resource, field = where_in(descriptor, path)
        about = error.schema.get("description") if isinstance(error.schema, dict) else None
        message = error.message if len(error.message) <= 160 else error.message[:157] + "…"
        if error.validator in ("contains", "minItems"):
            message = "missing"
            if error.validator == "minItems" and isinstance(error.instance, list):  # the fields missing at the end
                items = error.schema.get("prefixItems", [])[len(error.instance):]
                wanted = [item.get("properties", {}).get("name", {}).get("const") for item in items]
                message += f": {', '.join(wanted)}" if wanted and all(isinstance(w, str) for w in wanted) else ""
        elif error.validator == "const" and path[-1:] == ["name"]:
            message = (f"expected the field `{error.validator_value}` here, found `{error.instance}`: the profile's "
                       "fields come first, in its order")
        hint = f"{about}: {message}" if about else message
        where = "/".join(str(p) for p in path) or "(top level)"
        problems.append(_problem(resource, field, str(error.validator), where, hint))
    return problems + _categories(descriptor)
