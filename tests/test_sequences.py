"""The sequence exports: open returns are censored with a documented code, months before departure and
after the end are empty for a stated reason, uncertain months keep their candidates, and the
most-likely variant is complete and flagged. On a synthetic package (open returns of undated texts
included), never on real rows."""
from __future__ import annotations

import pandas as pd
import pytest

from returnee_journeys.exports import sequences
from returnee_journeys.model import journeys, wording

pytestmark = pytest.mark.xdist_group("sequences")  # one worker builds its module fixtures


@pytest.fixture(scope="module")
def data(synthetic_package):
    return journeys.read(synthetic_package(12, seed=12))


@pytest.fixture(scope="module")
def written(data, tmp_path_factory):
    folder = tmp_path_factory.mktemp("out") / "sequences"
    sequences.write(data, folder)
    return folder


def test_the_last_spell_carries_the_censoring_code_of_how_the_journey_ends(data, written):
    spells = pd.read_csv(written / "spells-place.csv")
    ends = data.censoring().set_index("person_id")
    assert set(ends["censor"]) == {1, 2}  # the synthetic package has both kinds of open end
    last = spells.groupby("id").tail(1).set_index("id")
    assert last["censor"].to_dict() == ends["censor"].to_dict()
    assert (spells.drop(last.index.map(lambda p: spells.index[spells["id"] == p][-1]))["censor"] == 0).all()
    months = pd.read_csv(written / "months.csv").set_index("month")["calendar_month"]
    horizon = wording.month(data.horizon())
    for person, row in last.iterrows():
        if ends.at[person, "censor"] == 2:  # carried to the latest date of the package, not observed
            assert months[row["end"]] == horizon
        else:  # ends at the text's date
            assert months[row["end"]] == wording.month(int(ends.at[person, "month"]))
    table = pd.read_csv(written / "censoring.csv").set_index("id")
    assert table["censor"].to_dict() == ends["censor"].to_dict()
    assert all(table.at[p, "note"] == sequences.CENSOR[c] for p, c in ends["censor"].items())


def test_months_before_departure_and_after_the_end_are_empty(data, written):
    sts = pd.read_csv(written / "sts-place.csv").set_index("id")
    long = pd.read_csv(written / "person-months.csv")
    for person, row in sts.iterrows():
        known = long[long["id"] == person]
        first, last = known["month"].min(), known["month"].max()
        columns = [int(c) for c in sts.columns]
        assert all(pd.isna(row[str(c)]) for c in columns if c < first or c > last)
        assert all(isinstance(row[str(c)], str) for c in columns if first <= c <= last)


def test_uncertain_months_keep_their_candidates_and_the_likely_place_is_one_of_them(written):
    long = pd.read_csv(written / "person-months.csv")
    uncertain = long[long["state"] == journeys.UNCERTAIN]
    assert len(uncertain)
    assert uncertain["candidates"].str.contains("|", regex=False).all()
    assert (uncertain["likely_basis"] == sequences.IMPUTED).all()
    assert all(likely in candidates.split("|") for likely, candidates in zip(uncertain["likely"],
                                                                               uncertain["candidates"]))
    certain = long[long["state"] != journeys.UNCERTAIN]
    assert (certain["likely"] == certain["state"]).all() and (certain["likely_basis"] == sequences.OBSERVED).all()
    likely = pd.read_csv(written / "sts-place-likely.csv").set_index("id")
    assert not (likely == journeys.UNCERTAIN).any().any()
    assert likely.notna().sum().sum() == len(long)


