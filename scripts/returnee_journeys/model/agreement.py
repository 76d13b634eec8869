"""Inter-coder agreement: Krippendorff's alpha (nominal, from the `krippendorff` package) per coded
variable, for each reliability round of a package (`reliability_rounds`: two coders of
`codings_by_coder` and `ledger_by_coder`). The units of each variable, the pairing of codings and the
bootstrap: docs/reliability.md. Alpha is None, never NaN, where it is not defined.
"""
from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd

from .journeys import InvalidData

VARIABLES = ("presence", "lee-label", "certainty", "timing", "salience", "scope", "disposition", "ledger-reason")
PAIRED = {"lee-label": ("lee_category", "valence"), "certainty": ("certainty",), "timing": ("timing",),
          "salience": ("salience",), "scope": ("scope",)}
TARGETS = ("presence", "lee-label", "certainty", "timing", "salience")  # alpha >= RELIABLE is the aim
RELIABLE, TENTATIVE = 0.800, 0.667   # Krippendorff's thresholds: rely on; draw tentative conclusions only
RESAMPLES, SEED = 1000, 2026
ABSENT, PRESENT = "absent", "present"


class NoSecondCoding(InvalidData):
    """The package holds no two codings to compare."""


@dataclass(frozen=True)
class Figure:
    variable: str
    units: int
    agreement: float | None          # observed share of units with the same value
    alpha: float | None              # None: not defined (see `note`)
    low: float | None                # bootstrap 95 % interval
    high: float | None
    note: str = ""


@dataclass(frozen=True)
class Disagreement:
    variable: str
    unit: str
    value_a: str
    value_b: str


@dataclass(frozen=True)
class Round:
    round: int
    coder_a: str
    coder_b: str
    figures: list[Figure]
    disagreements: list[Disagreement] = field(default_factory=list)

    def figure(self, variable: str) -> Figure:
        return next(f for f in self.figures if f.variable == variable)

    def as_dict(self) -> dict:
        return asdict(self)


def alpha(a: list, b: list) -> float | None:
    """Krippendorff's alpha (nominal) of two coders' values over the same units; None where it is not
    defined (fewer than two units, or a single value in all)."""
    import krippendorff  # imported only when agreement is computed

    domain = sorted(set(a) | set(b))
    if len(a) < 2 or len(domain) < 2:
        return None
    code = {v: i for i, v in enumerate(domain)}
    data = np.array([[code[v] for v in a], [code[v] for v in b]], dtype=float)
    return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal",
                                    value_domain=list(range(len(domain)))))


def _bootstrap(a: list, b: list, resamples: int, seed: int) -> np.ndarray:
    """Alpha of each of `resamples` seeded draws of units (with replacement), where defined: the same
    numbers as `alpha` on each draw, computed for all draws at once. Two coders, every unit valued by
    both: the coincidences of a draw are its disagreeing units (each counted twice) and the numbers of
    each value; the expected ones are summed over the values the draw holds, as `krippendorff` sums them."""
    n = len(a)
    domain = {v: i for i, v in enumerate(sorted(set(a) | set(b)))}
    codes = np.array([[domain[v] for v in a], [domain[v] for v in b]])
    picks = np.random.default_rng(seed).integers(0, n, (resamples, n))  # draw after draw, as n at a time
    drawn_a, drawn_b = codes[0][picks], codes[1][picks]
    disagreeing = 2 * (drawn_a != drawn_b).sum(axis=1).astype(float)
    offsets = len(domain) * np.arange(resamples)[:, None]
    counts = np.bincount(np.concatenate([(drawn_a + offsets).ravel(), (drawn_b + offsets).ravel()]),
                         minlength=resamples * len(domain)).reshape(resamples, len(domain)).astype(float)
    present = counts > 0
    values = np.full(resamples, np.nan)
    for size in set(present.sum(axis=1)) - {1}:   # a draw of one value has no alpha
        rows = np.flatnonzero(present.sum(axis=1) == size)
        n_v = counts[rows][present[rows]].reshape(len(rows), size)
        expected = (n_v[:, :, None] * n_v[:, None, :] - n_v[:, :, None] * np.eye(size)) / (n_v.sum(axis=1) - 1)[:, None, None]
        values[rows] = 1 - disagreeing[rows] / (expected * (1 - np.eye(size))).reshape(len(rows), -1).sum(axis=1)
    return values[~np.isnan(values)]


def figure(variable: str, a: list, b: list, resamples: int = RESAMPLES, seed: int = SEED) -> Figure:
    n = len(a)
    if n == 0:
        return Figure(variable, 0, None, None, None, None, "no units: nothing to compare")
    agreement = float(np.mean([x == y for x, y in zip(a, b)]))
    value = alpha(a, b)
    if value is None:
        note = ("fewer than two units" if n < 2 else
                "not defined: both coders gave every unit the same value")
        return Figure(variable, n, agreement, None, None, None, note)
    low = high = None
    draws = _bootstrap(a, b, resamples, seed) if resamples else []
    if len(draws):
        low, high = (float(x) for x in np.percentile(draws, [2.5, 97.5]))
    return Figure(variable, n, agreement, value, low, high)


