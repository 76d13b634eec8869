"""SQLite export: one table per resource with SQL types, primary and foreign keys from the
descriptor; helper tables and views researchers would otherwise write; Datasette metadata."""
from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pandas as pd
import sqlite_utils

from ..model import agreement as agreement_model
from ..model import comparison as comparison_model
from ..model import journeys
from ..model import rowids
from .exporter import TEMPLATES, Exporter, Job


def _records(frame: pd.DataFrame, fields: list[dict]) -> list[dict]:
    """The rows as SQLite takes them: booleans as 0 and 1, dates as ISO text."""
    return _nullable(frame[[f["name"] for f in fields]].assign(
        **{f["name"]: frame[f["name"]].astype("Int64") for f in fields if f["type"] == "boolean"},
        **{f["name"]: frame[f["name"]].dt.strftime("%Y-%m-%d") for f in fields if f["type"] == "date"}))


def _bounds(data: journeys.Journeys) -> pd.DataFrame:
    """Per stage: the EDTF bounds of start and end, the chain's windows and their month indexes."""
    stages = data.table("stages")
    windows = data.windows().set_index("stage_id")
    out = pd.DataFrame({"stage_id": stages["stage_id"]})
    for column in ("start_lower", "start_upper", "end_lower", "end_upper"):
        out[column] = stages[column].dt.strftime("%Y-%m-%d")
    zero = journeys.origin_month(data) - 1
    for column in ("start_min", "start_max", "end_min", "end_max"):
        values = stages["stage_id"].map(windows[column])
        out[column] = values.dt.strftime("%Y-%m-%d")
        out[f"{column}_month"] = journeys.month(values) - zero
    return out


def _row_ids(data: journeys.Journeys) -> list[dict]:
    """Every row of every resource by its row id (`rowids`), with its rowid in its own table: the
    ledger's `rows` and the `row_id` of discrepancies and readings join to any table through it."""
    out = []
    for resource in data.descriptor.resources:
        name = resource["name"]
        ids = rowids.ids(data.descriptor.primary_key(name), data.table(name))
        out += [{"resource": name, "row_id": row_id, "table_rowid": number}
                for number, row_id in enumerate(ids, start=1)]
    return out


def _labels(data: journeys.Journeys) -> list[dict]:
    labels = data.descriptor.field("codings", "valence")["labels"]
    return [{"lee_category": c, "valence": v or None, "label": label}
            for c, by in labels.items() for v, label in by.items()]


VIEWS = dict(re.findall(r"^-- view: (\w+)\n(.*?)\n(?=\n|\Z)", (TEMPLATES / "views.sql").read_text(encoding="utf-8"),
                       re.M | re.S))
# titles and descriptions of the tables and views the descriptor does not have, and of their own columns
METADATA = json.loads((TEMPLATES / "datasette.json").read_text(encoding="utf-8"))
DERIVED_COLUMNS = METADATA["derived_columns"]


def _first(fields: str | list[str]) -> str:
    return fields if isinstance(fields, str) else fields[0]


def in_key_order(resources: list[dict]) -> list[dict]:
    """Resources ordered so that every table comes after the tables its foreign keys point to;
    tables whose keys form a cycle (which the Table Schema allows) follow in the descriptor's order."""
    remaining, ordered = list(resources), []
    while remaining:
        done = {r["name"] for r in ordered}
        ready = [r for r in remaining if all((fk["reference"].get("resource") or r["name"]) in done | {r["name"]}
                                             for fk in r["schema"].get("foreignKeys", []))]
        ordered += ready or remaining
        remaining = [r for r in remaining if r not in ordered]
    return ordered


def _nullable(frame: pd.DataFrame) -> list[dict]:
    """The rows as dicts of Python values, a missing value None (one mask: `where` on objects is slow);
    an empty text (the comparison's empty cells) is missing too, as the CSV tables read."""
    values = frame.astype(object).to_numpy(copy=True)
    values[frame.isna().to_numpy()] = None
    values[values == ""] = None
    return [dict(zip(frame.columns, row)) for row in values.tolist()]


