"""Dates, date windows, durations and lists in words, one wording for every output: the figures, the
comparison table (README, docs, exports), the sequence files and the README's prose.

A date is written at the precision its window shows: a day (2022-09-21), a month (2022-09), a year
(2023), a range of them (2023-09 – 2023-12), or open on one side (2022-09-21 or later). A stated
duration is written as coded, its qualifier in words ("about 6 months", "a few weeks"); a plain
number (`exactly`) takes no word.
"""
from __future__ import annotations

import pandas as pd


def listing(items) -> str:
    """'A', 'A and B', 'A, B and C'."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1] if items else ""


def day(value) -> str:
    """A day as YYYY-MM-DD; empty where unknown."""
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def month(index: int) -> str:
    """A month index (year * 12 + month - 1) as YYYY-MM."""
    return f"{index // 12}-{index % 12 + 1:02d}"


def window(lo, hi) -> str:
    """A calendar window (first and last day it allows) as a reader writes it."""
    if pd.isna(lo) and pd.isna(hi):
        return "unknown"
    if pd.isna(hi):
        return f"{_bound(pd.Timestamp(lo), start=True)} or later"
    if pd.isna(lo):
        return f"{_bound(pd.Timestamp(hi), start=False)} or earlier"
    lo, hi = pd.Timestamp(lo), pd.Timestamp(hi)
    if lo == hi:
        return day(lo)
    whole_months = lo.day == 1 and (hi + pd.Timedelta(days=1)).day == 1
    if whole_months and lo.month == 1 and hi.month == 12 and lo.year == hi.year:
        return f"{lo.year}"
    if whole_months and (lo.year, lo.month) == (hi.year, hi.month):
        return lo.strftime("%Y-%m")
    return f"{_bound(lo, start=True)} – {_bound(hi, start=False)}"


def _bound(value: pd.Timestamp, start: bool) -> str:
    """A window's bound at month precision where it is the month's first (start) or last day (end)."""
    edge = value.day == 1 if start else (value + pd.Timedelta(days=1)).day == 1
    return value.strftime("%Y-%m") if edge else day(value)


def count(lo, hi) -> str:
    """A number known to lie between two bounds (either may be unknown): '3', '3–5', '3 or more'."""
    if pd.isna(lo) and pd.isna(hi):
        return "unknown"
    if pd.isna(hi):
        return f"{lo} or more"
    if pd.isna(lo):
        return f"up to {hi}"
    return f"{lo}" if lo == hi else f"{lo}–{hi}"


def duration(qualifier: str, value, unit: str) -> str:
    """A stated duration as coded (durations.qualifier, value, unit): 'about 1.5 years', '2 months',
    'a few weeks', 'months, number not given'."""
    if qualifier == "unquantified":
        return f"{unit}s, number not given"
    words = "" if qualifier == "exactly" else qualifier.replace("-", " ")
    number = "" if pd.isna(value) else f"{float(value):g}"
    return " ".join(w for w in (words, number, unit if number == "1" else f"{unit}s") if w)
