"""Rules between rows and tables, as pandera checks on each resource.

Each rule is a vectorised function of whole tables returning, for the rows of one resource,
True where the rule holds. The descriptor supplies what the rules need to know about codes
(which stage types are realised stays at home, how long a unit is, what each duration
qualifier admits).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ..model import chronology, spans
from ..model import keys
from ..model.descriptor import Descriptor
from .schema import RuleBook



def _stage_of(j: keys.Joins, resource: str, column: str, wanted: str) -> pd.Series:
    """`wanted` of the stage that `resource.column` names; `person_source` is its person's source."""
    if wanted == "person_source":
        person = j.get(resource, column, "stages", "stage_id", "person_id")
        return keys.lookup(person, j.tables["persons"], "person_id", "source_id")
    return j.get(resource, column, "stages", "stage_id", wanted)


# --- stages ---------------------------------------------------------------------------------

def seq_runs_from_one(stages: pd.DataFrame) -> pd.Series:
    ordered = stages.sort_values(["person_id", "seq"], kind="stable")
    expected = ordered.groupby("person_id", sort=False).cumcount() + 1
    return (ordered["seq"] == expected).reindex(stages.index).fillna(False).astype(bool)


def origin_first(stages: pd.DataFrame) -> pd.Series:
    return (stages["seq"] == 1) == (stages["stage_type"] == "origin")


def journey_ends_with_return_in_russia(descriptor: Descriptor, j: keys.Joins, stages: pd.DataFrame) -> pd.Series:
    realised = stages[stages["stage_type"].isin(descriptor.stage_types(realised=True))]
    last_seq = realised.groupby("person_id")["seq"].transform("max")
    is_last = (stages["seq"] == last_seq.reindex(stages.index)).fillna(False)
    in_russia = j.get("stages", "location_id", "locations", "location_id", "country_code") == descriptor.home_country
    ok_last = (stages["stage_type"] == "return") & in_russia
    return_elsewhere = (stages["stage_type"] == "return") & ~is_last
    return ((~is_last | ok_last.fillna(False)) & ~return_elsewhere).astype(bool)


def place_fits_stage_type(descriptor: Descriptor, j: keys.Joins, stages: pd.DataFrame) -> pd.Series:
    country = j.get("stages", "location_id", "locations", "location_id", "country_code")
    in_russia = (country == descriptor.home_country).fillna(False)
    home = stages["stage_type"].isin(descriptor.stage_types(at_home=True))
    away = stages["stage_type"].isin(descriptor.stage_types(at_home=False))
    return (home & in_russia) | (away & ~in_russia)


def planned_has_no_dates(stages: pd.DataFrame) -> pd.Series:
    return ~((stages["stage_type"] == "planned") & (stages["start"].notna() | stages["end"].notna()))


def end_not_before_start(stages: pd.DataFrame) -> pd.Series:
    return ~(stages["end_upper"] < stages["start_lower"]).fillna(False)


def inference_explained(stages: pd.DataFrame) -> pd.Series:
    inferred = ((stages["location_certainty"] == "inferred") | (stages["start_basis"] == "inferred")
                | (stages["end_basis"] == "inferred")).fillna(False)
    return ~(inferred & stages["notes"].isna())


def date_has_basis(stages: pd.DataFrame, column: str) -> pd.Series:
    return stages[column].notna() == stages[f"{column}_basis"].notna()


def same_source_as_person(j: keys.Joins, resource: str, frame: pd.DataFrame) -> pd.Series:
    person_source = j.get(resource, "person_id", "persons", "person_id", "source_id")
    return (frame["source_id"] == person_source).fillna(False).astype(bool)


def not_after_text(j: keys.Joins, stages: pd.DataFrame) -> pd.Series:
    available = j.get("stages", "source_id", "sources", "source_id", "available_by_upper")
    late = (stages["start_lower"] > available) | (stages["end_lower"] > available)
    return ~late.fillna(False)


def continuity(windows: pd.DataFrame, stages: pd.DataFrame) -> pd.Series:
    return windows["continuity"].reindex(stages.index).fillna(True).astype(bool)


def chronological(windows: pd.DataFrame, stages: pd.DataFrame) -> pd.Series:
    ordered = windows["ordered"] | ~windows["continuity"]  # a broken continuity is reported once, there
    return ordered.reindex(stages.index).fillna(True).astype(bool)


