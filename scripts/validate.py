"""Validate the data package: descriptor, schemas from the descriptor, rules, provenance.

Usage: python scripts/validate.py [--package datapackage.json] [--sources DIR]
                                  [--format text|json] [--require-sources] [--skip-quotes]
Exit 0 valid, 1 invalid, 2 usage error or unreadable input. Writes nothing.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

import descriptor as descriptor_module
import keys
import load
import paths
import provenance
import rules
import schema
from problems import Problem, format_json, format_text


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    texts_not_checked: list[str] = field(default_factory=list)  # source ids whose text was not found


def validate(descriptor_path: Path, sources: Path | None, require_sources: bool = False,
             check_quotes: bool = True) -> Report:
    """Every problem of the package; raises UnreadableInput for input that cannot be read."""
    descriptor = descriptor_module.read(descriptor_path)
    report = Report(descriptor_module.check(descriptor))
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package", type=Path, default=paths.DESCRIPTOR, help="datapackage.json to validate")
    parser.add_argument("--sources", type=Path, default=None,
                        help="folder of the source texts (default: $SOURCES_DIR or sources/)")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument("--require-sources", action="store_true", default=paths.sources_required(),
                        help="fail when a source text is missing (default: $REQUIRE_SOURCES)")
    parser.add_argument("--skip-quotes", action="store_true", help="skip the check of quotes and text hashes")
    args = parser.parse_args(argv)
    sources = args.sources or paths.sources_dir()
    try:
        report = validate(args.package, sources, args.require_sources, not args.skip_quotes)
    except descriptor_module.UnreadableInput as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(format_json(report.problems) if args.format == "json" else format_text(report.problems))
    if report.texts_not_checked and not args.require_sources:
        print(f"note: {', '.join(report.texts_not_checked)} not found in {sources}: their quotes and hashes were "
              "not checked (set SOURCES_DIR)", file=sys.stderr)
    return 1 if report.problems else 0


if __name__ == "__main__":
    sys.exit(main())
