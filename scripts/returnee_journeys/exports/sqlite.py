"""SQLite export: one table per resource with SQL types, primary and foreign keys from the
descriptor; helper tables and views researchers would otherwise write; Datasette metadata."""
from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pandas as pd
import sqlite_utils

from ..model import agreement as agreement_model
from ..model import comparison as comparison_model
from ..model import journeys
from ..model import rowids
from .exporter import Exporter, Job


def _records(frame: pd.DataFrame, fields: list[dict]) -> list[dict]:
    frame = frame[[f["name"] for f in fields]].copy()
    for f in fields:
        if f["type"] == "boolean":
            frame[f["name"]] = frame[f["name"]].astype("Int64")
        elif f["type"] == "date":
            frame[f["name"]] = frame[f["name"]].dt.strftime("%Y-%m-%d")
    return _nullable(frame)


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


# Views in portable SQL (SQLite, DuckDB, PostgreSQL): plain joins and `=`, no engine-specific operators.
VIEWS = {
    "stages_dated": """
        SELECT s.*, b.start_lower, b.start_upper, b.end_lower, b.end_upper,
               b.start_min, b.start_max, b.end_min, b.end_max,
               b.start_min_month, b.start_max_month, b.end_min_month, b.end_max_month
        FROM stages AS s JOIN stage_bounds AS b ON b.stage_id = s.stage_id""",
    "codings_labelled": """
        SELECT c.coding_id, p.person_id, p.name_in_source, s.stage_id, s.seq, s.stage_type, s.location_id,
               c.factor_id, f.label AS factor_label, f.domain, c.lee_category, c.valence, l.label AS lee_label,
               c.certainty, c.quote, c.notes
        FROM codings AS c
        JOIN stages AS s ON s.stage_id = c.stage_id
        JOIN persons AS p ON p.person_id = s.person_id
        JOIN factors AS f ON f.factor_id = c.factor_id
        LEFT JOIN lee_labels AS l ON l.lee_category = c.lee_category
             AND (l.valence = c.valence OR (l.valence IS NULL AND c.valence IS NULL))""",
    "comparison": """
        SELECT person, outlet AS source, origin, origin_basis, first_departure, first_departure_window,
               places_abroad, months_abroad_min, months_abroad_max, stated_duration, duration_disagrees,
               "return", return_window, reasons_to_leave, set_beside_leaving, reasons_to_return, set_beside_return,
               obstacles_enablers, obstacles_enablers_set_beside, discrepancies,
               person_id
        FROM comparison_table""",
}

