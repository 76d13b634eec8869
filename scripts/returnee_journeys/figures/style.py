"""One look for every figure: stable colour assignments, sizes, legends, the source note, saving,
and the checks that no text overlaps other text or leaves the canvas.

Colours. `PALETTE` holds 12 colours picked from Okabe & Ito's and Paul Tol's colour-blind-safe sets
so that every pair stays apart (CAM02-UCS distance >= 9) in normal vision and under simulated
protanopia, deuteranopia and tritanopia; tests/test_figures.py checks this. Which key (a place's
country code, a person, a measure, a stage type) gets which colour is kept in `figures/palette.json`: one list
per kind, append-only, a key's slot is its position in the list. `make figures` appends keys it has
not seen (new keys in sorted order) and never reorders, so adding a person, a place or a measure
recolours nothing that was drawn before. Slot i takes PALETTE[i % 12]; from slot 12 on a second
channel (a hatch on areas, a marker on lines) tells apart keys that share a colour.
"""
from __future__ import annotations

import functools
import io
import math
import textwrap
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.markers import MarkerStyle
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, NullFormatter
from matplotlib.text import Text
from matplotlib.textpath import TextToPath
import numpy as np
import pandas as pd

from ..model import files
from ..model.wording import listing
from ..model.journeys import spells
from ..model.palette import (HATCHES, KINDS, MARKERS, PALETTE, PALETTE_FILE, UNCERTAIN_COLOUR,  # noqa: F401
                             Palette, of_package)

UNCERTAIN = {"alpha": 0.7, "hatch": "////", "edgecolor": "white"}  # how every figure draws an uncertain month
OPEN_MARK = {"marker": ">", "ms": 5, "mfc": "white", "mec": "black", "mew": 0.9, "ls": ""}  # an open end
WIDTH = 7.0  # inches: a two-column journal figure; text stays >= 6 pt
MAX_HEIGHT = 30.0  # inches: figures grow with their content up to this
DPI = 200
NOTE_SIZE = 6.0

plt.rcParams.update({
    "font.family": "DejaVu Sans", "font.size": 7.5, "axes.titlesize": 8.5, "axes.labelsize": 7.5,
    "xtick.labelsize": 7, "ytick.labelsize": 7, "legend.fontsize": 6.8, "axes.spines.top": False,
    "axes.spines.right": False, "svg.hashsalt": "russian-returnee-journeys", "svg.fonttype": "path",
    "path.simplify": False, "hatch.linewidth": 0.6,
    "figure.dpi": DPI,  # lay out at the resolution of the PNG: hinted text is a little wider than at 100 dpi
})
# A "!" marker drawn from mathtext, made before mathtext is turned off ...
with plt.rc_context({"text.parse_math": True}):
    EXCLAMATION = MarkerStyle("$!$")
# ... for every text: a `$` in the data is a dollar sign, never the start of a formula.
plt.rcParams["text.parse_math"] = False
SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def powers_of_ten(axis) -> None:
    """A log axis labelled 10³, 10⁴ … in plain text (matplotlib's own labels are mathtext)."""
    def label(value, position=None) -> str:
        exponent = math.log10(value) if value > 0 else math.nan
        return "10" + str(round(exponent)).translate(SUPERSCRIPTS) if abs(exponent - round(exponent)) < 1e-9 else ""
    axis.set_major_formatter(FuncFormatter(label))
    axis.set_minor_formatter(NullFormatter())


def palette_for(data, palette: Palette | None) -> Palette:
    """The palette a figure draws with: the one given, else the one kept beside the package's figures,
    extended in memory."""
    return palette.extended(data) if palette is not None else of_package(data)


def category_labels(data, resource: str, field: str) -> dict[str, str]:
    """value -> label of a field's `categories` in the descriptor: what a figure calls a code (a code
    with no label is its own name)."""
    categories = data.descriptor.field(resource, field).get("categories") or []
    return {c["value"]: c.get("label") or c["value"] for c in categories if isinstance(c, dict)}


