"""Shared fixtures. Tests of behaviour run on the frozen fixture package (tests/fixtures/: invented
rows and two invented texts) under the project's REAL datapackage.json, so the fixture exercises
the real model and correcting the real data never breaks a test. The real package's rows are
read by one test module only, test_real_package.py, which checks the package whole."""
from __future__ import annotations

import gc
import os
import shutil
from pathlib import Path

import pytest

# The project's modules are imported where they are used, not here: pytest-xdist's controlling
# process loads this file too, and would spend a second importing pandas before starting the workers.

# SOURCES_DIR is read relative to the folder a command starts in, and many tests run commands in a
# folder of their own: a relative SOURCES_DIR (CI passes ../shared/sources) is fixed here, once.
if os.environ.get("SOURCES_DIR"):
    os.environ["SOURCES_DIR"] = str(Path(os.environ["SOURCES_DIR"]).resolve())

FIXTURE = Path(__file__).parent / "fixtures"
FIXTURE_SOURCES = FIXTURE / "sources"


def build_fixture(folder: Path) -> Path:
    """The fixture package in `folder`: the real datapackage.json and the fixture's data/*.csv."""
    from returnee_journeys.model import paths

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
    from returnee_journeys.model import descriptor as descriptor_module

    return descriptor_module.read(fixture_package / "datapackage.json")


def load_clean(descriptor) -> dict:
    """The package's tables, asserting that loading them found no problem."""
    from returnee_journeys.model import load

    loaded = load.load(descriptor)
    assert list(loaded.problems) == []
    return loaded.tables


@pytest.fixture(scope="session")
def fixture_tables(fixture_descriptor):
    return load_clean(fixture_descriptor)


@pytest.fixture(scope="session")
def synthetic_package(tmp_path_factory):
    """`synthetic_package(n, seed)`: the datapackage.json of a synthetic package of n persons, generated
    once per test session and shared: read only (copy its folder to change it)."""
    from returnee_journeys.bench import synthetic

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


# --- the real package's descriptor (its model, not its rows: those only test_real_package.py reads) ---

@pytest.fixture(scope="session")
def descriptor():
    from returnee_journeys.model import descriptor as descriptor_module
    from returnee_journeys.model import paths

    return descriptor_module.read(paths.DESCRIPTOR)


# --- parallel runs: `make test` runs two pytest-xdist workers (-n 2, --dist loadgroup) --------------
# Tests that share an expensive fixture carry an `xdist_group` mark (`pytestmark` in their module) and
# one worker runs the whole group, so that nothing is built twice: "built" for the modules that read
# tests/built.py, the module's own name where a module-scoped fixture is costly. Other tests are dealt
# out one by one. The longest go first (collection order, kept by --no-loadscope-reorder), so that
# neither worker is left alone with one at the end. (pytest is held below 9.2: on 9.2, pytest-xdist 3.8
# silently groups nothing, issue 1386.)
LONGEST_FIRST = ["contract", "figures", "built", "install", "real_package"]


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        group = item.get_closest_marker("xdist_group")
        name = group.args[0] if group else item.path.stem.removeprefix("test_")
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)
    items.sort(key=rank)  # stable: else as collected


# The garbage collector: after collection a worker holds about 220 000 objects of the libraries the tests
# import (pandas, matplotlib, pandera...), which each full collection walks again, about 20 times per worker
# (7.4 of a run's 135 CPU seconds went to collecting). Frozen, they are left out of every later walk, and a
# young generation of 100 000 objects instead of 700 is collected about ten times less often: 2.6 CPU s.
# Whatever the tests make is still collected, and every test runs as before.
def pytest_collection_finish(session):
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
