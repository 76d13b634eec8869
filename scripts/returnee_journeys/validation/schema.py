"""Checks built from the descriptor, field by field, and the one way every check is run.

A check is a vectorised function of a whole table that returns, for each row, whether the row
holds; it names its rule, the field it is about and a hint. Failing rows are counted and the
first few reported (`Problems.rows`), so a million failures cost no more than a million rows.
Each field's Table Schema constraints (required, unique, enum, pattern, minimum, maximum,
minLength, maxLength), the primary key and the foreign keys become checks; so do two rules on
every text cell: no formula-like start, no control characters. A compact column (the validator's
tables, `model.compact`) is judged once per distinct value.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..model import cells
from ..model import compact
from ..model import keys as key_lookup
from ..model.descriptor import Descriptor
from ..model.problems import Problem, Problems

CONTROL = cells.CONTROL_PATTERN
FORMULA_FIRST = pa.array([c.encode() for c in cells.FORMULA_START], pa.large_binary())  # all one byte long


@dataclass(frozen=True)
class Check:
    """What a failed row means to a person: its rule id, the field it is about, a hint; and the test."""
    resource: str
    rule: str
    field: str | None
    hint: str
    holds: Callable[[pd.DataFrame], pd.Series | np.ndarray]
    shows: str | None = None  # the column whose value a problem shows (default: field, when a column)
    whole: bool = False  # holds(table) is one verdict on the whole table, not one per row


def _strings(series: pd.Series) -> pa.ChunkedArray | pa.Array:
    """The column as Arrow strings, without a copy where it is Arrow-backed already."""
    array = series.array
    if hasattr(array, "__arrow_array__") and pa.types.is_string(getattr(array.dtype, "pyarrow_dtype", pa.string())):
        return array.__arrow_array__()
    return pa.array(series.astype("string"))


def _each(series: pd.Series, judge: Callable, missing) -> np.ndarray:
    """`judge` (Arrow strings → Arrow or numpy array) for each cell, `missing` where the cell is
    missing. A compact column is judged once per distinct value."""
    def numpy(result):
        return result if isinstance(result, np.ndarray) else result.fill_null(missing).to_numpy(zero_copy_only=False)

    if compact.is_compact(series):
        return np.append(numpy(judge(compact.distinct(series))), missing)[compact.codes(series)]
    return numpy(judge(_strings(series)))


# A string field of format `uri` holds a URI with a scheme, as frictionless-py checks it (rfc3986:
# a scheme is present when something without : / ? # comes before the first colon).
URI = r"[^:/?#]+:.*"
URI_HINT = "the field's format is uri: write a full URI with its scheme, e.g. https://example.org/page"


def _fullmatch(series: pd.Series, pattern: str) -> np.ndarray:
    """Whether each value matches the whole pattern (True for missing values), on RE2 (Arrow): linear
    time whatever the pattern and the value. A pattern RE2 refuses never gets here: the descriptor
    check refuses it (`descriptor_checks.linear_time_refusal`)."""
    return _each(series, lambda values: pc.match_substring_regex(values, f"^(?:{pattern})$"), True)


def _contains(series: pd.Series, pattern: str) -> np.ndarray:
    return _each(series, lambda values: pc.match_substring_regex(values, pattern), False)


def _lengths(series: pd.Series) -> np.ndarray:
    return _each(series, pc.utf8_length, 0)


def _arrow(frame: pd.DataFrame, column: str):
    """A column as Arrow, without a copy for Arrow-backed and masked columns."""
    array = frame[column].array
    return array.__arrow_array__() if hasattr(array, "__arrow_array__") else pa.array(frame[column])


def _all(length: int) -> np.ndarray:
    return np.ones(length, dtype=bool)


def _unique(f: pd.DataFrame, c: str) -> np.ndarray:
    if compact.is_compact(f[c]):  # a value is repeated when its code is
        codes = compact.codes(f[c])
        present = codes >= 0
        counts = np.bincount(codes[present], minlength=len(f[c].cat.categories))
        return ~(present & (counts[np.maximum(codes, 0)] > 1))
    values = _arrow(f, c)
    if len(values) < 2 or not _repeats(values):
        return _all(len(f))
    return ~(f[c].duplicated(keep=False).to_numpy() & f[c].notna().to_numpy())


def _repeats(values) -> bool:
    """Whether any present value occurs twice: neighbours compared after one sort (a third of the
    time a hash of a million distinct ids takes)."""
    ordered = values.take(pc.sort_indices(values))  # missing values last, never equal
    return bool(pc.any(pc.equal(ordered.slice(1), ordered.slice(0, len(ordered) - 1))).as_py())


def _primary_key(f: pd.DataFrame, key: list[str]) -> np.ndarray:
    if len(key) == 1:
        return _unique(f, key[0])
    return ~(f.duplicated(subset=key, keep=False).to_numpy() & f[key].notna().all(axis=1).to_numpy())


def _formula_like(series: pd.Series) -> np.ndarray:
    """Whether each cell starts like a spreadsheet formula (its first character alone, no regex)."""
    return _each(series, _starts_like_a_formula, False)


def _starts_like_a_formula(text):
    """Whether each value's first byte is a formula start (each is one ASCII byte, so bytes will do)."""
    first = pc.binary_slice(text.cast(pa.large_binary()), 0, 1)
    return pc.is_in(first, value_set=FORMULA_FIRST)


