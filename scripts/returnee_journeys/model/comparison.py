"""Journeys at a glance: one row per person, computed from the tables and the chronology windows.

Every value comes from the same windows (`Journeys.windows`) and month rule (`journeys.month`)
that the figures and the sequence exports use, so the three agree:

- first departure: the end of the person's first stay (the stage type with position `first` in
  the descriptor's `roles`), as coded (EDTF) and as the window the whole chain allows;
- return: the start of the last stay (position `last`), as coded and as its window;
- months abroad: calendar months from the month of first departure to the month of return,
  shortest (latest departure, earliest return) and longest (earliest departure, latest return);
- the stated durations that measure that same span (`span_relation` equals, from the first stay
  after leaving to the last stay before the return), with a flag where they cannot be squared
  with the dates (the validator's own test, `model.spans`);
- reasons: explicit codings on the move out (into the first stay abroad) and on the move home,
  other than intervening obstacles and enablers, which have their own column (any move).

`cells` is the companion long table: for every (person, column) the rows the value comes from,
as (resource, row_id), so that each cell of the table can be checked.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import journeys
from . import keys
from . import spans

# The codes the table's definitions rest on, by (resource, field, code); `build` checks that the
# descriptor still has each of them, so a renamed code fails loudly instead of emptying a column.
EXPLICIT = ("codings", "certainty", "explicit")
INTERVENING = ("codings", "lee_category", "intervening")
SAME_SPAN = ("durations", "span_relation", "equals")

# Columns of the table, in order, with the header a reader sees (README, LaTeX, the SQLite view).
COLUMNS = {
    "person_id": "person id",
    "person": "person",
    "source_id": "source id",
    "outlet": "source",
    "origin_location_id": "origin id",
    "origin": "origin",
    "origin_basis": "origin basis",
    "first_stage_id": "first stay id",
    "first_departure": "first departure (coded)",
    "first_departure_min": "first departure, earliest",
    "first_departure_max": "first departure, latest",
    "first_departure_window": "first departure",
    "places_abroad": "abroad, in order",
    "months_abroad_min": "months abroad, fewest",
    "months_abroad_max": "months abroad, most",
    "stated_duration": "stated time abroad",
    "duration_disagrees": "stated time disagrees with the dates",
    "return_stage_id": "return id",
    "return": "return (coded)",
    "return_min": "return, earliest",
    "return_max": "return, latest",
    "return_window": "return",
    "reasons_to_leave": "explicit reasons to leave",
    "reasons_to_return": "explicit reasons to return",
    "obstacles_enablers": "obstacles and enablers",
    "discrepancies": "discrepancies",
}

# What each column holds (Datasette, the XLSX README, docs/comparison.md).
DESCRIPTIONS = {
    "person_id": "The person (persons.person_id).",
    "person": "The name the text uses for the person (persons.name_in_source).",
    "source_id": "The text that introduces the person (persons.source_id).",
    "outlet": "The outlet that published that text (sources.outlet).",
    "origin_location_id": "Where the person lived before first leaving (persons.origin_location_id).",
    "origin": "That place's name (locations.name).",
    "origin_basis": "Whether the text states the origin or the coders inferred it (persons.origin_basis).",
    "first_stage_id": "The person's first stay: the stage whose type has the role position `first`.",
    "first_departure": "The first departure as coded: the EDTF end of the first stay (else the start of the next).",
    "first_departure_min": "Earliest day of the first departure that all the journey's dates allow (ISO date).",
    "first_departure_max": "Latest day of the first departure that all the journey's dates allow (ISO date).",
    "first_departure_window": "The first departure's window as a reader writes it (a day, a month, or a range).",
    "places_abroad": "The stays from the first stay outside the person's home country to the last, in order; "
                     "transit stays and visits home between them are marked with their stage type (a transit "
                     "in the home country also with `home country`). Transit legs inside the home country on "
                     "the way out or home are not abroad and are not listed.",
    "months_abroad_min": "Fewest calendar months from the month the person left the home country (the end of the "
                         "stay before the first stay abroad) to the month they came back into it (the start of "
                         "the stay after the last stay abroad) that the windows allow (latest departure, "
                         "earliest return). Without transit legs at home: from the first departure to the return.",
    "months_abroad_max": "Most calendar months from the month the person left the home country to the month they "
                         "came back into it that the windows allow (earliest departure, latest return); empty "
                         "when the return has no upper bound.",
    "stated_duration": "The durations the text states for that same span (span_relation equals, from the first "
                       "stay abroad to the last stay abroad), each marked where it cannot be squared with the "
                       "dates.",
    "duration_disagrees": "True where a stated duration of that span cannot be squared with the dates (the "
                          "validator's own test); empty where the text states none.",
    "return_stage_id": "The return: the stage whose type has the role position `last`.",
    "return": "The return as coded: the EDTF start of the return stay.",
    "return_min": "Earliest day of the return that all the journey's dates allow (ISO date).",
    "return_max": "Latest day of the return that all the journey's dates allow (ISO date); empty: unbounded.",
    "return_window": "The return's window as a reader writes it.",
    "reasons_to_leave": "Factors the text names as reasons (certainty explicit) for the move out of the first "
                        "stay, other than intervening obstacles and enablers: factor label [Lee label].",
    "reasons_to_return": "Factors the text names as reasons for the move into the return: factor label "
                         "[Lee label].",
    "obstacles_enablers": "Intervening obstacles and enablers coded on any of the person's moves: factor label "
                          "[Lee label].",
    "discrepancies": "How many discrepancies affect a row of the person (the person, their stages, durations or "
                     "codings).",
}

# The companion long table: where each cell comes from.
CELL_COLUMNS = {
    "person_id": "The person (row of the comparison table).",
    "column": "The comparison table's column (months_abroad stands for its min and max, first_departure and "
              "return for their coded value, bounds and window).",
    "resource": "The table the value comes from.",
    "row_id": "The primary key of the row in that table.",
}

# What a reader sees (README, docs, LaTeX): display header → how the cell is made from a row.
DISPLAY = ["person", "source", "origin", "first departure", "abroad, in order", "months abroad", "return",
           "explicit reasons to leave", "explicit reasons to return", "obstacles and enablers", "discrepancies"]


@dataclass(frozen=True)
class Comparison:
    rows: pd.DataFrame   # one row per person, the columns of COLUMNS
    cells: pd.DataFrame  # person_id, column, resource, row_id: where each cell comes from


def _check_codes(data: journeys.Journeys) -> None:
    for resource, field, code in (EXPLICIT, INTERVENING, SAME_SPAN):
        if code not in data.descriptor.field(resource, field).get("constraints", {}).get("enum", []):
            raise journeys.InvalidData(f"the comparison table needs the code {code!r} of {resource}.{field}")


def _day(value) -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


def window_text(lo, hi) -> str:
    """A calendar window as a reader writes it: a day, a month, a year, or a range of them."""
    if pd.isna(lo) and pd.isna(hi):
        return "unknown"
    if pd.isna(hi):
        return f"{_short(pd.Timestamp(lo), start=True)} or later"
    if pd.isna(lo):
        return f"{_short(pd.Timestamp(hi), start=False)} or earlier"
    lo, hi = pd.Timestamp(lo), pd.Timestamp(hi)
    if lo == hi:
        return lo.strftime("%Y-%m-%d")
    whole_months = lo.day == 1 and (hi + pd.Timedelta(days=1)).day == 1
    if whole_months and lo.month == 1 and hi.month == 12 and lo.year == hi.year:
        return f"{lo.year}"
    if whole_months and (lo.year, lo.month) == (hi.year, hi.month):
        return lo.strftime("%Y-%m")
    return f"{_short(lo, start=True)} – {_short(hi, start=False)}"


def _short(day: pd.Timestamp, start: bool) -> str:
    """A window's bound at month precision when it is the month's first (start) or last day (end)."""
    edge = day.day == 1 if start else (day + pd.Timedelta(days=1)).day == 1
    return day.strftime("%Y-%m") if edge else day.strftime("%Y-%m-%d")


def _months(lo, hi) -> int | None:
    if pd.isna(lo) or pd.isna(hi):
        return None
    lo, hi = pd.Timestamp(lo), pd.Timestamp(hi)
    return max(0, (hi.year * 12 + hi.month) - (lo.year * 12 + lo.month))


def _plural(value: float, unit: str) -> str:
    return unit if value == 1 else unit + "s"


def duration_text(row) -> str:
    qualifier = str(row.qualifier).replace("-", " ")
    if pd.isna(row.value):
        return f"{qualifier} {row.unit}s"
    value = f"{float(row.value):g}"
    return f"{qualifier} {value} {_plural(float(row.value), str(row.unit))}"


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
                    people = frame[fk["fields"][0]].map(lambda v: by_key.get(v) if pd.notna(v) else None)
                    owner[name] = pd.Series(people.to_numpy(), index=frame[key[0]].to_numpy())
                    break
    return {(resource, row_id): person for resource, series in owner.items()
            for row_id, person in series.items() if isinstance(person, str)}


def build(data: journeys.Journeys) -> Comparison:
    """The comparison table of these journeys, in the figures' lane order (travel parties together)."""
    _check_codes(data)
    descriptor = data.descriptor
    first_type, last_type = descriptor.stage_type("first"), descriptor.stage_type("last")
    transit = set(descriptor.stage_types(transit=True))
    category_label = {c["value"]: c.get("label", c["value"]) for c in
                      descriptor.field("stages", "stage_type").get("categories", []) if isinstance(c, dict)}
    windows = data.windows()
    windows = windows.assign(at_home=data.at_home(windows))
    persons = journeys.lanes(data)
    sources = data.table("sources").set_index("source_id")
    locations = data.table("locations").set_index("location_id")
    factors = data.table("factors").set_index("factor_id")
    durations = data.table("durations")
    codings = data.table("codings")
    stage_person = data.table("stages").set_index("stage_id")["person_id"]
    codings = codings.assign(person_id=codings["stage_id"].map(stage_person),
                             lee_label=data.lee_label(codings["lee_category"], codings["valence"]))
    joins = keys.Joins(data.tables)
    shortest, longest = spans.span_days(joins, windows, durations)
    low, high = spans.admitted_days(descriptor, durations)
    agrees = (low <= longest) & (high >= shortest)
    discrepancy_owner = _person_of_rows(data)
    discrepancies = data.table("discrepancies")
    touched = [(discrepancy_owner.get((r.resource, r.row_id)), r.discrepancy_id)
               for r in discrepancies.itertuples()]
    # each person's rows, split once (not a scan of every table per person), in the columns used below
    chains = dict(iter(windows[["person_id", "stage_id", "seq", "stage_type", "location_id", "start", "end",
                                "start_min", "start_max", "end_min", "end_max", "at_home"]]
                       .groupby("person_id", sort=False)))
    codings_of = dict(iter(codings[["person_id", "coding_id", "stage_id", "factor_id", "lee_category", "certainty",
                                    "lee_label"]].groupby("person_id", sort=False)))
    durations_of = dict(iter(durations.groupby("person_id", sort=False)))

    rows, cells = [], []

    def cite(person: str, column: str, resource: str, ids) -> None:
        for row_id in ids:
            if isinstance(row_id, str) and row_id:
                cells.append((person, column, resource, row_id))

    def reasons(person: str, column: str, chosen: pd.DataFrame) -> str:
        chosen = chosen.sort_values("coding_id")
        cite(person, column, "codings", chosen["coding_id"])
        cite(person, column, "factors", chosen["factor_id"].drop_duplicates())
        labels = [f"{factors.at[f, 'label']} [{lee}]" for f, lee in zip(chosen["factor_id"], chosen["lee_label"])]
        return "; ".join(dict.fromkeys(labels))

    for person in persons.itertuples():
        pid = person.person_id
        chain = chains[pid].sort_values("seq") if pid in chains else windows.iloc[0:0]
        first = chain[chain["stage_type"] == first_type]
        last = chain[chain["stage_type"] == last_type]
        first = first.iloc[0] if len(first) else None
        last = last.iloc[-1] if len(last) else None
        middle = chain[(chain["seq"] > (first["seq"] if first is not None else -np.inf))
                       & (chain["seq"] < (last["seq"] if last is not None else np.inf))]
        leaving = middle.iloc[0] if len(middle) else None
        before_return = middle.iloc[-1] if len(middle) else None
        # abroad: from the first stay outside the home country to the last (a transit leg inside it,
        # on the way out or home, is not abroad); the stays just before and after bound the time abroad
        away = np.flatnonzero(~chain["at_home"].to_numpy(dtype=bool)) if len(chain) else np.array([], int)
        if len(away):
            abroad = chain.iloc[away[0]:away[-1] + 1]
            out_of = chain.iloc[away[0] - 1] if away[0] > 0 else first
            back_in = chain.iloc[away[-1] + 1] if away[-1] + 1 < len(chain) else last
        else:
            abroad, out_of, back_in = middle, first, last
        first_abroad = abroad.iloc[0] if len(abroad) else None
        last_abroad = abroad.iloc[-1] if len(abroad) else None
        row = {"person_id": pid, "person": person.name_in_source, "source_id": person.source_id,
               "outlet": sources.at[person.source_id, "outlet"] if person.source_id in sources.index else ""}
        cite(pid, "person", "persons", [pid])
        cite(pid, "outlet", "sources", [person.source_id])
        origin_id = person.origin_location_id
        row.update(origin_location_id=origin_id,
                   origin=locations.at[origin_id, "name"] if origin_id in locations.index else origin_id,
                   origin_basis=person.origin_basis)
        cite(pid, "origin", "persons", [pid])
        cite(pid, "origin", "locations", [origin_id])

        dep_lo = first["end_min"] if first is not None else pd.NaT
        dep_hi = first["end_max"] if first is not None else pd.NaT
        coded = ""
        if first is not None and pd.notna(first["end"]):
            coded = first["end"]
        elif leaving is not None and pd.notna(leaving["start"]):
            coded = leaving["start"]
        row.update(first_stage_id=first["stage_id"] if first is not None else "", first_departure=coded,
                   first_departure_min=_day(dep_lo), first_departure_max=_day(dep_hi),
                   first_departure_window=window_text(dep_lo, dep_hi))
        bounding = [s["stage_id"] for s in (first, leaving) if s is not None]
        cite(pid, "first_departure", "stages", bounding)

        places = []
        for stay in abroad.itertuples():
            name = locations.at[stay.location_id, "name"] if stay.location_id in locations.index else stay.location_id
            roles = descriptor.field("stages", "stage_type")["roles"].get(stay.stage_type, {})
            if stay.stage_type in transit or roles.get("at_home"):
                name += f" ({category_label.get(stay.stage_type, stay.stage_type).lower()}"
                name += ", home country)" if stay.at_home and not roles.get("at_home") else ")"
            places.append(name)
        row["places_abroad"] = "; ".join(places)
        cite(pid, "places_abroad", "stages", abroad["stage_id"])
        cite(pid, "places_abroad", "locations", abroad["location_id"].drop_duplicates())

        out_lo = out_of["end_min"] if out_of is not None else pd.NaT
        out_hi = out_of["end_max"] if out_of is not None else pd.NaT
        in_lo = back_in["start_min"] if back_in is not None else pd.NaT
        in_hi = back_in["start_max"] if back_in is not None else pd.NaT
        row.update(months_abroad_min=_months(out_hi, in_lo), months_abroad_max=_months(out_lo, in_hi))
        cite(pid, "months_abroad", "stages", list(dict.fromkeys(
            s["stage_id"] for s in (out_of, first_abroad, last_abroad, back_in) if s is not None)))

        stated = durations.iloc[0:0]
        if first_abroad is not None:
            own = durations_of[pid] if pid in durations_of else durations.iloc[0:0]
            stated = own[(own["span_relation"] == SAME_SPAN[2]) & (own["first_stage_id"] == first_abroad["stage_id"])
                         & (own["last_stage_id"] == last_abroad["stage_id"])].sort_values("duration_id")
        row["stated_duration"] = "; ".join(
            duration_text(d) + ("" if agrees[i] else " (disagrees with the dates)") for i, d in zip(stated.index, stated.itertuples()))
        row["duration_disagrees"] = bool((~agrees[stated.index]).any()) if len(stated) else None
        cite(pid, "stated_duration", "durations", stated["duration_id"])

        ret_lo = last["start_min"] if last is not None else pd.NaT
        ret_hi = last["start_max"] if last is not None else pd.NaT
        row.update(return_stage_id=last["stage_id"] if last is not None else "",
                   **{"return": last["start"] if last is not None and pd.notna(last["start"]) else ""},
                   return_min=_day(ret_lo), return_max=_day(ret_hi), return_window=window_text(ret_lo, ret_hi))
        cite(pid, "return", "stages", [s["stage_id"] for s in (before_return, last) if s is not None])

        mine = codings_of[pid] if pid in codings_of else codings.iloc[0:0]
        explicit = mine[(mine["certainty"] == EXPLICIT[2]) & (mine["lee_category"] != INTERVENING[2])]
        row["reasons_to_leave"] = reasons(pid, "reasons_to_leave", explicit[explicit["stage_id"] == (
            leaving["stage_id"] if leaving is not None else None)])
        row["reasons_to_return"] = reasons(pid, "reasons_to_return", explicit[explicit["stage_id"] == (
            last["stage_id"] if last is not None else None)])
        row["obstacles_enablers"] = reasons(pid, "obstacles_enablers", mine[mine["lee_category"] == INTERVENING[2]])

        mine_discrepancies = sorted(d for p, d in touched if p == pid)
        row["discrepancies"] = len(mine_discrepancies)
        cite(pid, "discrepancies", "discrepancies", mine_discrepancies)
        rows.append(row)

    table = pd.DataFrame(rows, columns=list(COLUMNS))
    for column in ("months_abroad_min", "months_abroad_max", "discrepancies"):
        table[column] = table[column].astype("Int64")
    table["duration_disagrees"] = table["duration_disagrees"].astype("boolean")
    long = pd.DataFrame(cells, columns=["person_id", "column", "resource", "row_id"]).drop_duplicates()
    return Comparison(rows=table, cells=long.reset_index(drop=True))


def months_text(row) -> str:
    lo, hi = row["months_abroad_min"], row["months_abroad_max"]
    if pd.isna(lo) and pd.isna(hi):
        text = "unknown"
    elif pd.isna(hi):
        text = f"{lo} or more"
    elif pd.isna(lo):
        text = f"up to {hi}"
    else:
        text = f"{lo}" if lo == hi else f"{lo}–{hi}"
    if row["stated_duration"]:
        text += f"; stated: {row['stated_duration']}"
    return text


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
        "explicit reasons to leave": table["reasons_to_leave"],
        "explicit reasons to return": table["reasons_to_return"],
        "obstacles and enablers": table["obstacles_enablers"],
        "discrepancies": table["discrepancies"].astype(str),
    })
    return out[DISPLAY].fillna("")
