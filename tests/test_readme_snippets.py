"""Every code snippet of the README and of the release's own README runs, so none can rot.

The fenced blocks are extracted from the Markdown: `python` blocks run in-process, `r` blocks with
Rscript when it and the snippet's libraries are installed (skipped with a message otherwise), `sh`
blocks have each command checked (a make target that exists, a returnee-journeys subcommand that
parses, a tool on PATH), `json` blocks parse. The README's snippets run in a folder laid out like
the repository, holding a synthetic package (tests/built.py) and its exports in `dist/exports`; the
release README's run inside the unzipped release of that package. In both, the package a snippet
loads with no path (`returnee_journeys.load()`) is the one of that folder, never the real data.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

import built
from returnee_journeys import cli
from returnee_journeys.model import paths

pytestmark = pytest.mark.xdist_group("built")  # one worker builds tests/built.py

FENCE = re.compile(r"^```([A-Za-z0-9_+-]*)[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
SKIPPED_LANGUAGES = {"bibtex", "text", ""}  # citations and sample output: nothing to run


def snippets(markdown: str) -> list[tuple[str, str]]:
    return [(m[1].lower(), m[2]) for m in FENCE.finditer(markdown)]


def readme_snippets() -> list[tuple[str, str]]:
    return snippets((paths.ROOT / "README.md").read_text(encoding="utf-8"))


def collect() -> list:
    return [pytest.param("README.md", lang, code, id=f"README-{i}-{lang or 'plain'}")
            for i, (lang, code) in enumerate(readme_snippets()) if lang not in SKIPPED_LANGUAGES]


def release_snippets() -> list[tuple[str, str]]:
    text = (built.unzipped() / "README.md").read_text(encoding="utf-8")
    return [(lang, code) for lang, code in snippets(text) if lang not in SKIPPED_LANGUAGES]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory) -> Path:
    """A folder laid out like the repository after `make exports`: datapackage.json, data/, dist/exports,
    of the synthetic package (two home countries, open returns, undated stays, transit legs)."""
    folder = tmp_path_factory.mktemp("readme")
    package = built.synthetic_package()
    shutil.copy(package, folder / "datapackage.json")
    shutil.copytree(package.parent / "data", folder / "data")  # a package reads no file through a link
    (folder / "dist").mkdir()
    (folder / "dist" / "exports").symlink_to(built.synthetic_exports())
    return folder


@contextlib.contextmanager
def inside(folder: Path):
    """Run with folder as working directory, its datapackage.json as the package `load()` reads with no
    path (the bundled one in an installed copy), and a scratch home (tools that cache in ~ write there)."""
    cwd, home, bundled = os.getcwd(), os.environ.get("HOME"), paths.DESCRIPTOR
    scratch = tempfile.TemporaryDirectory(prefix="rj-home-")
    os.chdir(folder)
    os.environ["HOME"] = scratch.name
    paths.DESCRIPTOR = folder / "datapackage.json"
    try:
        yield
    finally:
        paths.DESCRIPTOR = bundled
        os.chdir(cwd)
        if home is None:
            os.environ.pop("HOME", None)
        else:
            os.environ["HOME"] = home
        scratch.cleanup()


def test_a_snippet_leaves_no_scratch_home_behind(tmp_path):
    """Every snippet run left an empty rj-home-* folder in the temporary folder, thousands over time."""
    with inside(tmp_path):
        home = Path(os.environ["HOME"])
        (home / ".cache").mkdir()  # as a tool caching in ~ would
    assert not home.exists()


def run_python(code: str, folder: Path) -> dict:
    namespace = {"__name__": "__readme__"}
    with inside(folder), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        exec(compile(code, "<README snippet>", "exec"), namespace)
    return namespace


R_LIBRARY = re.compile(r"library\((\w+)\)")
_r_installed: dict[str, bool] = {}


def r_installed(libraries: list[str]) -> dict[str, bool]:
    """Whether each R library is installed, asked once per test session: one Rscript call for all
    the libraries the README's R snippets name (and any other not asked about yet)."""
    rscript = shutil.which("Rscript")
    wanted = set(libraries) | {name for lang, code in readme_snippets() if lang == "r" for name in R_LIBRARY.findall(code)}
    unknown = sorted(wanted - set(_r_installed))
    if unknown:
        check = "cat(sapply(c(%s), function(p) nzchar(system.file(package = p))))" % ", ".join(f'"{x}"' for x in unknown)
        found = subprocess.run([rscript, "-e", check], capture_output=True, text=True).stdout.split()
        assert len(found) == len(unknown), found
        _r_installed.update(zip(unknown, (word == "TRUE" for word in found)))
    return {name: _r_installed[name] for name in libraries}


def run_r(code: str, folder: Path) -> None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript is not installed: the R snippets are not run here")
    libraries = R_LIBRARY.findall(code)
    if not all(r_installed(libraries).values()):
        pytest.skip(f"R libraries {', '.join(libraries)} are not all installed: this snippet is not run here")
    # a warning fails the snippet: the README promises snippets that run as written, without warnings
    result = subprocess.run([rscript, "-e", "options(warn = 2)\n" + code], cwd=folder, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]


