"""The instrument's own files (the basemap, the profiles, the REFI-QDA schemas) and the package it
ships (`returnee_journeys.load()` with no argument, `--bundled`). A command never takes the package
it acts on, its outputs or its texts from here: see context.py."""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent          # the returnee_journeys package
CHECKOUT = PACKAGE.parent.parent                           # the repository, when run from a checkout
BUNDLED = PACKAGE / "dataset"                              # the data package inside an installed wheel
IN_CHECKOUT = (CHECKOUT / "datapackage.json").is_file() and (CHECKOUT / "scripts" / "returnee_journeys").is_dir()
ROOT = CHECKOUT if IN_CHECKOUT else BUNDLED              # where the project's own package is
DESCRIPTOR = ROOT / "datapackage.json"
FIGURES = ROOT / "figures"                                 # its committed figures (in a checkout)
BASEMAP = PACKAGE / "figures" / "basemap" / "ne_110m_countries.geojson"
PROFILE = PACKAGE / "profile"
REFI_QDA_SCHEMAS = PACKAGE / "exports" / "schemas" / "refi-qda"   # Project.xsd, Codebook.xsd (MIT, REFI)


def descriptor(path: str | os.PathLike | None = None) -> Path:
    """The datapackage.json for the library's functions: `path` (a descriptor or the folder holding
    one), else the project's own (bundled) package."""
    if path is None:
        return DESCRIPTOR
    path = Path(path)
    return path / "datapackage.json" if path.is_dir() else path


def sources_dir() -> Path:
    """Folder of the project's own source texts: $SOURCES_DIR, else sources/ beside its package."""
    configured = os.environ.get("SOURCES_DIR")
    return Path(configured) if configured else ROOT / "sources"


def sources_required() -> bool:
    """CI sets REQUIRE_SOURCES=1: then missing texts are an error, not a skip."""
    return os.environ.get("REQUIRE_SOURCES", "").strip().lower() not in ("", "0", "false", "no", "off")
