"""A codebook Taguette imports: CSV with a `name` and a `description` column (Taguette reads no
REFI-QDA file; its codebook import takes one of `tag`, `name` or `path`, and `description`).
One row per codable factor code of the REFI-QDA codebook, with the same names and descriptions."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from ..model import journeys
from ..model.files import write_atomically
from ..model import qda_codes
from .exporter import Exporter

HEADER = ["name", "description"]


def rows(data: journeys.Journeys) -> list[tuple[str, str]]:
    book = qda_codes.factor_codes(data, qda_codes.Guids(qda_codes.package_name(data)))
    return [(code.name, code.description) for code in book.all() if code.codable]


def text(data: journeys.Journeys) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows(data))
    return buffer.getvalue()


def write(data: journeys.Journeys, path: Path) -> Path:
    return write_atomically(path, text(data).encode("utf-8"))


EXPORTER = Exporter("taguette codebook", lambda job, folder: [write(job.data, folder / f"{job.name}-taguette-codebook.csv")])
