"""Seeded synthetic packages of N persons, for the benchmark: same descriptor, realistic shapes.

Each person has 3–6 realised stages (origin, one to three stays abroad, sometimes a temporary
return, a return), sometimes a planned destination never reached, two stated durations that
agree with the dates, and one to three codings per move. Month-precision dates, some left
unknown, some given as EDTF windows. Every value is drawn from a numpy Generator seeded by
the caller, so the same N and seed give the same files.

Usage: returnee-journeys synthetic N OUT_DIR [--seed S]
"""
from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from ..model import descriptor as descriptor_module
from ..model import load
from ..model import paths

HOME = ["moscow", "saint-petersburg"]
AWAY = ["yerevan", "belgrade", "serbia", "argentina", "european-union"]
FIRST_MONTH = 2022 * 12 + 1  # February 2022, as a month index (year * 12 + month - 1)


def _month(index: np.ndarray) -> np.ndarray:
    years, months = np.divmod(index, 12)
    return np.char.add(np.char.add(years.astype(str), "-"), np.char.zfill((months + 1).astype(str), 2))


def _stages(rng, persons: pd.DataFrame) -> pd.DataFrame:
    n = len(persons)
    abroad = rng.integers(1, 4, n)                      # stays abroad
    temporary = (abroad >= 2) & (rng.random(n) < 0.3)   # a visit home between two of them
    planned = rng.random(n) < 0.1                       # a destination aimed for, before the return
    count = 2 + abroad + temporary + planned
    first = np.cumsum(count) - count
    position = np.arange(count.sum()) - np.repeat(first, count)  # 0-based place in the journey
    last = np.repeat(count - 1, count)
    kind = np.full(count.sum(), "abroad", dtype=object)
    kind[position == 0] = "origin"
    kind[position == last] = "return"
    kind[(position == last - 1) & np.repeat(planned, count)] = "planned"
    kind[(position == 2) & np.repeat(temporary, count)] = "temporary-return"
    home = np.isin(kind, ["origin", "temporary-return"])
    place = np.where(home, rng.choice(HOME, len(kind)), rng.choice(AWAY, len(kind)))
    place[kind == "return"] = "russia"
    place[kind == "planned"] = "united-states"

    frame = pd.DataFrame({"person_id": np.repeat(persons["person_id"].to_numpy(), count),
                          "seq": position + 1, "stage_type": kind, "location_id": place})
    months = np.where(np.isin(kind, ["abroad", "temporary-return"]), rng.integers(1, 9, len(kind)), 0)
    before = frame.assign(m=months).groupby("person_id", sort=False)["m"].cumsum().to_numpy() - months
    start_month = np.repeat(FIRST_MONTH + rng.integers(0, 11, n), count) + before
    start = _month(start_month).astype(object)
    end = _month(start_month + months).astype(object)
    start[kind == "origin"] = ""
    end[kind == "return"] = ""
    start[kind == "planned"] = end[kind == "planned"] = ""
    # some returns are known only to a window; the stay before ends in the same window
    window = np.char.add(np.char.add("[", _month(start_month)), np.char.add("..", np.char.add(_month(start_month + 2), "]")))
    fuzzy = np.flatnonzero((kind == "return") & (rng.random(len(kind)) < 0.1))
    previous = fuzzy - 1 - (kind[fuzzy - 1] == "planned")
    start[fuzzy] = window[fuzzy]
    end[previous] = window[fuzzy]
    # some changes of place between two stays abroad are not dated at all
    unknown = np.flatnonzero((kind[:-1] == "abroad") & (kind[1:] == "abroad") & (rng.random(len(kind) - 1) < 0.1))
    end[unknown] = start[unknown + 1] = ""
    frame["stage_id"] = np.char.add(np.char.add(frame["person_id"].to_numpy().astype(str), "-"),
                                    np.char.zfill(frame["seq"].to_numpy().astype(str), 2))
    frame["location_certainty"] = "stated"
    frame["start"], frame["end"] = start, end
    frame["start_basis"] = np.where(start == "", "", "stated")
    frame["end_basis"] = np.where(end == "", "", "stated")
    frame["reason"] = "synthetic reason"
    frame["source_id"] = np.repeat(persons["source_id"].to_numpy(), count)
    frame["quote"], frame["notes"] = "synthetic quote", ""
    frame["start_month"] = start_month
    return frame


def _durations(persons: pd.DataFrame, stages: pd.DataFrame) -> pd.DataFrame:
    """Time abroad (first stay to return) and a month of unemployment in the first stay."""
    first_stay = stages[stages["seq"] == 2].set_index("person_id")
    stays = stages[stages["stage_type"].isin(["abroad", "temporary-return"])]
    last_stay = stays.groupby("person_id", sort=False).tail(1).set_index("person_id")
    back = stages[stages["stage_type"] == "return"].set_index("person_id")["start_month"]
    ids = persons["person_id"]
    time_abroad = pd.DataFrame({
        "duration_id": ids + "-d01", "person_id": ids,
        "first_stage_id": ids.map(first_stay["stage_id"]), "last_stage_id": ids.map(last_stay["stage_id"]),
        "subject": "time-abroad", "value": ids.map(back) - ids.map(first_stay["start_month"]), "unit": "month",
        "qualifier": "about", "span_relation": "equals", "source_id": persons["source_id"],
        "quote": "synthetic quote", "notes": "",
    })
    unemployment = time_abroad.assign(duration_id=ids + "-d02", last_stage_id=time_abroad["first_stage_id"],
                                      subject="unemployment", value=1, qualifier="exactly", span_relation="within")
    return pd.concat([time_abroad, unemployment]).sort_values("duration_id", kind="stable")


