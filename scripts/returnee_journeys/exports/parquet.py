"""Parquet export: one file per resource, Arrow types from the Table Schema, descriptions kept
as column metadata (nullable integers stay integers, booleans stay booleans)."""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..model import journeys

ARROW_TYPES = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}


def arrow_schema(resource: dict) -> pa.Schema:
    fields = [pa.field(f["name"], ARROW_TYPES[f["type"]], nullable=not f.get("constraints", {}).get("required"),
                       metadata={"title": f["title"], "description": f["description"]})
              for f in resource["schema"]["fields"]]
    return pa.schema(fields, metadata={"name": resource["name"], "title": resource["title"],
                                       "description": resource["description"],
                                       "primaryKey": ",".join(resource["schema"]["primaryKey"])})


def write(data: journeys.Journeys, resource: dict, path: Path) -> None:
    schema = arrow_schema(resource)
    frame = data.table(resource["name"])[schema.names]
    table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    pq.write_table(table, path)
