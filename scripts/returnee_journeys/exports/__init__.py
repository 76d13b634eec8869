"""Every export, written into dist/exports/ (`make exports`): SQLite with Datasette metadata,
Parquet, Excel and sequence-analysis tables, all from the descriptor and the project's loader."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..model import citation as citation_module
from . import excel as export_excel
from . import parquet as export_parquet
from . import sequences as export_sequences
from . import sqlite as export_sqlite
from ..model import journeys
from ..model import paths


def write_all(out: Path, package: Path | None = None) -> list[Path]:
    """Build everything in a temporary folder beside `out`, then swap it in whole."""
    data = journeys.read(paths.descriptor(package))
    name = data.descriptor.data["name"]
    citation = citation_module.read()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}."))
    try:
        export_sqlite.write(data, staging / f"{name}.sqlite")
        export_sqlite.write_metadata(data, name, staging / "metadata.json")
        (staging / "parquet").mkdir()
        for resource in data.descriptor.resources:
            export_parquet.write(data, resource, staging / "parquet" / f"{resource['name']}.parquet")
        export_excel.write(data, citation, staging / f"{name}.xlsx")
        export_sequences.write(data, staging / "sequences")
        for path in staging.rglob("*"):
            os.chmod(path, 0o755 if path.is_dir() else 0o644)
        if out.exists():
            shutil.rmtree(out)
        os.replace(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return sorted(p for p in out.rglob("*") if p.is_file())
