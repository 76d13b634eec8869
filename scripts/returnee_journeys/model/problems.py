"""One validation problem, a bounded collection of them, and the two ways of reporting it.

A package with a million bad rows must not take a million objects to report: `Problems` counts
every failure but keeps at most `limit` of them for each (resource, rule, field); the reports
print those and say how many more there are.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass
from itertools import groupby

import numpy as np

LIMIT = 20  # problems shown per resource, rule and field
FIELDS_SHOWN = 5  # times LIMIT: problems shown per resource and rule, over all its fields (a header of 100,000 columns)


@dataclass(frozen=True, order=True)
class Problem:
    resource: str
    row: int | None  # line in the CSV file where the record starts, header = 1; None for the whole file or package
    field: str | None
    rule: str
    value: str | None
    hint: str
    file: str = ""

    def sort_key(self):
        return (self.resource, self.row or 0, self.field or "", self.rule, self.value or "")


class Problems:
    """Every problem counted, at most `limit` kept per (resource, rule, field); each kept once.

    Behaves like the list it replaces: append, extend, +=, len (the total count), iteration (the
    kept problems), truth (any problem at all)."""

    def __init__(self, problems=(), limit: int = LIMIT) -> None:
        self.limit = limit
        self.kept: list[Problem] = []
        self.counts: Counter = Counter()
        self._shown: Counter = Counter()  # kept per (resource, rule)
        self._seen: set[Problem] = set()
        self.extend(problems)

    def append(self, problem: Problem) -> None:
        if problem in self._seen:
            return
        self._seen.add(problem)
        key = (problem.resource, problem.rule, problem.field)
        self.counts[key] += 1
        if self.counts[key] <= self.limit and self._shown[key[:2]] < self.limit * FIELDS_SHOWN:
            self._shown[key[:2]] += 1
            self.kept.append(problem)

    def extend(self, problems) -> None:
        for problem in problems:
            self.append(problem)

    def __iadd__(self, problems):
        self.extend(problems)
        return self

    def rows(self, resource: str, file: str, rule: str, field: str | None, failing, hint: str,
             values=None) -> int:
        """The failing rows of one check (a boolean Series indexed by CSV line): all counted, the
        first ones kept with their value from `values` (a Series on the same index, or None)."""
        mask = np.asarray(failing, dtype=bool)
        count = int(mask.sum())
        if not count:
            return 0
        key = (resource, rule, field)
        room = self.limit - self.counts[key]
        if room > 0:
            at = np.flatnonzero(mask)[:room]
            lines = failing.index[at]
            shown = values.iloc[at] if values is not None else [None] * len(at)
            before = self.counts[key]
            for line, value in zip(lines, shown):
                self.append(Problem(resource, int(line), field, rule, _text(value), hint, file))
            count -= self.counts[key] - before
        self.counts[key] += count
        return int(mask.sum())

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def omitted(self) -> list[dict]:
        """(resource, rule, field) whose problems were not all kept, with how many were left out; those
        of fields with none kept (past the rule's FIELDS_SHOWN) together, as field None."""
        kept = Counter((p.resource, p.rule, p.field) for p in self.kept)
        left: Counter = Counter()
        for (r, rule, f), n in self.counts.items():
            if n > kept[(r, rule, f)]:
                left[(r, rule, f if kept[(r, rule, f)] else None)] += n - kept[(r, rule, f)]
        return [{"resource": r, "rule": rule, "field": f, "not_shown": n}
                for (r, rule, f), n in sorted(left.items(), key=lambda kv: tuple(map(str, kv[0])))]

    def __len__(self) -> int:
        return self.total

    def __bool__(self) -> bool:
        return self.total > 0

    def __iter__(self):
        return iter(self.kept)

    def __eq__(self, other) -> bool:
        return list(self) == list(other) if isinstance(other, (list, Problems)) else NotImplemented

    def __repr__(self) -> str:
        return f"Problems(total={self.total}, kept={self.kept!r})"


def _text(value) -> str | None:
    if value is None:
        return None
    try:
        if value is np.nan or (not isinstance(value, str) and bool(np.isnan(value))):
            return None
    except (TypeError, ValueError):
        pass
    if value.__class__.__name__ in ("NAType", "NaTType"):
        return None
    return str(value)


def _short(value: str | None) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _as_problems(problems) -> Problems:
    return problems if isinstance(problems, Problems) else Problems(problems, limit=10**12)


def format_text(problems) -> str:
    problems = _as_problems(problems)
    if not problems:
        return "valid: no problems found"
    total = problems.total
    lines = [f"invalid: {total} problem(s)" + (f", {len(problems.kept)} shown" if total > len(problems.kept) else "")]
    ordered = sorted(problems, key=Problem.sort_key)
    more = {(o["resource"], o["rule"], o["field"]): o["not_shown"] for o in problems.omitted()}
    for resource, group in groupby(ordered, key=lambda p: p.resource):
        group = list(group)
        count = sum(n for (r, _, _), n in problems.counts.items() if r == resource)
        lines.append(f"\n{resource} ({group[0].file or 'datapackage.json'}): {count}")
        for p in group:
            where = f"row {p.row}" if p.row is not None else "file"
            field = f", field {_short(p.field)}" if p.field else ""
            value = f", value {_short(p.value)!r}" if p.value is not None else ""
            lines.append(f"  {where}{field}{value}: [{p.rule}] {p.hint}")
        for (r, rule, f), n in more.items():
            if r == resource:
                lines.append(f"  … and {n} more [{rule}]" + (f" on field {_short(f)}" if f else " on other fields")
                             + " not shown")
    return "\n".join(lines)


def format_json(problems) -> str:
    problems = _as_problems(problems)
    ordered = sorted(problems, key=Problem.sort_key)
    return json.dumps(
        {"valid": not problems, "count": problems.total, "shown": len(ordered),
         "problems": [asdict(p) for p in ordered], "not_shown": problems.omitted()},
        indent=2,
        ensure_ascii=False,
    )
