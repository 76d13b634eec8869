"""Small, named edits to a copy of the package, each breaking exactly one thing."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path


def read_rows(package: Path, resource: str) -> list[list[str]]:
    text = (package / "data" / f"{resource}.csv").read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text)))


def write_rows(package: Path, resource: str, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    (package / "data" / f"{resource}.csv").write_text(buffer.getvalue(), encoding="utf-8")


def line_of(package: Path, resource: str, key: str) -> int:
    """CSV line (header = 1) of the row whose first cell is key."""
    for number, row in enumerate(read_rows(package, resource), start=1):
        if row and row[0] == key:
            return number
    raise KeyError(key)


def set_cell(package: Path, resource: str, key: str, column: str, value: str) -> int:
    rows = read_rows(package, resource)
    index = rows[0].index(column)
    line = line_of(package, resource, key)
    rows[line - 1][index] = value
    write_rows(package, resource, rows)
    return line


def drop_row(package: Path, resource: str, key: str) -> None:
    rows = [r for r in read_rows(package, resource) if not r or r[0] != key]
    write_rows(package, resource, rows)


def drop_column(package: Path, resource: str, column: str) -> None:
    rows = read_rows(package, resource)
    index = rows[0].index(column)
    write_rows(package, resource, [r[:index] + r[index + 1:] for r in rows])


def add_column(package: Path, resource: str, column: str) -> None:
    rows = read_rows(package, resource)
    write_rows(package, resource, [rows[0] + [column]] + [r + ["x"] for r in rows[1:]])


def append_row(package: Path, resource: str, cells: list[str]) -> int:
    rows = read_rows(package, resource) + [cells]
    write_rows(package, resource, rows)
    return len(rows)


def edit_descriptor(package: Path, change) -> None:
    path = package / "datapackage.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def remove_field(package: Path, resource: str, name: str) -> None:
    """The field gone from the descriptor and its column from the file."""
    def drop(data):
        table = next(r for r in data["resources"] if r["name"] == resource)
        table["schema"]["fields"] = [f for f in table["schema"]["fields"] if f["name"] != name]
    edit_descriptor(package, drop)
    drop_column(package, resource, name)


def edit_bytes(package: Path, resource: str, change) -> None:
    path = package / "data" / f"{resource}.csv"
    path.write_bytes(change(path.read_bytes()))
