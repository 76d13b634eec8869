"""The journeys as figures and exports need them, from the validated tables.

Month indexes count calendar months (year * 12 + month - 1). The rule for uncertain dates,
used by every figure and export alike: a month takes a place when every stay that can cover
it (by the windows of `chronology`) is in that place; any other month between the first
departure and the end of what is known is `uncertain`, with the places it could be.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import chronology
from . import descriptor as descriptor_module
from .descriptor import InvalidData
from . import keys
from . import load
from . import paths

UNCERTAIN = "uncertain"


@dataclass(frozen=True)
class Journeys:
    descriptor: descriptor_module.Descriptor
    tables: dict[str, pd.DataFrame]

    @property
    def version(self) -> str:
        return self.descriptor.data["version"]

    def table(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def homes(self) -> pd.Series:
        """Each person's home country (person_id → ISO code): the country of their origin location
        (persons.origin_location_id), one of the descriptor's `home_countries` in a valid package."""
        persons = self.tables["persons"]
        home = keys.lookup(persons["origin_location_id"], self.tables["locations"], "location_id", "country_code")
        return pd.Series(home.to_numpy(), index=persons["person_id"].to_numpy(), name="home_country")

    def windows(self) -> pd.DataFrame:
        """Realised stages with their windows, the person's source and the stay's place key."""
        t = self.tables
        w = chronology.windows(t["stages"], t["sources"], self.descriptor.stage_types(realised=True),
                               self.descriptor.stage_types(position="last"))
        return w.assign(place=place_key(t["locations"], w["location_id"]))

    def home_country(self, person_ids: pd.Series) -> pd.Series:
        """The home country (`homes`) of the person of each id: the comparison table and the
        sequences ask here, the map asks `homes`."""
        return pd.Series(person_ids.map(self.homes()).to_numpy(dtype=object), index=person_ids.index)

    def at_home(self, windows: pd.DataFrame) -> pd.Series:
        """Whether each stay of `windows` (rows of `windows()`) is in its person's home country."""
        return (windows["place"] == self.home_country(windows["person_id"])).astype(bool)

    def months(self, windows: pd.DataFrame | None = None, since: int | None = None, by: str = "place") -> pd.DataFrame:
        """`person_months` of these journeys (see there), open ends carried to `horizon()`."""
        windows = self.windows() if windows is None else windows
        return person_months(windows, self.descriptor.stage_type("first"), since=since, by=by,
                             horizon=self.horizon())

    def horizon(self) -> int | None:
        """The last month any date of the package reaches (the latest bound of any EDTF value): where a
        stay with no known end (an open return whose text has no known date) is carried to, censored."""
        days = [self.tables[r["name"]][f"{f}_{bound}"].max() for r in self.descriptor.resources
                for f in self.descriptor.edtf_fields(r["name"]) for bound in ("lower", "upper")
                if r["name"] in self.tables and f"{f}_{bound}" in self.tables[r["name"]]]
        latest = max((pd.Timestamp(day) for day in days if pd.notna(day)), default=None)
        return None if latest is None else latest.year * 12 + latest.month - 1

    def censoring(self, windows: pd.DataFrame | None = None) -> pd.DataFrame:
        """How each person's sequence ends: one row per person with realised stages.

        Columns: person_id, stage_id (the last realised stage), censor, month (the last month of the
        sequence; NA when nothing bounds it and the package has no date at all). `censor`:
        0 the last stay has a coded end; 1 right-censored at its text's date (no coded end: still there
        when the text was available); 2 right-censored with no known date (no coded end, and its text's
        date is unknown): the sequence is carried to `horizon()`, which is not an observed date."""
        windows = self.windows() if windows is None else windows
        last = windows.groupby("person_id", sort=True).tail(1)
        bounded = last["end_max"].notna().to_numpy()
        code = np.where(last["end"].notna().to_numpy(), 0, np.where(bounded, 1, 2))
        horizon = self.horizon()
        when = month(last["end_max"])
        if horizon is not None:
            when = when.fillna(horizon)
        return pd.DataFrame({"person_id": last["person_id"].to_numpy(), "stage_id": last["stage_id"].to_numpy(),
                             "censor": code, "month": when.to_numpy()})

    def moves(self) -> pd.DataFrame:
        """Every move, in lane order: the move into each stage that follows a realised stage, from the
        last realised stage before it. Columns: person_id, stage_id, seq, stage_type, from_location,
        to_location, realised (False for a destination aimed for but never reached), waypoint (a transit stage:
        passing through)."""
        realised_types = self.descriptor.stage_types(realised=True)
        transit_types = self.descriptor.stage_types(transit=True)
        stages = self.table("stages").sort_values(["person_id", "seq"], kind="stable")
        realised = stages["stage_type"].isin(realised_types)
        reached = stages["location_id"].where(realised)
        before = reached.groupby(stages["person_id"]).shift().groupby(stages["person_id"]).ffill()
        out = pd.DataFrame({"person_id": stages["person_id"], "stage_id": stages["stage_id"], "seq": stages["seq"],
                            "stage_type": stages["stage_type"], "from_location": before,
                            "to_location": stages["location_id"], "realised": realised,
                            "waypoint": stages["stage_type"].isin(transit_types)})
        out = out[out["from_location"].notna()]
        order = {p: i for i, p in enumerate(lanes(self)["person_id"])}
        return (out.assign(lane=out["person_id"].map(order)).sort_values(["lane", "seq"], kind="stable")
                .drop(columns="lane").reset_index(drop=True))

    def lee_label(self, lee: pd.Series, valence: pd.Series) -> pd.Series:
        pairs = lee.astype(str) + "|" + valence.fillna("").astype(str)
        return pairs.map({f"{c}|{v}": label for (c, v), label in self.descriptor.lee_labels().items()})


