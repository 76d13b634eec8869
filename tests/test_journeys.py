"""Journeys like those of real reports, added as data to a copy of the fixture (tests/journeys.py):
each validates with its text, and the comparison table and the sequences read it correctly."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import journeys as added
from returnee_journeys.exports import sequences
from returnee_journeys.model import comparison, journeys
from returnee_journeys.validation.validate import validate

pytestmark = pytest.mark.xdist_group("journeys")  # one worker builds its module fixtures


@pytest.fixture(scope="module")
def transit_package(tmp_path_factory, fixture_sources):
    return added.package_with(tmp_path_factory.mktemp("transit"), fixture_sources, added.TRANSIT_AT_HOME)


def test_the_added_journey_validates_with_its_text(transit_package):
    package, sources = transit_package
    assert list(validate(package / "datapackage.json", sources, True, True).problems) == []


def test_transit_legs_inside_the_home_country_are_not_abroad(transit_package):
    data = journeys.read(transit_package[0] / "datapackage.json")
    row = comparison.build(data).rows.set_index("person_id").loc["nina"]
    assert row["places_abroad"] == "Veldland"
    # abroad from the end of the transit at home (October 2022) to the start of the one home (November 2023)
    assert (row["months_abroad_min"], row["months_abroad_max"]) == (13, 13)
    assert row["first_departure"] == "2022-10" and row["return"] == "2023-12"


def test_a_transit_leg_at_home_is_a_home_month_in_the_sequences(transit_package):
    data = journeys.read(transit_package[0] / "datapackage.json")
    months = sequences.tables(data)["person-months"]
    nina = months[months["id"] == "nina"].set_index("calendar_month")["state"]
    assert nina["2023-12"] == data.homes()["nina"] == "RU"
    assert set(nina[(nina.index > "2022-10") & (nina.index < "2023-11")]) == {"XB"}


@pytest.fixture(scope="module")
def two_texts_package(tmp_path_factory, fixture_sources):
    return added.package_with(tmp_path_factory.mktemp("two-texts"), fixture_sources, added.TRANSIT_AT_HOME,
                              added.EXCERPTS_AND_NEW_CODE)


def test_a_person_in_two_texts_an_excerpt_text_and_a_new_code_validate(two_texts_package):
    package, sources = two_texts_package
    assert list(validate(package / "datapackage.json", sources, True, True).problems) == []
    ledger = journeys.read(package / "datapackage.json").table("ledger")
    assert "person_sources/nina/digest-nina" in " ".join(ledger["rows"].dropna())


def test_a_new_code_touches_one_row_and_its_neighbours_see_it(two_texts_package, fixture_tables):
    from returnee_journeys.model import codebook

    factors = journeys.read(two_texts_package[0] / "datapackage.json").table("factors")
    before = fixture_tables["factors"].set_index("factor_id")["excludes"]
    after = factors.set_index("factor_id")["excludes"]
    assert after.loc[before.index].equals(before)  # no neighbour edited
    near = codebook.neighbours(factors)
    assert "border-queue" in near["visa"] and "border-queue" in near["arrest-risk"]


def test_a_factor_of_a_person_in_two_texts_names_its_text_even_when_one_text_gives_all(two_texts_package):
    from returnee_journeys.figures import factors

    plan = factors.prepare(journeys.read(two_texts_package[0] / "datapackage.json"))
    cites = {c for panel in plan.panels for c in panel.glyphs["cite"]}
    assert cites - {""}  # nina's one factor comes from her second text only: which one is said
    assert any("sources/digest-nina" in sentence for sentence in plan.note)


def test_an_excerpt_text_is_annotated_by_its_words_alone(two_texts_package):
    from returnee_journeys.exports import web_annotations
    from returnee_journeys.model import texts

    package, sources = two_texts_package
    data = journeys.read(package / "datapackage.json")
    document = web_annotations.collection(data, texts.verified(data.table("sources"), sources))
    excerpt, whole = [], []
    for item in document["first"]["items"]:
        described = next(b["value"] for b in item["body"] if b["purpose"] == "describing")
        (excerpt if "digest-nina" in described or described.startswith("codings/nina-03-c01") else whole).append(item)
    assert excerpt and whole
    for item in excerpt:
        assert all(t["selector"] == [{"type": "TextQuoteSelector", "exact": t["selector"][0]["exact"]}]
                   for t in item["target"])
    assert all(len(t["selector"]) == 2 for item in whole for t in item["target"])


def test_the_readme_list_of_persons_grows_with_the_data(two_texts_package):
    from returnee_journeys.publish import prose

    data = journeys.read(two_texts_package[0] / "datapackage.json")
    sentence = prose.who(journeys.lanes(data), data.table("sources"), data.table("person_sources"))
    assert sentence.startswith(f"{prose.number(len(data.table('persons')), capital=True)} persons, from "
                               f"{prose.number(len(data.table('sources')))} texts")
    assert "**Nina** (also in The Invented Digest)" in sentence


def editable_copy(built: tuple, tmp_path: Path) -> Path:
    """A copy of a module's package (package, sources) to edit: the module's own is shared."""
    import shutil

    return shutil.copytree(built[0], tmp_path / "package")


def test_a_sentence_of_an_excerpt_text_without_a_ledger_row_is_named_as_coverage_of_the_excerpts(
        two_texts_package, tmp_path):
    import mutations

    package = editable_copy(two_texts_package, tmp_path)
    rows = mutations.read_rows(package, "ledger")
    mutations.write_rows(package, "ledger", [r for r in rows if not (r and r[0] == "digest-nina" and r[1] == "2")])
    found = list(validate(package / "datapackage.json", two_texts_package[1], True, True).problems)
    assert [(p.resource, p.rule) for p in found] == [("ledger", "ledger-covers-text")]
    assert "kept as excerpts: the ledger covers every sentence of the excerpts, not of the article" in found[0].hint


@pytest.fixture(scope="module")
def disagree_package(tmp_path_factory, fixture_sources):
    return added.package_with(tmp_path_factory.mktemp("disagree"), fixture_sources, added.TEXTS_DISAGREE)


def test_a_contradiction_between_two_texts_on_one_person_is_recorded(disagree_package):
    package, sources = disagree_package
    assert list(validate(package / "datapackage.json", sources, True, True).problems) == []
    ledger = journeys.read(package / "datapackage.json").table("ledger")
    for text in ("gazette-ivan-olga", "bulletin-olga"):  # each quote is listed on the ledger of its own text
        assert "discrepancies/olga-x02" in " ".join(ledger.loc[ledger["source_id"] == text, "rows"].dropna())


def _disagree_copy(disagree_package, tmp_path, **cells: str) -> tuple[int, list]:
    """The line of olga-x02 and every problem once its cells are set to `cells`."""
    import mutations

    package = editable_copy(disagree_package, tmp_path)
    line = [mutations.set_cell(package, "discrepancies", "olga-x02", c, v) for c, v in cells.items()][0]
    return line, list(validate(package / "datapackage.json", disagree_package[1], True, True).problems)


def test_the_row_a_two_text_contradiction_affects_may_be_coded_from_either_text(disagree_package, tmp_path):
    # the texts swapped: the affected stage (coded from the gazette) is now from the second text
    _, found = _disagree_copy(disagree_package, tmp_path, source_id="bulletin-olga",
                              quote_a="went to the Southern Union in August 2022", source_id_b="gazette-ivan-olga",
                              quote_b="left for the Southern Union in October 2022")
    assert found == []


def test_a_quote_b_not_in_its_own_second_text_is_refused(disagree_package, tmp_path):
    # in the first text (source_id), but quote_b is from the second (source_id_b)
    line, found = _disagree_copy(disagree_package, tmp_path, quote_b="She says she spent about six months there")
    found = [p for p in found if (p.resource, p.row, p.field) == ("discrepancies", line, "quote_b")]
    assert [(p.rule, p.value, p.file) for p in found] == [
        ("quote-verbatim", "She says she spent about six months there", "data/discrepancies.csv")]
    assert "not in the text verbatim" in found[0].hint


def test_a_second_text_that_does_not_report_on_the_person_is_refused(disagree_package, tmp_path):
    import mutations

    package = editable_copy(disagree_package, tmp_path)
    mutations.write_rows(package, "person_sources", [r for r in mutations.read_rows(package, "person_sources")
                                                     if r[:2] != ["olga", "bulletin-olga"]])
    found = list(validate(package / "datapackage.json", disagree_package[1], True, False).problems)
    line = mutations.line_of(package, "discrepancies", "olga-x02")
    found = [p for p in found if p.resource == "discrepancies"]  # (the ledger still lists the row taken away)
    assert [(p.row, p.field, p.rule, p.value, p.file) for p in found] == [
        (line, "source_id_b", "texts-share-person", "bulletin-olga", "data/discrepancies.csv")]
    assert "reports on a person the first text reports on" in found[0].hint


def test_a_second_text_that_is_not_a_source_is_refused(disagree_package, tmp_path):
    line, found = _disagree_copy(disagree_package, tmp_path, source_id_b="no-such-text")
    found = [p for p in found if (p.resource, p.row, p.field) == ("discrepancies", line, "source_id_b")]
    assert [(p.rule, p.value) for p in found] == [("foreign-key", "no-such-text")]
    assert "sources" in found[0].hint


@pytest.fixture(scope="module")
def namesake_package(tmp_path_factory, fixture_sources):
    return added.package_with(tmp_path_factory.mktemp("namesake"), fixture_sources, added.UNDATED_NAMESAKE)


def test_an_undated_journey_and_a_namesake_validate(namesake_package):
    package, sources = namesake_package
    assert list(validate(package / "datapackage.json", sources, True, True).problems) == []


def test_a_journey_whose_departure_has_no_earliest_date_is_named_not_aligned(namesake_package):
    from returnee_journeys.figures import sequences as sequences_figure

    plan = sequences_figure.prepare(journeys.read(namesake_package[0] / "datapackage.json"))
    assert "olga-post" not in plan.rows  # only the text's date bounds her departure: month 0 is unknown
    assert {"ivan", "olga", "pavel"} <= set(plan.rows)
    assert any("persons/olga-post" in sentence for sentence in plan.note)


def test_a_journey_whose_departure_has_no_earliest_date_has_no_sequence_in_the_exports(namesake_package):
    frames = sequences.tables(journeys.read(namesake_package[0] / "datapackage.json"))
    for name in ("person-months", "spells-place", "spells-stage-type", "sts-place", "sts-place-likely"):
        assert "olga-post" not in set(frames[name]["id"]), name  # not started at her text's date
    ends = frames["censoring"].set_index("id")
    assert pd.isna(ends.at["olga-post", "censor"]) and "stages/olga-post-01" in ends.at["olga-post", "note"]
    assert ends["censor"].drop("olga-post").notna().all()


def test_two_persons_of_one_name_are_told_apart_in_every_figure(namesake_package):
    from returnee_journeys.figures import factors, routes, sequences as sequences_figure, timeline

    data = journeys.read(namesake_package[0] / "datapackage.json")
    lanes = journeys.lanes(data)
    assert list(lanes["name_in_source"]).count("Olga") == 2
    assert sorted(routes.prepare(data).names.values()) == ["Ivan", "Olga (olga)", "Olga (olga-post)", "Pavel"]
    assert sorted(timeline.lane_labels(data, lanes)) == ["Ivan (The Severograd Gazette)",
                                                        "Olga (olga) (The Severograd Gazette)",
                                                        "Olga (olga-post) (The Invented Post)",
                                                        "Pavel (The Veldland Herald)"]
    assert "Olga (olga)" in sequences_figure.prepare(data).names
    headers = {name for panel in factors.prepare(data).panels for _, _, name in panel.persons}
    assert "Olga (olga)" in headers and "Olga" not in headers
