"""Every quote against its text, and every text against its recorded sha256."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from ..model.descriptor import Descriptor
from ..model.problems import Problem

JOINER = " … "
QUOTE_FIELDS = {
    "persons": ["quote"], "stages": ["quote"], "durations": ["quote"], "codings": ["quote"],
    "estimates": ["quote"], "events": ["quote"], "discrepancies": ["quote_a", "quote_b"],
}


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
    for resource, columns in QUOTE_FIELDS.items():
        if resource not in tables:
            continue
        frame = tables[resource]
        file = descriptor.resource(resource)["path"]
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
    return problems
