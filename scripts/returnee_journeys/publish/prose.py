"""Prose that grows with the data: the README's lists of who is coded from which text (`who`) and of
the texts (`texts`) are rendered from the tables; `stale` finds any count of persons or texts written
in words ("four Russians", "both texts") in hand-written prose that the data no longer bears out."""
from __future__ import annotations

import bisect
import re
from pathlib import Path

import pandas as pd

from ..model import files, wording

NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
           "ten": 10, "eleven": 11, "twelve": 12, "both": 2}
PERSONS = r"Russians|persons|people|returnees|journeys|lanes"
TEXTS = r"texts|articles|reports|sources"
COUNT = re.compile(rf"\b(?P<number>{'|'.join(NUMBERS)})\s+(?:[a-z]+\s+)?(?:(?P<persons>{PERSONS})|(?P<texts>{TEXTS}))\b",
                   re.I)
# a generated section (publish/docs.py renders them): begin marker, content, end marker
BEGIN = re.compile(r"<!-- BEGIN GENERATED: ([a-z-]+) -->\n")
END = re.compile(r"<!-- END GENERATED: ([a-z-]+) -->")


def generated(text: str, body=None) -> str:
    """`text` with the content of each generated section (a begin marker, then the first end marker of
    its name) replaced by body(name), or each section removed whole when `body` is None. In linear
    time whatever markers the text holds: a regex looking on for the end of each begin marker took
    quadratic time on many unclosed ones (20,000: minutes)."""
    ends: dict[str, list[int]] = {}
    for end in END.finditer(text):
        ends.setdefault(end[1], []).append(end.start())
    out, at = [], 0
    for begin in BEGIN.finditer(text):
        following = ends.get(begin[1], [])
        i = bisect.bisect_left(following, begin.end())
        if begin.start() < at or i == len(following):  # inside a section already taken, or never closed
            continue
        if body is None:  # the section removed whole, its end marker too
            out.append(text[at:begin.start()])
            at = END.match(text, following[i]).end()
        else:
            out += [text[at:begin.end()], body(begin[1])]
            at = following[i]
    return "".join(out) + text[at:]


def number(n: int, capital: bool = False) -> str:
    words = {v: k for k, v in NUMBERS.items() if k != "both"}
    word = words.get(n, str(n))
    return word[:1].upper() + word[1:] if capital else word


def who(persons: pd.DataFrame, sources: pd.DataFrame, person_sources: pd.DataFrame) -> str:
    """One sentence: how many persons from how many texts, and who is coded from which outlet
    (persons in the order given, grouped by the text that introduces them)."""
    outlet = dict(zip(sources["source_id"], sources["outlet"]))
    also = person_sources.groupby("person_id")["source_id"].apply(list).to_dict() if len(person_sources) else {}
    groups: dict[str, list[str]] = {}
    for person in persons.itertuples():
        name = f"**{person.name_in_source}**"
        if person.person_id in also:
            name += f" (also in {wording.listing([str(outlet.get(s, s)) for s in also[person.person_id]])})"
        groups.setdefault(str(outlet.get(person.source_id, person.source_id)), []).append(name)
    listed = "; ".join(f"{wording.listing(names)} ({where})" for where, names in groups.items())
    n, m = len(persons), len(sources)
    return (f"{number(n, capital=True)} {'person' if n == 1 else 'persons'}, from {number(m)} "
            f"{'text' if m == 1 else 'texts'}: {listed}.\n")


EXTENT = {"whole": "whole text", "excerpts": "excerpts only"}


def texts(sources: pd.DataFrame) -> str:
    """The texts, one item each: id, author, title, outlet, date, address, what the file holds."""
    lines = []
    for s in sources.itertuples():
        parts = [str(v) for v in (s.author, f"“{s.title}”" if isinstance(s.title, str) else None, s.outlet,
                                  s.published) if isinstance(v, str) and v]
        address = f" <{s.url}>" if isinstance(s.url, str) and s.url else ""
        extent = getattr(s, "text_extent", None)
        kept = f" Text file: {EXTENT.get(extent, extent)}." if isinstance(extent, str) else ""
        lines.append(f"- `{s.source_id}` — {', '.join(parts)}.{address}{kept}")
    return "\n".join(lines) + "\n"


def _counts(text: str, where: str, persons: int, sources: int) -> list[str]:
    problems = []
    for match in COUNT.finditer(text):
        said = NUMBERS[match["number"].lower()]
        kind, actual = ("persons", persons) if match["persons"] else ("texts", sources)
        if said != actual:
            problems.append(f"{where}: \"{match[0]}\" says {said}, the data has {actual} {kind}: write it without "
                            "the number, or render it from the data (returnee_journeys.publish.prose)")
    return problems


def stale(readme: str, descriptor: dict, citation: dict, project_description: str,
          persons: pd.DataFrame, sources: pd.DataFrame) -> list[str]:
    """Every count in hand-written prose that the data does not bear out, and every text that
    CITATION.cff does not list among its references; empty when the prose holds."""
    n, m = len(persons), len(sources)
    found = _counts(generated(readme), "README.md", n, m)
    found += _counts(str(descriptor.get("description", "")), "datapackage.json description", n, m)
    for resource in descriptor.get("resources", []):
        found += _counts(str(resource.get("description", "")), f"datapackage.json, {resource.get('name')}", n, m)
        for field in resource.get("schema", {}).get("fields", []):
            found += _counts(str(field.get("description", "")),
                             f"datapackage.json, {resource.get('name')}.{field.get('name')}", n, m)
    for key in ("message", "abstract"):
        found += _counts(str(citation.get(key, "")), f"CITATION.cff {key}", n, m)
    found += _counts(project_description, "pyproject.toml description", n, m)
    cited = {str(r.get("title", "")).strip() for r in citation.get("references", []) or [] if isinstance(r, dict)}
    for s in sources.itertuples() if citation else ():  # only a package with its own CITATION.cff
        if isinstance(s.title, str) and s.title.strip() not in cited:
            found.append(f"CITATION.cff: references do not list the text {s.source_id} (\"{s.title}\"): add it")
    return found


def project_description(pyproject: Path) -> str:
    import tomllib

    try:
        return tomllib.loads(files.read_inside(pyproject, pyproject.parent).decode("utf-8"))["project"].get(
            "description", "")  # a regular file: a FIFO or a link to /dev/zero is never read
    except (OSError, KeyError, ValueError):
        return ""