def read(descriptor_path=paths.DESCRIPTOR) -> Journeys:
    descriptor = descriptor_module.read(descriptor_path)
    loaded = load.load(descriptor)
    if loaded.problems:
        raise InvalidData(f"{len(loaded.problems)} problem(s) reading the tables; run `make validate`")
    return Journeys(descriptor, loaded.tables)


def place_key(locations: pd.DataFrame, location_ids: pd.Series) -> pd.Series:
    """The country code of a place, or the place's id for a region that has none."""
    code = keys.lookup(location_ids, locations, "location_id", "country_code")
    return code.fillna(location_ids).astype(str)


def place_names(locations: pd.DataFrame) -> dict[str, str]:
    """Legend text per place key: the key and the coded places it stands for."""
    keyed = locations.assign(key=place_key(locations, locations["location_id"]))
    return {k: (f"{k}: " if k != g["name"].iloc[0] else "") + ", ".join(sorted(g["name"]))
            if len(k) == 2 else ", ".join(sorted(g["name"])) for k, g in keyed.groupby("key")}


def month(values: pd.Series) -> pd.Series:
    """Month index of datetimes (NA where unknown)."""
    stamps = pd.to_datetime(values)
    return (stamps.dt.year * 12 + stamps.dt.month - 1).astype("Int64")


def origin_month(data: Journeys, months: pd.DataFrame | None = None) -> int:
    """Calendar month index (year*12+month-1) that becomes 1: January of the year of the earliest
    dated event or first departure (the SQLite export numbers months the same way)."""
    months = data.months() if months is None else months
    events = data.table("events")
    firsts = [month(events["date_lower"].fillna(events["date_upper"])).min(), months["month"].min()]
    first = min(int(f) for f in firsts if pd.notna(f))
    return first // 12 * 12


