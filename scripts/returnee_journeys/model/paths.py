"""The one place that knows where files are: the package's data, its outputs, the source texts."""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent          # the returnee_journeys package
CHECKOUT = PACKAGE.parent.parent                           # the repository, when run from a checkout
BUNDLED = PACKAGE / "dataset"                              # the data package inside an installed wheel
IN_CHECKOUT = (CHECKOUT / "datapackage.json").is_file() and (CHECKOUT / "scripts" / "returnee_journeys").is_dir()
ROOT = CHECKOUT if IN_CHECKOUT else BUNDLED              # where the project's own package is
OUTPUT = CHECKOUT if IN_CHECKOUT else Path.cwd()         # where figures/ and dist/ are written
DESCRIPTOR = ROOT / "datapackage.json"
FIGURES = OUTPUT / "figures"
DIST = OUTPUT / "dist"
BASEMAP = PACKAGE / "figures" / "basemap" / "ne_110m_countries.geojson"
PROFILE = PACKAGE / "profile"
REFI_QDA_SCHEMAS = PACKAGE / "exports" / "schemas" / "refi-qda"   # Project.xsd, Codebook.xsd (MIT, REFI)


def descriptor(path: str | os.PathLike | None = None) -> Path:
    """The datapackage.json to use: `path` (a descriptor or the folder holding one), else this
    project's own package."""
    if path is None:
        return DESCRIPTOR
    path = Path(path)
    return path / "datapackage.json" if path.is_dir() else path


def sources_dir() -> Path:
    """Folder of the copyrighted source texts: $SOURCES_DIR, else sources/ in the project."""
    configured = os.environ.get("SOURCES_DIR")
    return Path(configured) if configured else OUTPUT / "sources"


def sources_required() -> bool:
    """CI sets REQUIRE_SOURCES=1: then missing texts are an error, not a skip."""
    return os.environ.get("REQUIRE_SOURCES", "").strip().lower() not in ("", "0", "false", "no", "off")
