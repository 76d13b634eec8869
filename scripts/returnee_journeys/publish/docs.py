"""`returnee-journeys docs`: the generated sections of a package's README.md and docs (between
`<!-- BEGIN GENERATED: name -->` and `<!-- END GENERATED: name -->`, one maker each in `makers`),
rendered from its descriptor, tables and citation, and its .zenodo.json, whole, where it has one."""
from __future__ import annotations

import functools
import re
import sys
from pathlib import Path

from ..model import citation as citation_module
from ..model import codebook as codebook_module
from ..model import comparison as comparison_model
from ..model import descriptor as descriptor_module
from ..model import journeys
from ..model import load
from ..model import files
from . import TEMPLATES, prose

def markdown(text: object) -> str:
    """Text of the package as Markdown shows it, never as HTML: outside `code spans` a `<` is
    written `&lt;` (no tag, comment or generated-section marker can come from the data); inside
    them it is literal already. Markdown itself (backticks, emphasis, links) is kept."""
    parts = str(text).split("`")
    if len(parts) % 2 == 0:  # a backtick left open: no code span, every part is text
        return "\\`".join(p.replace("<", "&lt;") for p in parts)
    return "`".join(p if i % 2 else p.replace("<", "&lt;") for i, p in enumerate(parts))


def _cell(text: object) -> str:
    """Text for a Markdown table cell: one line, `|` escaped, no HTML."""
    return " ".join(markdown(text).replace("|", "\\|").split())


def _fence(text: str, least: int = 1) -> str:
    """Backticks enough to fence `text`, whatever runs of backticks it holds: the data cannot close it."""
    return "`" * max(least, max((len(run) for run in re.findall("`+", text)), default=0) + 1)


def _code(text: object) -> str:
    """A name as a code span in a table cell, whatever backticks or bars it holds."""
    text = " ".join(str(text).split()).replace("|", "\\|")
    fence = _fence(text)
    return f"{fence} {text} {fence}" if len(fence) > 1 else f"`{text}`"


def table(header: list[str], rows, right: tuple[str, ...] = ()) -> str:
    """A Markdown table: the header, the rows (their cells already Markdown), columns in `right` right-aligned."""
    lines = ["| " + " | ".join(header) + " |", "|" + "".join("---:|" if h in right else "---|" for h in header)]
    return "\n".join(lines + ["| " + " | ".join(map(str, row)) + " |" for row in rows]) + "\n"


def tables(descriptor: descriptor_module.Descriptor, loaded: dict) -> str:
    return table(["table", "title", "rows", "what it holds"],
                 [(_code(r["path"]), _cell(r.get("title", r["name"])), len(loaded[r["name"]]),
                   _cell(r.get("description", ""))) for r in descriptor.resources], right=("rows",))


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
    if "roles" in field:
        def role(r: dict) -> str:
            words = ["realised" if r.get("realised") else "not realised",
                     {True: "at home", False: "abroad", None: "at home or abroad"}.get(r.get("at_home"), ""),
                     f"{r['position']} of a journey" if r.get("position") else "", "transit" if r.get("transit") else ""]
            return ", ".join(w for w in words if w)
        parts.append("roles: " + "; ".join(f"`{t}` {role(r)}" for t, r in field["roles"].items())
                     + (f" (at home: in the country of the person's origin, one of {', '.join(field['home_countries'])})"
                        if field.get("home_countries") else ""))
    return " ".join(parts)


def data_dictionary(descriptor: descriptor_module.Descriptor) -> str:
    lines = []
    for resource in descriptor.resources:
        schema = resource["schema"]
        targets = {f: f"{fk['reference']['resource']}.{','.join(fk['reference']['fields'])}"
                   for fk in schema.get("foreignKeys", []) for f in fk["fields"]}
        lines += [f"### {resource['name']}", "", f"{_code(resource['path'])} — {_cell(resource.get('description', ''))} "
                  f"Primary key: {_code(', '.join(schema['primaryKey']))}.", "",
                  table(["field", "type", "required", "allowed values", "references", "description"],
                        [(_code(f["name"]), f["type"], "yes" if f.get("constraints", {}).get("required") else "no",
                          _cell(descriptor_module.allowed_values(f)), _cell(targets.get(f["name"], "")),
                          _cell(" ".join(filter(None, [f["description"], _meanings(f)])))) for f in schema["fields"]])]
    return "\n".join(lines)


def codebook(descriptor: descriptor_module.Descriptor) -> str:
    factors = load.read_resource(descriptor, "factors").sort_values(["domain", "factor_id"])
    near = codebook_module.neighbours(factors)
    return table(["factor", "label", "domain", "definition", "neighbours (from either side's `excludes`)"],
                 [(_code(f.factor_id), _cell(f.label), _cell(f.domain), _cell(f.definition),
                   ", ".join(_code(n) for n in near.get(f.factor_id, []))) for f in factors.itertuples()])


def glance_table(rows) -> str:
    """The comparison table (model.comparison) as Markdown: one row per person."""
    shown = comparison_model.display(rows)
    return table(list(shown.columns), [map(_cell, record) for record in shown.itertuples(index=False)])


def glance_columns() -> str:
    return table(["column", "what it holds"],
                 [(f"`{name}`", _cell(comparison_model.DESCRIPTIONS[name])) for name in comparison_model.COLUMNS])


