"""The validator's compact tables, read in the public types.

`load.load(..., compact=True)` keeps a text column that repeats its values as a pandas
Categorical: each distinct value once and a small integer per cell (at 100 000 synthetic persons
the tables take about a third of the memory). The field checks work on that directly, value by
distinct value. The rules between tables are written for the tables `returnee_journeys.load()`
returns (text as pandas strings, with its missing-value semantics), so they read a compact
table through `Table`: each column comes back in the public types, decoded when it is read
and not kept.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa


def is_compact(series: pd.Series) -> bool:
    return isinstance(series.dtype, pd.CategoricalDtype)


def codes(series: pd.Series) -> np.ndarray:
    """A compact column's integer per cell: the position of its value in `distinct`, -1 where missing."""
    return series.cat.codes.to_numpy()


def distinct(series: pd.Series) -> pa.Array:
    """A compact column's distinct values, as Arrow strings (no copy where pandas holds them in Arrow)."""
    values = series.cat.categories.array
    if hasattr(values, "__arrow_array__"):
        values = values.__arrow_array__()
        return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    return pa.array(values.to_numpy(dtype=object), pa.large_string())


def decode(series: pd.Series) -> pd.Series:
    """The column in the public types: a compact column as pandas strings; any other as it is."""
    if not is_compact(series):
        return series
    cells = codes(series)
    text = distinct(series).take(pa.array(cells, mask=cells < 0))
    return pd.Series(pd.arrays.ArrowStringArray(text), index=series.index, name=series.name)


def decode_frame(frame: pd.DataFrame) -> pd.DataFrame:
    if not any(is_compact(frame[c]) for c in frame.columns):
        return frame
    return pd.DataFrame({c: decode(frame[c]) for c in frame.columns}, index=frame.index)


class Table:
    """A compact table read like the DataFrame `returnee_journeys.load()` returns.

    `table[column]` and `table[[columns]]` come back in the public types, decoded on each read;
    `table[rows]` (a boolean mask) is a Table of those rows; `index`, `columns` and `len` need no
    decoding; anything else a DataFrame offers (`loc`, `groupby` …) works on the whole table,
    decoded. `compact` is the table as held."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.compact = frame

    @property
    def index(self) -> pd.Index:
        return self.compact.index

    @property
    def columns(self) -> pd.Index:
        return self.compact.columns

    def __len__(self) -> int:
        return len(self.compact)

    def __getitem__(self, key):
        if isinstance(key, str):
            return decode(self.compact[key])
        if isinstance(key, list):
            return decode_frame(self.compact[key])
        return Table(self.compact[key])  # rows (a mask or a slice): still compact, read as above

    def decoded(self) -> pd.DataFrame:
        return decode_frame(self.compact)

    def __getattr__(self, name: str):
        if name.startswith("__") or name == "compact":
            raise AttributeError(name)
        return getattr(self.decoded(), name)


def isin(table, column: str, values) -> np.ndarray:
    """`table[column].isin(values)` as a numpy array, without decoding a compact column."""
    return held(table)[column].isin(values).to_numpy(dtype=bool)


def notna(table, column: str) -> pd.Series:
    """`table[column].notna()`, without decoding a compact column."""
    return held(table)[column].notna()


def equals(table, column: str, value: str) -> pd.Series:
    """`table[column] == value` as pandas gives it for strings (Arrow booleans, missing where the
    cell is), without decoding a compact column."""
    series = held(table)[column]
    if not is_compact(series):
        return series == value
    at = series.cat.categories.get_indexer([value])[0]
    cells = codes(series)
    same = pa.array(cells == at if at >= 0 else np.zeros(len(cells), bool), mask=cells < 0)
    return pd.Series(pd.arrays.ArrowExtensionArray(same), index=series.index, name=series.name)


def held(table) -> pd.DataFrame:
    """The table as held: a Table's compact frame, or the DataFrame itself."""
    return table.compact if isinstance(table, Table) else table
