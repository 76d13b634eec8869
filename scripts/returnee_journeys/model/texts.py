"""The source texts as coded: where each is, whether it may be read, and the place of every
quoted passage in them (for the validator's quote check as for the exports).

A text is `<source_id>.txt` in the sources folder, read only when the source id is safe as a file
name and the file is a regular file (no symbolic link, FIFO, device or folder).

The texts are copyrighted and never part of the repository or the release; they sit in
SOURCES_DIR as `<source_id>.txt`. Whatever is built from them (the REFI-QDA project, the web
annotations) is built only after each text's sha256 matches `sources.text_sha256`.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import names
from .descriptor import Descriptor, InvalidData, UnreadableInput

if TYPE_CHECKING:  # pandas only where rows are read: `import-coding` starts without it
    import pandas as pd

JOINER = " … "  # joins separate passages of one quote (space, U+2026, space)


class TextsMissing(UnreadableInput):
    """Some texts are not in the folder: what needs them cannot be built (exit 2)."""

    def __init__(self, folder: Path, missing: list[str]):
        self.folder, self.missing = folder, missing
        super().__init__(f"{', '.join(f'{s}.txt' for s in missing)} not found in {folder}: put the source texts "
                         "there or point SOURCES_DIR at their folder")


class TextsNotVerified(UnreadableInput):
    """A text is there but is not the copy coded, or cannot be read as one (exit 2)."""


def text_path(folder: Path, source_id: str) -> Path:
    """Where the text of `source_id` is; UnsafeName when the id cannot be a file name."""
    return names.inside(folder, names.checked(source_id, "id") + ".txt")


def unusable(folder: Path, source_id: str) -> str | None:
    """Why the text of `source_id` may not be read (None: it may, or it is simply missing)."""
    if names.unsafe(source_id, "id"):
        return "the source id is not safe as a file name"
    what = names.kind_of(text_path(folder, source_id))
    return None if what in (None, "missing") else f"{source_id}.txt is {what}"


def missing(folder: Path, sources: pd.DataFrame) -> list[str]:
    """Source ids whose text is not a readable regular file in `folder`."""
    return [s for s in sources["source_id"].dropna()
            if names.unsafe(s, "id") or names.kind_of(text_path(folder, s)) is not None]


def locate(quote: str, text: str) -> list[tuple[str, int, int]]:
    """Each passage of a quote (separate passages are joined by JOINER): how many times it occurs in
    the text, and where it starts when that is once (-1 otherwise). An empty passage is never found."""
    located = []
    for passage in quote.split(JOINER):
        found = text.count(passage) if passage else 0
        located.append((passage, found, text.index(passage) if found == 1 else -1))
    return located


def plain(raw: str) -> str:
    """The text as REFI-QDA and the annotations count it: no byte-order mark, LF line endings."""
    return raw.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def verified(sources: pd.DataFrame, folder: Path) -> dict[str, str]:
    """Every text (source_id → text, see `plain`), each checked against its recorded sha256.
    Raises TextsMissing when any is absent and TextsNotVerified when any differs or is not UTF-8."""
    folder = Path(folder)
    for source_id in sources["source_id"].dropna():
        reason = unusable(folder, source_id)
        if reason:
            raise TextsNotVerified(f"{reason}: only regular files with safe names in {folder} are read")
    absent = missing(folder, sources)
    if absent:
        raise TextsMissing(folder, absent)
    texts = {}
    for source_id, expected in sources[["source_id", "text_sha256"]].itertuples(index=False):
        path = text_path(folder, source_id)
        raw = names.read_regular(path)
        digest = hashlib.sha256(raw).hexdigest()
        if digest != expected:
            raise TextsNotVerified(f"{path} has sha256 {digest}, not the {expected} recorded in sources.text_sha256: "
                                   "it is not the copy that was coded; nothing was built")
        try:
            texts[source_id] = plain(raw.decode("utf-8"))
        except UnicodeDecodeError as error:
            raise TextsNotVerified(f"{path}: not UTF-8 ({error.reason} at byte {error.start})") from error
    return texts


@dataclass(frozen=True)
class Passage:
    """One fragment of one quote of one row, at its place in its text (character offsets, in
    Unicode code points, end exclusive)."""
    resource: str
    row_id: str          # the row's id (`rowids`)
    field: str           # the quote field
    index: int           # the fragment's place in the quote, from 0
    count: int           # how many fragments the quote has
    source_id: str
    start: int
    end: int
    text: str            # the fragment, = the text sliced at start:end


def row_ids(descriptor: Descriptor, name: str, frame: pd.DataFrame) -> pd.Series:
    """Each row's id (`rowids`: its primary key's values, composite keys included)."""
    from . import rowids

    return rowids.ids(descriptor.primary_key(name), frame)


def quote_sources(descriptor: Descriptor, name: str, frame: pd.DataFrame, field: str) -> pd.Series:
    """The text each row's quote in `field` is from: the quote's own source field where filled
    (`Descriptor.quote_source`, such as a discrepancy's `source_id_b`), else the row's `source_id`."""
    column = descriptor.quote_source(name, field)
    return frame["source_id"] if column == "source_id" else frame[column].fillna(frame["source_id"])


def passages(descriptor: Descriptor, tables: dict[str, pd.DataFrame], texts: dict[str, str]) -> list[Passage]:
    """Every fragment of every quote of every row (the descriptor's `quote` fields), located in
    its text. Raises InvalidData when a fragment is not found exactly once: the validator reports
    the same, so the package is not valid."""
    import pandas as pd

    out = []
    for resource in descriptor.resources:
        name = resource["name"]
        fields = descriptor.quote_fields(name)
        if not fields or name not in tables:
            continue
        frame = tables[name]
        ids = row_ids(descriptor, name, frame)
        for field in fields:
            for row, source_id, quote in zip(frame.index, quote_sources(descriptor, name, frame, field), frame[field]):
                if pd.isna(quote) or pd.isna(source_id):
                    continue
                located = locate(quote, texts[source_id])
                for index, (passage, found, start) in enumerate(located):
                    if found != 1:
                        raise InvalidData(f"{name} line {row}, {field}: the passage {passage[:60]!r} occurs {found} "
                                          f"times in {source_id}, not once; run `make validate`")
                    out.append(Passage(name, ids[row], field, index, len(located), source_id,
                                       start, start + len(passage), passage))
    return out
