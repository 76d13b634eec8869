"""Key lookups between tables, done by Arrow in C++.

pandas' own `isin` and `map` on Arrow-backed strings walk the values in Python (seconds per
million rows); the validator and the figures join tables on ids many times, so they use these.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc


def _arrow(values: pd.Series | pd.Index) -> pa.Array:
    return pa.array(values.astype("string"))


def positions(values: pd.Series, keys: pd.Series | pd.Index) -> np.ndarray:
    """For each value, the position of its first match in keys, or -1."""
    found = pc.index_in(_arrow(values), value_set=_arrow(pd.Series(keys).dropna()))
    return found.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)


def is_in(values: pd.Series, keys: pd.Series | pd.Index) -> pd.Series:
    return pd.Series(positions(values, keys) >= 0, index=values.index)


def lookup(values: pd.Series, table: pd.DataFrame, key: str, column: str) -> pd.Series:
    """table[column] of the row whose table[key] equals each value (NA where none does)."""
    keys = table[key]
    present = keys.notna().to_numpy()
    where = positions(values, keys[present])
    taken = table.loc[present, column].array.take(where, allow_fill=True)
    return pd.Series(taken, index=values.index, name=column)
