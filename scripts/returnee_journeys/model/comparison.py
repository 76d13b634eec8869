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
    owner = {"persons": {p: p for p in data.table("persons")[descriptor.primary_key("persons")[0]]}}
    for _ in range(2):
        for name in [r["name"] for r in descriptor.resources if r["name"] not in owner]:
            key = descriptor.primary_key(name)
            fk = next((fk for fk in descriptor.foreign_keys(name) if len(fk["fields"]) == 1
                       and fk["reference"]["resource"] in owner and fk["reference"]["resource"] != name), None)
            if len(key) == 1 and fk is not None:
                frame, by_key = data.table(name), owner[fk["reference"]["resource"]]
                owner[name] = {row: by_key.get(value) for row, value in zip(frame[key[0]], frame[fk["fields"][0]])}
    return {(resource, row_id): person for resource, rows in owner.items()
            for row_id, person in rows.items() if isinstance(person, str)}


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


def _by_person(frame: pd.DataFrame) -> dict[str, list[dict]]:
    """Each person's rows of `frame` (with a person_id column), as plain dicts in the frame's order:
    a person's few rows are read in Python, not as a DataFrame per person (milliseconds each)."""
    out: dict[str, list[dict]] = {}
    for row in frame.to_dict("records"):
        out.setdefault(row["person_id"], []).append(row)
    return out


@dataclass(frozen=True)
class _Lookups:
    """What every row reads, looked up once: the descriptor's roles, names by id, and each person's
    rows split once (not a scan of every table per person)."""
    first_type: str
    last_type: str
    marked: set                 # stage types named beside the place: transit stays, visits home
    home_types: set             # stage types in the home country
    type_label: dict            # stage type → its label
    outlet: dict                # source id → outlet
    place_name: dict            # location id → name
    factor_label: dict          # factor id → label
    chains: dict                # person id → their realised stages with windows, in journey order
    codings_of: dict            # person id → their codings, with lee_label
    durations_of: dict          # person id → their durations, with `agrees` (can be squared with the dates)
    discrepancies_of: dict      # person id → sorted ids of the discrepancies touching their rows

    def place(self, location_id: str) -> str:
        return self.place_name.get(location_id, location_id)


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
    duration_columns = ["person_id", "duration_id", "first_stage_id", "last_stage_id", "span_relation", "qualifier",
                        "value", "unit"]
    categories = descriptor.field("stages", "stage_type").get("categories", [])
    return _Lookups(
        first_type=descriptor.stage_type("first"), last_type=descriptor.stage_type("last"),
        marked=set(descriptor.stage_types(transit=True)) | set(descriptor.stage_types(at_home=True)),
        home_types=set(descriptor.stage_types(at_home=True)),
        type_label={c["value"]: c.get("label", c["value"]) for c in categories if isinstance(c, dict)},
        outlet=dict(data.table("sources")[["source_id", "outlet"]].itertuples(index=False)),
        place_name=dict(data.table("locations")[["location_id", "name"]].itertuples(index=False)),
        factor_label=dict(data.table("factors")[["factor_id", "label"]].itertuples(index=False)),
        chains=_by_person(windows[chain_columns]), codings_of=_by_person(codings[coding_columns]),
        durations_of=_by_person(durations[duration_columns].assign(agrees=(low <= longest) & (high >= shortest))),
        discrepancies_of={p: sorted(ids) for p, ids in discrepancies_of.items()})


@dataclass(frozen=True)
class _Journey:
    """One person's chain cut where the table reads it: the first stay, the stays abroad in between
    (the first of them entered on leaving, the last left on returning), and the return."""
    first: dict | None
    middle: list[dict]
    last: dict | None
    # abroad: from the first stay outside the person's home country to the last (a transit leg inside
    # it, on the way out or home, is not abroad); out_of and back_in: the stays just before and after
    abroad: list[dict]
    out_of: dict | None
    back_in: dict | None

    @property
    def leaving(self) -> dict | None:
        return self.middle[0] if self.middle else None

    @property
    def before_return(self) -> dict | None:
        return self.middle[-1] if self.middle else None


