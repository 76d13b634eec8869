"""Key lookups between tables, done by Arrow in C++.

pandas' own `isin` and `map` on Arrow-backed strings walk the values in Python (seconds per
million rows); the validator and the figures join tables on ids many times, so they use these.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def arrow(values: pd.Series | pd.Index | pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        return values
    array = values.array
    if isinstance(values, pd.Series) and str(values.dtype) == "string" and hasattr(array, "__arrow_array__"):
        return array.__arrow_array__()
    return pa.array(values.astype("string"))


def positions(values: pd.Series, keys: pd.Series | pd.Index | pa.Array | pa.ChunkedArray) -> np.ndarray:
    """For each value, the position of its first match in keys, or -1 (int32: half the memory of int64)."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int32)
    found = pc.index_in(arrow(values).cast(pa.large_string()), value_set=arrow(keys).cast(pa.large_string()),
                        skip_nulls=True)
    return found.fill_null(-1).to_numpy(zero_copy_only=False)


def map_values(values: pd.Series, mapping: dict) -> pd.Series:
    """`values.map(mapping)` for text values, by one Arrow lookup instead of a pass in Python: the
    mapped value, or NaN where no key matches (object dtype: cast it as needed)."""
    if not all(isinstance(k, str) for k in mapping):
        return values.map(mapping)
    where = positions(values, pd.Series(list(mapping), dtype="string"))
    mapped = np.array(list(mapping.values()) + [np.nan], dtype=object)
    return pd.Series(mapped[where], index=values.index, name=values.name)


def is_in(values: pd.Series, keys: pd.Series | pd.Index) -> pd.Series:
    return pd.Series(positions(values, keys) >= 0, index=values.index)


def take(table: pd.DataFrame, where: np.ndarray, column: str, index: pd.Index) -> pd.Series:
    """table[column] at row positions `where` (-1: NA), indexed like the values looked up."""
    return pd.Series(table[column].array.take(where, allow_fill=True), index=index, name=column)


def lookup(values: pd.Series, table: pd.DataFrame, key: str, column: str) -> pd.Series:
    """table[column] of the first row whose table[key] equals each value (NA where none does)."""
    return take(table, positions(values, table[key]), column, values.index)


class Joins:
    """Lookups from one table's column into another's key, each matched once and reused."""

    def __init__(self, tables: dict[str, pd.DataFrame]) -> None:
        self.tables = tables
        self._positions: dict[tuple[str, str, str, str], np.ndarray] = {}
        self.memo: dict = {}  # other results worked out once for these tables

    def positions(self, resource: str, column: str, target: str, key: str) -> np.ndarray:
        """For each row of `resource`, the position of the `target` row whose `key` equals `column`."""
        match = (resource, column, target, key)
        if match not in self._positions:
            self._positions[match] = positions(self.tables[resource][column], self.tables[target][key])
        return self._positions[match]

    def get(self, resource: str, column: str, target: str, key: str, wanted: str) -> pd.Series:
        """For each row of `resource`, `target[wanted]` of the row whose `key` equals `column`."""
        where = self.positions(resource, column, target, key)
        return take(self.tables[target], where, wanted, self.tables[resource].index)
