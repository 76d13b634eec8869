"""A text as numbered sentences: how the coverage ledger identifies what it covers.

A text file holds one paragraph per line; a paragraph's number is its line number (from 1,
empty lines counted). A paragraph splits into sentences after `.`, `?`, `!` or `…` (and any
closing quotation marks or brackets) where whitespace and then a capital letter, a digit or an
opening quotation mark follow. A sentence is identified by (paragraph, number, sha256 of its
UTF-8 bytes), so the ledger never holds the words themselves.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

_BREAK = re.compile(r"(?<=[.?!…])(?P<closing>[”’\"')\]]*)\s+(?=[“‘\"'(\[]*[A-Z0-9])")


@dataclass(frozen=True)
class Sentence:
    paragraph: int
    number: int
    start: int  # character offset in the whole text
    end: int
    text: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def split(text: str) -> list[Sentence]:
    """Every sentence of a text, in order, with its character offsets in the text."""
    sentences = []
    offset = 0
    for paragraph, line in enumerate(text.split("\n"), start=1):
        bounds, start = [], 0
        for match in _BREAK.finditer(line):
            bounds.append((start, match.start() + len(match["closing"])))
            start = match.end()
        bounds.append((start, len(line)))
        number = 0
        for begin, end in bounds:
            chunk = line[begin:end]
            if not chunk.strip():
                continue
            number += 1
            first = offset + begin + len(chunk) - len(chunk.lstrip())
            sentences.append(Sentence(paragraph, number, first, first + len(chunk.strip()), chunk.strip()))
        offset += len(line) + 1
    return sentences
