"""Journeys at a glance: one row per person, computed from the same chronology windows
(`Journeys.windows`) and month rule (`journeys.month`) as the figures and the sequence exports, so
the three agree; `cells`, the companion long table, names the rows behind every cell. What each
column holds: `DESCRIPTIONS` (and docs/comparison.md)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from . import journeys
from . import keys
from . import spans
from . import wording

# The codes the table's definitions rest on, by (resource, field, code); `build` checks that the
# descriptor still has each of them, so a renamed code fails loudly instead of emptying a column.
EXPLICIT = ("codings", "certainty", "explicit")
IMPLICIT = ("codings", "certainty", "implicit")
HINDSIGHT = ("codings", "timing", "after")
DISCOUNTED = ("codings", "salience", "discounted")
INTERVENING = ("codings", "lee_category", "intervening")
SAME_SPAN = ("durations", "span_relation", "equals")

# The columns holding a day (ISO date text): dates where the format has them (XLSX).
DATE_COLUMNS = ("first_departure_min", "first_departure_max", "return_min", "return_max")

# The table's columns, in order, and what each holds (Datasette, the XLSX README, docs/comparison.md);
# the companion long table's columns (where each cell comes from): prose kept beside this module.
_WORDS = json.loads((Path(__file__).with_name("comparison.json")).read_text(encoding="utf-8"))
DESCRIPTIONS: dict[str, str] = _WORDS["columns"]
COLUMNS = list(DESCRIPTIONS)
CELL_COLUMNS: dict[str, str] = _WORDS["cells"]

# The factor columns: column → (which codings, certainty). Each display cell joins a pair, the
# factors set beside the move after those named as reasons, behind SET_BESIDE.
FACTOR_COLUMNS = {
    "reasons_to_leave": ("leaving", EXPLICIT), "set_beside_leaving": ("leaving", IMPLICIT),
    "reasons_to_return": ("return", EXPLICIT), "set_beside_return": ("return", IMPLICIT),
    "obstacles_enablers": ("intervening", EXPLICIT), "obstacles_enablers_set_beside": ("intervening", IMPLICIT),
}
SET_BESIDE = "Set beside: "

# What a reader sees (README, docs, LaTeX): display header → how the cell is made from a row.
DISPLAY = ["person", "source", "origin", "first departure", "abroad, in order", "months abroad", "return",
           "reasons to leave (named, then set beside)", "reasons to return (named, then set beside)",
           "obstacles and enablers (named, then set beside)", "discrepancies"]


@dataclass(frozen=True)
class Comparison:
    rows: pd.DataFrame   # one row per person, the columns of COLUMNS
    cells: pd.DataFrame  # person_id, column, resource, row_id: where each cell comes from


def _check_codes(data: journeys.Journeys) -> None:
    for resource, field, code in (EXPLICIT, IMPLICIT, HINDSIGHT, DISCOUNTED, INTERVENING, SAME_SPAN):
        if code not in data.descriptor.field(resource, field).get("constraints", {}).get("enum", []):
            raise journeys.InvalidData(f"the comparison table needs the code {code!r} of {resource}.{field}")


def _months(lo, hi) -> int | None:
    if pd.isna(lo) or pd.isna(hi):
        return None
    lo, hi = pd.Timestamp(lo), pd.Timestamp(hi)
    return max(0, (hi.year * 12 + hi.month) - (lo.year * 12 + lo.month))


def _person_of_rows(data: journeys.Journeys) -> dict[tuple[str, str], str]:
    """(resource, row id) → person id, for every row that belongs to one person: the persons table
    itself and any table that reaches it through its foreign keys (at most two steps)."""
    descriptor = data.descriptor
    persons_key = descriptor.primary_key("persons")[0]
    ids = data.table("persons")[persons_key]
    owner: dict[str, pd.Series] = {"persons": pd.Series(ids.to_numpy(), index=ids.to_numpy())}
    for _ in range(2):
        for resource in descriptor.resources:
            name = resource["name"]
            key = descriptor.primary_key(name)
            if name in owner or len(key) != 1:
                continue
            for fk in descriptor.foreign_keys(name):
                target = fk["reference"]["resource"]
                if target in owner and len(fk["fields"]) == 1 and target != name:
                    frame = data.table(name)
                    by_key = owner[target]
                    people = frame[fk["fields"][0]].map(lambda v, by_key=by_key: by_key.get(v) if pd.notna(v) else None)
                    owner[name] = pd.Series(people.to_numpy(), index=frame[key[0]].to_numpy())
                    break
    return {(resource, row_id): person for resource, series in owner.items()
            for row_id, person in series.items() if isinstance(person, str)}


class _Cells:
    """The long table under construction: (person, column, resource, row id) for every value used."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []

    def cite(self, person: str, column: str, resource: str, ids) -> None:
        for row_id in ids:
            if isinstance(row_id, str) and row_id:
                self.rows.append((person, column, resource, row_id))

    def frame(self) -> pd.DataFrame:
        long = pd.DataFrame(self.rows, columns=["person_id", "column", "resource", "row_id"]).drop_duplicates()
        return long.reset_index(drop=True)