def test_midpoint_imputation_puts_an_undated_change_in_the_middle_of_its_window(data):
    windows = data.windows()
    months = data.months(windows)
    likely = sequences.likely_places(data, windows, months)
    # a change of place known only to a window: months before its middle keep the earlier place
    for stay in windows.itertuples():
        if pd.isna(stay.start_min) or pd.isna(stay.start_max) or (stay.start_max - stay.start_min).days < 150:
            continue
        same = windows[(windows["person_id"] == stay.person_id) & (windows["start_min"] == stay.start_min)
                       & (windows["start_max"] == stay.start_max)]
        if len(same) > 1:  # a window shared by several changes is split in shares (test below)
            continue
        middle = stay.start_min + (stay.start_max - stay.start_min) / 2
        before = journeys.month(pd.Series([middle - pd.Timedelta(days=45)])).iloc[0]
        after = journeys.month(pd.Series([middle + pd.Timedelta(days=45)])).iloc[0]
        mine = months["person_id"] == stay.person_id
        at = dict(zip(months.loc[mine, "month"], likely[mine]))
        previous = windows[(windows["person_id"] == stay.person_id) & (windows["seq"] < stay.seq)].iloc[-1]
        if previous["place"] != stay.place and before in at and after in at:
            assert at[before] == previous["place"] and at[after] == stay.place
            return
    pytest.fail("the synthetic package has no long undated change of place")


def test_the_readme_documents_every_code_and_empty_cell(data, written):
    text = (written / "README.md").read_text(encoding="utf-8")
    for code, meaning in sequences.CENSOR.items():
        assert f"`{code}`: {meaning}." in text
    for phrase in ("Before a person's first departure", "After a sequence ends", journeys.UNCERTAIN,
                   "midpoint imputation", sequences.IMPUTED, sequences.OBSERVED, 'left = "DEL"'):
        assert phrase in text
    months = pd.read_csv(written / "months.csv")
    first = months["calendar_month"].iloc[0]
    assert f"month 1 = `{first[:4]}-01`" in text and months["month"].iloc[0] == int(first[5:7])


def test_two_undated_changes_in_one_window_each_keep_their_own_share(package_copy):
    """A synthetic journey: home, a stay dated from its start, a second stay and the return, neither
    of them dated, so both changes share one window. Each is imputed in its own half of it, in order;
    the second stay keeps its months in the most-likely sequence."""
    data_dir = package_copy / "data"
    read = lambda name: pd.read_csv(data_dir / f"{name}.csv", dtype=str, keep_default_na=False)  # noqa: E731
    stages = read("stages")
    olga = stages[stages["person_id"] == "olga"]
    abroad, home = olga.iloc[1].copy(), olga.iloc[2].copy()
    second = abroad.copy()
    abroad[["end", "end_basis"]] = ""
    second[["stage_id", "seq", "location_id", "start", "end", "start_basis", "end_basis"]] = [
        "olga-09", "3", "veldland", "", "", "", ""]
    home[["seq", "start", "start_basis"]] = ["4", "", ""]
    rest = stages[stages["person_id"] != "olga"]
    pd.concat([rest, pd.DataFrame([olga.iloc[0], abroad, second, home])]).to_csv(
        data_dir / "stages.csv", index=False, lineterminator="\n")
    for name, column in (("durations", "person_id"), ("discrepancies", "row_id")):  # no stated length to bound it
        table = read(name)
        table[~table[column].str.startswith("olga")].to_csv(data_dir / f"{name}.csv", index=False, lineterminator="\n")
    data = journeys.read(package_copy / "datapackage.json")
    windows = data.windows()
    mine = windows[windows["person_id"] == "olga"].set_index("stage_id")
    low, high = mine.at["olga-09", "start_min"], mine.at["olga-09", "start_max"]
    assert (mine.at["olga-03", "start_min"], mine.at["olga-03", "start_max"]) == (low, high), "one shared window"

    months = data.months(windows)
    likely = sequences.likely_places(data, windows, months)
    sequence = likely[months["person_id"] == "olga"].tolist()
    places = journeys.place_key(data.table("locations"), pd.Series(["southern-union", "veldland", "severograd"]))
    runs = [p for i, p in enumerate(sequence) if i == 0 or sequence[i - 1] != p]
    assert runs == places.tolist(), "every stay, in journey order"
    month = lambda day: journeys.month(pd.Series([day])).iloc[0]  # noqa: E731
    first = months.loc[months["person_id"] == "olga", "month"].min()
    into_second, home_again = sequence.index(places[1]), sequence.index(places[2])
    quarter = (high - low) / 4
    assert abs(first + into_second - month(low + quarter)) <= 1
    assert abs(first + home_again - month(low + 3 * quarter)) <= 1


