"""What a cell's text means to the programs that open the tables."""
from __future__ import annotations

import re

# What a spreadsheet would run as a formula (or a DDE command) at the start of a cell.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMULA_PATTERN = "^[" + re.escape("".join(FORMULA_START)) + "]"
