"""Bring one coder's coding into a package's reliability tables (`codings_by_coder`,
`ledger_by_coder`): from a folder holding that coder's `codings.csv` (the fields of `codings`) and
`ledger.csv` (source_id, paragraph, sentence, disposition, reason, notes), or, for the package's
own coding as it stands, from its `codings` and `ledger`. Each ledger row gets its sentence's sha256
from the text (so the validator can check that the coder numbered the sentences as the package does).
The coder's earlier rows are replaced; every other coder's are kept. Both files are rewritten whole
and atomically; nothing is written when an input is missing or a sentence is not in its text.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from . import descriptor as descriptor_module
from . import files, names, sentences
from .descriptor import UnreadableInput
from .texts import plain, text_path

CODINGS, LEDGER = "codings_by_coder", "ledger_by_coder"


def _text(path: Path) -> str:
    """A regular file's text (never a link, FIFO or device: no hang), else UnreadableInput."""
    try:
        return names.read_regular(path).decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnreadableInput(f"{path}: not UTF-8 (byte {error.start}); save it as CSV in UTF-8") from None
    except OSError as error:
        raise UnreadableInput(f"{path}: cannot read ({error.strerror or error})") from None


def _read(path: Path, needs: tuple[str, ...] = ()) -> list[dict]:
    reader = csv.DictReader(io.StringIO(_text(path)))
    missing = [c for c in needs if c not in (reader.fieldnames or [])]
    if missing:
        raise UnreadableInput(f"{path}: no column {', '.join(missing)} in its header: nothing was written")
    return list(reader)


def _number(path: Path, line: int, row: dict, column: str) -> int:
    try:
        return int(row[column])
    except (TypeError, ValueError):
        raise UnreadableInput(f"{path}, row {line}, {column} {row[column]!r}: not a whole number: nothing was "
                              "written") from None


def _check_coder(package, coder: str) -> None:
    """The coder's identifier as `codings_by_coder.coder` constrains it (on RE2, like every pattern)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    field = next((f for f in package.fields(CODINGS) if f["name"] == "coder"), {})
    pattern = field.get("constraints", {}).get("pattern")
    if not coder or pattern and not pc.match_substring_regex(pa.array([coder]), f"^(?:{pattern})$")[0].as_py():
        raise UnreadableInput(f"--coder {coder!r}: codings_by_coder.coder must match {pattern} "
                              f"(e.g. {field.get('example', 'blind-b')}): nothing was written")


def _csv(fields: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _hashes(texts_folder: Path, source_ids: set[str]) -> dict[tuple[str, int, int], str]:
    found = {}
    for source_id in sorted(source_ids):
        try:
            path = text_path(texts_folder, source_id)
        except names.UnsafeName as error:
            raise UnreadableInput(f"the ledger names the source {source_id!r}: {error}; nothing was written") from None
        if not path.is_file():
            raise UnreadableInput(f"{path}: the text is needed to give each ledger row its sentence's sha256 "
                                  "(set SOURCES_DIR or --sources)")
        for s in sentences.split(plain(_text(path))):
            found[(source_id, s.paragraph, s.number)] = s.sha256
    return found


def import_coding(descriptor_path: Path, coder: str, folder: Path | None, texts_folder: Path) -> tuple[int, int]:
    """Put `coder`'s codings and ledger into the package; returns (codings, ledger rows) written for them."""
    package = descriptor_module.read(descriptor_path)
    _check_coder(package, coder)
    codings_path, ledger_path = ((package.csv_path("codings"), package.csv_path("ledger")) if folder is None else
                                 (Path(folder) / "codings.csv", Path(folder) / "ledger.csv"))
    codings = _read(codings_path)
    ledger = _read(ledger_path, ("source_id", "paragraph", "sentence"))
    hashes = _hashes(texts_folder, {r["source_id"] or "" for r in ledger})
    for row in codings:
        row["coder"] = coder
    for line, row in enumerate(ledger, start=2):
        place = (row["source_id"], _number(ledger_path, line, row, "paragraph"),
                 _number(ledger_path, line, row, "sentence"))
        if place not in hashes:
            raise UnreadableInput(f"the ledger of {coder} names {place[0]} paragraph {place[1]} sentence {place[2]}, "
                                  "which its text does not have: nothing was written")
        row["coder"] = coder
        row["sentence_sha256"] = hashes[place]
    written = []
    for name, new in ((CODINGS, codings), (LEDGER, ledger)):
        fields = [f["name"] for f in package.fields(name)]
        path = package.csv_path(name)
        kept = [r for r in _read(path) if r.get("coder") != coder] if path.is_file() else []
        written.append((path, _csv(fields, kept + new)))
    with files.signals_held():  # an interrupt: both tables of before, or both of after
        for path, content in written:
            files.write_atomically(path, content)
    return len(codings), len(ledger)
