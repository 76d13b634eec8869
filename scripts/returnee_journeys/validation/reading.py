"""Read every table as Frictionless readers do, or say that we cannot: the descriptor against
profile/plain-csv.json, which refuses by name (exit 1) each property that would make a Frictionless
reader read another table than the validator checks (a dialect, compression, encoding, a number's
decimalChar, a field's format …): honoured by frictionless-py, never silently ignored here.
"""
from __future__ import annotations

from ..model import paths
from ..model.descriptor import Descriptor
from ..model.problems import Problem
from . import profile

FILE = "datapackage.json"
SCHEMA = paths.PROFILE / "plain-csv.json"
PLAIN = "the validator reads plain CSV only; re-save the table as plain CSV (UTF-8, comma, one header row) and remove it"


def _at(data, path: list):
    for part in path:
        data = data[part]
    return data


def reading(descriptor: Descriptor) -> list[Problem]:
    """Every property that would make a Frictionless reader read a table differently, with the
    schema's hint for it."""
    problems = []
    for error in profile.errors(SCHEMA, descriptor.data):
        path = list(error.absolute_path)
        if "propertyNames" in error.schema_path:  # a property the validator does not know: the error is its name
            path.append(error.instance)
        value = _at(descriptor.data, path)
        field = _at(descriptor.data, path[:5]) if path[2:4] == ["schema", "fields"] else {}
        hint = error.schema["hint"].format(key=path[-1], value=value, default=error.validator_value, plain=PLAIN,
                                           kind=field.get("type", "string"))
        shown = repr(value) if isinstance(value, str) and any(c < " " for c in value) else str(value)
        resource, where = profile.place(descriptor.data, path)
        problems.append(Problem(resource[:80], None, where, "descriptor:read-as-frictionless", shown[:80], hint, FILE))
    return problems
