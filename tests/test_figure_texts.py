"""What the figures write reads right whatever the data: an outlet named with its own article ("The
Guardian") takes no second one, codes are shown by their category labels, and the date ranges of any
number of texts stay apart (on the fixture, changed in memory)."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from returnee_journeys.figures import durations, estimates, factors, style, timeline
from returnee_journeys.model import journeys

pytestmark = pytest.mark.xdist_group("figure_texts")  # one worker builds its module fixtures


@pytest.fixture(scope="module")
def fixture(fixture_package):
    return journeys.read(fixture_package / "datapackage.json")


def with_table(data: journeys.Journeys, name: str, table: pd.DataFrame) -> journeys.Journeys:
    return journeys.Journeys(data.descriptor, {**data.tables, name: table})


def test_an_outlet_with_its_own_article_takes_no_second_one(fixture):
    sources = fixture.table("sources").copy()
    sources["outlet"] = ["The Guardian"] + list(sources["outlet"].iloc[1:])
    sources["coded_copy_url"] = sources["coded_copy_url"].astype(object)
    sources.loc[sources.index[0], "coded_copy_url"] = "https://copy.example.org/a"
    notes = " ".join(style.copy_notes(with_table(fixture, "sources", sources)))
    assert "The Guardian text is coded from a copy" in notes and "The The" not in notes and "the The" not in notes
    assert style.the_outlet("Al Jazeera") == "the Al Jazeera" and style.the_outlet("The Guardian") == "The Guardian"


def test_codes_are_shown_by_their_category_labels(fixture):
    labels = style.category_labels(fixture, "estimates", "measure")
    rows = fixture.table("estimates")
    _, headings = estimates.positions(rows, [1] * len(rows), labels)
    assert headings and {h for _, h in headings} <= set(labels.values())
    stage_labels = {v.lower() for v in style.category_labels(fixture, "stages", "stage_type").values()}
    for heading in factors.columns(fixture)["heading"]:
        assert heading.rsplit(" (", 1)[1].rstrip(")") in stage_labels
    subjects = style.category_labels(fixture, "durations", "subject")
    fig = durations.draw(fixture)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    for tick, subject in zip(ticks, fixture.table("durations")["subject"]):
        assert tick.endswith(": " + style.lowered(subjects[subject]))
    plt.close(fig)


def test_the_date_ranges_of_many_texts_stay_apart(fixture):
    events = fixture.table("events")
    template = events.iloc[[0]]
    ranged = pd.concat([template.assign(event_id=f"publication-{i}", label=f"Outlet {i} article",
                                        date_lower=pd.Timestamp(2023, 1 + i, 1), date_upper=pd.Timestamp(2024, 6 + i, 1))
                        for i in range(6)])
    data = with_table(fixture, "events", pd.concat([events, ranged], ignore_index=True))
    fig = timeline.draw(data)
    ax = fig.axes[0]
    brackets = [line for line in ax.get_lines() if line.get_gid() == "date-range"]
    assert len(brackets) >= 6  # and any range the fixture has
    ends = [line.get_transform().transform(np.column_stack([line.get_xdata(), line.get_ydata()])) for line in brackets]
    for i, a in enumerate(ends):
        for b in ends[i + 1:]:
            overlap = min(a[1, 0], b[1, 0]) > max(a[0, 0], b[0, 0])
            assert not overlap or abs(a[0, 1] - b[0, 1]) >= 5  # overlapping ranges: rows apart (pixels)
    assert style.overlaps(fig) == [] and style.outside(fig) == []
    plt.close(fig)


def test_one_marker_per_factor_and_move_citing_every_text_that_gives_it(fixture):
    codings = fixture.table("codings")
    moved = set(factors.columns(fixture)["stage_id"])
    first = codings[codings["stage_id"].isin(moved)].iloc[[0]]
    other = sorted(set(fixture.table("sources")["source_id"]) - {first["source_id"].iloc[0]})[0]
    again = first.assign(coding_id="second-text-c01", source_id=other, certainty="explicit")
    data = with_table(fixture, "codings", pd.concat([codings, again], ignore_index=True))
    fig = factors.draw(data)
    ax = fig.axes[0]
    markers = [(round(float(line.get_xdata()[0]), 3), float(line.get_ydata()[0]))
               for line in ax.get_lines() if line.get_gid() == "factor"]
    assert len(markers) == len(set(markers))  # never two markers in one place
    assert len(markers) == len(factors.merged(data.table("codings").assign(
        label=data.lee_label(data.table("codings")["lee_category"], data.table("codings")["valence"]))
        .loc[lambda c: c["stage_id"].isin(moved)]))
    cited = [t.get_text() for t in ax.texts if t.get_gid() == "texts"]
    assert "1,2" in cited
    note = fig._supxlabel.get_text().replace("\n", " ")
    for source in (first["source_id"].iloc[0], other):
        assert f"(sources/{source})" in note
    assert style.overlaps(fig) == [] and style.outside(fig) == []
    plt.close(fig)
