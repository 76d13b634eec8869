"""Generated parts of the README: tables, data dictionary, codebook and how to cite.

They are rendered from datapackage.json, data/factors.csv and CITATION.cff into the README
between `<!-- BEGIN GENERATED: name -->` and `<!-- END GENERATED: name -->`, so they cannot drift.
`returnee-journeys docs` rewrites them; `--check` exits 1 when the README is stale and writes nothing.
"""
from __future__ import annotations

import os
import re
import sys
import tempfile
from pathlib import Path

import yaml

from ..model import citation as citation_module
from ..model import descriptor as descriptor_module
from ..model import load
from ..model import paths

README = paths.ROOT / "README.md"
BLOCK = re.compile(r"(<!-- BEGIN GENERATED: (?P<name>[a-z-]+) -->\n).*?(<!-- END GENERATED: (?P=name) -->)", re.S)


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def tables(descriptor: descriptor_module.Descriptor) -> str:
    lines = ["| table | title | rows | what it holds |", "|---|---|---:|---|"]
    for resource in descriptor.resources:
        rows = len(load.read_resource(descriptor, resource["name"], []))
        lines.append(f"| `{resource['path']}` | {resource['title']} | {rows} | {_cell(resource['description'])} |")
    return "\n".join(lines) + "\n"


def _bound(spec: list | None, unbounded: str) -> str:
    if spec is None:
        return unbounded
    factor, offset = spec
    value = {0: "", 1: "v"}.get(factor, f"{factor:g}v")
    units = f"{abs(offset):g}u" if offset else ""
    if value and units:
        return f"{value} {'+' if offset > 0 else '−'} {units}"
    return value or units or "0"


def _meanings(field: dict) -> str:
    """The field's own coding tables (qualifier ranges, unit lengths, Lee labels, stage types)."""
    parts = []
    if "admits" in field:
        parts.append("admits (v = value, u = unit): " + "; ".join(
            f"`{q}` {_bound(r['min'], '0')} to {_bound(r['max'], '∞')}" for q, r in field["admits"].items()))
    if "days" in field:
        parts.append("days: " + ", ".join(f"{u} = {d:g}" for u, d in field["days"].items()))
    if "labels" in field:
        parts.append("labels: " + "; ".join(f"{c} {v or '(empty)'} = {label}" for c, by in field["labels"].items()
                                             for v, label in by.items()))
    if "meaning" in field:
        parts.append("meaning: " + "; ".join(
            f"`{t}` {'realised' if m['realised'] else 'not realised'}, {'at home' if m['at_home'] else 'abroad'}"
            for t, m in field["meaning"].items()) + f" (home country {field['home_country']})")
    return " ".join(parts)


def data_dictionary(descriptor: descriptor_module.Descriptor) -> str:
    lines = []
    for resource in descriptor.resources:
        schema = resource["schema"]
        targets = {f: f"{fk['reference']['resource']}.{','.join(fk['reference']['fields'])}"
                   for fk in schema.get("foreignKeys", []) for f in fk["fields"]}
        lines += [f"### {resource['name']}", "", f"`{resource['path']}` — {resource['description']} "
                  f"Primary key: `{', '.join(schema['primaryKey'])}`.", "",
                  "| field | type | required | allowed values | references | description |",
                  "|---|---|---|---|---|---|"]
        for field in schema["fields"]:
            required = "yes" if field.get("constraints", {}).get("required") else "no"
            description = " ".join(filter(None, [field["description"], _meanings(field)]))
            lines.append(f"| `{field['name']}` | {field['type']} | {required} | {_cell(descriptor_module.allowed_values(field))} | "
                         f"{targets.get(field['name'], '')} | {_cell(description)} |")
        lines.append("")
    return "\n".join(lines)


def codebook(descriptor: descriptor_module.Descriptor) -> str:
    factors = load.read_resource(descriptor, "factors", []).sort_values(["domain", "factor_id"])
    lines = ["| factor | label | domain | definition |", "|---|---|---|---|"]
    lines += [f"| `{f.factor_id}` | {_cell(f.label)} | {f.domain} | {_cell(f.definition)} |"
              for f in factors.itertuples()]
    return "\n".join(lines) + "\n"


def render(readme: str, descriptor: descriptor_module.Descriptor, citation: dict) -> str:
    makers = {"tables": lambda: tables(descriptor), "data-dictionary": lambda: data_dictionary(descriptor), "codebook": lambda: codebook(descriptor),
              "how-to-cite": lambda: citation_module.how_to_cite(citation)}
    return BLOCK.sub(lambda m: m.group(1) + makers[m["name"]]() + m.group(3), readme)


def current() -> tuple[str, str]:
    descriptor = descriptor_module.read(paths.DESCRIPTOR)
    citation = citation_module.read()
    readme = README.read_text(encoding="utf-8")
    return readme, render(readme, descriptor, citation)


def write_atomically(path: Path, text: str) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)


def update(check: bool = False) -> int:
    """Rewrite the README's generated sections; with check, only report (exit 1) when stale."""
    readme, rendered = current()
    if check:
        if readme != rendered:
            print("README.md is stale: run `make docs`", file=sys.stderr)
            return 1
        return 0
    if readme != rendered:
        write_atomically(README, rendered)
        print("README.md updated")
    return 0
