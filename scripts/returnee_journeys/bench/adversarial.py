"""Adversarial sizes (issue 26): hostile inputs whose cost must stay bounded by their size. Each
case edits a small synthetic package, runs one command on it in a fresh process and must finish
within its time budget (the bench's exit code says whether every case did). Not a test: timings
belong here, not in `make test`."""
from __future__ import annotations

import csv
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Callable

COMMAND = [sys.executable, "-m", "returnee_journeys"]


def _descriptor(package: Path, change: Callable[[dict], None]) -> None:
    path = package / "datapackage.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _field(data: dict, resource: str, name: str) -> dict:
    table = next(r for r in data["resources"] if r["name"] == resource)
    return next(f for f in table["schema"]["fields"] if f["name"] == name)


def _cell(package: Path, resource: str, column: str, value: str) -> None:
    path = package / "data" / f"{resource}.csv"
    with path.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.reader(stream))
    rows[1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream, lineterminator="\n").writerows(rows)


def backtracking_pattern(package: Path) -> str:
    """A pattern exponential on a backtracking engine, on a 1 MB value that almost matches."""
    _descriptor(package, lambda d: _field(d, "stages", "notes").setdefault("constraints", {}).update(
        pattern="(a+)+$"))
    _cell(package, "stages", "notes", "a" * 1_000_000 + "!")
    return "validate"


def long_multi_line_cell(package: Path) -> str:
    """An 8 MB quoted cell of 400 000 lines, read by the slow path."""
    _cell(package, "stages", "notes", "line, with \"quotes\"\n" * 400_000)
    return "validate"


def wide_header(package: Path) -> str:
    """A header of 100 000 columns."""
    path = package / "data" / "persons.csv"
    lines = path.read_text(encoding="utf-8").split("\n", 1)
    path.write_text(lines[0] + "".join(f",extra{i}" for i in range(100_000)) + "\n" + lines[1], encoding="utf-8")
    return "validate"


def emphasis_in_a_description(package: Path) -> str:
    """A description of 600 000 characters of would-be Markdown emphasis, rendered into the XLSX."""
    _descriptor(package, lambda d: _field(d, "stages", "notes").update(description="*a " * 200_000))
    return "exports"


@dataclass(frozen=True)
class Case:
    make: Callable[[Path], str]
    budget: float  # seconds, on the project's machine (2 cores)


CASES = [Case(backtracking_pattern, 60), Case(long_multi_line_cell, 60), Case(wide_header, 60),
         Case(emphasis_in_a_description, 180)]


def run(scratch: Path, measure) -> int:
    """Print one table row per case; 1 when a case went over its budget."""
    from . import synthetic

    base = synthetic.generate(50, scratch / "adversarial-base", seed=7).parent
    print("\n| adversarial case | command | s | MiB | exit | budget s |")
    print("|---|---|---:|---:|---:|---:|")
    over = 0
    for case in CASES:
        package = scratch / case.make.__name__
        shutil.copytree(base, package)
        command = case.make(package)
        extra = ["--skip-quotes"] if command == "validate" else ["--out", str(scratch / f"{package.name}-out")]
        wall, mib, code = measure(COMMAND + [command, str(package)] + extra)
        over += wall > case.budget or code not in (0, 1)
        print(f"| {case.make.__doc__.strip()} | {command} | {wall:.2f} | {mib:.0f} | {code} | {case.budget:g} |",
              flush=True)
    return 1 if over else 0
