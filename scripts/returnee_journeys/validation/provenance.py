"""Every quote against its text, every text against its recorded sha256, and the coverage ledger
against the sentences of the texts (which texts may be read, and where a quote is in one: `model.texts`)."""
from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

import pandas as pd

from ..model import names, rowids
from ..model import texts as texts_module
from ..model.texts import text_path
from ..model import sentences as sentence_split
from ..model.descriptor import Descriptor
from ..model.problems import Problem
from . import rules

EXCERPTS = "excerpts"  # sources.text_extent of a text file that keeps only passages of the article
CODER = "coder"  # the key field of a reliability coder's own tables (codings_by_coder, ledger_by_coder)


def _why_not_found(fragment: str, text: str) -> str:
    """The hint for a passage not found verbatim: say so when Unicode normalisation or line
    endings are the cause."""
    for form in ("NFC", "NFD"):
        if unicodedata.normalize(form, fragment) in unicodedata.normalize(form, text):
            return ("the passage is in the text once both are in the same Unicode normalisation form: the quote "
                    "or the text uses composed (NFC) and the other decomposed (NFD) characters; save both as NFC")
    if "\r" in text or "\r" in fragment:
        plain = text.replace("\r\n", "\n").replace("\r", "\n")
        if fragment.replace("\r\n", "\n").replace("\r", "\n") in plain:
            return ("the passage is in the text once line endings are made the same: the text copy has Windows "
                    "(CRLF) line endings; use the copy with LF line endings")
    return ("this passage is not in the text verbatim: copy it exactly (quotes, dashes, apostrophes), and join "
            "separate passages with ' … '")


def check(descriptor: Descriptor, tables: dict[str, pd.DataFrame], folder: Path) -> list[Problem]:
    sources = tables["sources"]
    problems = []
    texts = {}
    file = descriptor.resource("sources")["path"]
    for row, source_id, expected in sources[["source_id", "text_sha256"]].itertuples():
        if pd.isna(source_id):
            continue
        reason = texts_module.unusable(folder, source_id)
        if reason:
            problems.append(Problem("sources", int(row), "source_id", "text-file", None,
                                    f"{reason}: only regular files in the sources folder are read", file))
            continue
        path = text_path(folder, source_id)
        try:
            raw = names.read_regular(path)
        except OSError:
            continue  # missing: reported by missing_texts when the texts are required
        digest = hashlib.sha256(raw).hexdigest()
        if digest != expected:
            crlf = b"\r\n" in raw and hashlib.sha256(raw.replace(b"\r\n", b"\n")).hexdigest() == expected
            hint = (f"{path.name} has Windows (CRLF) line endings; with LF endings it is the copy that was coded"
                    if crlf else f"{path.name} has sha256 {digest}: the text is not the copy that was coded")
            problems.append(Problem("sources", int(row), "text_sha256", "text-hash", expected, hint, file))
        try:
            texts[source_id] = raw.decode("utf-8")
        except UnicodeDecodeError as error:  # read with replacement characters, no quote of it would be found
            problems.append(Problem("sources", int(row), "source_id", "text-encoding", path.name,
                                    f"{path.name} is not UTF-8 (byte {error.start}), so its quotes and ledger were "
                                    "not checked: save the text as UTF-8 and record its new sha256", file))
    quoted: dict[str, list[tuple[int, int, str]]] = {}  # source → (start, end, "resource/id") of each passage
    for resource in tables:
        columns = descriptor.quote_fields(resource)
        if not columns:
            continue
        frame = tables[resource]
        file = descriptor.resource(resource)["path"]
        key = descriptor.primary_key(resource)
        # a reliability coder's rows (a key with `coder`) answer to ledger_by_coder, not to the package's ledger
        ids = rowids.ids(key, frame) if CODER not in key else pd.Series(None, index=frame.index, dtype=object)
        for column in columns:
            source_ids = texts_module.quote_sources(descriptor, resource, frame, column)
            with_text = source_ids.isin(list(texts)).to_numpy()  # the rows whose text is at hand
            for row, source_id, quote in zip(frame.index[with_text], source_ids[with_text].tolist(),
                                             frame[column][with_text].tolist()):
                if pd.isna(quote):
                    continue
                text = texts[source_id]
                for passage, found, start in texts_module.locate(quote, text):
                    if found != 1:
                        hint = _why_not_found(passage, text) if found == 0 else (
                                f"this passage occurs {found} times in the text: quote more of it so that it is "
                                "found once")
                        problems.append(Problem(resource, int(row), column, "quote-verbatim", passage, hint, file))
                    elif pd.notna(ids[row]):
                        quoted.setdefault(source_id, []).append((start, start + len(passage), rowids.ref(resource, ids[row])))
    if "ledger" in tables:
        excerpts = set(sources["source_id"][sources["text_extent"] == EXCERPTS].dropna()) \
            if "text_extent" in sources.columns else set()
        unread = {r["name"] for r in descriptor.resources} - set(tables)  # refused at reading
        problems += _ledger(descriptor, tables["ledger"], texts, quoted, unread, excerpts)
    if "ledger_by_coder" in tables:
        problems += _coder_ledgers(descriptor, tables["ledger_by_coder"], texts)
    return problems


