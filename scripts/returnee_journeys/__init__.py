"""Russian Returnee Journeys: read, validate, draw and export journey data packages.

    >>> import returnee_journeys
    >>> tables = returnee_journeys.load()            # this project's package, or load("path/to/datapackage.json")
    >>> tables["stages"].dtypes["seq"]               # typed by the descriptor
    Int64Dtype()

What `load`, `validate` and `schemas` return: README.md ("Use it from Python") and docs/validation.md.
"""
from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the package imports nothing at start
    from pathlib import Path


def __getattr__(name: str):
    """`__version__` and the exceptions, looked up only when asked for: the command starts light."""
    if name in ("UnreadableInput", "InvalidData"):
        from .model import descriptor

        return getattr(descriptor, name)
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("russian-returnee-journeys")
        except PackageNotFoundError:  # run from a checkout without installing
            return "0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["load", "validate", "schemas", "agreement", "InvalidData", "UnreadableInput", "__version__"]


def load(path: str | Path | None = None, *, bounds: bool = True, categories: bool = True,
         labels: bool = False) -> dict:
    """The package's tables as a dict of DataFrames (resource name → DataFrame), in descriptor order.

    path: a datapackage.json, or the folder holding one; default: this project's own package.
    bounds: add `<field>_lower` / `<field>_upper` (datetime64) beside each EDTF field.
    categories: coded fields as Categoricals of their codes (labels in `frame.attrs["labels"]`);
    False: plain strings, as the pandera schemas of `schemas()` expect.
    labels: the Categoricals show the labels instead of the codes.
    Raises InvalidData when a table cannot be read into its types, UnreadableInput when a file cannot
    be read at all.
    """
    from .model import descriptor, labels as coded, load as loader, paths

    package = descriptor.read(paths.descriptor(path))
    loaded = loader.load(package)
    if loaded.problems:
        raise descriptor.InvalidData(f"{len(loaded.problems)} problem(s) reading the tables of {package.path}; "
                          f"run `returnee-journeys validate --package {shlex.quote(str(package.path))}`")
    tables = loaded.tables
    if not bounds:
        tables = {name: frame[[f["name"] for f in package.fields(name)]] for name, frame in tables.items()}
    if categories or labels:
        tables = {name: coded.categorical(package, name, frame, labels) for name, frame in tables.items()}
    return tables


def validate(path: str | Path | None = None, sources: str | Path | None = None, *, require_sources: bool = False):
    """Validate a package (default: the project's own); its texts in `sources`, else $SOURCES_DIR, else
    the package's sources/. Returns a report whose `.problems` lists every problem (empty: valid);
    the tables are checked through `schemas()`."""
    from .context import Context
    from .model import paths
    from .validation.validate import validate as run

    ctx = Context.open(paths.descriptor(path), sources=sources)
    return run(ctx.path, ctx.sources, require_sources)


def schemas(path: str | Path | None = None, tables: dict | None = None) -> dict:
    """One pandera DataFrameSchema per resource (resource name → schema), built from datapackage.json
    (what each checks: docs/validation.md, "The pandera schemas"). The checks between tables look up the
    other tables in `tables` (default: the package's own). Raises InvalidData when the descriptor itself
    does not validate.
    """
    from .model import descriptor, paths
    from .validation import descriptor_checks, pandera_schemas

    package = descriptor.read(paths.descriptor(path))
    problems = descriptor_checks.check(package)
    if problems:
        raise descriptor.InvalidData(f"{len(problems)} problem(s) in {package.path}; run `returnee-journeys validate "
                          f"--package {shlex.quote(str(package.path))}`")
    return pandera_schemas.schemas(package, tables)


def agreement(path: str | Path | None = None, round: int | None = None, *, resamples: int = 1000,
              seed: int = 2026) -> list:
    """Krippendorff's alpha (nominal) per coded variable for each reliability round of a package (or
    round `round`): a list of `Round`s (docs/reliability.md). Raises InvalidData when the package has no
    second coding, or its codings cite moves or factors it does not have."""
    from .model import agreement as computed

    return computed.agreement(load(path, bounds=False), round, resamples, seed)
