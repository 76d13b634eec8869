"""EDTF strings to strict calendar bounds.

The `edtf` library parses and gives strict bounds, but it cannot take an open or unknown
end ("2022-09/..", "[..2025-02-10]"), and it fills an unknown interval end as start + 10
years; so open ends are split off here and stay unbounded (NaT).
"""
from __future__ import annotations

import calendar
import re
from datetime import date

import numpy as np
import pandas as pd

_PLAIN = re.compile(r"^(?P<y>[0-9]{4})(?:-(?P<m>[0-9]{2})(?:-(?P<d>[0-9]{2}))?)?[?~%]?$")
_OPEN_SET = re.compile(r"^\[(?P<lo>[^\[\].]*)\.\.(?P<hi>[^\[\].]*)\]$")


class EDTFError(ValueError):
    pass


# EDTF level 1 seasons (YYYY-21 … YYYY-24): the northern-hemisphere meteorological seasons, as
# (first month, months long). Winter runs from December into the next year's February.
SEASONS = {21: (3, 3), 22: (6, 3), 23: (9, 3), 24: (12, 3)}


def _month_end(year: int, month: int) -> date:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, calendar.monthrange(year, month)[1])


def _plain(match: re.Match) -> tuple[date, date]:
    """YYYY, YYYY-MM, YYYY-SS (a season) or YYYY-MM-DD, possibly qualified (? ~ %, which strict
    bounds ignore): strict bounds, without edtf's (slow) parser."""
    year = int(match["y"])
    if match["m"] is None:
        return date(year, 1, 1), date(year, 12, 31)
    month = int(match["m"])
    if match["d"] is None:
        if month in SEASONS:
            first, length = SEASONS[month]
            return date(year, first, 1), _month_end(year, first + length - 1)
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    day = date(year, month, int(match["d"]))
    return day, day


def _strict(expression: str) -> tuple[date, date]:
    plain = _PLAIN.match(expression)
    if plain:
        try:
            return _plain(plain)
        except ValueError as error:
            raise EDTFError(f"not a valid EDTF value: {expression!r}") from error
    import edtf  # slow to import; only for forms the fast path does not read

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
    if open_set and len(open_set["lo"]) == len(open_set["hi"]) and _PLAIN.match(open_set["lo"]) and _PLAIN.match(open_set["hi"]):
        lower, upper = _strict(open_set["lo"])[0], _strict(open_set["hi"])[1]
        if lower > upper:
            raise EDTFError(f"a set range must run forward: {value!r}")
        return lower, upper
    return _strict(value)


def bounds_columns(values: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Vectorised over a column: (lower, upper, invalid). Each distinct value is parsed once."""
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    lower = np.full(len(distinct) + 1, np.datetime64("NaT"), dtype="datetime64[s]")
    upper = lower.copy()
    invalid = np.zeros(len(distinct) + 1, dtype=bool)
    for i, text in enumerate(distinct):
        try:
            low, high = bounds(text)
        except EDTFError:
            invalid[i] = True
            continue
        lower[i] = np.datetime64(low, "s") if low else np.datetime64("NaT")
        upper[i] = np.datetime64(high, "s") if high else np.datetime64("NaT")
    return (pd.Series(lower[codes], index=values.index), pd.Series(upper[codes], index=values.index),
            pd.Series(invalid[codes], index=values.index))