def _coder_ledgers(descriptor: Descriptor, ledger: pd.DataFrame, texts: dict[str, str]) -> list[Problem]:
    """Each reliability coder's ledger covers each sentence of each text present that they coded once, with its hash
    (a coder's quotes are checked like every quote; which rows they draw on is the package ledger's matter)."""
    file = descriptor.resource("ledger_by_coder")["path"]
    problems = []
    frame = ledger[["coder", "source_id", "paragraph", "sentence", "sentence_sha256"]].dropna()
    split = {source_id: sentence_split.split(text) for source_id, text in texts.items()}
    entries: dict[str, dict[str, dict]] = {}  # coder → source → (paragraph, sentence) → (row, sha256)
    for row, *values in zip(frame.index, *(frame[c].tolist() for c in frame.columns)):
        coder, source_id, p, s, h = values
        entries.setdefault(coder, {}).setdefault(source_id, {})[(int(p), int(s))] = (row, h)
    for coder in sorted(entries):
        # the texts this coder coded: a text added to the package after the round is not theirs to cover
        for source_id in (s for s in split if s in entries[coder]):
            by_place = entries[coder][source_id]
            problems += _coverage("ledger_by_coder", source_id, split[source_id], by_place, file,
                                  f"coder {coder} has no row for this sentence of {source_id}",
                                  "the row is for another sentence", f"{coder}: ")[0]
    return problems


def _ledger(descriptor: Descriptor, ledger: pd.DataFrame, texts: dict[str, str],
            quoted: dict[str, list[tuple[int, int, str]]], unread: set[str],
            excerpts: set[str] = frozenset()) -> list[Problem]:
    """Each sentence of each text present has exactly one ledger row with its hash, and its `rows` are
    exactly the rows whose quotes draw on it (so a sentence is coded exactly when something quotes it)."""
    file = descriptor.resource("ledger")["path"]
    problems = []
    entries: dict[str, dict] = {}  # source → (paragraph, sentence) → (row, sha256, rows)
    columns = ["source_id", "paragraph", "sentence", "sentence_sha256", "rows"]
    # rows not matching the field's pattern: `pattern` reports them, their references are not judged again
    malformed = set(ledger.index[ledger["rows"].notna().to_numpy(dtype=bool)
                                 & rules.well_formed_rows(descriptor, ledger).is_null().to_numpy(zero_copy_only=False)])
    for row, source_id, p, s, h, refs in zip(ledger.index, *(ledger[c].tolist() for c in columns)):
        if not (pd.isna(p) or pd.isna(s)):
            entries.setdefault(source_id, {})[(int(p), int(s))] = (row, h, refs)
    for source_id, text in texts.items():
        by_place = entries.get(source_id, {})
        kept = (" (kept as excerpts: the ledger covers every sentence of the excerpts, not of the article)"
                if source_id in excerpts else "")
        crlf = " (the text has Windows (CRLF) line endings: use the copy with LF endings)" if "\r" in text else ""
        found, matched = _coverage("ledger", source_id, sentence_split.split(text), by_place, file,
                                   f"this sentence of {source_id}{kept} has no ledger row",
                                   f"the ledger row is for another sentence (or another copy of the text){crlf}")
        problems += found
        for sentence, (row, _, refs) in matched:
            if row in malformed:
                continue
            listed = set(refs.split(" ")) if isinstance(refs, str) else set()
            drawn = {ref for start, end, ref in quoted.get(source_id, []) if start < sentence.end and end > sentence.start}
            for ref in sorted(drawn - listed):
                problems.append(Problem("ledger", int(row), "rows", "ledger-lists-quoting-rows", ref,
                                        f"{ref} quotes this sentence: mark it coded and list {ref} in rows", file))
            # a row of a table that could not be read is not judged here: that table's problem is reported
            for ref in sorted(ref for ref in listed - drawn if ref.split("/", 1)[0] not in unread):
                problems.append(Problem("ledger", int(row), "rows", "ledger-lists-quoting-rows", ref,
                                        f"{ref} does not quote this sentence: list only the rows whose quote draws on it "
                                        "(a sentence that only supports a row is not coded; say so in notes)", file))
    return problems


def _coverage(resource: str, source_id: str, sentences, by_place: dict, file: str, absent: str, other: str,
              who: str = "") -> tuple[list[Problem], list]:
    """A text's sentences against a ledger's entries for it ((paragraph, number) → (row, sha256, …)):
    a problem for each sentence without an entry (`absent` says so), each entry with another sentence's
    hash (`other`) and each entry for no sentence; and each sentence matched with its entry."""
    problems, matched = [], []
    for sentence in sentences:
        place = (sentence.paragraph, sentence.number)
        entry = by_place.get(place)
        if entry is None:
            problems.append(Problem(resource, None, "sentence", "ledger-covers-text",
                                    f"{who}{source_id} paragraph {place[0]} sentence {place[1]}",
                                    f"{absent}: add one with its sha256 {sentence.sha256} and a disposition", file))
        elif entry[1] != sentence.sha256:
            problems.append(Problem(resource, int(entry[0]), "sentence_sha256", "ledger-covers-text", entry[1],
                                    f"paragraph {place[0]} sentence {place[1]} of {source_id} has sha256 "
                                    f"{sentence.sha256}: {other}", file))
        else:
            matched.append((sentence, entry))
    places = {(sentence.paragraph, sentence.number) for sentence in sentences}
    problems += [Problem(resource, int(entry[0]), "sentence", "ledger-covers-text", f"paragraph {place[0]} sentence "
                         f"{place[1]}", f"{source_id} has no such sentence: remove the row or correct its numbers", file)
                 for place, entry in by_place.items() if place not in places]
    return problems, matched