def the_outlet(outlet: str) -> str:
    """'The Guardian' as it is, 'Al Jazeera' as 'the Al Jazeera': an outlet with its own article takes
    no second one ("the The Guardian text")."""
    return outlet if outlet.casefold().startswith("the ") else f"the {outlet}"


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def lowered(label: str) -> str:
    """A category label inside a sentence: 'Time abroad' -> 'time abroad' (an acronym such as 'EU' kept)."""
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def text_width(text: str, size: float, weight: str = "normal") -> float:
    """Width of the widest line of text, in inches, in the figures' font."""
    family = tuple(plt.rcParams["font.family"])
    return max(_line_width(line, size, weight, family) for line in (text.split("\n") or [""])) / 72


_TEXT_TO_PATH = TextToPath()


@functools.lru_cache(maxsize=8192)
def _line_width(line: str, size: float, weight: str, family: tuple) -> float:
    """Width of one line in points (the same line is measured again and again while notes are wrapped)."""
    prop = FontProperties(family=list(family), size=size, weight=weight)
    return _TEXT_TO_PATH.get_text_width_height_descent(line, prop, ismath=False)[0]


LEGEND_CHARS = 46  # longer legend entries wrap onto more lines


def wrap_label(label: str) -> str:
    return "\n".join(textwrap.wrap(label, LEGEND_CHARS, break_on_hyphens=False)) or label


def legend_shape(labels: list[str], width: float = WIDTH - 0.5) -> tuple[int, float]:
    """(columns, height in lines) of the widest legend of these labels (wrapped as `wrap_label` does)
    that fits `width` inches. Matplotlib fills a legend column by column, each as wide as its widest
    entry; a row is as tall as its tallest entry."""
    size = plt.rcParams["legend.fontsize"]
    if not labels:
        return 1, 0
    wrapped = [wrap_label(label) for label in labels]
    widths = [text_width(label, size) + 2.6 * size / 72 for label in wrapped]
    lines = [label.count("\n") + 1 for label in wrapped]
    for columns in range(len(labels), 0, -1):
        rows = math.ceil(len(labels) / columns)
        used = [max(widths[i:i + rows]) for i in range(0, len(labels), rows)]
        if sum(used) + 1.2 * size / 72 * (len(used) - 1) <= width or columns == 1:
            return len(used), sum(max(lines[r::rows]) for r in range(rows))
    return 1, sum(lines)


def legend_height(lines: float) -> float:
    return 0 if lines == 0 else lines * plt.rcParams["legend.fontsize"] * 1.45 / 72 + 0.12


def clamp_height(inches: float, low: float = 2.4, high: float = MAX_HEIGHT) -> float:
    return float(min(max(inches, low), high))


@dataclass(frozen=True)
class Key:
    """A legend entry as plain data: its label and the look of its handle (a patch where `area`, else
    a line or marker)."""
    label: str
    look: dict
    area: bool = False


UNCERTAIN_KEY = Key("uncertain month: stripes = possible places", {"facecolor": UNCERTAIN_COLOUR, **UNCERTAIN},
                    area=True)


def handles(keys: list[Key]) -> list:
    return [Patch(**k.look, label=k.label) if k.area else Line2D([], [], **k.look, label=k.label) for k in keys]


@dataclass
class Layout:
    """Sizes decided before drawing: the note wrapped, the legend's lines, the axes' height (inches)."""
    note: str
    legend_lines: float
    axes_height: float


def sized(keys: list[Key], note: list[str], axes_height: float, width: float = WIDTH) -> Layout:
    _, lines = legend_shape([k.label for k in keys], width - 0.5)
    return Layout(wrap_note(note), lines, axes_height)


def figure_with_legend(axes_height: float, legend_lines: float, note: str, margin: float = 0.45,
                       shares: list[float] | None = None, unit: float = 1.0):
    """A figure of the standard width tall enough for its axes (inches), a legend of `legend_lines`
    lines below them and the note; returns the figure and a grid of a row per axes (their `shares` of
    the height, in `unit` inches; default one axes) and the legend's row."""
    legend = legend_height(legend_lines)
    fig = plt.figure(figsize=(WIDTH, clamp_height(axes_height + margin + legend + note_height(note))),
                     layout="constrained")
    shares = [axes_height] if shares is None else shares
    return fig, fig.add_gridspec(len(shares) + 1, 1, height_ratios=shares + [max(legend, 0.05) / unit])


