"""CSV files to typed DataFrames, by the descriptor; the same loader serves validator and figures.

Only regular files inside the package are read: a resource that is a symbolic link, a folder, a
FIFO or a device is refused by its name before it is opened, and nothing of it is reported.
Each DataFrame is indexed by the physical line of its CSV file where the row's record starts
(header = line 1), so any problem found later names the line a person would open, even after
cells that span several lines. Cells stay text until the descriptor's type is applied here:
integers become nullable Int64 (within 64 bits), numbers Float64 (finite), booleans nullable
boolean; EDTF fields gain `<field>_lower` / `<field>_upper` day bounds. When the descriptor
gives a resource's `bytes` or `hash`, the file must match them.
"""
from __future__ import annotations

import csv
import hashlib
import io
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from . import dates
from . import names
from .descriptor import Descriptor, UnreadableInput
from .problems import Problem, Problems

INTEGER = r"[+-]?[0-9]+"
NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
DATE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
HASHES = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}

csv.field_size_limit(2**31 - 1)  # the slow path reads rows of any length, as Arrow does


@dataclass
class Loaded:
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: Problems = field(default_factory=Problems)
    # (resource, field) → rows whose cell could not be typed (reported once, as a type problem)
    untyped: dict[tuple[str, str], pd.Series] = field(default_factory=dict)


def _integrity(name: str, file: str, resource: dict, raw: bytes, problems) -> bool:
    """The file's size and hash against the descriptor's `bytes` and `hash`, where it gives them."""
    ok = True
    expected = resource.get("bytes")
    if isinstance(expected, int) and not isinstance(expected, bool) and expected != len(raw):
        problems.append(Problem(name, None, "bytes", "integrity", str(len(raw)),
                                f"{file} has {len(raw)} bytes, the descriptor says {expected}: the file was changed "
                                "after the descriptor was written", file))
        ok = False
    digest = resource.get("hash")
    if isinstance(digest, str) and digest:
        algorithm, _, value = digest.rpartition(":")
        algorithm = algorithm or "md5"
        if algorithm in HASHES:
            actual = hashlib.new(algorithm, raw).hexdigest()
            if actual != value.lower():
                problems.append(Problem(name, None, "hash", "integrity", f"{algorithm}:{actual}",
                                        f"{file} does not have the {algorithm} the descriptor gives: the file was "
                                        "changed after the descriptor was written", file))
                ok = False
    return ok


def _readable_bytes(name: str, file: str, raw: bytes, problems) -> bool:
    """No BOM, no NUL in the first line, no carriage return; UTF-8 is checked as the file is read
    (and located in `_text`). A NUL in the first line is a binary file or UTF-16 text: one problem,
    not one per column of a header that is not text."""
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append(Problem(name, 1, None, "encoding:bom", None,
                                "the file starts with a byte-order mark; save it as UTF-8 without BOM", file))
        return False
    end = raw.find(b"\n")
    if raw.find(b"\0", 0, end if end >= 0 else len(raw)) >= 0:
        problems.append(Problem(name, 1, None, "encoding:nul", None, "the first line holds a NUL byte: the file is "
                                "binary, or text saved as UTF-16; save it as CSV in UTF-8", file))
        return False
    at = raw.find(b"\r")
    if at >= 0:
        problems.append(Problem(name, raw.count(b"\n", 0, at) + 1, None, "line-endings", None,
                                "use LF line endings (no carriage returns)", file))
        return False
    return True


def _text(name: str, file: str, raw: bytes, problems) -> str | None:
    """The file as text, or None with a problem naming the line of the first byte that is not UTF-8."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        problems.append(Problem(name, line, None, "encoding:utf-8", repr(raw[error.start:error.end]),
                                "the file is not valid UTF-8; re-save it with UTF-8 encoding", file))
        return None


def _header(raw: bytes) -> tuple[list[str], int] | None:
    """The header's cells, read as CSV (quoted names allowed), and the number of lines it spans;
    None when the header is not UTF-8."""
    end = raw.find(b"\n")
    while end >= 0 and raw.count(b'"', 0, end) % 2:  # a quoted name holding a line break
        end = raw.find(b"\n", end + 1)
    try:
        line = (raw if end < 0 else raw[:end]).decode("utf-8")
    except UnicodeDecodeError:
        return None
    cells = next(csv.reader([line]), []) if line else []
    return cells, line.count("\n") + 1


def _record_lines(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Physical start line and cell count of every record after the header (slow path)."""
    reader = csv.reader(io.StringIO(text))
    starts, sizes = [], []
    previous = 0
    for number, record in enumerate(reader):
        if number > 0:
            starts.append(previous + 1)
            sizes.append(len(record))
        previous = reader.line_num
    return np.asarray(starts, dtype=np.int64), np.asarray(sizes, dtype=np.int64)


