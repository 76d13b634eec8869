"""pandera schemas built from the descriptor, field by field.

pandera's own `from_frictionless_schema` maps dates to strings, optional integers to
non-nullable int64 and ignores missing values and foreign keys, so the mapping is done here:
nullable dtypes as the loader makes them, `required` as nullability, and every constraint,
the primary key and the foreign keys as named checks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
import pandera.pandas as pa

from ..model import cells
from ..model import keys as key_lookup
from ..model.descriptor import Descriptor
from ..model.problems import Problem



@dataclass(frozen=True)
class Rule:
    """What a failed check means to a person: its rule id, the field it is about, a hint."""
    rule: str
    field: str | None
    hint: str


class RuleBook:
    """Checks are named by unique strings; this maps those names back to their Rule."""

    def __init__(self) -> None:
        self.rules: dict[str, Rule] = {}

    def check(self, fn, rule: str, field: str | None, hint: str, **kwargs) -> pa.Check:
        name = f"{rule}@{field or '*'}#{len(self.rules)}"
        self.rules[name] = Rule(rule, field, hint)
        return pa.Check(fn, name=name, error=name, **kwargs)


def _field_checks(book: RuleBook, field: dict) -> list[pa.Check]:
    name = field["name"]
    constraints = field.get("constraints", {})
    checks = []
    if "enum" in constraints:
        allowed = constraints["enum"]
        checks.append(book.check(lambda s, a=allowed: s.isin(a), "enum", name,
                                 f"use one of: {', '.join(map(str, allowed))}", ignore_na=True))
    if "pattern" in constraints:
        pattern = constraints["pattern"]
        checks.append(book.check(lambda s, p=pattern: s.str.fullmatch(p).astype(bool), "pattern", name,
                                 f"the value must match {pattern}", ignore_na=True))
    if "minimum" in constraints:
        low = constraints["minimum"]
        checks.append(book.check(lambda s, v=low: s >= v, "minimum", name, f"the value must be ≥ {low}", ignore_na=True))
    if "maximum" in constraints:
        high = constraints["maximum"]
        checks.append(book.check(lambda s, v=high: s <= v, "maximum", name, f"the value must be ≤ {high}", ignore_na=True))
    if "minLength" in constraints:
        n = constraints["minLength"]
        checks.append(book.check(lambda s, v=n: s.str.len() >= v, "min-length", name,
                                 f"write at least {n} characters", ignore_na=True))
    if "maxLength" in constraints:
        n = constraints["maxLength"]
        checks.append(book.check(lambda s, v=n: s.str.len() <= v, "max-length", name,
                                 f"write at most {n} characters", ignore_na=True))
    if field.get("type", "string") == "string":
        checks.append(book.check(lambda s: ~s.str.contains(cells.FORMULA_PATTERN, regex=True).astype(bool), "formula-injection",
                                 name, "a cell starting with = + - @ runs as a formula in spreadsheets; "
                                       "reword it or prefix it with a letter", ignore_na=True))
    return checks


def _key_values(frame: pd.DataFrame, columns: list[str]) -> pd.Index | pd.MultiIndex:
    if len(columns) == 1:
        return pd.Index(frame[columns[0]].dropna())
    return pd.MultiIndex.from_frame(frame[columns].dropna())


def foreign_key_check(book: RuleBook, fk: dict, own: str, joins: key_lookup.Joins) -> pa.Check | None:
    columns = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
    target = fk["reference"].get("resource") or own
    ref_columns = fk["reference"]["fields"]
    ref_columns = ref_columns if isinstance(ref_columns, list) else [ref_columns]
    if target not in joins.tables:
        return None
    field = ",".join(columns)

    def holds(frame: pd.DataFrame) -> pd.Series:
        some_null = frame[columns].isna().any(axis=1)
        if len(columns) == 1:
            found = joins.positions(own, columns[0], target, ref_columns[0]) >= 0
        else:
            found = pd.MultiIndex.from_frame(frame[columns]).isin(_key_values(joins.tables[target], ref_columns))
        return pd.Series(found, index=frame.index) | some_null

    return book.check(holds, "foreign-key", field,
                      f"no row of {target} has this {'/'.join(ref_columns)}; add it there or correct the value")


def build(descriptor: Descriptor, name: str, joins: key_lookup.Joins, book: RuleBook) -> pa.DataFrameSchema:
    """The pandera schema of one resource; foreign keys are checked against `joins.tables`."""
    schema = descriptor.resource(name)["schema"]
    primary_key = schema.get("primaryKey") or []
    primary_key = [primary_key] if isinstance(primary_key, str) else primary_key
    columns = {}
    for field in schema["fields"]:
        constraints = field.get("constraints", {})
        columns[field["name"]] = pa.Column(
            descriptor.dtype(field, "pandas"),
            checks=_field_checks(book, field),
            nullable=not constraints.get("required", False),
            # a one-column primary key is checked (and reported) once, as the primary key
            unique=bool(constraints.get("unique", False)) and primary_key != [field["name"]],
            report_duplicates="all",
        )
    frame_checks = [c for fk in schema.get("foreignKeys", []) if (c := foreign_key_check(book, fk, name, joins))]
    if primary_key:
        frame_checks.append(book.check(lambda f, k=primary_key: ~f.duplicated(subset=k, keep=False), "primary-key",
                                       ",".join(primary_key), "the primary key must be unique: this value is repeated"))
    return pa.DataFrameSchema(columns, checks=frame_checks, strict=False, name=name)


BUILTIN = {
    "not_nullable": ("required", "this field is required: fill it in"),
    "field_uniqueness": ("unique", "this value must be unique in the column: it is repeated"),
}


def run(schema: pa.DataFrameSchema, frame: pd.DataFrame, book: RuleBook, file: str) -> list[Problem]:
    """Validate lazily; turn every failure case into a Problem naming file, row, field and rule."""
    try:
        schema.validate(frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as errors:
        cases = errors.failure_cases
    problems = set()
    for check, column, index, failure in cases[["check", "column", "index", "failure_case"]].itertuples(index=False):
        if check in book.rules:
            rule = book.rules[check]
            field = rule.field
            rule_name, hint = rule.rule, rule.hint
        else:
            field = column
            rule_name, hint = BUILTIN.get(check, (str(check), f"pandera check {check} failed"))
        if index is None or pd.isna(index):
            problems.add(Problem(schema.name, None, field, rule_name, None, hint, file))
            continue
        row = int(index)
        if field in frame.columns:
            value = frame.at[row, field]
            value = None if pd.isna(value) else str(value)
        else:
            value = None if pd.isna(failure) else str(failure)
        problems.add(Problem(schema.name, row, field, rule_name, value, hint, file))
    return sorted(problems, key=Problem.sort_key)
