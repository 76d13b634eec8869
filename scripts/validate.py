"""Validate the data package: descriptor, schemas from the descriptor, rules, provenance.

Usage: python scripts/validate.py [--package datapackage.json] [--sources DIR]
                                  [--format text|json] [--require-sources] [--skip-quotes]
Exit 0 valid, 1 invalid, 2 usage error or unreadable input. Writes nothing.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import descriptor as descriptor_module
import keys
import load
import paths
import provenance
import rules
import schema
from problems import Problem, format_json, format_text


def validate(descriptor_path: Path, sources: Path | None, require_sources: bool = False,
             check_quotes: bool = True) -> list[Problem]:
    """All problems of the package; raises UnreadableInput for input that cannot be read."""
    descriptor = descriptor_module.read(descriptor_path)
    problems = descriptor_module.check(descriptor)
    if problems:
        return problems
    loaded = load.load(descriptor)
    problems = list(loaded.problems)
    tables = loaded.tables
    book = schema.RuleBook()
    joins = keys.Joins(tables)
    for name, frame in tables.items():
        structural = schema.build(descriptor, name, joins, book)
        problems += schema.run(structural, frame, book, descriptor.resource(name)["path"])
    for name, rule_schema in rules.schemas(descriptor, joins, book).items():
        problems += schema.run(rule_schema, tables[name], book, descriptor.resource(name)["path"])
    if sources is not None and "sources" in tables:
        missing = provenance.missing_texts(sources, tables["sources"])
        if missing and require_sources:
            problems += [Problem("sources", None, "source_id", "text-present", s,
                                 f"{provenance.text_path(sources, s)} not found: set SOURCES_DIR or --sources",
                                 descriptor.resource("sources")["path"]) for s in missing]
        if check_quotes:
            problems += provenance.check(descriptor, tables, sources)
    return problems


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
        problems = validate(args.package, sources, args.require_sources, not args.skip_quotes)
    except descriptor_module.UnreadableInput as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(format_json(problems) if args.format == "json" else format_text(problems))
    if not args.skip_quotes and not problems and provenance.missing_texts(sources, load_sources(args.package)):
        print(f"note: source texts not found in {sources}; quotes and hashes were not checked", file=sys.stderr)
    return 1 if problems else 0


def load_sources(descriptor_path: Path):
    descriptor = descriptor_module.read(descriptor_path)
    return load.read_resource(descriptor, "sources", [])


if __name__ == "__main__":
    sys.exit(main())
