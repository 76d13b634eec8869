"""The light install and its extras: which extra brings a library that a command needs.

`pip install russian-returnee-journeys` gives `load()`, `validate` and what the loader needs; the
rest comes with extras (pyproject.toml, `[project.optional-dependencies]`). A command that reaches
for a library the install lacks stops with one line naming the extra to install (`cli.main`)."""
from __future__ import annotations

DISTRIBUTION = "russian-returnee-journeys"

# top-level module → (distribution that provides it, the smallest extra that brings it)
EXTRAS = {
    "cartopy": ("cartopy", "figures"),
    "matplotlib": ("matplotlib", "figures"),
    "pyproj": ("pyproj", "figures"),
    "shapely": ("shapely", "figures"),
    "lxml": ("lxml", "exports"),
    "openpyxl": ("openpyxl", "exports"),
    "sqlite_utils": ("sqlite-utils", "exports"),
    "krippendorff": ("krippendorff", "reliability"),
    "rocrate": ("rocrate", "all"),
}


def hint(error: ImportError) -> str | None:
    """The one line for a library missing from a light install; None when no extra brings it."""
    module = (getattr(error, "name", None) or "").split(".")[0]
    if module not in EXTRAS:
        return None
    distribution, extra = EXTRAS[module]
    return (f"this needs {distribution}, which the light install leaves out: "
            f"pip install '{DISTRIBUTION}[{extra}]' (or [all] for everything)")
