"""Shared fixtures. Tests of behaviour run on the frozen fixture package (tests/fixtures/: invented
rows and two invented texts) under the project's REAL datapackage.json, so the fixture exercises
the real model and correcting the real data never breaks a test. The real package's rows are
read by one test module only, test_real_package.py, which checks the package whole."""
from __future__ import annotations

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


# --- parallel runs: `make test` runs two pytest-xdist workers (-n 2) ---------------------------
# Tests that share a module's (or, for "built", several modules') expensive fixtures are one unit of
# work, run by one worker, so that nothing is built twice; the independent ones are dealt out one by
# one. The longest units go first, so that neither worker is left alone with one at the end.
SHARED = {"test_exports.py": "built", "test_release.py": "built", "test_readme_snippets.py": "built",
          "test_citation.py": "built"}
ONE_BY_ONE = {"test_bad_inputs.py", "test_bad_inputs_properties.py"}
FIRST = ["figures", "built", "real_package", "install", "contract"]


def unit_of(nodeid: str) -> str | None:
    """The unit of work a test belongs to (None: a unit of its own)."""
    module = nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
    if module in ONE_BY_ONE:
        return None
    return SHARED.get(module, module.removeprefix("test_").removesuffix(".py"))


def pytest_collection_modifyitems(items):
    rank = {unit: i for i, unit in enumerate(FIRST)}
    items.sort(key=lambda item: rank.get(unit_of(item.nodeid), len(FIRST)))  # stable: else as collected


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """With -n (--dist load, the default): hand out the units above, in collection order. (Not
    xdist_group marks with --dist loadgroup: pytest-xdist 3.8 cannot tag pytest 9's node ids.)"""
    if config.getoption("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class Units(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of(nodeid) or nodeid

    config.option.loadscopereorder = False
    return Units(config, log)