def _journey(look: _Lookups, pid: str) -> _Journey:
    chain = sorted(look.chains.get(pid, []), key=lambda stay: stay["seq"])
    first = next((s for s in chain if s["stage_type"] == look.first_type), None)
    last = next((s for s in reversed(chain) if s["stage_type"] == look.last_type), None)
    after = first["seq"] if first is not None else -np.inf
    before = last["seq"] if last is not None else np.inf
    middle = [s for s in chain if after < s["seq"] < before]
    away = [i for i, stay in enumerate(chain) if not stay["at_home"]]
    if not away:
        return _Journey(first=first, middle=middle, last=last, abroad=middle, out_of=first, back_in=last)
    return _Journey(first=first, middle=middle, last=last, abroad=chain[away[0]:away[-1] + 1],
                    out_of=chain[away[0] - 1] if away[0] > 0 else first,
                    back_in=chain[away[-1] + 1] if away[-1] + 1 < len(chain) else last)


def _ids(*stages) -> list[str]:
    return [s["stage_id"] for s in stages if s is not None]


def _at(stay: dict | None, field: str, missing=pd.NaT):
    """A field of a stay; `missing` where there is no such stay or the field is empty."""
    return stay[field] if stay is not None and pd.notna(stay[field]) else missing


def _who(look: _Lookups, person, cells: _Cells) -> dict:
    pid, origin_id = person.person_id, person.origin_location_id
    cells.cite(pid, "person", "persons", [pid])
    cells.cite(pid, "outlet", "sources", [person.source_id])
    cells.cite(pid, "origin", "persons", [pid])
    cells.cite(pid, "origin", "locations", [origin_id])
    return {"person_id": pid, "person": person.name_in_source, "source_id": person.source_id,
            "outlet": look.outlet.get(person.source_id, ""), "origin_location_id": origin_id,
            "origin": look.place(origin_id), "origin_basis": person.origin_basis}


def _departure(pid: str, journey: _Journey, cells: _Cells) -> dict:
    first, leaving = journey.first, journey.leaving
    lo, hi = _at(first, "end_min"), _at(first, "end_max")
    cells.cite(pid, "first_departure", "stages", _ids(first, leaving))
    return {"first_stage_id": _at(first, "stage_id", ""),
            "first_departure": _at(first, "end", "") or _at(leaving, "start", ""),
            "first_departure_min": wording.day(lo), "first_departure_max": wording.day(hi),
            "first_departure_window": wording.window(lo, hi)}


def _places(look: _Lookups, pid: str, journey: _Journey, cells: _Cells) -> dict:
    places = []
    for stay in journey.abroad:
        name, kind = look.place(stay["location_id"]), stay["stage_type"]
        if kind in look.marked:
            name += f" ({look.type_label.get(kind, kind).lower()}"
            name += ", home country)" if stay["at_home"] and kind not in look.home_types else ")"
        places.append(name)
    cells.cite(pid, "places_abroad", "stages", _ids(*journey.abroad))
    cells.cite(pid, "places_abroad", "locations", dict.fromkeys(s["location_id"] for s in journey.abroad))
    return {"places_abroad": "; ".join(places)}


