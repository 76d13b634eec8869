"""A codebook Taguette imports (it reads no REFI-QDA file): CSV `name,description`, one row per
codable factor code of the REFI-QDA codebook, with the same names and descriptions."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..model import journeys, qda_codes
from ..model.files import write_atomically
from .exporter import Exporter


def write(data: journeys.Journeys, path: Path) -> Path:
    book = qda_codes.factor_codes(data, qda_codes.Guids(qda_codes.package_name(data)))
    rows = pd.DataFrame([(code.name, code.description) for code in book.all() if code.codable],
                        columns=["name", "description"])
    return write_atomically(path, rows.to_csv(index=False, lineterminator="\n"))


EXPORTER = Exporter("taguette codebook", lambda job, folder: [write(job.data, folder / f"{job.name}-taguette-codebook.csv")])
