"""CSV files to typed DataFrames, by the descriptor; the same loader serves validator and figures.

Each DataFrame is indexed by the row's line in its CSV file (header = line 1), so any problem
found later names the line a person would open. Cells stay text until the descriptor's type is
applied here: integers become nullable Int64, numbers Float64, booleans nullable boolean;
EDTF fields gain `<field>_lower` / `<field>_upper` day bounds.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from . import dates
from .descriptor import Descriptor, UnreadableInput
from .problems import Problem

INTEGER = r"[+-]?[0-9]+"
NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"


@dataclass
class Loaded:
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def _problem(resource, file, row, field_, rule, value, hint):
    return Problem(resource=resource, row=row, field=field_, rule=rule, value=value, hint=hint, file=file)


def _readable_text(name: str, file: str, raw: bytes, problems: list[Problem]) -> bool:
    """UTF-8 without BOM, LF line endings; otherwise a problem naming the first bad line."""
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append(_problem(name, file, 1, None, "encoding:bom", None,
                                 "the file starts with a byte-order mark; save it as UTF-8 without BOM"))
        return False
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        problems.append(_problem(name, file, line, None, "encoding:utf-8", repr(raw[error.start:error.end]),
                                 "the file is not valid UTF-8; re-save it with UTF-8 encoding"))
        return False
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        problems.append(_problem(name, file, line, None, "line-endings", None,
                                 "use LF line endings (no carriage returns)"))
        return False
    return True


def _read_strings(name: str, file: str, raw: bytes, columns: list[str], problems: list[Problem]) -> pd.DataFrame | None:
    header = raw[: raw.find(b"\n")].decode("utf-8").split(",")
    expected = columns
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    for c in missing:
        problems.append(_problem(name, file, 1, c, "missing-column", None,
                                 f"the descriptor defines column {c!r}; add it to the header"))
    for c in extra:
        problems.append(_problem(name, file, 1, c, "unexpected-column", c,
                                 "the descriptor has no such column; remove it or describe it in datapackage.json"))
    if not missing and not extra and header != expected:
        problems.append(_problem(name, file, 1, None, "column-order", ",".join(header),
                                 f"put the columns in the descriptor's order: {','.join(expected)}"))
    if missing or extra or header != expected:
        return None

    convert = pacsv.ConvertOptions(column_types={c: pa.string() for c in header},
                                   strings_can_be_null=False, quoted_strings_can_be_null=False)
    bad_rows: list[tuple[int, int, int]] = []

    def on_invalid(row):
        bad_rows.append((row.number, row.expected_columns, row.actual_columns))
        return "skip"

    def read(**options):
        return pacsv.read_csv(io.BytesIO(raw), convert_options=convert,
                              parse_options=pacsv.ParseOptions(ignore_empty_lines=False, newlines_in_values=False,
                                                               **options.pop("parse", {})),
                              read_options=pacsv.ReadOptions(**options))

    try:
        try:
            table = read()  # fast, multi-threaded; raises on the first malformed row
        except pa.ArrowInvalid:
            # again on one thread, which numbers rows, collecting every malformed one
            table = read(use_threads=False, parse={"invalid_row_handler": on_invalid})
    except pa.ArrowInvalid as error:
        problems.append(_problem(name, file, None, None, "csv-syntax", None, f"the file is not readable CSV: {error}"))
        return None
    for number, expected_n, actual_n in bad_rows:
        problems.append(_problem(name, file, number, None, "row-length", f"{actual_n} cells",
                                 f"the row has {actual_n} cells, the header {expected_n}; check commas and quoting"))
    frame = table.to_pandas()
    skipped = np.array(sorted(number for number, _, _ in bad_rows), dtype=np.int64)
    lines = np.arange(2, 2 + len(frame) + len(skipped))
    frame.index = pd.Index(np.setdiff1d(lines, skipped, assume_unique=True) if len(skipped) else lines, name="row")
    maybe_blank = frame.iloc[:, 0] == ""
    blank = maybe_blank & (frame[maybe_blank] == "").all(axis=1).reindex(frame.index, fill_value=False)
    for row in frame.index[blank]:
        problems.append(_problem(name, file, int(row), None, "blank-row", None, "remove the empty line"))
    return frame[~blank] if blank.any() else frame


DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"


def _typed(name: str, file: str, frame: pd.DataFrame, fields: list[dict], missing_values: list[str],
           problems: list[Problem]) -> pd.DataFrame:
    out = {}
    for spec in fields:
        column = frame[spec["name"]]
        present = ~column.isin(missing_values)
        kind = spec.get("type", "string")
        if kind == "integer":
            ok = column.str.fullmatch(INTEGER) | ~present
            values = pd.to_numeric(column.where(present & ok), errors="coerce").astype("Int64")
        elif kind == "number":
            ok = column.str.fullmatch(NUMBER) | ~present
            values = pd.to_numeric(column.where(present & ok), errors="coerce").astype("Float64")
        elif kind == "date":
            ok = column.str.fullmatch(DATE) | ~present
            values = pd.to_datetime(column.where(present & ok), format="%Y-%m-%d", errors="coerce").astype("datetime64[s]")
            ok &= values.notna() | ~present
        elif kind == "boolean":
            truth = {v: True for v in spec.get("trueValues", ["true"])}
            truth.update({v: False for v in spec.get("falseValues", ["false"])})
            ok = column.isin(list(truth)) | ~present
            values = column.map(truth).astype("boolean")
        else:
            ok = pd.Series(True, index=column.index)
            values = column.where(present).astype("string")
        for row, value in column[~ok].items():
            problems.append(_problem(name, file, int(row), spec["name"], f"type:{kind}", value,
                                     f"expected a {kind} (see the field's example: {spec.get('example', '')!r})"))
        out[spec["name"]] = values
    return pd.DataFrame(out, index=frame.index)


def read_resource(descriptor: Descriptor, name: str, problems: list[Problem]) -> pd.DataFrame | None:
    """One resource as typed DataFrame, or None when it cannot be read into its columns."""
    resource = descriptor.resource(name)
    file = resource["path"]
    path = descriptor.csv_path(name)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise UnreadableInput(f"{file}: cannot read the file ({error.strerror})") from error
    if not _readable_text(name, file, raw, problems):
        return None
    fields = resource["schema"]["fields"]
    frame = _read_strings(name, file, raw, [f["name"] for f in fields], problems)
    if frame is None:
        return None
    return _typed(name, file, frame, fields, resource["schema"].get("missingValues", [""]), problems)


def add_date_bounds(descriptor: Descriptor, name: str, frame: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    file = descriptor.resource(name)["path"]
    for column in descriptor.edtf_fields(name):
        lower, upper, invalid = dates.bounds_columns(frame[column])
        frame[f"{column}_lower"] = lower
        frame[f"{column}_upper"] = upper
        for row, value in frame.loc[invalid, column].items():
            problems.append(_problem(name, file, int(row), column, "edtf", value,
                                     "not a valid EDTF date: write e.g. 2022-09, 2022-09-21, 2023-12?, "
                                     "[2023-09..2023-12] or 2023-09/2023-12"))
    return frame


def load(descriptor: Descriptor) -> Loaded:
    """Every resource, typed and with EDTF bounds; problems of reading and typing collected."""
    loaded = Loaded()
    for resource in descriptor.resources:
        frame = read_resource(descriptor, resource["name"], loaded.problems)
        if frame is not None:
            loaded.tables[resource["name"]] = add_date_bounds(descriptor, resource["name"], frame, loaded.problems)
    return loaded
