"""Inter-coder agreement (`returnee-journeys agreement`, `returnee_journeys.agreement`): Krippendorff's
alpha from the `krippendorff` package on known values, the units and values it is computed over, and
clear errors for packages it cannot measure. On the fixture's invented round (coders first, second)."""
from __future__ import annotations

import csv
import os
import math

import numpy as np
import pytest

from returnee_journeys import cli
from returnee_journeys.model import agreement

NAN = math.nan


def test_krippendorffs_worked_example_gives_0_743():
    """Krippendorff, 'Computing Krippendorff's alpha-reliability' (2011), C: nominal data, 4 observers,
    12 units, missing values: alpha = 0.743."""
    import krippendorff

    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
            [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN]]
    assert round(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"), 3) == 0.743


def test_two_coder_alpha_matches_the_papers_binary_example():
    """The same paper, A: binary data, two observers, ten units: alpha = 0.095; values as labels."""
    a = ["no", "yes", "no", "no", "no", "no", "no", "no", "yes", "no"]
    b = ["yes", "yes", "yes", "no", "no", "yes", "no", "no", "no", "no"]
    assert round(agreement.alpha(a, b), 3) == 0.095
    figure = agreement.figure("presence", a, b, resamples=50, seed=3)
    assert figure.units == 10 and figure.agreement == pytest.approx(0.6)
    assert figure.low <= figure.alpha <= figure.high


def test_alpha_is_none_not_nan_where_undefined():
    assert agreement.alpha(["x"], ["x"]) is None
    same = agreement.figure("scope", ["person"] * 5, ["person"] * 5)
    assert same.alpha is None and same.agreement == 1.0 and "same value" in same.note
    assert "nan" not in agreement.text([agreement.Round(1, "a", "b", [same])]).lower()


def test_bootstrap_interval_is_seeded():
    a = list("aabbcabcab" * 3)
    b = list("abbbcabcca" * 3)
    first = agreement.figure("timing", a, b, resamples=200, seed=7)
    again = agreement.figure("timing", a, b, resamples=200, seed=7)
    other = agreement.figure("timing", a, b, resamples=200, seed=8)
    assert (first.low, first.high) == (again.low, again.high)
    assert (first.low, first.high) != (other.low, other.high)


@pytest.mark.parametrize("a, b", [
    (["no", "yes", "no", "no", "no", "no", "no", "no", "yes", "no"], ["yes", "yes", "yes", "no", "no", "yes", "no", "no", "no", "no"]),
    (list("aabbcabcab" * 3), list("abbbcabcca" * 3)),
    (["x", "x", "y"], ["x", "x", "x"]),  # many draws hold one value only: no alpha, left out
    ([f"v{i % 13}" for i in range(40)], [f"v{(i * 7) % 13 if i % 3 else i % 13}" for i in range(40)]),  # 13 values
])
def test_the_bootstrap_is_krippendorffs_alpha_of_each_seeded_draw(a, b):
    """The draws are computed all at once: the same numbers, to the last bit, as `alpha` (the
    `krippendorff` package) on each draw of units in turn."""
    rng = np.random.default_rng(11)
    one_by_one = []
    for _ in range(60):
        pick = rng.integers(0, len(a), len(a))
        value = agreement.alpha([a[i] for i in pick], [b[i] for i in pick])
        if value is not None:
            one_by_one.append(value)
    assert [float(x) for x in agreement._bootstrap(a, b, 60, 11)] == one_by_one


def _vectors(tables, coder):
    rows = tables["codings_by_coder"]
    return set(zip(rows.loc[rows["coder"] == coder, "stage_id"], rows.loc[rows["coder"] == coder, "factor_id"]))


def test_fixture_round_units_and_values(fixture_tables):
    import krippendorff

    (found,) = agreement.agreement(fixture_tables, resamples=0)
    stages, factors = fixture_tables["stages"], fixture_tables["factors"]
    moves = stages[stages["seq"] > stages.groupby("person_id")["seq"].transform("min")]["stage_id"]
    presence = found.figure("presence")
    assert presence.units == len(moves) * len(factors)
    held_a, held_b = _vectors(fixture_tables, "first"), _vectors(fixture_tables, "second")
    units = [(m, f) for m in moves for f in factors["factor_id"]]
    expected = krippendorff.alpha(reliability_data=[[float(u in held_a) for u in units],
                                                   [float(u in held_b) for u in units]],
                                  level_of_measurement="nominal")
    assert presence.alpha == pytest.approx(expected)
    assert presence.agreement == pytest.approx(np.mean([(u in held_a) == (u in held_b) for u in units]))
    # a coding present for both is a paired unit of every attribute; one coder's lone row is not
    assert found.figure("timing").units == len(held_a & held_b)
    assert {(d.variable, d.unit) for d in found.disagreements} >= {("presence", "pavel-03/friends"),
                                                                 ("timing", "ivan-03/employment/1"),
                                                                 ("salience", "olga-03/arrest-risk/1")}
    ledger = fixture_tables["ledger_by_coder"]
    assert found.figure("disposition").units == len(ledger[ledger["coder"] == "first"])


def test_a_person_from_a_text_the_round_did_not_code_leaves_its_figures_unchanged(fixture_tables):
    import pandas as pd

    tables = dict(fixture_tables)
    person = fixture_tables["persons"].iloc[[0]].assign(person_id="nina", source_id="post-nina")
    stages = fixture_tables["stages"]
    journey = stages[stages["person_id"] == "olga"].assign(person_id="nina", source_id="post-nina")
    tables["persons"] = pd.concat([fixture_tables["persons"], person], ignore_index=True)
    tables["stages"] = pd.concat([stages, journey.assign(stage_id=journey["stage_id"].str.replace("olga", "nina"))],
                                 ignore_index=True)
    (before,), (after,) = agreement.agreement(fixture_tables, resamples=0), agreement.agreement(tables, resamples=0)
    assert after.figure("presence") == before.figure("presence")  # no unit of moves no coder of the round saw


def test_every_fixture_disagreement_is_adjudicated(fixture_tables):
    (found,) = agreement.agreement(fixture_tables, resamples=0)
    adjudicated = fixture_tables["adjudications"]
    assert {(d.variable, d.unit) for d in found.disagreements} == set(zip(adjudicated["variable"], adjudicated["unit"]))


def test_rows_of_one_move_and_factor_pair_by_agreement():
    import pandas as pd

    def rows(*values):
        return pd.DataFrame([dict(coding_id=f"x-c{i}", lee_category=lee, valence=val, certainty="implicit",
                                  timing=timing, salience="weighed", scope="person")
                             for i, (lee, val, timing) in enumerate(values)])
    a = rows(("destination", "positive", "after"), ("destination", "negative", "before"))
    b = rows(("destination", "negative", "before"), ("destination", "positive", "after"))
    pairs = agreement._pairs(a.to_dict("records"), b.to_dict("records"))  # one move and factor: rows as dicts
    assert all(x["valence"] == y["valence"] and x["timing"] == y["timing"] for x, y in pairs)


def _write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _header(path):
    with open(path, encoding="utf-8") as stream:
        return next(csv.reader(stream))


def test_cli_prints_alpha_per_variable(fixture_package, fixture_sources, capsys):
    assert cli.main(["agreement", str(fixture_package), "--sources", str(fixture_sources), "--resamples", "20"]) == 0
    out = capsys.readouterr().out
    for variable in agreement.VARIABLES:
        assert f"  {variable} " in out
    assert "nan" not in out.lower()


def test_no_second_coding_is_a_clear_error(package_copy, fixture_sources, capsys):
    data = package_copy / "data"
    for name in ("codings_by_coder", "ledger_by_coder", "reliability_rounds", "adjudications"):
        _write(data / f"{name}.csv", _header(data / f"{name}.csv"), [])
    assert cli.main(["agreement", str(package_copy), "--sources", str(fixture_sources)]) == 1
    err = capsys.readouterr().err
    assert "no second coding" in err and "Traceback" not in err


def test_unknown_move_or_factor_is_a_clear_error(fixture_tables):
    tables = dict(fixture_tables)
    codings = tables["codings_by_coder"].copy()
    codings.loc[codings.index[0], "stage_id"] = "nobody-09"
    codings.loc[codings.index[1], "factor_id"] = "no-such-factor"
    tables["codings_by_coder"] = codings
    with pytest.raises(agreement.InvalidData, match="nobody-09.*no-such-factor"):
        agreement.agreement(tables, resamples=0)


def test_cli_refuses_a_coding_of_an_unknown_move(package_copy, fixture_sources, capsys):
    path = package_copy / "data" / "codings_by_coder.csv"
    text = path.read_text(encoding="utf-8").replace(",ivan-03,", ",ivan-99,", 1)
    path.write_text(text, encoding="utf-8")
    assert cli.main(["agreement", str(package_copy), "--sources", str(fixture_sources)]) == 1
    assert "ivan-99" in capsys.readouterr().err


def test_a_single_unit_is_a_clear_error(fixture_tables):
    tables = dict(fixture_tables)
    keep = fixture_tables["stages"][fixture_tables["stages"]["person_id"] == "pavel"].head(2)   # one move
    tables["stages"] = keep
    tables["factors"] = fixture_tables["factors"].head(1)                                        # one factor
    codings = fixture_tables["codings_by_coder"]
    tables["codings_by_coder"] = codings[codings["stage_id"].isin(keep["stage_id"])
                                         & codings["factor_id"].isin(tables["factors"]["factor_id"])]
    with pytest.raises(agreement.InvalidData, match="1 unit.*at least two units"):
        agreement.compare(tables, 1, "first", "second", resamples=0)


def test_second_codings_have_the_fields_of_codings_plus_coder(fixture_descriptor):
    own = [(f["name"], f["type"], f.get("constraints", {}).get("enum")) for f in fixture_descriptor.fields("codings")]
    second = [(f["name"], f["type"], f.get("constraints", {}).get("enum"))
              for f in fixture_descriptor.fields("codings_by_coder")]
    assert second == [("coder", "string", None)] + own


def test_import_coding_gives_each_ledger_row_its_sentence_hash(package_copy, fixture_sources, tmp_path):
    from returnee_journeys.model import coders

    folder = tmp_path / "coder"
    folder.mkdir()
    data = package_copy / "data"
    (folder / "codings.csv").write_text((data / "codings.csv").read_text(encoding="utf-8"), encoding="utf-8")
    with open(data / "ledger.csv", encoding="utf-8") as stream:
        ledger = list(csv.DictReader(stream))
    _write(folder / "ledger.csv", ["source_id", "paragraph", "sentence", "disposition", "reason", "notes"],
           [[r["source_id"], r["paragraph"], r["sentence"], r["disposition"], r["reason"], ""] for r in ledger])
    assert coders.import_coding(package_copy / "datapackage.json", "third", folder, fixture_sources) == (9, 20)
    with open(data / "ledger_by_coder.csv", encoding="utf-8") as stream:
        third = [r for r in csv.DictReader(stream) if r["coder"] == "third"]
    assert [r["sentence_sha256"] for r in third] == [r["sentence_sha256"] for r in ledger]
    from returnee_journeys.validation.validate import validate

    assert list(validate(package_copy / "datapackage.json", fixture_sources, True).problems) == []


def test_a_coder_ledger_missing_a_sentence_is_reported(package_copy, fixture_sources):
    from returnee_journeys.validation.validate import validate

    path = package_copy / "data" / "ledger_by_coder.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:-1]), encoding="utf-8")
    problems = list(validate(package_copy / "datapackage.json", fixture_sources, True).problems)
    assert [p.rule for p in problems] == ["ledger-covers-text"] and "second" in problems[0].value


def _unreadable_coder(folder):
    (folder / "codings.csv").unlink()
    os.mkfifo(folder / "codings.csv")  # read as a file, it would wait for a writer forever


@pytest.mark.parametrize("coder, spoil", [
    ("=cmd", None),  # the validator would refuse every row written for it
    ("", None),
    ("third", lambda f: (f / "ledger.csv").write_text("source_id,paragraph,sentence\ngazette-ivan-olga,one,1\n", encoding="utf-8")),
    ("third", lambda f: (f / "ledger.csv").write_text("paragraph,sentence\n1,1\n", encoding="utf-8")),
    ("third", lambda f: (f / "ledger.csv").write_text("source_id,paragraph,sentence\n../x,1,1\n", encoding="utf-8")),
    ("third", lambda f: (f / "ledger.csv").write_bytes("source_id\n".encode("utf-16"))),
    ("third", _unreadable_coder),
], ids=["formula", "empty", "paragraph-not-a-number", "no-source-column", "source-outside", "utf-16", "fifo"])
def test_import_coding_refuses_bad_input_in_one_line_writing_nothing(coder, spoil, package_copy, fixture_sources,
                                                                     tmp_path, capsys):
    folder = tmp_path / "coder"
    folder.mkdir()
    for name in ("codings", "ledger"):
        (folder / f"{name}.csv").write_bytes((package_copy / "data" / f"{name}.csv").read_bytes())
    if spoil:
        spoil(folder)
    before = {p.name: p.read_bytes() for p in (package_copy / "data").iterdir()}
    code = cli.main(["import-coding", str(package_copy), "--coder", coder, "--from", str(folder),
                     "--sources", str(fixture_sources)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "internal error" not in err, err
    assert {p.name: p.read_bytes() for p in (package_copy / "data").iterdir()} == before
