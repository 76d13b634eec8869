"""The validator's table checks: one pandera `DataFrameSchema` per resource, built from the
descriptor (`returnee_journeys.schemas()` gives the same objects; docs/validation.md, "The pandera
schemas", says what each field, key and rule becomes), and `run`, which validates the loaded tables
through them and reports pandera's failure cases as problems."""
from __future__ import annotations

import weakref
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
import pyarrow as pa_arrow
import pyarrow.compute as pc
from pandera.dtypes import immutable
from pandera.engines import pandas_engine
from pandera.errors import SchemaErrorReason, SchemaErrors

from ..model import cells, dates
from ..model import keys
from ..model import load
from ..model.descriptor import Descriptor, InvalidData
from ..model.problems import Problem, Problems
from . import rules
from . import schema

# pandera's built-in checks and the validator's rule for each (str_length is min- or max-length)
BUILTIN_RULES = {"isin": "enum", "greater_than_or_equal_to": "minimum",
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
    read when first needed. `run` passes the tables it validates, so every rule is worked out
    once, over one set of joins."""

    def __init__(self, descriptor: Descriptor, tables: dict[str, pd.DataFrame] | None = None, *,
                 hold: bool = False) -> None:
        """hold: keep the very frames given (`run`, which validates those and then releases
        them); else shallow copies, so that a frame given here and validated in place is
        not held by the schema pandera registers on it."""
        self.descriptor = descriptor
        self.given = tables is not None
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
            return frame, self.shared_checks()
        last = self._last.get(resource)
        if last is None or last[0]() is not frame:
            own = with_bounds(self.descriptor, resource, frame)
            own = frame.copy(deep=False) if own is frame else own  # the same data, another object
            if _same(own, tables.get(resource)):  # a copy of the table, unedited: the rules are worked out
                checks = self.shared_checks()
            else:
                checks = _between(self.descriptor, keys.Joins({**tables, resource: own}), resource)
            last = self._last[resource] = (weakref.ref(frame, self._forget), own, checks)
        return last[1], last[2]

    def shared_checks(self) -> dict:
        """The checks between tables over these tables, worked out once."""
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
        verdict = schema.verdict(check, own)
        if isinstance(verdict, Problem):
            self.lookups.cannot_run[self.key] = verdict
            raise RuleCannotRun(verdict.hint)
        if isinstance(verdict, bool):
            return verdict
        return passed(verdict, frame.index)


# --- the checks of each field, built from its constraints ----------------------------------

CONTROL = cells.CONTROL_PATTERN
FORMULA_FIRST = pa_arrow.array([c.encode() for c in cells.FORMULA_START], pa_arrow.large_binary())  # one byte each
# A string field of format `uri` holds a URI with a scheme, as frictionless-py checks it (rfc3986:
# a scheme is present when something without : / ? # comes before the first colon).
URI = r"[^:/?#]+:.*"
URI_HINT = "the field's format is uri: write a full URI with its scheme, e.g. https://example.org/page"
FORMULA_HINT = ("a cell starting with = + - @ or a tab runs as a formula in spreadsheets; "
                "reword it or prefix it with a letter")
CONTROL_HINT = "the text holds a control character (NUL, escape, a bidirectional override …): remove it"


def _strings(series: pd.Series) -> pa_arrow.ChunkedArray | pa_arrow.Array:
    """The column as Arrow strings, without a copy where pandas holds it in Arrow already."""
    if str(series.dtype) == "string" and hasattr(series.array, "__arrow_array__"):
        return series.array.__arrow_array__()
    return pa_arrow.array(series.astype("string"))


def passed(verdict: np.ndarray, index: pd.Index) -> bool | pd.Series:
    """A vectorised check's verdict as pandera takes it: True when every row holds (pandera then has
    no Series to build and search for failure cases), else the verdict of each row."""
    return True if verdict.all() else pd.Series(verdict, index=index)


def _judged(judge, missing: bool):
    """A vectorised text check: `judge` (Arrow strings → Arrow booleans) on every cell, `missing`
    where the cell is missing."""
    def check(series: pd.Series) -> bool | pd.Series:
        return passed(judge(_strings(series)).fill_null(missing).to_numpy(zero_copy_only=False), series.index)
    return check


def fullmatch(pattern: str):
    """Whether each value matches the whole pattern (True for missing values), on RE2 (Arrow): linear
    time whatever the pattern and the value. A pattern RE2 refuses never gets here: the descriptor
    check refuses it (`descriptor_checks.linear_time_refusal`)."""
    return _judged(lambda values: pc.match_substring_regex(values, f"^(?:{pattern})$"), True)


def _plain(values):
    """Whether each value starts like no spreadsheet formula (its first byte: each start is one ASCII byte)."""
    first = pc.binary_slice(values.cast(pa_arrow.large_binary()), 0, 1)
    return pc.invert(pc.is_in(first, value_set=FORMULA_FIRST))


no_formula = _judged(_plain, True)
_no_control_cell = _judged(lambda values: pc.invert(pc.match_substring_regex(values, CONTROL)), True)


def no_control(series: pd.Series) -> bool | pd.Series:
    """Whether each cell is free of control characters: one byte scan of the column's text (all
    its cells end to end) answers for every cell when it finds none; else RE2, cell by cell."""
    values = _strings(series)
    data = [chunk.buffers()[2] for chunk in getattr(values, "chunks", [values])]
    if not any(buffer is not None and cells.has_control(buffer.to_pybytes()) for buffer in data):
        return True
    return _no_control_cell(series)


def _edtf_valid(values: pd.Series) -> bool | pd.Series:
    invalid = dates.bounds_columns(values)[2]
    return True if not invalid.any() else ~invalid


def _check(fn, rule: str, n: int | None) -> pa.Check:
    """A vectorised check of the whole column (missing values judged by `fn` itself: no copy without them)."""
    return pa.Check(fn, name=rule, n_failure_cases=n, ignore_na=False)


def field_checks(field: dict, n: int | None) -> dict[str, tuple[pa.Check | None, str]]:
    """Each constraint of the field as rule → (its pandera check, its hint); `required` and
    `unique` have no check of their own (the column's `nullable` and `unique` do them)."""
    constraints, kind = field.get("constraints", {}), field.get("type", "string")
    text = kind == "string"
    found: dict[str, tuple[pa.Check | None, str]] = {}
    if constraints.get("required"):
        found["required"] = (None, "this field is required: fill it in")
    if "enum" in constraints:
        allowed = constraints["enum"]
        found["enum"] = (pa.Check.isin(list(allowed), n_failure_cases=n), f"use one of: {', '.join(map(str, allowed))}")
    if "pattern" in constraints and text:
        pattern = constraints["pattern"]
        example = f" (see the field's example: {str(field['example'])[:40]!r})" if "example" in field else ""
        found["pattern"] = (_check(fullmatch(pattern), "pattern", n), f"the value must match {pattern}{example}")
    if text and field.get("format") == "uri":
        found["format:uri"] = (_check(fullmatch(URI), "format:uri", n), URI_HINT)
    if "minimum" in constraints:
        found["minimum"] = (pa.Check.ge(constraints["minimum"], n_failure_cases=n),
                            f"the value must be ≥ {constraints['minimum']}")
    if "maximum" in constraints:
        found["maximum"] = (pa.Check.le(constraints["maximum"], n_failure_cases=n),
                            f"the value must be ≤ {constraints['maximum']}")
    if "minLength" in constraints and text:
        found["min-length"] = (pa.Check.str_length(min_value=constraints["minLength"], n_failure_cases=n),
                               f"write at least {constraints['minLength']} characters")
    if "maxLength" in constraints and text:
        found["max-length"] = (pa.Check.str_length(max_value=constraints["maxLength"], n_failure_cases=n),
                               f"write at most {constraints['maxLength']} characters")
    if constraints.get("unique"):
        found["unique"] = (None, "this value must be unique in the column: it is repeated")
    return found


def every_cell(judge, columns: list[str]):
    """`judge` (a column → True, or each cell's verdict) on every text column, as one dataframe check
    (pandera's cost is per check, and most tables have a dozen text columns): True when every cell
    holds, else each row's verdict, with each failing column's verdict by cell in its `attrs["cells"]`
    (a frame-shaped verdict would make pandera gather every failing cell, unbounded)."""
    def check(frame: pd.DataFrame) -> bool | pd.Series:
        verdicts = {c: judge(frame[c]) for c in columns if c in frame.columns}
        cells = {c: v.to_numpy(dtype=bool) for c, v in verdicts.items() if v is not True}
        if not cells:
            return True
        rows = pd.Series(np.logical_and.reduce(list(cells.values())), index=frame.index)
        rows.attrs["cells"] = cells
        return rows
    return check


def resource_schema(descriptor: Descriptor, name: str, between: list[schema.Check], lookups: Lookups,
                    failure_cases: int | None = None) -> pa.DataFrameSchema:
    """The resource's DataFrameSchema. `between`: the foreign-key and rule checks of the resource
    (as enumerated on empty tables); failure_cases: at most this many per check (None: all). Each
    column's hints, by rule, are in its `metadata`."""
    n = failure_cases
    key, edtf = descriptor.primary_key(name), descriptor.edtf_fields(name)
    columns, dtypes = {}, {}  # one DescriptorDtype per dtype: pandas parses each dtype's name once
    for field in descriptor.fields(name):
        column = field["name"]
        found = field_checks(field, n)
        if key == [column]:
            found.pop("unique", None)  # the primary key's check reports a repeat
        hints = {rule: hint for rule, (_, hint) in found.items()}
        checks = [check for check, _ in found.values() if check is not None]
        if column in edtf:
            checks.append(_check(_edtf_valid, "edtf", n))
            hints["edtf"] = load.EDTF_HINT
        dtype = descriptor.dtype(field, "pandas")
        dtypes[dtype] = dtypes.get(dtype) or DescriptorDtype(dtype)
        columns[column] = pa.Column(dtypes[dtype], checks=checks,
                                    nullable="required" not in found, unique="unique" in found, name=column,
                                    description=field.get("description"), title=field.get("title"),
                                    metadata={"hints": hints})
    for column in bound_columns(descriptor, name):  # beside each EDTF field when loaded with bounds
        columns[column] = pa.Column(DescriptorDtype("datetime64[s]"), nullable=True, required=False, name=column)
    frame_checks = [pa.Check(Between(lookups, c), name=c.rule, ignore_na=False, n_failure_cases=n,
                             statistics={"field": c.field, "shows": c.shows or c.field, "hint": c.hint})
                    for c in between]
    text = [f["name"] for f in descriptor.fields(name) if f.get("type", "string") == "string"]
    frame_checks += [pa.Check(every_cell(judge, text), name=rule, ignore_na=False, n_failure_cases=n,
                              statistics={"field": None, "shows": None, "hint": hint})
                     for rule, judge, hint in (("formula-injection", no_formula, FORMULA_HINT),
                                               ("control-character", no_control, CONTROL_HINT))]
    if key:
        frame_checks.insert(0, pa.Check(unique_key(key), name="primary-key", ignore_na=False, n_failure_cases=n,
                                        statistics={"field": ",".join(key), "shows": key[0], "hint": PRIMARY_KEY_HINT}))
    built = pa.DataFrameSchema(checks=frame_checks, name=name, description=descriptor.resource(name).get("description"))
    # given to the constructor, every column (named already) would be deep-copied to set its name; no
    # column has a groupby check, the one thing the constructor validates in them
    built.columns = columns
    return built


PRIMARY_KEY_HINT = "the primary key must be unique: this value is repeated"


def unique_key(key: list[str]):
    """The primary key as a check: whether each row's key is not repeated (a key with a missing part
    is `required`'s to report). The key is first counted (Arrow's count of distinct values; of a
    composite key, its parts joined by a unit separator, which may only make two keys look alike):
    when no key repeats, every row holds, with no duplicate search."""
    def check(frame: pd.DataFrame) -> bool | pd.Series:
        if len(key) == 1:
            values = pa_arrow.array(frame[key[0]])
        else:
            parts = [pa_arrow.array(frame[c]).cast(pa_arrow.large_string()) for c in key]
            values = pc.binary_join_element_wise(*parts, pa_arrow.scalar("\x1f", pa_arrow.large_string()))
        if pc.count_distinct(values, mode="only_valid").as_py() == len(values) - values.null_count:
            if len(key) == 1 or values.null_count == 0:
                return True
        return passed(~(frame.duplicated(subset=key, keep=False) & frame[key].notna().all(axis=1)).to_numpy(),
                      frame.index)
    return check


def schemas(descriptor: Descriptor, tables: dict[str, pd.DataFrame] | None = None, *,
            failure_cases: int | None = None, lookups: Lookups | None = None) -> dict[str, pa.DataFrameSchema]:
    """One DataFrameSchema per resource (descriptor order). The foreign keys and rules between
    tables look up the other tables in `tables` (default: the package's own, read when first needed)."""
    lookups = lookups or Lookups(descriptor, tables)
    between: dict[str, list[schema.Check]] = {}
    # the checks of the tables given (a rule such as has-rows applies only to some); else of any tables
    found = lookups.shared_checks() if lookups.given else _between(descriptor, keys.Joins(empty_tables(descriptor)))
    for check in found.values():
        between.setdefault(check.resource, []).append(check)
    return {r["name"]: resource_schema(descriptor, r["name"], between.get(r["name"], []), lookups, failure_cases)
            for r in descriptor.resources}


# --- validation: failure cases back to the validator's problems ------------------------------

_NOTHING = pa.DataFrameSchema(name="released")


def run(descriptor: Descriptor, loaded: load.Loaded, files: dict[str, str], problems: Problems) -> None:
    """Validate every loaded table through its schema (lazily: every failure collected), and
    report pandera's failure cases as problems: resource, CSV line, field, rule, value and hint, at
    most `problems.limit` kept per resource, rule and field."""
    lookups = Lookups(descriptor, loaded.tables, hold=True)
    built = schemas(descriptor, failure_cases=problems.limit, lookups=lookups)
    for name, frame in loaded.tables.items():
        try:
            built[name].validate(frame, lazy=True, inplace=True)  # inplace: no copy, and the shared joins
        except SchemaErrors as errors:
            for error in errors.schema_errors:
                _report(error, name, frame, files[name], problems, loaded.untyped, lookups)
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


def _report(error, name: str, frame: pd.DataFrame, file: str, problems: Problems,
            untyped: dict, lookups: Lookups) -> None:
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
    if reason == SchemaErrorReason.DATAFRAME_CHECK and "cells" in getattr(error.check_output, "attrs", {}):
        for column, holds in error.check_output.attrs["cells"].items():  # a check of every text cell
            problems.rows(name, file, rule, column, pd.Series(~holds, index=frame.index), hint, frame[column])
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
    elif reason != SchemaErrorReason.DATAFRAME_CHECK:
        problems.append(Problem(name, None, column, f"pandera:{reason.name.lower()}", None,
                                " ".join(str(error).split())[:300], file))
        return
    hint = (error.schema.metadata or {}).get("hints", {}).get(rule, hint)
    failing = _rows_of(error, frame)
    if (name, field) in untyped:  # a cell that failed its type is reported once, there (not as missing, nor by a rule)
        failing &= ~untyped[(name, field)].reindex(frame.index, fill_value=False)
    values = frame[shows] if shows in frame.columns else None
    problems.rows(name, file, rule, field, failing, hint, values)
