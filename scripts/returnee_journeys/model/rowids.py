"""One name for every row of every resource: its row id.

A row id is the row's primary-key values in key order, each percent-encoded as an RFC 3986 path
segment (every character but ASCII letters, digits and `-._~` becomes %XX of its UTF-8 bytes),
joined by "/". A one-column key of plain ids is the id itself (`arseny-04`); a composite key
names each part (`arseny/bylinetimes-returning-home` in person_sources, `aljazeera-x/5/2` in the
ledger). A reference to a row from another table is `<resource>/<row id>`
(`person_sources/arseny/bylinetimes-returning-home`).

The ledger (`rows`), discrepancies and readings (`row_id`), the web annotations, the REFI-QDA
project and the SQLite table `row_ids` all use this form; the descriptor's patterns for those
fields are ROW_ID and ROW_REFS below.
"""
from __future__ import annotations

import re
from urllib.parse import quote, unquote

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

SAFE = "-._~"  # with ASCII letters and digits: RFC 3986's unreserved characters, never encoded
SEGMENT = r"(?:[A-Za-z0-9._~-]|%[0-9A-F]{2})+"
ROW_ID = f"^{SEGMENT}(?:/{SEGMENT})*$"
RESOURCE = r"[a-z0-9]+(?:_[a-z0-9]+)*"
REF = f"{RESOURCE}/{SEGMENT}(?:/{SEGMENT})*"
ROW_REFS = f"^{REF}(?: {REF})*$"  # the ledger's `rows`: references separated by single spaces
_PLAIN = re.compile(r"[A-Za-z0-9._~-]+")


def segment(value: object) -> str:
    """One key value as a segment of a row id."""
    return quote(str(value), safe=SAFE)


def row_id(values: tuple | list) -> str:
    """The row id of the key values `values` (in primary-key order)."""
    return "/".join(segment(v) for v in values)


def parse(row_id_: str) -> tuple[str, ...]:
    """The key values (as text) a row id names: the inverse of `row_id`."""
    return tuple(unquote(part) for part in row_id_.split("/"))


def ref(resource: str, row_id_: str) -> str:
    return f"{resource}/{row_id_}"


def _column(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """A key column as segments (Arrow strings): encoded only where a value has a character that needs it."""
    whole = pd.api.types.is_integer_dtype(values.dtype) or isinstance(values.dtype, pd.StringDtype)
    text = (pa.array(values) if whole else pa.array(values.astype("string"))).cast(pa.string())
    plain = pc.match_substring_regex(text, f"^{_PLAIN.pattern}$")
    if pc.all(pc.or_kleene(plain, pc.is_null(text))).as_py() is not False:
        return text
    return pa.array([v if v is None or p else segment(v) for v, p in zip(text.to_pylist(), plain.to_pylist())],
                    pa.string())


def arrow_ids(key: list[str], frame: pd.DataFrame) -> pa.Array | pa.ChunkedArray:
    """The row id of each row of `frame`, whose primary key is `key` (a list of columns), as Arrow
    strings; null where a part of the key is missing."""
    if not key:
        raise ValueError("a row id needs a primary key")
    parts = [_column(frame[column]) for column in key]
    return parts[0] if len(parts) == 1 else pc.binary_join_element_wise(*parts, "/")


def ids(key: list[str], frame: pd.DataFrame) -> pd.Series:
    """`arrow_ids` as a Series on the frame's index (None where a part of the key is missing)."""
    return pd.Series(arrow_ids(key, frame).to_numpy(zero_copy_only=False), index=frame.index, dtype=object,
                     name=key[0] if len(key) == 1 else None)
