"""Checks between rows and tables (foreign keys, and the rules of `rules`), and the one way each is judged.

A check is a vectorised function of a whole table that returns, for each row, whether the row
holds; it names its rule, the field it is about and a hint. The pandera schemas
(`pandera_schemas`) run each as a dataframe-level check.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from ..model import keys as key_lookup
from ..model.descriptor import Descriptor
from ..model.problems import Problem


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


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def foreign_key_checks(descriptor: Descriptor, name: str, joins: key_lookup.Joins) -> list[Check]:
    checks = []
    for fk in descriptor.foreign_keys(name):
        columns, ref_columns = _listed(fk["fields"]), _listed(fk["reference"]["fields"])
        target = fk["reference"].get("resource") or name
        if target not in joins.tables:
            continue

        def holds(frame, columns=columns, target=target, ref_columns=ref_columns):
            if len(columns) == 1:
                found = joins.positions(name, columns[0], target, ref_columns[0]) >= 0
                return found | frame[columns[0]].isna().to_numpy()
            reference = joins.tables[target][ref_columns].dropna()
            found = pd.MultiIndex.from_frame(frame[columns].astype("string")).isin(
                pd.MultiIndex.from_frame(reference.astype("string")))
            return found | frame[columns].isna().any(axis=1).to_numpy()

        checks.append(Check(name, "foreign-key", ",".join(columns),
                            f"no row of {target} has this {'/'.join(ref_columns)}; add it there or correct the value",
                            holds, shows=columns[0]))
    return checks


def verdict(check: Check, frame: pd.DataFrame):
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
