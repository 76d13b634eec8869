"""Every quote against its text, every text against its recorded sha256, and the coverage ledger
against the sentences of the texts."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from ..model import sentences as sentence_split
from ..model.descriptor import Descriptor
from ..model.problems import Problem

JOINER = " … "


def text_path(folder: Path, source_id: str) -> Path:
    return folder / f"{source_id}.txt"


def missing_texts(folder: Path, sources: pd.DataFrame) -> list[str]:
    return [s for s in sources["source_id"].dropna() if not text_path(folder, s).is_file()]


def check(descriptor: Descriptor, tables: dict[str, pd.DataFrame], folder: Path) -> list[Problem]:
    sources = tables["sources"]
    problems = []
    texts = {}
    file = descriptor.resource("sources")["path"]
    for row, source_id, expected in sources[["source_id", "text_sha256"]].itertuples():
        path = text_path(folder, source_id)
        if not path.is_file():
            continue
        raw = path.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if digest != expected:
            problems.append(Problem("sources", int(row), "text_sha256", "text-hash", expected,
                                    f"{path.name} has sha256 {digest}: the text is not the copy that was coded", file))
        texts[source_id] = raw.decode("utf-8", errors="replace")
    quoted: dict[str, list[tuple[int, int, str]]] = {}  # source → (start, end, "resource/id") of each passage
    for resource in tables:
        columns = descriptor.quote_fields(resource)
        if not columns:
            continue
        frame = tables[resource]
        file = descriptor.resource(resource)["path"]
        key = descriptor.primary_key(resource)
        ids = frame[key[0]] if len(key) == 1 else pd.Series(pd.NA, index=frame.index)
        for column in columns:
            for row, source_id, quote in frame[["source_id", column]].dropna().itertuples():
                text = texts.get(source_id)
                if text is None:
                    continue
                for fragment in quote.split(JOINER):
                    found = text.count(fragment)
                    if found != 1:
                        hint = ("this passage is not in the text verbatim: copy it exactly (quotes, dashes, "
                                "apostrophes), and join separate passages with ' … '") if found == 0 else (
                                f"this passage occurs {found} times in the text: quote more of it so that it is "
                                "found once")
                        problems.append(Problem(resource, int(row), column, "quote-verbatim", fragment, hint, file))
                    elif pd.notna(ids[row]):
                        start = text.index(fragment)
                        quoted.setdefault(source_id, []).append((start, start + len(fragment), f"{resource}/{ids[row]}"))
    if "ledger" in tables:
        problems += _ledger(descriptor, tables["ledger"], texts, quoted)
    return problems


def _ledger(descriptor: Descriptor, ledger: pd.DataFrame, texts: dict[str, str],
            quoted: dict[str, list[tuple[int, int, str]]]) -> list[Problem]:
    """Each sentence of each text present has exactly one ledger row with its hash, and its `rows` are
    exactly the rows whose quotes draw on it (so a sentence is coded exactly when something quotes it)."""
    file = descriptor.resource("ledger")["path"]
    problems = []
    for source_id, text in texts.items():
        rows = ledger[ledger["source_id"] == source_id]
        by_place = {(int(p), int(s)): (row, h, refs) for row, p, s, h, refs in
                    rows[["paragraph", "sentence", "sentence_sha256", "rows"]].itertuples()}
        seen = set()
        for sentence in sentence_split.split(text):
            place = (sentence.paragraph, sentence.number)
            seen.add(place)
            entry = by_place.get(place)
            if entry is None:
                problems.append(Problem("ledger", None, "sentence", "ledger-covers-text",
                                        f"{source_id} paragraph {place[0]} sentence {place[1]}",
                                        f"this sentence of {source_id} has no ledger row: add one with its sha256 "
                                        f"{sentence.sha256} and a disposition", file))
                continue
            row, digest, refs = entry
            if digest != sentence.sha256:
                problems.append(Problem("ledger", int(row), "sentence_sha256", "ledger-covers-text", digest,
                                        f"paragraph {place[0]} sentence {place[1]} of {source_id} has sha256 "
                                        f"{sentence.sha256}: the ledger row is for another sentence (or another "
                                        "copy of the text)", file))
                continue
            listed = set(refs.split(" ")) if isinstance(refs, str) else set()
            drawn = {ref for start, end, ref in quoted.get(source_id, []) if start < sentence.end and end > sentence.start}
            for ref in sorted(drawn - listed):
                problems.append(Problem("ledger", int(row), "rows", "ledger-lists-quoting-rows", ref,
                                        f"{ref} quotes this sentence: mark it coded and list {ref} in rows", file))
            for ref in sorted(listed - drawn):
                problems.append(Problem("ledger", int(row), "rows", "ledger-lists-quoting-rows", ref,
                                        f"{ref} does not quote this sentence: list only the rows whose quote draws on it "
                                        "(a sentence that only supports a row is not coded; say so in notes)", file))
        for place, (row, _, _) in by_place.items():
            if place not in seen:
                problems.append(Problem("ledger", int(row), "sentence", "ledger-covers-text",
                                        f"paragraph {place[0]} sentence {place[1]}",
                                        f"{source_id} has no such sentence: remove the row or correct its numbers",
                                        file))
    return problems
