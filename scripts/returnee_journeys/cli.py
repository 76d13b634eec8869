"""The `returnee-journeys` command: one entry point over the whole pipeline.

    returnee-journeys validate [--package PATH] [--sources DIR] [--format text|json] [--engine fast|pandera] ...
    returnee-journeys figures  [--package PATH] [--out DIR] [NAME ...]
    returnee-journeys exports  [--package PATH] [--out DIR]
    returnee-journeys qdpx     [--package PATH] [--sources DIR] [--out DIR]
    returnee-journeys release  [--out DIR]
    returnee-journeys agreement [PACKAGE] [--round N] [--format text|json]
    returnee-journeys import-coding [PACKAGE] --coder NAME (--from DIR | --from-package) [--sources DIR]
    returnee-journeys docs     [--check]
    returnee-journeys bench    [N ...]
    returnee-journeys synthetic N OUT [--seed S]

Exit codes: 0 done (valid), 1 invalid data, 2 usage error or unreadable input.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import signal
import sys
from pathlib import Path

from .model import paths
from .model.descriptor import UnreadableInput
from .model.journeys import InvalidData


def _print_paths(written: list[Path]) -> None:
    for path in written:
        print(path.relative_to(paths.OUTPUT) if path.is_relative_to(paths.OUTPUT) else path)


def _sources(args) -> Path:
    """The texts' folder; one named explicitly (--sources or SOURCES_DIR) must exist."""
    explicit = getattr(args, "sources", None) or (Path(os.environ["SOURCES_DIR"]) if os.environ.get("SOURCES_DIR") else None)
    if explicit is not None and not explicit.is_dir():
        raise UnreadableInput(f"the sources folder {explicit} does not exist (--sources or SOURCES_DIR)")
    return explicit or paths.sources_dir()


def _validate(args) -> int:
    from .model.problems import format_json, format_text
    from .validation.validate import validate

    sources = _sources(args)
    report = validate(paths.descriptor(args.package), sources, args.require_sources, not args.skip_quotes,
                      engine=args.engine)
    print(format_json(report.problems) if args.format == "json" else format_text(report.problems))
    if report.texts_not_checked and not args.require_sources and not args.skip_quotes:
        print(f"note: {', '.join(report.texts_not_checked)} not found in {sources}: their quotes and hashes were "
              "not checked (set SOURCES_DIR)", file=sys.stderr)
    return 1 if report.problems else 0


def _gate(args, require_sources: bool = False) -> int:
    """Figures, exports and the release are made only from a package that validates (the texts
    too, where present; for the release they must be)."""
    from .model.problems import format_text
    from .validation.validate import validate

    package = getattr(args, "package", None)
    report = validate(paths.descriptor(package), _sources(args), require_sources or paths.sources_required())
    if report.problems:
        print(format_text(report.problems), file=sys.stderr)
        print(f"error: {paths.descriptor(package)} does not validate; nothing was written "
              "(run `returnee-journeys validate`)", file=sys.stderr)
        return 1
    return 0


def _require_texts(sources: Path) -> None:
    """The release is made only with every source text at hand: exit 2 when one is missing."""
    from .model import descriptor, load
    from .validation import provenance

    package = descriptor.read(paths.DESCRIPTOR)
    listed = load.read_resource(package, "sources", [])
    missing = provenance.missing_texts(sources, listed) if listed is not None else []
    if missing:
        raise UnreadableInput(f"the release needs the source texts: {', '.join(missing)} not found in {sources} "
                              "(set SOURCES_DIR)")


def _figures(args) -> int:
    from . import figures

    if _gate(args):
        return 1

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

    if _gate(args):
        return 1
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

    _require_texts(_sources(args))
    if _gate(args, require_sources=True):
        return 1
    web_annotations.require_for_release(journeys.read(), paths.sources_dir(), paths.DIST / "exports")
    archive = release.build(paths.ROOT, args.out)
    print(f"{hashlib.sha256(archive.read_bytes()).hexdigest()}  {archive}")
    return 0