def glance(rows, folder: Path) -> str:
    """The table and its note, which points at the package's own docs/comparison.md where it has one."""
    explained = ("[docs/comparison.md](docs/comparison.md)" if (folder / "docs" / "comparison.md").is_file()
                 else "the descriptions of the table `comparison_table` in `dist/exports/metadata.json`")
    return glance_table(rows) + (TEMPLATES / "glance-note.md").read_text(encoding="utf-8").format(explained=explained)


def schema_org_block(descriptor: descriptor_module.Descriptor, citation: dict, tables: dict) -> str:
    from . import metadata

    name = f"{descriptor.data['name']}-{descriptor.data['version']}.zip"
    files = [name, "datapackage.json"] + [r["path"] for r in descriptor.resources]
    document = metadata.schema_org(descriptor, citation, files, tables)
    text = metadata.jsonld_text(document)
    fence = _fence(text, 3)
    return ("<details><summary>schema.org <code>Dataset</code> (JSON-LD; the release carries the same as "
            f"<code>dataset.jsonld</code>, with every file of the archive)</summary>\n\n{fence}json\n"
            + text + f"{fence}\n\n</details>\n")


def makers(ctx, data) -> dict:
    """Each generated section's maker; `data`: the package's journeys, read when first needed."""
    from ..validation import catalogue
    from . import recipes, reliability

    d = ctx.descriptor
    measured = functools.cache(lambda: reliability.measured(d, data().tables))
    compared = functools.cache(lambda: comparison_model.build(data()).rows)  # two sections show it
    return {"tables": lambda: tables(d, data().tables), "data-dictionary": lambda: data_dictionary(d),
            "codebook": lambda: codebook(d), "how-to-cite": lambda: markdown(citation_module.how_to_cite(ctx.citation)),
            "journeys-at-a-glance": lambda: glance(compared(), ctx.folder) + reliability.glance_note(
                measured(), (ctx.folder / "docs" / "reliability.md").is_file()),
            "comparison-table": lambda: glance_table(compared()),
            "comparison-columns": glance_columns,
            "loading-recipes": lambda: recipes.render("dist/exports/", "datapackage.json", d.data["name"]),
            "schema-org": lambda: schema_org_block(d, ctx.citation, data().tables),
            "who": lambda: prose.who(journeys.lanes(data()), data().table("sources"), data().table("person_sources")),
            "texts": lambda: prose.texts(data().table("sources")),
            "reliability": lambda: reliability.summary(measured()),
            "reliability-rounds": lambda: reliability.detail(measured()),
            "validation-rules": lambda: catalogue.markdown(d)}


# The files that may hold generated sections, in the package's folder: the README, the comparison's page,
# the reliability report and the validator's list of rules.
GENERATED = ["README.md", "docs/comparison.md", "docs/reliability.md", "docs/validation.md"]


def current(ctx, data=None) -> list[tuple[Path, str, str]]:
    """(file, text now, text as it should be) for every file of the package of `ctx` (a Context)
    with generated sections, and its .zenodo.json."""
    made = makers(ctx, data or functools.cache(lambda: journeys.read(ctx.path)))
    out = []
    def body(name: str) -> str:
        if name not in made:
            raise descriptor_module.UnreadableInput(f"{path}: no generated section is named {name!r}; the sections "
                                                    f"are {', '.join(sorted(made))}")
        return made[name]()

    for path in (ctx.folder / name for name in GENERATED):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            out.append((path, text, prose.generated(text, body)))
    zenodo = ctx.folder / ".zenodo.json"
    if zenodo.is_file():
        from . import metadata

        out.append((zenodo, zenodo.read_text(encoding="utf-8"), metadata.zenodo_text(ctx.citation)))
    return out


def stale_prose(ctx, data=None) -> list[str]:
    """Counts of persons or texts in the package's hand-written prose (its README.md, descriptor,
    CITATION.cff and pyproject.toml, those it has) that its data does not bear out (`prose`)."""
    data = data or journeys.read(ctx.path)
    readme = ctx.folder / "README.md"
    citation = ctx.folder / citation_module.FILE
    return prose.stale(readme.read_text(encoding="utf-8") if readme.is_file() else "", ctx.descriptor.data,
                       citation_module.read(citation) if citation.is_file() else {},
                       prose.project_description(ctx.folder / "pyproject.toml"),
                       data.table("persons"), data.table("sources"))


def update(ctx, check: bool = False) -> int:
    """Rewrite the generated sections; with check, only report (exit 1) when one is stale. Either
    way, exit 1 when hand-written prose states a count the data does not bear out."""
    data = journeys.read(ctx.path)
    stale = 0
    for problem in stale_prose(ctx, data):
        print(f"error: {problem}", file=sys.stderr)
        stale = 1
    found = current(ctx, lambda: data)
    if all(prose.generated(text) == text for _, text, _ in found):
        print(f"note: nothing to regenerate: none of {', '.join(GENERATED)} has a generated section; add a pair "
              "such as <!-- BEGIN GENERATED: journeys-at-a-glance --> and <!-- END GENERATED: journeys-at-a-glance "
              f"--> to README.md (sections: {', '.join(sorted(makers(ctx, lambda: data)))})", file=sys.stderr)
    for path, text, rendered in found:
        if text == rendered:
            continue
        name = path.relative_to(ctx.folder) if path.is_relative_to(ctx.folder) else path
        if check:
            print(f"{name} is stale: run `make docs`", file=sys.stderr)
            stale = 1
        else:
            files.write_atomically(path, rendered)
            print(f"{name} updated")
    return stale
