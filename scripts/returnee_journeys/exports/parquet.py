"""Parquet export: one file per resource, Arrow types from the Table Schema, descriptions kept
as column metadata (nullable integers stay integers, booleans stay booleans). A coded field (with
`categories`) is dictionary-encoded over every code in the descriptor's order, its labels in the
column metadata (`labels`, JSON code → label): pandas reads it as a Categorical, R's arrow as a
factor, DuckDB and polars as an enum-like dictionary column."""
from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..model import journeys
from ..model import labels as coded
from ..model import names
from .exporter import Exporter, Job


def arrow_schema(descriptor, resource: dict) -> pa.Schema:
    by_field = coded.coded_fields(descriptor, resource["name"])
    fields = []
    for f in resource["schema"]["fields"]:
        metadata = {"title": f["title"], "description": f["description"]}
        kind = pa.type_for_alias(descriptor.dtype(f, "arrow"))
        if f["name"] in by_field:
            metadata["labels"] = json.dumps(by_field[f["name"]], ensure_ascii=False)
            kind = pa.dictionary(pa.int16(), pa.string(), ordered=coded.ordered(descriptor, resource["name"], f["name"]))
        fields.append(pa.field(f["name"], kind, nullable=not f.get("constraints", {}).get("required"), metadata=metadata))
    return pa.schema(fields, metadata={"name": resource["name"], "title": resource.get("title", resource["name"]),
                                       "description": resource.get("description", ""),
                                       "primaryKey": ",".join(resource["schema"]["primaryKey"])})


def write(data: journeys.Journeys, resource: dict, path: Path) -> None:
    schema = arrow_schema(data.descriptor, resource)
    frame = coded.categorical(data.descriptor, resource["name"], data.table(resource["name"])[schema.names])
    frame.attrs = {}  # the labels travel in the column metadata, not as pandas attributes
    table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    pq.write_table(table, path)


def _export(job: Job, folder: Path) -> list[Path]:
    (folder / "parquet").mkdir()
    paths = [folder / "parquet" / f"{names.checked(r['name'])}.parquet" for r in job.data.descriptor.resources]
    for resource, path in zip(job.data.descriptor.resources, paths):
        write(job.data, resource, path)
    return paths


EXPORTER = Exporter("parquet", _export)
