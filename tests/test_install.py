"""The wheel installs into a fresh environment and works from another folder: the command, the
validator on another package and `returnee_journeys.load()`, all from the installed copy (not from
scripts/). The fresh environment borrows only the third-party libraries of the running one."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from conftest import FIXTURE_SOURCES, build_fixture
from returnee_journeys.model import paths

pytestmark = pytest.mark.xdist_group("install")  # one worker builds its module fixtures


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The python of a fresh venv with the project's wheel installed."""
    scratch = tmp_path_factory.mktemp("install")
    # the wheel, built in this process by the build backend pip would call (hatchling's `build_wheel`)
    from hatchling.builders.wheel import WheelBuilder

    wheel = Path(next(WheelBuilder(str(paths.ROOT)).build(directory=str(scratch / "wheel"), versions=["standard"])))
    assert wheel.name.startswith("russian_returnee_journeys-")
    venv.create(scratch / "env", with_pip=False)
    python = scratch / "env" / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True)
    # the libraries it depends on, from this environment: a path entry (its .pth files, among them
    # this checkout's editable install, are not read)
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    (Path(purelib) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    return python


def run(args: list, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})


def test_the_command_runs_from_the_installed_copy(installed, tmp_path):
    done = run([installed.parent / "returnee-journeys", "--help"], tmp_path)
    assert done.returncode == 0
    for command in ("validate", "figures", "exports", "release", "docs", "bench"):
        assert command in done.stdout
    where = run([installed, "-c", "import returnee_journeys; print(returnee_journeys.__file__)"], tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(installed.parent.parent)


def test_the_installed_command_validates_another_package(installed, tmp_path):
    package = build_fixture(tmp_path / "package")
    ok = run([installed.parent / "returnee-journeys", "validate", "--package", package / "datapackage.json",
              "--sources", FIXTURE_SOURCES, "--require-sources"], tmp_path)
    assert ok.returncode == 0 and "valid" in ok.stdout
    rows = (package / "data" / "stages.csv").read_text(encoding="utf-8").splitlines()
    (package / "data" / "stages.csv").write_text("\n".join(rows[:1] + [rows[1].replace(",", ",,", 1)] + rows[2:]) + "\n",
                                                 encoding="utf-8")
    bad = run([installed.parent / "returnee-journeys", "validate", "--package", package / "datapackage.json",
               "--skip-quotes"], tmp_path)
    assert bad.returncode == 1 and "stages" in bad.stdout


def test_the_installed_loader_reads_a_package_and_ships_its_own_dataset(installed, tmp_path, fixture_package,
                                                                         fixture_tables):
    """`load(path)` reads the package given; `load()` with no path looks at the dataset the wheel
    ships, inside the installed copy, whose descriptor is this checkout's and every table file is
    there (its rows are checked once, whole, in test_real_package.py: not read here)."""
    script = ("import json, sys, pathlib, returnee_journeys as rj\n"
              "from returnee_journeys.model import paths\n"
              "given = rj.load(sys.argv[1])\n"
              "own = paths.descriptor(None)\n"
              "package = json.loads(own.read_text(encoding='utf-8'))\n"
              "print(json.dumps({'given': {k: [len(v), str(v.dtypes.get('seq', ''))] for k, v in given.items()},"
              " 'own': str(own), 'installed': str(pathlib.Path(rj.__file__).parent), 'descriptor': package,"
              " 'files': [r['name'] for r in package['resources'] if (own.parent / r['path']).is_file()]}))\n")
    done = run([installed, "-c", script, fixture_package], tmp_path)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["given"] == {name: [len(frame), str(frame.dtypes.get("seq", ""))] for name, frame in fixture_tables.items()}
    assert Path(found["own"]).is_relative_to(found["installed"])
    assert found["descriptor"] == json.loads(paths.DESCRIPTOR.read_text(encoding="utf-8"))
    assert found["files"] == [r["name"] for r in found["descriptor"]["resources"]]


def test_in_a_folder_holding_an_invalid_package_nothing_is_drawn(installed, tmp_path):
    """The command acts on the package of the folder it runs in, not on the dataset it ships."""
    package = build_fixture(tmp_path / "package")
    rows = (package / "data" / "persons.csv").read_text(encoding="utf-8").splitlines()
    rows[1] = rows[1].replace(",male,", ",robot,", 1)
    (package / "data" / "persons.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    command = installed.parent / "returnee-journeys"
    bad = run([command, "validate", "--skip-quotes"], package)
    assert bad.returncode == 1 and bad.stdout.startswith(f"package: {package / 'datapackage.json'} ")
    assert "persons (data/persons.csv)" in bad.stdout
    before = sorted(p for p in tmp_path.rglob("*"))
    drawn = run([command, "figures"], package)
    assert drawn.returncode == 1 and "does not validate" in drawn.stderr
    assert sorted(p for p in tmp_path.rglob("*")) == before
    nowhere = run([command, "validate"], tmp_path)
    assert nowhere.returncode == 2 and nowhere.stdout == "" and nowhere.stderr.count("\n") == 1


def test_the_walkthrough_runs_as_written(installed, tmp_path):
    """docs/start-a-package.md, every shell block in order, from a folder outside the checkout."""
    doc = (paths.ROOT / "docs" / "start-a-package.md").read_text(encoding="utf-8")
    script = "set -e\n" + "\n".join(re.findall(r"```sh\n(.*?)```", doc, re.S))
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, capture_output=True, text=True,
                          env={"PATH": f"{installed.parent}:/usr/bin:/bin"})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    package = tmp_path / "belarus-returns"
    assert [p.name for p in tmp_path.iterdir()] == ["belarus-returns"]  # nothing written beside it
    assert {p.name for p in (package / "figures").glob("*.svg")} == {
        "durations.svg", "estimates.svg", "factors.svg", "routes.svg", "sequences.svg", "timeline.svg"}
    spells = (package / "dist" / "exports" / "sequences" / "spells-place.csv").read_text(encoding="utf-8")
    assert spells.splitlines()[-1].split(",")[:4][3] == "BY"  # Ales is back in his own home
    metadata = json.loads((package / "dist" / "exports" / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["title"] == "Belarusian Returnee Journeys"
    with zipfile.ZipFile(package / "dist" / "belarus-returns-0.1.0.zip") as archive:
        cited = archive.read(next(n for n in archive.namelist() if n.endswith("CITATION.cff"))).decode("utf-8")
    assert "title: Belarusian Returnee Journeys" in cited and "Russian" not in cited


# A light install, simulated without building a second environment: the heavy libraries are made
# unimportable in the installed copy's process (they are borrowed from this environment otherwise).
BLOCK = ("import importlib.abc, sys\n"
         "from returnee_journeys.extras import EXTRAS\n"
         "class Block(importlib.abc.MetaPathFinder):\n"
         "    def find_spec(self, name, path=None, target=None):\n"
         "        if name.split('.')[0] in EXTRAS:\n"
         "            raise ModuleNotFoundError(f'No module named {name!r}', name=name)\n"
         "sys.meta_path.insert(0, Block())\n")


def wheel_requirements(installed: Path) -> dict[str | None, set[str]]:
    """Requires-Dist of the installed wheel: extra (None for the light install) → distributions."""
    script = ("import json; from importlib.metadata import requires\n"
              "print(json.dumps(requires('russian-returnee-journeys')))")
    out: dict[str | None, set[str]] = {}
    for line in json.loads(run([installed, "-c", script], Path("/")).stdout):
        name, _, marker = line.partition(";")
        extra = marker.split("extra ==")[1].strip().strip("'\"") if "extra ==" in marker else None
        out.setdefault(extra, set()).add(name.strip().split("[")[0].split(">")[0].split("=")[0].split("<")[0])
    return out


def test_the_light_install_requires_only_the_loaders_libraries(installed):
    from returnee_journeys.extras import EXTRAS

    required = wheel_requirements(installed)
    assert required[None] == {"edtf", "jsonschema", "jsonschema-rs", "numpy", "pandas", "pandera", "pyarrow", "pyyaml"}
    for module, (distribution, extra) in EXTRAS.items():
        assert distribution in required[extra] and distribution in required["all"], module
        assert distribution not in required[None], module
    assert {"figures", "exports", "all"} <= set(required)


def test_load_and_validate_work_without_the_extras_and_commands_name_the_missing_extra(installed, tmp_path,
                                                                                    fixture_package):
    script = BLOCK + ("import json, returnee_journeys as rj\n"
                      "from returnee_journeys import cli\n"
                      "tables = rj.load(sys.argv[1])\n"
                      "report = rj.validate(sys.argv[1], sys.argv[2], require_sources=True)\n"
                      "codes = {c: cli.main([c, '--package', sys.argv[1], '--out', sys.argv[3] + '/' + c])\n"
                      "         for c in ('figures', 'exports')}\n"
                      "codes['validate'] = cli.main(['validate', '--package', sys.argv[1], '--skip-quotes'])\n"
                      "heavy = sorted(m for m in sys.modules if m.split('.')[0] in EXTRAS)\n"
                      "print(json.dumps({'tables': len(tables), 'problems': len(report.problems), 'codes': codes,"
                      " 'heavy': heavy}))\n")
    done = run([installed, "-c", script, fixture_package, FIXTURE_SOURCES, tmp_path], tmp_path)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["tables"] > 0 and found["problems"] == 0 and found["heavy"] == []
    assert found["codes"] == {"figures": 2, "exports": 2, "validate": 0}
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 2 and "[figures]" in errors[0] and "[exports]" in errors[1], done.stderr
    assert not list(tmp_path.glob("figures/*")) and not list(tmp_path.glob("exports/*"))