def _allowed_categories(rng, factor: np.ndarray, factors: pd.DataFrame) -> np.ndarray:
    """For each coding, one of the Lee categories the codebook allows its factor (factors.lee_categories)."""
    allowed = factors.set_index("factor_id")["lee_categories"].str.split(" ")
    out = np.empty(len(factor), dtype=object)
    for code, categories in allowed.items():
        at = np.flatnonzero(factor == code)
        out[at] = rng.choice(categories, len(at))
    return out


def _codings(rng, stages: pd.DataFrame, factors: pd.DataFrame, descriptor) -> pd.DataFrame:
    moves = stages[stages["stage_type"] != "origin"]
    per_move = rng.integers(1, 4, len(moves))
    stage = np.repeat(moves["stage_id"].to_numpy(), per_move)
    number = np.concatenate([np.arange(1, k + 1) for k in per_move]) if len(moves) else np.zeros(0, int)
    codes = factors["factor_id"].to_numpy()
    factor = rng.choice(codes, len(stage))
    factor[: min(len(codes), len(stage))] = codes[: min(len(codes), len(stage))]
    enum = lambda field: descriptor.field("codings", field)["constraints"]["enum"]  # noqa: E731
    return pd.DataFrame({
        "coding_id": np.char.add(np.char.add(stage.astype(str), "-c"), np.char.zfill(number.astype(str), 2)),
        "stage_id": stage, "factor_id": factor,
        "lee_category": _allowed_categories(rng, factor, factors),
        "valence": rng.choice(enum("valence"), len(stage)),
        "certainty": rng.choice(enum("certainty"), len(stage)),
        "timing": rng.choice(enum("timing"), len(stage)),
        "salience": rng.choice(enum("salience"), len(stage)),
        "scope": rng.choice(enum("scope"), len(stage)),
        "source_id": np.repeat(moves["source_id"].to_numpy(), per_move),
        "quote": "synthetic quote", "notes": "",
    })


def generate(n: int, out: Path, seed: int = 1) -> Path:
    """Write a synthetic package of n persons into out/ and return its datapackage.json."""
    rng = np.random.default_rng(seed)
    descriptor = descriptor_module.read(paths.DESCRIPTOR)
    real = {r["name"]: load.read_resource(descriptor, r["name"], []) for r in descriptor.resources}
    (out / "data").mkdir(parents=True, exist_ok=True)
    shutil.copy(paths.DESCRIPTOR, out / "datapackage.json")
    n_sources = max(1, n // 1000)
    source_ids = np.char.add("synthetic-", np.char.zfill(np.arange(1, n_sources + 1).astype(str), 4))
    sources = pd.DataFrame({
        "source_id": source_ids, "outlet": "Synthetic", "title": "synthetic text", "title_basis": "coded-copy",
        "author": "", "author_basis": "", "url": "", "published": "2025-12", "available_by": "2025-12-31", "coded_copy_url": "",
        "text_sha256": [f"{i:064x}" for i in rng.integers(0, 2**62, n_sources)], "language": "en",
        "notes": "",
    })
    ids = np.char.add("p", np.char.zfill(np.arange(1, n + 1).astype(str), 6))
    persons = pd.DataFrame({
        "person_id": ids, "source_id": source_ids[np.arange(n) % n_sources], "name_in_source": np.char.add("Person ", ids),
        "pseudonym": rng.choice(["true", "false", ""], n), "gender": rng.choice(["female", "male", ""], n),
        "age_reported": rng.integers(18, 70, n).astype(str), "age_as_of": "2024", "occupation": "synthetic",
        "origin_location_id": "", "origin_basis": "stated", "travel_party": "", "quote": "synthetic quote", "notes": "",
    })
    stages = _stages(rng, persons)
    persons["origin_location_id"] = persons["person_id"].map(
        stages[stages["stage_type"] == "origin"].set_index("person_id")["location_id"])
    codings = _codings(rng, stages, real["factors"], descriptor)
    explicit = codings.loc[codings["certainty"] == "explicit", "stage_id"]  # a reason where the text states one
    stages["reason"] = np.where(stages["stage_id"].isin(explicit), "synthetic reason", "")
    tables = {
        "sources": sources, "persons": persons, "stages": stages,
        "durations": _durations(persons, stages),
        "codings": codings,
        "locations": real["locations"], "factors": real["factors"],
        "estimates": real["estimates"].assign(source_id=source_ids[0]),
        "events": real["events"].assign(source_id=source_ids[0]), "discrepancies": real["discrepancies"].iloc[0:0],
        "person_sources": real["person_sources"].iloc[0:0], "copies": real["copies"].iloc[0:0],
        "readings": real["readings"].iloc[0:0], "ledger": real["ledger"].iloc[0:0],
    }
    for name, frame in tables.items():
        columns = [f["name"] for f in descriptor.fields(name)]
        frame[columns].to_csv(out / "data" / f"{name}.csv", index=False, lineterminator="\n")
    return out / "datapackage.json"
