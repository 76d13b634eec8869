"""Sequence-analysis export: monthly place sequences (SPELL, STS) with censoring codes, the candidates
of uncertain months and a most-likely-place variant; `readme` says how every file and cell is coded."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..model import journeys, wording
from ..model import palette as palette_module
from .exporter import TEMPLATES, Exporter

OBSERVED, IMPUTED = "observed", "imputed"
CENSOR = {0: "not censored: the last stay has a coded end",
          1: "right-censored at the text's date (its publication, or the latest date by which it is known to "
             "have existed): the last stay has no end; the person was still there then, and nothing is known "
             "after",
          2: "right-censored, date unknown: the last stay has no end and its text has no known date; the "
             "sequence is carried to the latest date any value of the package reaches, which is not an "
             "observed date"}


UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def state_code(value: str) -> str:
    """A state as TraMineR takes it without a warning: letters, digits and underscores ('-' is the
    separator of its compressed sequences), so `european-union` is `european_union`."""
    return UNSAFE.sub("_", str(value))


def states(data: journeys.Journeys, by_place: pd.DataFrame, by_type: pd.DataFrame) -> pd.DataFrame:
    """`states.csv`: every state the files use (places in the figures' colours, stage types in the
    palette's order of the descriptor's stage types)."""
    colours = palette_module.of_package(data)
    names = journeys.place_names(data.table("locations"))
    field = data.descriptor.field("stages", "stage_type")
    type_label = {c["value"]: c.get("label", c["value"]) for c in field.get("categories", []) if isinstance(c, dict)}
    order = field.get("constraints", {}).get("enum", [])
    used = set(by_place["candidates"].str.split("|").explode())
    rows = [(key, names.get(key, key), colours.colour("places", key), "place")
            for key in sorted(used, key=lambda k: colours.slot("places", k))]
    if (by_place["state"] == journeys.UNCERTAIN).any():
        rows.append((journeys.UNCERTAIN, "uncertain: one of several places", palette_module.UNCERTAIN_COLOUR, "place"))
    rows += [(t, type_label.get(t, t), colours.colour("stage_types", t), "stage_type")
             for t in sorted(set(by_type["state"]) - {journeys.UNCERTAIN}, key=order.index)]
    if (by_type["state"] == journeys.UNCERTAIN).any():
        rows.append((journeys.UNCERTAIN, "uncertain: one of several stage types", palette_module.UNCERTAIN_COLOUR,
                     "stage_type"))
    frame = pd.DataFrame(rows, columns=["stands_for", "label", "colour", "kind"])
    frame.insert(0, "code", frame["stands_for"].map(state_code))
    clash = frame[frame.duplicated(["kind", "code"], keep=False)]
    if len(clash):
        raise journeys.InvalidData("two states get one sequence code: " + ", ".join(clash["stands_for"])
                                   + "; rename one of them (location_id or stage type)")
    return frame[["code", "label", "colour", "stands_for", "kind"]]


def likely_places(data: journeys.Journeys, windows: pd.DataFrame, months: pd.DataFrame) -> pd.Series:
    """The most likely place of every person-month, by midpoint imputation (`imputed_changes`; an end
    nothing bounds at the horizon): the place of most of the month's days (ties: the earlier stay)."""
    horizon = data.horizon()
    edge = journeys.month_start(horizon + 1) if horizon is not None else pd.NaT
    w = windows[["person_id", "seq", "place", "start_min", "start_max", "end_max"]].copy()
    start = imputed_changes(w["person_id"], w["start_min"], w["start_max"].fillna(edge))
    start = start.fillna(pd.Timestamp("1900-01-01"))  # the origin: no start; it covers every month before
    end = start.groupby(w["person_id"]).shift(-1)
    last_end = (w["end_max"] + pd.Timedelta(days=1)).fillna(edge)
    w = w.assign(start=start, end=end.fillna(last_end))
    pairs = months[["person_id", "month"]].reset_index().merge(w, on="person_id")
    first_day = pd.to_datetime({"year": pairs["month"] // 12, "month": pairs["month"] % 12 + 1, "day": 1})
    next_day = first_day + pd.offsets.MonthBegin(1)
    overlap = (np.minimum(next_day, pairs["end"]) - np.maximum(first_day, pairs["start"])).dt.days.clip(lower=0)
    pairs = pairs.assign(overlap=overlap).sort_values(["index", "overlap", "seq"], ascending=[True, False, True])
    best = pairs.drop_duplicates("index").set_index("index")
    return best["place"].reindex(months.index)


def imputed_changes(person: pd.Series, low: pd.Series, high: pd.Series) -> pd.Series:
    """The imputed day of each change of place (rows in journey order): the j-th of k consecutive
    changes sharing a window [low, high] falls at low + (2j + 1) / 2k of it; NaT without a low."""
    columns = [person.astype(object).to_numpy(), low.to_numpy("datetime64[ns]"), high.to_numpy("datetime64[ns]")]
    new_run = np.arange(len(person)) == 0
    for values in columns:  # NaT never equals NaT: a window with an open bound is a run of its own
        new_run[1:] |= values[1:] != values[:-1]
    run = pd.Series(np.cumsum(new_run), index=person.index)
    share = run.groupby(run).transform("size")
    j = run.groupby(run).cumcount()
    return low + (high - low) * ((2 * j + 1) / (2 * share))


def censoring(data: journeys.Journeys, windows: pd.DataFrame, months: pd.DataFrame) -> pd.DataFrame:
    """How each person's sequence ends, and the persons who cannot be placed at all, by row."""
    ends = data.censoring(windows)
    placed = set(months["person_id"])
    last = months.groupby("person_id")["month"].max()
    stages = data.table("stages")
    origin = stages[stages["stage_type"] == data.descriptor.stage_type("first")].set_index("person_id")["stage_id"]
    rows = []
    for row in ends.itertuples():
        if row.person_id in placed:
            rows.append({"id": row.person_id, "last_stage_id": row.stage_id, "last_month": last[row.person_id],
                         "censor": row.censor, "note": CENSOR[row.censor]})
        else:
            rows.append({"id": row.person_id, "last_stage_id": row.stage_id, "last_month": pd.NA, "censor": pd.NA,
                         "note": f"not placed: nothing dates the first departure (stages/{origin.get(row.person_id)})"})
    return pd.DataFrame(rows, columns=["id", "last_stage_id", "last_month", "censor", "note"])


def tables(data: journeys.Journeys) -> dict[str, pd.DataFrame]:
    windows = data.windows()
    by_place = data.months(windows)
    by_type = data.months(windows, by="stage_type")
    zero = journeys.origin_month(data, by_place) - 1
    ends = censoring(data, windows, by_place)
    code = ends.set_index("id")["censor"]
    out = {}
    for name, months in (("spells-place", by_place), ("spells-stage-type", by_type)):
        spells = journeys.spells(months)
        spells["state"] = spells["state"].map(state_code)
        final = ~spells["id"].duplicated(keep="last")
        spells["censor"] = np.where(final, spells["id"].map(code).fillna(0).astype(int), 0)
        out[name] = spells.assign(begin=spells["begin"] - zero, end=spells["end"] - zero)
    likely = likely_places(data, windows, by_place)
    long = by_place.assign(state=by_place["state"].map(state_code),
                           candidates=by_place["candidates"].map(lambda c: "|".join(map(state_code, c.split("|")))),
                           likely=likely.map(state_code),
                           likely_basis=np.where(by_place["state"] == journeys.UNCERTAIN, IMPUTED, OBSERVED))
    out["person-months"] = long.assign(id=long["person_id"], month=long["month"] - zero,
                                       calendar_month=long["month"].map(wording.month))[
        ["id", "month", "calendar_month", "state", "candidates", "likely", "likely_basis"]]
    for name, column in (("sts-place", "state"), ("sts-place-likely", "likely")):
        wide = long.assign(month=long["month"] - zero).pivot(index="person_id", columns="month", values=column)
        wide.columns = [str(c) for c in wide.columns]  # month numbers, as sequenzo and TraMineR like them
        out[name] = wide.reset_index().rename(columns={"person_id": "id"})
    out["states"] = states(data, by_place, by_type)
    out["censoring"] = ends.assign(last_month=ends["last_month"].map(lambda m: m - zero if pd.notna(m) else pd.NA))
    months = sorted(set(by_place["month"]) | set(by_type["month"]))
    out["months"] = pd.DataFrame({"month": [m - zero for m in months], "calendar_month": [wording.month(m) for m in months]})
    return out


def readme(data: journeys.Journeys, frames: dict[str, pd.DataFrame]) -> str:
    """The codebook of the sequence files."""
    first = frames["months"]["calendar_month"].iloc[0] if len(frames["months"]) else "(none)"
    codes = "\n".join(f"- `{k}`: {v}." for k, v in CENSOR.items())
    return (TEMPLATES / "sequences-readme.md").read_text(encoding="utf-8").format(
        title=data.descriptor.data.get("title", "the package"), version=data.version, first_year=first[:4],
        uncertain=journeys.UNCERTAIN, codes=codes, observed=OBSERVED, imputed=IMPUTED)


def write(data: journeys.Journeys, folder: Path) -> list[Path]:
    """Every sequence table as CSV, and README.md, into `folder`."""
    frames = tables(data)
    folder.mkdir(parents=True, exist_ok=True)
    for table, frame in frames.items():
        frame.to_csv(folder / f"{table}.csv", index=False, lineterminator="\n")
    (folder / "README.md").write_text(readme(data, frames), encoding="utf-8")
    return sorted(folder.iterdir())


EXPORTER = Exporter("sequences", lambda job, folder: write(job.data, folder / "sequences"))