def _label(row) -> str:
    valence = row["valence"] if isinstance(row["valence"], str) else ""
    return f"{row['lee_category']} {valence}".strip()


def _value(row, variable: str) -> str:
    return _label(row) if variable == "lee-label" else str(row[PAIRED[variable][0]])


def _pairs(rows_a: list[dict], rows_b: list[dict]) -> list[tuple[dict, dict]]:
    """Rows of one move and factor paired so that the most values agree (ties: in coding_id order)."""
    a, b = (sorted(rows, key=lambda row: row["coding_id"]) for rows in (rows_a, rows_b))
    score = lambda x, y: sum(_value(x, v) == _value(y, v) for v in PAIRED)  # noqa: E731
    small, large, flipped = (a, b, False) if len(a) <= len(b) else (b, a, True)
    best, chosen = -1, None
    for order in itertools.permutations(range(len(large)), len(small)):
        total = sum(score(small[i], large[j]) for i, j in enumerate(order))
        if total > best:
            best, chosen = total, order
    pairs = [(small[i], large[j]) for i, j in enumerate(chosen)]
    return [(y, x) for x, y in pairs] if flipped else pairs


def _check_known(codings: pd.DataFrame, stages: pd.DataFrame, factors: pd.DataFrame, coders: list[str]) -> None:
    rows = codings[codings["coder"].isin(coders)]
    unknown_stages = sorted(set(rows["stage_id"].dropna()) - set(stages["stage_id"].dropna()))
    unknown_factors = sorted(set(rows["factor_id"].dropna()) - set(factors["factor_id"].dropna()))
    problems = []
    if unknown_stages:
        problems.append(f"moves the package does not have (stages.stage_id): {', '.join(unknown_stages)}")
    if unknown_factors:
        problems.append(f"factors the codebook does not have (factors.factor_id): {', '.join(unknown_factors)}")
    if problems:
        raise InvalidData("codings_by_coder cites " + "; and ".join(problems)
                          + ": correct the rows, or run `returnee-journeys validate`")


def _reported(tables: dict[str, pd.DataFrame], coders: list[str]) -> set:
    """The persons the round's texts report on (persons.source_id, person_sources): its texts are those either
    coder's ledger covers or coded from. A person added later from another text is no unit of the round."""
    texts: set = set()
    for name in ("codings_by_coder", "ledger_by_coder"):
        rows = tables.get(name)
        if rows is not None:
            texts |= set(rows.loc[rows["coder"].isin(coders), "source_id"].dropna())
    reported = set(tables["persons"].loc[tables["persons"]["source_id"].isin(texts), "person_id"])
    further = tables.get("person_sources")
    if further is not None:
        reported |= set(further.loc[further["source_id"].isin(texts), "person_id"])
    return reported


def rounds_of(tables: dict[str, pd.DataFrame]) -> list[tuple[int, str, str]]:
    """(round, coder_a, coder_b) of every round; two coders and no round table make one implicit round."""
    codings = tables.get("codings_by_coder")
    coders = list(dict.fromkeys(codings["coder"].dropna())) if codings is not None else []
    declared = tables.get("reliability_rounds")
    if declared is not None and len(declared):
        found = [(int(r["round"]), str(r["coder_a"]), str(r["coder_b"])) for _, r in declared.iterrows()]
        missing = sorted({c for _, a, b in found for c in (a, b)} - set(coders))
        if missing:
            raise NoSecondCoding(f"reliability_rounds names coders with no coding in codings_by_coder: "
                                 f"{', '.join(missing)}")
        return sorted(found)
    if len(coders) == 2:
        return [(1, coders[0], coders[1])]
    raise NoSecondCoding("the package has no second coding to compare: add the two coders' codings to "
                         "codings_by_coder (and their ledgers to ledger_by_coder) and a reliability_rounds row "
                         f"naming them (codings_by_coder holds {len(coders)} coder(s))")


