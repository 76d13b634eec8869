"""A ledger row, in the package's ledger or a coder's, that names no sentence of its text is refused,
with the row named and the same hint in both ledgers."""
from __future__ import annotations

import csv

import pytest

from returnee_journeys.validation.validate import validate


def _add_row_past_the_text(path):
    """Appends a copy of the file's last row, moved to a paragraph the text does not have."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    extra = dict(rows[-1], paragraph="999", sentence="1")
    with path.open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n").writerow(extra)
    return len(rows) + 2  # the physical line of the new row: the header is line 1


@pytest.mark.parametrize("resource", ["ledger", "ledger_by_coder"])
def test_a_ledger_row_for_a_sentence_the_text_does_not_have_is_refused(resource, package_copy, fixture_sources):
    line = _add_row_past_the_text(package_copy / "data" / f"{resource}.csv")
    problems = list(validate(package_copy / "datapackage.json", fixture_sources, True).problems)
    assert [(p.resource, p.field, p.rule, p.value) for p in problems] == [
        (resource, "sentence", "ledger-covers-text", "paragraph 999 sentence 1")]
    assert "has no such sentence: remove the row or correct its numbers" in problems[0].hint
    assert problems[0].row == line
