"""One validation problem, and the two ways of reporting a list of them."""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from itertools import groupby


@dataclass(frozen=True, order=True)
class Problem:
    resource: str
    row: int | None  # line in the CSV file, header = 1; None for the whole file or package
    field: str | None
    rule: str
    value: str | None
    hint: str
    file: str = ""

    def sort_key(self):
        return (self.resource, self.row or 0, self.field or "", self.rule, self.value or "")


def _short(value: str | None, width: int = 60) -> str:
    if value is None:
        return ""
    text = str(value)
    return text if len(text) <= width else text[: width - 1] + "…"


def format_text(problems: list[Problem]) -> str:
    if not problems:
        return "valid: no problems found"
    lines = [f"invalid: {len(problems)} problem(s)"]
    ordered = sorted(problems, key=Problem.sort_key)
    for resource, group in groupby(ordered, key=lambda p: p.resource):
        group = list(group)
        lines.append(f"\n{resource} ({group[0].file or 'datapackage.json'}): {len(group)}")
        for p in group:
            where = f"row {p.row}" if p.row is not None else "file"
            field = f", field {p.field}" if p.field else ""
            value = f", value {_short(p.value)!r}" if p.value is not None else ""
            lines.append(f"  {where}{field}{value}: [{p.rule}] {p.hint}")
    return "\n".join(lines)


def format_json(problems: list[Problem]) -> str:
    ordered = sorted(problems, key=Problem.sort_key)
    return json.dumps(
        {"valid": not problems, "count": len(problems), "problems": [asdict(p) for p in ordered]},
        indent=2,
        ensure_ascii=False,
    )
