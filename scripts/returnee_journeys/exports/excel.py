"""Excel export: a README sheet (title, licence, how to cite, data dictionary), then one sheet
per resource. Text a spreadsheet would run as a formula is kept as text (string cell with the
quote-prefix flag), so its value is unchanged but never evaluated. A text longer than a cell holds
(32 767 characters) is cut there with a visible mark, and the README sheet lists every such cell:
the full text is in the CSV. A last sheet, `labels`, lists every code of every coded field with
its label; each coded column of a table sheet offers its codes as a drop-down list (data
validation) over that sheet's range."""
from __future__ import annotations

import datetime
import io
import re
import zipfile
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from ..model import citation as citation_module
from ..model import comparison as comparison_model
from ..model import descriptor as descriptor_module
from ..model import journeys
from ..model import cells
from ..model import files
from ..model import labels as coded
from .exporter import Exporter


CELL_LIMIT = 32767  # characters an Excel cell holds
CUT_MARK = " … [cut: an Excel cell holds 32 767 characters; the full text is in the CSV]"


def put(sheet, row: int, column: int, value, cut: list | None = None) -> None:
    """value into the cell; a text too long for a cell is cut with CUT_MARK and noted in `cut`; a
    missing value or an empty text leaves the cell blank."""
    cell = sheet.cell(row=row, column=column)
    if (value == "") if isinstance(value, str) else (value is None or pd.isna(value)):
        return
    if isinstance(value, str) and len(value) > CELL_LIMIT:
        value = value[: CELL_LIMIT - len(CUT_MARK)] + CUT_MARK
        if cut is not None:
            cut.append(f"{sheet.title}!{cell.coordinate}")
    cell.value = value.item() if hasattr(value, "item") else value
    if isinstance(value, str):
        cell.data_type = "s"  # never a formula, whatever it starts with
        if value.startswith(cells.FORMULA_START):
            cell.quotePrefix = True


