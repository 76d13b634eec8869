"""Rebuild ne_110m_countries.geojson from the Natural Earth layer that ships in the pyogrio wheel.

Natural Earth 1:110m Admin 0 countries (public domain), as pyogrio's test fixture
`naturalearth_lowres`; kept here with coordinates rounded to 0.01° so figures need no network.
Usage: python scripts/returnee_journeys/figures/basemap/extract.py
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyogrio
import pyogrio.raw

HERE = Path(__file__).resolve().parent
FIXTURE = Path(pyogrio.__file__).parent / "tests" / "fixtures" / "naturalearth_lowres" / "naturalearth_lowres.shp"
OUT = HERE / "ne_110m_countries.geojson"


def main() -> None:
    meta, _, geometry, fields = pyogrio.raw.read(FIXTURE, columns=["name", "iso_a3"])
    with tempfile.NamedTemporaryFile("wb", dir=HERE, suffix=".geojson", delete=False) as handle:
        temporary = Path(handle.name)
    temporary.unlink()
    pyogrio.raw.write(temporary, geometry, fields, meta["fields"], driver="GeoJSON", crs=meta["crs"],
                      geometry_type="MultiPolygon", promote_to_multi=True, COORDINATE_PRECISION=2,
                      RFC7946=True, WRITE_NAME=False)
    os.replace(temporary, OUT)
    print(OUT, OUT.stat().st_size, "bytes")


if __name__ == "__main__":
    main()
