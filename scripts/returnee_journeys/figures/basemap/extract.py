"""Rebuild ne_110m_countries.geojson from the Natural Earth layer that ships in the pyogrio wheel.

Natural Earth 1:110m Admin 0 countries (public domain), as pyogrio's test fixture
`naturalearth_lowres`; kept here with coordinates rounded to 0.01° so figures need no network.
The layer has ISO 3166-1 alpha-3 codes only (and none, "-99", for a few countries); `iso_a2`, the
alpha-2 code the locations table uses, is added from pycountry, by name where alpha-3 is missing
(Kosovo takes the user-assigned XK; N. Cyprus and Somaliland have none).
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

HERE = Path(__file__).resolve().parent
FIXTURE = Path(pyogrio.__file__).parent / "tests" / "fixtures" / "naturalearth_lowres" / "naturalearth_lowres.shp"
OUT = HERE / "ne_110m_countries.geojson"
BY_NAME = {"Kosovo": "XK"}


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


def main() -> None:
    meta, _, geometry, fields = pyogrio.raw.read(FIXTURE, columns=["name", "iso_a3"])
    names, alpha3 = fields
    codes = np.array([alpha2(n, a) for n, a in zip(names, alpha3)], dtype=object)
    with tempfile.NamedTemporaryFile("wb", dir=HERE, suffix=".geojson", delete=False) as handle:
        temporary = Path(handle.name)
    temporary.unlink()
    pyogrio.raw.write(temporary, geometry, [names, alpha3, codes], list(meta["fields"]) + ["iso_a2"], driver="GeoJSON",
                      crs=meta["crs"], geometry_type="MultiPolygon", promote_to_multi=True, COORDINATE_PRECISION=2,
                      RFC7946=True, WRITE_NAME=False)
    os.replace(temporary, OUT)
    print(OUT, OUT.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
