"""Exports lose nothing: each reads back to exactly the values of the CSV tables; other tools
(DuckDB, Datasette, spreadsheets, LaTeX) read them as they are. On a synthetic package (two home
countries, open returns of texts with no date, undated stays, transit legs), never the real rows."""
from __future__ import annotations

import copy
import datetime
import json
import pathlib
import re
import sqlite3
import stat
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

import built
from returnee_journeys.exports import excel as export_excel
from returnee_journeys.exports import sequences as export_sequences
from returnee_journeys.exports import sqlite as export_sqlite
from returnee_journeys.model import comparison
from returnee_journeys.model import journeys

pytestmark = pytest.mark.xdist_group("built")  # one worker builds tests/built.py

DATABASE = "russian-returnee-journeys"


@pytest.fixture(scope="module")
def data():
    return journeys.read(built.synthetic_package())


@pytest.fixture(scope="module")
def out():
    return built.synthetic_exports()


@pytest.fixture(scope="module")
def glance(data):
    return comparison.build(data)


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
            expected = {"string": "string", "integer": "int64", "number": "double",
                        "boolean": "bool", "date": "date32[day]"}[spec["type"]]
            if "categories" in spec:  # coded: a dictionary over every code, labels in the metadata
                expected = "dictionary<values=string, indices=int16, ordered=0>"
                labels = {c["value"]: c["label"] for c in spec["categories"]}
                assert json.loads(arrow.metadata[b"labels"]) == labels
                if table.num_rows:  # an empty column has no dictionary to hold the codes
                    assert list(table.column(spec["name"]).combine_chunks().dictionary.to_pylist()) == list(labels)
            assert str(arrow.type) == expected, spec["name"]
            assert arrow.metadata[b"description"].decode() == spec["description"]
        assert python_values(table.to_pandas()) == python_values(data.table(resource["name"])[table.schema.names])


def test_excel_sheets_hold_the_csv_values_after_a_readme(data, out):
    book = openpyxl.load_workbook(out / "russian-returnee-journeys.xlsx")
    assert book.sheetnames == ["README"] + [r["name"] for r in data.descriptor.resources] + ["comparison", "labels"]
    for resource in data.descriptor.resources:
        rows = list(book[resource["name"]].iter_rows(values_only=True))
        names = fields(data, resource["name"])
        assert list(rows[0]) == names
        cells = [tuple(v.date() if isinstance(v, datetime.datetime) else v for v in r) for r in rows[1:]]
        assert cells == python_values(data.table(resource["name"])[names])


def test_excel_shows_date_fields_as_dates_not_date_times(data, out):
    book = openpyxl.load_workbook(out / "russian-returnee-journeys.xlsx")
    checked = 0
    sheets = [(r["name"], [f["name"] for f in r["schema"]["fields"] if f["type"] == "date"])
              for r in data.descriptor.resources] + [("comparison", list(comparison.DATE_COLUMNS))]
    for sheet_name, dates in sheets:
        sheet = book[sheet_name]
        header = [c.value for c in sheet[1]]
        for name in dates:
            for cell in list(sheet.iter_cols(min_col=header.index(name) + 1, max_col=header.index(name) + 1,
                                             min_row=2))[0]:
                if cell.value is not None:
                    assert cell.is_date and cell.number_format == "yyyy-mm-dd", (sheet_name, name, cell.number_format)
                    checked += 1
    assert checked > len(data.table("persons")), "the synthetic package has dates in copies and the comparison"