# --- persons --------------------------------------------------------------------------------

def origin_matches_stage(j: keys.Joins, persons: pd.DataFrame) -> pd.Series:
    stages = j.tables["stages"]
    origin = stages[stages["stage_type"] == "origin"]
    stage_place = keys.lookup(persons["person_id"], origin, "person_id", "location_id")
    return (persons["origin_location_id"] == stage_place).fillna(persons["origin_location_id"].isna()).astype(bool)


# --- durations ------------------------------------------------------------------------------

def stages_of_own_person(j: keys.Joins, frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    ok = pd.Series(True, index=frame.index)
    for column in columns:
        owner = _stage_of(j, "durations", column, "person_id")
        ok &= (owner == frame["person_id"]).fillna(frame[column].isna() | owner.isna())
    return ok.astype(bool)


def span_in_order(j: keys.Joins, durations: pd.DataFrame) -> pd.Series:
    first = _stage_of(j, "durations", "first_stage_id", "seq")
    last = _stage_of(j, "durations", "last_stage_id", "seq")
    return (first <= last).fillna(True).astype(bool)


def value_given_when_numeric(descriptor: Descriptor, durations: pd.DataFrame) -> pd.Series:
    admits = descriptor.field("durations", "qualifier")["admits"]
    needs_value = durations["qualifier"].map({q: spec["min"][0] != 0 for q, spec in admits.items()})
    return (needs_value.astype("boolean") == durations["value"].notna()).fillna(True).astype(bool)


def duration_agrees_or_flagged(descriptor, j: keys.Joins, windows, durations: pd.DataFrame) -> pd.Series:
    low, high = spans.admitted_days(descriptor, durations)
    shortest, longest = spans.span_days(j, windows, durations)
    relation = durations["span_relation"]
    agrees = np.where(relation == "equals", (low <= longest) & (high >= shortest),
                      np.where(relation == "within", low <= longest, True))
    flagged = keys.is_in(durations["duration_id"], j.tables["discrepancies"]["duration_id"])
    return pd.Series(agrees, index=durations.index) | flagged


# --- codings, discrepancies, factors, estimates ---------------------------------------------

def stage_source_is_row_source(j: keys.Joins, resource: str, frame: pd.DataFrame) -> pd.Series:
    person_source = _stage_of(j, resource, "stage_id", "person_source")
    return (person_source == frame["source_id"]).fillna(True).astype(bool)


def duration_matches_stage_person(j: keys.Joins, discrepancies: pd.DataFrame) -> pd.Series:
    owner = j.get("discrepancies", "duration_id", "durations", "duration_id", "person_id")
    stage_person = _stage_of(j, "discrepancies", "stage_id", "person_id")
    return (owner == stage_person).fillna(True).astype(bool)


def factor_used(j: keys.Joins, factors: pd.DataFrame) -> pd.Series:
    return keys.is_in(factors["factor_id"], j.tables["codings"]["factor_id"].drop_duplicates())


def estimate_has_value(estimates: pd.DataFrame) -> pd.Series:
    point = estimates["value"].notna()
    both = estimates["low"].notna() & estimates["high"].notna()
    neither = estimates["low"].isna() & estimates["high"].isna()
    return (point & (both | neither)) | (~point & both)


def estimate_range_ordered(estimates: pd.DataFrame) -> pd.Series:
    ordered = (estimates["low"] <= estimates["high"]).fillna(True)
    inside = ((estimates["low"] <= estimates["value"]) & (estimates["value"] <= estimates["high"])).fillna(True)
    return (ordered & inside).astype(bool)


# --- the schemas ----------------------------------------------------------------------------

def schemas(descriptor: Descriptor, j: keys.Joins, book: RuleBook) -> dict[str, pa.DataFrameSchema]:
    """Rule schemas for the resources present; a rule needing a missing table is left out."""
    tables = j.tables
    have = set(tables)
    windows = None
    if {"stages", "persons", "sources"} <= have:
        windows = chronology.windows(tables["stages"], tables["sources"], descriptor.stage_types(realised=True))
    checks: dict[str, list[pa.Check]] = {name: [] for name in have}

    def add(resource, needs, fn, rule, field, hint):
        if resource in have and set(needs) <= have:
            checks[resource].append(book.check(fn, rule, field, hint))

    add("stages", [], seq_runs_from_one, "seq-runs-1-to-n", "seq",
        "number each person's stages 1, 2, 3 … in journey order, without gaps or repeats")
    add("stages", [], origin_first, "origin-first", "stage_type",
        "a journey starts with one `origin` stage (seq 1) and has no other origin")
    add("stages", ["locations"], lambda f: journey_ends_with_return_in_russia(descriptor, j, f), "ends-with-return-in-russia",
        "stage_type", "the last realised stage of a journey is a `return` in Russia, and only the last is")
    add("stages", ["locations"], lambda f: place_fits_stage_type(descriptor, j, f), "place-fits-stage-type", "location_id",
        "origin, temporary-return and return stages are in Russia; abroad and planned ones are not")
    add("stages", [], planned_has_no_dates, "planned-has-no-dates", "start",
        "a planned destination was never reached: leave start and end empty")
    add("stages", [], end_not_before_start, "end-before-start", "end",
        "the stay ends before it starts: check the dates or their precision")
    add("stages", [], inference_explained, "inference-explained", "notes",
        "say in notes how the inferred place or date was reached")
    for column in ("start", "end"):
        add("stages", [], lambda f, c=column: date_has_basis(f, c), "date-basis", f"{column}_basis",
            f"give {column}_basis (stated, public-record or inferred) exactly when {column} is given")
    add("stages", ["persons"], lambda f: same_source_as_person(j, "stages", f), "person-source", "source_id",
        "a stage comes from the same text as its person")
    add("stages", ["sources"], lambda f: not_after_text(j, f), "after-text", "start",
        "a date lies after the text was available (sources.available_by)")
    if windows is not None:
        add("stages", [], lambda f: continuity(windows, f), "stage-continuity", "start",
            "a stay starts when the previous one ends: this start does not fit the previous stage's end "
            "(overlapping stays?)")
        add("stages", [], lambda f: chronological(windows, f), "chronology", "start",
            "the person's dates cannot all hold in this order: a stage starts before an earlier one, "
            "or after a later one")
    add("persons", ["stages"], lambda f: origin_matches_stage(j, f), "origin-matches-stage", "origin_location_id",
        "origin_location_id must be the location of the person's origin stage")
    add("durations", ["stages"], lambda f: stages_of_own_person(j, f, ["first_stage_id", "last_stage_id"]),
        "stages-of-own-person", "first_stage_id", "a duration spans stages of its own person")
    add("durations", ["stages"], lambda f: span_in_order(j, f), "span-in-order", "last_stage_id",
        "the last stage of a span cannot come before its first stage")
    add("durations", [], lambda f: value_given_when_numeric(descriptor, f), "value-matches-qualifier", "value",
        "give a value for exactly/about/more-than/almost; leave it empty for a-few and unquantified")
    add("durations", ["persons"], lambda f: same_source_as_person(j, "durations", f), "person-source", "source_id",
        "a duration comes from the same text as its person")
    if windows is not None:
        add("durations", ["discrepancies"], lambda f: duration_agrees_or_flagged(descriptor, j, windows, f),
            "duration-agrees-with-dates", "value",
            "the stated duration does not fit the span the dates allow: correct it, or add a discrepancies "
            "row with this duration_id quoting both statements")
    add("codings", ["stages", "persons"], lambda f: stage_source_is_row_source(j, "codings", f), "stage-source", "source_id",
        "a coding comes from the same text as the person of its stage")
    add("discrepancies", ["stages", "persons"], lambda f: stage_source_is_row_source(j, "discrepancies", f), "stage-source",
        "source_id", "a discrepancy comes from the same text as the person of its stage")
    add("discrepancies", ["stages", "persons", "durations"], lambda f: duration_matches_stage_person(j, f),
        "duration-of-stage-person", "duration_id", "the duration must belong to the person of the stage")
    add("factors", ["codings"], lambda f: factor_used(j, f), "factor-used", "factor_id",
        "every codebook factor is used by at least one coding: use it or remove it")
    add("estimates", [], estimate_has_value, "value-or-range", "value",
        "give a point value, a low–high range, or both")
    add("estimates", [], estimate_range_ordered, "range-ordered", "low",
        "low must not exceed high, and a point value lies within its range")
    return {name: pa.DataFrameSchema(checks=c, name=name) for name, c in checks.items() if c}