@dataclass(frozen=True)
class _Lookups:
    """What every row reads, looked up once: the descriptor's roles, the indexed tables, each
    person's rows split once (not a scan of every table per person)."""
    data: journeys.Journeys
    first_type: str
    last_type: str
    windows: pd.DataFrame
    sources: pd.DataFrame
    locations: pd.DataFrame
    factors: pd.DataFrame
    durations: pd.DataFrame
    agrees: pd.Series           # by durations' index: the stated duration can be squared with the dates
    chains: dict                # person id → their realised stages with windows
    codings_of: dict            # person id → their codings, with lee_label
    no_codings: pd.DataFrame    # the same columns, no row: a person without codings
    durations_of: dict          # person id → their durations
    discrepancies_of: dict      # person id → sorted ids of the discrepancies touching their rows

    def place(self, location_id: str) -> str:
        return self.locations.at[location_id, "name"] if location_id in self.locations.index else location_id


def _lookups(data: journeys.Journeys) -> _Lookups:
    descriptor = data.descriptor
    windows = data.windows()
    windows = windows.assign(at_home=data.at_home(windows))
    durations = data.table("durations")
    codings = data.table("codings")
    stage_person = data.table("stages").set_index("stage_id")["person_id"]
    codings = codings.assign(person_id=codings["stage_id"].map(stage_person),
                             lee_label=data.lee_label(codings["lee_category"], codings["valence"]))
    shortest, longest = spans.span_days(keys.Joins(data.tables), windows, durations)
    low, high = spans.admitted_days(descriptor, durations)
    owner = _person_of_rows(data)
    discrepancies_of: dict[str, list[str]] = {}
    for r in data.table("discrepancies").itertuples():
        discrepancies_of.setdefault(owner.get((r.resource, r.row_id)), []).append(r.discrepancy_id)
    chain_columns = ["person_id", "stage_id", "seq", "stage_type", "location_id", "start", "end",
                     "start_min", "start_max", "end_min", "end_max", "at_home"]
    coding_columns = ["person_id", "coding_id", "stage_id", "factor_id", "lee_category", "certainty", "timing",
                      "salience", "lee_label"]
    return _Lookups(
        data=data, first_type=descriptor.stage_type("first"), last_type=descriptor.stage_type("last"),
        windows=windows, sources=data.table("sources").set_index("source_id"),
        locations=data.table("locations").set_index("location_id"),
        factors=data.table("factors").set_index("factor_id"), durations=durations,
        agrees=(low <= longest) & (high >= shortest),
        chains=dict(iter(windows[chain_columns].groupby("person_id", sort=False))),
        codings_of=dict(iter(codings[coding_columns].groupby("person_id", sort=False))),
        no_codings=codings[coding_columns].iloc[0:0],
        durations_of=dict(iter(durations.groupby("person_id", sort=False))),
        discrepancies_of={p: sorted(ids) for p, ids in discrepancies_of.items()})


@dataclass(frozen=True)
class _Journey:
    """One person's chain cut where the table reads it: the first stay, the stays abroad in between
    (the first of them entered on leaving, the last left on returning), and the return."""
    first: pd.Series | None
    middle: pd.DataFrame
    last: pd.Series | None
    # abroad: from the first stay outside the person's home country to the last (a transit leg inside
    # it, on the way out or home, is not abroad); out_of and back_in: the stays just before and after
    abroad: pd.DataFrame
    out_of: pd.Series | None
    back_in: pd.Series | None

    @property
    def leaving(self) -> pd.Series | None:
        return self.middle.iloc[0] if len(self.middle) else None

    @property
    def before_return(self) -> pd.Series | None:
        return self.middle.iloc[-1] if len(self.middle) else None


def _journey(look: _Lookups, pid: str) -> _Journey:
    chain = look.chains[pid].sort_values("seq") if pid in look.chains else look.windows.iloc[0:0]
    first = chain[chain["stage_type"] == look.first_type]
    last = chain[chain["stage_type"] == look.last_type]
    first = first.iloc[0] if len(first) else None
    last = last.iloc[-1] if len(last) else None
    middle = chain[(chain["seq"] > (first["seq"] if first is not None else -np.inf))
                   & (chain["seq"] < (last["seq"] if last is not None else np.inf))]
    away = np.flatnonzero(~chain["at_home"].to_numpy(dtype=bool))
    if not len(away):
        return _Journey(first=first, middle=middle, last=last, abroad=middle, out_of=first, back_in=last)
    return _Journey(first=first, middle=middle, last=last, abroad=chain.iloc[away[0]:away[-1] + 1],
                    out_of=chain.iloc[away[0] - 1] if away[0] > 0 else first,
                    back_in=chain.iloc[away[-1] + 1] if away[-1] + 1 < len(chain) else last)