def check_sh(code: str) -> None:
    makefile = (paths.ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    for line in code.strip().splitlines():
        words = shlex.split(line)
        words = [w for w in words if "=" not in w or words.index(w) > 0]  # VAR=value prefixes
        if not words:
            continue
        if words[0] == "make":
            assert set(words[1:]) <= targets, f"no make target for {line!r}"
        elif words[0] == "returnee-journeys":
            cli.parser().parse_args(words[1:])
        elif words[0] in ("pip", "datasette"):
            continue  # installs, and a server: documented commands, not run here
        else:
            assert shutil.which(words[0]), f"{words[0]} is not a known command ({line!r})"


def run(language: str, code: str, folder: Path) -> None:
    if language == "python":
        run_python(code, folder)
    elif language == "r":
        run_r(code, folder)
    elif language == "sh":
        check_sh(code)
    elif language == "json":
        json.loads(code)
    else:
        pytest.fail(f"a {language!r} snippet: teach tests/test_readme_snippets.py to run it")


@pytest.mark.parametrize("document, language, code", collect())
def test_readme_snippet_runs(document, language, code, workspace):
    run(language, code, workspace)


def test_readme_loading_snippet_loads_the_package_of_its_folder(workspace):
    """The README's `returnee_journeys.load()` snippet, run in the workspace, loads the synthetic
    package there: its rows, not the real data's."""
    [code] = [code for lang, code in readme_snippets() if lang == "python" and "returnee_journeys.load()" in code]
    tables = run_python(code, workspace)["tables"]
    persons = (workspace / "data" / "persons.csv").read_text(encoding="utf-8").splitlines()
    assert len(tables["persons"]) == len(persons) - 1
    assert set(tables["persons"]["person_id"]) == {line.split(",", 1)[0] for line in persons[1:]}


def test_readme_has_python_r_and_shell_snippets():
    languages = {p.values[1] for p in collect()}
    assert {"python", "r", "sh"} <= languages


def test_release_readme_snippets_run_inside_the_unzipped_release():
    ran = 0
    for language, code in release_snippets():
        if language == "r" and shutil.which("Rscript") is None:
            continue
        try:
            run(language, code, built.unzipped())
            ran += 1
        except pytest.skip.Exception:
            continue
    assert ran >= 4  # the Python recipes at least


def test_the_duckdb_parquet_recipe_takes_a_table_whose_name_has_a_hyphen(tmp_path):
    """A resource may be named `interview-notes` (letters, digits, `.`, `-`, `_`): the recipe made
    `CREATE VIEW interview-notes ...`, a syntax error in DuckDB."""
    from returnee_journeys.publish import recipes

    [code] = [c for lang, c in snippets(recipes.render("exports/", "datapackage.json", "x"))
              if lang == "python" and "CREATE VIEW" in c]
    folder = tmp_path / "exports" / "parquet"
    shutil.copytree(built.synthetic_exports() / "parquet", folder)
    shutil.copy(folder / "events.parquet", folder / "interview-notes.parquet")
    run_python(code, tmp_path)


def test_the_extractor_finds_fenced_blocks():
    text = "x\n```python\nprint(1)\n```\n\n```r\nlibrary(x)\n```\n```\nplain\n```\n"
    assert snippets(text) == [("python", "print(1)\n"), ("r", "library(x)\n"), ("", "plain\n")]


def test_the_duckdb_sqlite_pairing_named_is_the_one_the_lock_pins():
    from returnee_journeys.publish import recipes

    lock = (paths.ROOT / "requirements.lock").read_text(encoding="utf-8")
    pinned = dict(re.findall(r"^(duckdb|duckdb-extension-sqlite)==(\S+)", lock, re.M))
    assert pinned == {"duckdb": recipes.DUCKDB_SQLITE_PAIRING, "duckdb-extension-sqlite": recipes.DUCKDB_SQLITE_PAIRING}
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    assert f'"duckdb-extension-sqlite=={recipes.DUCKDB_SQLITE_PAIRING}"' in readme


def test_the_stata_note_names_every_column_stata_reserves_and_is_in_the_readme():
    from returnee_journeys.model import descriptor as descriptor_module
    from returnee_journeys.publish import recipes

    descriptor = descriptor_module.read(paths.DESCRIPTOR)
    reserved = [(r["name"], f["name"]) for r in descriptor.resources for f in r["schema"]["fields"]
                if f["name"] in recipes.STATA_RESERVED]
    assert reserved, "the descriptor has a column named as Stata reserves (stages.end)"
    for resource, field in reserved:
        assert f"`{field}`" in recipes.STATA_NOTE and f"`{resource}`" in recipes.STATA_NOTE
    assert recipes.STATA_NOTE in (paths.ROOT / "README.md").read_text(encoding="utf-8").replace("\n", " ")
