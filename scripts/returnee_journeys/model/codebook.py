"""Relations between the codes of the codebook (factors), read from one side.

A code's `excludes` names its nearest neighbours, the codes to use instead, each sentence ending
in a colon and a comma-separated list of factor ids: "Prices: cost-of-living. Money running out:
financial-strain." A sentence whose part after the colon is not such a list ("Any named factor:
use its code instead.") names none. The relation is symmetric: a new code names its neighbours in
its own `excludes`, and the neighbours' rows need no edit; `neighbours` gives every code's
neighbours from both sides, and the validator checks that every code named exists.
"""
from __future__ import annotations

import re

import pandas as pd

CODE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_AFTER_COLON = re.compile(r":([^:]*?)(?:\.(?=\s|$)|$)")


def named(excludes: object) -> list[str]:
    """The factor ids an `excludes` text names (see the module's docstring), in order."""
    if not isinstance(excludes, str):
        return []
    out = []
    for match in _AFTER_COLON.finditer(excludes):
        items = [item.strip() for item in match.group(1).split(",")]
        if items and all(CODE.fullmatch(item) for item in items):
            out += [item for item in items if item not in out]
    return out


def unknown(factors: pd.DataFrame) -> pd.Series:
    """For each factor, the codes its `excludes` names that are not in the codebook."""
    ids = set(factors["factor_id"].dropna())
    return pd.Series([[c for c in named(text) if c not in ids] for text in factors["excludes"]],
                     index=factors.index, dtype=object)


def neighbours(factors: pd.DataFrame) -> dict[str, list[str]]:
    """Every code's neighbours from both sides: those its `excludes` names and those whose
    `excludes` name it, in codebook order."""
    order = list(factors["factor_id"])
    pairs: dict[str, set[str]] = {code: set() for code in order}
    for code, text in zip(factors["factor_id"], factors["excludes"]):
        for other in named(text):
            if other in pairs and other != code:
                pairs[code].add(other)
                pairs[other].add(code)
    return {code: [c for c in order if c in pairs[code]] for code in order}