def month_start(index: int) -> pd.Timestamp:
    return pd.Timestamp(year=int(index) // 12, month=int(index) % 12 + 1, day=1)


def person_months(windows: pd.DataFrame, first_type: str, since: int | None = None, by: str = "place",
                  horizon: int | None = None) -> pd.DataFrame:
    """One row per person and month, from the month of first departure (or `since`, when
    given) to the last month known (none for a person whose departure has no earliest date, unless `since`
    is given); a stay whose end nothing bounds (an open return whose text
    has no known date) is carried to `horizon` when given, else left out. The state of a month
    (a place, or with by="stage_type" a stage type, else `uncertain`): the module's rule.
    Columns: person_id, month, state, candidates ('|'-joined values it could have), stage_id
    (where one stay alone can cover the month).
    """
    origin = windows[windows["stage_type"] == first_type].set_index("person_id")
    # a departure bounded only from above (by the text's date) has no first month; shown from `since` on
    departure = month(origin["end_min"])
    if since is not None:
        departure = departure.fillna(since).clip(upper=since).astype("Int64")
    first = month(windows["start_min"]).fillna(windows["person_id"].map(departure))
    last = month(windows["end_max"])
    if horizon is not None:
        last = last.fillna(horizon)
    stays = windows.assign(first=first, last=last).dropna(subset=["first", "last"])
    stays = stays[stays["last"] >= stays["first"]]
    expanded = stays.loc[stays.index.repeat((stays["last"] - stays["first"] + 1).astype(int))]
    expanded = expanded.assign(month=expanded.groupby(level=0).cumcount() + expanded["first"].astype(int))
    expanded = expanded[expanded["month"] >= expanded["person_id"].map(departure)]
    grouped = expanded.groupby(["person_id", "month"], sort=True)
    distinct = expanded[["person_id", "month", by]].astype({by: object}).drop_duplicates().sort_values(
        ["person_id", "month", by])
    places = distinct.groupby(["person_id", "month"], sort=True)[by].agg("|".join)
    stages = grouped["stage_id"].first().where(grouped.size() == 1)
    out = pd.DataFrame({"candidates": places, "stage_id": stages}).reset_index()
    single = ~out["candidates"].str.contains("|", regex=False)
    out["state"] = out["candidates"].where(single, UNCERTAIN)
    return out[["person_id", "month", "state", "candidates", "stage_id"]]


def spells(months: pd.DataFrame) -> pd.DataFrame:
    """Runs of months in one state, per person: SPELL format (id, begin, end, state), inclusive."""
    ordered = months.sort_values(["person_id", "month"])
    person = ordered["person_id"].to_numpy(dtype=object)
    state = ordered["state"].to_numpy(dtype=object)
    month_ = ordered["month"].to_numpy()
    new = np.r_[True, (person[1:] != person[:-1]) | (state[1:] != state[:-1]) | (month_[1:] != month_[:-1] + 1)]
    run = np.cumsum(new)
    grouped = ordered.assign(run=run).groupby("run", sort=True)
    return pd.DataFrame({"id": grouped["person_id"].first(), "begin": grouped["month"].min(),
                         "end": grouped["month"].max(), "state": grouped["state"].first()}).reset_index(drop=True)


def person_names(persons: pd.DataFrame) -> dict[str, str]:
    """person_id → the name the text uses, with the id where two persons share a name."""
    names = persons.set_index("person_id")["name_in_source"].astype(str)
    shared = names.duplicated(keep=False)
    return {pid: f"{name} ({pid})" if shared[pid] else name for pid, name in names.items()}


def lanes(data: Journeys) -> pd.DataFrame:
    """Persons in drawing order with their y position: travel parties kept together."""
    persons = data.table("persons").copy()
    persons["party"] = persons["travel_party"].fillna(persons["person_id"])
    persons = persons.sort_values(["source_id", "party", "person_id"]).reset_index(drop=True)
    party = persons["party"].to_numpy(dtype=object)
    gap = np.cumsum(np.r_[True, party[1:] != party[:-1]]) * 0.35
    persons["y"] = -(np.arange(len(persons)) + gap)
    return persons