def _loose(name: str) -> str:
    """A column name without case, surrounding spaces or invisible characters (zero-width, BOM …)."""
    return "".join(c for c in unicodedata.normalize("NFKC", name) if unicodedata.category(c) != "Cf").strip().casefold()


def _header_problems(name: str, file: str, header: list[str], columns: list[str], problems) -> bool:
    """Whether the header names the descriptor's columns, once each, in its order; problems if not."""
    if not header:  # an empty file: one problem, not one per column
        problems.append(Problem(name, 1, None, "missing-column", None,
                                f"the file has no header; write one row naming the columns: {','.join(columns)}", file))
        return False
    repeated = [c for c, n in Counter(header).items() if n > 1]
    for c in repeated:
        problems.append(Problem(name, 1, c, "duplicate-column", c, f"the header names column {c!r} more than once; "
                                "keep one", file))
    if repeated:
        return False
    missing = [c for c in columns if c not in header]
    extra = [c for c in header if c not in columns]
    misspelt = [c for c in extra if _loose(c) in map(_loose, missing)]
    for c in misspelt:  # one column, misspelt: one problem
        meant = next(m for m in missing if _loose(m) == _loose(c))
        problems.append(Problem(name, 1, meant, "unexpected-column", c,
                                f"the header writes {c!r} for column {meant!r} (case, spaces or invisible characters "
                                f"differ): write {meant!r}", file))
        missing.remove(meant)
        extra.remove(c)
    for c in missing:
        problems.append(Problem(name, 1, c, "missing-column", None,
                                f"the descriptor defines column {c!r}; add it to the header", file))
    for c in extra:
        problems.append(Problem(name, 1, c, "unexpected-column", c,
                                "the descriptor has no such column; remove it or describe it in datapackage.json",
                                file))
    if not missing and not extra and not misspelt and header != columns:
        problems.append(Problem(name, 1, None, "column-order", ",".join(header),
                                f"put the columns in the descriptor's order: {','.join(columns)}", file))
    return header == columns


def _numbered(name: str, file: str, raw: bytes, header_lines: int, width: int, read, problems):
    """The table and the physical line of each record, when Arrow's fast read cannot tell them
    (cells over several lines, rows of the wrong length, bad UTF-8, very long rows): every record
    numbered by Python's csv reader; None when a row has the wrong length (every such row reported)."""
    text = _text(name, file, raw, problems)
    if text is None:
        return None
    starts, sizes = _record_lines(text)
    del text
    wrong = (sizes != width) & (sizes != 0)
    for line, size in zip(starts[wrong][: problems.limit], sizes[wrong]):
        problems.append(Problem(name, int(line), None, "row-length", f"{size} cells",
                                f"the row has {size} cells, the header {width}; check commas and quoting", file))
    key = (name, "row-length", None)  # every row counted, the first ones kept
    problems.counts[key] = max(problems.counts[key], int(wrong.sum()))
    if wrong.any():  # refused whole: without those rows, every row naming one would be reported again
        return None
    try:
        table = read(use_threads=False, block_size=max(1 << 20, len(raw) + 1),
                     parse={"newlines_in_values": True})
    except pa.ArrowInvalid as error:
        problems.append(Problem(name, None, None, "csv-syntax", None,
                                f"the file is not readable CSV: {str(error)[:200]}", file))
        return None
    if table.num_rows != len(starts):
        problems.append(Problem(name, None, None, "csv-syntax", None,
                                "the file is not readable CSV: check quoting (a cell that opens a quote must close it, "
                                "and a quote inside a quoted cell is written twice)", file))
        return None
    return table, starts


def _without_blank_rows(name: str, file: str, table: pa.Table, index: pd.Index, problems):
    """The table without its blank rows (every cell missing), each reported."""
    if not (table.num_columns and table.num_rows and table.column(0).null_count):
        return table, index
    empty = pc.is_null(table.column(0))
    for column in table.column_names[1:]:
        empty = pc.and_(empty, pc.is_null(table.column(column)))
    if not pc.any(empty).as_py():
        return table, index
    blank = pd.Series(empty.to_numpy(zero_copy_only=False), index=index)
    problems.rows(name, file, "blank-row", None, blank, "remove the empty line")
    return table.filter(pc.invert(empty)), index[~blank.to_numpy()]


