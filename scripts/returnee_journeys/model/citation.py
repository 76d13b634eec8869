"""CITATION.cff: reading it, and the "how to cite" text rendered from it."""
from __future__ import annotations

import re

import yaml

from . import paths

CITATION = paths.ROOT / "CITATION.cff"


def read() -> dict:
    return yaml.safe_load(CITATION.read_text(encoding="utf-8"))


def how_to_cite(citation: dict) -> str:
    author = citation["authors"][0].get("name") or citation["authors"][0]["family-names"]
    year = str(citation["date-released"])[:4]
    key = re.sub(r"[^a-z0-9]+", "_", citation["title"].lower()).strip("_") + f"_{year}"
    apa = f"{author}. ({year}). *{citation['title']}* (Version {citation['version']}) [Data set]."
    bibtex = "\n".join([f"@misc{{{key},", f"  title = {{{citation['title']}}},", f"  author = {{{{{author}}}}},",
                        f"  year = {{{year}}},", f"  version = {{{citation['version']}}},",
                        f"  note = {{Data set, licence {citation['license']}}}", "}"])
    return "\n".join(["APA:", "", apa, "", "BibTeX:", "", "```bibtex", bibtex, "```",
                      "", "Please cite the source articles too (see `references` in `CITATION.cff`).", ""])
