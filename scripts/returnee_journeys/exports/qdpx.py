"""REFI-QDA (https://www.qdasoftware.org): the codebook as a `.qdc` file (exports and release), and the
whole coding as a `.qdpx` project, with the texts, built only on the user's machine (`make qdpx`),
never released: persons as cases with variables, texts as sources, a code per factor and Lee label,
per stage and per quoted table and field, a selection per quoted passage. GUIDs are UUIDv5, so a
rebuild gives the same bytes; both files are checked against REFI's schemas. docs/qda.md has it all."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from lxml import etree
from lxml.builder import ElementMaker

from ..model import files, journeys, paths
from ..model import texts as texts_module
from ..model.qda_codes import Code, Codebook, Guids, cell_text, factor_codes, package_name, rows_by_id
from .exporter import Exporter

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
STAGE_COLOUR, EVIDENCE_COLOUR = "#777777", "#BBBBBB"
# the persons' case variables: (name in the project, column of persons, REFI type)
VARIABLES = [("gender", "gender", "Text"), ("age", "age_reported", "Integer"), ("age as of", "age_as_of", "Text"),
             ("occupation", "occupation", "Text"), ("origin", "origin_location_id", "Text")]


def project_codebook(data: journeys.Journeys, guid: Guids, quoted: set[tuple[str, str]]) -> Codebook:
    """The factor codes, then one code per stage (grouped by person) and one per table and quote
    field for the other rows quoted (`quoted`: the (resource, field) pairs that have passages)."""
    book = factor_codes(data, guid)
    descriptor = data.descriptor
    names = journeys.person_names(data.table("persons"))
    locations = data.table("locations").set_index("location_id")["name"]
    moves = Code(guid("group", "moves"), "moves", False,
                 f"{descriptor.resource('stages').get('description', '')} One code per stage: it marks the stage's own "
                 "quotes and every coding of the move into it, so that passages can be filtered by move.")
    for person_id, person_stages in data.table("stages").sort_values(["person_id", "seq"]).groupby("person_id"):
        person = Code(guid("group", "moves", person_id), names.get(person_id, person_id), False,
                      f"The stages of person `{person_id}`, in the order of the journey.")
        for row in person_stages.itertuples(index=False):
            place = cell_text(locations.get(row.location_id)) or row.location_id
            dates = f"start {cell_text(row.start) or 'not known'}, end {cell_text(row.end) or 'not known'}"
            lines = [f"Stage {row.seq} of `{person_id}`: {row.stage_type} in {place}; {dates}."]
            lines += [f"Reason: {row.reason}"] if cell_text(row.reason) else []
            lines += [cell_text(row.notes)] if cell_text(row.notes) else []
            code = Code(guid("stage", row.stage_id), f"{row.stage_id}: {row.stage_type}, {place}", True,
                        "\n\n".join(lines), STAGE_COLOUR)
            person.children.append(code)
            book.stage_codes[row.stage_id] = code.guid
        moves.children.append(person)
    evidence = Code(guid("group", "evidence"), "quoted evidence", False,
                    "Passages quoted by the rows of the other tables: one code per table and quote field.")
    for resource in descriptor.resources:
        name, fields = resource["name"], descriptor.quote_fields(resource["name"])
        title = resource.get("title", name)
        for field_name in [f for f in fields if (name, f) in quoted and name not in ("codings", "stages")]:
            spec = descriptor.field(name, field_name)
            code = Code(guid("evidence", name, field_name),
                        title if len(fields) == 1 else f"{title}: {spec.get('title', field_name)}", True,
                        f"{resource.get('description', '')}\n\n{spec.get('description', '')}".strip(), EVIDENCE_COLOUR)
            evidence.children.append(code)
            book.evidence_codes[(name, field_name)] = code.guid
    book.codes += [group for group in (moves, evidence) if group.children]
    return book


@functools.cache
def schema(kind: str) -> etree.XMLSchema:
    """REFI's schema: kind "Project" or "Codebook" (bundled, see schemas/refi-qda/README.md)."""
    return etree.XMLSchema(etree.parse(str(paths.REFI_QDA_SCHEMAS / f"{kind}.xsd")))


def serialise(root: etree._Element, kind: str) -> bytes:
    """The document's bytes, after checking it against REFI's schema (a failure is a bug here)."""
    checker = schema(kind)
    if not checker.validate(root):
        raise RuntimeError(f"the {kind} XML is not valid against REFI's {kind}.xsd: {checker.error_log.last_error}")
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)


