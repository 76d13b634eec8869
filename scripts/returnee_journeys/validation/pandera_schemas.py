"""pandera schemas built from the descriptor, one `DataFrameSchema` per resource, and the pandera
engine of `returnee-journeys validate --engine pandera`.

Each field is a `Column` of the descriptor's pandas dtype (its `typeMap`: nullable Int64 and
Float64, boolean, string, datetime64[s] for `date`), matched exactly (`DescriptorDtype`), never
pandera's nearest default: pandera's own dtypes take int64 for Int64 and any datetime64 unit for
[s]. `required` makes the column non-nullable and `unique` unique; enum, pattern, minimum,
maximum, minLength and maxLength are pandera's built-in checks (isin, str_matches, ge, le,
str_length). EDTF fields, formula-like starts and control characters are checks of their column;
the primary key is the schema's `unique`. Foreign keys and the rules between rows and tables are
dataframe-level checks that run the validator's own vectorised checks (`schema.foreign_key_checks`,
`rules.checks`): no rule has a second implementation here. They look up the other tables in
`Lookups`, with the frame being validated standing in for its own resource.

Every constraint check of the default engine (`schema.field_checks`) has its pandera counterpart
here: building a schema fails when one has none. Only this module imports pandera, and only
`--engine pandera` and `returnee_journeys.schemas()` import this module: the default validation
does not pay pandera's import time.
"""
from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.dtypes import immutable
from pandera.engines import pandas_engine
from pandera.errors import SchemaErrorReason, SchemaErrors

from ..model import dates
from ..model import keys
from ..model import load
from ..model.descriptor import Descriptor
from ..model.journeys import InvalidData
from ..model.problems import Problem, Problems
from . import rules
from . import schema

# pandera's built-in checks and the validator's rule for each (str_length is min- or max-length)
BUILTIN_RULES = {"isin": "enum", "str_matches": "pattern", "greater_than_or_equal_to": "minimum",
                 "less_than_or_equal_to": "maximum"}


@immutable(init=True)
class DescriptorDtype(pandas_engine.DataType):
    """The descriptor's pandas dtype (`typeMap`), matched exactly: Int64 is not int64 (which
    cannot hold a missing value), datetime64[s] is not datetime64[ns], string is pandas' nullable
    string (pyarrow) and not `str` or object."""

    name: str = "string"

    def __post_init__(self) -> None:
        object.__setattr__(self, "type", pd.api.types.pandas_dtype(self.name))

    def check(self, pandera_dtype: Any, data_container: Any = None) -> bool:
        actual = getattr(data_container, "dtype", None)
        if actual is None:
            actual = getattr(pandera_dtype, "type", pandera_dtype)
        try:
            return bool(actual == self.type)
        except TypeError:
            return False

    def __str__(self) -> str:
        return str(self.type)


def bound_columns(descriptor: Descriptor, name: str) -> list[str]:
    return [f"{c}_{side}" for c in descriptor.edtf_fields(name) for side in ("lower", "upper")]


