"""Benchmark: wall time and peak memory of the full validation, beside `frictionless validate` on
the same files, for the real package and synthetic ones. The real package is validated with its
quotes, text hashes and ledger coverage when the texts are at hand ($SOURCES_DIR); the synthetic
ones have no texts, so everything but those is checked.

Usage: returnee-journeys bench [N ...]   (default: the real package, 1000, 10000, 100000 persons)
Each run is a fresh process, so peak memory is that run's own. Prints a Markdown table, then the
adversarial cases (`adversarial`: hostile sizes, each within a time budget; exit 1 when one is not).
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from ..model import paths
from . import adversarial, synthetic

VALIDATE = [sys.executable, "-m", "returnee_journeys", "validate", "--package"]
FRICTIONLESS = [str(Path(sys.executable).with_name("frictionless")), "validate"]


# Linux keeps a process's peak memory across exec, and a child begins as a copy of its parent: a
# command started straight from this process (large once it has built a synthetic package) would
# report this process's size as its own peak. A small launcher starts it instead and reports it.
LAUNCHER = """
import os, sys, time
start = time.perf_counter()
quiet = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_WRONLY, 0) for fd in (1, 2)]
pid = os.posix_spawn(sys.argv[1], sys.argv[1:], os.environ, file_actions=quiet)
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def measure(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak resident MiB and exit code of one command (its output is discarded)."""
    done = subprocess.run([sys.executable, "-I", "-S", "-c", LAUNCHER, *command], check=True,
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    wall, kib, code = done.stdout.split()
    return float(wall), int(kib) / 1024, int(code)


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
        return adversarial.run(Path(scratch), measure)