def _code_xml(E, code: Code):
    attributes = {"guid": code.guid, "name": code.name, "isCodable": "true" if code.codable else "false"}
    if code.color:
        attributes["color"] = code.color
    children = [E.Description(code.description)] if code.description else []
    return E.Code(*children, *[_code_xml(E, child) for child in code.children], **attributes)


def _origin(data: journeys.Journeys) -> str:
    return f"returnee-journeys ({data.descriptor.data.get('name', '')} {data.version})"


def codebook_xml(data: journeys.Journeys) -> bytes:
    """The `.qdc` file: the factor codes and the sets that gather each factor."""
    book = factor_codes(data, Guids(package_name(data)))
    E = ElementMaker(namespace=CODEBOOK_NS, nsmap={None: CODEBOOK_NS})
    sets = [E.Set(*([E.Description(s.description)] if s.description else []),
                  *[E.MemberCode(guid=m) for m in s.members], guid=s.guid, name=s.name) for s in book.sets]
    root = E.CodeBook(E.Codes(*[_code_xml(E, c) for c in book.codes]), *([E.Sets(*sets)] if sets else []),
                      origin=_origin(data))
    return serialise(root, "Codebook")


@dataclass(frozen=True)
class Selection:
    guid: str
    name: str
    passage: texts_module.Passage
    description: str
    codes: tuple[str, ...]
    persons: tuple[str, ...]
    rows: tuple[str, ...] = ()  # the names of the rows that quote the passage


def _in_text_order(chosen: list[Selection]) -> list[Selection]:
    return sorted(chosen, key=lambda s: (s.passage.source_id, s.passage.start, s.passage.end, s.name))


def selections(data: journeys.Journeys, passages: list[texts_module.Passage], book: Codebook,
               guid: Guids) -> list[Selection]:
    """One selection per passage, with the codes of its row: a coding's factor code and the code
    of the stage it bears on; a stage's code; otherwise the code of its table and quote field."""
    rows = rows_by_id(data, {p.resource for p in passages})
    stage_person = data.table("stages").set_index("stage_id")["person_id"].to_dict()
    out = []
    for p in passages:
        row = rows[p.resource][p.row_id]
        if p.resource == "codings":
            codes = (book.factor_codes[(row["lee_category"], cell_text(row["valence"]), row["factor_id"])],
                     book.stage_codes[row["stage_id"]])
        elif p.resource == "stages":
            codes = (book.stage_codes[p.row_id],)
        else:
            codes = (book.evidence_codes[(p.resource, p.field)],)
        if p.resource == "persons":
            person = p.row_id
        elif cell_text(row.get("person_id")):
            person = row["person_id"]
        else:
            person = stage_person.get(row.get("stage_id")) if cell_text(row.get("stage_id")) else None
        several = len(data.descriptor.quote_fields(p.resource)) > 1
        name = f"{p.resource}/{p.row_id}" + (f" {p.field}" if several else "") + (
            f" [{p.index + 1}/{p.count}]" if p.count > 1 else "")
        notes = cell_text(row.get("notes"))
        out.append(Selection(guid("selection", p.resource, p.row_id, p.field, str(p.index)), name, p,
                             f"{name}" + (f"\n\n{notes}" if notes else ""), codes, (person,) if person else (), (name,)))
    return _in_text_order(out)


def merged(chosen: list[Selection]) -> list[Selection]:
    """One selection per passage (text, start, end): the rows that quote the same passage share it,
    with every code of each row once, and a memo naming the rows (first paragraph, one per line)
    before their notes. A lone row's selection is kept as it is."""
    groups: dict[tuple[str, int, int], list[Selection]] = {}
    for s in chosen:
        groups.setdefault((s.passage.source_id, s.passage.start, s.passage.end), []).append(s)
    out = [group[0] for group in groups.values() if len(group) == 1]
    for group in (group for group in groups.values() if len(group) > 1):
        rows = tuple(r for s in group for r in s.rows)
        notes = [d.split("\n\n", 1)[1] for d in (s.description for s in group) if "\n\n" in d]
        out.append(Selection(group[0].guid, " + ".join(rows), group[0].passage, "\n\n".join(["\n".join(rows), *notes]),
                             tuple(dict.fromkeys(c for s in group for c in s.codes)),
                             tuple(dict.fromkeys(p for s in group for p in s.persons)), rows))
    return _in_text_order(out)


