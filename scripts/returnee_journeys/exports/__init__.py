"""Every export into the package's dist/exports/ (`make exports`): the `Exporter`s of `EXPORTERS`, in
order, built in a folder beside the target and swapped in whole (`files.OutputFolder`); one that
needs the source texts is skipped when any is missing. No exporter imports another."""
from __future__ import annotations

import importlib
import os
import sqlite3
from pathlib import Path

from ..model import comparison as comparison_model, files, journeys
from .exporter import Exporter, Job

# the modules of EXPORTERS, in order, imported when first asked for: `qdpx` and `release` need only their own
MODULES = ("sqlite", "parquet", "excel", "sequences", "qdpx", "taguette", "web_annotations", "comparison")


def __getattr__(name: str) -> tuple[Exporter, ...]:
    if name != "EXPORTERS":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return tuple(importlib.import_module(f".{module}", __name__).EXPORTER for module in MODULES)


def write_all(ctx, out: Path | None = None) -> list[Path]:
    """Every export of the package of `ctx` (a Context) into `out` (default: the package's
    dist/exports/). A folder named with --out must be new, empty or written by `exports` before."""
    default = out is None or files.same_path(out, ctx.exports)
    out = ctx.exports if out is None else out
    try:
        os.path.abspath(out).encode("utf-8")
    except UnicodeEncodeError:  # a name saved in another encoding: Arrow takes paths as UTF-8 only
        raise files.RefusedOutput(f"{out}: the path is not UTF-8 text, which the Parquet writer needs; name another "
                                  "folder") from None
    data = journeys.read(ctx.path)
    job = Job(ctx, data, comparison_model.build(data))
    with files.OutputFolder(out, "exports", strict=not default) as output:
        for exporter in __getattr__("EXPORTERS"):
            if not exporter.needs_texts or job.texts is not None:
                try:
                    exporter.write(job, output.staging)
                except OSError as error:  # a full disk: Arrow's words name no file
                    error.filename = error.filename or str(out)
                    raise
                except sqlite3.Error as error:  # a full disk, in SQLite's words
                    raise OSError(None, f"the {exporter.name} export could not be written ({error})", str(out)) from None
        output.swap()
    return sorted(p for p in out.rglob("*") if p.is_file() and p.name != files.MARKER)
