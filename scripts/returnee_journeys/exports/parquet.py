"""Parquet export: one file per resource, Arrow types from the Table Schema, descriptions kept
as column metadata (nullable integers stay integers, booleans stay booleans)."""
from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ..model import journeys



def arrow_schema(descriptor, resource: dict) -> pa.Schema:
    fields = [pa.field(f["name"], pa.type_for_alias(descriptor.dtype(f, "arrow")), nullable=not f.get("constraints", {}).get("required"),
                       metadata={"title": f["title"], "description": f["description"]})
              for f in resource["schema"]["fields"]]
    return pa.schema(fields, metadata={"name": resource["name"], "title": resource.get("title", resource["name"]),
                                       "description": resource.get("description", ""),
                                       "primaryKey": ",".join(resource["schema"]["primaryKey"])})


def write(data: journeys.Journeys, resource: dict, path: Path) -> None:
    schema = arrow_schema(data.descriptor, resource)
    frame = data.table(resource["name"])[schema.names]
    table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
    pq.write_table(table, path)
