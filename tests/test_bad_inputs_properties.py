"""Property-based hostile input (issue 11): random cells, random bytes and random descriptors on the
fixture package. Whatever the input, the validator ends in exit 0, 1 or 2, never a traceback or an
internal error, and a report (exit 0 or 1) is well-formed JSON.

Bounded in time: the default profile is derandomized (the same examples on every run, as CI
needs) with a few examples per property; HYPOTHESIS_PROFILE=deep explores many more."""
from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import FIXTURE_SOURCES, build_fixture
from mutations import read_rows, write_rows
from returnee_journeys import cli

settings.register_profile("ci", max_examples=6, derandomize=True, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("deep", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

RESOURCES = sorted(p.stem for p in (FIXTURE_SOURCES.parent / "data").glob("*.csv"))
TRICKY = ["", "1e309", "-1e400", "NaN", "inf", "9" * 30, "-0", "+5", "2022-21", "2022-25", "[..]", "../..",
          "2022-13", "=1+1", "@SUM(A1)", "-", "\t", "\x00", "\x1b[31m", "\u202e", "a\nb", '"', '""', ",",
          "../../etc/passwd", "x" * 3000, "true", "TRUE", "café", "cafe\u0301", "ledger/x y", "Q0"]
cell_values = st.one_of(st.sampled_from(TRICKY), st.text(max_size=40))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-2**80, max_value=2**80) | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12)


def validate(package: Path, *extra: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["validate", "--package", str(package / "datapackage.json"), "--format", "json", *extra])
    return code, out.getvalue(), err.getvalue()


def assert_handled(code: int, out: str, err: str, descriptor_intact: bool = True) -> None:
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in out + err and "internal error" not in err, err
    if code in (0, 1):
        report = json.loads(out)
        assert report["valid"] == (code == 0)
        if descriptor_intact:  # a check that cannot run on the real descriptor is a bug, not a finding
            assert not any(p["rule"] == "descriptor:check-failed" for p in report["problems"]), report
    else:
        assert out == "" and err.startswith("error: ") and err.count("\n") == 1, err


@given(resource=st.sampled_from(RESOURCES), where=st.integers(min_value=0, max_value=10**6),
       column=st.integers(min_value=0, max_value=50), value=cell_values)
def test_any_cell_value_is_handled(resource, where, column, value):
    with tempfile.TemporaryDirectory() as scratch:
        package = build_fixture(Path(scratch) / "package")
        rows = read_rows(package, resource)
        row = rows[where % len(rows)]  # the header too
        if row:
            row[column % len(row)] = value
        write_rows(package, resource, rows)
        assert_handled(*validate(package, "--sources", str(FIXTURE_SOURCES)))


@given(resource=st.sampled_from(RESOURCES), at=st.floats(min_value=0, max_value=1),
       junk=st.binary(min_size=1, max_size=64), replace=st.booleans())
def test_any_bytes_in_a_file_are_handled(resource, at, junk, replace):
    with tempfile.TemporaryDirectory() as scratch:
        package = build_fixture(Path(scratch) / "package")
        path = package / "data" / f"{resource}.csv"
        raw = path.read_bytes()
        cut = int(at * len(raw))
        path.write_bytes(junk if replace else raw[:cut] + junk + raw[cut:])
        assert_handled(*validate(package, "--skip-quotes"))


@given(choice=st.integers(min_value=0, max_value=10**6), value=json_values, whole=st.booleans())
def test_any_descriptor_is_handled(choice, value, whole):
    with tempfile.TemporaryDirectory() as scratch:
        package = build_fixture(Path(scratch) / "package")
        path = package / "datapackage.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        if whole:
            data = value
        else:  # replace one value somewhere in the descriptor
            places, stack = [], [data]
            while stack:
                node = stack.pop()
                keys = list(node) if isinstance(node, dict) else range(len(node)) if isinstance(node, list) else []
                for key in keys:
                    places.append((node, key))
                    stack.append(node[key])
            node, key = places[choice % len(places)]
            node[key] = value
        path.write_text(json.dumps(data, allow_nan=True), encoding="utf-8")
        assert_handled(*validate(package, "--skip-quotes"), descriptor_intact=False)

