"""Time the test loop as CI runs it: `make test`, whole, in a fresh process tree. Prints one Markdown
row per run: wall seconds, CPU seconds (user + system of `make` and everything it started: the
pytest workers and their subprocesses), the tests counted, and the load average of the machine
before the run (on a shared machine, wall time means little without it; CPU time much less so).

Usage: make bench-tests [RUNS=n]   (or: python tests/bench_tests.py [n])
Nothing is cached between runs; each run is a plain `make test` (so the pytest workers, the
fixtures and the built packages are made anew each time).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COUNTS = re.compile(r"(\d+) (passed|skipped|failed|errors?)")


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run_once() -> tuple[float, float, dict, str, int]:
    """Wall and CPU seconds, the counts of the summary line, the load before, the exit code."""
    load = load_average()
    times, start = os.times(), time.perf_counter()
    done = subprocess.run(["make", "--no-print-directory", "test"], cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    wall, after = time.perf_counter() - start, os.times()
    # the children's times: of every descendant reaped, which is all of them once `make` has ended
    cpu = after.children_user - times.children_user + after.children_system - times.children_system
    lines = done.stdout.strip().splitlines()
    counts = {kind.rstrip("s"): int(n) for n, kind in COUNTS.findall(lines[-1] if lines else "")}
    if not counts:  # no summary line: show how the run ended
        print("\n".join(lines[-20:]), file=sys.stderr)
    return wall, cpu, counts, load, done.returncode


def main(argv: list[str]) -> int:
    runs = int(argv[0]) if argv else 1
    print("| run | wall s | CPU s | passed | skipped | load average before (1, 5, 15 min) |")
    print("|---:|---:|---:|---:|---:|---|")
    code = 0
    for i in range(1, runs + 1):
        wall, cpu, counts, load, returncode = run_once()
        print(f"| {i} | {wall:.1f} | {cpu:.1f} | {counts.get('passed', 0)} | {counts.get('skipped', 0)} | {load} |",
              flush=True)
        code = code or returncode
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
