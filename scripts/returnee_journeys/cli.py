"""The `returnee-journeys` command: one entry point over the whole pipeline.

Every command acts on one package (a datapackage.json or its folder; default ./datapackage.json;
--bundled: the dataset shipped with the instrument) and prints it as its first line (to stderr with
`--format json`). Exit codes: 0 done (valid), 1 invalid data, 2 usage error, unreadable input or a
library the light install leaves out (the message names the extra), 130/143 on SIGINT/SIGTERM, 141
when the reader of the output leaves (`| head -1`).
"""
from __future__ import annotations

import _signal as signal  # the C module: the `signal` module imports enum, which takes a while
import os
import sys

_EXIT_CODES = {signal.SIGINT: 130, signal.SIGTERM: 143}
_NAMES = {signal.SIGINT: "SIGINT", signal.SIGTERM: "SIGTERM"}
_phase = ["starting"]  # starting (nothing written yet) → running (a command) → finishing (cleaning up)


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM during a command: raised where it runs, so that its clean-up runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(_NAMES.get(signum, str(signum)))
        self.code = _EXIT_CODES.get(signum, 130)


def _on_signal(signum, frame):
    if _phase[0] == "running":
        _phase[0] = "finishing"  # a second signal does not interrupt the clean-up of the first
        raise Interrupted(signum)
    if _phase[0] == "starting":  # before or after a command: nothing of it to clean up
        os.write(2, b"error: interrupted\n")
        os._exit(_EXIT_CODES.get(signum, 130))


def _install_signal_handlers() -> dict:
    """Our handlers for SIGINT and SIGTERM; returns the previous ones ({} off the main thread)."""
    try:
        return {s: signal.signal(s, _on_signal) for s in _EXIT_CODES}
    except ValueError:  # not the main thread
        return {}


# First thing when started as the command (not when imported by a program or the tests): an
# interrupt while the rest is still being imported is one line too, not a traceback.
if os.path.basename(sys.argv[0] if sys.argv else "") in ("returnee-journeys", "__main__.py"):
    _install_signal_handlers()

import argparse  # noqa: E402
import hashlib  # noqa: E402
from pathlib import Path  # noqa: E402

from .context import Context  # noqa: E402
from .model import terminal  # noqa: E402
from .model.paths import sources_required  # noqa: E402
from .model.descriptor import InvalidData, UnreadableInput  # noqa: E402


def _context(args, banner=None) -> Context:
    """THE package of this command: the one named (positional or --package), --bundled, else
    ./datapackage.json. Made once; its first line of output says which it is."""
    named = getattr(args, "package_option", None) or getattr(args, "package", None)
    if getattr(args, "bundled", False):
        if named is not None:
            raise UnreadableInput("name a package or use --bundled, not both")
        from .model import paths

        named = paths.DESCRIPTOR
    elif getattr(args, "package_option", None) and getattr(args, "package", None):
        raise UnreadableInput("name the package once: as the argument or with --package, not both")
    ctx = Context.open(named, sources=getattr(args, "sources", None))
    print(ctx.banner(), file=banner or sys.stdout, flush=True)
    return ctx


def _shown(path: Path, ctx: Context) -> Path:
    return path.relative_to(ctx.folder) if path.is_relative_to(ctx.folder) else path


def _validate(args) -> int:
    # the package first: a usage error exits before the validator's libraries are imported
    ctx = _context(args, sys.stderr if args.format == "json" else sys.stdout)
    from .model.problems import format_json, format_text
    from .validation.validate import validate

    required = args.require_sources or sources_required()
    report = validate(ctx.path, ctx.sources, required, not args.skip_quotes)
    print(format_json(report.problems) if args.format == "json" else format_text(report.problems))
    if report.texts_not_checked and not required and not args.skip_quotes:
        print(f"note: {', '.join(report.texts_not_checked)} not found in {ctx.sources}: their quotes and hashes "
              "were not checked (--sources or SOURCES_DIR)", file=sys.stderr)
    return 1 if report.problems else 0


def _gate(ctx: Context, require_sources: bool = False) -> int:
    """1, with a message, unless the package validates (the texts too, where present; for the release
    they must be) and holds a person (as `init` writes it, it has none): nothing is made from it."""
    from .model import load
    from .model.problems import format_text
    from .validation.validate import validate

    report = validate(ctx.path, ctx.sources, require_sources or sources_required())
    if report.problems:
        print(format_text(report.problems), file=sys.stderr)
        import shlex

        print(f"error: {ctx.path} does not validate; nothing was written "
              f"(run `returnee-journeys validate {shlex.quote(str(ctx.path))}`)", file=sys.stderr)
        return 1
    persons = load.read_resource(ctx.descriptor, "persons")
    if persons is not None and len(persons) == 0:
        print(f"error: {ctx.path} holds no journeys yet (persons has no rows): nothing was written "
              "(code a person first: see docs/start-a-package.md)", file=sys.stderr)
        return 1
    return 0


