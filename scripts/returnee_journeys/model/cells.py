"""What a cell's text means to the programs that open the tables."""
from __future__ import annotations


import numpy as np

# What a spreadsheet would run as a formula (or a DDE command) at the start of a cell.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Control characters a text cell must not hold: C0 controls but tab and line feed, DEL, C1 controls,
# and the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069). As an RE2 pattern
# (Arrow) and as the UTF-8 bytes they are.
CONTROL_PATTERN = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\x{202a}-\x{202e}\x{2066}-\x{2069}]"
_NOT_C0 = bytes(range(0x20, 0x7F)) + bytes(range(0x80, 0x100)) + b"\t\n\r"


def has_control(raw: bytes) -> bool:
    """Whether UTF-8 bytes hold any control character of CONTROL_PATTERN (fast: a byte scan)."""
    if raw.translate(None, _NOT_C0):  # a C0 control or DEL is left over
        return True
    if b"\xc2" not in raw and b"\xe2" not in raw:
        return False
    data = np.frombuffer(raw, np.uint8)
    step = 1 << 24
    for start in range(0, len(data), step):
        window = data[start:start + step + 2]
        lead = np.flatnonzero((window[:-2] == 0xC2) | (window[:-2] == 0xE2))
        first, second, kind = window[lead + 1], window[lead + 2], window[lead]
        c1 = (kind == 0xC2) & (first >= 0x80) & (first <= 0x9F)
        bidi = (kind == 0xE2) & (((first == 0x80) & (second >= 0xAA) & (second <= 0xAE))
                                 | ((first == 0x81) & (second >= 0xA6) & (second <= 0xA9)))
        if c1.any() or bidi.any():
            return True
    return len(data) >= 2 and data[-2] == 0xC2 and 0x80 <= data[-1] <= 0x9F