def _agreement(args) -> int:
    import json

    from . import load
    from .model import agreement

    args.package = args.package_path or args.package
    if _gate(args):
        return 1
    rounds = agreement.agreement(load(paths.descriptor(args.package), bounds=False), args.round, args.resamples,
                                 args.seed)
    if args.format == "json":
        print(json.dumps([r.as_dict() for r in rounds], indent=2, ensure_ascii=False))
    else:
        print(agreement.text(rounds), end="")
    return 0


def _import_coding(args) -> int:
    from .model import coders

    if (args.source is None) == (not args.from_package):
        raise UnreadableInput("give one of --from DIR (a coder's codings.csv and ledger.csv) or --from-package")
    package = paths.descriptor(args.package_path or args.package)
    codings, ledger = coders.import_coding(package, args.coder, args.source, _sources(args))
    print(f"{args.coder}: {codings} codings, {ledger} ledger rows in {package.parent}")
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
    validate.add_argument("--engine", choices=["fast", "pandera"], default="fast",
                          help="check the tables with the vectorised checks (fast, the default) or through the "
                               "pandera schemas built from the descriptor (the same problems, slower)")
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

    agree = commands.add_parser("agreement", parents=[package],
                                help="Krippendorff's alpha per coded variable for each reliability round")
    agree.add_argument("package_path", nargs="?", type=Path, default=None, metavar="PACKAGE",
                       help="datapackage.json (or its folder); default: this project's package")
    agree.add_argument("--round", type=int, default=None, help="only this round (reliability_rounds.round)")
    agree.add_argument("--format", choices=["text", "json"], default="text")
    agree.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples for the 95%% interval")
    agree.add_argument("--seed", type=int, default=2026, help="the bootstrap's seed (the same seed, the same interval)")
    agree.set_defaults(run=_agreement)

    imports = commands.add_parser("import-coding", parents=[package],
                                  help="put one coder's coding into codings_by_coder and ledger_by_coder")
    imports.add_argument("package_path", nargs="?", type=Path, default=None, metavar="PACKAGE",
                         help="datapackage.json (or its folder); default: this project's package")
    imports.add_argument("--coder", required=True, help="the coder's identifier (replaces their earlier rows)")
    imports.add_argument("--from", dest="source", type=Path, default=None, metavar="DIR",
                         help="folder with the coder's codings.csv and ledger.csv")
    imports.add_argument("--from-package", action="store_true",
                         help="take the package's own codings and ledger as this coder's")
    imports.add_argument("--sources", type=Path, default=None,
                         help="folder of the source texts (default: $SOURCES_DIR or sources/)")
    imports.set_defaults(run=_import_coding)

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


def _terminate(signum, frame):  # SIGTERM as an interrupt: temporary files are removed on the way out
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Exit 0 (done, valid), 1 (invalid data, with a report), 2 (unreadable or unsupported input, one
    line on stderr). Never a traceback."""
    args = parser().parse_args(argv)
    try:
        previous = signal.signal(signal.SIGTERM, _terminate)
    except ValueError:  # not the main thread
        previous = None
    try:
        return args.run(args)
    except UnreadableInput as error:
        print(f"error: {_line(error)}", file=sys.stderr)
        return 2
    except InvalidData as error:
        print(f"error: {_line(error)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except RecursionError:
        print("error: the input is nested too deeply to read", file=sys.stderr)
        return 2
    except MemoryError:
        print("error: the input does not fit in memory", file=sys.stderr)
        return 2
    except OSError as error:
        print(f"error: {_line(error.strerror or error)}" + (f": {_line(error.filename)}" if error.filename else ""),
              file=sys.stderr)
        return 2
    except Exception as error:  # noqa: BLE001 — the last resort: one line, never a traceback
        print(f"error: internal error ({type(error).__name__}: {_line(error)}); please report it", file=sys.stderr)
        return 2
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _line(value, width: int = 2000) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"
