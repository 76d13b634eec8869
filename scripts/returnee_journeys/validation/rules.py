"""Rules between rows and tables, as checks on each resource.

Each rule is a vectorised function of whole tables returning, for the rows of one resource,
True where the rule holds. The descriptor supplies what the rules need to know about codes
(which stage types are realised stays at home, how long a unit is, what each duration
qualifier admits).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from ..model import chronology, codebook, spans
from ..model import keys, rowids
from ..model.descriptor import Descriptor
from .schema import Check



def _stage_of(j: keys.Joins, resource: str, column: str, wanted: str) -> pd.Series:
    """`wanted` of the stage that `resource.column` names; `person_source` is its person's source."""
    if wanted == "person_source":
        person = j.get(resource, column, "stages", "stage_id", "person_id")
        return keys.lookup(person, j.tables["persons"], "person_id", "source_id")
    return j.get(resource, column, "stages", "stage_id", wanted)


# --- stages ---------------------------------------------------------------------------------

def seq_runs_from_one(stages: pd.DataFrame) -> pd.Series:
    order, first = chronology.journey_order(stages)
    starts = np.flatnonzero(first)
    expected = np.empty(len(order), dtype=np.int64)
    expected[order] = np.arange(len(order)) - starts[np.cumsum(first) - 1] + 1  # place in the journey, from 1
    # a missing or untyped seq (or person) is reported by `required` or its type, not again here
    holds = (stages["seq"] == expected).fillna(True).to_numpy(dtype=bool)
    return pd.Series(holds | stages["person_id"].isna().to_numpy(), index=stages.index)


def origin_first(descriptor: Descriptor, stages: pd.DataFrame) -> pd.Series:
    return (stages["seq"] == 1) == (stages["stage_type"] == descriptor.stage_type("first"))


def at_home(j: keys.Joins) -> pd.Series:
    """For each stage: whether its place is in its person's home, the country of the person's origin
    location (False where either country is unknown)."""
    if "at_home" not in j.memo:
        country = j.get("stages", "location_id", "locations", "location_id", "country_code")
        origin = j.get("stages", "person_id", "persons", "person_id", "origin_location_id")
        home = keys.lookup(origin, j.tables["locations"], "location_id", "country_code")
        j.memo["at_home"] = (country == home).fillna(False).astype(bool)
    return j.memo["at_home"]


def journey_ends_with_return_home(descriptor: Descriptor, j: keys.Joins, stages: pd.DataFrame) -> pd.Series:
    realised = stages[["person_id", "seq"]][stages["stage_type"].isin(descriptor.stage_types(realised=True))]
    last_seq = realised.groupby("person_id")["seq"].transform("max")
    is_last = (stages["seq"] == last_seq.reindex(stages.index)).fillna(False)
    is_return = stages["stage_type"] == descriptor.stage_type("last")
    ok_last = is_return & at_home(j)
    return_elsewhere = is_return & ~is_last
    return ((~is_last | ok_last.fillna(False)) & ~return_elsewhere).astype(bool)


def place_fits_stage_type(descriptor: Descriptor, j: keys.Joins, stages: pd.DataFrame) -> pd.Series:
    in_home = at_home(j)
    home = stages["stage_type"].isin(descriptor.stage_types(at_home=True)).to_numpy(dtype=bool)
    away = stages["stage_type"].isin(descriptor.stage_types(at_home=False)).to_numpy(dtype=bool)
    either = stages["stage_type"].isin(descriptor.stage_types(at_home=None)).to_numpy(dtype=bool)
    return (home & in_home) | (away & ~in_home) | either


def home_is_listed(descriptor: Descriptor, j: keys.Joins, persons: pd.DataFrame) -> pd.Series:
    """The person's home, the country of their origin location, is one of the package's home countries
    (a person whose origin is unknown or not a known location is reported by other checks)."""
    country = j.get("persons", "origin_location_id", "locations", "location_id", "country_code")
    known = j.positions("persons", "origin_location_id", "locations", "location_id") >= 0
    return (country.isin(descriptor.home_countries).fillna(False) | ~known).astype(bool)


