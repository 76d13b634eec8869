"""Rebuild ne_110m_countries.geojson from the Natural Earth layer that ships in the pyogrio wheel,
with `iso_a2` codes added and Crimea moved from Russia's outline to Ukraine's (README.md here says why).
Usage: python scripts/returnee_journeys/figures/basemap/extract.py   (needs the `dev` extra)
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pycountry
import pyogrio
import pyogrio.raw
import shapely
from shapely.geometry import MultiPolygon, box

HERE = Path(__file__).resolve().parent
FIXTURE = Path(pyogrio.__file__).parent / "tests" / "fixtures" / "naturalearth_lowres" / "naturalearth_lowres.shp"
OUT = HERE / "ne_110m_countries.geojson"
BY_NAME = {"Kosovo": "XK"}
OCCUPIED = {"name": "Crimea", "occupier": "RUS", "country": "UKR", "box": box(32.0, 44.0, 36.8, 46.3)}


def alpha2(name: str, alpha3: str) -> str:
    if name in BY_NAME:
        return BY_NAME[name]
    country = pycountry.countries.get(alpha_3=alpha3)
    if country is None:
        try:
            country = pycountry.countries.lookup(name)
        except LookupError:
            return ""
    return country.alpha_2


def polygons(geometry) -> list:
    return list(geometry.geoms) if geometry.geom_type == "MultiPolygon" else [geometry]


def recognised(alpha3: np.ndarray, geometry: np.ndarray) -> np.ndarray:
    """The outlines with each polygon of the occupier inside OCCUPIED["box"] moved to the country."""
    shapes = shapely.from_wkb(geometry)
    occupier = int(np.flatnonzero(alpha3 == OCCUPIED["occupier"])[0])
    country = int(np.flatnonzero(alpha3 == OCCUPIED["country"])[0])
    parts = polygons(shapes[occupier])
    moved = [p for p in parts if OCCUPIED["box"].contains(p)]
    if len(moved) != 1:
        raise SystemExit(f"expected one polygon of {OCCUPIED['occupier']} in {OCCUPIED['name']}, found {len(moved)}")
    shapes[occupier] = MultiPolygon([p for p in parts if not OCCUPIED["box"].contains(p)])
    merged = shapely.union_all([shapes[country], *moved])
    shapes[country] = merged if merged.geom_type == "MultiPolygon" else MultiPolygon([merged])
    return shapely.to_wkb(shapes)


def main() -> None:
    meta, _, geometry, fields = pyogrio.raw.read(FIXTURE, columns=["name", "iso_a3"])
    names, alpha3 = fields
    codes = np.array([alpha2(n, a) for n, a in zip(names, alpha3)], dtype=object)
    geometry = recognised(np.asarray(alpha3, dtype=object), geometry)
    with tempfile.NamedTemporaryFile("wb", dir=HERE, suffix=".geojson", delete=False) as handle:
        temporary = Path(handle.name)
    temporary.unlink()
    pyogrio.raw.write(temporary, geometry, [names, alpha3, codes],
                      list(meta["fields"]) + ["iso_a2"], driver="GeoJSON",
                      crs=meta["crs"], geometry_type="MultiPolygon", promote_to_multi=True, COORDINATE_PRECISION=2,
                      RFC7946=True, WRITE_NAME=False)
    os.replace(temporary, OUT)
    print(OUT, OUT.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
