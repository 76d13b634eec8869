"""Every export into the package's dist/exports/ (`make exports`): the `Exporter`s of `EXPORTERS`, in
order, built in a folder beside the target and swapped in whole (`files.OutputFolder`); one that
needs the source texts is skipped when any is missing. No exporter imports another."""
from __future__ import annotations

from pathlib import Path

from ..model import comparison as comparison_model, files, journeys
from . import comparison as export_comparison
from . import excel, parquet, qdpx, sequences, sqlite, taguette, web_annotations
from .exporter import Exporter, Job

EXPORTERS: tuple[Exporter, ...] = (sqlite.EXPORTER, parquet.EXPORTER, excel.EXPORTER, sequences.EXPORTER,
                                   qdpx.EXPORTER, taguette.EXPORTER, web_annotations.EXPORTER,
                                   export_comparison.EXPORTER)


def write_all(ctx, out: Path | None = None) -> list[Path]:
    """Every export of the package of `ctx` (a Context) into `out` (default: the package's
    dist/exports/): built in a folder beside `out`, then swapped in whole (`files.OutputFolder`).
    A folder named with --out must be new, empty or written by `exports` before."""
    default = out is None or files.same_path(out, ctx.exports)
    out = ctx.exports if out is None else out
    data = journeys.read(ctx.path)
    job = Job(ctx, data, comparison_model.build(data))
    with files.OutputFolder(out, "exports", strict=not default) as output:
        for exporter in EXPORTERS:
            if not exporter.needs_texts or job.texts is not None:
                exporter.write(job, output.staging)
        output.swap()
    return sorted(p for p in out.rglob("*") if p.is_file() and p.name != files.MARKER)
