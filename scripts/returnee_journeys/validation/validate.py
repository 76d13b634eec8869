"""Validate a journey package: the descriptor, the tables through the pandera schemas built from it
(`pandera_schemas`: types, constraints, keys, rules between tables), and (when the texts are at
hand) every quote, text hash and the ledger's coverage. Reads only; writes nothing. Every failure
is counted; at most `limit` are kept per resource, rule and field."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..model import descriptor as descriptor_module
from ..model import load
from ..model import texts
from ..model.problems import LIMIT, Problem, Problems
from . import descriptor_checks
from . import pandera_schemas
from . import provenance


@dataclass
class Report:
    problems: Problems = field(default_factory=Problems)
    texts_not_checked: list[str] = field(default_factory=list)  # source ids whose text was not found


def validate(descriptor_path: Path, sources: Path | None, require_sources: bool = False,
             check_quotes: bool = True, limit: int = LIMIT) -> Report:
    """Every problem of the package; raises UnreadableInput for input that cannot be read."""
    descriptor = descriptor_module.read(descriptor_path)
    report = Report(Problems(limit=limit))
    report.problems += descriptor_checks.check(descriptor)
    if report.problems:
        return report
    report.problems += descriptor_checks.protocol_definitions(descriptor)
    files = {r["name"]: r["path"] for r in descriptor.resources}
    loaded = load.load(descriptor, report.problems, edtf=False)  # EDTF values: checked by the schemas
    tables = loaded.tables
    pandera_schemas.run(descriptor, loaded, files, report.problems)
    if check_quotes and sources is not None and "sources" in tables:
        report.texts_not_checked = texts.missing(sources, tables["sources"])
        if require_sources:
            report.problems += [Problem("sources", None, "source_id", "text-present", s,
                                        f"{s}.txt not found in the sources folder: set SOURCES_DIR or --sources",
                                        files["sources"]) for s in report.texts_not_checked]
        report.problems += provenance.check(descriptor, tables, sources)
    return report