def compare(tables: dict[str, pd.DataFrame], round_: int, coder_a: str, coder_b: str,
            resamples: int = RESAMPLES, seed: int = SEED) -> Round:
    stages, factors = tables["stages"], tables["factors"]
    codings = tables["codings_by_coder"]
    _check_known(codings, stages, factors, [coder_a, coder_b])
    stages = stages[stages["person_id"].isin(_reported(tables, [coder_a, coder_b]))]
    first = stages.groupby("person_id")["seq"].transform("min")
    moves = list(stages.loc[stages["seq"] != first, "stage_id"])
    factor_ids = list(factors["factor_id"])
    by: dict[str, dict] = {coder_a: {}, coder_b: {}}  # coder → (move, factor) → their rows, read once as dicts
    for row in codings[codings["coder"].isin(by)].to_dict("records"):
        by[row["coder"]].setdefault((row["stage_id"], row["factor_id"]), []).append(row)
    values: dict[str, tuple[list, list, list]] = {v: ([], [], []) for v in VARIABLES}
    presence = values["presence"]
    for move in moves:
        for factor_id in factor_ids:
            unit = (move, factor_id)
            presence[0].append(f"{move}/{factor_id}")
            presence[1].append(PRESENT if unit in by[coder_a] else ABSENT)
            presence[2].append(PRESENT if unit in by[coder_b] else ABSENT)
            if unit in by[coder_a] and unit in by[coder_b]:
                for n, (x, y) in enumerate(_pairs(by[coder_a][unit], by[coder_b][unit]), start=1):
                    for variable in PAIRED:
                        units, va, vb = values[variable]
                        units.append(f"{move}/{factor_id}/{n}")
                        va.append(_value(x, variable))
                        vb.append(_value(y, variable))
    ledger = tables.get("ledger_by_coder")
    if ledger is not None and len(ledger):
        keyed = {c: {(r.source_id, int(r.paragraph), int(r.sentence)): r
                     for r in ledger[ledger["coder"] == c].itertuples()} for c in (coder_a, coder_b)}
        for place in sorted(set(keyed[coder_a]) & set(keyed[coder_b])):
            ra, rb = keyed[coder_a][place], keyed[coder_b][place]
            unit = "/".join(str(p) for p in place)
            for variable, value in (("disposition", lambda r: r.disposition),
                                    ("ledger-reason", lambda r: r.reason if r.disposition != "coded" else "coded")):
                units, va, vb = values[variable]
                units.append(unit)
                va.append(str(value(ra)))
                vb.append(str(value(rb)))
    if len(presence[0]) < 2:
        raise InvalidData(f"round {round_} has {len(presence[0])} unit(s) (moves × factors): alpha needs at least "
                          "two units to compare")
    figures = [figure(v, values[v][1], values[v][2], resamples, seed) for v in VARIABLES]
    disagreements = [Disagreement(v, u, x, y) for v in VARIABLES for u, x, y in zip(*values[v]) if x != y]
    return Round(round_, coder_a, coder_b, figures, disagreements)


def agreement(tables: dict[str, pd.DataFrame], round_: int | None = None, resamples: int = RESAMPLES,
              seed: int = SEED) -> list[Round]:
    """Every round's figures (or round `round_`'s); raises NoSecondCoding / InvalidData."""
    found = rounds_of(tables)
    if round_ is not None:
        found = [r for r in found if r[0] == round_]
        if not found:
            raise NoSecondCoding(f"the package has no reliability round {round_}")
    return [compare(tables, n, a, b, resamples, seed) for n, a, b in found]


COLUMNS = {"round": "The reliability round (reliability_rounds.round).", "coder_a": "The first coder.",
           "coder_b": "The second coder.", "variable": "The coded variable.", "units": "Units compared.",
           "agreement": "Observed agreement: the share of units with the same value.",
           "alpha": "Krippendorff's alpha (nominal); empty where not defined.",
           "low": "Bootstrap 95 % interval, lower end.", "high": "Bootstrap 95 % interval, upper end.",
           "reading": "0.80 or more: reliable; 0.667 to 0.80: tentative conclusions only; below: not reliable."}


def of_package(tables: dict[str, pd.DataFrame]) -> list[Round]:
    """Every round of a package; none where it holds no coding by coder."""
    codings = tables.get("codings_by_coder")
    return [] if codings is None or codings.empty else agreement(tables)


def frame(rounds: list[Round]) -> pd.DataFrame:
    """One row per round and variable (COLUMNS)."""
    rows = [dict(round=r.round, coder_a=r.coder_a, coder_b=r.coder_b, variable=f.variable, units=f.units,
                 agreement=f.agreement, alpha=f.alpha, low=f.low, high=f.high, reading=verdict(f))
            for r in rounds for f in r.figures]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def _number(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def interval(f: Figure) -> str:
    return "—" if f.low is None else f"[{f.low:.2f}, {f.high:.2f}]"


def verdict(f: Figure) -> str:
    if f.alpha is None:
        return f.note
    if f.alpha >= RELIABLE:
        return "reliable (≥ 0.80)"
    if f.alpha >= TENTATIVE:
        return "tentative conclusions only (0.667 to 0.80)"
    return "below 0.667: not reliable"


def text(rounds: list[Round]) -> str:
    lines = []
    for r in rounds:
        lines += [f"round {r.round}: {r.coder_a} vs {r.coder_b}",
                  f"  {'variable':<14} {'units':>6} {'agreement':>10} {'alpha':>6}  {'95% interval':<14} reading"]
        for f in r.figures:
            share = "—" if f.agreement is None else f"{100 * f.agreement:.1f}%"
            lines.append(f"  {f.variable:<14} {f.units:>6} {share:>10} {_number(f.alpha):>6}  {interval(f):<14} "
                         f"{verdict(f)}")
        lines.append(f"  {len(r.disagreements)} disagreement(s) over all variables")
    return "\n".join(lines) + "\n"