def nothing_coded(title: str, sentence: str, note: str):
    """The figure of a table with no rows: its title and a sentence saying so, rather than an empty
    frame under a legend of marks that nothing uses."""
    fig, grid = figure_with_legend(0.4, 0, note)
    ax = fig.add_subplot(grid[0], xticks=[], yticks=[])
    ax.axis("off")
    ax.set_title(title, loc="left")
    ax.text(0, 0.5, sentence, transform=ax.transAxes, va="center")
    add_note(fig, note)
    return finish(fig)


def add_legend(ax, handles) -> None:
    """A legend filling an axes of its own (made room for by the figure's height)."""
    labels = [h.get_label() for h in handles]
    columns, _ = legend_shape(labels, ax.figure.get_figwidth() - 0.5)
    labels = [wrap_label(label) for label in labels]
    ax.axis("off")
    ax.legend(handles, labels, loc="upper center", ncol=columns, frameon=False, borderaxespad=0,
              handlelength=1.8, columnspacing=1.2)


def runs(months: pd.DataFrame) -> pd.DataFrame:
    """Consecutive months of one person with the same candidates: (id, begin, end, state)."""
    return spells(months.assign(state=months["candidates"]))


def place_looks(palette: Palette, keys, names: dict) -> tuple[dict[str, tuple[str, str]], list[Key]]:
    """The places drawn in their palette order, place key -> (colour, hatch), and their legend entries
    (named by `names`), then the uncertain month's."""
    looks = {k: (palette.colour("places", k), palette.hatch("places", k))
             for k in sorted(set(keys), key=lambda k: palette.slot("places", k))}
    return looks, [Key(names.get(k, k), {"facecolor": colour, "hatch": hatch, "edgecolor": "white", "lw": 0},
                       area=True) for k, (colour, hatch) in looks.items()] + [UNCERTAIN_KEY]


def boxes(ax, runs: pd.DataFrame, looks: dict, row_of: dict, height: float) -> None:
    """Months as boxes, one PolyCollection per look (few artists, whatever the number of months).
    `runs` has id, state ('|'-joined candidate places), x0, x1 (data units); a run of one place is
    solid, a run of several is striped with each, drawn as an uncertain month. `looks`: place key ->
    (colour, hatch)."""
    from matplotlib.collections import PolyCollection
    groups: dict[tuple[str, bool], list] = {}
    for person, state, x0, x1 in zip(runs["id"].to_numpy(dtype=object), runs["state"].to_numpy(dtype=object),
                                     runs["x0"].to_numpy(float), runs["x1"].to_numpy(float)):
        places = state.split("|")
        stripe = height / len(places)
        bottom = row_of[person] - height / 2
        for i, place in enumerate(places):
            y0 = bottom + i * stripe
            groups.setdefault((place, len(places) > 1), []).append(
                [(x0, y0), (x1, y0), (x1, y0 + stripe), (x0, y0 + stripe)])
    for (place, uncertain), verts in sorted(groups.items()):
        colour, hatch = looks[place]
        look = ({**UNCERTAIN, "hatch": UNCERTAIN["hatch"] + hatch} if uncertain
                else {"edgecolor": "white", "hatch": hatch or None})
        ax.add_collection(PolyCollection(verts, facecolors=colour, linewidths=0, **look))


def sources_phrase(data) -> str:
    """The outlets the texts appeared in, as spelled in sources.outlet: 'Al Jazeera and Byline Times'."""
    return listing(sorted(data.table("sources")["outlet"].dropna().unique(), key=str.casefold))