def unrealised_has_no_dates(descriptor: Descriptor, stages: pd.DataFrame) -> pd.Series:
    unrealised = stages["stage_type"].isin(descriptor.stage_types(realised=False)).to_numpy(dtype=bool)
    return ~(unrealised & (stages["start"].notna() | stages["end"].notna()))


def end_not_before_start(stages: pd.DataFrame) -> pd.Series:
    return ~(stages["end_upper"] < stages["start_lower"]).fillna(False)


def inference_explained(stages: pd.DataFrame) -> pd.Series:
    inferred = ((stages["location_certainty"] == "inferred") | (stages["start_basis"] == "inferred")
                | (stages["end_basis"] == "inferred")).fillna(False)
    return ~(inferred & ~stages["notes"].notna())


def date_has_basis(stages: pd.DataFrame, column: str) -> pd.Series:
    return stages[column].notna() == stages[f"{column}_basis"].notna()


def _reports(j: keys.Joins, person, source: pd.Series, where: np.ndarray | None = None) -> pd.Series:
    """Whether `source` is a text that reports on `person`: the one introducing them
    (persons.source_id) or one listed for them in person_sources. `where`: the persons row of each
    person, when the joins know it already; `person` may then be a function giving the persons."""
    persons = j.tables["persons"]
    if where is None:
        where = keys.positions(person, persons["person_id"])
    introducing = keys.take(persons, where, "source_id", source.index)
    ok = (source == introducing).fillna(False)
    further = j.tables.get("person_sources")
    if further is not None and len(further):
        person = person() if callable(person) else person
        pairs = further["person_id"].astype(str) + "\x1f" + further["source_id"].astype(str)
        ok |= keys.is_in(person.astype(str) + "\x1f" + source.astype(str), pairs)
    return ok.astype(bool)


def source_reports_person(j: keys.Joins, resource: str, frame: pd.DataFrame) -> pd.Series:
    return _reports(j, lambda: frame["person_id"], frame["source_id"],
                    j.positions(resource, "person_id", "persons", "person_id"))


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

def origin_matches_stage(descriptor: Descriptor, j: keys.Joins, persons: pd.DataFrame) -> pd.Series:
    stages = j.tables["stages"]
    origin = stages[stages["stage_type"] == descriptor.stage_type("first")]
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


def admits_no_value(spec: dict) -> bool:
    """Whether a qualifier's `admits` takes no number: neither bound scales with the value (each has
    factor 0, or is null: unbounded)."""
    return all(spec.get(side) is None or spec[side][0] == 0 for side in ("min", "max"))


def value_given_when_numeric(descriptor: Descriptor, durations: pd.DataFrame) -> pd.Series:
    admits = descriptor.field("durations", "qualifier")["admits"]
    needs_value = keys.map_values(durations["qualifier"], {q: not admits_no_value(spec) for q, spec in admits.items()})
    return (needs_value.astype("boolean") == durations["value"].notna()).fillna(True).astype(bool)


def duration_agrees_or_flagged(descriptor, j: keys.Joins, windows, durations: pd.DataFrame) -> pd.Series:
    low, high = spans.admitted_days(descriptor, durations)
    shortest, longest = spans.span_days(j, windows, durations)
    relation = durations["span_relation"]
    agrees = np.where(relation == "equals", (low <= longest) & (high >= shortest),
                      np.where(relation == "within", low <= longest, True))
    discrepancies = j.tables["discrepancies"]
    flagged = keys.is_in(durations["duration_id"], discrepancies.loc[discrepancies["resource"] == "durations", "row_id"])
    return pd.Series(agrees, index=durations.index) | flagged


# --- codings, discrepancies, factors, estimates ---------------------------------------------

