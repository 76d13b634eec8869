"""Coded fields and their labels, from the descriptor's `categories` (Data Package v2): what
`load()` turns into pandas Categoricals and the exports carry (Parquet dictionaries, the XLSX
labels sheet and its drop-down lists)."""
from __future__ import annotations

import pandas as pd

from .descriptor import Descriptor


def coded_fields(descriptor: Descriptor, resource: str) -> dict[str, dict[str, str]]:
    """field → {code: label}, in the descriptor's order, for every field of the resource with
    `categories` (a category given as a bare value is its own label)."""
    out = {}
    for field in descriptor.fields(resource):
        categories = field.get("categories")
        if not isinstance(categories, list) or not categories:
            continue
        out[field["name"]] = {str(c["value"]) if isinstance(c, dict) else str(c):
                              str(c.get("label", c["value"])) if isinstance(c, dict) else str(c) for c in categories}
    return out


def ordered(descriptor: Descriptor, resource: str, field: str) -> bool:
    return bool(descriptor.field(resource, field).get("categoriesOrdered", False))


def categorical(descriptor: Descriptor, resource: str, frame: pd.DataFrame, labels: bool = False) -> pd.DataFrame:
    """The frame with each coded column a Categorical of every code (or, with `labels`, every
    label), and `frame.attrs["labels"]`: field → {code: label}."""
    coded = coded_fields(descriptor, resource)
    if not coded:
        return frame
    frame = frame.copy()
    for name, by_code in coded.items():
        if name not in frame:
            continue
        dtype = pd.CategoricalDtype(list(by_code), ordered=ordered(descriptor, resource, name))
        column = frame[name].astype("string").astype(dtype)
        frame[name] = column.cat.rename_categories(by_code) if labels else column
    frame.attrs["labels"] = coded
    return frame