def test_excel_labels_sheet_and_drop_down_lists_cover_every_coded_field(data, out):
    book = openpyxl.load_workbook(out / "russian-returnee-journeys.xlsx")
    rows = list(book["labels"].iter_rows(values_only=True))
    assert rows[0] == ("resource", "field", "code", "label")
    expected = [(r["name"], f["name"], c["value"], c["label"]) for r in data.descriptor.resources
                for f in r["schema"]["fields"] for c in f.get("categories", [])]
    assert rows[1:] == expected and expected
    for resource in data.descriptor.resources:
        names = fields(data, resource["name"])
        lists = {str(v.sqref).split(":")[0].rstrip("0123456789"): v.formula1
                 for v in book[resource["name"]].data_validations.dataValidation}
        coded = [f["name"] for f in resource["schema"]["fields"] if "categories" in f]
        assert sorted(lists) == sorted(openpyxl.utils.get_column_letter(names.index(f) + 1) for f in coded)
        for field in coded:
            formula = lists[openpyxl.utils.get_column_letter(names.index(field) + 1)]
            first, last = (int(part.split("$")[-1]) for part in formula.split("!")[1].split(":"))
            assert [r[2] for r in rows[first - 1:last]] == [c["value"] for c in data.descriptor.field(
                resource["name"], field)["categories"]]


def test_excel_sheets_of_a_teams_own_tables_keep_the_drop_downs_and_what_excel_reads(package_copy, tmp_path):
    """A team's own tables (the profile lets more resources follow): one named `labels` took the codes
    sheet's name, so every drop-down list offered the team's rows, not the codes; one with a name of 40
    letters made a sheet name Excel refuses (at most 31 characters, unique whatever the case)."""
    from mutations import edit_descriptor
    from returnee_journeys.context import Context
    from returnee_journeys.exports import excel

    long_name = "interviews_with_returnees_recorded_2023"
    for name in ("labels", long_name):
        (package_copy / "data" / f"{name}.csv").write_text("note_id,text\nn1,a note\n", encoding="utf-8")

    def add(d):
        for name in ("labels", long_name):
            own = copy.deepcopy(next(r for r in d["resources"] if r["name"] == "events"))
            own.update(name=name, path=f"data/{name}.csv", title=name)
            own["schema"] = {"fields": [{"name": "note_id", "title": "Note", "type": "string", "description": "id",
                                         "constraints": {"required": True}},
                                        {"name": "text", "title": "Text", "type": "string", "description": "text"}],
                             "primaryKey": ["note_id"], "missingValues": [""]}
            d["resources"].append(own)
    edit_descriptor(package_copy, add)
    ctx = Context.open(package_copy)
    data = journeys.read(ctx.path)
    path = excel.write(data, ctx.citation, tmp_path / "book.xlsx", comparison.build(data))
    book = openpyxl.load_workbook(path)
    titles = book.sheetnames
    assert all(len(t) <= 31 for t in titles) and len({t.lower() for t in titles}) == len(titles)
    assert [c.value for c in book["labels"][1]] == ["note_id", "text"]  # the team's table keeps its name
    codes = next(t for t in titles if t != "labels" and [c.value for c in book[t][1]] == ["resource", "field", "code", "label"])
    lists = [v.formula1 for t in titles for v in book[t].data_validations.dataValidation]
    assert lists and all(f.split("!")[0].strip("'") == codes for f in lists)


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
        stays = windows[(windows["person_id"] == spell.id) & (windows["place"].map(export_sequences.state_code) == spell.state)]
        # a stay with no upper end (an open return whose text has no date) is carried on, censored
        covering = stays[(stays["start_min"].isna() | (stays["start_min"] <= last))
                         & (stays["end_max"].isna() | (stays["end_max"] >= first))]
        assert not covering.empty, spell
    assert (spells["censor"] == 2).any()  # the package has such an open return: the case is exercised