def _read_strings(name: str, file: str, raw: bytes, columns: list[str], missing_values: list[str], problems):
    """The file's cells as an Arrow table of strings (missing values as nulls) and the physical
    line of each record; None when the header does not match the descriptor or the file is not CSV."""
    read_header = _header(raw)
    if read_header is None:
        _text(name, file, raw, problems)
        return None
    header, header_lines = read_header
    if not _header_problems(name, file, header, columns, problems):
        return None
    convert = pacsv.ConvertOptions(column_types={c: pa.large_string() for c in header}, null_values=missing_values,
                                   strings_can_be_null=True, quoted_strings_can_be_null=True)

    def read(**options):
        parse = options.pop("parse", {})
        return pacsv.read_csv(pa.BufferReader(raw), convert_options=convert,
                              parse_options=pacsv.ParseOptions(ignore_empty_lines=False, **parse),
                              read_options=pacsv.ReadOptions(**options))

    try:
        table = read()  # fast, multi-threaded; raises on a malformed row, bad UTF-8 or a row longer than a block
        physical = raw.count(b"\n") + (0 if raw.endswith(b"\n") or not raw else 1)
        numbered = (table, np.arange(header_lines + 1, header_lines + 1 + table.num_rows)) \
            if physical == header_lines + table.num_rows else None
    except pa.ArrowInvalid:
        numbered = None
    numbered = numbered or _numbered(name, file, raw, header_lines, len(header), read, problems)
    if numbered is None:
        return None
    return _without_blank_rows(name, file, numbered[0], pd.Index(numbered[1], name="row"), problems)


_NULL = {kind: pa.scalar(None, type_) for kind, type_ in
         (("integer", pa.int64()), ("number", pa.float64()), ("boolean", pa.bool_()))}
_PANDAS = {pa.large_string(): pd.StringDtype("pyarrow"), pa.string(): pd.StringDtype("pyarrow"),
           pa.int64(): pd.Int64Dtype(), pa.float64(): pd.Float64Dtype(), pa.bool_(): pd.BooleanDtype()}


def _matches(text: pa.ChunkedArray, pattern: str) -> pa.ChunkedArray:
    """Whether each present value matches the whole pattern; True for missing values."""
    return pc.fill_null(pc.match_substring_regex(text, f"^(?:{pattern})$"), True)


def _integers(text: pa.ChunkedArray) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """int64 values and where the text is an integer that fits 64 bits (Arrow; exact Python on overflow)."""
    ok = _matches(text, INTEGER)
    candidate = pc.if_else(ok, pc.replace_substring_regex(text, r"^\+", ""), pa.scalar(None, text.type))
    try:
        return pc.cast(candidate, pa.int64()), ok
    except pa.ArrowInvalid:  # beyond 64 bits somewhere: decide value by value
        values = [None if v is None else int(v) for v in candidate.to_pylist()]
        fits = [v is None or -2**63 <= v < 2**63 for v in values]
        ok = pc.and_(ok, pa.array(fits))
        return pa.array([v if f else None for v, f in zip(values, fits)], pa.int64()), ok


def _typed(name: str, file: str, table: pa.Table, index: pd.Index, fields: list[dict],
           problems, untyped: dict | None = None) -> pd.DataFrame:
    """The descriptor's types applied column by column in Arrow (missing values are nulls already);
    one conversion to pandas at the end."""
    typed = {}
    for spec in fields:
        text = table.column(spec["name"])
        kind = spec.get("type", "string")
        ok = None
        if kind == "integer":
            values, ok = _integers(text)
            hint = "expected an integer of at most 64 bits"
        elif kind == "number":
            ok = _matches(text, NUMBER)
            values = pc.cast(pc.if_else(ok, text, pa.scalar(None, text.type)), pa.float64())
            finite = pc.fill_null(pc.is_finite(values), True)
            ok = pc.and_(ok, finite)
            values = pc.if_else(finite, values, _NULL["number"])
            hint = "expected a finite number"
        elif kind == "boolean":
            trues = pa.array(spec.get("trueValues", ["true"]), text.type)
            falses = pa.array(spec.get("falseValues", ["false"]), text.type)
            is_true, is_false = pc.is_in(text, value_set=trues), pc.is_in(text, value_set=falses)
            ok = pc.or_(pc.or_(is_true, is_false), pc.is_null(text))
            values = pc.if_else(pc.is_null(text), _NULL["boolean"], is_true)
            hint = f"expected one of {', '.join(trues.to_pylist() + falses.to_pylist())}"
        elif kind == "date":  # pandas parses: Arrow's strptime would take 2023-02-30 for 2023-03-02
            matched = _matches(text, DATE)
            parsed = pd.to_datetime(pd.Series(pc.if_else(matched, text, pa.scalar(None, text.type)).to_pandas()),
                                    format="%Y-%m-%d", errors="coerce")
            values = pa.array(parsed.astype("datetime64[s]"))
            ok = pc.and_(matched, pc.or_(pc.is_valid(values), pc.is_null(text)))
            hint = "expected a date YYYY-MM-DD"
        else:
            values = text
        if ok is not None and not pc.all(ok).as_py():
            bad = pd.Series(pc.invert(ok).to_numpy(zero_copy_only=False), index=index)
            example = spec.get("example", "")
            shown = pd.Series(text.to_pandas(types_mapper=_PANDAS.get).to_numpy(), index=index)
            problems.rows(name, file, f"type:{kind}", spec["name"], bad,
                          f"{hint} (see the field's example: {str(example)[:40]!r})", shown)
            if untyped is not None:
                untyped[(name, spec["name"])] = bad
        typed[spec["name"]] = values
    return pd.DataFrame({name: _pandas(values) for name, values in typed.items()}, index=index)