def write(data: journeys.Journeys, path: Path, result: comparison_model.Comparison | None = None) -> None:
    """Write the database to path (which must not exist yet)."""
    result = comparison_model.build(data) if result is None else result
    db = sqlite_utils.Database(sqlite3.connect(path))
    # a new file, removed on failure: no need to wait for the disk after each of its hundred transactions
    db.conn.execute("PRAGMA synchronous = OFF")
    db.conn.execute("PRAGMA journal_mode = MEMORY")
    created = set()
    for resource in in_key_order(data.descriptor.resources):
        schema = resource["schema"]
        fields = schema["fields"]
        created.add(resource["name"])
        # a key that closes a cycle of keys points at a table not made yet: SQLite cannot declare it
        # (the validator has checked it); every other key is declared
        keys = [(_first(fk["fields"]), fk["reference"].get("resource") or resource["name"],
                 _first(fk["reference"]["fields"])) for fk in schema.get("foreignKeys", [])]
        db[resource["name"]].create(
            {f["name"]: data.descriptor.dtype(f, "sqlite") for f in fields},
            pk=tuple(schema["primaryKey"]) if len(schema["primaryKey"]) > 1 else schema["primaryKey"][0],
            not_null={f["name"] for f in fields if f.get("constraints", {}).get("required")},
            foreign_keys=[key for key in keys if key[1] in created],
        )
    # rows go in with the keys unenforced (a key cycle, or a row pointing at a later row of its own
    # table, has no order that satisfies them row by row), then every key is checked at once
    db.conn.execute("PRAGMA foreign_keys = OFF")
    for resource in in_key_order(data.descriptor.resources):
        db[resource["name"]].insert_all(_records(data.table(resource["name"]), resource["schema"]["fields"]))
    broken = db.conn.execute("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise ValueError(f"the SQLite export breaks a foreign key: {broken[0]}")
    db.conn.execute("PRAGMA foreign_keys = ON")
    db["stage_bounds"].insert_all(_nullable(_bounds(data)), pk="stage_id", foreign_keys=[("stage_id", "stages", "stage_id")])
    db["lee_labels"].insert_all(_labels(data), pk=("lee_category", "valence"))
    db["row_ids"].create({"resource": str, "row_id": str, "table_rowid": int}, pk=("resource", "row_id"))
    db["row_ids"].insert_all(_row_ids(data))
    person_key = [("person_id", "persons", data.descriptor.primary_key("persons")[0])]
    rows = result.rows.assign(duration_disagrees=result.rows["duration_disagrees"].astype("Int64"))
    db["comparison_table"].insert_all(_nullable(rows), pk="person_id", foreign_keys=person_key)
    db["comparison_cells"].insert_all(_nullable(result.cells), foreign_keys=person_key)
    figures = agreement_model.frame(agreement_model.of_package(data.tables))
    db["agreement"].create({"round": int, "coder_a": str, "coder_b": str, "variable": str, "units": int,
                            "agreement": float, "alpha": float, "low": float, "high": float, "reading": str},
                           pk=("round", "variable"), foreign_keys=[("round", "reliability_rounds", "round")])
    db["agreement"].insert_all(_nullable(figures))
    for name, sql in VIEWS.items():
        db.create_view(name, sql.strip())
    db.conn.commit()
    db.conn.close()


# Datasette shows a foreign key by the label column of the table it points to: the first of these.
LABEL_COLUMNS = ("label", "name", "name_in_source", "outlet")


# Datasette prints a column's unit through Pint's short form, which for these reads as something else
# (a year is "a", for annum: an age of 33 shows as "33 a"). Such a unit is not given to Datasette; the
# column's description names it instead.
PINT_MISREAD = {"year": "a"}


def _described(title: str, description: str, columns: dict, label_column: str | None = None,
               units: dict | None = None) -> dict:
    return {"title": title, "description": description, "columns": columns,
            **({"label_column": label_column} if label_column else {}), **({"units": units} if units else {})}


def datasette_metadata(data: journeys.Journeys, database: str) -> dict:
    """Titles, descriptions, columns, label columns and units of every table and view, for Datasette."""
    package = data.descriptor.data
    described = {}  # column name → description, from the descriptor, for the views' columns
    for resource in data.descriptor.resources:
        for f in resource["schema"]["fields"]:
            described.setdefault(f["name"], f["description"])
    tables = {}
    for r in data.descriptor.resources:
        fields = r["schema"]["fields"]
        tables[r["name"]] = _described(
            r.get("title", r["name"]), r.get("description", ""),
            {f["name"]: f["description"] + (f" Unit: {f['unit']}." if f.get("unit") in PINT_MISREAD else "")
             for f in fields},
            next((c for c in LABEL_COLUMNS if c in [f["name"] for f in fields]), None),
            {f["name"]: f["unit"] for f in fields if f.get("unit") and f["unit"] not in PINT_MISREAD})
    bounds = {c: text for c, text in DERIVED_COLUMNS.items() if c.startswith(("start_", "end_"))}
    comparison_columns = {c: comparison_model.DESCRIPTIONS[c] for c in comparison_model.COLUMNS}
    columns = {
        "stage_bounds": {"stage_id": described["stage_id"], **bounds},
        "lee_labels": {"lee_category": described["lee_category"], "valence": described["valence"],
                       "label": DERIVED_COLUMNS["label"]},
        "stages_dated": {**{f["name"]: f["description"] for f in data.descriptor.fields("stages")}, **bounds},
        "codings_labelled": {c: DERIVED_COLUMNS.get(c) or described[c] for c in _view_columns("codings_labelled")},
        "comparison_table": comparison_columns,
        "comparison_cells": dict(comparison_model.CELL_COLUMNS),
        "agreement": dict(agreement_model.COLUMNS),
        "comparison": {c: comparison_columns["outlet" if c == "source" else c] for c in _view_columns("comparison")}}
    labels = ", ".join(dict.fromkeys(data.descriptor.lee_labels().values()))
    for name, about in METADATA["tables"].items():
        tables[name] = _described(about["title"], about["description"].replace("{labels}", labels),
                                  about.get("columns") or columns[name], about.get("label_column"), about.get("units"))
    licence = package["licenses"][0]
    return {"title": package["title"], "description": data.descriptor.about, "license": licence["name"],
            "license_url": licence["path"],
            "source": "; ".join(s["title"] for s in package.get("sources", []) if isinstance(s, dict) and s.get("title")),
            "databases": {database: {"tables": tables}}}


def _view_columns(view: str) -> list[str]:
    """The column names a view's SELECT list gives (aliases where it has them)."""
    select = VIEWS[view].split("SELECT", 1)[1].split("FROM", 1)[0]
    return [item.split(" AS ")[-1].split(".")[-1].strip().strip('"') for item in select.split(",")]


def _export(job: Job, folder: Path) -> list[Path]:
    written = [folder / f"{job.name}.sqlite", folder / "metadata.json"]
    write(job.data, written[0], job.glance)
    written[1].write_text(json.dumps(datasette_metadata(job.data, job.name), indent=2, ensure_ascii=False) + "\n",
                          encoding="utf-8")
    return written


EXPORTER = Exporter("sqlite", _export)