# What the derived tables' and views' own columns mean (columns taken from a resource are described
# by the descriptor).
DERIVED_COLUMNS = {
    **{f"{edge}_{bound}": f"Strict calendar bound of the EDTF `{edge}` ({'earliest' if bound == 'lower' else 'latest'}"
                          " day it can mean), ISO date." for edge in ("start", "end") for bound in ("lower", "upper")},
    **{f"{edge}_{side}": f"{'Earliest' if side == 'min' else 'Latest'} day the stay's {edge} can fall on, given every "
                         "date of the journey together (chronology window), ISO date; empty: unbounded."
       for edge in ("start", "end") for side in ("min", "max")},
    **{f"{edge}_{side}_month": f"`{edge}_{side}` as a month number of the sequence files (1 = January of the first "
                               "event's year); empty: unbounded." for edge in ("start", "end") for side in ("min", "max")},
    "factor_label": "The factor's label (factors.label).",
    "lee_label": "Lee (1966) label of the coding's lee_category and valence (table lee_labels): push, pull, tie, "
                 "deterrent, obstacle, enabler, personal.",
    "label": "The Lee (1966) label.",
}

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
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def write(data: journeys.Journeys, path: Path, result: comparison_model.Comparison | None = None) -> None:
    """Write the database to path (which must not exist yet)."""
    result = comparison_model.build(data) if result is None else result
    db = sqlite_utils.Database(sqlite3.connect(path))
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
        label = next((c for c in LABEL_COLUMNS if c in [f["name"] for f in fields]), None)
        units = {f["name"]: f["unit"] for f in fields if f.get("unit") and f["unit"] not in PINT_MISREAD}
        tables[r["name"]] = {
            "title": r.get("title", r["name"]), "description": r.get("description", ""),
            "columns": {f["name"]: f["description"] + (f" Unit: {f['unit']}." if f.get("unit") in PINT_MISREAD else "")
                        for f in fields},
            **({"label_column": label} if label else {}), **({"units": units} if units else {})}
    stages = {f["name"]: f["description"] for f in data.descriptor.fields("stages")}
    bounds = {c: text for c, text in DERIVED_COLUMNS.items() if c.startswith(("start_", "end_"))}
    tables["stage_bounds"] = {
        "title": "Stage bounds",
        "description": "Per stage: strict EDTF bounds of start and end, and the windows the whole journey allows "
                       "(min/max), with month numbers as in the sequence files (1 = January of the first event's year).",
        "columns": {"stage_id": described["stage_id"], **bounds}}
    tables["lee_labels"] = {
        "title": "Lee labels",
        "description": "The Lee (1966) label of each lee_category and valence ("
                       + ", ".join(dict.fromkeys(data.descriptor.lee_labels().values())) + "), from "
                       "`labels` on codings.valence in datapackage.json. An empty valence is a personal factor "
                       "whose direction the text does not state.",
        "columns": {"lee_category": described["lee_category"], "valence": described["valence"],
                    "label": DERIVED_COLUMNS["label"]},
        "label_column": "label"}
    tables["row_ids"] = {
        "title": "Row ids",
        "description": "Every row of every table by its row id: its primary-key values, percent-encoded and joined "
                       "by `/` (docs/profile.md, \"Row ids\"), the form of ledger.rows (`<resource>/<row id>`) and "
                       "of the row_id of discrepancies and readings. Join a table on `rowid = table_rowid`.",
        "columns": {"resource": "The table (resource name).", "row_id": "The row's id.",
                    "table_rowid": "The row's SQLite rowid in that table (its place in the CSV file, from 1)."}}
    tables["stages_dated"] = {
        "title": "Stages, dated",
        "description": "View: every stage with the strict bounds of its EDTF dates and the chronology windows "
                       "(stages joined with stage_bounds).",
        "columns": {**stages, **bounds}}
    tables["codings_labelled"] = {
        "title": "Codings, labelled",
        "description": "View: every coding with its person, move (stage), factor label and Lee label.",
        "columns": {c: DERIVED_COLUMNS.get(c) or described[c] for c in _view_columns("codings_labelled")}}
    comparison_columns = {c: comparison_model.DESCRIPTIONS[c] for c in comparison_model.COLUMNS}
    tables["comparison_table"] = {
        "title": "Journeys at a glance (all columns)",
        "description": "One row per person, generated from the tables and the chronology windows "
                       "(docs/comparison.md): origin, first departure, places, months abroad beside the stated "
                       "durations, return, the factors named as reasons and, apart, those set beside the "
                       "move, obstacles and enablers, discrepancies.",
        "columns": comparison_columns, "label_column": "person",
        "units": {"months_abroad_min": "month", "months_abroad_max": "month"}}
    tables["comparison_cells"] = {
        "title": "Journeys at a glance: the rows behind each cell",
        "description": "For every person and column of comparison_table, the rows its value comes from.",
        "columns": dict(comparison_model.CELL_COLUMNS)}
    tables["agreement"] = {
        "title": "Inter-coder agreement",
        "description": "Krippendorff's alpha (nominal) per coded variable for each reliability round, with the units, "
                       "the observed agreement and a seeded bootstrap 95 % interval (docs/reliability.md; "
                       "`returnee-journeys agreement`).",
        "columns": dict(agreement_model.COLUMNS)}
    tables["comparison"] = {
        "title": "Journeys at a glance",
        "description": "View: the comparison table's readable columns (comparison_table has the ids and bounds).",
        "columns": {c: comparison_columns["outlet" if c == "source" else c] for c in _view_columns("comparison")},
        "units": {"months_abroad_min": "month", "months_abroad_max": "month"}}
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
