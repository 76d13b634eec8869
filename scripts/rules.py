"""Rules between rows and tables, as pandera checks on each resource.

Each rule is a vectorised function of whole tables returning, for the rows of one resource,
True where the rule holds. The descriptor supplies what the rules need to know about codes
(which stage types are realised, what each duration qualifier admits).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa

import chronology
import keys
from descriptor import Descriptor
from schema import RuleBook

DAYS_PER_UNIT = {"day": 1.0, "week": 7.0, "month": 365.2425 / 12, "year": 365.2425}
RUSSIA = "RU"


def _of_stage(tables, stage_ids: pd.Series, column: str) -> pd.Series:
    """A column of the stage each id names; `person_source` is the source of the stage's person."""
    if column == "person_source":
        return _of_person(tables, _of_stage(tables, stage_ids, "person_id"), "source_id")
    return keys.lookup(stage_ids, tables["stages"], "stage_id", column)


def _of_person(tables, person_ids: pd.Series, column: str) -> pd.Series:
    return keys.lookup(person_ids, tables["persons"], "person_id", column)


def _country(tables, location_ids: pd.Series) -> pd.Series:
    return keys.lookup(location_ids, tables["locations"], "location_id", "country_code")


def _available(tables, source_ids: pd.Series) -> pd.Series:
    return keys.lookup(source_ids, tables["sources"], "source_id", "available_by_upper")


# --- stages ---------------------------------------------------------------------------------

def seq_runs_from_one(stages: pd.DataFrame) -> pd.Series:
    ordered = stages.sort_values(["person_id", "seq"], kind="stable")
    expected = ordered.groupby("person_id", sort=False).cumcount() + 1
    return (ordered["seq"] == expected).reindex(stages.index).fillna(False).astype(bool)


def origin_first(stages: pd.DataFrame) -> pd.Series:
    return (stages["seq"] == 1) == (stages["stage_type"] == "origin")


def journey_ends_with_return_in_russia(tables, stages: pd.DataFrame) -> pd.Series:
    realised = stages[stages["stage_type"].isin(chronology.REALISED)]
    last_seq = realised.groupby("person_id")["seq"].max()
    is_last = stages["seq"] == keys.lookup(stages["person_id"], last_seq.reset_index(), "person_id", "seq")
    in_russia = _country(tables, stages["location_id"]) == RUSSIA
    ok_last = (stages["stage_type"] == "return") & in_russia
    return_elsewhere = (stages["stage_type"] == "return") & ~is_last
    return (~is_last | ok_last.fillna(False)) & ~return_elsewhere


def place_fits_stage_type(tables, stages: pd.DataFrame) -> pd.Series:
    in_russia = (_country(tables, stages["location_id"]) == RUSSIA).fillna(False)
    home = stages["stage_type"].isin(["origin", "temporary-return", "return"])
    away = stages["stage_type"].isin(["abroad", "planned"])
    return (home & in_russia) | (away & ~in_russia)


def planned_has_no_dates(stages: pd.DataFrame) -> pd.Series:
    return ~((stages["stage_type"] == "planned") & (stages["start"].notna() | stages["end"].notna()))


def end_not_before_start(stages: pd.DataFrame) -> pd.Series:
    return ~(stages["end_upper"] < stages["start_lower"]).fillna(False)


def inferred_place_explained(stages: pd.DataFrame) -> pd.Series:
    return ~((stages["location_certainty"] == "inferred") & stages["notes"].isna())


def same_source_as_person(tables, frame: pd.DataFrame) -> pd.Series:
    return (frame["source_id"] == _of_person(tables, frame["person_id"], "source_id")).fillna(False).astype(bool)


def not_after_text(tables, stages: pd.DataFrame) -> pd.Series:
    available = _available(tables, stages["source_id"])
    late = (stages["start_lower"] > available) | (stages["end_lower"] > available)
    return ~late.fillna(False)


def continuity(windows: pd.DataFrame, stages: pd.DataFrame) -> pd.Series:
    return windows["continuity"].reindex(stages.index).fillna(True).astype(bool)


def chronological(windows: pd.DataFrame, stages: pd.DataFrame) -> pd.Series:
    ordered = windows["ordered"] | ~windows["continuity"]  # a broken continuity is reported once, there
    return ordered.reindex(stages.index).fillna(True).astype(bool)


# --- persons --------------------------------------------------------------------------------