def with_bounds(descriptor: Descriptor, name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with its EDTF bounds (`load(bounds=False)` leaves them out; the rules need them):
    the frame itself when it has them, else a copy with them added."""
    if all(c in frame.columns for c in bound_columns(descriptor, name)):
        return frame
    return load.add_date_bounds(descriptor, name, frame.copy(), None)


def empty_tables(descriptor: Descriptor) -> dict[str, pd.DataFrame]:
    """Every resource as an empty frame of its dtypes: what the checks are enumerated on."""
    tables = {}
    for resource in descriptor.resources:
        name = resource["name"]
        frame = pd.DataFrame({f["name"]: pd.Series([], dtype=pd.api.types.pandas_dtype(descriptor.dtype(f, "pandas")))
                              for f in descriptor.fields(name)}, index=pd.Index([], dtype="int64", name="row"))
        tables[name] = with_bounds(descriptor, name, frame)
    return tables


def _between(descriptor: Descriptor, joins: keys.Joins, resource: str | None = None) -> dict:
    """The foreign-key and rule checks over these tables, by (resource, rule, field)."""
    found = {}
    for name in joins.tables if resource is None else [resource]:
        for check in schema.foreign_key_checks(descriptor, name, joins):
            found[(check.resource, check.rule, check.field)] = check
    for check in rules.checks(descriptor, joins):
        if resource is None or check.resource == resource:
            found[(check.resource, check.rule, check.field)] = check
    return found


def _same(frame: pd.DataFrame, other: pd.DataFrame | None) -> bool:
    """Whether the two hold the same rows, columns, dtypes and values."""
    return (other is not None and frame.shape == other.shape and frame.columns.equals(other.columns)
            and frame.index.equals(other.index) and frame.dtypes.equals(other.dtypes) and frame.equals(other))


class RuleCannotRun(Exception):
    """A rule between tables cannot run on these tables (a column the descriptor lacks …)."""


class Lookups:
    """The tables that the checks between tables look up. Validating a frame as resource R, the
    frame stands in for R and the other tables are these: given, or (None) the package's own,
    read when first needed. The pandera engine passes the tables it validates, so every rule is
    worked out once, over one set of joins."""

    def __init__(self, descriptor: Descriptor, tables: dict[str, pd.DataFrame] | None = None, *,
                 hold: bool = False) -> None:
        """hold: keep the very frames given (the pandera engine, which validates those and then
        releases them); else shallow copies, so that a frame given here and validated in place is
        not held by the schema pandera registers on it."""
        self.descriptor = descriptor
        self._tables = None if tables is None else {
            n: f if hold and with_bounds(descriptor, n, f) is f else with_bounds(descriptor, n, f.copy(deep=False))
            for n, f in tables.items()}
        self._shared: dict | None = None
        self._last: dict[str, tuple] = {}  # resource → (frame, frame with bounds, checks): the latest frame only
        self.cannot_run: dict[tuple, Problem] = {}  # (resource, rule, field) → why that rule could not run

    def __deepcopy__(self, memo) -> Lookups:  # one context shared by every check; pandera copies columns
        return self

    def tables(self) -> dict[str, pd.DataFrame]:
        if self._tables is None:
            loaded = load.load(self.descriptor)
            if loaded.problems:
                raise InvalidData(f"{len(loaded.problems)} problem(s) reading the tables of {self.descriptor.path} "
                                  "that the checks between tables look up; run `returnee-journeys validate`")
            self._tables = loaded.tables
        return self._tables

    def bound(self, resource: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
        """The frame with its bounds, and the checks between tables with it in place of `resource`.
        Worked out once per frame (pandera runs every check of a schema on the same frame); the
        frame itself is held weakly, so that the schema, which pandera registers on the frame it
        validated, never keeps that frame alive."""
        tables = self.tables()
        if tables.get(resource) is frame:
            return frame, self._shared_checks()
        last = self._last.get(resource)
        if last is None or last[0]() is not frame:
            own = with_bounds(self.descriptor, resource, frame)
            own = frame.copy(deep=False) if own is frame else own  # the same data, another object
            if _same(own, tables.get(resource)):  # a copy of the table, unedited: the rules are worked out
                checks = self._shared_checks()
            else:
                checks = _between(self.descriptor, keys.Joins({**tables, resource: own}), resource)
            last = self._last[resource] = (weakref.ref(frame, self._forget), own, checks)
        return last[1], last[2]

    def _shared_checks(self) -> dict:
        if self._shared is None:
            self._shared = _between(self.descriptor, keys.Joins(self.tables()))
        return self._shared

    def _forget(self, gone: weakref.ref) -> None:
        for resource, last in list(self._last.items()):
            if last[0] is gone:
                del self._last[resource]


class Between:
    """A foreign key or rule of the validator as a pandera dataframe check: `rule.holds` run on the
    frame, with the other tables from `lookups`."""

    def __init__(self, lookups: Lookups, rule: schema.Check) -> None:
        self.lookups, self.key = lookups, (rule.resource, rule.rule, rule.field)

    def __call__(self, frame: pd.DataFrame):
        own, checks = self.lookups.bound(self.key[0], frame)
        check = checks.get(self.key)
        if check is None:  # a table it needs is not there: the rule does not apply
            return True
        verdict = schema._verdict(check, own)
        if isinstance(verdict, Problem):
            self.lookups.cannot_run[self.key] = verdict
            raise RuleCannotRun(verdict.hint)
        if isinstance(verdict, bool):
            return verdict
        return pd.Series(verdict, index=frame.index)


def _column_check(holds, rule: str, hint: str, n: int | None) -> pa.Check:
    """A check of a column's present values by a vectorised function of the validator."""
    return pa.Check(lambda s: pd.Series(np.asarray(holds(s), dtype=bool), index=s.index),
                    name=rule, n_failure_cases=n, statistics={"hint": hint})


def _edtf_valid(values: pd.Series) -> np.ndarray:
    return ~dates.bounds_columns(values)[2].to_numpy()


def resource_schema(descriptor: Descriptor, name: str, between: list[schema.Check], lookups: Lookups,
                    failure_cases: int | None = None, loaded: load.Loaded | None = None) -> pa.DataFrameSchema:
    """The resource's DataFrameSchema. `between`: the foreign-key and rule checks of the resource
    (as enumerated on empty tables); failure_cases: at most this many per check (None: all).
    With `loaded` (the pandera engine), the checks that cannot fail on the loaded table are left
    out, as the default engine leaves them out (`schema.field_checks` with the table at hand)."""
    n = failure_cases
    table = loaded.tables.get(name) if loaded is not None else None
    todo = {(c.rule, c.field): c for c in schema.field_checks(
        descriptor, name, loaded.untyped if loaded else None, table, loaded.controls if loaded else None)}

    def take(rule: str, column: str) -> str | None:
        """The default engine's hint for this check, which is then done here; None when it has none."""
        check = todo.pop((rule, column), None)
        return None if check is None else check.hint

    columns = {}
    for field in descriptor.fields(name):
        column = field["name"]
        constraints = field.get("constraints", {})
        checks = []
        required = take("required", column) is not None
        # pandera's built-in checks; their hints are the default engine's (`hints` in `run`)
        if take("enum", column) is not None:
            checks.append(pa.Check.isin(list(constraints["enum"]), n_failure_cases=n))
        if (h := take("pattern", column)) is not None:
            # the whole value matches, as in Table Schema, on RE2 (linear time; pandera's str_matches
            # would run Python's backtracking re on a column that is not Arrow-backed)
            checks.append(_column_check(lambda s, p=constraints["pattern"]: schema._fullmatch(s, p), "pattern", h, n))
        if (h := take("format:uri", column)) is not None:
            checks.append(_column_check(lambda s: schema._fullmatch(s, schema.URI), "format:uri", h, n))
        if take("minimum", column) is not None:
            checks.append(pa.Check.ge(constraints["minimum"], n_failure_cases=n))
        if take("maximum", column) is not None:
            checks.append(pa.Check.le(constraints["maximum"], n_failure_cases=n))
        if take("min-length", column) is not None:
            checks.append(pa.Check.str_length(min_value=constraints["minLength"], n_failure_cases=n))
        if take("max-length", column) is not None:
            checks.append(pa.Check.str_length(max_value=constraints["maxLength"], n_failure_cases=n))
        unique = take("unique", column) is not None
        if (h := take("formula-injection", column)) is not None:
            checks.append(_column_check(lambda s: ~schema._formula_like(s), "formula-injection", h, n))
        if (h := take("control-character", column)) is not None:
            checks.append(_column_check(lambda s: ~schema._contains(s, schema.CONTROL), "control-character", h, n))
        if column in descriptor.edtf_fields(name):
            checks.append(_column_check(_edtf_valid, "edtf", load.EDTF_HINT, n))
        columns[column] = pa.Column(DescriptorDtype(descriptor.dtype(field, "pandas")), checks=checks,
                                    nullable=not required, unique=unique, name=column,
                                    description=field.get("description"), title=field.get("title"))
    for column in bound_columns(descriptor, name):  # beside each EDTF field when loaded with bounds
        columns[column] = pa.Column(DescriptorDtype("datetime64[s]"), nullable=True, required=False, name=column)
    key = descriptor.primary_key(name)
    unique = key if key and take("primary-key", ",".join(key)) is not None else None
    if todo:
        raise NotImplementedError(f"no pandera check for {sorted(todo)} of {name}")
    frame_checks = [pa.Check(Between(lookups, c), name=c.rule, ignore_na=False, n_failure_cases=n,
                             statistics={"field": c.field, "shows": c.shows or c.field, "hint": c.hint})
                    for c in between]
    return pa.DataFrameSchema(columns, checks=frame_checks, unique=unique, report_duplicates="all", name=name,
                              description=descriptor.resource(name).get("description"))


def schemas(descriptor: Descriptor, tables: dict[str, pd.DataFrame] | None = None, *,
            failure_cases: int | None = None, lookups: Lookups | None = None,
            loaded: load.Loaded | None = None) -> dict[str, pa.DataFrameSchema]:
    """One DataFrameSchema per resource (descriptor order). The foreign keys and rules between
    tables look up the other tables in `tables` (default: the package's own, read when first needed)."""
    lookups = lookups or Lookups(descriptor, tables)
    between: dict[str, list[schema.Check]] = {}
    for check in _between(descriptor, keys.Joins(empty_tables(descriptor))).values():
        between.setdefault(check.resource, []).append(check)
    return {r["name"]: resource_schema(descriptor, r["name"], between.get(r["name"], []), lookups, failure_cases,
                                       loaded)
            for r in descriptor.resources}


# --- the pandera engine: failure cases back to the validator's problems ------------------------

_NOTHING = pa.DataFrameSchema(name="released")

def run(descriptor: Descriptor, loaded: load.Loaded, files: dict[str, str], problems: Problems) -> None:
    """Validate every loaded table through its schema (lazily: every failure collected), and
    report pandera's failure cases as the default engine would: resource, CSV line, field, rule,
    value and hint, at most `problems.limit` kept per resource, rule and field."""
    lookups = Lookups(descriptor, loaded.tables, hold=True)
    built = schemas(descriptor, failure_cases=problems.limit, lookups=lookups, loaded=loaded)
    for name, frame in loaded.tables.items():
        try:
            built[name].validate(frame, lazy=True, inplace=True)  # inplace: no copy, and the shared joins
        except SchemaErrors as errors:
            hints = {(c.rule, c.field): c.hint for c in schema.field_checks(descriptor, name)}  # the same words
            for error in errors.schema_errors:
                _report(error, descriptor, name, frame, files[name], problems, loaded.untyped, lookups, hints)
        finally:
            # pandera registers the schema on the frame it validated; this schema holds the frame (in
            # its lookups): left so, neither would be freed before the interpreter's exit
            frame.pandera.add_schema(_NOTHING)


def _rows_of(error, frame: pd.DataFrame) -> pd.Series:
    """The failing rows of one pandera error, as a boolean Series on the frame's index (CSV lines)."""
    output = error.check_output
    if isinstance(output, pd.Series):  # a vectorised check: its verdict on every row it saw
        return ~output.reindex(frame.index).fillna(True).astype(bool)
    cases = error.failure_cases
    lines = cases["index"] if isinstance(cases, pd.DataFrame) and "index" in cases.columns else []
    return pd.Series(frame.index.isin(pd.Index(lines)), index=frame.index)


def _report(error, descriptor: Descriptor, name: str, frame: pd.DataFrame, file: str, problems: Problems,
            untyped: dict, lookups: Lookups, hints: dict) -> None:
    reason = error.reason_code
    check = error.check
    column = error.schema.name if isinstance(error.schema, pa.Column) else None
    field, shows, rule, hint = column, column, str(check), None
    if isinstance(check, pa.Check):
        rule = BUILTIN_RULES.get(check.name, check.name)
        if check.name == "str_length":
            rule = "min-length" if check.statistics.get("min_value") is not None else "max-length"
        if column is None:  # a check between rows or tables
            field, shows = check.statistics["field"], check.statistics["shows"]
        hint = check.statistics.get("hint")
    if reason == SchemaErrorReason.CHECK_ERROR:
        problems.append(lookups.cannot_run.get((name, rule, field)) or Problem(
            name, None, field, "descriptor:check-failed", rule,
            f"rule {rule} cannot run on this table ({error.failure_cases}); check the field's type and "
            "constraints in the descriptor", "datapackage.json"))
        return
    if reason == SchemaErrorReason.DATAFRAME_CHECK and isinstance(error.check_output, (bool, np.bool_)):
        problems.append(Problem(name, None, field, rule, None, hint, file))  # one verdict on the whole table
        return
    if reason == SchemaErrorReason.WRONG_DATATYPE:
        expected = error.schema.dtype
        problems.append(Problem(name, None, column, "dtype", str(frame[column].dtype),
                                f"the column's dtype is {frame[column].dtype}; the descriptor's type is {expected} "
                                "(read the table with returnee_journeys.load)", file))
        return
    if reason == SchemaErrorReason.SERIES_CONTAINS_NULLS:
        rule = "required"
    elif reason == SchemaErrorReason.SERIES_CONTAINS_DUPLICATES:
        rule = "unique"
    elif reason == SchemaErrorReason.DUPLICATES:
        key = descriptor.primary_key(name)
        rule, field, shows = "primary-key", ",".join(key), key[0]
    elif reason != SchemaErrorReason.DATAFRAME_CHECK:
        problems.append(Problem(name, None, column, f"pandera:{reason.name.lower()}", None,
                                " ".join(str(error).split())[:300], file))
        return
    hint = hints.get((rule, field), hint)
    failing = _rows_of(error, frame)
    if rule == "required" and (name, column) in untyped:  # a cell that failed its type is reported once, there
        failing &= ~untyped[(name, column)].reindex(frame.index, fill_value=False)
    if rule == "primary-key":  # a key with a missing part is reported by `required`, not as a repeat
        failing &= frame[descriptor.primary_key(name)].notna().all(axis=1)
    values = frame[shows] if shows in frame.columns else None
    problems.rows(name, file, rule, field, failing, hint, values)
