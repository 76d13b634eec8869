"""One look for every figure: colour-blind-safe palettes, sizes, the source note, saving."""
from __future__ import annotations

import os
import tempfile
import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ..model.journeys import place_key  # noqa: E402

# Okabe & Ito (2008) for places, Paul Tol's "bright" for persons: both colour-blind safe.
PLACE_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#F0E442", "#000000"]
PERSON_COLOURS = ["#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB"]
MEASURE_COLOURS = ["#332288", "#117733", "#44AA99", "#88CCEE", "#DDCC77", "#CC6677", "#AA4499", "#882255"]  # Tol muted
UNCERTAIN_COLOUR = "#BBBBBB"
UNCERTAIN = {"alpha": 0.7, "hatch": "////", "edgecolor": "white"}  # how every figure draws an uncertain month
WIDTH = 7.0  # inches: a two-column journal figure; text stays >= 7 pt
DPI = 200

plt.rcParams.update({
    "font.family": "DejaVu Sans", "font.size": 7.5, "axes.titlesize": 8.5, "axes.labelsize": 7.5,
    "xtick.labelsize": 7, "ytick.labelsize": 7, "legend.fontsize": 6.8, "axes.spines.top": False,
    "axes.spines.right": False, "svg.hashsalt": "russian-returnee-journeys", "svg.fonttype": "path",
    "path.simplify": False,
})


def colours(keys, palette) -> dict[str, str]:
    """A fixed colour per key: sorted keys take the palette in order (cycling past its end)."""
    return {key: palette[i % len(palette)] for i, key in enumerate(sorted(set(keys)))}


def place_colours(journeys) -> dict[str, str]:
    """Every place key of the locations table, coded or not yet used, keeps one colour."""
    locations = journeys.table("locations")
    return colours(place_key(locations, locations["location_id"]), PLACE_COLOURS)


def person_colours(journeys) -> dict[str, str]:
    return colours(journeys.table("persons")["person_id"], PERSON_COLOURS)


def source_note(fig, journeys, tables: list[str], extra: str = "") -> None:
    sources = journeys.table("sources")
    outlets = " and ".join(sorted(sources["outlet"].dropna().unique()))
    files = ", ".join(f"{t}.csv" for t in tables)
    note = f"Data: Russian Returnee Journeys {journeys.version}: {files}; coded from texts in {outlets}. {extra}"
    fig.text(0.01, 0.005, "\n".join(textwrap.wrap(note, 150)), fontsize=6, color="#555555", ha="left", va="bottom")


def save(fig, name: str, folder: Path) -> list[Path]:
    """Write name.png (200 dpi) and name.svg, each to a temporary file first, then renamed."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for extension, options in (("png", {"dpi": DPI, "metadata": {"Software": None}}),
                               ("svg", {"metadata": {"Date": None, "Creator": None}})):
        target = folder / f"{name}.{extension}"
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=f".{extension}")
        os.close(handle)
        try:
            fig.savefig(temporary, format=extension, **options)
            os.chmod(temporary, 0o644)
            os.replace(temporary, target)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        written.append(target)
    plt.close(fig)
    return written


# Glyph and colour per Lee label (the labels themselves are named in datapackage.json, codings.valence).
LEE_GLYPHS = {"push": ("v", "#CC3311"), "pull": ("^", "#0077BB"), "tie": ("o", "#009988"),
              "deterrent": ("X", "#EE7733"), "obstacle": ("s", "#000000"), "enabler": ("P", "#33BBEE"),
              "personal +": ("D", "#AA4499"), "personal −": ("d", "#AA4499"),
              "personal (direction not stated)": ("*", "#777777")}
OTHER_GLYPH = ("*", "#777777")