def origin_matches_stage(tables, persons: pd.DataFrame) -> pd.Series:
    stages = tables["stages"]
    origin = stages[stages["stage_type"] == "origin"]
    stage_place = keys.lookup(persons["person_id"], origin, "person_id", "location_id")
    return (persons["origin_location_id"] == stage_place).fillna(persons["origin_location_id"].isna()).astype(bool)


# --- durations ------------------------------------------------------------------------------

def stages_of_own_person(tables, frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    ok = pd.Series(True, index=frame.index)
    for column in columns:
        owner = _of_stage(tables, frame[column], "person_id")
        ok &= (owner == frame["person_id"]).fillna(frame[column].isna() | owner.isna())
    return ok.astype(bool)


def span_in_order(tables, durations: pd.DataFrame) -> pd.Series:
    first = _of_stage(tables, durations["first_stage_id"], "seq")
    last = _of_stage(tables, durations["last_stage_id"], "seq")
    return (first <= last).fillna(True).astype(bool)


def value_given_when_numeric(descriptor: Descriptor, durations: pd.DataFrame) -> pd.Series:
    admits = descriptor.field("durations", "qualifier")["admits"]
    needs_value = durations["qualifier"].map({q: spec["min"][0] != 0 for q, spec in admits.items()})
    return (needs_value.astype("boolean") == durations["value"].notna()).fillna(True).astype(bool)


def admitted_days(descriptor: Descriptor, durations: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The shortest and longest true length (in days) a stated duration is taken to allow."""
    admits = descriptor.field("durations", "qualifier")["admits"]
    unit = durations["unit"].map(DAYS_PER_UNIT).astype(float)
    value = durations["value"].astype(float).fillna(0.0)

    def bound(which: str, unbounded: float) -> pd.Series:
        factor = durations["qualifier"].map({q: (s[which] or [np.nan])[0] for q, s in admits.items()}).astype(float)
        offset = durations["qualifier"].map({q: (s[which] or [np.nan, np.nan])[1] for q, s in admits.items()})
        days = (factor * value + offset.astype(float)) * unit
        return days.fillna(unbounded)

    return bound("min", 0.0), bound("max", np.inf)


def span_days(windows: pd.DataFrame, durations: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """The shortest and longest time the dates allow from the first stage's start to the last's end."""
    def at(column: str, bound: str) -> pd.Series:
        return keys.lookup(durations[column], windows, "stage_id", bound)

    start_min, start_max = at("first_stage_id", "start_min"), at("first_stage_id", "start_max")
    end_min, end_max = at("last_stage_id", "end_min"), at("last_stage_id", "end_max")
    shortest = ((end_min - start_max).dt.days.astype(float)).clip(lower=0).fillna(0.0)
    longest = (end_max - start_min).dt.days.astype(float).fillna(np.inf)
    return shortest, longest


def duration_agrees_or_flagged(descriptor, tables, windows, durations: pd.DataFrame) -> pd.Series:
    low, high = admitted_days(descriptor, durations)
    shortest, longest = span_days(windows, durations)
    relation = durations["span_relation"]
    agrees = np.where(relation == "equals", (low <= longest) & (high >= shortest),
                      np.where(relation == "within", low <= longest, True))
    flagged = keys.is_in(durations["duration_id"], tables["discrepancies"]["duration_id"])
    return pd.Series(agrees, index=durations.index) | flagged


# --- codings, discrepancies, factors, estimates ---------------------------------------------

def stage_source_is_row_source(tables, frame: pd.DataFrame) -> pd.Series:
    return (_of_stage(tables, frame["stage_id"], "person_source") == frame["source_id"]).fillna(True).astype(bool)


def duration_matches_stage_person(tables, discrepancies: pd.DataFrame) -> pd.Series:
    owner = keys.lookup(discrepancies["duration_id"], tables["durations"], "duration_id", "person_id")
    return (owner == _of_stage(tables, discrepancies["stage_id"], "person_id")).fillna(True).astype(bool)


def factor_used(tables, factors: pd.DataFrame) -> pd.Series:
    return keys.is_in(factors["factor_id"], tables["codings"]["factor_id"])


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

def schemas(descriptor: Descriptor, tables: dict[str, pd.DataFrame], book: RuleBook) -> dict[str, pa.DataFrameSchema]:
    """Rule schemas for the resources present; a rule needing a missing table is left out."""
    have = set(tables)
    windows = None
    if {"stages", "persons", "sources"} <= have:
        windows = chronology.windows(tables["stages"], tables["persons"], tables["sources"])
    checks: dict[str, list[pa.Check]] = {name: [] for name in have}

    def add(resource, needs, fn, rule, field, hint):
        if resource in have and set(needs) <= have:
            checks[resource].append(book.check(fn, rule, field, hint))

    add("stages", [], seq_runs_from_one, "seq-runs-1-to-n", "seq",
        "number each person's stages 1, 2, 3 … in journey order, without gaps or repeats")
    add("stages", [], origin_first, "origin-first", "stage_type",
        "a journey starts with one `origin` stage (seq 1) and has no other origin")
    add("stages", ["locations"], lambda f: journey_ends_with_return_in_russia(tables, f), "ends-with-return-in-russia",
        "stage_type", "the last realised stage of a journey is a `return` in Russia, and only the last is")
    add("stages", ["locations"], lambda f: place_fits_stage_type(tables, f), "place-fits-stage-type", "location_id",
        "origin, temporary-return and return stages are in Russia; abroad and planned ones are not")
    add("stages", [], planned_has_no_dates, "planned-has-no-dates", "start",
        "a planned destination was never reached: leave start and end empty")
    add("stages", [], end_not_before_start, "end-before-start", "end",
        "the stay ends before it starts: check the dates or their precision")
    add("stages", [], inferred_place_explained, "inferred-place-explained", "notes",
        "say in notes why the place is inferred")
    add("stages", ["persons"], lambda f: same_source_as_person(tables, f), "person-source", "source_id",
        "a stage comes from the same text as its person")
    add("stages", ["sources"], lambda f: not_after_text(tables, f), "after-text", "start",
        "a date lies after the text was available (sources.available_by)")
    if windows is not None:
        add("stages", [], lambda f: continuity(windows, f), "stage-continuity", "start",
            "a stay starts when the previous one ends: this start does not fit the previous stage's end "
            "(overlapping stays?)")
        add("stages", [], lambda f: chronological(windows, f), "chronology", "start",
            "the person's dates cannot all hold in this order: a stage starts before an earlier one, "
            "or after a later one")
    add("persons", ["stages"], lambda f: origin_matches_stage(tables, f), "origin-matches-stage", "origin_location_id",
        "origin_location_id must be the location of the person's origin stage")
    add("durations", ["stages"], lambda f: stages_of_own_person(tables, f, ["first_stage_id", "last_stage_id"]),
        "stages-of-own-person", "first_stage_id", "a duration spans stages of its own person")
    add("durations", ["stages"], lambda f: span_in_order(tables, f), "span-in-order", "last_stage_id",
        "the last stage of a span cannot come before its first stage")
    add("durations", [], lambda f: value_given_when_numeric(descriptor, f), "value-matches-qualifier", "value",
        "give a value for exactly/about/more-than/almost; leave it empty for a-few and unquantified")
    add("durations", ["persons"], lambda f: same_source_as_person(tables, f), "person-source", "source_id",
        "a duration comes from the same text as its person")
    if windows is not None:
        add("durations", ["discrepancies"], lambda f: duration_agrees_or_flagged(descriptor, tables, windows, f),
            "duration-agrees-with-dates", "value",
            "the stated duration does not fit the span the dates allow: correct it, or add a discrepancies "
            "row with this duration_id quoting both statements")
    add("codings", ["stages", "persons"], lambda f: stage_source_is_row_source(tables, f), "stage-source", "source_id",
        "a coding comes from the same text as the person of its stage")
    add("discrepancies", ["stages", "persons"], lambda f: stage_source_is_row_source(tables, f), "stage-source",
        "source_id", "a discrepancy comes from the same text as the person of its stage")
    add("discrepancies", ["stages", "persons", "durations"], lambda f: duration_matches_stage_person(tables, f),
        "duration-of-stage-person", "duration_id", "the duration must belong to the person of the stage")
    add("factors", ["codings"], lambda f: factor_used(tables, f), "factor-used", "factor_id",
        "every codebook factor is used by at least one coding: use it or remove it")
    add("estimates", [], estimate_has_value, "value-or-range", "value",
        "give a point value, a low–high range, or both")
    add("estimates", [], estimate_range_ordered, "range-ordered", "low",
        "low must not exceed high, and a point value lies within its range")
    return {name: pa.DataFrameSchema(checks=c, name=name) for name, c in checks.items() if c}