def _ids(*stages) -> list[str]:
    return [s["stage_id"] for s in stages if s is not None]


def _who(look: _Lookups, person, cells: _Cells) -> dict:
    pid, origin_id = person.person_id, person.origin_location_id
    cells.cite(pid, "person", "persons", [pid])
    cells.cite(pid, "outlet", "sources", [person.source_id])
    cells.cite(pid, "origin", "persons", [pid])
    cells.cite(pid, "origin", "locations", [origin_id])
    return {"person_id": pid, "person": person.name_in_source, "source_id": person.source_id,
            "outlet": look.sources.at[person.source_id, "outlet"] if person.source_id in look.sources.index else "",
            "origin_location_id": origin_id, "origin": look.place(origin_id), "origin_basis": person.origin_basis}


def _departure(pid: str, journey: _Journey, cells: _Cells) -> dict:
    first, leaving = journey.first, journey.leaving
    lo = first["end_min"] if first is not None else pd.NaT
    hi = first["end_max"] if first is not None else pd.NaT
    coded = ""
    if first is not None and pd.notna(first["end"]):
        coded = first["end"]
    elif leaving is not None and pd.notna(leaving["start"]):
        coded = leaving["start"]
    cells.cite(pid, "first_departure", "stages", _ids(first, leaving))
    return {"first_stage_id": first["stage_id"] if first is not None else "", "first_departure": coded,
            "first_departure_min": wording.day(lo), "first_departure_max": wording.day(hi),
            "first_departure_window": wording.window(lo, hi)}


def _places(look: _Lookups, pid: str, journey: _Journey, cells: _Cells) -> dict:
    descriptor = look.data.descriptor
    marked = set(descriptor.stage_types(transit=True)) | set(descriptor.stage_types(at_home=True))
    category_label = {c["value"]: c.get("label", c["value"]) for c in
                      descriptor.field("stages", "stage_type").get("categories", []) if isinstance(c, dict)}
    home_types = set(descriptor.stage_types(at_home=True))
    places = []
    for stay in journey.abroad.itertuples():
        name = look.place(stay.location_id)
        if stay.stage_type in marked:
            name += f" ({category_label.get(stay.stage_type, stay.stage_type).lower()}"
            name += ", home country)" if stay.at_home and stay.stage_type not in home_types else ")"
        places.append(name)
    cells.cite(pid, "places_abroad", "stages", journey.abroad["stage_id"])
    cells.cite(pid, "places_abroad", "locations", journey.abroad["location_id"].drop_duplicates())
    return {"places_abroad": "; ".join(places)}


def _time_abroad(look: _Lookups, pid: str, journey: _Journey, cells: _Cells) -> dict:
    out_of, back_in = journey.out_of, journey.back_in
    first_abroad = journey.abroad.iloc[0] if len(journey.abroad) else None
    last_abroad = journey.abroad.iloc[-1] if len(journey.abroad) else None
    dep_lo = out_of["end_min"] if out_of is not None else pd.NaT
    dep_hi = out_of["end_max"] if out_of is not None else pd.NaT
    ret_lo = back_in["start_min"] if back_in is not None else pd.NaT
    ret_hi = back_in["start_max"] if back_in is not None else pd.NaT
    cells.cite(pid, "months_abroad", "stages", list(dict.fromkeys(_ids(out_of, first_abroad, last_abroad, back_in))))
    stated = look.durations.iloc[0:0]
    if first_abroad is not None:
        own = look.durations_of.get(pid, stated)
        stated = own[(own["span_relation"] == SAME_SPAN[2]) & (own["first_stage_id"] == first_abroad["stage_id"])
                     & (own["last_stage_id"] == last_abroad["stage_id"])].sort_values("duration_id")
    agrees = look.agrees[stated.index]
    cells.cite(pid, "stated_duration", "durations", stated["duration_id"])
    return {"months_abroad_min": _months(dep_hi, ret_lo), "months_abroad_max": _months(dep_lo, ret_hi),
            "stated_duration": "; ".join(wording.duration(d.qualifier, d.value, d.unit) + ("" if ok else " (disagrees with the dates)")
                                         for ok, d in zip(agrees, stated.itertuples())),
            "duration_disagrees": bool((~agrees).any()) if len(stated) else None}