def _check_out(args, kind: str, default: Path) -> None:
    """An --out folder the command may not write into is refused (exit 2) before any work is done."""
    from .model import files

    if getattr(args, "out", None) is not None and not files.same_path(args.out, default):
        files.check_output(args.out, kind)


def _require_texts(ctx: Context) -> None:
    """The release is made only with every source text at hand: exit 2 when one is missing."""
    from .model import load, texts

    listed = load.read_resource(ctx.descriptor, "sources")
    missing = texts.missing(ctx.sources, listed) if listed is not None else []
    if missing:
        raise UnreadableInput(f"the release needs the source texts: {', '.join(missing)} not found in "
                              f"{ctx.sources} (--sources or SOURCES_DIR)")


def _figures(args) -> int:
    from . import figures

    names = list(args.names)
    # the first argument, when it is not a figure's name, is the package; so is a folder named like a
    # figure that holds a package, where the current folder holds none
    first_is_package = names and (names[0] not in figures.FIGURES or (
        not Path("datapackage.json").is_file() and Path(names[0], "datapackage.json").is_file()))
    args.package = Path(names.pop(0)) if first_is_package and not (args.package_option or args.bundled) else None
    unknown = [n for n in names if n not in figures.FIGURES]
    if args.package is not None and not args.package.exists() and len(args.package.parts) == 1 \
            and args.package.suffix != ".json":
        unknown.insert(0, f"{args.package} (nor a package there)")  # a mistyped figure's name, not a package
    if unknown:
        print(f"error: no figure named {', '.join(unknown)}; choose from {', '.join(sorted(figures.FIGURES))}",
              file=sys.stderr)
        return 2
    ctx = _context(args)
    _check_out(args, "figures", ctx.figures)
    if _gate(ctx):
        return 1
    for path in figures.draw(ctx, names, args.out):
        print(_shown(path, ctx))
    return 0


def _exports(args) -> int:
    ctx = _context(args)  # the package's line first, then the exporters' libraries
    from . import exports
    from .exports import web_annotations

    _check_out(args, "exports", ctx.exports)
    if _gate(ctx):
        return 1
    written = exports.write_all(ctx, args.out)
    for path in written:
        print(_shown(path, ctx))
    if not any(p.name == web_annotations.FILE for p in written):
        print(f"note: {web_annotations.FILE} not written: the source texts are not all in {ctx.sources} "
              "(--sources or SOURCES_DIR)", file=sys.stderr)
    return 0


def _qdpx(args) -> int:
    ctx = _context(args)
    from .exports import qdpx
    from .model import load, texts

    _check_out(args, "qdpx", ctx.exports)
    listed = load.read_resource(ctx.descriptor, "sources")
    if listed is not None:  # every text there and the copy that was coded, else exit 2 ...
        texts.verified(listed, ctx.sources)
    if _gate(ctx):  # ... and a package that validates, else exit 1: nothing written either way
        return 1
    archive = qdpx.build(ctx, args.out)
    print(f"{hashlib.sha256(archive.read_bytes()).hexdigest()}  {_shown(archive, ctx)}")
    print("note: the .qdpx holds the copyrighted texts: keep it for your own analysis, never redistribute it",
          file=sys.stderr)
    return 0


def _release(args) -> int:
    ctx = _context(args)
    from .model import files
    from .publish import release

    _check_out(args, "release", ctx.dist)
    _require_texts(ctx)
    if _gate(ctx, require_sources=True):
        return 1
    strict = args.out is not None and not files.same_path(args.out, ctx.dist)
    archive = release.build(ctx, args.out or ctx.dist, strict=strict)  # its exports and figures made afresh
    print(f"{hashlib.sha256(archive.read_bytes()).hexdigest()}  {archive}")
    return 0


def _agreement(args) -> int:
    import json

    from . import load
    from .model import agreement

    ctx = _context(args, sys.stderr if args.format == "json" else sys.stdout)
    if _gate(ctx):
        return 1
    rounds = agreement.agreement(load(ctx.path, bounds=False), args.round, args.resamples, args.seed)
    if args.format == "json":
        print(json.dumps([r.as_dict() for r in rounds], indent=2, ensure_ascii=False))
    else:
        print(agreement.text(rounds), end="")
    return 0


def _import_coding(args) -> int:
    from .model import coders

    if (args.source is None) == (not args.from_package):
        raise UnreadableInput("give one of --from DIR (a coder's codings.csv and ledger.csv) or --from-package")
    ctx = _context(args)
    codings, ledger = coders.import_coding(ctx.path, args.coder, args.source, ctx.sources)
    print(f"{args.coder}: {codings} codings and {ledger} ledger rows written to codings_by_coder and ledger_by_coder")
    return 0


