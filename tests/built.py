"""Outputs that several test modules read, built once per test session (into temporary folders):
the exports of a synthetic package (two home countries, open returns of undated texts, undated
stays, transit legs: what the export tests check), the exports of this project's package, and the
release zip made from them (the release and the README's recipes are about this package)."""
from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

from returnee_journeys import exports as exports_module
from returnee_journeys.context import Context
from returnee_journeys.model import paths
from returnee_journeys.publish import release as release_module

UMASK = 0o077  # the strictest a user might have: the exports must still come out world-readable


def _scratch(prefix: str) -> Path:
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, folder, True)
    return folder


@functools.cache
def exports() -> Path:
    folder = _scratch("rj-exports-") / "dist" / "exports"
    previous = os.umask(UMASK)
    try:
        exports_module.write_all(Context.open(paths.DESCRIPTOR), folder)
    finally:
        os.umask(previous)
    return folder


@functools.cache
def synthetic_package() -> Path:
    from returnee_journeys.bench import synthetic

    return synthetic.generate(12, _scratch("rj-synthetic-") / "package", seed=12)


@functools.cache
def synthetic_exports() -> Path:
    folder = _scratch("rj-synthetic-exports-") / "dist" / "exports"
    previous = os.umask(UMASK)
    try:
        exports_module.write_all(Context.open(synthetic_package()), folder)
    finally:
        os.umask(previous)
    return folder


@functools.cache
def release() -> Path:
    """The release zip, built from the shared exports."""
    return release_module.build(paths.ROOT, _scratch("rj-release-") / "dist", exports())


@functools.cache
def unzipped() -> Path:
    """The release, unzipped into a folder of its own (the members sit at the zip's root)."""
    archive = release()
    target = _scratch("rj-unzipped-") / archive.stem
    with zipfile.ZipFile(archive) as z:
        z.extractall(target)
    return target