def _return(pid: str, journey: _Journey, cells: _Cells) -> dict:
    last = journey.last
    lo = last["start_min"] if last is not None else pd.NaT
    hi = last["start_max"] if last is not None else pd.NaT
    cells.cite(pid, "return", "stages", _ids(journey.before_return, last))
    return {"return_stage_id": last["stage_id"] if last is not None else "",
            "return": last["start"] if last is not None and pd.notna(last["start"]) else "",
            "return_min": wording.day(lo), "return_max": wording.day(hi), "return_window": wording.window(lo, hi)}


def _factor_list(look: _Lookups, pid: str, column: str, chosen: pd.DataFrame, cells: _Cells) -> str:
    chosen = chosen.sort_values("coding_id")
    cells.cite(pid, column, "codings", chosen["coding_id"])
    cells.cite(pid, column, "factors", chosen["factor_id"].drop_duplicates())
    labels = [f"{look.factors.at[f, 'label']} [{lee}]" for f, lee in zip(chosen["factor_id"], chosen["lee_label"])]
    return "; ".join(dict.fromkeys(labels))


def _factors(look: _Lookups, pid: str, journey: _Journey, cells: _Cells) -> dict:
    """The factor columns (FACTOR_COLUMNS): the codings weighed at the time of the move (hindsight
    and discounted ones left out), by move and certainty."""
    mine = look.codings_of.get(pid, look.no_codings)
    mine = mine[(mine["timing"] != HINDSIGHT[2]) & (mine["salience"] != DISCOUNTED[2])]
    intervening = mine["lee_category"] == INTERVENING[2]
    on_move = lambda stay: mine["stage_id"] == (stay["stage_id"] if stay is not None else None)  # noqa: E731
    which = {"leaving": on_move(journey.leaving) & ~intervening, "return": on_move(journey.last) & ~intervening,
             "intervening": intervening}
    return {column: _factor_list(look, pid, column, mine[which[group] & (mine["certainty"] == certainty[2])], cells)
            for column, (group, certainty) in FACTOR_COLUMNS.items()}


def _discrepancies(look: _Lookups, pid: str, cells: _Cells) -> dict:
    mine = look.discrepancies_of.get(pid, [])
    cells.cite(pid, "discrepancies", "discrepancies", mine)
    return {"discrepancies": len(mine)}


def build(data: journeys.Journeys) -> Comparison:
    """The comparison table of these journeys, in the figures' lane order (travel parties together)."""
    _check_codes(data)
    look = _lookups(data)
    cells = _Cells()
    rows = []
    for person in journeys.lanes(data).itertuples():
        pid = person.person_id
        journey = _journey(look, pid)
        rows.append({**_who(look, person, cells), **_departure(pid, journey, cells),
                     **_places(look, pid, journey, cells), **_time_abroad(look, pid, journey, cells),
                     **_return(pid, journey, cells), **_factors(look, pid, journey, cells),
                     **_discrepancies(look, pid, cells)})
    table = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("months_abroad_min", "months_abroad_max", "discrepancies"):
        table[column] = table[column].astype("Int64")
    table["duration_disagrees"] = table["duration_disagrees"].astype("boolean")
    return Comparison(rows=table, cells=cells.frame())


def months_text(row) -> str:
    text = wording.count(row["months_abroad_min"], row["months_abroad_max"])
    return text + (f"; stated: {row['stated_duration']}" if row["stated_duration"] else "")


def factors_text(named: pd.Series, beside: pd.Series) -> list[str]:
    """One display cell per row: the factors named as reasons, then, marked apart, those set beside."""
    return [". ".join(part for part in (n, SET_BESIDE + b if b else "") if part)
            for n, b in zip(named.fillna(""), beside.fillna(""))]


def display(table: pd.DataFrame) -> pd.DataFrame:
    """The table as a reader sees it: the DISPLAY columns, each cell plain text."""
    out = pd.DataFrame({
        "person": table["person"],
        "source": table["outlet"],
        "origin": table["origin"] + " (" + table["origin_basis"] + ")",
        "first departure": [w if not coded or coded == w else f"{coded} ({w})"
                            for coded, w in zip(table["first_departure"], table["first_departure_window"])],
        "abroad, in order": table["places_abroad"],
        "months abroad": [months_text(r) for _, r in table.iterrows()],
        "return": [w if not coded or coded == w else f"{coded} ({w})"
                   for coded, w in zip(table["return"], table["return_window"])],
        DISPLAY[7]: factors_text(table["reasons_to_leave"], table["set_beside_leaving"]),
        DISPLAY[8]: factors_text(table["reasons_to_return"], table["set_beside_return"]),
        DISPLAY[9]: factors_text(table["obstacles_enablers"], table["obstacles_enablers_set_beside"]),
        "discrepancies": table["discrepancies"].astype(str),
    })
    return out[DISPLAY].fillna("")
