"""Text for a terminal: what a command prints never drives the terminal. Control characters (C0
but tab and line feed, DEL, C1), bidirectional overrides and isolates and the line separators
are shown as `\\uXXXX` (the same escape JSON uses, so JSON output stays JSON)."""
from __future__ import annotations

_CODES = [*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F, *range(0x80, 0xA0), 0x061C, 0x200E, 0x200F,
          0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
TABLE = {code: f"\\u{code:04x}" for code in _CODES}


def shown(text: object) -> str:
    """`text` with every character that would act on a terminal written as its escape."""
    return str(text).translate(TABLE)


class Escaped:
    """A text stream that escapes what is written to it (see `shown`)."""

    def __init__(self, stream) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        return self.stream.write(shown(text))

    def __getattr__(self, name: str):
        return getattr(self.stream, name)
