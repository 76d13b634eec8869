"""The source texts as coded: read only when they are the very copies coded, and the place of
every quoted passage in them.

The texts are copyrighted and never part of the repository or the release; they sit in
SOURCES_DIR as `<source_id>.txt`. Whatever is built from them (the REFI-QDA project, the web
annotations) is built only after each text's sha256 matches `sources.text_sha256`.
"""
from __future__ import annotations

import hashlib
import stat
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from . import rowids
from .descriptor import Descriptor, UnreadableInput
from .journeys import InvalidData

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
    return Path(folder) / f"{source_id}.txt"


def _regular_file(folder: Path, source_id: str) -> Path | None:
    """The text's path when it is a regular file directly inside `folder` (no symlink, device or
    directory; a source id cannot reach outside the folder); None when there is no such file."""
    if not source_id or Path(source_id).name != source_id or source_id in (".", ".."):
        raise TextsNotVerified(f"source id {source_id[:80]!r} cannot name a file in {folder}")
    path = text_path(folder, source_id)
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return None
    except OSError as error:
        raise TextsNotVerified(f"{path.name[:80]}: cannot read the text ({error.strerror})") from error
    if not stat.S_ISREG(mode):
        raise TextsNotVerified(f"{path}: not a regular file (a symlink, directory or device is never read)")
    return path


def missing(sources: pd.DataFrame, folder: Path) -> list[str]:
    """Source ids whose text is not in `folder`."""
    return [s for s in sources["source_id"].dropna() if _regular_file(folder, s) is None]


def plain(raw: str) -> str:
    """The text as REFI-QDA and the annotations count it: no byte-order mark, LF line endings."""
    return raw.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def verified(sources: pd.DataFrame, folder: Path) -> dict[str, str]:
    """Every text (source_id → text, see `plain`), each checked against its recorded sha256.
    Raises TextsMissing when any is absent and TextsNotVerified when any differs or is not UTF-8."""
    folder = Path(folder)
    absent = missing(sources, folder)
    if absent:
        raise TextsMissing(folder, absent)
    texts = {}
    for source_id, expected in sources[["source_id", "text_sha256"]].itertuples(index=False):
        path = text_path(folder, source_id)
        raw = path.read_bytes()
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
    return rowids.ids(descriptor.primary_key(name), frame)


def passages(descriptor: Descriptor, tables: dict[str, pd.DataFrame], texts: dict[str, str]) -> list[Passage]:
    """Every fragment of every quote of every row (the descriptor's `quote` fields), located in
    its text. Raises InvalidData when a fragment is not found exactly once: the validator reports
    the same, so the package is not valid."""
    out = []
    for resource in descriptor.resources:
        name = resource["name"]
        fields = descriptor.quote_fields(name)
        if not fields or name not in tables:
            continue
        frame = tables[name]
        ids = row_ids(descriptor, name, frame)
        for field in fields:
            for row, source_id, quote in frame[["source_id", field]].itertuples():
                if pd.isna(quote) or pd.isna(source_id):
                    continue
                text = texts[source_id]
                fragments = quote.split(JOINER)
                for index, fragment in enumerate(fragments):
                    found = text.count(fragment) if fragment else 0
                    if found != 1:
                        raise InvalidData(f"{name} line {row}, {field}: the passage {fragment[:60]!r} occurs {found} "
                                          f"times in {source_id}, not once; run `make validate`")
                    start = text.index(fragment)
                    out.append(Passage(name, ids[row], field, index, len(fragments), source_id,
                                       start, start + len(fragment), fragment))
    return out
