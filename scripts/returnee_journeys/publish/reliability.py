"""The reliability figures as Markdown (the README's "Reliability" section and docs/reliability.md),
for the package's own rounds and those of the packages its descriptor names in `reliabilityPackages`:
alpha per variable, what the second coder saw, the caveat, shortfalls and every adjudication."""
from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..model import agreement as agreement_model
from ..model import descriptor as descriptor_module
from ..model import load
from . import TEMPLATES
from .docs import table

NAMES = {"presence": "presence (move × factor)", "lee-label": "Lee label (category and valence)",
         "certainty": "certainty", "timing": "timing", "salience": "salience", "scope": "scope",
         "disposition": "ledger: coded or not", "ledger-reason": "ledger: disposition with reason"}


@dataclass(frozen=True)
class Measured:
    """One package's rounds: its title, where it is, its tables and every round's figures."""
    title: str
    where: str
    tables: dict
    rounds: list[agreement_model.Round]

    def round_row(self, number: int) -> dict:
        frame = self.tables.get("reliability_rounds")
        if frame is None:
            return {}
        rows = frame[frame["round"] == number]
        return {} if rows.empty else {k: (None if pd.isna(v) else v) for k, v in rows.iloc[0].items()}


@dataclass(frozen=True)
class Missing:
    """A package named in `reliabilityPackages` that is not where it is said to be."""
    where: str
    rounds: tuple = ()
    title: str = ""


def measure(descriptor: descriptor_module.Descriptor, tables: dict, where: str = "this package") -> Measured | None:
    """The package's rounds, or None when it has none."""
    codings = tables.get("codings_by_coder")
    if codings is None or codings.empty:
        return None
    return Measured(descriptor.data.get("title", descriptor.data.get("name", "")), where, tables,
                    agreement_model.agreement(tables))


def measured(descriptor: descriptor_module.Descriptor, tables: dict) -> list[Measured]:
    """This package's rounds and those of the packages it names in `reliabilityPackages`."""
    found = [measure(descriptor, tables)]
    for relative in descriptor.data.get("reliabilityPackages", []):
        if not (descriptor.root / relative).is_file():  # a copy of the package without its sample: said, not read
            found.append(Missing(str(relative)))
            continue
        other = descriptor_module.read(descriptor.root / relative)
        loaded = load.load(other)
        if loaded.problems:
            raise agreement_model.InvalidData(f"{other.path} does not load; run `returnee-journeys validate "
                                              f"{shlex.quote(str(other.path.parent))}`")
        found.append(measure(other, loaded.tables, str(Path(relative).parent)))
    return [m for m in found if m is not None]


