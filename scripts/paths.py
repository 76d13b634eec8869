"""The one place that knows where the package's files are."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DESCRIPTOR = ROOT / "datapackage.json"
FIGURES = ROOT / "figures"
BASEMAP = ROOT / "scripts" / "basemap" / "ne_110m_countries.geojson"


def sources_dir() -> Path:
    """Folder of the copyrighted source texts: $SOURCES_DIR, else sources/ in the package."""
    configured = os.environ.get("SOURCES_DIR")
    return Path(configured) if configured else ROOT / "sources"


def sources_required() -> bool:
    """CI sets REQUIRE_SOURCES=1: then missing texts are an error, not a skip."""
    return os.environ.get("REQUIRE_SOURCES", "") not in ("", "0")