def sqlite_objects(path) -> dict[str, str]:
    db = sqlite3.connect(path)
    return dict(db.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')").fetchall())


def test_exports_are_world_readable_whatever_the_umask(out):
    # built.synthetic_exports() writes them under umask 077
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    paths = list(out.rglob("*"))
    assert paths
    for path in paths:
        assert stat.S_IMODE(path.stat().st_mode) == (0o755 if path.is_dir() else 0o644), path


def test_duckdb_lists_and_queries_every_table_and_view(out, tmp_path):
    duckdb = pytest.importorskip("duckdb")
    extension_package = pytest.importorskip("duckdb_extension_sqlite")
    extension = next(pathlib.Path(extension_package.__file__).parent.glob("extensions/*/sqlite.duckdb_extension"))
    con = duckdb.connect(config={"extension_directory": str(tmp_path), "autoinstall_known_extensions": False})
    con.install_extension(str(extension))
    con.load_extension("sqlite")
    path = out / f"{DATABASE}.sqlite"
    con.execute(f"ATTACH '{path}' AS j (TYPE sqlite, READ_ONLY)")
    con.execute("SHOW ALL TABLES").fetchall()  # failed on SQLite-only SQL in a view
    listed = dict(con.execute("SELECT table_name, table_type FROM information_schema.tables "
                              "WHERE table_catalog = 'j'").fetchall())
    objects = sqlite_objects(path)
    assert set(listed) == set(objects)
    assert {n for n, kind in listed.items() if kind == "VIEW"} == {n for n, kind in objects.items() if kind == "view"}
    assert {"stages_dated", "codings_labelled", "comparison"} <= set(listed)
    db = sqlite3.connect(path)
    for name in objects:
        rows = con.execute(f'SELECT * FROM j."{name}"').fetchall()
        expected = db.execute(f'SELECT * FROM "{name}"').fetchall()
        assert len(rows) == len(expected), name
        assert sorted(map(repr, rows)) == sorted(map(repr, expected)), name


def test_views_use_only_portable_sql():
    for name, sql in export_sqlite.VIEWS.items():
        assert not re.search(r"\bIS\s+(?!NULL\b)(?!NOT\s+NULL\b)[a-z]", sql, re.I), name
        assert "USING" not in sql.upper(), name


def test_datasette_metadata_describes_every_table_view_and_column(data, out):
    metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    tables = metadata["databases"][DATABASE]["tables"]
    db = sqlite3.connect(out / f"{DATABASE}.sqlite")
    for name in sqlite_objects(out / f"{DATABASE}.sqlite"):
        assert tables[name].get("description"), name
        columns = [r[1] for r in db.execute(f'PRAGMA table_info("{name}")')]
        assert set(tables[name]["columns"]) == set(columns), name
        assert all(tables[name]["columns"].values()), name
        if "label_column" in tables[name]:
            assert tables[name]["label_column"] in columns, name
        assert set(tables[name].get("units", {})) <= set(columns), name
    assert tables["persons"]["label_column"] == "name_in_source"
    assert tables["factors"]["label_column"] == "label"
    units = {(r["name"], f["name"]): f["unit"] for r in data.descriptor.resources for f in r["schema"]["fields"]
             if f.get("unit")}
    shown = {key: unit for key, unit in units.items() if unit not in export_sqlite.PINT_MISREAD}
    assert shown and all(tables[r]["units"][f] == u for (r, f), u in shown.items())
    # a unit Pint would print as something else ("33 a" for 33 years) is named in the description instead
    misread = {key: unit for key, unit in units.items() if unit in export_sqlite.PINT_MISREAD}
    assert misread, "the descriptor has a field in years"
    for (r, f), unit in misread.items():
        assert f not in tables[r].get("units", {}) and tables[r]["columns"][f].endswith(f"Unit: {unit}.")
    labels = set(data.descriptor.lee_labels().values())
    assert all(label in tables["lee_labels"]["description"] for label in labels)


def test_excel_readme_sheet_is_plain_text(out):
    sheet = openpyxl.load_workbook(out / f"{DATABASE}.xlsx")["README"]
    header_row = next(r for r in sheet.iter_rows() if r[0].value == "resource")[0].row
    for row in sheet.iter_rows(values_only=True):
        for column, value in enumerate(row):
            if not isinstance(value, str):
                continue
            assert "`" not in value and "```" not in value, value
            regex = column == 4 and "pattern" in value  # the allowed-values column shows regular expressions
            assert regex or not re.search(r"\*\S|\S\*", value), value
    assert header_row > 5
    assert export_excel.plain("*Title* `code` **bold** ^(-[a-z]+)*$") == "Title code bold ^(-[a-z]+)*$"


def test_comparison_in_every_format_holds_the_same_rows(data, out, glance):
    csv = pd.read_csv(out / "comparison.csv", dtype=str, keep_default_na=False)
    assert list(csv.columns) == list(comparison.COLUMNS)
    assert csv["person_id"].tolist() == glance.rows["person_id"].tolist()
    assert len(csv) == len(data.table("persons"))
    cells = pd.read_csv(out / "comparison-cells.csv")
    assert set(cells["person_id"]) == set(csv["person_id"])
    db = sqlite3.connect(out / f"{DATABASE}.sqlite")
    view = db.execute("SELECT person_id, months_abroad_min, months_abroad_max FROM comparison").fetchall()
    expected = [(r.person_id, None if pd.isna(r.months_abroad_min) else int(r.months_abroad_min),
                 None if pd.isna(r.months_abroad_max) else int(r.months_abroad_max)) for r in glance.rows.itertuples()]
    assert sorted(view, key=repr) == sorted(expected, key=repr)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    sheet = list(openpyxl.load_workbook(out / f"{DATABASE}.xlsx")["comparison"].iter_rows(values_only=True))
    assert list(sheet[0]) == list(comparison.COLUMNS)
    assert [r[0] for r in sheet[1:]] == csv["person_id"].tolist()
    tex = (out / "comparison.tex").read_text(encoding="utf-8")
    assert tex.count("\\toprule") == tex.count("\\midrule") == tex.count("\\bottomrule") == 1
    body = tex.split("\\midrule", 1)[1].split("\\bottomrule", 1)[0].strip().splitlines()
    assert len(body) == len(glance.rows)
    assert all(line.count(" & ") == len(comparison.DISPLAY) - 1 for line in body)


def test_an_empty_comparison_cell_is_missing_in_sqlite_and_the_spreadsheet(glance, out):
    """The comparison's empty cells (no stated duration, an undated return) are NULL in SQLite and blank
    cells in the XLSX, as every other missing value is: not empty strings, which `IS NULL`, R's `is.na`
    and a spreadsheet's ISBLANK do not find."""
    empty = glance.rows.astype(object).eq("")
    assert empty.to_numpy().any()  # the synthetic package has such cells
    db = sqlite3.connect(out / f"{DATABASE}.sqlite")
    for column in empty.columns[empty.any()]:
        assert db.execute(f'SELECT count(*) FROM comparison_table WHERE "{column}" = \'\'').fetchone() == (0,), column
        nulls = db.execute(f'SELECT count(*) FROM comparison_table WHERE "{column}" IS NULL').fetchone()[0]
        assert nulls >= empty[column].sum(), column
    with zipfile.ZipFile(out / f"{DATABASE}.xlsx") as book:
        sheets = {n: book.read(n).decode("utf-8") for n in book.namelist() if n.startswith("xl/worksheets/")}
    assert not [n for n, xml in sheets.items() if re.search(r'<c [^>]*t="inlineStr"[^>]*(/>|></c>)', xml)]


def test_latex_escapes_what_latex_would_run():
    from returnee_journeys.exports import comparison as export_comparison

    assert export_comparison.latex_escape("50% & $5_x #1 {a} [b] ~^\\") == (
        r"50\% \& \$5\_x \#1 \{a\} {[}b{]} \textasciitilde{}\textasciicircum{}\textbackslash{}")


def test_each_person_returns_to_their_own_home_country(data, out):
    """Home is per person (the country of their origin): the package holds journeys from two home
    countries, it validates, and each person's sequence ends in their own home."""
    from returnee_journeys.validation.validate import validate

    assert list(validate(data.descriptor.path, None, check_quotes=False).problems) == []
    persons, locations = data.table("persons"), data.table("locations").set_index("location_id")
    home = persons.set_index("person_id")["origin_location_id"].map(locations["country_code"])
    assert set(home) == {"RU", "BY"}
    spells = pd.read_csv(out / "sequences" / "spells-place.csv")
    last = spells.groupby("id").tail(1).set_index("id")["state"]
    known = last[last != export_sequences.state_code(journeys.UNCERTAIN)]  # a return dated only to a window may end its sequence uncertain
    assert set(known) == {"RU", "BY"} and (known == home.reindex(known.index).astype(str)).all()
