"""Seeded synthetic packages of N persons, for the benchmark and the figure tests: the project's
descriptor, made-up rows of realistic shape, nothing taken from the real tables.

Each person has an origin, sometimes a transit stage on the way out (through a region or city of
Russia, or a city abroad), one to three stays abroad (cities, regions, countries and groups of
countries), sometimes a visit home between two of them, sometimes a destination planned but never
reached, and a return (to a city, or to the country only). Two stated durations agree with the
dates; one to three codings per move use every Lee category, timing and salience. Dates are months;
some are only known to a window, some changes of place are not dated at all, some returns are not
dated. Texts come from several outlets (spelled as they spell themselves, "AFP"); one text in three
has no known date, so its returns are open with no upper bound; one text is coded from a reworded
copy. Events include a range and an undated one. Every fourth person (the second, sixth …) is from
Belarus, not Russia: their origin, visits home and return are in Belarus (two home countries, as
`home_countries` in the package's descriptor lists them). Every value is drawn from a numpy Generator
seeded by the caller, so the same N and seed give the same files; everything is vectorised (the
benchmark draws 100 000 persons).

Usage: returnee-journeys synthetic N OUT_DIR [--seed S]
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..model import descriptor as descriptor_module
from ..model import files
from ..model import paths

FIRST_MONTH = 2022 * 12 + 1  # February 2022, as a month index (year * 12 + month - 1)
HOME_COUNTRIES = ["RU", "BY"]
# the second home: a Belarusian's places at home, where a Russian's would be (made after the draws, so
# that the random draws, and everything else, stay as they were)
SECOND_HOME = {"moscow": "minsk", "saint-petersburg": "grodno", "novosibirsk": "brest", "russia": "belarus"}

ORIGINS = ["moscow", "saint-petersburg", "novosibirsk"]
TRANSIT = ["north-ossetia", "vladikavkaz", "istanbul", "almaty"]
AWAY = ["yerevan", "tbilisi", "georgia", "almaty", "kazakhstan", "bishkek", "tashkent", "istanbul", "antalya-province",
        "dubai", "belgrade", "serbia", "montenegro", "berlin", "riga", "helsinki", "tel-aviv", "bangkok", "bali",
        "ulaanbaatar", "argentina", "buenos-aires", "european-union", "central-asia"]
PLANNED = ["united-states", "argentina", "montenegro"]
RETURNS = ["russia", "moscow", "saint-petersburg", "novosibirsk"]
OUTLETS = ["AFP", "Al Jazeera", "Byline Times", "BBC News Russian", "Meduza", "The Insider"]


def _month(index: np.ndarray) -> np.ndarray:
    years, months = np.divmod(np.asarray(index), 12)
    return np.char.add(np.char.add(years.astype(str), "-"), np.char.zfill((months + 1).astype(str), 2))


def _ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(np.asarray(numbers).astype(str), width))


def _stages(rng, persons: pd.DataFrame, undated_sources: np.ndarray) -> pd.DataFrame:
    n = len(persons)
    abroad = rng.integers(1, 4, n)                      # stays abroad
    transit = rng.random(n) < 0.25                      # through a place on the way out
    temporary = (abroad >= 2) & (rng.random(n) < 0.3)   # a visit home between two of them
    planned = rng.random(n) < 0.15                      # a destination aimed for, before the return
    count = 2 + transit + abroad + temporary + planned
    first = np.cumsum(count) - count
    position = np.arange(count.sum()) - np.repeat(first, count)  # 0-based place in the journey
    last = np.repeat(count - 1, count)
    has_transit = np.repeat(transit, count)
    kind = np.full(count.sum(), "abroad", dtype=object)
    kind[position == 0] = "origin"
    kind[position == last] = "return"
    kind[(position == last - 1) & np.repeat(planned, count)] = "planned"
    kind[(position == 1) & has_transit] = "transit"
    kind[(position == 2 + has_transit) & np.repeat(temporary, count)] = "temporary-return"
    size = len(kind)
    origin = np.repeat(rng.choice(ORIGINS, n), count)    # a visit home goes back to where they lived
    place = rng.choice(AWAY, size).astype(object)
    place[kind == "origin"] = origin[kind == "origin"]
    place[kind == "temporary-return"] = origin[kind == "temporary-return"]
    place[kind == "transit"] = rng.choice(TRANSIT, size)[kind == "transit"]
    place[kind == "planned"] = rng.choice(PLANNED, size)[kind == "planned"]
    place[kind == "return"] = rng.choice(RETURNS, size)[kind == "return"]

    frame = pd.DataFrame({"person_id": np.repeat(persons["person_id"].to_numpy(), count),
                          "seq": position + 1, "stage_type": kind, "location_id": place})
    months = np.where(np.isin(kind, ["abroad", "temporary-return"]), rng.integers(1, 9, size), 0)
    before = frame.assign(m=months).groupby("person_id", sort=False)["m"].cumsum().to_numpy() - months
    start_month = np.repeat(FIRST_MONTH + rng.integers(0, 11, n), count) + before
    start = _month(start_month).astype(object)
    end = _month(start_month + months).astype(object)
    start[kind == "origin"] = ""
    end[kind == "return"] = ""
    start[kind == "planned"] = end[kind == "planned"] = ""
    previous = np.arange(size) - 1 - np.r_[False, kind[:-1] == "planned"]  # the realised stage before
    # some returns are known only to a window; the stay before ends in the same window
    window = np.char.add(np.char.add("[", _month(start_month)), np.char.add("..", np.char.add(_month(start_month + 2), "]")))
    draw = rng.random(size)
    fuzzy = np.flatnonzero((kind == "return") & (draw < 0.1))
    start[fuzzy] = window[fuzzy]
    end[previous[fuzzy]] = window[fuzzy]
    # some returns are not dated at all, as some changes of place between two stays abroad
    undated = np.flatnonzero((kind == "return") & (draw > 0.9))
    start[undated] = end[previous[undated]] = ""
    unknown = np.flatnonzero((kind[:-1] == "abroad") & (kind[1:] == "abroad") & (rng.random(size - 1) < 0.1))
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
    """Time abroad (first move to return) and a month of unemployment in the first stay."""
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


def _codings(rng, stages: pd.DataFrame, factors: pd.DataFrame, descriptor) -> pd.DataFrame:
    moves = stages[stages["seq"] > 1]
    per_move = rng.integers(1, 4, len(moves))
    stage = np.repeat(moves["stage_id"].to_numpy(), per_move)
    number = np.arange(len(stage)) - np.repeat(np.cumsum(per_move) - per_move, per_move) + 1
    codes = factors["factor_id"].to_numpy()
    factor = rng.choice(codes, len(stage))
    factor[: min(len(codes), len(stage))] = codes[: min(len(codes), len(stage))]
    enum = lambda field: descriptor.field("codings", field)["constraints"]["enum"]  # noqa: E731
    categories = np.array(enum("lee_category"))
    number_of = np.searchsorted(codes, factor)  # a factor's usual category, and the one after it (_factors)
    usual = categories[number_of % len(categories)]
    other = categories[(number_of + 1) % len(categories)]
    category = np.where(rng.random(len(stage)) < 0.8, usual, other)
    return pd.DataFrame({
        "coding_id": np.char.add(np.char.add(stage.astype(str), "-c"), np.char.zfill(number.astype(str), 2)),
        "stage_id": stage, "factor_id": factor,
        "lee_category": category,
        "valence": rng.choice(enum("valence"), len(stage)),
        "certainty": rng.choice(enum("certainty"), len(stage)),
        "timing": rng.choice(enum("timing"), len(stage)),
        "salience": rng.choice(enum("salience"), len(stage), p=[0.85, 0.15]),
        "scope": rng.choice(enum("scope"), len(stage)),
        "source_id": np.repeat(moves["source_id"].to_numpy(), per_move),
        "quote": "synthetic quote", "notes": "",
    })


def _sources(rng, count: int, descriptor) -> pd.DataFrame:
    number = np.arange(count)
    title_basis = descriptor.field("sources", "title_basis")["constraints"]["enum"][0]
    undated = number % 3 == 2
    reworded = number == 1
    return pd.DataFrame({
        "source_id": _ids("synthetic-", number + 1, 4), "outlet": np.array(OUTLETS)[number % len(OUTLETS)],
        "title": "synthetic text", "title_basis": title_basis, "author": "",
        "url": np.where(reworded, "https://publisher.example.org/article", ""),
        "published": np.where(undated, "", "2025-12"), "available_by": np.where(undated, "", "2025-12-31"),
        "coded_copy_url": np.where(reworded, "https://copy.example.net/article", ""),
        "text_sha256": [f"{i:064x}" for i in rng.integers(0, 2**62, count)], "language": "en",
        "notes": np.where(undated, "Publication date unknown (synthetic).", ""),
        "text_extent": np.array(descriptor.field("sources", "text_extent")["constraints"]["enum"])[number % 2],
    })


def _events(sources: pd.DataFrame) -> pd.DataFrame:
    first = sources["source_id"].iloc[0]
    rows = [("invasion", "2022-02-24", "Full-scale invasion"), ("mobilisation", "2022-09-21", "Partial mobilisation"),
            ("exit-rules", "[2023-04..2023-06]", "Exit rules tightened"), ("undated-event", "", "An undated event")]
    events = pd.DataFrame({"event_id": [r[0] for r in rows], "date": [r[1] for r in rows],
                           "label": [r[2] for r in rows], "description": "synthetic event", "source_id": first,
                           "quote": "", "notes": ""})
    dated = sources[sources["published"] != ""].head(2)
    publications = pd.DataFrame({"event_id": "publication-" + dated["source_id"], "date": dated["published"],
                                 "label": dated["outlet"] + " text", "description": "publication of a synthetic text",
                                 "source_id": dated["source_id"], "quote": "", "notes": ""})
    return pd.concat([events, publications], ignore_index=True)


def _estimates(descriptor, source_id: str) -> pd.DataFrame:
    measures = descriptor.field("estimates", "measure")["constraints"]["enum"]
    units = descriptor.field("estimates", "unit")["constraints"]["enum"]
    qualifiers = descriptor.field("estimates", "qualifier")["constraints"]["enum"]
    k = np.arange(len(measures) + 2)
    measure = np.array(measures)[k % len(measures)]
    unit = np.where(k % 4 == 3, units[-1], units[0])
    value = np.where(unit == units[-1], 10.0 + 7 * k, 10.0 ** (2 + k % 5) * (1 + k % 3))
    ranged = k % 5 == 4
    return pd.DataFrame({
        "estimate_id": _ids("estimate-", k + 1, 2), "measure": measure,
        "value": np.where(ranged, np.nan, value), "low": np.where(ranged, value * 0.5, np.nan),
        "high": np.where(ranged, value, np.nan), "unit": unit, "qualifier": np.array(qualifiers)[k % len(qualifiers)],
        "reference_date": np.where(k % 2 == 0, "2024", ""), "estimator": "Synthetic Institute " + (k % 3).astype(str),
        "reported_by": "Synthetic Agency; AFP", "source_id": source_id, "quote": "synthetic quote", "notes": "",
    })


def _factors(descriptor, count: int = 18) -> pd.DataFrame:
    """A codebook; factor k may take Lee categories k and k + 1 (cycling), as _codings uses them."""
    domains = descriptor.field("factors", "domain")["constraints"]["enum"]
    categories = np.array(descriptor.field("codings", "lee_category")["constraints"]["enum"])
    k = np.arange(count)
    return pd.DataFrame({"factor_id": _ids("factor-", k + 1, 2), "label": _ids("Synthetic factor ", k + 1, 2),
                         "domain": np.array(domains)[k % len(domains)],
                         "definition": "A synthetic factor for tests and the benchmark.",
                         "includes": "A passage about synthetic factor.", "excludes": "Anything else: other factors.",
                         "lee_categories": np.char.add(np.char.add(categories[k % len(categories)], " "),
                                                       categories[(k + 1) % len(categories)])})


def _complete(descriptor, name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """The resource's columns in the descriptor's order; a column this generator does not know is
    filled with the first allowed value where it is required and has an enum, else left empty."""
    out = {}
    for field in descriptor.fields(name):
        if field["name"] in frame:
            out[field["name"]] = frame[field["name"]]
            continue
        constraints = field.get("constraints", {})
        out[field["name"]] = constraints["enum"][0] if constraints.get("required") and constraints.get("enum") else ""
    return pd.DataFrame(out, index=frame.index)


def _text(column: pd.Series) -> pa.Array:
    """A column as CSV text: numbers as written (integers without a decimal point), missing as null."""
    values = column.to_numpy() if column.dtype.kind in "fiu" else None
    if values is not None and values.dtype.kind == "f":
        whole = np.isfinite(values) & (values == np.round(values))
        text = np.where(whole, np.nan_to_num(values).astype(np.int64).astype(str), values.astype(str))
        return pa.array(text, mask=~np.isfinite(values))
    if values is not None:
        return pa.array(values.astype(str))
    array = pa.array(column, type=pa.string(), from_pandas=True)
    return pc.if_else(pc.equal(array, ""), pa.scalar(None, pa.string()), array)


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Fast CSV writing (pandas' writer takes seconds per million rows). No value here needs quoting;
    one that would (a comma, a double quote, a line break) is refused rather than written broken."""
    columns = {name: _text(frame[name]) for name in frame.columns}
    for name, column in columns.items():
        if len(column) and pc.any(pc.match_substring_regex(column, '[,"\n\r]')).as_py():
            raise ValueError(f"{path.name}: a value of {name} would need quoting")
    with open(path, "wb") as stream:
        stream.write((",".join(frame.columns) + "\n").encode("utf-8"))
        if len(frame):
            options = pacsv.WriteOptions(quoting_style="none", eol="\n", include_header=False)
            pacsv.write_csv(pa.table(columns), stream, write_options=options)


