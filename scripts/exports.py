"""Write every export into dist/exports/ (`make exports`): SQLite with Datasette metadata,
Parquet, Excel and sequence-analysis tables, all from the descriptor and the project's loader.

Usage: python scripts/exports.py [--out DIR]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import yaml

import docs
import export_excel
import export_parquet
import export_sequences
import export_sqlite
import journeys
import paths


def write_all(out: Path) -> list[Path]:
    """Build everything in a temporary folder beside `out`, then swap it in whole."""
    data = journeys.read()
    name = data.descriptor.data["name"]
    citation = yaml.safe_load(docs.CITATION.read_text(encoding="utf-8"))
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}."))
    try:
        export_sqlite.write(data, staging / f"{name}.sqlite")
        export_sqlite.write_metadata(data, name, staging / "metadata.json")
        (staging / "parquet").mkdir()
        for resource in data.descriptor.resources:
            export_parquet.write(data, resource, staging / "parquet" / f"{resource['name']}.parquet")
        export_excel.write(data, citation, staging / f"{name}.xlsx")
        (staging / "sequences").mkdir()
        for table, frame in export_sequences.tables(data).items():
            frame.to_csv(staging / "sequences" / f"{table}.csv", index=False, lineterminator="\n")
        for path in staging.rglob("*"):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        if out.exists():
            shutil.rmtree(out)
        os.replace(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return sorted(p for p in out.rglob("*") if p.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=paths.ROOT / "dist" / "exports")
    args = parser.parse_args(argv)
    return journeys.print_written(lambda: write_all(args.out))


if __name__ == "__main__":
    sys.exit(main())
