"""What every export is (`Exporter`: a name, whether it needs the source texts, write(job, folder) → the
files written) and what it reads (`Job`: the package's Context, its rows, its comparison table)."""
from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..model import comparison, journeys, names
from ..model import texts as texts_module

TEMPLATES = Path(__file__).parent / "templates"  # the exports' prose, SQL and metadata texts


@dataclass
class Job:
    ctx: object  # the package's Context (citation, sources folder)
    data: journeys.Journeys
    glance: comparison.Comparison

    @property
    def name(self) -> str:
        return names.checked(self.data.descriptor.data["name"])

    @functools.cached_property
    def texts(self) -> dict[str, str] | None:
        """Every source text, verified; None when any is missing (a text that is not the coded copy raises)."""
        try:
            return texts_module.verified(self.data.table("sources"), self.ctx.sources)
        except texts_module.TextsMissing:
            return None


@dataclass(frozen=True)
class Exporter:
    name: str
    write: Callable[[Job, Path], list[Path]]
    needs_texts: bool = False
