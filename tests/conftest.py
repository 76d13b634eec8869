"""Shared fixtures. Tests of behaviour run on the frozen fixture package (tests/fixtures/: invented
rows and two invented texts) under the project's REAL datapackage.json, so the fixture exercises
the real model and correcting the real data never breaks a test. The real package is checked
once, whole (test_package.py)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from returnee_journeys.bench import synthetic
from returnee_journeys.model import descriptor as descriptor_module
from returnee_journeys.model import load
from returnee_journeys.model import paths
from returnee_journeys.validation import provenance

FIXTURE = Path(__file__).parent / "fixtures"
FIXTURE_SOURCES = FIXTURE / "sources"


def build_fixture(folder: Path) -> Path:
    """The fixture package in `folder`: the real datapackage.json and the fixture's data/*.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(paths.DESCRIPTOR, folder / "datapackage.json")
    shutil.copytree(FIXTURE / "data", folder / "data")
    return folder


@pytest.fixture(scope="session")
def fixture_package(tmp_path_factory) -> Path:
    """A read-only fixture package, built once: do not edit it (use package_copy)."""
    return build_fixture(tmp_path_factory.mktemp("fixture") / "package")


@pytest.fixture(scope="session")
def fixture_sources() -> Path:
    return FIXTURE_SOURCES


@pytest.fixture(scope="session")
def fixture_descriptor(fixture_package):
    return descriptor_module.read(fixture_package / "datapackage.json")


@pytest.fixture(scope="session")
def fixture_tables(fixture_descriptor):
    loaded = load.load(fixture_descriptor)
    assert list(loaded.problems) == []
    return loaded.tables


@pytest.fixture(scope="session")
def synthetic_package(tmp_path_factory):
    """`synthetic_package(n, seed)`: the datapackage.json of a synthetic package of n persons, generated
    once per test session and shared: read only (copy its folder to change it)."""
    made: dict[tuple[int, int], Path] = {}

    def get(n: int, seed: int) -> Path:
        if (n, seed) not in made:
            made[(n, seed)] = synthetic.generate(n, tmp_path_factory.mktemp(f"synthetic-{n}-{seed}"), seed=seed)
        return made[(n, seed)]
    return get


@pytest.fixture
def package_copy(tmp_path) -> Path:
    """A writable fixture package: the real datapackage.json and the fixture's data/."""
    return build_fixture(tmp_path / "package")


# --- the real package: read only, checked whole ------------------------------------------------

@pytest.fixture(scope="session")
def descriptor():
    return descriptor_module.read(paths.DESCRIPTOR)


@pytest.fixture(scope="session")
def tables(descriptor):
    loaded = load.load(descriptor)
    assert list(loaded.problems) == []
    return loaded.tables


@pytest.fixture(scope="session")
def sources_dir(tables) -> Path:
    """The real source texts; skipped when absent, a failure when REQUIRE_SOURCES=1."""
    folder = paths.sources_dir()
    missing = provenance.missing_texts(folder, tables["sources"])
    if missing:
        message = f"source texts {missing} not in {folder} (set SOURCES_DIR)"
        if paths.sources_required():
            pytest.fail(message)
        pytest.skip(message)
    return folder
