"""Rules between rows and tables, as checks on each resource.

Each rule is a vectorised function of whole tables returning, for the rows of one resource,
True where the rule holds. The descriptor supplies what the rules need to know about codes
(which stage types are realised stays at home, how long a unit is, what each duration
qualifier admits).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from ..model import chronology, codebook, spans
from ..model import keys, rowids
from ..model.descriptor import Descriptor
from .schema import Check


def _stage_of(j: keys.Joins, resource: str, column: str, wanted: str) -> pd.Series:
    """`wanted` of the stage that `resource.column` names."""
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


def at_home(j: keys.Joins) -> pd.Series:
    """For each stage: whether its place is in its person's home, the country of the person's origin
    location (False where either country is unknown)."""
    if "at_home" not in j.memo:
        country = j.get("stages", "location_id", "locations", "location_id", "country_code")
        origin = j.get("stages", "person_id", "persons", "person_id", "origin_location_id")
        home = keys.lookup(origin, j.tables["locations"], "location_id", "country_code")
        j.memo["at_home"] = (country == home).fillna(False).astype(bool)
    return j.memo["at_home"]


def _dangling(j: keys.Joins, column: str, table: str) -> np.ndarray:
    """For each stage: whether `column` names a row of `table` that does not exist (`foreign-key` reports it)."""
    return (j.tables["stages"][column].notna() & (j.positions("stages", column, table, column) < 0)).to_numpy(dtype=bool)


def home_not_judged(j: keys.Joins) -> np.ndarray:
    """For each stage: whether its place, its person or that person's origin names a row that does not
    exist; `foreign-key` reports that row, and whether the stage is at home is not judged again."""
    origin = j.get("stages", "person_id", "persons", "person_id", "origin_location_id")
    unknown_origin = origin.notna() & (keys.positions(origin, j.tables["locations"]["location_id"]) < 0)
    return _dangling(j, "location_id", "locations") | _dangling(j, "person_id", "persons") | unknown_origin.to_numpy(
        dtype=bool)


def journey_ends_with_return_home(descriptor: Descriptor, j: keys.Joins, stages: pd.DataFrame) -> pd.Series:
    realised = stages[["person_id", "seq"]][stages["stage_type"].isin(descriptor.stage_types(realised=True))]
    last_seq = realised.groupby("person_id")["seq"].transform("max")
    is_last = (stages["seq"] == last_seq.reindex(stages.index)).fillna(False)
    is_return = stages["stage_type"] == descriptor.stage_type("last")
    ok_last = is_return & (at_home(j) | home_not_judged(j))
    return_elsewhere = is_return & ~is_last
    return ((~is_last | ok_last.fillna(False)) & ~return_elsewhere).astype(bool) | _dangling(j, "person_id", "persons")


def place_fits_stage_type(descriptor: Descriptor, j: keys.Joins, stages: pd.DataFrame) -> pd.Series:
    in_home = at_home(j)
    home = stages["stage_type"].isin(descriptor.stage_types(at_home=True)).to_numpy(dtype=bool)
    away = stages["stage_type"].isin(descriptor.stage_types(at_home=False)).to_numpy(dtype=bool)
    either = stages["stage_type"].isin(descriptor.stage_types(at_home=None)).to_numpy(dtype=bool)
    return (home & in_home) | (away & ~in_home) | either | home_not_judged(j)


def home_is_listed(descriptor: Descriptor, j: keys.Joins, persons: pd.DataFrame) -> pd.Series:
    """The person's home, the country of their origin location, is one of the package's home countries
    (a person whose origin is unknown or not a known location is reported by other checks)."""
    country = j.get("persons", "origin_location_id", "locations", "location_id", "country_code")
    known = j.positions("persons", "origin_location_id", "locations", "location_id") >= 0
    return (country.isin(descriptor.home_countries).fillna(False) | ~known).astype(bool)


def unrealised_has_no_dates(descriptor: Descriptor, stages: pd.DataFrame) -> pd.Series:
    unrealised = stages["stage_type"].isin(descriptor.stage_types(realised=False)).to_numpy(dtype=bool)
    return ~(unrealised & (stages["start"].notna() | stages["end"].notna()))


def inference_explained(stages: pd.DataFrame) -> pd.Series:
    inferred = ((stages["location_certainty"] == "inferred") | (stages["start_basis"] == "inferred")
                | (stages["end_basis"] == "inferred")).fillna(False)
    return ~(inferred & ~stages["notes"].notna())


def _reports(j: keys.Joins, person, source: pd.Series, where: np.ndarray) -> pd.Series:
    """Whether `source` is a text that reports on the person: the one introducing them (the
    source_id of their persons row, at `where`) or one listed for them in person_sources (`person()`
    gives the person of each row, worked out only when that table has rows). A row whose person is not
    found (`where` -1) is not judged: `foreign-key` or `required` reports it."""
    ok = (source == keys.take(j.tables["persons"], where, "source_id", source.index)).fillna(False) | (where < 0)
    further = j.tables.get("person_sources")
    if further is not None and len(further):
        pairs = further["person_id"].astype(str) + "\x1f" + further["source_id"].astype(str)
        ok |= keys.is_in(person().astype(str) + "\x1f" + source.astype(str), pairs)
    return ok.astype(bool)


def source_reports_person(j: keys.Joins, resource: str, frame: pd.DataFrame) -> pd.Series:
    return _reports(j, lambda: frame["person_id"], frame["source_id"],
                    j.positions(resource, "person_id", "persons", "person_id"))


def not_after_text(j: keys.Joins, stages: pd.DataFrame) -> pd.Series:
    available = j.get("stages", "source_id", "sources", "source_id", "available_by_upper")
    late = (stages["start_lower"] > available) | (stages["end_lower"] > available)
    return ~late.fillna(False)


def chronological(windows: pd.DataFrame, stages: pd.DataFrame) -> pd.Series:
    ordered = windows["ordered"] | ~windows["continuity"]  # a broken continuity is reported once, there
    return ordered.reindex(stages.index).fillna(True).astype(bool)


# --- persons --------------------------------------------------------------------------------

def origin_matches_stage(descriptor: Descriptor, j: keys.Joins, persons: pd.DataFrame) -> pd.Series:
    stages = j.tables["stages"]
    origin = stages[stages["stage_type"] == descriptor.stage_type("first")]
    stage_place = keys.lookup(persons["person_id"], origin, "person_id", "location_id")
    matches = (persons["origin_location_id"] == stage_place).fillna(persons["origin_location_id"].isna())
    return (matches | persons["person_id"].isna()).astype(bool)  # no id: `required` says so, no stage is looked up


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
    if memo is None or memo[0] is not frame:
        memo = j.memo[("targets", id(frame))] = (frame, _find_targets(descriptor, j, frame))
    return memo[1]


def _rows_of(descriptor: Descriptor, j: keys.Joins, names) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """The rows of the tables named (those of the package among `names`) as `<resource>/<row id>`
    (`rowids.ref`), and the source of each (null where its resource has no source_id); each table's
    worked out once for these tables, and only when something names that table."""
    refs, sources = [], []
    for name in dict.fromkeys(n for n in names if n in j.tables):
        if ("row refs", name) not in j.memo:
            key, table, found = descriptor.primary_key(name), j.tables[name], None
            if key and all(column in table.columns for column in key):
                ids = rowids.arrow_ids(key, table).cast(pa.large_string())
                name_, slash = pa.scalar(name, pa.large_string()), pa.scalar("/", pa.large_string())
                found = (pc.binary_join_element_wise(name_, ids, slash),
                         keys.arrow(table["source_id"]).cast(pa.large_string()) if "source_id" in table.columns
                         else pa.nulls(len(table), pa.large_string()))
            j.memo[("row refs", name)] = found
        if j.memo[("row refs", name)] is not None:
            refs.append(j.memo[("row refs", name)][0])
            sources.append(j.memo[("row refs", name)][1])
    return pa.chunked_array(refs, pa.large_string()), pa.chunked_array(sources, pa.large_string())


def _find_targets(descriptor: Descriptor, j: keys.Joins, frame: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    names = [r["name"] for r in descriptor.resources]
    fields = pd.Series([f"{name}/{f['name']}" for name in names if name in j.tables for f in descriptor.fields(name)],
                       dtype="string")
    resource, index = frame["resource"].astype("string"), frame.index
    refs, sources = _rows_of(descriptor, j, resource.dropna().unique())
    where = keys.positions(resource + "/" + frame["row_id"].astype("string"), refs)
    # a row of a table that could not be read is not judged: that table's problem is reported
    unread = keys.is_in(resource, pd.Series([n for n in names if n not in j.tables], dtype="string")).to_numpy()
    return (keys.is_in(resource, pd.Series(names, dtype="string")), pd.Series((where >= 0) | unread, index=index),
            keys.is_in(resource + "/" + frame["field"].astype("string"), fields) | unread,
            pd.Series(pd.arrays.ArrowStringArray(sources.take(pa.array(where, mask=where < 0))), index=index))


def target_exists(descriptor: Descriptor, j: keys.Joins, frame: pd.DataFrame, part: str) -> pd.Series:
    resource_ok, row_ok, field_ok, _ = _target_rows(descriptor, j, frame)
    return {"resource": resource_ok, "row_id": row_ok | ~resource_ok, "field": field_ok | ~resource_ok}[part]


def target_from_same_text(descriptor: Descriptor, j: keys.Joins, frame: pd.DataFrame) -> pd.Series:
    """A discrepancy is in the text of the row it affects (where that row names its text): one of its
    texts, when its quotes span two (a quote's `sourceField`, such as `source_id_b`)."""
    _, _, _, source = _target_rows(descriptor, j, frame)
    texts = {descriptor.quote_source("discrepancies", f) for f in descriptor.quote_fields("discrepancies")}
    same = pd.concat([(source == frame[column]).fillna(False) for column in texts | {"source_id"}], axis=1).any(axis=1)
    return (source.isna() | frame["source_id"].isna() | same).astype(bool)


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


def well_formed_rows(descriptor: Descriptor, ledger: pd.DataFrame) -> pa.Array:
    """The ledger's `rows` cells, null where one does not match the field's pattern (`pattern` reports
    it; its references are not judged again)."""
    cells = pa.array(ledger["rows"].astype("string"))
    pattern = descriptor.field("ledger", "rows").get("constraints", {}).get("pattern")
    if not pattern:
        return cells
    return pc.if_else(pc.fill_null(pc.match_substring_regex(cells, pattern), True), cells, pa.scalar(None, cells.type))


def ledger_rows_exist(descriptor: Descriptor, j: keys.Joins, ledger: pd.DataFrame) -> np.ndarray:
    refs = pc.split_pattern(well_formed_rows(descriptor, ledger), " ")
    listed = pc.list_flatten(refs).cast(pa.large_string())
    resource = pc.list_element(pc.split_pattern(listed, "/", max_splits=1), 0)
    # a row of a table the descriptor lists but that could not be read is not judged: that table's problem is reported
    unread = pa.array(sorted({r["name"] for r in descriptor.resources} - set(j.tables)), pa.large_string())
    missing = (keys.positions(listed, _rows_of(descriptor, j, pc.unique(resource).to_pylist())[0]) < 0) \
        & ~pc.is_in(resource, value_set=unread).to_numpy(zero_copy_only=False)
    ok = np.ones(len(ledger), dtype=bool)
    ok[pc.list_parent_indices(refs).to_numpy()[missing]] = False
    return ok


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


def event_not_after_text(j: keys.Joins, events: pd.DataFrame) -> pd.Series:
    available = j.get("events", "source_id", "sources", "source_id", "available_by_upper")
    return ~(events["date_lower"] > available).fillna(False).astype(bool)


# --- the catalogue: every rule, registered once -------------------------------------------

@dataclass(frozen=True)
class Run:
    """What the rules read: the descriptor, the tables with their joins, the chronology's windows (or None)."""
    descriptor: Descriptor
    j: keys.Joins
    windows: pd.DataFrame | None


@dataclass(frozen=True)
class At:
    """Where a rule applies: the resource and field a failing row is reported on, the hint it gets
    (`{word}`s are the descriptor's codes, `WORDS`), the check (`check(run, table)` → True where the
    rule holds), the other tables it needs, those it reads where the package has them (`uses`: the rule
    is left out when one is declared but could not be read, not judged against part of the evidence),
    whether it judges the whole table, when it applies."""
    resource: str
    field: str | None
    hint: str
    check: Callable[[Run, pd.DataFrame], pd.Series | np.ndarray | bool]
    needs: tuple[str, ...] = ()
    uses: tuple[str, ...] = ()
    whole: bool = False
    when: Callable[[Run], bool] = lambda run: True

    def hint_for(self, descriptor: Descriptor) -> str:
        return self.hint.format(group=GROUP, **{w: f(descriptor) for w, f in WORDS.items() if f"{{{w}}}" in self.hint})


@dataclass(frozen=True)
class Rule:
    """A rule between rows or tables: its id, one line on what it checks, where it applies."""
    id: str
    description: str
    at: tuple[At, ...]


# the descriptor's codes that hints name, never a hand-written copy of them
WORDS = {"first": lambda d: d.stage_type("first"), "last": lambda d: d.stage_type("last"),
         "home": lambda d: ", ".join(d.stage_types(at_home=True)),
         "home_between": lambda d: " or ".join(f"`{t}`" for t in d.stage_types(at_home=True, position=None)), "away": lambda d: ", ".join(d.stage_types(at_home=False)),
         "unrealised": lambda d: ", ".join(d.stage_types(realised=False)), "homes": lambda d: ", ".join(d.home_countries),
         "kinds": lambda d: ", ".join(k for k in d.field("locations", "kind").get("constraints", {}).get("enum", [])
                                      if k != GROUP),
         "no_value": lambda d: " and ".join(q for q, spec in d.field("durations", "qualifier").get("admits", {}).items()
                                            if isinstance(spec, dict) and admits_no_value(spec))}


def _coding_started(run: Run) -> bool:  # a package as `init` writes it (every table the rules start from empty) is valid
    return "persons" not in run.j.tables or any(len(run.j.tables[r]) for r in NOT_EMPTY if r in run.j.tables)


def _has_windows(run: Run) -> bool:
    return run.windows is not None


def _own_codebook(run: Run) -> bool:  # a codebook borrowed whole (a reliability sample) need not use every code
    return not run.descriptor.resource("factors").get("borrowedFrom")


TARGET_HINTS = {"resource": "name one of the package's resources", "row_id": "no row of that resource has this primary key",
                "field": "that resource has no such field"}
STAGE_SOURCE = "a coding comes from a text that reports on the person of its stage"

RULES = (
    Rule("has-rows", "sources, persons, stages, locations and events have rows (unless all are empty)", tuple(
        At(name, None, f"{name} has no rows: a journey package needs at least one (the rules, figures and exports "
           "start from it)", lambda r, f: len(f) > 0, whole=True, when=_coding_started) for name in NOT_EMPTY)),
    Rule("has-a-dated-event", "at least one event has a date", (
        At("events", "date", "no event has a date: the timeline and sequences start at the earliest dated event",
           lambda r, f: len(f) == 0 or bool(f["date"].notna().any()), whole=True),)),
    Rule("after-text", "a stage or event is not dated after its text was available", (
        At("events", "date", "the event is dated after its text was available (sources.available_by)",
           lambda r, f: event_not_after_text(r.j, f), needs=("sources",)),
        At("stages", "start", "a date lies after the text was available (sources.available_by)",
           lambda r, f: not_after_text(r.j, f), needs=("sources",)))),
    Rule("seq-runs-1-to-n", "each person's stages are numbered 1 … n in journey order", (
        At("stages", "seq", "number each person's stages 1, 2, 3 … in journey order, without gaps or repeats",
           lambda r, f: seq_runs_from_one(f)),)),
    Rule("origin-first", "a journey starts with one origin stage (seq 1)", (
        At("stages", "stage_type", "a journey starts with one `{first}` stage (seq 1) and has no other",
           lambda r, f: (f["seq"] == 1) == (f["stage_type"] == r.descriptor.stage_type("first"))),)),
    Rule("ends-with-return-home", "the last realised stage is a return in the person's home country, and only the last", (
        At("stages", "stage_type", "the last realised stage of a journey is a `{last}` in the person's home country "
           "(the country of their origin), and only the last is: an earlier stay back home is {home_between}; a "
           "person who has not come back is out of scope (the package codes returnees' journeys)",
           lambda r, f: journey_ends_with_return_home(r.descriptor, r.j, f), needs=("locations", "persons")),)),
    Rule("place-fits-stage-type", "home stages are in the person's home country, away ones are not", (
        At("stages", "location_id", "{home} stages are in the person's home country (the country of their origin); "
           "{away} ones are not", lambda r, f: place_fits_stage_type(r.descriptor, r.j, f), needs=("locations", "persons")),)),
    Rule("planned-has-no-dates", "an unrealised destination has no start or end", (
        At("stages", "start", "a {unrealised} destination was never reached: leave start and end empty",
           lambda r, f: unrealised_has_no_dates(r.descriptor, f)),)),
    Rule("end-before-start", "a stay does not end before it starts", (
        At("stages", "end", "the stay ends before it starts: check the dates or their precision",
           lambda r, f: ~(f["end_upper"] < f["start_lower"]).fillna(False)),)),
    Rule("inference-explained", "notes say how an inferred place, date or origin was reached", (
        At("stages", "notes", "say in notes how the inferred place or date was reached",
           lambda r, f: inference_explained(f)),
        At("persons", "notes", "say in notes how the inferred origin was reached",
           lambda r, f: ~((f["origin_basis"] == "inferred") & f["notes"].isna()).fillna(False)))),
    Rule("date-basis", "start_basis / end_basis are given exactly when start / end are", tuple(
        At("stages", f"{column}_basis", f"give {column}_basis exactly when {column} is given",
           lambda r, f, c=column: f[c].notna() == f[f"{c}_basis"].notna()) for column in ("start", "end"))),
    Rule("person-source", "a stage or duration comes from a text that reports on its person", tuple(
        At(name, "source_id", f"a {noun} comes from a text that reports on its person (persons.source_id or "
           "person_sources)", lambda r, f, n=name: source_reports_person(r.j, n, f), needs=("persons",),
           uses=("person_sources",))
        for name, noun in (("stages", "stage"), ("durations", "duration")))),
    Rule("stage-continuity", "a stay starts when the previous one ends", (
        At("stages", "start", "a stay starts when the previous one ends: this start does not fit the previous stage's "
           "end (overlapping stays?)", lambda r, f: r.windows["continuity"].reindex(f.index).fillna(True).astype(bool),
           when=_has_windows),)),
    Rule("chronology", "a person's dates can all hold in journey order", (
        At("stages", "start", "the person's dates cannot all hold in this order: a stage starts before an earlier one, "
           "or after a later one", lambda r, f: chronological(r.windows, f), when=_has_windows),)),
    Rule("country-code-fits-kind", "places have a country_code; a country group has none", (
        At("locations", "country_code", "{kinds} places have their country_code; a {group} has none",
           lambda r, f: country_code_fits_kind(f)),)),
    Rule("origin-matches-stage", "a person's origin is the place of their origin stage", (
        At("persons", "origin_location_id", "origin_location_id must be the location of the person's `{first}` stage",
           lambda r, f: origin_matches_stage(r.descriptor, r.j, f), needs=("stages",)),)),
    Rule("home-country-listed", "a person's home country is one of the package's home_countries", (
        At("persons", "origin_location_id", "the person's home, the country of their origin location, must "
           "be one of the package's home countries ({homes}): add it to stage_type's "
           "`home_countries` in datapackage.json, or check the origin",
           lambda r, f: home_is_listed(r.descriptor, r.j, f), needs=("locations",)),)),
    Rule("stages-of-own-person", "a duration spans stages of its own person", (
        At("durations", "first_stage_id", "a duration spans stages of its own person",
           lambda r, f: stages_of_own_person(r.j, f, ["first_stage_id", "last_stage_id"]), needs=("stages",)),)),
    Rule("span-in-order", "a duration's last stage does not come before its first", (
        At("durations", "last_stage_id", "the last stage of a span cannot come before its first stage",
           lambda r, f: span_in_order(r.j, f), needs=("stages",)),)),
    Rule("value-matches-qualifier", "a duration has a value exactly when its qualifier is numeric", (
        At("durations", "value", "give a value for a numeric qualifier; leave it empty for {no_value}",
           lambda r, f: value_given_when_numeric(r.descriptor, f)),)),
    Rule("duration-agrees-with-dates", "a stated duration fits the dates, or a discrepancy records it", (
        At("durations", "value", "the stated duration does not fit the span the dates allow: correct it, or add a "
           "discrepancies row (resource durations, this row_id) quoting both statements",
           lambda r, f: duration_agrees_or_flagged(r.descriptor, r.j, r.windows, f), needs=("discrepancies",),
           when=_has_windows),)),
    Rule("stage-source", STAGE_SOURCE, tuple(
        At(name, "source_id", STAGE_SOURCE, lambda r, f, n=name: stage_source_reports_person(r.j, n, f),
           needs=("stages", "persons"), uses=("person_sources",)) for name in CODINGS)),
    Rule("target-exists", "a discrepancy or reading names an existing resource, row and field", tuple(
        At(name, part, TARGET_HINTS[part], lambda r, f, p=part: target_exists(r.descriptor, r.j, f, p))
        for name in ("discrepancies", "readings") for part in TARGET_HINTS)),
    Rule("target-source", "a discrepancy or reading is in the text of the row it affects", (
        At("discrepancies", "source_id", "a discrepancy comes from the text of the row it affects (source_id, or "
           "source_id_b where its quote_b is from a second text)",
           lambda r, f: target_from_same_text(r.descriptor, r.j, f)),
        At("readings", "copy_id", "a copy is read on a row coded from the text it is a copy of",
           lambda r, f: reading_of_same_text(r.descriptor, r.j, f), needs=("copies",)))),
    Rule("ledger-disposition", "a ledger sentence lists rows or gives a reason, not both", (
        At("ledger", "disposition", "a coded sentence lists its rows and gives no reason; a sentence not coded gives "
           "a reason and no rows", lambda r, f: ledger_disposition(f)),
        At("ledger_by_coder", "disposition", "a sentence not coded gives a reason; a coded one gives none",
           lambda r, f: coder_disposition(f)))),
    Rule("ledger-rows-exist", "every row a ledger sentence lists exists", (
        At("ledger", "rows", "every resource/id in rows must name a row of the package",
           lambda r, f: ledger_rows_exist(r.descriptor, r.j, f)),)),
    Rule("lee-category-allowed", "a coding's Lee category is one its factor allows", tuple(
        At(name, "lee_category", "the codebook does not allow this Lee category for the factor "
           "(factors.lee_categories): choose another category or code",
           lambda r, f, n=name: lee_category_allowed(r.j, f, n), needs=("factors",)) for name in CODINGS)),
    Rule("round-coder-exists", "a reliability round names coders with codings", tuple(
        At("reliability_rounds", column, "name a coder whose coding is in codings_by_coder",
           lambda r, f, c=column: round_coder_exists(r.j, f, c), needs=("codings_by_coder",))
        for column in ("coder_a", "coder_b"))),
    Rule("reason-matches-codings", "a stage gives a reason exactly when one of its codings is explicit", (
        At("stages", "reason", "give a reason exactly when the text states one: at least one coding of the stage is "
           "explicit", lambda r, f: reason_matches_explicit_codings(r.j, f), needs=("codings",)),)),
    Rule("excludes-names-codes", "a factor's excludes names codes of the codebook", (
        At("factors", "excludes", "excludes names a neighbouring code (after a colon, codes separated by commas) that "
           "is not a factor_id of the codebook: correct the id, or add that code; a code's neighbours need not name "
           "it back", lambda r, f: codebook.unknown(f).map(len).eq(0).astype(bool)),)),
    Rule("factor-used", "every codebook factor is used by a coding", (
        At("factors", "factor_id", "every codebook factor is used by at least one coding: use it or remove it",
           lambda r, f: factor_used(r.j, f), needs=("codings",), uses=CODINGS, when=_own_codebook),)),
    Rule("value-or-range", "an estimate gives a value, a range, or both", (
        At("estimates", "value", "give a point value, a low–high range, or both",
           lambda r, f: estimate_has_value(f)),)),
    Rule("range-ordered", "an estimate's low ≤ value ≤ high", (
        At("estimates", "low", "low must not exceed high, and a point value lies within its range",
           lambda r, f: estimate_range_ordered(f)),)),
)


def _windows(descriptor: Descriptor, tables) -> pd.DataFrame | None:
    """The chronology's windows, once, on every stage's row (NaT and NA where a stage has no window);
    None where a table or a column they need is missing (reported by the rules that use it)."""
    if not {"stages", "persons", "sources"} <= set(tables):
        return None
    needed = ["person_id", "seq", "stage_type", "source_id", "start_lower", "start_upper", "end_lower", "end_upper"]
    try:
        windows = chronology.windows(tables["stages"][needed], tables["sources"],
                                     descriptor.stage_types(realised=True), descriptor.stage_types(position="last"))
    except KeyError:
        return None
    windows = windows[["start_min", "start_max", "end_min", "end_max", "continuity", "ordered"]]
    return windows.astype({"continuity": "boolean", "ordered": "boolean"}).reindex(tables["stages"].index)


def checks(descriptor: Descriptor, j: keys.Joins) -> list[Check]:
    """The rule checks for the resources present; a rule needing a missing table is left out."""
    have = set(j.tables)
    unread = {r["name"] for r in descriptor.resources} - have
    run = Run(descriptor, j, _windows(descriptor, j.tables))
    return [Check(at.resource, rule.id, at.field, at.hint_for(descriptor), lambda f, at=at: at.check(run, f),
                  whole=at.whole)
            for rule in RULES for at in rule.at
            if at.resource in have and set(at.needs) <= have and not unread & set(at.uses) and at.when(run)]
