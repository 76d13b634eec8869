"""Prose that grows with the data: counts and lists of persons and texts come from the tables, and
any count written by hand that the data does not bear out is found."""
from __future__ import annotations

import pandas as pd

from returnee_journeys.publish import prose

README = """# Title

The journeys of four Russians, coded from the two news texts; every sentence of both texts.

<!-- BEGIN GENERATED: who -->
Seven persons, from nine texts: whatever the data says.
<!-- END GENERATED: who -->

One lane per person; the tests use synthetic packages of 4, 6 and 30 persons.
"""


def frames(persons: int, texts: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (pd.DataFrame({"person_id": [f"p{i}" for i in range(persons)]}),
            pd.DataFrame({"source_id": [f"s{i}" for i in range(texts)], "title": pd.NA}))


def test_hand_written_counts_that_the_data_bears_out_pass():
    assert prose.stale(README, {"description": "Four returnees."}, {"abstract": "two articles"}, "", *frames(4, 2)) == []


def test_every_stale_count_is_named_with_where_it_is():
    found = prose.stale(README, {"description": "Four returnees.", "resources": [
        {"name": "sources", "description": "The two texts.", "schema": {"fields": []}}]},
        {"message": "cite the two source articles"}, "Coded journeys of four Russians", *frames(5, 3))
    assert len(found) == 7, found
    assert any(f.startswith("README.md: \"four Russians\" says 4, the data has 5 persons") for f in found)
    assert any(f.startswith("README.md: \"both texts\" says 2, the data has 3 texts") for f in found)
    assert {f.split(":")[0] for f in found} == {"README.md", "datapackage.json description", "datapackage.json, sources",
                                                "CITATION.cff message", "pyproject.toml description"}


def test_a_text_missing_from_the_citation_references_is_named():
    sources = pd.DataFrame({"source_id": ["a", "b"], "title": ["First", "Second"]})
    found = prose.stale("", {}, {"references": [{"title": "First"}]}, "", frames(1, 0)[0], sources)
    assert found == ['CITATION.cff: references do not list the text b ("Second"): add it']


def test_who_and_texts_list_every_person_and_text_from_the_tables(fixture_tables):
    persons, sources = fixture_tables["persons"], fixture_tables["sources"]
    sentence = prose.who(persons, sources, fixture_tables["person_sources"])
    assert sentence.startswith(f"{prose.number(len(persons), capital=True)} persons, from {prose.number(len(sources))} texts")
    for person in persons.itertuples():
        assert f"**{person.name_in_source}**" in sentence
    also = fixture_tables["person_sources"]
    for row in also.itertuples():
        outlet = sources.set_index("source_id").at[row.source_id, "outlet"]
        assert f"(also in {outlet})" in sentence
    listed = prose.texts(sources).splitlines()
    assert [line.split("`")[1] for line in listed] == list(sources["source_id"])


def test_generated_sections_are_found_in_linear_time_whatever_markers_a_file_holds():
    """Each begin marker meets the first end marker of its name; one never closed is text. A regex
    looking on for each begin marker's end took minutes on a README of 20,000 unclosed ones."""
    begin, end = "<!-- BEGIN GENERATED: {} -->\n", "<!-- END GENERATED: {} -->"
    text = f"a\n{begin.format('who')}old\n{begin.format('texts')}{end.format('who')}\nb\n{begin.format('texts')}"
    assert prose.generated(text, lambda name: f"<{name}>\n") == f"a\n{begin.format('who')}<who>\n{end.format('who')}" \
                                                                 f"\nb\n{begin.format('texts')}"
    assert prose.generated(text) == f"a\n\nb\n{begin.format('texts')}"
    unclosed = begin.format("tables") * 20_000
    assert prose.generated(unclosed) == unclosed
