"""The `returnee-journeys` command: one entry point over the whole pipeline.

    returnee-journeys validate [--package PATH] [--sources DIR] [--format text|json] ...
    returnee-journeys figures  [--package PATH] [--out DIR] [NAME ...]
    returnee-journeys exports  [--package PATH] [--out DIR]
    returnee-journeys qdpx     [--package PATH] [--sources DIR] [--out DIR]
    returnee-journeys release  [--out DIR]
    returnee-journeys docs     [--check]
    returnee-journeys bench    [N ...]
    returnee-journeys synthetic N OUT [--seed S]

Exit codes: 0 done (valid), 1 invalid data, 2 usage error or unreadable input.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from .model import paths
from .model.descriptor import UnreadableInput
from .model.journeys import InvalidData


def _print_paths(written: list[Path]) -> None:
    for path in written:
        print(path.relative_to(paths.OUTPUT) if path.is_relative_to(paths.OUTPUT) else path)


def _validate(args) -> int:
    from .model.problems import format_json, format_text
    from .validation.validate import validate

    sources = args.sources or paths.sources_dir()
    report = validate(paths.descriptor(args.package), sources, args.require_sources, not args.skip_quotes)
    print(format_json(report.problems) if args.format == "json" else format_text(report.problems))
    if report.texts_not_checked and not args.require_sources:
        print(f"note: {', '.join(report.texts_not_checked)} not found in {sources}: their quotes and hashes were "
              "not checked (set SOURCES_DIR)", file=sys.stderr)
    return 1 if report.problems else 0


def _figures(args) -> int:
    from . import figures

    unknown = sorted(set(args.names) - set(figures.FIGURES))
    if unknown:
        print(f"error: no figure named {', '.join(unknown)}; choose from {', '.join(sorted(figures.FIGURES))}",
              file=sys.stderr)
        return 2
    _print_paths(figures.draw(args.out, args.names, args.package))
    return 0


def _exports(args) -> int:
    from . import exports
    from .exports import web_annotations

    written = exports.write_all(args.out, args.package)
    _print_paths(written)
    if not any(p.name == web_annotations.FILE for p in written):
        print(f"note: {web_annotations.FILE} not written: the source texts are not all in {paths.sources_dir()} "
              "(set SOURCES_DIR)", file=sys.stderr)
    return 0


def _qdpx(args) -> int:
    from .exports import qdpx

    archive = qdpx.build(args.out, args.package, args.sources)
    shown = archive.relative_to(paths.OUTPUT) if archive.is_relative_to(paths.OUTPUT) else archive
    print(f"{hashlib.sha256(archive.read_bytes()).hexdigest()}  {shown}")
    print("note: the .qdpx holds the copyrighted texts: keep it for your own analysis, never redistribute it",
          file=sys.stderr)
    return 0


def _release(args) -> int:
    from .exports import web_annotations
    from .model import journeys
    from .publish import release

    web_annotations.require_for_release(journeys.read(), paths.sources_dir(), paths.DIST / "exports")
    archive = release.build(paths.ROOT, args.out)
    print(f"{hashlib.sha256(archive.read_bytes()).hexdigest()}  {archive}")
    return 0


def _docs(args) -> int:
    from .publish import docs

    return docs.update(check=args.check)


def _bench(args) -> int:
    from . import bench

    return bench.run([str(n) for n in args.sizes])


def _synthetic(args) -> int:
    from .bench import synthetic

    print(synthetic.generate(args.n, args.out, args.seed))
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="returnee-journeys", description=__doc__.splitlines()[0])
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    package = argparse.ArgumentParser(add_help=False)
    package.add_argument("--package", type=Path, default=None,
                         help="datapackage.json (or its folder) to use; default: this project's package")

    validate = commands.add_parser("validate", parents=[package], help="validate a journey package")
    validate.add_argument("--sources", type=Path, default=None,
                          help="folder of the source texts (default: $SOURCES_DIR or sources/)")
    validate.add_argument("--format", choices=["text", "json"], default="text")
    validate.add_argument("--require-sources", action="store_true", default=paths.sources_required(),
                          help="fail when a source text is missing (default: $REQUIRE_SOURCES)")
    validate.add_argument("--skip-quotes", action="store_true", help="skip the check of quotes and text hashes")
    validate.set_defaults(run=_validate)

    figures = commands.add_parser("figures", parents=[package], help="draw the figures (PNG and SVG)")
    figures.add_argument("--out", type=Path, default=paths.FIGURES)
    figures.add_argument("names", nargs="*", metavar="NAME", help="figures to draw (default: all)")
    figures.set_defaults(run=_figures)

    exports = commands.add_parser("exports", parents=[package],
                                  help="write SQLite, Parquet, XLSX, sequence and REFI-QDA codebook files, and "
                                       "the web annotations when the texts are there")
    exports.add_argument("--out", type=Path, default=paths.DIST / "exports")
    exports.set_defaults(run=_exports)

    qdpx = commands.add_parser("qdpx", parents=[package],
                               help="build the REFI-QDA project (.qdpx, with the texts: never released)")
    qdpx.add_argument("--sources", type=Path, default=None,
                      help="folder of the source texts (default: $SOURCES_DIR or sources/)")
    qdpx.add_argument("--out", type=Path, default=paths.DIST / "exports")
    qdpx.set_defaults(run=_qdpx)

    release = commands.add_parser("release", help="build the reproducible release zip (needs the source texts)")
    release.add_argument("--out", type=Path, default=paths.DIST)
    release.set_defaults(run=_release)

    docs = commands.add_parser("docs", help="regenerate the README's generated sections")
    docs.add_argument("--check", action="store_true", help="exit 1 when they are stale; write nothing")
    docs.set_defaults(run=_docs)

    bench = commands.add_parser("bench", help="time validation against frictionless on synthetic packages")
    bench.add_argument("sizes", nargs="*", type=int, metavar="N", help="persons per synthetic package (0: the real one)")
    bench.set_defaults(run=_bench)

    synthetic = commands.add_parser("synthetic", help="write a seeded synthetic package of N persons")
    synthetic.add_argument("n", type=int)
    synthetic.add_argument("out", type=Path)
    synthetic.add_argument("--seed", type=int, default=1)
    synthetic.set_defaults(run=_synthetic)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except UnreadableInput as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except InvalidData as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
