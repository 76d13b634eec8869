"""The figures in the repository are the ones the data draws, and they follow the data."""
from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from returnee_journeys import figures
from returnee_journeys.model import journeys
from returnee_journeys.model import paths
from returnee_journeys.bench import synthetic
from returnee_journeys.figures import timeline


def test_figures_in_the_repository_are_what_the_tables_draw(tmp_path):
    written = figures.draw(tmp_path)
    assert sorted(p.name for p in written) == sorted(p.name for p in paths.FIGURES.iterdir())
    for path in written:
        assert path.read_bytes() == (paths.FIGURES / path.name).read_bytes(), f"{path.name} is stale: run make figures"


def test_drawing_twice_gives_identical_bytes(tmp_path):
    first = figures.draw(tmp_path / "a", ["sequences"])
    second = figures.draw(tmp_path / "b", ["sequences"])
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


@pytest.fixture(scope="module")
def more_people(tmp_path_factory):
    return journeys.read(synthetic.generate(7, tmp_path_factory.mktemp("synthetic"), seed=3))


def test_a_person_added_to_the_tables_appears_without_a_code_change(more_people):
    fig = timeline.draw(more_people)
    labels = {t.get_text() for t in fig.axes[0].get_yticklabels()}
    plt.close(fig)
    assert len(labels) == 7
    assert all(any(name in label for label in labels) for name in more_people.table("persons")["name_in_source"])


@pytest.mark.parametrize("name", sorted(figures.FIGURES))
def test_every_figure_draws_from_other_data(more_people, name):
    fig = figures.FIGURES[name].draw(more_people)
    assert fig.axes
    plt.close(fig)