def copy_notes(data) -> list[str]:
    """A sentence for each text coded from a copy other than its publisher's page (`coded_copy_url`
    set, on another site than `url`). Where a consulted copy in the publisher's own wording exists
    (copies.wording = `publisher`), the coded copy's wording differs from it: words the copy quotes
    are then the copy's, not necessarily the speaker's."""
    copies = data.tables.get("copies")
    publisher_wording = set()
    if copies is not None and "wording" in copies:
        publisher_wording = set(copies.loc[copies["wording"] == "publisher", "source_id"])

    def host(url) -> str:
        return url.split("//", 1)[-1].split("/", 1)[0].removeprefix("www.") if isinstance(url, str) and url else ""

    sentences = []
    for row in data.table("sources").sort_values("source_id").itertuples():
        copy_host = host(row.coded_copy_url)
        if copy_host and copy_host != host(row.url):
            sentences.append(f"{capitalised(the_outlet(row.outlet))} text is coded from a copy ({copy_host})" + (
                f" that rewords {row.outlet}'s own: words in quotation marks are the copy's wording, not necessarily "
                "the speaker's." if row.source_id in publisher_wording else f", not from {row.outlet}'s own page."))
    return sentences


def note_parts(data, tables: list[str], extra: list[str] | str = ()) -> list[str]:
    """The sentences of a figure's note: the data and its texts, copies coded, then `extra`."""
    files = listing([f"{t}.csv" for t in tables])
    title = data.descriptor.data.get("title") or data.descriptor.data.get("name", "")
    parts = [f"Data: {title} {data.version}, {files}; coded from texts in {sources_phrase(data)}."]
    parts += copy_notes(data)
    parts += [extra] if isinstance(extra, str) else list(extra)
    return [p for p in parts if p]


def wrap_note(parts: list[str], width: float = WIDTH) -> str:
    """The note's sentences, each wrapped to the figure's width."""
    lines = []
    room = width - 0.3
    for part in parts:
        chars = max(40, int(len(part) * room / text_width(part, NOTE_SIZE)))
        wrapped = textwrap.wrap(part, chars)
        while chars > 40 and max(text_width(line, NOTE_SIZE) for line in wrapped) * 1.04 > room:
            chars -= 3  # hinting at 200 dpi draws a few per cent wider than the outlines measure
            wrapped = textwrap.wrap(part, chars)
        lines += wrapped
    return "\n".join(lines)


def note_height(text: str) -> float:
    return 0 if not text else (text.count("\n") + 1) * NOTE_SIZE * 1.3 / 72 + 0.08


def add_note(fig, text: str) -> None:
    """The note under everything: constrained layout keeps room for it (as for a supxlabel)."""
    fig.supxlabel(text, x=0.01, ha="left", va="bottom", fontsize=NOTE_SIZE, color="#555555",
                  multialignment="left")


def unplaced_note(what: str, rows: list[str]) -> str:
    return f"{what}: {'; '.join(rows)}." if rows else ""


def texts(fig, drawn: bool = False) -> list[tuple[Text, object]]:
    """Every visible, non-empty text of the figure with its extent in pixels. The figure is drawn
    first (without rendering: every artist laid out and placed) unless it is `drawn` already."""
    if not drawn:
        fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    hidden = set()  # labels of ticks outside the view: matplotlib keeps them but does not draw them
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            low, high = sorted(axis.get_view_interval())
            slack = (high - low) * 1e-9
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not low - slack <= tick.get_loc() <= high + slack:
                    hidden |= {id(tick.label1), id(tick.label2)}
    found = []
    for text in fig.findobj(Text):
        if not text.get_visible() or not text.get_text().strip() or id(text) in hidden:
            continue
        if text.axes is not None and not text.axes.get_visible():
            continue
        found.append((text, text.get_window_extent(renderer)))
    return found


def overlaps(fig, tolerance: float = 0.5, found=None) -> list[tuple[str, str]]:
    """Pairs of texts whose extents intersect (by more than `tolerance` pixels each way)."""
    found = texts(fig) if found is None else found
    if len(found) < 2:
        return []
    x0, y0, x1, y1 = np.array([(box.x0, box.y0, box.x1, box.y1) for _, box in found], dtype=float).T
    dx = np.minimum.outer(x1, x1) - np.maximum.outer(x0, x0)  # every pair at once, in the order of `found`
    dy = np.minimum.outer(y1, y1) - np.maximum.outer(y0, y0)
    first, second = np.nonzero(np.triu((dx > tolerance) & (dy > tolerance), 1))
    return [(found[i][0].get_text(), found[j][0].get_text()) for i, j in zip(first, second)]


