"""The exporters: one registry, one interface, no exporter importing another, each writing on the fixture."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from returnee_journeys import exports
from returnee_journeys.context import Context
from returnee_journeys.exports.exporter import Job
from returnee_journeys.model import comparison, journeys

EXPORTER_MODULES = {e.write.__module__.rpartition(".")[2] for e in exports.EXPORTERS}


def imported_siblings(path: Path) -> set[str]:
    """The modules of returnee_journeys.exports that the module at `path` imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("returnee_journeys.exports."):
            found.add(node.module.split(".")[2])
        elif isinstance(node, ast.Import):
            found |= {a.name.split(".")[2] for a in node.names if a.name.startswith("returnee_journeys.exports.")}
    return found


@pytest.mark.parametrize("module", sorted(EXPORTER_MODULES))
def test_no_exporter_imports_another(module):
    path = Path(exports.__file__).parent / f"{module}.py"
    assert imported_siblings(path) & EXPORTER_MODULES == set()


def test_the_scan_sees_a_sibling_import(tmp_path):
    (tmp_path / "m.py").write_text("from . import qdpx\nfrom .sqlite import write\nimport returnee_journeys.exports.excel\n")
    assert imported_siblings(tmp_path / "m.py") == {"qdpx", "sqlite", "excel"}


def test_every_module_of_exports_is_registered_or_shared():
    modules = {p.stem for p in Path(exports.__file__).parent.glob("*.py")} - {"__init__", "exporter"}
    assert modules == EXPORTER_MODULES
    assert len({e.name for e in exports.EXPORTERS}) == len(exports.EXPORTERS)


def test_every_exporter_writes_on_the_fixture(fixture_package, fixture_sources, tmp_path):
    ctx = Context.open(fixture_package / "datapackage.json", sources=fixture_sources)
    data = journeys.read(ctx.path)
    job = Job(ctx, data, comparison.build(data))
    assert job.texts is not None
    for exporter in exports.EXPORTERS:
        folder = tmp_path / exporter.name
        folder.mkdir()
        written = exporter.write(job, folder)
        assert written and all(p.is_file() and p.stat().st_size for p in written), exporter.name
        assert sorted(written) == sorted(p for p in folder.rglob("*") if p.is_file()), exporter.name
