"""Key lookups between tables, done by Arrow in C++.

pandas' own `isin` and `map` on Arrow-backed strings walk the values in Python (seconds per
million rows); the validator and the figures join tables on ids many times, so they use these.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import compact


def _arrow(values: pd.Series | pd.Index) -> pa.Array:
    array = values.array
    if isinstance(values, pd.Series) and str(values.dtype) == "string" and hasattr(array, "__arrow_array__"):
        return array.__arrow_array__()
    return pa.array(values.astype("string"))


def positions(values: pd.Series, keys: pd.Series | pd.Index) -> np.ndarray:
    """For each value, the position of its first match in keys, or -1 (int32: half the memory of
    int64). A compact column of values (`compact`) is looked up once per distinct value."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int32)
    return positions_many([values], keys)[0]


def positions_many(columns: list[pd.Series], keys: pd.Series | pd.Index) -> list[np.ndarray]:
    """`positions` of several columns in the same keys, with one hash table of the keys (building
    it is most of the work when the keys are many)."""
    keys = compact.decode(pd.Series(keys))
    parts = [compact.distinct(c) if compact.is_compact(c) else _arrow(c) for c in columns]
    chunks = [chunk.cast(pa.large_string()) for part in parts
              for chunk in (part.chunks if isinstance(part, pa.ChunkedArray) else [part])]
    if not chunks:
        return [np.zeros(0, dtype=np.int32) for _ in columns]
    found = pc.index_in(pa.chunked_array(chunks, pa.large_string()), value_set=_arrow(keys).cast(pa.large_string()),
                        skip_nulls=True).fill_null(-1).to_numpy(zero_copy_only=False)
    out, start = [], 0
    for column, part in zip(columns, parts):
        mine = found[start:start + len(part)]
        start += len(part)
        out.append(np.append(mine, np.int32(-1))[compact.codes(column)] if compact.is_compact(column) else mine)
    return out


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
    """table[column] at row positions `where` (-1: NA), indexed like the values looked up (a
    compact table's column taken as held, then decoded)."""
    values = compact.held(table)[column]
    return compact.decode(pd.Series(values.array.take(where, allow_fill=True), index=index, name=column))


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
            self._positions[match] = positions(compact.held(self.tables[resource])[column],
                                               compact.held(self.tables[target])[key])
        return self._positions[match]

    def prefetch(self, lookups: list[tuple[str, str, str, str]]) -> None:
        """Work out several (resource, column, target, key) lookups at once: those into the same
        key share one hash table of it. A lookup whose table or column is missing is left out."""
        into: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for resource, column, target, key in lookups:
            if (resource, column, target, key) not in self._positions and {resource, target} <= set(self.tables):
                into.setdefault((target, key), []).append((resource, column))
        for (target, key), sources in into.items():
            try:
                columns = [compact.held(self.tables[r])[c] for r, c in sources]
                keys = compact.held(self.tables[target])[key]
            except KeyError:
                continue  # reported when the lookup itself is asked for
            for (resource, column), found in zip(sources, positions_many(columns, keys)):
                self._positions[(resource, column, target, key)] = found

    def get(self, resource: str, column: str, target: str, key: str, wanted: str) -> pd.Series:
        """For each row of `resource`, `target[wanted]` of the row whose `key` equals `column`."""
        where = self.positions(resource, column, target, key)
        return take(self.tables[target], where, wanted, self.tables[resource].index)