def _pandas(values: pa.ChunkedArray):
    """An Arrow column as pandas holds it (the dtype of `_PANDAS`; dates as datetime64[s]), built
    directly: `pa.Table.to_pandas` costs about a millisecond a table more."""
    dtype = _PANDAS.get(values.type)
    return dtype.__from_arrow__(values) if dtype is not None else values.to_numpy(zero_copy_only=False)


def read_resource(descriptor: Descriptor, name: str, problems: Problems | None = None,
                  untyped: dict | None = None) -> pd.DataFrame | None:
    """One resource as typed DataFrame, or None when it cannot be read into its columns."""
    problems = Problems() if problems is None else problems
    resource = descriptor.resource(name)
    file = resource["path"]
    path = descriptor.csv_path(name)
    try:
        raw = names.read_regular(path, descriptor.root)
    except names.NotRegular as error:
        problems.append(Problem(name, None, "path", "regular-file", file,
                                f"{file} is {error.what}: only regular files inside the package are read", file))
        return None
    except OSError as error:
        raise UnreadableInput(f"{path}: cannot read the file ({error.strerror or error})") from None
    if not _integrity(name, file, resource, raw, problems) or not _readable_bytes(name, file, raw, problems):
        return None
    fields = resource["schema"]["fields"]
    read = _read_strings(name, file, raw, [f["name"] for f in fields], resource["schema"].get("missingValues", [""]),
                         problems)
    del raw
    if read is None:
        return None
    table, index = read
    del read
    return _typed(name, file, table, index, fields, problems, untyped)


EDTF_HINT = ("not a valid EDTF date: write e.g. 2022-09, 2022-09-21, 2022-23 (autumn), 2023-12?, "
             "[2023-09..2023-12] or 2023-09/2023-12")


def add_date_bounds(descriptor: Descriptor, name: str, frame: pd.DataFrame, problems) -> pd.DataFrame:
    """`<field>_lower` / `<field>_upper` beside each EDTF field; invalid values reported to `problems`
    (None: not reported, where a schema checks them)."""
    file = descriptor.resource(name)["path"]
    for column in descriptor.edtf_fields(name):
        lower, upper, invalid = dates.bounds_columns(frame[column])
        frame[f"{column}_lower"] = lower
        frame[f"{column}_upper"] = upper
        if problems is not None and invalid.any():
            problems.rows(name, file, "edtf", column, invalid, EDTF_HINT, frame[column])
    return frame


def load(descriptor: Descriptor, problems: Problems | None = None, *, edtf: bool = True) -> Loaded:
    """Every resource, typed and with EDTF bounds; problems of reading and typing collected.

    edtf: report invalid EDTF values here (False: the caller's checks do, as the validator's
    pandera schemas). The tables are those `returnee_journeys.load()` returns: text as pandas strings."""
    loaded = Loaded(problems=problems if problems is not None else Problems())
    for resource in descriptor.resources:
        frame = read_resource(descriptor, resource["name"], loaded.problems, loaded.untyped)
        if frame is not None:
            loaded.tables[resource["name"]] = add_date_bounds(descriptor, resource["name"], frame,
                                                              loaded.problems if edtf else None)
    return loaded
