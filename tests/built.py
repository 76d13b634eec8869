"""Outputs that several test modules read, built once per test session (into temporary folders):
the exports of a synthetic package (two home countries, open returns of undated texts, undated
stays, transit legs: what the export tests check), and the release zip of that package, with its
figures drawn and this project's licences, changelog and CITATION.cff beside it (the release and
the README's recipes are checked on it). No test here reads the real package's rows: that is
checked once, whole, in test_real_package.py."""
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


PROJECT_FILES = ("CITATION.cff", "CHANGELOG.md", "LICENSE", "LICENSE-DATA.md")  # the project's, not its rows


@functools.cache
def release_package() -> Path:
    """The synthetic package as a release is made from it: its descriptor and data, its figures
    drawn (as `make figures` draws them), and the project's licences, changelog and citation (the
    synthetic package keeps the project's descriptor, so the CITATION.cff names it)."""
    from returnee_journeys import figures

    folder = _scratch("rj-release-package-") / "package"
    shutil.copytree(synthetic_package().parent, folder)
    for name in PROJECT_FILES:
        shutil.copy(paths.ROOT / name, folder / name)
    figures.draw(Context.open(folder))
    return folder


@functools.cache
def release() -> Path:
    """The release zip of the synthetic package, built from its shared exports and the figures drawn
    in it (test_release.py builds it again drawing them afresh: the two zips are one)."""
    package = release_package()
    return release_module.build(package, _scratch("rj-release-") / "dist", synthetic_exports(), package / "figures")


@functools.cache
def unzipped() -> Path:
    """The release, unzipped into a folder of its own (the members sit at the zip's root)."""
    archive = release()
    target = _scratch("rj-unzipped-") / archive.stem
    with zipfile.ZipFile(archive) as z:
        z.extractall(target)
    return target
