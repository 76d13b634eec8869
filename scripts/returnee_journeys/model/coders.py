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
from . import files, sentences
from .descriptor import UnreadableInput
from .texts import plain, text_path

CODINGS, LEDGER = "codings_by_coder", "ledger_by_coder"


def _read(path: Path) -> list[dict]:
    try:
        with open(path, encoding="utf-8", newline="") as stream:
            return list(csv.DictReader(stream))
    except OSError as error:
        raise UnreadableInput(f"{path}: cannot read ({error.strerror or error})") from None


def _csv(fields: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _hashes(texts_folder: Path, source_ids: set[str]) -> dict[tuple[str, int, int], str]:
    found = {}
    for source_id in sorted(source_ids):
        path = text_path(texts_folder, source_id)
        if not path.is_file():
            raise UnreadableInput(f"{path}: the text is needed to give each ledger row its sentence's sha256 "
                                  "(set SOURCES_DIR or --sources)")
        for s in sentences.split(plain(path.read_text(encoding="utf-8"))):
            found[(source_id, s.paragraph, s.number)] = s.sha256
    return found


def import_coding(descriptor_path: Path, coder: str, folder: Path | None, texts_folder: Path) -> tuple[int, int]:
    """Put `coder`'s codings and ledger into the package; returns (codings, ledger rows) written for them."""
    package = descriptor_module.read(descriptor_path)
    if folder is None:
        codings = _read(package.csv_path("codings"))
        ledger = _read(package.csv_path("ledger"))
    else:
        codings = _read(Path(folder) / "codings.csv")
        ledger = _read(Path(folder) / "ledger.csv")
    hashes = _hashes(texts_folder, {r["source_id"] for r in ledger})
    for row in codings:
        row["coder"] = coder
    for row in ledger:
        place = (row["source_id"], int(row["paragraph"]), int(row["sentence"]))
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
    for path, content in written:
        files.write_atomically(path, content)
    return len(codings), len(ledger)
