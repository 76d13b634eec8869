"""The factors as REFI-QDA codes with deterministic GUIDs, and the package name that names the files:
shared by the QDA exports (REFI-QDA codebook and project, Taguette codebook, Web Annotations)."""
from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

import pandas as pd

from . import journeys, texts
from .descriptor import UnreadableInput

SAFE_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# Okabe–Ito, one colour per Lee label in the descriptor's order; stages and other evidence in greys
PALETTE = ["#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000", "#999999"]
FACTOR_COLUMNS = ["factor_id", "label", "domain", "definition"]


class Guids:
    """Deterministic GUIDs: uuid5(NAMESPACE_URL, "<package name>/<kind>/<id>/…")."""

    def __init__(self, package: str):
        self.package = package

    def __call__(self, *parts: str) -> str:
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join((self.package, *parts))))


@dataclass
class Code:
    guid: str
    name: str
    codable: bool
    description: str = ""
    color: str | None = None
    children: list[Code] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class CodeSet:
    guid: str
    name: str
    description: str
    members: list[str]


@dataclass
class Codebook:
    codes: list[Code]
    sets: list[CodeSet]
    factor_codes: dict[tuple[str, str, str], str]      # (lee_category, valence or "", factor_id) → guid
    stage_codes: dict[str, str] = field(default_factory=dict)                # stage_id → guid
    evidence_codes: dict[tuple[str, str], str] = field(default_factory=dict)  # (resource, field) → guid

    def all(self) -> list[Code]:
        return [c for top in self.codes for c in top.walk()]


def package_name(data: journeys.Journeys) -> str:
    name = str(data.descriptor.data.get("name", ""))
    if not SAFE_NAME.fullmatch(name):
        raise UnreadableInput(f"the package name {name[:80]!r} is not lowercase kebab case: it cannot name a file")
    return name


def cell_text(value) -> str:
    """A cell as text: empty for a missing value."""
    return "" if value is None or pd.isna(value) else str(value)


def rows_by_id(data: journeys.Journeys, resources) -> dict[str, dict[str, dict]]:
    """Each resource's rows as dicts by row id, the id a quote's passages name."""
    return {name: data.table(name).set_axis(texts.row_ids(data.descriptor, name, data.table(name))).to_dict("index")
            for name in resources}


def factor_codes(data: journeys.Journeys, guid: Guids) -> Codebook:
    """The factors as codes: Lee category → Lee label → "<factor> (<label>)" for every
    (category, valence, factor) the codings use; factors not coded yet in a group of their own;
    one set per factor over all its codes."""
    descriptor = data.descriptor
    labels = descriptor.field("codings", "valence")["labels"]
    factors = data.table("factors").sort_values("factor_id")
    codings = data.table("codings")
    used = set(zip(codings["lee_category"].astype(str), codings["valence"].fillna("").astype(str),
                   codings["factor_id"].astype(str)))
    known = {(c, v) for c, by in labels.items() for v in by}
    unlabelled = sorted({(c, v) for c, v, _ in used} - known)
    if unlabelled:
        raise journeys.InvalidData(f"codings use Lee category and valence {unlabelled} that `labels` on "
                                   "codings.valence does not name; run `make validate`")
    category_note = descriptor.field("codings", "lee_category")["description"]
    codes, by_factor, mapping = [], {f: [] for f in factors["factor_id"]}, {}
    colour = iter(PALETTE * 4)
    for category, by in labels.items():
        group = Code(guid("lee", category), f"{category} factors", False,
                     f"Lee category `{category}` (codings.lee_category). {category_note}")
        for valence, label in by.items():
            tint = next(colour)
            sub = Code(guid("lee", category, valence or "unstated"), label, False,
                       f"A {label}: codings with lee_category `{category}` and "
                       f"{f'valence `{valence}`' if valence else 'no valence stated'} "
                       "(`labels` on codings.valence).", tint)
            for factor_id, name, domain, definition in factors[FACTOR_COLUMNS].itertuples(index=False):
                if (category, valence, factor_id) not in used:
                    continue
                code = Code(guid("code", category, valence or "unstated", factor_id), f"{name} ({label})", True,
                            f"{definition}\n\nFactor `{factor_id}` ({domain}), coded as a {label}: lee_category "
                            f"`{category}`, valence `{valence or '(empty)'}`.", tint)
                sub.children.append(code)
                by_factor[factor_id].append(code.guid)
                mapping[(category, valence, factor_id)] = code.guid
            if sub.children:
                group.children.append(sub)
        if group.children:
            codes.append(group)
    uncoded = [f for f, members in by_factor.items() if not members]
    if uncoded:
        group = Code(guid("group", "factors-not-coded"), "factors not coded", False,
                     "Factors of the codebook that no coding uses yet.")
        for factor_id, name, domain, definition in factors[factors["factor_id"].isin(uncoded)][FACTOR_COLUMNS].itertuples(
                index=False):
            code = Code(guid("code", "not-coded", factor_id), name, True,
                        f"{definition}\n\nFactor `{factor_id}` ({domain}).")
            group.children.append(code)
            by_factor[factor_id].append(code.guid)
        codes.append(group)
    sets = [CodeSet(guid("set", "factor", factor_id), name, definition, by_factor[factor_id])
            for factor_id, name, definition in factors[["factor_id", "label", "definition"]].itertuples(index=False)]
    return Codebook(codes, sets, mapping)
