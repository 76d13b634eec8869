"""Validate a journey package: the descriptor, checks built from it, rules between tables, and
(when the texts are at hand) every quote, text hash and the ledger's coverage. Reads only;
writes nothing. Every failure is counted; at most `limit` are kept per resource, rule and field."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..model import compact
from ..model import descriptor as descriptor_module
from ..model import keys
from ..model import load
from ..model import texts
from ..model.problems import LIMIT, Problem, Problems
from . import descriptor_checks
from . import provenance
from . import rules
from . import schema


@dataclass
class Report:
    problems: Problems = field(default_factory=Problems)
    texts_not_checked: list[str] = field(default_factory=list)  # source ids whose text was not found


ENGINES = ("fast", "pandera")


def validate(descriptor_path: Path, sources: Path | None, require_sources: bool = False,
             check_quotes: bool = True, limit: int = LIMIT, engine: str = "fast") -> Report:
    """Every problem of the package; raises UnreadableInput for input that cannot be read.

    engine: how the loaded tables are checked (field constraints, keys, rules between tables):
    "fast", the vectorised checks run directly; or "pandera", the same checks through the pandera
    schemas built from the descriptor (`pandera_schemas`). Both report the same problems."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    descriptor = descriptor_module.read(descriptor_path)
    report = Report(Problems(limit=limit))
    report.problems += descriptor_checks.check(descriptor)
    if report.problems:
        return report
    report.problems += descriptor_checks.protocol_definitions(descriptor)
    files = {r["name"]: r["path"] for r in descriptor.resources}
    if engine == "pandera":
        from . import pandera_schemas  # pandera is slow to import: only this engine pays for it

        loaded = load.load(descriptor, report.problems, edtf=False)
        tables = loaded.tables
        pandera_schemas.run(descriptor, loaded, files, report.problems)
    else:
        # the tables as the validator holds them (text that repeats its values as Categoricals): the
        # field checks judge them directly; the rules read them in the public types, through compact.Table
        held = load.load(descriptor, report.problems, compact=True)
        tables = {name: compact.Table(frame) for name, frame in held.tables.items()}
        joins = keys.Joins(tables)
        checks = []
        for name, frame in held.tables.items():
            checks += schema.field_checks(descriptor, name, held.untyped, frame, held.controls)
            checks += schema.foreign_key_checks(descriptor, name, joins)
        joins.prefetch([lookup for name in held.tables for lookup in schema.foreign_key_lookups(descriptor, name)])
        schema.run(checks, held.tables, files, report.problems)
        schema.run(rules.checks(descriptor, joins), tables, files, report.problems)
    if check_quotes and sources is not None and "sources" in tables:
        report.texts_not_checked = texts.missing(sources, tables["sources"])
        if require_sources:
            report.problems += [Problem("sources", None, "source_id", "text-present", s,
                                        f"{s}.txt not found in the sources folder: set SOURCES_DIR or --sources",
                                        files["sources"]) for s in report.texts_not_checked]
        report.problems += provenance.check(descriptor, tables, sources)
    return report
