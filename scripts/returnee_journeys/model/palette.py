"""The figures' colours without the figures: the colour list and the append-only assignment of
colour slots to keys (figures/palette.json), so that exports (the sequence states' colours) read
the same colours without importing matplotlib. See figures/style.py for the why of the colours."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import files
from .descriptor import UnreadableInput
from .journeys import lanes, place_key

PALETTE = ["#0072B2", "#E69F00", "#663333", "#66CCEE", "#222255", "#CC3311", "#F0E442", "#CC6677",
           "#AA3377", "#44AA99", "#225555", "#117733"]
HATCHES = ["", "...", "xx", "oo", "--", "||", "++", "**"]          # second channel on areas, by slot // 12
MARKERS = ["", "o", "s", "^", "D", "v", "P", "X"]                  # second channel on lines, by slot // 12
KINDS = ("places", "persons", "measures", "stage_types")
UNCERTAIN_COLOUR = "#BBBBBB"
PALETTE_FILE = "palette.json"


@dataclass
class Palette:
    """Append-only slots per kind (see the module's docstring)."""
    slots: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in KINDS})

    @classmethod
    def load(cls, path: Path | None) -> Palette:
        if path is None or not (path.is_file() or path.is_symlink()):
            return cls()
        try:  # never through a symbolic link; a broken file is named, not a crash
            stored = json.loads(files.read_inside(path, path.parent).decode("utf-8"))
            if not isinstance(stored, dict) or not all(
                    isinstance(v, list) and all(isinstance(k, str) for k in v) for n, v in stored.items() if n in KINDS):
                raise ValueError("not an object of lists of keys")
        except (OSError, ValueError) as error:
            raise UnreadableInput(f"{path}: cannot read the palette ({getattr(error, 'strerror', None) or error}); "
                                  "repair it or remove it to start a new one") from None
        return cls({k: list(stored.get(k, [])) for k in KINDS})

    @classmethod
    def for_output(cls, out: Path, committed: Path | None = None) -> Palette:
        """The assignment kept in `out`, else the one in the package's own figures folder `committed`
        (so that a fresh folder draws the package's colours), else a new one."""
        own = out / PALETTE_FILE
        return cls.load(own if own.is_file() else committed / PALETTE_FILE if committed is not None else None)

    def extend(self, kind: str, keys, ordered: bool = False) -> None:
        """Append the keys not yet known: in the order given (`ordered`), else most frequent first
        (ties by key), so that among newcomers the commonest get the plain colours."""
        known = set(self.slots[kind])
        keys = [str(k) for k in keys]
        if ordered:
            new = list(dict.fromkeys(k for k in keys if k not in known))
        else:
            counts = pd.Series(keys, dtype=object).value_counts()
            new = sorted((k for k in counts.index if k not in known), key=lambda k: (-counts[k], k))
        self.slots[kind] += new

    def extended(self, data) -> Palette:
        """A copy with every key of the package appended where missing: all place keys of the
        locations table, every person, every measure the descriptor allows or the data uses, every stage type."""
        out = Palette({k: list(v) for k, v in self.slots.items()})
        locations = data.table("locations")
        stages = data.table("stages")
        out.extend("places", pd.concat([place_key(locations, stages["location_id"]),
                                        place_key(locations, locations["location_id"])]))
        out.extend("persons", lanes(data)["person_id"], ordered=True)  # partners in neighbouring slots
        measures = data.descriptor.field("estimates", "measure").get("constraints", {}).get("enum", [])
        known = set(out.slots["measures"])
        out.slots["measures"] += [m for m in measures if m not in known]  # the codebook's order
        out.extend("measures", data.table("estimates")["measure"])
        types = data.descriptor.field("stages", "stage_type").get("constraints", {}).get("enum", [])
        out.extend("stage_types", types, ordered=True)  # a new code keeps the others' colours, wherever it stands
        return out

    def save(self, path: Path) -> Path:
        about = ("Colour slots of the figures, append-only: a key keeps its position (its colour) for good; "
                 "`make figures` appends new keys. See figures/style.py.")
        text = json.dumps({"about": about, **self.slots}, indent=1, ensure_ascii=False) + "\n"
        files.write_atomically(path, text)
        return path

    def slot(self, kind: str, key: str) -> int:
        try:
            return self.slots[kind].index(str(key))
        except ValueError:
            raise KeyError(f"{kind} {key!r} has no colour slot; draw with Palette.extended(data)") from None

    def colour(self, kind: str, key: str) -> str:
        return PALETTE[self.slot(kind, key) % len(PALETTE)]

    def hatch(self, kind: str, key: str) -> str:
        return HATCHES[(self.slot(kind, key) // len(PALETTE)) % len(HATCHES)]

    def marker(self, kind: str, key: str) -> str:
        return MARKERS[(self.slot(kind, key) // len(PALETTE)) % len(MARKERS)]


def of_package(data) -> Palette:
    """The assignment kept beside the package's figures (figures/palette.json), extended in memory
    with the package's keys."""
    kept = data.descriptor.path.parent / "figures" / PALETTE_FILE if data.descriptor.path else None
    return Palette.load(kept).extended(data)