def generate(n: int, out: Path, seed: int = 1) -> Path:
    """Write a synthetic package of n persons as the folder out/ and return its datapackage.json.
    `out` must be new, empty or a synthetic package written before (`files.OutputFolder`): the
    package is built beside it and swapped in whole."""
    with files.OutputFolder(out, "synthetic") as output:
        _generate(n, output.staging, seed)
        output.swap()
    return Path(out) / "datapackage.json"


def _generate(n: int, out: Path, seed: int) -> None:
    rng = np.random.default_rng(seed)
    descriptor = descriptor_module.read(paths.DESCRIPTOR)
    (out / "data").mkdir(parents=True, exist_ok=True)
    package = json.loads(paths.DESCRIPTOR.read_text(encoding="utf-8"))
    next(f for r in package["resources"] if r["name"] == "stages" for f in r["schema"]["fields"]
         if f["name"] == "stage_type")["home_countries"] = HOME_COUNTRIES
    (out / "datapackage.json").write_text(json.dumps(package, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    sources = _sources(rng, max(3, n // 1000), descriptor)
    source_ids = sources["source_id"].to_numpy()
    ids = _ids("p", np.arange(1, n + 1), 6)
    pair = (np.arange(n) // 2)
    party = (rng.random(n // 2 + 1) < 0.3)[pair] & (pair * 2 + 1 < n)
    persons = pd.DataFrame({
        "person_id": ids, "source_id": source_ids[pair % len(source_ids)], "name_in_source": np.char.add("Person ", ids),
        "pseudonym": rng.choice(["true", "false", ""], n), "gender": rng.choice(["female", "male", ""], n),
        "age_reported": rng.integers(18, 70, n).astype(str), "age_as_of": "2024", "occupation": "synthetic",
        "origin_location_id": "", "origin_basis": "stated", "travel_party": np.where(party, _ids("party-", pair, 6), ""),
        "quote": "synthetic quote", "notes": "",
    })
    stages = _stages(rng, persons, sources["published"].to_numpy() == "")
    second = stages["person_id"].isin(ids[np.arange(n) % 4 == 1]) & stages["stage_type"].isin(
        ["origin", "temporary-return", "return"])
    stages.loc[second, "location_id"] = stages.loc[second, "location_id"].map(SECOND_HOME)
    persons["origin_location_id"] = persons["person_id"].map(
        stages[stages["stage_type"] == "origin"].set_index("person_id")["location_id"])
    # made up for the tests, real coordinates
    locations = pd.read_csv(Path(__file__).with_name("locations.csv"), dtype={"latitude": float, "longitude": float},
                            keep_default_na=False)
    locations = locations.assign(geonames_id="", wikidata_id="", notes="Synthetic place.").sort_values("location_id")
    factors = _factors(descriptor)
    codings = _codings(rng, stages, factors, descriptor)
    # a hash lookup: np.isin on object arrays compares every pair (minutes at 100 000 persons)
    explicit = stages["stage_id"].isin(set(codings.loc[codings["certainty"] == "explicit", "stage_id"])).to_numpy()
    stages["reason"] = np.where(explicit, "synthetic reason", "")  # a reason exactly where one is explicit
    empty = pd.DataFrame()
    tables = {
        "sources": sources, "persons": persons, "stages": stages, "durations": _durations(persons, stages),
        "codings": codings, "locations": locations, "factors": factors,
        "estimates": _estimates(descriptor, source_ids[0]), "events": _events(sources),
        "copies": pd.DataFrame({"copy_id": ["publisher-copy"], "source_id": [source_ids[1]],
                                "url": ["https://publisher.example.org/article"], "credited_outlet": [OUTLETS[1]],
                                "seen": ["2026-01-01"], "wording": ["publisher"]}),
    }
    for resource in descriptor.resources:
        name = resource["name"]
        frame = _complete(descriptor, name, tables.get(name, empty))
        write_csv(frame, out / "data" / f"{name}.csv")
