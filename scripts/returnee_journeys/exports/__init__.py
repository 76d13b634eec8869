"""Every export, written into the package's dist/exports/ (`make exports`): SQLite with Datasette metadata,
Parquet, Excel, sequence-analysis tables and the comparison table, all from the descriptor and
the project's loader.

The folder is built whole beside its target and swapped in, so it is never half-written; it and
everything in it are world-readable (folders 0755, files 0644), whatever the umask (`files`).
"""
from __future__ import annotations

from pathlib import Path

from ..model import comparison as comparison_model
from ..model import files
from . import comparison as export_comparison
from . import excel as export_excel
from . import parquet as export_parquet
from . import qdpx as export_qdpx
from . import sequences as export_sequences
from . import sqlite as export_sqlite
from . import taguette as export_taguette
from . import web_annotations as export_annotations
from ..model import journeys
from ..model import names

def write_all(ctx, out: Path | None = None) -> list[Path]:
    """Every export of the package of `ctx` (a Context) into `out` (default: the package's
    dist/exports/): built in a folder beside `out`, then swapped in whole (`files.OutputFolder`).
    A folder named with --out must be new, empty or written by `exports` before."""
    default = out is None or files.same_path(out, ctx.exports)
    out = ctx.exports if out is None else out
    data = journeys.read(ctx.path)
    name = names.checked(data.descriptor.data["name"])
    citation = ctx.citation
    glance = comparison_model.build(data)
    with files.OutputFolder(out, "exports", strict=not default) as output:
        staging = output.staging
        export_sqlite.write(data, staging / f"{name}.sqlite", glance)
        export_sqlite.write_metadata(data, name, staging / "metadata.json")
        (staging / "parquet").mkdir()
        for resource in data.descriptor.resources:
            export_parquet.write(data, resource, staging / "parquet" / f"{names.checked(resource['name'])}.parquet")
        export_excel.write(data, citation, staging / f"{name}.xlsx", glance)
        export_sequences.write(data, staging / "sequences")
        if len(data.table("factors")):  # REFI-QDA codebook (it needs a code: none before the codebook has one)
            export_qdpx.write_codebook(data, staging / f"{name}.qdc")  # the .qdpx: `make qdpx`
        export_taguette.write(data, staging / f"{name}-taguette-codebook.csv")  # the same codes, for Taguette
        export_annotations.write_if_texts(data, ctx.sources, staging / export_annotations.FILE)  # needs the texts
        export_comparison.write(glance, staging, data.version, data.descriptor.data["title"])
        output.swap()
    return sorted(p for p in out.rglob("*") if p.is_file() and p.name != files.MARKER)
