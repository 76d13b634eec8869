"""A codebook Taguette imports (it reads no REFI-QDA file): CSV `name,description`, one row per
codable factor code of the REFI-QDA codebook, with the same names and descriptions."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from ..model import journeys, qda_codes
from ..model.files import write_atomically
from .exporter import Exporter


def write(data: journeys.Journeys, path: Path) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["name", "description"])
    book = qda_codes.factor_codes(data, qda_codes.Guids(qda_codes.package_name(data)))
    writer.writerows((code.name, code.description) for code in book.all() if code.codable)
    return write_atomically(path, buffer.getvalue())


EXPORTER = Exporter("taguette codebook", lambda job, folder: [write(job.data, folder / f"{job.name}-taguette-codebook.csv")])
