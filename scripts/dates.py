"""EDTF strings to strict calendar bounds.

The `edtf` library parses and gives strict bounds, but it cannot take an open or unknown
end ("2022-09/..", "[..2025-02-10]"), and it fills an unknown interval end as start + 10
years; so open ends are split off here and stay unbounded (NaT).
"""
from __future__ import annotations

import re
from datetime import date

import edtf
import pandas as pd

_OPEN_SET = re.compile(r"^\[(?P<lo>[^\[\].]*)\.\.(?P<hi>[^\[\].]*)\]$")


class EDTFError(ValueError):
    pass


def _strict(expression: str) -> tuple[date, date]:
    try:
        parsed = edtf.parse_edtf(expression)
        return (
            edtf.struct_time_to_date(parsed.lower_strict()),
            edtf.struct_time_to_date(parsed.upper_strict()),
        )
    except Exception as error:  # the parser raises several types; all mean "not EDTF we can bound"
        raise EDTFError(f"not a valid EDTF value: {expression!r}") from error


def bounds(value: str | None) -> tuple[date | None, date | None]:
    """Earliest and latest calendar day a value allows; None where open or unknown."""
    if value is None or value == "":
        return None, None
    open_set = _OPEN_SET.match(value)
    if open_set and "" in (open_set["lo"], open_set["hi"]) and open_set["lo"] != open_set["hi"]:
        lower = _strict(open_set["lo"])[0] if open_set["lo"] else None
        upper = _strict(open_set["hi"])[1] if open_set["hi"] else None
        return lower, upper
    if "/" in value:
        start, _, end = value.partition("/")
        lower = _strict(start)[0] if start not in ("", "..") else None
        upper = _strict(end)[1] if end not in ("", "..") else None
        if lower is None and upper is None:
            raise EDTFError(f"an interval needs at least one known end: {value!r}")
        if lower is not None and upper is not None and lower > upper:
            raise EDTFError(f"interval ends before it starts: {value!r}")
        return lower, upper
    lower, upper = _strict(value)
    return lower, upper


def bounds_columns(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Vectorised over a column: (lower, upper, invalid). Each distinct value is parsed once."""
    present = values.dropna()
    parsed: dict[str, tuple[date | None, date | None] | None] = {}
    for text in pd.unique(present):
        try:
            parsed[text] = bounds(text)
        except EDTFError:
            parsed[text] = None
    lower_map = {k: (v[0] if v else None) for k, v in parsed.items()}
    upper_map = {k: (v[1] if v else None) for k, v in parsed.items()}
    lower = pd.to_datetime(values.map(lower_map), errors="raise").astype("datetime64[s]")
    upper = pd.to_datetime(values.map(upper_map), errors="raise").astype("datetime64[s]")
    invalid = values.map(lambda v: v in parsed and parsed[v] is None).astype(bool)
    return lower, upper, invalid
