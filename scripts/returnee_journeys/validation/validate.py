"""Validate a journey package: the descriptor, schemas built from it, rules between tables,
and (when the texts are at hand) every quote and text hash. Reads only; writes nothing."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..model import descriptor as descriptor_module
from . import descriptor_checks
from ..model import keys
from ..model import load
from . import provenance
from . import rules
from . import schema
from ..model.problems import Problem


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    texts_not_checked: list[str] = field(default_factory=list)  # source ids whose text was not found


def validate(descriptor_path: Path, sources: Path | None, require_sources: bool = False,
             check_quotes: bool = True) -> Report:
    """Every problem of the package; raises UnreadableInput for input that cannot be read."""
    descriptor = descriptor_module.read(descriptor_path)
    report = Report(descriptor_checks.check(descriptor))
    if report.problems:
        return report
    loaded = load.load(descriptor)
    report.problems += loaded.problems
    tables = loaded.tables
    book = schema.RuleBook()
    joins = keys.Joins(tables)
    for name, frame in tables.items():
        structural = schema.build(descriptor, name, joins, book)
        report.problems += schema.run(structural, frame, book, descriptor.resource(name)["path"])
    for name, rule_schema in rules.schemas(descriptor, joins, book).items():
        report.problems += schema.run(rule_schema, tables[name], book, descriptor.resource(name)["path"])
    if check_quotes and sources is not None and "sources" in tables:
        report.texts_not_checked = provenance.missing_texts(sources, tables["sources"])
        if require_sources:
            report.problems += [Problem("sources", None, "source_id", "text-present", s,
                                        f"{provenance.text_path(sources, s)} not found: set SOURCES_DIR or --sources",
                                        descriptor.resource("sources")["path"]) for s in report.texts_not_checked]
        report.problems += provenance.check(descriptor, tables, sources)
    return report
