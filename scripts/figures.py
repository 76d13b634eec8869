"""Draw every figure from the tables into figures/ (or another folder): `make figures`.

Usage: python scripts/figures.py [--out DIR] [NAME ...]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path




import durations
import estimates
import factors
import journeys
import paths
import routes
import sequences


import style
import timeline

FIGURES = {module.__name__: module for module in (timeline, sequences, routes, factors, durations, estimates)}


def draw(out: Path, names: list[str] | None = None, package: Path = paths.DESCRIPTOR) -> list[Path]:
    data = journeys.read(package)
    written = []
    for name in sorted(names or FIGURES):
        written += style.save(FIGURES[name].draw(data), name, out)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=paths.FIGURES)
    parser.add_argument("names", nargs="*", choices=sorted(FIGURES) + [[]], metavar="NAME")
    args = parser.parse_args(argv)
    return journeys.print_written(lambda: draw(args.out, args.names))


if __name__ == "__main__":
    sys.exit(main())