def _formula_columns(frame: pd.DataFrame | None, columns: list[str]) -> list[str]:
    """The text columns that may hold a formula-like cell: all without the table at hand; with it,
    those where a look at the first character of every cell (every distinct value of a compact
    column) finds one."""
    if frame is None:
        return columns
    return [c for c in columns if _formula_like(frame[c]).any()]


FORMULA_HINT = ("a cell starting with = + - @ or a tab runs as a formula in spreadsheets; "
                "reword it or prefix it with a letter")
CONTROL_HINT = "the text holds a control character (NUL, escape, a bidirectional override …): remove it"


def field_checks(descriptor: Descriptor, name: str, untyped: dict | None = None,
                 frame: pd.DataFrame | None = None, controls: set | None = None) -> list[Check]:
    """The checks of each field's constraints; a cell that failed its type is not checked again.
    With the table at hand (`frame`), checks that cannot fail on it are left out; so is the
    control-character check of a table whose file holds none (`controls`: the resources that do)."""
    schema = descriptor.resource(name)["schema"]
    primary_key = descriptor.primary_key(name)
    checks = []
    texts = []
    for field in schema["fields"]:
        column = field["name"]
        constraints = field.get("constraints", {})
        kind = field.get("type", "string")
        typed_bad = (untyped or {}).get((name, column))

        def present(f, c=column):
            return f[c].notna().to_numpy()

        if constraints.get("required") and (frame is None or frame[column].hasnans):
            def required(f, c=column, bad=typed_bad):
                missing = f[c].isna().to_numpy().copy()
                if bad is not None:
                    missing &= ~bad.reindex(f.index, fill_value=False).to_numpy()
                return ~missing
            checks.append(Check(name, "required", column, "this field is required: fill it in", required))
        if "enum" in constraints:
            allowed = constraints["enum"]

            def in_enum(f, c=column, a=allowed, k=kind):
                if k == "string":
                    value_set = pa.array([str(v) for v in a], pa.string())
                    return _each(f[c], lambda values: pc.or_(pc.is_in(values, value_set=value_set),
                                                             pc.is_null(values)), True)
                return ~present(f, c) | compact.decode(f[c]).isin(a).to_numpy(dtype=bool)
            checks.append(Check(name, "enum", column, f"use one of: {', '.join(map(str, allowed))}", in_enum))
        if "pattern" in constraints and kind == "string":
            pattern = constraints["pattern"]
            checks.append(Check(name, "pattern", column, f"the value must match {pattern}",
                                lambda f, c=column, p=pattern: _fullmatch(f[c], p)))
        if kind == "string" and field.get("format") == "uri":
            checks.append(Check(name, "format:uri", column, URI_HINT, lambda f, c=column: _fullmatch(f[c], URI)))
        if "minimum" in constraints:
            low = constraints["minimum"]
            checks.append(Check(name, "minimum", column, f"the value must be ≥ {low}",
                                lambda f, c=column, v=low: (compact.decode(f[c]) >= v).fillna(True).to_numpy(dtype=bool)))
        if "maximum" in constraints:
            high = constraints["maximum"]
            checks.append(Check(name, "maximum", column, f"the value must be ≤ {high}",
                                lambda f, c=column, v=high: (compact.decode(f[c]) <= v).fillna(True).to_numpy(dtype=bool)))
        if "minLength" in constraints and kind == "string":
            n = constraints["minLength"]
            checks.append(Check(name, "min-length", column, f"write at least {n} characters",
                                lambda f, c=column, v=n: ~present(f, c) | (_lengths(f[c]) >= v)))
        if "maxLength" in constraints and kind == "string":
            n = constraints["maxLength"]
            checks.append(Check(name, "max-length", column, f"write at most {n} characters",
                                lambda f, c=column, v=n: _lengths(f[c]) <= v))
        if constraints.get("unique") and primary_key != [column]:
            checks.append(Check(name, "unique", column, "this value must be unique in the column: it is repeated",
                                lambda f, c=column: _unique(f, c)))
        if kind == "string":
            texts.append(column)
    for column in _formula_columns(frame, texts):
        checks.append(Check(name, "formula-injection", column, FORMULA_HINT,
                            lambda f, c=column: ~_formula_like(f[c])))
    for column in texts if controls is None or name in controls else []:
        checks.append(Check(name, "control-character", column, CONTROL_HINT,
                            lambda f, c=column: ~_contains(f[c], CONTROL)))
    if primary_key:
        checks.append(Check(name, "primary-key", ",".join(primary_key),
                            "the primary key must be unique: this value is repeated",
                            lambda f, k=primary_key: _primary_key(f, k), shows=primary_key[0]))
    return checks