def as_dates(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """Date columns as dates, which a spreadsheet shows as yyyy-mm-dd, not as date-times at midnight."""
    return frame.assign(**{c: pd.to_datetime(frame[c]).dt.date.astype(object) for c in columns})


# *text* and **text** as Markdown reads them; a * inside a regular expression (after `)` or `]`) stays.
# The definition; `without_emphasis` does the same in linear time (the tests compare them).
EMPHASIS = re.compile(r"(?<![\w)\]*])(\*\*?)(?=[^\s*])(.+?)(?<=[^\s*])\1(?![\w*])")


def _word(c: str) -> bool:
    return c.isalnum() or c == "_"


def without_emphasis(line: str) -> str:
    """EMPHASIS.sub(r"\\2", line) in O(n log n) (the regex takes quadratic time on a line such as
    '*a *a *a …'): each opener, left to right, is paired with the nearest closer of its kind."""
    import bisect  # noqa: PLC0415

    if "*" not in line:
        return line
    n = len(line)
    closers: dict[str, list[int]] = {"*": [], "**": []}
    for q in range(1, n):
        for mark in ("**", "*"):
            end = q + len(mark)
            if line.startswith(mark, q) and line[q - 1] not in " \t\n\r\f\v*" and not line[q - 1].isspace() \
                    and (end >= n or not (_word(line[end]) or line[end] == "*")):
                closers[mark].append(q)
    out, last, p = [], 0, 0
    while p < n:
        if line[p] != "*" or (p > 0 and (_word(line[p - 1]) or line[p - 1] in ")]*")):
            p += 1
            continue
        mark = "**" if line.startswith("**", p) else "*"
        start = p + len(mark)
        if start >= n or line[start].isspace() or line[start] == "*":
            p += 1
            continue
        candidates = closers[mark]
        at = bisect.bisect_left(candidates, start + 1)
        if at == len(candidates):
            p += 1
            continue
        q = candidates[at]
        out += [line[last:p], line[start:q]]
        last = p = q + len(mark)
    return "".join(out) + line[last:]


def plain(text: str) -> str:
    """Markdown as the plain text a spreadsheet cell shows: no code fences, backticks or emphasis."""
    lines = [line for line in str(text).split("\n") if not line.strip().startswith("```")]
    return "\n".join(without_emphasis(line.replace("`", "")) for line in lines)


EPOCH = datetime.datetime(1980, 1, 1)  # a package that gives no `created`: a fixed date, so the file stays reproducible


def _created(package: dict) -> datetime.datetime:
    """The package's `created` (optional in the profile) as a naive datetime, else EPOCH."""
    try:
        return datetime.datetime.fromisoformat(str(package["created"]).replace("Z", "+00:00")).replace(tzinfo=None)
    except (KeyError, ValueError):
        return EPOCH


def _table(sheet, header: list[str], records, start: int = 1, cut: list | None = None) -> None:
    """The header (bold) at row `start`, the records below it."""
    for column, name in enumerate(header, start=1):
        put(sheet, start, column, name)
        sheet.cell(row=start, column=column).font = Font(bold=True)
    for row, record in enumerate(records, start=start + 1):
        for column, value in enumerate(record, start=1):
            put(sheet, row, column, value, cut)


def write(data: journeys.Journeys, citation: dict, path: Path, glance: comparison_model.Comparison) -> Path:
    book = Workbook()
    readme = book.active
    readme.title = "README"
    package = data.descriptor.data
    lines = [package["title"], f"Version {package['version']}", data.descriptor.about,
             f"Licence: {package['licenses'][0]['name']} ({package['licenses'][0]['path']}); quoted passages remain "
             "the publishers'.", "", "How to cite:", *plain(citation_module.how_to_cite(citation)).split("\n"),
             "Sheets: this README, one sheet per table of the data package (same names and columns as the CSV "
             "files), then comparison (journeys at a glance, one row per person).", "", "Data dictionary:"]
    for row, line in enumerate(lines, start=1):
        put(readme, row, 1, plain(line))
    readme.cell(row=1, column=1).font = Font(bold=True, size=14)
    dictionary = [[plain(v) for v in (resource["name"], field["name"], field["type"],
                                      "yes" if field.get("constraints", {}).get("required") else "no",
                                      descriptor_module.allowed_values(field), field["description"])]
                  for resource in data.descriptor.resources for field in resource["schema"]["fields"]]
    _table(readme, ["resource", "field", "type", "required", "allowed values", "description"], dictionary,
                 start=len(lines) + 1)
    cut: list[str] = []
    sheets = {}
    for resource in data.descriptor.resources:
        sheet = sheets[resource["name"]] = new_sheet(book, resource["name"])
        names = [f["name"] for f in resource["schema"]["fields"]]
        frame = as_dates(data.table(resource["name"])[names],
                         [f["name"] for f in resource["schema"]["fields"] if f["type"] == "date"])
        _table(sheet, names, frame.astype(object).itertuples(index=False), cut=cut)
        sheet.freeze_panes = "A2"
    sheet = new_sheet(book, "comparison")
    rows = as_dates(glance.rows, comparison_model.DATE_COLUMNS)
    _table(sheet, list(rows.columns), rows.astype(object).itertuples(index=False), cut=cut)
    sheet.freeze_panes = "B2"
    labels_sheet(book, data.descriptor, sheets)
    if cut:
        shown = ", ".join(cut[:50]) + (f" and {len(cut) - 50} more" if len(cut) > 50 else "")
        put(readme, len(lines) + len(dictionary) + 3, 1, f"Cut texts: {len(cut)} cell(s) hold more than an Excel cell can ({CELL_LIMIT} "
                                f"characters) and end with the mark “{CUT_MARK.strip()}”: {shown}.")
    book.properties.created = _created(package)
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(reproducible(buffer.getvalue()))
    return path


def reproducible(xlsx: bytes) -> bytes:
    """The same workbook with no trace of when it was saved: openpyxl stamps the save time into
    docProps/core.xml and every zip entry; here `modified` becomes `created` and entries 1980-01-01."""
    source = zipfile.ZipFile(io.BytesIO(xlsx))
    members = []
    for info in source.infolist():
        content = source.read(info.filename)
        if info.filename == "docProps/core.xml":
            created = re.search(rb"<dcterms:created[^>]*>([^<]*)<", content)[1]
            content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>" + created + rb"\g<2>", content)
        members.append((info.filename, content))
    return files.zip_bytes(members, sort=False)  # [Content_Types].xml stays first


LABELS_SHEET = "labels"


def new_sheet(book: Workbook, name: str):
    """A sheet named `name` as Excel takes a name: at most 31 characters and unlike every other sheet's
    whatever the case (a team's own table may be called `labels`, or something longer), else numbered."""
    title, number = name[:31], 0
    while title.lower() in {t.lower() for t in book.sheetnames}:
        number += 1
        title = name[:31 - len(str(number))] + str(number)
    return book.create_sheet(title)


def labels_sheet(book: Workbook, descriptor, sheets: dict) -> None:
    """The `labels` sheet (resource, field, code, label) and, on each table sheet (`sheets`: resource
    name → sheet), a list validation of every coded column against its codes there: Excel and
    LibreOffice show a drop-down and refuse a value that is not a code."""
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet = new_sheet(book, LABELS_SHEET)
    records: list[tuple] = []
    for resource in descriptor.resources:
        table = sheets[resource["name"]]
        names = [f["name"] for f in resource["schema"]["fields"]]
        for field, by_code in coded.coded_fields(descriptor, resource["name"]).items():
            first = len(records) + 2
            records += [(resource["name"], field, code, label) for code, label in by_code.items()]
            letter = get_column_letter(names.index(field) + 1)
            check = DataValidation(type="list", formula1=f"{quote_sheetname(sheet.title)}!$C${first}:$C${len(records) + 1}",
                                   allow_blank=True, showErrorMessage=True, errorTitle=f"{resource['name']}.{field}"[:32],
                                   error=f"One of the codes of {field}: see the {sheet.title} sheet")
            check.add(f"{letter}2:{letter}{max(table.max_row, 2)}")
            table.add_data_validation(check)
    _table(sheet, ["resource", "field", "code", "label"], records)
    sheet.freeze_panes = "A2"


EXPORTER = Exporter("excel", lambda job, folder: [write(job.data, job.ctx.citation, folder / f"{job.name}.xlsx",
                                                        job.glance)])