def _docs(args) -> int:
    from .publish import docs

    ctx = _context(args)
    if _gate(ctx):  # a package that does not validate is never rendered into its docs
        return 1
    return docs.update(ctx, check=args.check)


def _init(args) -> int:
    from .publish import init

    for path in init.create(args.folder, name=args.name, title=args.title, licence=args.licence,
                            homes=args.home or ["RU"]):
        print(path)
    return 0


def _bench(args) -> int:
    from . import bench

    return bench.run([str(n) for n in args.sizes])


def _synthetic(args) -> int:
    from .bench import synthetic

    print(synthetic.generate(args.n, args.out, args.seed))
    return 0


def _arg(*flags: str, **options) -> tuple[tuple[str, ...], dict]:
    return flags, options


def _at_least(low: int):
    """An argparse type: an integer of at least `low`; anything else is a usage error (exit 2)."""
    def parse(text: str) -> int:
        value = int(text)
        if value < low:
            raise argparse.ArgumentTypeError(f"{text}: must be at least {low}")
        return value
    parse.__name__ = "int"  # argparse names the type in its message: "invalid int value"
    return parse


def _out(default: str) -> tuple[tuple[str, ...], dict]:
    return _arg("--out", type=Path, default=None, help=f"folder to write into (default: {default})")


_PACKAGE = _arg("package", nargs="?", type=Path, default=None, metavar="PACKAGE",
                help="datapackage.json, or the folder holding one (default: ./datapackage.json)")
_NAMED = [_arg("--package", dest="package_option", type=Path, default=None, metavar="PACKAGE",
               help="the package, as an option (the same as the argument)"),
          _arg("--bundled", action="store_true",
               help="act on the dataset shipped with the instrument (Russian Returnee Journeys)")]
_SOURCES = _arg("--sources", type=Path, default=None,
                help="folder of the source texts (default: $SOURCES_DIR, else the package's sources/, "
                     "which also wins over a SOURCES_DIR holding none of its texts)")
_FORMAT = _arg("--format", choices=["text", "json"], default="text",
               help="text, or json (then the line naming the package goes to stderr)")
_ON_PACKAGE = [_PACKAGE, *_NAMED, _SOURCES]

# name → (run, help, example, its arguments in the order of the help)
COMMANDS = {
    "validate": (_validate, "validate a journey package", "returnee-journeys validate my-package/ --sources texts/", [
        *_ON_PACKAGE, _FORMAT,
        _arg("--require-sources", action="store_true",
             help="fail when a source text is missing (default: $REQUIRE_SOURCES)"),
        _arg("--skip-quotes", action="store_true", help="skip the check of quotes and text hashes")]),
    "figures": (_figures, "draw the figures (PNG and SVG) into the package's figures/",
                "returnee-journeys figures my-package/ timeline routes", [
                    *_NAMED, _SOURCES, _out("<package>/figures"),
                    _arg("names", nargs="*", metavar="[PACKAGE] NAME",
                         help="the package (datapackage.json or its folder; default ./datapackage.json), then the "
                              "figures to draw (default: all)")]),
    "exports": (_exports, "write SQLite, Parquet, XLSX, sequence and REFI-QDA codebook files, and the web annotations "
                "when the texts are there, into the package's dist/exports/",
                "returnee-journeys exports my-package/ --out /tmp/exports",
                [*_ON_PACKAGE, _out("<package>/dist/exports")]),
    "qdpx": (_qdpx, "build the REFI-QDA project (.qdpx, with the texts: never released)",
             "returnee-journeys qdpx my-package/ --sources texts/", [*_ON_PACKAGE, _out("<package>/dist/exports")]),
    "release": (_release, "build the reproducible release zip (needs the source texts; writes its exports and "
                "draws its figures afresh)",
                "returnee-journeys release my-package/ --sources texts/", [*_ON_PACKAGE, _out("<package>/dist")]),
    "agreement": (_agreement, "Krippendorff's alpha (nominal) per coded variable for each reliability round of the "
                  "package (reliability_rounds), with units, observed agreement and a bootstrap 95 percent interval",
                  "returnee-journeys agreement reliability/ --round 1", [
                      *_ON_PACKAGE,
                      _arg("--round", type=int, default=None, help="only this round (reliability_rounds.round)"),
                      _FORMAT,
                      _arg("--resamples", type=_at_least(0), default=1000, help="bootstrap resamples for the 95%% interval"),
                      _arg("--seed", type=_at_least(0), default=2026, help="the bootstrap's seed (same seed, same interval)")]),
    "import-coding": (_import_coding, "put one coder's coding (codings and ledger) into the package's "
                      "codings_by_coder and ledger_by_coder, replacing that coder's earlier rows",
                      "returnee-journeys import-coding my-package/ --coder blind-b --from coder-b/", [
                          *_ON_PACKAGE, _arg("--coder", required=True, help="the coder's identifier"),
                          _arg("--from", dest="source", type=Path, default=None, metavar="DIR",
                               help="folder with the coder's codings.csv and ledger.csv"),
                          _arg("--from-package", action="store_true",
                               help="take the package's own codings and ledger as this coder's")]),
    "docs": (_docs, "regenerate the generated sections of the package's README.md and docs/comparison.md",
             "returnee-journeys docs my-package/ --check", [
                 _PACKAGE, *_NAMED,
                 _arg("--check", action="store_true", help="exit 1 when they are stale; write nothing")]),
    "init": (_init, "start a new, empty journey package in DIR (a new or empty folder)",
             "returnee-journeys init belarus-returns --title 'Belarusian Returnee Journeys' --home BY", [
                 _arg("folder", type=Path, metavar="DIR"),
                 _arg("--name", default=None, help="the package's name (lowercase, hyphens; default: from DIR)"),
                 _arg("--title", default=None, help="the package's title (default: from the name)"),
                 _arg("--licence", "--license", default="CC-BY-4.0",
                      help="the data's licence, an SPDX id (default: CC-BY-4.0)"),
                 _arg("--home", action="append", metavar="CC",
                      help="a home country of the journeys (ISO 3166-1 alpha-2); repeat for several (default: RU)")]),
    "bench": (_bench, "time validation against frictionless on synthetic packages",
              "returnee-journeys bench 1000 10000",
              [_arg("sizes", nargs="*", type=_at_least(0), metavar="N",
                    help="persons per synthetic package (0: the real one)")]),
    "synthetic": (_synthetic, "write a seeded synthetic package of N persons",
                  "returnee-journeys synthetic 100 /tmp/synthetic --seed 2",
                  [_arg("n", type=_at_least(1)), _arg("out", type=Path), _arg("--seed", type=_at_least(0), default=1)]),
}


