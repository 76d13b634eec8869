"""`typeMap` against the types each target knows: what a Table Schema type may become in pandas,
Arrow, SQLite and readr, so that a value the tools cannot use (`arrow: "timestamp"`, which Arrow
has no alias for) is refused by `validate` rather than crashing `exports`.

Each target is asked in its own terms: Arrow by `pyarrow.type_for_alias` and the kind of type it
names, SQLite by the column types sqlite-utils creates, pandas by the dtype the loader gives the
column (the pandera schemas check the loaded columns against it exactly), readr by its
`col_types` letters. A type is allowed only where the values of that Table Schema type convert to
it without loss (an integer only to a 64-bit integer: a narrower one could overflow).
"""
from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa

from ..model.problems import Problem

FILE = "datapackage.json"
TARGETS = ("pandas", "arrow", "sqlite", "readr")

# what the loader (model.load) gives each Table Schema type
PANDAS = {"string": {"string"}, "integer": {"Int64"}, "number": {"Float64"}, "boolean": {"boolean"},
          "date": {"datetime64[s]"}}

ARROW: dict[str, Callable[[pa.DataType], bool]] = {
    "string": lambda t: pa.types.is_string(t) or pa.types.is_large_string(t),
    "integer": lambda t: t == pa.int64(),
    "number": lambda t: t == pa.float64(),
    "boolean": pa.types.is_boolean,
    "date": lambda t: pa.types.is_date(t) or pa.types.is_timestamp(t),
}

# the column types sqlite-utils creates (its COLUMN_TYPE_MAPPING), by what each can hold losslessly
SQLITE = {"string": {"TEXT", "text"}, "integer": {"INTEGER", "integer"}, "number": {"REAL", "real", "FLOAT", "float"},
          "boolean": {"INTEGER", "integer"}, "date": {"TEXT", "text"}}

# readr's col_types letters: c character, i integer, d double, n number, l logical, D date
READR = {"string": {"c"}, "integer": {"i", "d", "n", "c"}, "number": {"d", "n", "c"}, "boolean": {"l", "c"},
         "date": {"D", "c"}}


# the names sqlite-utils creates columns of (the string keys of its COLUMN_TYPE_MAPPING; a test keeps
# this list equal to it): written out, since the light install that validates has no sqlite-utils
SQLITE_KNOWN = {"TEXT", "INTEGER", "FLOAT", "REAL", "BLOB", "text", "str", "integer", "int", "float", "real", "blob",
                "bytes", "ANY", "any"}


def why_not(kind: str, target: str, value: object) -> str | None:
    """Why `value` cannot be what the Table Schema type `kind` becomes in `target` (None: it can)."""
    if not isinstance(value, str):
        return f"give the {target} type as a string"
    if target == "pandas":
        allowed = PANDAS[kind]
    elif target == "arrow":
        try:
            arrow = pa.type_for_alias(value)
        except (ValueError, KeyError, TypeError):
            return f"Arrow has no type alias {value!r} (pyarrow.type_for_alias)"
        return None if ARROW[kind](arrow) else f"Arrow's {arrow} cannot hold a {kind} column without loss"
    elif target == "sqlite":
        if value not in SQLITE_KNOWN:
            return f"sqlite-utils creates no column of type {value!r}"
        allowed = SQLITE[kind]
    else:
        allowed = READR[kind]
    if value in allowed:
        return None
    return f"a {kind} column becomes one of {', '.join(sorted(allowed))} in {target}, not {value!r}"


def problems(type_map: object, used: set[str]) -> list[Problem]:
    """Every typeMap entry of the types the fields use, against each target's types."""
    out = []
    if not isinstance(type_map, dict):
        return out
    for kind in sorted(used & set(PANDAS)):
        entry = type_map.get(kind)
        if not isinstance(entry, dict):
            continue  # reported by the structure check
        for target in TARGETS:
            if target not in entry:
                out.append(Problem(FILE, None, f"typeMap.{kind}", "descriptor:type-map", None,
                                   f"typeMap.{kind} needs `{target}`: the exports and recipes read it", FILE))
                continue
            reason = why_not(kind, target, entry[target])
            if reason:
                out.append(Problem(FILE, None, f"typeMap.{kind}.{target}", "descriptor:type-map",
                                   str(entry[target])[:80], reason, FILE))
    return out
