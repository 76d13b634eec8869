"""Read every table as Frictionless readers do, or say that we cannot.

The validator reads each resource as plain CSV: UTF-8, comma, double quotes doubled, one header
row, no comments, uncompressed, numbers with a dot. A descriptor may ask Frictionless readers for
something else (`dialect`, `compression`, `encoding`, a number's `decimalChar`, a date's `format`
…); they would then read another table than the validator checks. Each such property is refused
here, by name, at the descriptor (exit 1): honoured by frictionless-py, never silently ignored.
Properties that describe the default (`"delimiter": ","`, `"header": true` …) are accepted.
"""
from __future__ import annotations

from ..model.descriptor import Descriptor
from ..model.problems import Problem

FILE = "datapackage.json"

# dialect properties: the default value each must have (None: metadata, any value)
DIALECT = {"delimiter": ",", "quoteChar": '"', "doubleQuote": True, "skipInitialSpace": False, "header": True,
           "headerRows": [1], "lineTerminator": None, "caseSensitiveHeader": None, "headerJoin": None,
           "csvddfVersion": None, "$schema": None, "title": None, "description": None, "name": None,
           "type": None}
LINE_TERMINATORS = ("\n", "\r\n")
ENCODINGS = ("utf-8", "utf8")
# what a field may say about how its text is read, by type: the default only
FIELD_READING = {"decimalChar": ".", "groupChar": None, "bareNumber": True}
STRING_FORMATS = ("default", "uri")  # uri: checked as frictionless-py does (a scheme before ':')
CONSTRAINTS = ("required", "unique", "enum", "pattern", "minimum", "maximum", "minLength", "maxLength")
HINT = "the validator reads plain CSV only; re-save the table as plain CSV (UTF-8, comma, one header row) and remove it"


def _problem(resource, where, value, hint) -> Problem:
    shown = None if value is None else str(value)[:80]
    return Problem(str(resource)[:80], None, where, "descriptor:read-as-frictionless", shown, hint, FILE)


def _dialect(name: str, dialect) -> list[Problem]:
    if not isinstance(dialect, dict):
        return [_problem(name, "dialect", dialect, "a dialect given by path or URL is not read by the validator; "
                                                   "write it in the descriptor, with the default values")]
    problems = []
    for key, value in dialect.items():
        if key not in DIALECT:
            problems.append(_problem(name, f"dialect.{key}", value,
                                     f"Frictionless readers honour dialect.{key}; {HINT}"))
        elif key == "lineTerminator" and value not in LINE_TERMINATORS:
            problems.append(_problem(name, f"dialect.{key}", repr(value), f"use \\n or \\r\\n; {HINT}"))
        elif DIALECT[key] is not None and (value != DIALECT[key] or type(value) is not type(DIALECT[key])):
            problems.append(_problem(name, f"dialect.{key}", value,
                                     f"Frictionless readers would read the table with {key} {value!r}, the "
                                     f"validator with {DIALECT[key]!r}; {HINT}"))
    return problems


def reading(descriptor: Descriptor) -> list[Problem]:
    """Every property that would make a Frictionless reader read a table differently."""
    problems = []
    for resource in descriptor.resources:
        name = resource.get("name", "?")
        if "dialect" in resource:
            problems += _dialect(name, resource["dialect"])
        for key in ("compression", "innerpath", "data", "layout", "extrapaths"):
            if key in resource and not (key == "compression" and resource[key] in ("no", "")):
                problems.append(_problem(name, key, resource[key],
                                         f"Frictionless readers honour `{key}`; the validator reads the file at "
                                         f"`path` as it is: {HINT}"))
        if "encoding" in resource and str(resource["encoding"]).lower() not in ENCODINGS:
            problems.append(_problem(name, "encoding", resource["encoding"], f"save the table as UTF-8; {HINT}"))
        if resource.get("format", "csv") != "csv":
            problems.append(_problem(name, "format", resource["format"], f"only CSV tables are read; {HINT}"))
        if resource.get("scheme", "file") != "file":
            problems.append(_problem(name, "scheme", resource["scheme"], "only local files are read: scheme `file`"))
        schema = resource.get("schema")
        if not isinstance(schema, dict):
            continue
        if schema.get("fieldsMatch", "exact") != "exact":
            problems.append(_problem(name, "schema.fieldsMatch", schema["fieldsMatch"],
                                     "the validator matches the header to the fields exactly: use `exact`"))
        for field in schema.get("fields", []) if isinstance(schema.get("fields"), list) else []:
            if not isinstance(field, dict):
                continue
            where = str(field.get("name", "?"))
            kind = field.get("type", "string")
            for key, default in FIELD_READING.items():
                if key in field and kind in ("number", "integer") and field[key] != default:
                    problems.append(_problem(name, f"{where}.{key}", field[key],
                                             f"Frictionless readers honour {key}; the validator reads numbers as "
                                             "plain digits with a dot: write them so and remove it"))
            fmt = field.get("format", "default")
            if (kind == "string" and fmt not in STRING_FORMATS) or (kind != "string" and fmt != "default"):
                problems.append(_problem(name, f"{where}.format", fmt,
                                         f"the validator reads {kind} fields in the default format"
                                         + (" (or `uri`)" if kind == "string" else "") + "; remove `format`"))
            constraints = field.get("constraints", {})
            for key in constraints if isinstance(constraints, dict) else []:
                if key not in CONSTRAINTS:
                    problems.append(_problem(name, f"{where}.constraints.{key}", constraints[key],
                                             f"the validator checks the constraints {', '.join(CONSTRAINTS)}; "
                                             f"Frictionless readers would check `{key}` too: remove it"))
    return problems