class _Version(argparse.Action):
    """--version, looked up only when asked for (importlib.metadata is slow to import)."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help="print the version and exit")

    def __call__(self, parser, *args):
        from . import __version__

        print(f"returnee-journeys {__version__}")
        parser.exit()


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="returnee-journeys", description=__doc__.splitlines()[0],
                                  epilog="example:\n  returnee-journeys validate path/to/package",
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--version", action=_Version)
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (run, help, example, arguments) in COMMANDS.items():
        command = commands.add_parser(name, help=help, description=help, epilog=f"example:\n  {example}\n",
                                      formatter_class=argparse.RawDescriptionHelpFormatter)
        command.set_defaults(run=run)
        for flags, options in arguments:
            command.add_argument(*flags, **options)
    return top


def main(argv: list[str] | None = None) -> int:
    """Exit 0 (done, valid), 1 (invalid data, with a report), 2 (unreadable or unsupported input, one
    line on stderr), 130/143 (interrupted), 141 (the reader of stdout left). Never a traceback; nothing
    printed drives the terminal."""
    previous = _install_signal_handlers()
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = terminal.Escaped(sys.stdout), terminal.Escaped(sys.stderr)
    try:
        return _run(argv)
    finally:
        _phase[0] = "starting"
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        sys.stdout, sys.stderr = streams
        for number, handler in previous.items():
            signal.signal(number, handler if handler is not None else signal.SIG_DFL)


def _fail(message, code: int) -> int:
    print(f"error: {_line(message)}", file=sys.stderr)
    return code


def _run(argv: list[str] | None) -> int:
    try:
        args = parser().parse_args(argv)
        _phase[0] = "running"
        return args.run(args)
    except UnreadableInput as error:
        return _fail(error, 2)
    except InvalidData as error:
        return _fail(error, 1)
    except KeyboardInterrupt as error:
        _phase[0] = "finishing"
        return _fail("interrupted", getattr(error, "code", 130))
    except ImportError as error:
        from .extras import hint

        return _fail(hint(error) or f"internal error ({type(error).__name__}: {error}); please report it", 2)
    except RecursionError:
        return _fail("the input is nested too deeply to read", 2)
    except MemoryError:
        return _fail("the input does not fit in memory", 2)
    except BrokenPipeError:  # the reader left (`| head -1`): no error of the input; stop as on SIGPIPE
        try:
            quiet = os.open(os.devnull, os.O_WRONLY)
            os.dup2(quiet, sys.stdout.fileno())  # what is still buffered for stdout goes nowhere
            os.close(quiet)
        except (OSError, ValueError):
            pass
        return 141
    except OSError as error:
        return _fail(f"{error.strerror or error}" + (f": {error.filename}" if error.filename else ""), 2)
    except Exception as error:  # the last resort: one line, never a traceback
        return _fail(f"internal error ({type(error).__name__}: {error}); please report it", 2)


def _line(value, width: int = 2000) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"