def foreign_key_lookups(descriptor: Descriptor, name: str) -> list[tuple[str, str, str, str]]:
    """The single-column foreign keys of a resource, as (resource, column, target, key) lookups."""
    found = []
    for fk in descriptor.foreign_keys(name):
        columns = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        ref_columns = fk["reference"]["fields"]
        ref_columns = ref_columns if isinstance(ref_columns, list) else [ref_columns]
        if len(columns) == 1 and len(ref_columns) == 1:
            found.append((name, columns[0], fk["reference"].get("resource") or name, ref_columns[0]))
    return found


def foreign_key_checks(descriptor: Descriptor, name: str, joins: key_lookup.Joins) -> list[Check]:
    checks = []
    for fk in descriptor.foreign_keys(name):
        columns = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        target = fk["reference"].get("resource") or name
        ref_columns = fk["reference"]["fields"]
        ref_columns = ref_columns if isinstance(ref_columns, list) else [ref_columns]
        if target not in joins.tables:
            continue

        def holds(frame, columns=columns, target=target, ref_columns=ref_columns):
            if len(columns) == 1:
                some_null = frame[columns[0]].isna().to_numpy()
                found = joins.positions(name, columns[0], target, ref_columns[0]) >= 0
                return found | some_null
            some_null = frame[columns].isna().any(axis=1).to_numpy()
            reference = joins.tables[target][ref_columns].dropna()
            found = pd.MultiIndex.from_frame(frame[columns].astype("string")).isin(
                pd.MultiIndex.from_frame(reference.astype("string")))
            return found | some_null

        checks.append(Check(name, "foreign-key", ",".join(columns),
                            f"no row of {target} has this {'/'.join(ref_columns)}; add it there or correct the value",
                            holds, shows=columns[0]))
    return checks


def _verdict(check: Check, frame: pd.DataFrame):
    """The check's verdict on its table: a boolean array (or one bool for a whole-table check), or
    the Problem saying why the check cannot run on this table."""
    try:
        if check.whole:
            return bool(check.holds(frame))
        result = check.holds(frame)
        if isinstance(result, pd.Series) and result.hasnans:
            # a rule cannot judge a row whose inputs are missing or untyped: those are reported by
            # `required` or the type check, once, not again here
            result = result.fillna(True)
        holds = np.asarray(result, dtype=bool)
        if holds.shape != (len(frame),):
            raise TypeError(f"the check returned {holds.shape} for {len(frame)} rows")
        return holds
    except KeyError as error:
        column = str(error.args[0]) if error.args else "?"
        return Problem(check.resource, None, column, "descriptor:missing-column", column,
                       f"the rules need column {column!r} in {check.resource} (or the table it "
                       "refers to); the descriptor does not define it", "datapackage.json")
    except (TypeError, ValueError, AttributeError, IndexError, OverflowError, re.error,
            pa.ArrowException) as error:
        return Problem(check.resource, None, check.field, "descriptor:check-failed", check.rule,
                       f"rule {check.rule} cannot run on this table ({type(error).__name__}); check "
                       "the field's type and constraints in the descriptor", "datapackage.json")


def run(checks: list[Check], tables: dict[str, pd.DataFrame], files: dict[str, str], problems: Problems) -> None:
    """Run each check on its table; failing rows become problems, in the order of `checks`. A check
    that cannot run on this table (a column the descriptor lacks, a type it does not expect) is
    reported as such, once."""
    todo = [(check, tables[check.resource]) for check in checks if check.resource in tables]
    verdicts = (_verdict(check, frame) for check, frame in todo)
    for (check, frame), verdict in zip(todo, verdicts):
        if isinstance(verdict, Problem):
            problems.append(verdict)
        elif isinstance(verdict, bool):
            if not verdict:
                problems.append(Problem(check.resource, None, check.field, check.rule, None, check.hint,
                                        files[check.resource]))
        elif not verdict.all():
            failing = pd.Series(~verdict, index=frame.index)
            shown = check.shows or check.field
            values = frame[shown] if shown in frame.columns else None
            problems.rows(check.resource, files[check.resource], check.rule, check.field, failing, check.hint,
                          values)