def stage_source_reports_person(j: keys.Joins, resource: str, frame: pd.DataFrame) -> pd.Series:
    stage = j.positions(resource, "stage_id", "stages", "stage_id")
    found = stage >= 0
    person = j.positions("stages", "person_id", "persons", "person_id")
    where = np.full(len(stage), -1, dtype=np.int64)  # the persons row of the stage's person
    where[found] = person[stage[found]]
    no_person = np.ones(len(stage), dtype=bool)
    no_person[found] = ~j.tables["stages"]["person_id"].notna().to_numpy()[stage[found]]
    return (_reports(j, lambda: _stage_of(j, resource, "stage_id", "person_id"), frame["source_id"], where)
            | no_person).astype(bool)


def _target_rows(descriptor: Descriptor, j: keys.Joins, frame: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """For rows pointing at (resource, row_id, field): whether each part exists, and the source of the
    row pointed at (NA where that resource has no source_id). Worked out once per table."""
    memo = j.memo.get(("targets", id(frame)))
    if memo is not None and memo[0] is frame:
        return memo[1]
    found = _find_targets(descriptor, j, frame)
    j.memo[("targets", id(frame))] = (frame, found)
    return found


def _find_targets(descriptor: Descriptor, j: keys.Joins, frame: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    names = {r["name"] for r in descriptor.resources}
    resource = frame["resource"].to_numpy(dtype=object)
    resource_ok = np.isin(resource, list(names))
    row_ok = np.zeros(len(frame), bool)
    field_ok = np.zeros(len(frame), bool)
    source = np.full(len(frame), None, dtype=object)
    for name in pd.unique(resource):
        if name not in names or name not in j.tables:
            continue
        at = np.flatnonzero(resource == name)
        key = descriptor.primary_key(name)
        target = j.tables[name]
        if key and all(column in target.columns for column in key):
            where = keys.positions(frame["row_id"].iloc[at], _row_ids(j, name, key))
            row_ok[at] = where >= 0
            if "source_id" in target.columns:
                found = target["source_id"].to_numpy(dtype=object)
                source[at] = np.where(where >= 0, found[np.maximum(where, 0)] if len(found) else None, None)
        field_ok[at] = frame["field"].iloc[at].isin([f["name"] for f in descriptor.fields(name)]).to_numpy()
    index = frame.index
    return (pd.Series(resource_ok, index=index), pd.Series(row_ok, index=index), pd.Series(field_ok, index=index),
            pd.Series(source, index=index, dtype="string"))


def _row_ids(j: keys.Joins, name: str, key: list[str]) -> pd.Series:
    """The row ids (`rowids`) of a table, worked out once."""
    memo = j.memo.get(("row ids", name))
    if memo is None or memo[0] is not j.tables[name]:
        memo = (j.tables[name], pd.Series(rowids.ids(key, j.tables[name]), dtype="string"))
        j.memo[("row ids", name)] = memo
    return memo[1]


def target_exists(descriptor: Descriptor, j: keys.Joins, frame: pd.DataFrame, part: str) -> pd.Series:
    resource_ok, row_ok, field_ok, _ = _target_rows(descriptor, j, frame)
    return {"resource": resource_ok, "row_id": row_ok | ~resource_ok, "field": field_ok | ~resource_ok}[part]


def target_from_same_text(descriptor: Descriptor, j: keys.Joins, frame: pd.DataFrame) -> pd.Series:
    """A discrepancy is in the text of the row it affects (where that row names its text)."""
    _, _, _, source = _target_rows(descriptor, j, frame)
    return (source.isna() | (source == frame["source_id"])).fillna(True).astype(bool)


def reading_of_same_text(descriptor: Descriptor, j: keys.Joins, readings: pd.DataFrame) -> pd.Series:
    """A copy is read on a row coded from the text it is a copy of."""
    _, _, _, source = _target_rows(descriptor, j, readings)
    copy_source = j.get("readings", "copy_id", "copies", "copy_id", "source_id")
    return (source.isna() | copy_source.isna() | (source == copy_source)).fillna(True).astype(bool)


# --- locations, persons ----------------------------------------------------------------------

GROUP = "country-group"  # the location kind that spans several countries: it has no country_code


def country_code_fits_kind(locations: pd.DataFrame) -> pd.Series:
    group = locations["kind"] == GROUP
    return (group == locations["country_code"].isna()).fillna(True).astype(bool)


def origin_inference_explained(persons: pd.DataFrame) -> pd.Series:
    return ~((persons["origin_basis"] == "inferred") & persons["notes"].isna()).fillna(False)


# --- codings and reasons -----------------------------------------------------------------

def lee_category_allowed(j: keys.Joins, codings: pd.DataFrame, resource: str = "codings") -> pd.Series:
    """The coding's Lee category is one the codebook allows for its factor (factors.lee_categories)."""
    factor = j.positions(resource, "factor_id", "factors", "factor_id")
    lee, categories = pd.factorize(codings["lee_category"], use_na_sentinel=True)
    pair = factor * (len(categories) + 1) + lee  # each distinct (factor, category) is judged once
    distinct, back = np.unique(pair, return_inverse=True)
    lists = j.tables["factors"]["lee_categories"].to_numpy(dtype=object)
    verdict = np.ones(len(distinct), dtype=bool)
    for i, key in enumerate(distinct):
        f, c = divmod(int(key), len(categories) + 1)
        if f >= 0 and c < len(categories) and isinstance(lists[f], str):
            verdict[i] = f" {categories[c]} " in f" {lists[f]} "
    return pd.Series(verdict[back.ravel()] if len(pair) else np.ones(0, bool), index=codings.index)


def reason_matches_explicit_codings(j: keys.Joins, stages: pd.DataFrame) -> pd.Series:
    """A stage states a reason exactly when at least one of its codings is explicit."""
    codings = j.tables["codings"]
    explicit = (codings["certainty"] == "explicit").fillna(False).to_numpy(dtype=bool)
    stage = pa.array(codings["stage_id"].astype("string"))
    has_explicit = keys.is_in(stages["stage_id"], pd.Series(pd.arrays.ArrowStringArray(pc.filter(stage, explicit)
                                                                                       .cast(pa.large_string()))))
    return (stages["reason"].notna() == has_explicit).astype(bool)


# --- ledger ----------------------------------------------------------------------------------

def ledger_disposition(ledger: pd.DataFrame) -> pd.Series:
    coded = ledger["disposition"] == "coded"
    return ((coded & ledger["rows"].notna() & ledger["reason"].isna())
            | (~coded & ledger["rows"].isna() & ledger["reason"].notna())).fillna(True).astype(bool)


def ledger_rows_exist(descriptor: Descriptor, j: keys.Joins, ledger: pd.DataFrame) -> np.ndarray:
    refs = pc.split_pattern(pa.array(ledger["rows"].astype("string")), " ")
    flat = pc.list_flatten(refs)
    if len(flat) == 0:
        return np.ones(len(ledger), dtype=bool)
    owner = pc.list_parent_indices(refs).to_numpy()
    parts = pc.split_pattern(flat, "/", max_splits=1)
    resource = pc.list_element(pc.if_else(pc.greater_equal(pc.list_value_length(parts), 2), parts,
                                          pa.scalar(["", ""], parts.type)), 0)
    row_id = pc.list_element(pc.if_else(pc.greater_equal(pc.list_value_length(parts), 2), parts,
                                        pa.scalar(["", ""], parts.type)), 1)
    frame = pd.DataFrame({"resource": resource.to_pandas(types_mapper=lambda t: pd.StringDtype("pyarrow")),
                          "row_id": row_id.to_pandas(types_mapper=lambda t: pd.StringDtype("pyarrow")), "field": ""})
    resource_ok, row_ok, _, _ = _find_targets(descriptor, j, frame)
    bad = owner[~(resource_ok & row_ok).to_numpy()]
    ok = np.ones(len(ledger), dtype=bool)
    ok[bad] = False
    return ok


def excludes_names_codes(factors: pd.DataFrame) -> pd.Series:
    """Every code a factor's `excludes` names as a neighbour is a code of the codebook (`codebook`)."""
    return codebook.unknown(factors).map(len).eq(0).astype(bool)


def factor_used(j: keys.Joins, factors: pd.DataFrame) -> pd.Series:
    """Used by a coding of the package, or by a coding of a reliability round (the same codebook)."""
    used = [j.tables[name]["factor_id"] for name in CODINGS if name in j.tables]
    return keys.is_in(factors["factor_id"], pd.concat(used).drop_duplicates())


# --- reliability ------------------------------------------------------------------------------

CODINGS = ("codings", "codings_by_coder")  # the package's codings and the codings of the reliability rounds


def coder_disposition(ledger: pd.DataFrame) -> pd.Series:
    """A coder's sentence not coded gives a reason; a coded one gives none."""
    coded = ledger["disposition"] == "coded"
    return ((coded & ledger["reason"].isna()) | (~coded & ledger["reason"].notna())).fillna(True).astype(bool)


def round_coder_exists(j: keys.Joins, rounds: pd.DataFrame, column: str) -> pd.Series:
    """A round names a coder whose coding the package holds (codings_by_coder)."""
    return keys.is_in(rounds[column], j.tables["codings_by_coder"]["coder"].drop_duplicates()).astype(bool)


def estimate_has_value(estimates: pd.DataFrame) -> pd.Series:
    point = estimates["value"].notna()
    both = estimates["low"].notna() & estimates["high"].notna()
    neither = estimates["low"].isna() & estimates["high"].isna()
    return (point & (both | neither)) | (~point & both)


def estimate_range_ordered(estimates: pd.DataFrame) -> pd.Series:
    ordered = (estimates["low"] <= estimates["high"]).fillna(True)
    inside = ((estimates["low"] <= estimates["value"]) & (estimates["value"] <= estimates["high"])).fillna(True)
    return (ordered & inside).astype(bool)


# --- tables the rules, figures and exports need rows in -------------------------------------

NOT_EMPTY = ("sources", "persons", "stages", "locations", "events")


def has_rows(frame: pd.DataFrame) -> bool:
    return len(frame) > 0


def has_a_date(events: pd.DataFrame) -> bool:
    return len(events) == 0 or bool(events["date"].notna().any())


def event_not_after_text(j: keys.Joins, events: pd.DataFrame) -> pd.Series:
    available = j.get("events", "source_id", "sources", "source_id", "available_by_upper")
    return ~(events["date_lower"] > available).fillna(False).astype(bool)


# --- the checks -----------------------------------------------------------------------------

def checks(descriptor: Descriptor, j: keys.Joins) -> list[Check]:
    """The rule checks for the resources present; a rule needing a missing table is left out."""
    tables = j.tables
    have = set(tables)
    windows = None
    if {"stages", "persons", "sources"} <= have:
        try:
            # only the columns the windows need, and only the windows kept (on the stages' rows)
            needed = ["person_id", "seq", "stage_type", "source_id", "start_lower", "start_upper", "end_lower",
                      "end_upper"]
            windows = chronology.windows(tables["stages"][needed], tables["sources"],
                                         descriptor.stage_types(realised=True), descriptor.stage_types(position="last"))
            windows = windows[["start_min", "start_max", "end_min", "end_max", "continuity", "ordered"]]
            # once, on every stage's row (NaT and NA where a stage has no window)
            windows = windows.astype({"continuity": "boolean", "ordered": "boolean"}).reindex(tables["stages"].index)
        except KeyError:
            windows = None  # a column the chronology needs is missing: reported by the rules that use it
    found: list[Check] = []
    first, last = descriptor.stage_type("first"), descriptor.stage_type("last")
    # hints list the codes the descriptor gives, never a hand-written copy of them
    admits = descriptor.field("durations", "qualifier").get("admits", {}) if "durations" in have else {}
    no_value = [q for q, spec in admits.items() if isinstance(spec, dict) and admits_no_value(spec)]
    kinds = descriptor.field("locations", "kind").get("constraints", {}).get("enum", []) if "locations" in have else []

    def add(resource, needs, fn, rule, field, hint, whole=False):
        if resource in have and set(needs) <= have:
            found.append(Check(resource, rule, field, hint, fn, whole=whole))

    # a package not yet coded (as `init` writes it: every table the rules start from empty) is valid;
    # once coding starts, each of them needs rows
    fresh = all(len(tables[r]) == 0 for r in NOT_EMPTY if r in have) and "persons" in have
    for resource in () if fresh else NOT_EMPTY:
        add(resource, [], has_rows, "has-rows", None,
            f"{resource} has no rows: a journey package needs at least one (the rules, figures and exports start from it)", whole=True)
    add("events", [], has_a_date, "has-a-dated-event", "date",
        "no event has a date: the timeline and sequences start at the earliest dated event", whole=True)
    add("events", ["sources"], lambda f: event_not_after_text(j, f), "after-text", "date",
        "the event is dated after its text was available (sources.available_by)")
    add("stages", [], seq_runs_from_one, "seq-runs-1-to-n", "seq",
        "number each person's stages 1, 2, 3 … in journey order, without gaps or repeats")
    add("stages", [], lambda f: origin_first(descriptor, f), "origin-first", "stage_type",
        f"a journey starts with one `{first}` stage (seq 1) and has no other")
    add("stages", ["locations", "persons"], lambda f: journey_ends_with_return_home(descriptor, j, f),
        "ends-with-return-home", "stage_type", f"the last realised stage of a journey is a `{last}` in the person's "
        "home country (the country of their origin), and only the last is")
    home = ", ".join(descriptor.stage_types(at_home=True))
    away = ", ".join(descriptor.stage_types(at_home=False))
    add("stages", ["locations", "persons"], lambda f: place_fits_stage_type(descriptor, j, f), "place-fits-stage-type",
        "location_id", f"{home} stages are in the person's home country (the country of their origin); {away} ones "
        "are not")
    add("stages", [], lambda f: unrealised_has_no_dates(descriptor, f), "planned-has-no-dates", "start",
        f"a {', '.join(descriptor.stage_types(realised=False))} destination was never reached: leave start and end empty")
    add("stages", [], end_not_before_start, "end-before-start", "end",
        "the stay ends before it starts: check the dates or their precision")
    add("stages", [], inference_explained, "inference-explained", "notes",
        "say in notes how the inferred place or date was reached")
    for column in ("start", "end"):
        add("stages", [], lambda f, c=column: date_has_basis(f, c), "date-basis", f"{column}_basis",
            f"give {column}_basis exactly when {column} is given")
    add("stages", ["persons"], lambda f: source_reports_person(j, "stages", f), "person-source", "source_id",
        "a stage comes from a text that reports on its person (persons.source_id or person_sources)")
    add("stages", ["sources"], lambda f: not_after_text(j, f), "after-text", "start",
        "a date lies after the text was available (sources.available_by)")
    if windows is not None:
        add("stages", [], lambda f: continuity(windows, f), "stage-continuity", "start",
            "a stay starts when the previous one ends: this start does not fit the previous stage's end "
            "(overlapping stays?)")
        add("stages", [], lambda f: chronological(windows, f), "chronology", "start",
            "the person's dates cannot all hold in this order: a stage starts before an earlier one, "
            "or after a later one")
    add("locations", [], country_code_fits_kind, "country-code-fits-kind", "country_code",
        f"{', '.join(k for k in kinds if k != GROUP)} places have their country_code; a {GROUP} has none")
    add("persons", ["stages"], lambda f: origin_matches_stage(descriptor, j, f), "origin-matches-stage",
        "origin_location_id", f"origin_location_id must be the location of the person's `{first}` stage")
    add("persons", ["locations"], lambda f: home_is_listed(descriptor, j, f), "home-country-listed",
        "origin_location_id", "the person's home, the country of their origin location, must be one of the "
        f"package's home countries ({', '.join(descriptor.home_countries)}): add it to stage_type's "
        "`home_countries` in datapackage.json, or check the origin")
    add("persons", [], origin_inference_explained, "inference-explained", "notes",
        "say in notes how the inferred origin was reached")
    add("durations", ["stages"], lambda f: stages_of_own_person(j, f, ["first_stage_id", "last_stage_id"]),
        "stages-of-own-person", "first_stage_id", "a duration spans stages of its own person")
    add("durations", ["stages"], lambda f: span_in_order(j, f), "span-in-order", "last_stage_id",
        "the last stage of a span cannot come before its first stage")
    add("durations", [], lambda f: value_given_when_numeric(descriptor, f), "value-matches-qualifier", "value",
        "give a value for a numeric qualifier; leave it empty for " + " and ".join(no_value))
    add("durations", ["persons"], lambda f: source_reports_person(j, "durations", f), "person-source", "source_id",
        "a duration comes from a text that reports on its person (persons.source_id or person_sources)")
    if windows is not None:
        add("durations", ["discrepancies"], lambda f: duration_agrees_or_flagged(descriptor, j, windows, f),
            "duration-agrees-with-dates", "value",
            "the stated duration does not fit the span the dates allow: correct it, or add a discrepancies "
            "row (resource durations, this row_id) quoting both statements")
    add("codings", ["stages", "persons"], lambda f: stage_source_reports_person(j, "codings", f), "stage-source",
        "source_id", "a coding comes from a text that reports on the person of its stage")
    for rule_resource in ("discrepancies", "readings"):
        for part in ("resource", "row_id", "field"):
            add(rule_resource, [], lambda f, p=part: target_exists(descriptor, j, f, p), "target-exists", part,
                {"resource": "name one of the package's resources",
                 "row_id": "no row of that resource has this primary key",
                 "field": "that resource has no such field"}[part])
    add("discrepancies", [], lambda f: target_from_same_text(descriptor, j, f), "target-source", "source_id",
        "a discrepancy comes from the same text as the row it affects")
    add("readings", ["copies"], lambda f: reading_of_same_text(descriptor, j, f), "target-source", "copy_id",
        "a copy is read on a row coded from the text it is a copy of")
    add("ledger", [], ledger_disposition, "ledger-disposition", "disposition",
        "a coded sentence lists its rows and gives no reason; a sentence not coded gives a reason and no rows")
    add("ledger", [], lambda f: ledger_rows_exist(descriptor, j, f), "ledger-rows-exist", "rows",
        "every resource/id in rows must name a row of the package")
    for coding in CODINGS:
        add(coding, ["factors"], lambda f, c=coding: lee_category_allowed(j, f, c), "lee-category-allowed",
            "lee_category", "the codebook does not allow this Lee category for the factor (factors.lee_categories): "
            "choose another category or code")
    add("codings_by_coder", ["stages", "persons"], lambda f: stage_source_reports_person(j, "codings_by_coder", f),
        "stage-source", "source_id", "a coding comes from a text that reports on the person of its stage")
    add("ledger_by_coder", [], coder_disposition, "ledger-disposition", "disposition",
        "a sentence not coded gives a reason; a coded one gives none")
    for column in ("coder_a", "coder_b"):
        add("reliability_rounds", ["codings_by_coder"], lambda f, c=column: round_coder_exists(j, f, c),
            "round-coder-exists", column, "name a coder whose coding is in codings_by_coder")
    add("stages", ["codings"], lambda f: reason_matches_explicit_codings(j, f), "reason-matches-codings", "reason",
        "give a reason exactly when the text states one: at least one coding of the stage is explicit")
    add("factors", [], excludes_names_codes, "excludes-names-codes", "excludes",
        "excludes names a neighbouring code (after a colon, codes separated by commas) that is not a factor_id of "
        "the codebook: correct the id, or add that code; a code's neighbours need not name it back")
    if "factors" in have and not descriptor.resource("factors").get("borrowedFrom"):
        # a codebook borrowed whole from another package (a reliability sample) need not use every code
        add("factors", ["codings"], lambda f: factor_used(j, f), "factor-used", "factor_id",
            "every codebook factor is used by at least one coding: use it or remove it")
    add("estimates", [], estimate_has_value, "value-or-range", "value",
        "give a point value, a low–high range, or both")
    add("estimates", [], estimate_range_ordered, "range-ordered", "low",
        "low must not exceed high, and a point value lies within its range")
    return found
