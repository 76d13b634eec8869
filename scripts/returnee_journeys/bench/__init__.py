"""Benchmark: wall time and peak memory of the full validation, beside `frictionless validate` on
the same files, for the real package and synthetic ones. The real package is validated with its
quotes, text hashes and ledger coverage when the texts are at hand ($SOURCES_DIR); the synthetic
ones have no texts, so everything but those is checked.

Usage: returnee-journeys bench [N ...]   (default: the real package, 1000, 10000, 100000 persons)
Each run is a fresh process, so peak memory is that run's own. Prints a Markdown table.
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..model import paths
from . import synthetic

VALIDATE = [sys.executable, "-m", "returnee_journeys", "validate", "--package"]
FRICTIONLESS = [str(Path(sys.executable).with_name("frictionless")), "validate"]


def measure(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak resident MiB and exit code of one command."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, process.returncode


def rows(descriptor: Path) -> int:
    return sum(max(0, len(p.read_bytes().splitlines()) - 1) for p in (descriptor.parent / "data").glob("*.csv"))


def run(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [0, 1_000, 10_000, 100_000]
    print("| persons | rows | ours: s | ours: MiB | frictionless: s | frictionless: MiB | speed-up |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as scratch:
        for n in sizes:
            descriptor = paths.DESCRIPTOR if n == 0 else synthetic.generate(n, Path(scratch) / str(n), seed=n)
            texts = paths.sources_dir()
            with_texts = n == 0 and texts.is_dir()
            ours = measure(VALIDATE + [str(descriptor)] + (["--sources", str(texts), "--require-sources"]
                                                           if with_texts else ["--skip-quotes"]))
            theirs = measure(FRICTIONLESS + [str(descriptor)])
            if ours[2] != 0:
                print(f"validation of {descriptor} failed (exit {ours[2]})", file=sys.stderr)
                return 1
            label = ("real, with texts" if with_texts else "real, no texts") if n == 0 else f"{n:,}"
            print(f"| {label} | {rows(descriptor):,} | {ours[0]:.2f} | {ours[1]:.0f} | {theirs[0]:.2f} | "
                  f"{theirs[1]:.0f} | {theirs[0] / ours[0]:.1f}× |", flush=True)
    return 0


