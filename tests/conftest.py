from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from returnee_journeys.model import descriptor as descriptor_module
from returnee_journeys.model import load
from returnee_journeys.model import paths
from returnee_journeys.validation import provenance


@pytest.fixture(scope="session")
def descriptor():
    return descriptor_module.read(paths.DESCRIPTOR)


@pytest.fixture(scope="session")
def tables(descriptor):
    loaded = load.load(descriptor)
    assert loaded.problems == []
    return loaded.tables


@pytest.fixture(scope="session")
def sources_dir(tables) -> Path:
    """The source texts; skipped when absent, a failure when REQUIRE_SOURCES=1."""
    folder = paths.sources_dir()
    missing = provenance.missing_texts(folder, tables["sources"])
    if missing:
        message = f"source texts {missing} not in {folder} (set SOURCES_DIR)"
        if paths.sources_required():
            pytest.fail(message)
        pytest.skip(message)
    return folder


@pytest.fixture
def package_copy(tmp_path) -> Path:
    """A writable copy of the package: datapackage.json and data/."""
    shutil.copy(paths.DESCRIPTOR, tmp_path / "datapackage.json")
    shutil.copytree(paths.ROOT / "data", tmp_path / "data")
    return tmp_path