def outside(fig, tolerance: float = 1.0, found=None) -> list[str]:
    """Texts (legend entries included) that reach beyond the canvas: clipped in the saved file."""
    width, height = fig.canvas.get_width_height()
    return [t.get_text() for t, box in (texts(fig) if found is None else found)
            if box.x0 < -tolerance or box.y0 < -tolerance or box.x1 > width + tolerance
            or box.y1 > height + tolerance]


def finish(fig, passes: int = 1):
    """Lay the figure out once and freeze it: axes and note keep positions rounded to a millionth of
    the figure (far below a pixel), and the layout engine is switched off. Constrained layout's
    solver can differ in the last bits of a float from one process to another (its sums follow
    memory order), and SVG names clip paths by a hash of the exact numbers: frozen, rounded
    positions keep every file byte-identical, and drawing or checking the figure again costs no
    further layout."""
    for _ in range(passes):
        fig.get_layout_engine().execute(fig)
    for ax in fig.axes:
        box = ax.get_position(original=True).bounds
        ax.set_position([round(float(v), 6) for v in box], which="both")
    for text in (fig._supxlabel, fig._suptitle, fig._supylabel):
        if text is not None:
            x, y = text.get_position()
            text.set_position((round(float(x), 6), round(float(y), 6)))
    fig.set_layout_engine(None)  # not "none": savefig draws a figure with any engine (a placeholder too) once more
    return fig


def three_steps(prepare, layout, render):
    """A figure module's `draw(data, palette=None)`: `render(plan, layout(plan))` of `plan = prepare(data, palette)`."""
    def draw(data, palette: Palette | None = None):
        plan = prepare(data, palette)
        return render(plan, layout(plan))
    return draw


def save(fig, name: str, folder: Path, close: bool = True) -> list[Path]:
    """Write name.png (200 dpi) and name.svg, each whole or not at all (`files.write_atomically`)."""
    written = []
    for extension, options in (("png", {"dpi": DPI, "metadata": {"Software": None}}),
                               ("svg", {"metadata": {"Date": None, "Creator": None}})):
        buffer = io.BytesIO()
        fig.savefig(buffer, format=extension, **options)
        written.append(files.write_atomically(folder / f"{name}.{extension}", buffer.getvalue()))
    if close:
        plt.close(fig)
    return written


# Looks per code. Each table covers every code of its field in datapackage.json (a test checks).

# Glyph and colour per Lee label (the labels are named in datapackage.json, `labels` on codings.valence).
LEE_GLYPHS = {"push": ("v", "#CC3311"), "pull": ("^", "#0077BB"), "tie": ("o", "#009988"),
              "deterrent": ("X", "#EE7733"), "obstacle": ("s", "#000000"), "enabler": ("P", "#33BBEE"),
              "personal +": ("D", "#AA4499"), "personal −": ("d", "#AA4499"),
              "personal (direction not stated)": ("*", "#777777")}
# codings.certainty: glyph filled (the text names the factor as a reason) or hollow.
CERTAINTY_FILLED = {"explicit": True, "implicit": False}
# codings.timing: a grey halo behind judgements made after the move (hindsight).
TIMING_HALO = {"before": False, "unstated": False, "after": True}
# codings.salience: a stroke through factors the person says did not weigh on them.
SALIENCE_STRUCK = {"weighed": False, "discounted": True}
# estimates.qualifier: marker, and whether it is filled.
QUALIFIER_MARKER = {"exactly": ("o", True), "about": ("o", False), "almost": ("<", False), "more-than": (">", False)}
# locations.kind: how the map draws a place. `point`: a marker at its coordinates; `area-point`: a
# region inside a country, a hollow ring at its (approximate) coordinates; `outline`: the country's
# outline, highlighted, legs ending at its border; `group`: the members' outlines where the data names
# them, else listed in a note (never a point).
PLACE_DRAWING = {"city": "point", "region": "area-point", "country": "outline", "country-group": "group"}