@pytest.fixture(scope="module")
def fixture_written(fixture_package, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fixture-out") / "sequences"
    sequences.write(journeys.read(fixture_package / "datapackage.json"), folder)
    return folder


@pytest.mark.parametrize("folder", ["written", "fixture_written"])
def test_every_state_is_a_traminer_safe_code_listed_in_states_csv(folder, request):
    written = request.getfixturevalue(folder)
    states = pd.read_csv(written / "states.csv", dtype=str, keep_default_na=False)
    assert list(states.columns) == ["code", "label", "colour", "stands_for", "kind"]
    assert not states.duplicated(["kind", "code"]).any()
    assert states["code"].str.fullmatch(r"[A-Za-z0-9_]+").all()  # no '-', TraMineR's separator
    assert states["colour"].str.fullmatch(r"#[0-9A-Fa-f]{6}").all() and (states["label"] != "").all()
    assert (states["code"] == states["stands_for"].map(sequences.state_code)).all()
    used = {"place": set(), "stage_type": set()}
    for name, kind in (("spells-place", "place"), ("spells-stage-type", "stage_type")):
        used[kind] |= set(pd.read_csv(written / f"{name}.csv", dtype=str)["state"])
    long = pd.read_csv(written / "person-months.csv", dtype=str)
    used["place"] |= set(long["state"]) | set(long["likely"]) | set(long["candidates"].str.split("|").explode())
    for name in ("sts-place", "sts-place-likely"):
        sts = pd.read_csv(written / f"{name}.csv", dtype=str).drop(columns="id")
        used["place"] |= set(sts.stack().dropna())
    for kind, codes in used.items():  # what seqdef(alphabet = ...) needs: every state of the data listed
        assert codes == set(states.loc[states["kind"] == kind, "code"]), kind


def test_a_place_key_with_a_hyphen_gets_an_underscore_and_keeps_its_meaning(fixture_written):
    states = pd.read_csv(fixture_written / "states.csv", dtype=str).set_index("stands_for")
    hyphenated = [key for key in states.index if "-" in key]
    assert hyphenated, "the fixture has a group of countries with a hyphenated id"
    assert all(states.at[key, "code"] == key.replace("-", "_") for key in hyphenated)
    assert sequences.state_code("a-b c.d") == "a_b_c_d"


def test_a_new_stage_type_recolours_no_stage_type_of_the_sequence_states(package_copy):
    import mutations
    from returnee_journeys.model import palette

    data = journeys.read(package_copy / "datapackage.json")
    palette.of_package(data).save(package_copy / "figures" / palette.PALETTE_FILE)  # as `figures` keeps it
    before = sequences.tables(data)["states"].query("kind == 'stage_type'").set_index("code")["colour"]

    def add_stage_type(descriptor):  # a data edit: the code in the enum's natural place, its label and role
        field = next(f for r in descriptor["resources"] if r["name"] == "stages"
                     for f in r["schema"]["fields"] if f["name"] == "stage_type")
        field["constraints"]["enum"].insert(1, "internal-move")
        field["categories"].insert(1, {"value": "internal-move", "label": "Move within the home country"})
        field["roles"]["internal-move"] = {"realised": True, "at_home": True, "position": None, "transit": False}
    mutations.edit_descriptor(package_copy, add_stage_type)
    after = sequences.tables(journeys.read(package_copy / "datapackage.json"))["states"]
    after = after.query("kind == 'stage_type'").set_index("code")["colour"]
    assert after[before.index].to_dict() == before.to_dict()