def _alpha(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def figures_table(round_: agreement_model.Round) -> str:
    return table(["variable", "units", "observed agreement", "alpha", "95 % interval", "reading"],
                 [(NAMES[f.variable], f.units, "—" if f.agreement is None else f"{100 * f.agreement:.1f} %",
                   _alpha(f.alpha), agreement_model.interval(f), agreement_model.verdict(f)) for f in round_.figures],
                 right=("units", "observed agreement", "alpha"))


def shortfalls(round_: agreement_model.Round) -> list[str]:
    """A sentence for each target variable below 0.80."""
    out = []
    for f in round_.figures:
        if f.variable not in agreement_model.TARGETS:
            continue
        if f.alpha is None:
            out.append(f"{NAMES[f.variable]}: alpha is not defined ({f.note}); it cannot be said to reach 0.80.")
        elif f.alpha < agreement_model.RELIABLE:
            gap = agreement_model.RELIABLE - f.alpha
            use = ("conclusions drawn from it are tentative" if f.alpha >= agreement_model.TENTATIVE else
                   "it is not reliable enough to draw conclusions from: read it as the first coder's judgement")
            out.append(f"{NAMES[f.variable]}: alpha {f.alpha:.2f}, {gap:.2f} below the 0.80 target; {use}.")
    return out


def uncertain(round_: agreement_model.Round) -> list[str]:
    """A sentence for each target variable that reaches 0.80 but whose interval reaches below 0.667."""
    return [f"{NAMES[f.variable]}: alpha {f.alpha:.2f} reaches the target, but its 95 % interval reaches down to "
            f"{f.low:.2f} ({f.units} units): with so few units the estimate is uncertain."
            for f in round_.figures if f.variable in agreement_model.TARGETS and f.alpha is not None
            and f.alpha >= agreement_model.RELIABLE and f.low is not None and f.low < agreement_model.TENTATIVE]


def _round_heading(m: Measured, r: agreement_model.Round) -> str:
    row = m.round_row(r.round)
    protocol = f", protocol {row['protocol_version']}" if row.get("protocol_version") else ""
    return f"{m.title} ({m.where}), round {r.round}: `{r.coder_a}` and `{r.coder_b}`{protocol}"


def summary(found: list[Measured]) -> str:
    """The README's block: each round's figures, what the second coder saw, the caveat, the targets."""
    if not found:
        return "No reliability round has been made yet (`reliability_rounds` is empty).\n"
    parts = []
    for m in found:
        if isinstance(m, Missing):
            parts += [f"The reliability package named in `reliabilityPackages`, {m.where}, is not in this copy of the "
                      "package: its figures are not shown.", ""]
        for r in m.rounds:
            row = m.round_row(r.round)
            parts += [f"**{_round_heading(m, r)}.**", ""]
            if row.get("material"):
                parts += [f"The second coder saw: {row['material']}.", ""]
            parts.append(figures_table(r))
            if row.get("caveat"):
                parts += [f"Caveat: {row['caveat']}", ""]
            short, unsure = shortfalls(r), uncertain(r)
            parts += (["Below the target of 0.80:", ""] + [f"- {s}" for s in short] + [""]) if short else \
                ["Presence, Lee label, certainty, timing and salience reach the target of 0.80.", ""]
            parts += [f"- {s}" for s in unsure] + ([""] if unsure else [])
    note = (TEMPLATES / "reliability-note.md").read_text(encoding="utf-8")
    parts += [note.format(resamples=agreement_model.RESAMPLES).rstrip("\n"), ""]
    return "\n".join(parts)


def adjudications(m: Measured, r: agreement_model.Round) -> str:
    adjudicated = m.tables.get("adjudications")
    decided = {} if adjudicated is None else {
        (row.variable, row.unit): row for row in adjudicated[adjudicated["round"] == r.round].itertuples()}
    rows = []
    for d in r.disagreements:
        row = decided.get((d.variable, d.unit))
        rows.append([d.variable, f"`{d.unit}`", d.value_a, d.value_b] + (
            ["not yet adjudicated", "", "", ""] if row is None else
            [row.decision, "" if pd.isna(row.final) else row.final, "yes" if bool(row.changed) else "no",
             str(row.reason).replace("|", "\\|")]))
    missing = sum((d.variable, d.unit) not in decided for d in r.disagreements)
    head = (f"{len(rows)} disagreement(s); {len(rows) - missing} adjudicated"
            + (f", {missing} not yet" if missing else "") + ".\n\n")
    return head + (table(["variable", "unit", "first coder", "second coder", "decision", "final", "changed",
                          "reason"], rows) if rows else "")


def detail(found: list[Measured]) -> str:
    """docs/reliability.md's block: every round in full, with every disagreement."""
    if not found:
        return "No reliability round has been made yet.\n"
    parts = []
    for m in found:
        for r in m.rounds:
            row = m.round_row(r.round)
            parts += [f"### {_round_heading(m, r)}", ""]
            for key, label in (("material", "What the second coder saw"), ("caveat", "Caveat"), ("notes", "Notes")):
                if row.get(key):
                    parts += [f"{label}: {row[key]}", ""]
            parts.append(figures_table(r))
            short = shortfalls(r) + uncertain(r)
            if short:
                parts += ["Against the target of 0.80:", ""] + [f"- {s}" for s in short] + [""]
            parts += ["#### Disagreements and their adjudication", "", adjudications(m, r)]
    return "\n".join(parts)


def glance_note(found: list[Measured], detailed: bool = True) -> str:
    """One paragraph under the comparison table: how reliable the codings behind its reasons are
    (`detailed`: the package has docs/reliability.md to point at)."""
    if not found:
        return ""
    rounds = []
    for m in found:
        for r in m.rounds:
            values = ", ".join(f"{NAMES[v].split(' (')[0]} {_alpha(r.figure(v).alpha)}" for v in agreement_model.TARGETS)
            rounds.append(f"{m.title} ({m.where}), round {r.round}: {values}")
    return ("\nHow reliably the factors behind the reasons columns are coded (Krippendorff's alpha; 0.80 reliable, "
            "0.667 tentative; see " + ("Reliability and docs/reliability.md" if detailed else "`returnee-journeys "
                                        "agreement`") + "): " + "; ".join(rounds) + ".\n")