def _time_abroad(look: _Lookups, pid: str, journey: _Journey, cells: _Cells) -> dict:
    out_of, back_in = journey.out_of, journey.back_in
    first_abroad = journey.abroad[0] if journey.abroad else None
    last_abroad = journey.abroad[-1] if journey.abroad else None
    dep_lo, dep_hi = _at(out_of, "end_min"), _at(out_of, "end_max")
    ret_lo, ret_hi = _at(back_in, "start_min"), _at(back_in, "start_max")
    cells.cite(pid, "months_abroad", "stages", list(dict.fromkeys(_ids(out_of, first_abroad, last_abroad, back_in))))
    stated = sorted((d for d in look.durations_of.get(pid, []) if first_abroad is not None
                     and (d["span_relation"], d["first_stage_id"], d["last_stage_id"])
                     == (SAME_SPAN[2], first_abroad["stage_id"], last_abroad["stage_id"])),
                    key=lambda d: d["duration_id"])
    cells.cite(pid, "stated_duration", "durations", [d["duration_id"] for d in stated])
    return {"months_abroad_min": _months(dep_hi, ret_lo), "months_abroad_max": _months(dep_lo, ret_hi),
            "stated_duration": "; ".join(wording.duration(d["qualifier"], d["value"], d["unit"])
                                         + ("" if d["agrees"] else " (disagrees with the dates)") for d in stated),
            "duration_disagrees": not all(d["agrees"] for d in stated) if stated else None}


def _return(pid: str, journey: _Journey, cells: _Cells) -> dict:
    last = journey.last
    lo, hi = _at(last, "start_min"), _at(last, "start_max")
    cells.cite(pid, "return", "stages", _ids(journey.before_return, last))
    return {"return_stage_id": _at(last, "stage_id", ""), "return": _at(last, "start", ""),
            "return_min": wording.day(lo), "return_max": wording.day(hi), "return_window": wording.window(lo, hi)}


def _factor_list(look: _Lookups, pid: str, column: str, chosen: list[dict], cells: _Cells) -> str:
    chosen = sorted(chosen, key=lambda c: c["coding_id"])
    cells.cite(pid, column, "codings", [c["coding_id"] for c in chosen])
    cells.cite(pid, column, "factors", dict.fromkeys(c["factor_id"] for c in chosen))
    return "; ".join(dict.fromkeys(f"{look.factor_label[c['factor_id']]} [{c['lee_label']}]" for c in chosen))


def _factors(look: _Lookups, pid: str, journey: _Journey, cells: _Cells) -> dict:
    """The factor columns (FACTOR_COLUMNS): the codings weighed at the time of the move (hindsight
    and discounted ones left out), by move and certainty."""
    mine = [c for c in look.codings_of.get(pid, []) if c["timing"] != HINDSIGHT[2] and c["salience"] != DISCOUNTED[2]]
    moves = {"leaving": _ids(journey.leaving), "return": _ids(journey.last)}

    def group(coding: dict) -> str | None:
        if coding["lee_category"] == INTERVENING[2]:
            return "intervening"
        return next((name for name, ids in moves.items() if coding["stage_id"] in ids), None)

    return {column: _factor_list(look, pid, column,
                                 [c for c in mine if group(c) == which and c["certainty"] == certainty[2]], cells)
            for column, (which, certainty) in FACTOR_COLUMNS.items()}


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


def _as_coded(coded: pd.Series, windows: pd.Series) -> list[str]:
    """The window as a reader writes it, after the coded EDTF value where that reads differently."""
    return [w if not c or c == w else f"{c} ({w})" for c, w in zip(coded, windows)]


def display(table: pd.DataFrame) -> pd.DataFrame:
    """The table as a reader sees it: the DISPLAY columns, each cell plain text."""
    out = pd.DataFrame({
        "person": table["person"],
        "source": table["outlet"],
        "origin": table["origin"] + " (" + table["origin_basis"] + ")",
        "first departure": _as_coded(table["first_departure"], table["first_departure_window"]),
        "abroad, in order": table["places_abroad"],
        "months abroad": [months_text(r) for _, r in table.iterrows()],
        "return": _as_coded(table["return"], table["return_window"]),
        DISPLAY[7]: factors_text(table["reasons_to_leave"], table["set_beside_leaving"]),
        DISPLAY[8]: factors_text(table["reasons_to_return"], table["set_beside_return"]),
        DISPLAY[9]: factors_text(table["obstacles_enablers"], table["obstacles_enablers_set_beside"]),
        "discrepancies": table["discrepancies"].astype(str),
    })
    return out[DISPLAY].fillna("")
