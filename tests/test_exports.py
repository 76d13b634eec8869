"""Exports lose nothing: each reads back to exactly the values of the CSV tables."""
from __future__ import annotations

import datetime
import json
import sqlite3

import numpy as np
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

from returnee_journeys.exports import excel as export_excel
from returnee_journeys import exports
from returnee_journeys.model import journeys


@pytest.fixture(scope="module")
def data():
    return journeys.read()


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports") / "exports"
    exports.write_all(folder)
    return folder


def python_values(frame: pd.DataFrame) -> list[tuple]:
    """Rows as plain Python values, missing as None: the common ground of every format."""
    objects = frame.astype(object).where(frame.notna(), None)
    return [tuple(_plain(v) for v in row) for row in objects.itertuples(index=False)]


def _plain(value):
    """numpy scalars as Python values, dates as datetime.date (as Parquet's date32 reads back)."""
    if isinstance(value, pd.Timestamp):
        return value.date()
    return value.item() if isinstance(value, np.generic) else value


def fields(data, name):
    return [f["name"] for f in data.descriptor.fields(name)]


def test_sqlite_tables_hold_exactly_the_csv_values(data, out):
    db = sqlite3.connect(out / "russian-returnee-journeys.sqlite")
    for resource in data.descriptor.resources:
        name = resource["name"]
        names = fields(data, name)
        rows = db.execute(f'SELECT {", ".join(chr(34) + n + chr(34) for n in names)} FROM "{name}"').fetchall()
        booleans = [i for i, f in enumerate(resource["schema"]["fields"]) if f["type"] == "boolean"]
        dates = [i for i, f in enumerate(resource["schema"]["fields"]) if f["type"] == "date"]
        rows = [tuple(bool(v) if i in booleans and v is not None else
                      datetime.date.fromisoformat(v) if i in dates and v is not None else v for i, v in enumerate(r))
                for r in rows]
        assert sorted(rows, key=repr) == sorted(python_values(data.table(name)[names]), key=repr), name


def test_sqlite_keys_are_declared_and_hold(data, out):
    db = sqlite3.connect(out / "russian-returnee-journeys.sqlite")
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    for resource in data.descriptor.resources:
        declared = {(r[3], r[2]) for r in db.execute(f'PRAGMA foreign_key_list("{resource["name"]}")')}
        expected = {(fk["fields"][0], fk["reference"]["resource"]) for fk in resource["schema"].get("foreignKeys", [])}
        assert declared == expected, resource["name"]
        pk = [r[1] for r in sorted(db.execute(f'PRAGMA table_info("{resource["name"]}")'), key=lambda r: r[5]) if r[5]]
        assert pk == resource["schema"]["primaryKey"]


def test_sqlite_views_label_codings_and_date_stages(data, out):
    db = sqlite3.connect(out / "russian-returnee-journeys.sqlite")
    labelled = dict(db.execute("SELECT coding_id, lee_label FROM codings_labelled").fetchall())
    codings = data.table("codings")
    expected = data.lee_label(codings["lee_category"], codings["valence"])
    assert labelled == dict(zip(codings["coding_id"], expected))
    assert len(db.execute("SELECT * FROM stages_dated").fetchall()) == len(data.table("stages"))


def test_datasette_metadata_documents_every_column(data, out):
    metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    tables = metadata["databases"]["russian-returnee-journeys"]["tables"]
    assert metadata["license"] == "CC-BY-4.0"
    for resource in data.descriptor.resources:
        assert set(tables[resource["name"]]["columns"]) == set(fields(data, resource["name"]))


def test_parquet_keeps_types_values_and_descriptions(data, out):
    for resource in data.descriptor.resources:
        table = pq.read_table(out / "parquet" / f"{resource['name']}.parquet")
        for spec in resource["schema"]["fields"]:
            arrow = table.schema.field(spec["name"])
            assert str(arrow.type) == {"string": "string", "integer": "int64", "number": "double",
                                       "boolean": "bool", "date": "date32[day]"}[spec["type"]]
            assert arrow.metadata[b"description"].decode() == spec["description"]
        assert python_values(table.to_pandas()) == python_values(data.table(resource["name"])[table.schema.names])


def test_excel_sheets_hold_the_csv_values_after_a_readme(data, out):
    book = openpyxl.load_workbook(out / "russian-returnee-journeys.xlsx")
    assert book.sheetnames == ["README"] + [r["name"] for r in data.descriptor.resources]
    for resource in data.descriptor.resources:
        rows = list(book[resource["name"]].iter_rows(values_only=True))
        names = fields(data, resource["name"])
        assert list(rows[0]) == names
        cells = [tuple(v.date() if isinstance(v, datetime.datetime) else v for v in r) for r in rows[1:]]
        assert cells == python_values(data.table(resource["name"])[names])


def test_excel_keeps_formula_like_text_as_text(tmp_path):
    # (a carriage return cannot reach a sheet: the loader refuses CR anywhere in a CSV file)
    hostile = ["=HYPERLINK(\"http://example.org\",\"x\")", "+1+2", "-3", "@SUM(A1)", "\tcmd", "plain"]
    book = openpyxl.Workbook()
    for row, value in enumerate(hostile, start=1):
        export_excel.put(book.active, row, 1, value)
    book.save(tmp_path / "h.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "h.xlsx").active
    cells = [sheet.cell(row=i, column=1) for i in range(1, len(hostile) + 1)]
    assert [c.value for c in cells] == hostile
    assert all(c.data_type == "s" for c in cells)
    assert [c.quotePrefix for c in cells] == [True] * 5 + [False]


def test_spell_and_sts_tables_agree_with_each_other_and_the_stages(data, out):
    spells = pd.read_csv(out / "sequences" / "spells-place.csv")
    sts = pd.read_csv(out / "sequences" / "sts-place.csv").set_index("id")
    from_spells = {(r.id, m): r.state for r in spells.itertuples() for m in range(r.begin, r.end + 1)}
    from_sts = {(p, int(c)): v for p, row in sts.iterrows() for c, v in row.items() if isinstance(v, str)}
    assert from_spells == from_sts
    months = pd.read_csv(out / "sequences" / "months.csv").set_index("month")["calendar_month"]
    windows = data.windows()
    for spell in spells[spells["state"] != journeys.UNCERTAIN].itertuples():
        first = pd.Timestamp(months[spell.begin] + "-01")
        last = pd.Timestamp(months[spell.end] + "-01") + pd.offsets.MonthEnd(0)
        stays = windows[(windows["person_id"] == spell.id) & (windows["place"] == spell.state)]
        covering = stays[(stays["start_min"].isna() | (stays["start_min"] <= last)) & (stays["end_max"] >= first)]
        assert not covering.empty, spell