class Project:
    """project.qde and the source files of the `.qdpx`, from the package's rows and its texts."""

    def __init__(self, data: journeys.Journeys, texts: dict[str, str]):
        descriptor = data.descriptor
        self.data, self.texts, self.guid = data, texts, Guids(package_name(data))
        self.E = ElementMaker(namespace=PROJECT_NS, nsmap={None: PROJECT_NS})
        self.user = self.guid("user", "coders")
        self.created = {"creationDateTime": descriptor.created} if descriptor.created else {}
        self.persons = data.table("persons").sort_values("person_id")
        self.names = journeys.person_names(self.persons)
        self.source_guid = {s: self.guid("source", s) for s in data.table("sources")["source_id"]}
        self.case_guid = {pid: self.guid("case", pid) for pid in self.persons["person_id"]}
        further = data.tables.get("person_sources", pd.DataFrame(columns=["person_id", "source_id"]))
        self.texts_of = {pid: sorted({source, *further.loc[further["person_id"] == pid, "source_id"]})
                         for pid, source in self.persons[["person_id", "source_id"]].itertuples(index=False)}
        passages = texts_module.passages(descriptor, data.tables, texts)
        self.book = project_codebook(data, self.guid, {(p.resource, p.field) for p in passages})
        if len(self.persons):
            self.book.codes.append(self.case_codes())
        self.chosen = merged(selections(data, passages, self.book, self.guid) + self.whole_texts())

    def case_codes(self) -> Code:
        """The cases as codes with the cases' own GUIDs (as NVivo exports them; QualCoder turns a code
        whose GUID is a case's back into that case and its codings into the case's texts)."""
        group = Code(self.guid("group", "cases"), "cases", False,
                     "One code per case (person), with the case's GUID, coding the whole of each text that reports on "
                     "the person: how NVivo links cases to texts and QualCoder reads the link.")
        group.children = [Code(self.case_guid[pid], self.names[pid], True,
                               f"The case `{pid}`: the texts that report on it.", STAGE_COLOUR)
                          for pid in self.persons["person_id"]]
        return group

    def whole_texts(self) -> list[Selection]:
        """One selection per text over all of it, coded with the case code of every person it reports on."""
        out = []
        for sid in sorted(self.source_guid):
            persons = tuple(pid for pid, sources in sorted(self.texts_of.items()) if sid in sources)
            if not persons:
                continue
            text = self.texts[sid]
            passage = texts_module.Passage("sources", sid, "text", 0, 1, sid, 0, len(text), text)
            name = f"whole text {sid}"
            out.append(Selection(self.guid("selection", "whole-text", sid), name, passage,
                                 f"{name}: coded with the case of each person it reports on ({', '.join(persons)})",
                                 tuple(self.case_guid[p] for p in persons), persons, ()))
        return out

    def variables(self) -> tuple[etree._Element, dict[str, str]]:
        E = self.E
        guids = {name: self.guid("variable", name) for name, _, _ in VARIABLES}
        element = E.Variables(*[E.Variable(E.Description(self.data.descriptor.field("persons", column)["description"]),
                                           guid=guids[name], name=name, typeOfVariable=kind)
                                for name, column, kind in VARIABLES])
        return element, guids

    def cases(self, variables: dict[str, str]) -> list[etree._Element]:
        E = self.E
        locations = self.data.table("locations").set_index("location_id")["name"]
        cases = []
        for person in self.persons.to_dict("records"):
            pid = person["person_id"]
            values = []
            for name, column, kind in VARIABLES:
                value = person[column]
                if pd.isna(value):
                    continue
                if column == "origin_location_id":
                    value = cell_text(locations.get(value)) or value
                element = E.IntegerValue(str(int(value))) if kind == "Integer" else E.TextValue(str(value))
                values.append(E.VariableValue(E.VariableRef(targetGUID=variables[name]), element))
            party = f", travel party `{person['travel_party']}`" if cell_text(person["travel_party"]) else ""
            lines = [f"Person `{pid}`{party}."] + ([cell_text(person["notes"])] if cell_text(person["notes"]) else [])
            cases.append(E.Case(E.Description("\n\n".join(lines)), *values,
                                *[E.SourceRef(targetGUID=self.source_guid[s]) for s in self.texts_of[pid]
                                  if s in self.source_guid],
                                *[E.SelectionRef(targetGUID=s.guid) for s in self.chosen if pid in s.persons],
                                guid=self.case_guid[pid], name=self.names[pid]))
        return cases

    def sources(self) -> tuple[list[etree._Element], dict[str, bytes]]:
        E, user, created = self.E, self.user, self.created
        contents, sources = {}, []
        for source in self.data.table("sources").sort_values("source_id").to_dict("records"):
            sid = source["source_id"]
            file_name = f"{self.source_guid[sid]}.txt"
            contents[f"sources/{file_name}"] = self.texts[sid].encode("utf-8")
            about = [f"{cell_text(source['outlet'])}: {cell_text(source['title']) or sid}"]
            about += [f"{label}: {source[column]}" for label, column in
                      (("Author", "author"), ("Published", "published"), ("Address", "url"),
                       ("Coded copy", "coded_copy_url")) if cell_text(source[column])]
            about += [f"The text as coded (sha256 {source['text_sha256']}), copyrighted: for the user's own analysis, "
                      "never to be redistributed."]
            selected = [E.PlainTextSelection(
                E.Description(s.description),
                *[E.Coding(E.CodeRef(targetGUID=code), guid=self.guid("coding", s.guid, code), creatingUser=user,
                           **created) for code in s.codes],
                guid=s.guid, name=s.name, startPosition=str(s.passage.start), endPosition=str(s.passage.end),
                creatingUser=user, **created) for s in self.chosen if s.passage.source_id == sid]
            sources.append(E.TextSource(E.Description("\n".join(about)), *selected, guid=self.source_guid[sid], name=sid,
                                        plainTextPath=f"internal://{file_name}", creatingUser=user, **created))
        return sources, contents

    def xml(self) -> tuple[bytes, dict[str, bytes]]:
        """project.qde and the source files (archive name → bytes) of the `.qdpx`."""
        E, descriptor, book = self.E, self.data.descriptor, self.book
        variables_xml, variables = self.variables()
        cases = self.cases(variables)
        sources, contents = self.sources()
        sets = [E.Set(E.Description(s.description), *[E.MemberCode(targetGUID=m) for m in s.members],
                      guid=s.guid, name=s.name) for s in book.sets]
        contributors = descriptor.data.get("contributors") or [{}]
        root = E.Project(
            E.Users(E.User(guid=self.user, name=contributors[0].get("title", "coders"), id="coders")),
            E.CodeBook(E.Codes(*[_code_xml(E, c) for c in book.codes])), variables_xml,
            *([E.Cases(*cases)] if cases else []), *([E.Sources(*sources)] if sources else []),
            *([E.Sets(*sets)] if sets else []),
            E.Description(f"{descriptor.data.get('description', '')}\n\nBuilt by `make qdpx` from the package and the "
                          "source texts on this machine. The texts are copyrighted: keep this file for your own "
                          "analysis and do not redistribute it."),
            name=descriptor.data.get("title", descriptor.data.get("name", "")), origin=_origin(self.data),
            creatingUserGUID=self.user, **self.created)
        return serialise(root, "Project"), contents


def build(ctx, out: Path | None = None) -> Path:
    """`<out>/<name>.qdpx` (default: the package's dist/exports/) from the package of `ctx` (a Context)
    and its texts (`ctx.sources`), which must all be there and match their sha256 (else
    UnreadableInput: exit 2, nothing written). A folder named with --out must be new, empty or one
    `qdpx` wrote before."""
    default = out is None or files.same_path(out, ctx.exports)
    out = ctx.exports if out is None else out
    data = journeys.read(ctx.path)
    qde, sources = Project(data, texts_module.verified(data.table("sources"), ctx.sources)).xml()
    with files.OutputFolder(out, "qdpx", strict=not default) as output:
        if not default:
            output.mark()
        return files.write_atomically(out / f"{package_name(data)}.qdpx",
                                      files.zip_bytes({"project.qde": qde, **sources}))


EXPORTER = Exporter("refi-qda codebook",  # (the .qdpx, with the texts, is `make qdpx`); a codebook needs a code
                    lambda job, folder: [files.write_atomically(folder / f"{job.name}.qdc", codebook_xml(job.data))]
                    if len(job.data.table("factors")) else [])
