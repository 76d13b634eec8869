"""SQLite export: one table per resource with SQL types, primary and foreign keys from the
descriptor; helper tables and views researchers would otherwise write; Datasette metadata."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
import sqlite_utils

from . import sequences as export_sequences
from ..model import journeys



def _records(frame: pd.DataFrame, fields: list[dict]) -> list[dict]:
    out = frame[[f["name"] for f in fields]].astype(object).where(frame[[f["name"] for f in fields]].notna(), None)
    for f in fields:
        if f["type"] == "boolean":
            out[f["name"]] = out[f["name"]].map(lambda v: None if v is None else int(v))
        elif f["type"] == "date":
            out[f["name"]] = out[f["name"]].map(lambda v: None if v is None else v.strftime("%Y-%m-%d"))
    return out.to_dict("records")


def _bounds(data: journeys.Journeys) -> pd.DataFrame:
    """Per stage: the EDTF bounds of start and end, the chain's windows and their month indexes."""
    stages = data.table("stages")
    windows = data.windows().set_index("stage_id")
    out = pd.DataFrame({"stage_id": stages["stage_id"]})
    for column in ("start_lower", "start_upper", "end_lower", "end_upper"):
        out[column] = stages[column].dt.strftime("%Y-%m-%d")
    zero = export_sequences.origin_month(data) - 1
    for column in ("start_min", "start_max", "end_min", "end_max"):
        values = stages["stage_id"].map(windows[column])
        out[column] = values.dt.strftime("%Y-%m-%d")
        out[f"{column}_month"] = journeys.month(values) - zero
    return out


def _labels(data: journeys.Journeys) -> list[dict]:
    labels = data.descriptor.field("codings", "valence")["labels"]
    return [{"lee_category": c, "valence": v or None, "label": label}
            for c, by in labels.items() for v, label in by.items()]


VIEWS = {
    "stages_dated": """
        SELECT s.*, b.start_lower, b.start_upper, b.end_lower, b.end_upper,
               b.start_min, b.start_max, b.end_min, b.end_max,
               b.start_min_month, b.start_max_month, b.end_min_month, b.end_max_month
        FROM stages s JOIN stage_bounds b USING (stage_id)""",
    "codings_labelled": """
        SELECT c.coding_id, p.person_id, p.name_in_source, s.stage_id, s.seq, s.stage_type, s.location_id,
               c.factor_id, f.label AS factor_label, f.domain, c.lee_category, c.valence, l.label AS lee_label,
               c.certainty, c.quote, c.notes
        FROM codings c
        JOIN stages s USING (stage_id)
        JOIN persons p ON p.person_id = s.person_id
        JOIN factors f USING (factor_id)
        LEFT JOIN lee_labels l ON l.lee_category = c.lee_category AND l.valence IS c.valence""",
}


def in_key_order(resources: list[dict]) -> list[dict]:
    """Resources ordered so that every table comes after the tables its foreign keys point to."""
    remaining, ordered = list(resources), []
    while remaining:
        done = {r["name"] for r in ordered}
        ready = [r for r in remaining if all(fk["reference"]["resource"] in done | {r["name"]}
                                             for fk in r["schema"].get("foreignKeys", []))]
        if not ready:
            raise ValueError("the foreign keys form a cycle: " + ", ".join(r["name"] for r in remaining))
        ordered += ready
        remaining = [r for r in remaining if r not in ready]
    return ordered


def write(data: journeys.Journeys, path: Path) -> None:
    """Write the database to path (which must not exist yet)."""
    db = sqlite_utils.Database(sqlite3.connect(path))
    for resource in in_key_order(data.descriptor.resources):
        schema = resource["schema"]
        fields = schema["fields"]
        db[resource["name"]].create(
            {f["name"]: data.descriptor.dtype(f, "sqlite") for f in fields},
            pk=tuple(schema["primaryKey"]) if len(schema["primaryKey"]) > 1 else schema["primaryKey"][0],
            not_null={f["name"] for f in fields if f.get("constraints", {}).get("required")},
            foreign_keys=[(fk["fields"][0], fk["reference"]["resource"], fk["reference"]["fields"][0])
                          for fk in schema.get("foreignKeys", [])],
        )
    db.conn.execute("PRAGMA foreign_keys = ON")
    for resource in in_key_order(data.descriptor.resources):
        db[resource["name"]].insert_all(_records(data.table(resource["name"]), resource["schema"]["fields"]))
    db["stage_bounds"].insert_all(_bounds(data).astype(object).where(lambda f: f.notna(), None).to_dict("records"),
                                  pk="stage_id", foreign_keys=[("stage_id", "stages", "stage_id")])
    db["lee_labels"].insert_all(_labels(data), pk=("lee_category", "valence"))
    for name, sql in VIEWS.items():
        db.create_view(name, sql.strip())
    db.conn.commit()
    db.conn.close()


def datasette_metadata(data: journeys.Journeys, database: str) -> dict:
    package = data.descriptor.data
    tables = {r["name"]: {"title": r["title"], "description": r["description"],
                          "columns": {f["name"]: f["description"] for f in r["schema"]["fields"]}}
              for r in data.descriptor.resources}
    tables["stage_bounds"] = {"description": "Per stage: strict EDTF bounds of start and end, and the windows the "
                                             "whole journey allows (min/max), with month indexes as in the sequence "
                                             "files (1 = January of the first event's year)."}
    tables["lee_labels"] = {"description": "Lee (1966) label of each lee_category and valence: push, pull, tie, "
                                           "deterrent, obstacle, enabler, personal."}
    licence = package["licenses"][0]
    return {"title": package["title"], "description": package["description"], "license": licence["name"],
            "license_url": licence["path"], "source": "; ".join(s["title"] for s in package["sources"]),
            "databases": {database: {"tables": tables}}}


def write_metadata(data: journeys.Journeys, database: str, path: Path) -> None:
    path.write_text(json.dumps(datasette_metadata(data, database), indent=2, ensure_ascii=False) + "\n",
                    encoding="utf-8")
