"""Validation is the contract: for packages that validate (the fixture and synthetic packages with
the metadata the profile leaves optional taken away or varied, and a package as `init` writes it),
every command runs to a proper end: done, refused with a message, never an internal error."""
from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURE_SOURCES, build_fixture
from returnee_journeys import cli


def _drop(*keys):
    return lambda d: [d.pop(k, None) for k in keys]


def _each_resource(*keys):
    return lambda d: [r.pop(k, None) for r in d["resources"] for k in keys]


def _types(d):
    d["typeMap"]["string"].update(arrow="large_string", readr="c")
    d["typeMap"]["number"].update(sqlite="FLOAT", readr="n")
    d["typeMap"]["date"].update(arrow="timestamp[ms]", readr="c")


def _identity(d):
    d.update(name="another-journey-package", title="Another journey package", version="3.1.4")


# what the profile does not require, taken away or varied: a package stays valid after any of these
EDITS = {
    "no description": _drop("description"), "no sources": _drop("sources"), "no created": _drop("created"),
    "no keywords or contributors": _drop("keywords", "contributors"), "no id": _drop("id"),
    "no resource titles": _each_resource("title"), "no resource descriptions": _each_resource("description"),
    "other allowed types": _types, "another identity": _identity,
}
COMMANDS = ["validate", "figures", "exports", "qdpx", "release", "docs"]


def _package(base: str, folder: Path) -> tuple[Path, Path]:
    """(package folder, texts folder) of a package of the kind `base`."""
    texts = folder / "texts"
    texts.mkdir()
    if base == "fixture":
        package = build_fixture(folder / "package")
        for text in FIXTURE_SOURCES.glob("*.txt"):
            shutil.copy(text, texts)
    elif base == "journeys":  # the fixture with journeys added as data: transit at home, excerpts, a new code
        import journeys

        package, _ = journeys.package_with(folder / "journeys", FIXTURE_SOURCES, journeys.TRANSIT_AT_HOME,
                                           journeys.EXCERPTS_AND_NEW_CODE)
        texts = folder / "journeys" / "sources"
    elif base == "synthetic":
        from returnee_journeys.bench import synthetic

        package = synthetic.generate(2, folder / "package", seed=3).parent
    else:
        assert cli.main(["init", str(folder / "package")]) == 0
        package = folder / "package"
    return package, texts


@contextlib.contextmanager
def _drawn_once():
    """`release` draws the figures afresh into a folder of its own (release.build), the same call
    `figures` has just made on the same package, and drawing is byte for byte the same (the release
    built twice in test_release.py): here `release` is given a copy of what `figures` drew, so that
    each package is drawn once."""
    from returnee_journeys import figures

    draw, drawn = figures.draw, set()

    def once(ctx, names=None, out=None):
        if out is not None and not names and ctx.folder in drawn:
            shutil.copytree(ctx.figures, out)
            return sorted(out.iterdir())
        written = draw(ctx, names, out)
        if out is None and not names:
            drawn.add(ctx.folder)
        return written
    with mock.patch.object(figures, "draw", once):
        yield


def _run(argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
        code = cli.main(argv)
    return code, err.getvalue()


# Packages the contract is held to on every run; hypothesis adds one more it generates. Each is a test
# case of its own, so that the two pytest workers share them.
EXAMPLES = [("journeys", sorted(EDITS)), ("synthetic", ["no resource descriptions", "other allowed types"]),
            ("init", ["no description", "no created"])]


@pytest.mark.parametrize("base, edits", EXAMPLES, ids=[base for base, _ in EXAMPLES])
def test_every_command_runs_on_a_package_that_validates(base, edits):
    every_command_runs(base, edits)


@settings(max_examples=1, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.sampled_from(["fixture", "journeys", "synthetic", "init"]),
       edits=st.lists(st.sampled_from(sorted(EDITS)), unique=True, max_size=len(EDITS)))
def test_every_command_runs_on_a_generated_package_that_validates(base, edits):
    every_command_runs(base, edits)


def every_command_runs(base: str, edits: list[str]) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        package, texts = _package(base, Path(scratch))
        path = package / "datapackage.json"
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        for edit in edits:
            EDITS[edit](descriptor)
        path.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False), encoding="utf-8")
        with mock.patch.dict(os.environ, {"SOURCES_DIR": str(texts), "REQUIRE_SOURCES": ""}), _drawn_once():
            results = {command: _run([command, str(package)]) for command in COMMANDS}
    for command, (code, err) in results.items():
        assert "internal error" not in err and code in (0, 1, 2), (base, edits, command, err)
    assert results["validate"][0] == 0, (base, edits, results["validate"][1])
    if base != "init":  # a package with journeys is drawn and exported; an empty one is refused, with a message
        assert results["figures"][0] == 0 and results["exports"][0] == 0, (base, edits, results)
    if base in ("fixture", "journeys"):  # its texts are at hand: the QDA project and the release are made too
        assert results["qdpx"][0] == 0 and results["release"][0] == 0, (base, edits, results)
