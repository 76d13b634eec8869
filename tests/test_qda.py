"""REFI-QDA codebook and project, and W3C web annotations: valid against REFI's schemas, every
selection and selector at the quoted passage, deterministic, never built from a wrong text.

Most tests run on a small synthetic package whose quotes are set to passages of synthetic texts
(with characters outside the BMP, so that code points, UTF-16 units and bytes all differ); the
real package is checked generically, row by row, when its texts are present.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import uuid
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from lxml import etree

from returnee_journeys import cli
from returnee_journeys.bench import synthetic
from returnee_journeys.context import Context
from returnee_journeys.exports import qdpx
from returnee_journeys.exports import web_annotations
from returnee_journeys.exports.exporter import Job
from returnee_journeys.model import descriptor as descriptor_module
from returnee_journeys.model import journeys
from returnee_journeys.model import texts as texts_module
from returnee_journeys.publish import release

pytestmark = pytest.mark.xdist_group("qda")  # one worker builds its module fixtures

JOINER = " … "
P = "{urn:QDA-XML:project:1.0}"
C = "{urn:QDA-XML:codebook:1.0}"


# ---------------------------------------------------------------- a coded synthetic package


def _read_csv(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _write_csv(path: Path, rows: list[dict], header: list[str]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def make_coded_package(root: Path) -> tuple[Path, Path]:
    """A synthetic package (5 persons) with two texts; every quote of every row is rewritten into
    one or two passages that occur once in its text, some passages quoted by two rows."""
    descriptor_path = synthetic.generate(5, root / "package", seed=7)
    descriptor = descriptor_module.read(descriptor_path)
    sources = _read_csv(descriptor.csv_path("sources"))
    second = dict(sources[0], source_id="synthetic-second", url="", coded_copy_url="")
    sources[0].update(url="https://example.org/first", coded_copy_url="https://example.org/first-copy")
    sources.append(second)
    paragraphs = {s["source_id"]: [] for s in sources}
    counter = 0
    for resource in descriptor.resources:
        fields = descriptor.quote_fields(resource["name"])
        if not fields:
            continue
        path = descriptor.csv_path(resource["name"])
        rows = _read_csv(path)
        previous = {}
        for number, row in enumerate(rows):
            if number % 2:
                row["source_id"] = "synthetic-second"
            for field in fields:
                source = row["source_id"]
                if number % 7 == 3 and previous.get(source):   # quote the same passage as an earlier row
                    row[field] = previous[source]
                    continue
                parts = []
                for _ in range(2 if number % 3 == 0 else 1):
                    counter += 1
                    parts.append(f"“Q{counter:05d}” — emigré’s 𝄞 passage {counter:05d} ends")
                paragraphs[source].append(f"Filler 𝄞 before Q{counter:05d}. {parts[0]} and on.")
                if len(parts) > 1:
                    paragraphs[source].append(f"{parts[1]}, then a line of 𝄞 text that runs well beyond thirty-two.")
                row[field] = JOINER.join(parts)
                previous[source] = row[field]
        _write_csv(path, rows, [f["name"] for f in resource["schema"]["fields"]])
    folder = root / "sources"
    folder.mkdir()
    for source in sources:
        text = "Headline 𝄞\n" + "\n".join(paragraphs[source["source_id"]]) + "\n"
        raw = text.encode("utf-8")
        (folder / f"{source['source_id']}.txt").write_bytes(raw)
        source["text_sha256"] = hashlib.sha256(raw).hexdigest()
    _write_csv(descriptor.csv_path("sources"), sources, [f["name"] for f in descriptor.fields("sources")])
    return descriptor_path, folder


def expected_fragments(data: journeys.Journeys) -> dict[str, tuple[str, str]]:
    """Selection name → (source_id, fragment), worked out from the tables alone."""
    out = {}
    for resource in data.descriptor.resources:
        name = resource["name"]
        fields = data.descriptor.quote_fields(name)
        key = data.descriptor.primary_key(name)
        for row in data.table(name).to_dict("records"):
            for field in fields:
                quote = row[field]
                if not isinstance(quote, str):
                    continue
                parts = quote.split(JOINER)
                for i, part in enumerate(parts):
                    label = f"{name}/{'/'.join(str(row[k]) for k in key)}" + (f" {field}" if len(fields) > 1 else "")
                    label += f" [{i + 1}/{len(parts)}]" if len(parts) > 1 else ""
                    second = row.get(data.descriptor.field(name, field).get("sourceField", "source_id"))
                    out[label] = (second if isinstance(second, str) else row["source_id"], part)
    return out


@pytest.fixture(scope="module")
def coded(tmp_path_factory):
    root = tmp_path_factory.mktemp("qda")
    descriptor_path, folder = make_coded_package(root)
    data = journeys.read(descriptor_path)
    texts = {p.stem: p.read_text(encoding="utf-8") for p in folder.glob("*.txt")}
    archive = qdpx.build(Context.open(descriptor_path, sources=folder), root / "out")
    return {"root": root, "descriptor": descriptor_path, "sources": folder, "data": data, "texts": texts,
            "archive": archive}


@pytest.fixture(scope="module")
def project(coded):
    with zipfile.ZipFile(coded["archive"]) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    return etree.fromstring(members["project.qde"]), members


def code_index(root, ns=P) -> dict[str, tuple[etree._Element, list[str]]]:
    """guid → (Code element, names of its ancestors' codes, outermost first)."""
    out = {}

    def walk(element, trail):
        for code in element.findall(f"{ns}Code"):
            out[code.get("guid")] = (code, trail)
            walk(code, trail + [code.get("name")])
    for codes in root.iter(f"{ns}Codes"):
        walk(codes, [])
    return out


def is_whole_text(selection) -> bool:
    return selection.get("name").startswith("whole text ")


def rows_of(selection) -> list[str]:
    """The rows a selection stands for: its memo's first paragraph, one row name per line."""
    return selection.findtext(f"{P}Description").split("\n\n")[0].splitlines()


def row_fragments(root, texts: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Row name → (source_id, the text its selection slices), over every selection but the whole texts."""
    seen = {}
    for source in root.iter(f"{P}TextSource"):
        text = texts[source.get("name")]
        for selection in source.iter(f"{P}PlainTextSelection"):
            if is_whole_text(selection):
                continue
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            for row in rows_of(selection):
                assert row not in seen, row
                seen[row] = (source.get("name"), text[start:end])
    return seen


# ---------------------------------------------------------------- the project


def test_every_selection_slices_its_text_to_the_quoted_fragment(coded, project):
    root, members = project
    expected = expected_fragments(coded["data"])
    for source in root.iter(f"{P}TextSource"):
        path = source.get("plainTextPath")
        assert path == f"internal://{source.get('guid')}.txt"
        text = members[f"sources/{path.removeprefix('internal://')}"].decode("utf-8")
        assert text == coded["texts"][source.get("name")]
    assert row_fragments(root, coded["texts"]) == expected
    assert any(len(f) != len(f.encode("utf-16-le")) // 2 for _, f in expected.values())  # offsets in code points


def test_rows_quoting_one_passage_share_one_selection_and_every_coding_survives_a_qualcoder_import(coded, project):
    """QualCoder keeps one coding per (code, text, start, end, coder) (a UNIQUE constraint): a second
    one is dropped. One selection per passage, with each code once, loses none; the synthetic
    package has rows quoting the same passage."""
    root, _ = project
    spans = [(src.get("name"), s.get("startPosition"), s.get("endPosition"))
             for src in root.iter(f"{P}TextSource") for s in src.iter(f"{P}PlainTextSelection")]
    assert len(spans) == len(set(spans))
    shared = [s for s in root.iter(f"{P}PlainTextSelection") if len(rows_of(s)) > 1]
    assert shared, "the synthetic package quotes some passages twice"
    for selection in shared:
        assert selection.get("name") == " + ".join(rows_of(selection))
    codings = [(src.get("name"), s.get("startPosition"), s.get("endPosition"), c.find(f"{P}CodeRef").get("targetGUID"),
                c.get("creatingUser")) for src in root.iter(f"{P}TextSource") for s in src.iter(f"{P}PlainTextSelection")
               for c in s.iter(f"{P}Coding")]
    assert len(codings) == len(set(codings))


def test_texts_in_the_project_are_utf8_with_lf_and_no_bom(project):
    _, members = project
    for name, content in members.items():
        if name.startswith("sources/"):
            assert not content.startswith(b"\xef\xbb\xbf") and b"\r" not in content
            content.decode("utf-8")


def test_coded_rows_carry_their_factor_and_stage_codes(coded, project):
    root, _ = project
    data = coded["data"]
    codes = code_index(root)
    labels = data.descriptor.lee_labels()
    factors = data.table("factors").set_index("factor_id")["label"]
    codings = data.table("codings").set_index("coding_id")
    checked = 0
    for selection in root.iter(f"{P}PlainTextSelection"):
        if is_whole_text(selection):
            continue
        names = [(codes[ref.get("targetGUID")][0].get("name"), tuple(codes[ref.get("targetGUID")][1]))
                 for ref in selection.iter(f"{P}CodeRef")]
        wanted = set()
        for name in rows_of(selection):
            resource, rest = name.split("/", 1)
            row_id = rest.split(" ")[0]
            if resource == "codings":
                row = codings.loc[row_id]
                label = labels[(row["lee_category"], "" if row.isna()["valence"] else row["valence"])]
                wanted.add((f"{factors[row['factor_id']]} ({label})", (f"{row['lee_category']} factors", label)))
                stage = [(n, t) for n, t in names if n.startswith(f"{row['stage_id']}: ") and t[0] == "moves"]
                assert len(stage) == 1
                wanted.add(stage[0])
                checked += 1
            elif resource == "stages":
                stage = [(n, t) for n, t in names if n.startswith(f"{row_id}: ")]
                assert len(stage) == 1
                wanted.add(stage[0])
            else:
                evidence = [(n, t) for n, t in names if t == ("quoted evidence",)]
                assert evidence
                wanted |= set(evidence)
        assert set(names) == wanted and len(names) == len(wanted)  # each row's codes, each once, nothing else
    assert checked >= len(codings)


def test_codebook_holds_every_factor_with_its_definition_grouped_by_lee_label(coded):
    data = coded["data"]
    root = etree.fromstring(qdpx.codebook_xml(data))
    codes = code_index(root, C)
    factors = data.table("factors").set_index("factor_id")
    codings = data.table("codings")
    labels = data.descriptor.lee_labels()
    expected = {(f"{factors.loc[f, 'label']} ({labels[(c, '' if v != v else v)]})", c, labels[(c, '' if v != v else v)])
                for c, v, f in codings[["lee_category", "valence", "factor_id"]].astype(object).itertuples(index=False)}
    codable = {(e.get("name"), trail[0].removesuffix(" factors"), trail[1])
               for e, trail in codes.values() if e.get("isCodable") == "true"}
    assert codable == expected
    definitions = {e.findtext(f"{C}Description").split("\n\n")[0] for e, _ in codes.values()
                   if e.get("isCodable") == "true"}
    assert definitions <= set(factors["definition"])
    sets = {s.get("name"): {m.get("guid") for m in s.iter(f"{C}MemberCode")} for s in root.iter(f"{C}Set")}
    assert set(sets) == set(factors["label"])
    for name, members in sets.items():
        assert members and all(codes[m][0].get("name").startswith(name) for m in members)


def test_cases_are_the_persons_with_their_variables(coded, project):
    root, _ = project
    data = coded["data"]
    persons = data.table("persons").set_index("person_id")
    variables = {v.get("guid"): v.get("name") for v in root.iter(f"{P}Variable")}
    assert set(variables.values()) >= {"gender", "age", "occupation", "origin"}
    selections = {s.get("guid") for s in root.iter(f"{P}PlainTextSelection")}
    cases = list(root.iter(f"{P}Case"))
    assert len(cases) == len(persons)
    for case in cases:
        pid = case.findtext(f"{P}Description").split("`")[1]
        values = {variables[v.find(f"{P}VariableRef").get("targetGUID")]: v[1].text
                  for v in case.iter(f"{P}VariableValue")}
        person = persons.loc[pid]
        assert values.get("gender") == (None if person.isna()["gender"] else person["gender"])
        assert values.get("age") == (None if person.isna()["age_reported"] else str(person["age_reported"]))
        refs = [r.get("targetGUID") for r in case.iter(f"{P}SelectionRef")]
        assert refs and set(refs) <= selections


def test_cases_reach_their_texts_as_qualcoder_and_nvivo_read_them(coded, project):
    """A code with the case's GUID codes the whole of each text that reports on the person: QualCoder
    (refi.py, clean_up_case_codes_and_case_text) turns it into the case and the coding into its case
    text; NVivo writes cases this way. The REFI SourceRefs stay for the tools that read them."""
    root, _ = project
    data = coded["data"]
    persons = data.table("persons").set_index("person_id")
    further = data.table("person_sources") if "person_sources" in data.tables else None
    sources = {s.get("guid"): (s.get("name"), len(coded["texts"][s.get("name")])) for s in root.iter(f"{P}TextSource")}
    codes = code_index(root)
    linked = {}
    for source in root.iter(f"{P}TextSource"):
        for selection in source.iter(f"{P}PlainTextSelection"):
            for ref in selection.iter(f"{P}CodeRef"):
                linked.setdefault(ref.get("targetGUID"), set()).add(
                    (source.get("name"), int(selection.get("startPosition")), int(selection.get("endPosition"))))
    for case in root.iter(f"{P}Case"):
        pid = case.findtext(f"{P}Description").split("`")[1]
        texts = {persons.loc[pid, "source_id"]}
        if further is not None:
            texts |= set(further.loc[further["person_id"] == pid, "source_id"])
        code, trail = codes[case.get("guid")]
        assert code.get("name") == case.get("name") and trail == ["cases"]
        assert linked[case.get("guid")] == {(t, 0, sources[qdpx.Guids(data.descriptor.data["name"])("source", t)][1])
                                            for t in texts}
        assert {sources[r.get("targetGUID")][0] for r in case.iter(f"{P}SourceRef")} == texts


def test_guids_are_uuid5_and_unique(project):
    root, _ = project
    cases = {c.get("guid") for c in root.iter(f"{P}Case")}
    guids = [e.get("guid") for e in root.iter() if e.get("guid") and not (e.tag == f"{P}Code" and e.get("guid") in cases)]
    assert len(guids) == len(set(guids))  # only a case's code shares its GUID, as NVivo and QualCoder expect
    assert all(uuid.UUID(g).version == 5 for g in guids)
    targets = {e.get("targetGUID") for e in root.iter() if e.get("targetGUID")}
    assert targets <= set(guids)


def test_files_are_valid_against_refis_schemas_and_the_check_can_fail(coded, project):
    root, _ = project
    assert qdpx.schema("Project").validate(root)
    codebook = etree.fromstring(qdpx.codebook_xml(coded["data"]))
    assert qdpx.schema("Codebook").validate(codebook)
    broken = etree.fromstring(etree.tostring(codebook))
    del broken.find(f"{C}Codes/{C}Code").attrib["isCodable"]
    assert not qdpx.schema("Codebook").validate(broken)
    with pytest.raises(RuntimeError, match="not valid"):
        qdpx.serialise(broken, "Codebook")


def test_rebuilds_are_byte_identical_and_the_zip_is_normalised(coded):
    again = qdpx.build(Context.open(coded["descriptor"], sources=coded["sources"]), coded["root"] / "again")
    assert again.read_bytes() == coded["archive"].read_bytes()
    with zipfile.ZipFile(again) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {(i.date_time, i.external_attr >> 16) for i in infos} == {((1980, 1, 1, 0, 0, 0), 0o644)}
    assert qdpx.codebook_xml(coded["data"]) == qdpx.codebook_xml(journeys.read(coded["descriptor"]))


def test_round_trip_through_an_independent_reader(coded, project, tmp_path):
    """pyrefiqda (xsdata models generated from REFI's schemas) reads back the same codes and selections."""
    from pyrefiqda import RefiCodebook, RefiProject

    qdc = tmp_path / "codebook.qdc"
    qdc.write_bytes(qdpx.codebook_xml(coded["data"]))
    book = RefiCodebook.load(qdc)

    def flat(codes):
        for code in codes:
            yield code.guid, code.name, code.is_codable, code.description
            yield from flat(code.code)
    ours = {(c.get("guid"), c.get("name"), c.get("isCodable") == "true", c.findtext(f"{C}Description"))
            for c in etree.fromstring(qdc.read_bytes()).iter(f"{C}Code")}
    assert set(flat(book.codes.code)) == ours
    assert {s.name for s in book.sets.set} == set(coded["data"].table("factors")["label"])

    read = RefiProject.load(coded["archive"], extract_dir=str(tmp_path / "extracted"))
    root, members = project
    theirs = {}
    for source in read.sources.text_source:
        file = source.plain_text_path.removeprefix("internal://")
        text = (tmp_path / "extracted" / "sources" / file).read_text(encoding="utf-8")
        for s in source.plain_text_selection:
            theirs[s.name] = (text[s.start_position:s.end_position],
                              sorted(c.code_ref.target_guid for c in s.coding))
    ours = {s.get("name"): sorted(r.get("targetGUID") for r in s.iter(f"{P}CodeRef"))
            for s in root.iter(f"{P}PlainTextSelection")}
    expected = expected_fragments(coded["data"])
    rows = {s.get("name"): rows_of(s) for s in root.iter(f"{P}PlainTextSelection") if not is_whole_text(s)}
    assert {row: text for name, (text, _) in theirs.items() if name in rows for row in rows[name]} \
        == {name: f for name, (_, f) in expected.items()}
    assert {name: refs for name, (_, refs) in theirs.items()} == ours
    assert len(read.cases.case) == len(coded["data"].table("persons"))


def test_a_wrong_missing_or_linked_text_is_refused_with_exit_2(coded, tmp_path, capsys):
    sources = coded["data"].table("sources")
    for name, error, words in (("wrong", texts_module.TextsNotVerified, "sha256"),
                               ("missing", texts_module.TextsMissing, "not found"),
                               ("linked", texts_module.TextsNotVerified, "regular file")):
        folder = tmp_path / name
        folder.mkdir()
        for text in coded["sources"].glob("*.txt"):
            (folder / text.name).write_bytes(text.read_bytes())
        victim = sorted(folder.glob("*.txt"))[0]
        if name == "wrong":
            victim.write_bytes(victim.read_bytes() + b" ")
        else:
            victim.unlink()
        if name == "linked":
            victim.symlink_to(coded["sources"] / victim.name)
        with pytest.raises(error, match=words) as raised:
            texts_module.verified(sources, folder)
        assert victim.stem in str(raised.value)
    out = tmp_path / "out"
    assert cli.main(["qdpx", "--package", str(coded["descriptor"]), "--sources", str(tmp_path / "wrong"),
                     "--out", str(out)]) == 2
    assert "not the copy that was coded" in capsys.readouterr().err
    assert not out.exists()


def test_a_quote_not_found_once_stops_the_build(coded):
    data = coded["data"]
    texts = dict(coded["texts"])
    source, fragment = next(iter(expected_fragments(data).values()))
    for changed in (texts[source].replace(fragment, ""), texts[source] + fragment):
        with pytest.raises(journeys.InvalidData, match="not once"):
            texts_module.passages(data.descriptor, data.tables, {**texts, source: changed})


# ---------------------------------------------------------------- web annotations


@pytest.fixture(scope="module")
def annotations(coded):
    path = web_annotations.write(coded["data"], coded["texts"], coded["root"] / "annotations.jsonld")
    return json.loads(path.read_text(encoding="utf-8"))


def test_one_annotation_per_quoted_row_and_field(coded, annotations):
    data = coded["data"]
    expected = sum(data.table(r["name"])[f].notna().sum() for r in data.descriptor.resources
                   for f in data.descriptor.quote_fields(r["name"]))
    items = annotations["first"]["items"]
    assert annotations["type"] == "AnnotationCollection" and annotations["total"] == len(items) == expected
    assert annotations["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert len({a["id"] for a in items}) == len(items)
    described = {b["value"].split(":")[0] for a in items for b in a["body"] if b["purpose"] == "describing"}
    rows = {name.split(" [")[0].replace(" ", ", ") for name in expected_fragments(data)}
    assert described == rows


def test_selectors_hold_the_quote_and_at_most_32_characters_of_context(coded, annotations):
    data = coded["data"]
    sources = data.table("sources").set_index("source_id")
    by_address = {}
    for sid, row in sources.iterrows():
        address = row["coded_copy_url"] if isinstance(row["coded_copy_url"], str) else (
            row["url"] if isinstance(row["url"], str) else None)
        by_address[address or web_annotations.target_source({"text_sha256": row["text_sha256"]})] = coded["texts"][sid]
    excerpts = {address for address, sid in zip(by_address, sources.index)
                if sources.at[sid, "text_extent"] == web_annotations.EXCERPTS}
    fragments = {f for _, f in expected_fragments(data).values()}
    contexts = 0
    kinds = set()
    for annotation in annotations["first"]["items"]:
        for target in annotation["target"]:
            text = by_address[target["source"]]
            kinds.add(target["source"] in excerpts)
            if target["source"] in excerpts:  # positions in an excerpt file are not the article's
                assert target["selector"] == [{"type": "TextQuoteSelector", "exact": target["selector"][0]["exact"]}]
                assert target["selector"][0]["exact"] in fragments
                continue
            quote, position = target["selector"]
            assert set(quote) <= {"type", "exact", "prefix", "suffix"} and quote["exact"] in fragments
            assert text[position["start"]:position["end"]] == quote["exact"]
            prefix, suffix = quote.get("prefix", ""), quote.get("suffix", "")
            assert len(prefix) <= 32 and len(suffix) <= 32 and "\n" not in prefix + suffix
            assert text[position["start"] - len(prefix):position["start"]] == prefix
            assert text[position["end"]:position["end"] + len(suffix)] == suffix
            contexts += len(prefix) + len(suffix)
    assert contexts > 0 and kinds == {True, False}
    assert any(t["source"].startswith("ni:///sha-256;") for a in annotations["first"]["items"] for t in a["target"])


def test_bodies_name_the_code_stage_or_field(coded, annotations):
    data = coded["data"]
    codings = data.table("codings").set_index("coding_id")
    labels = set(data.descriptor.lee_labels().values())
    for annotation in annotations["first"]["items"]:
        described = next(b["value"] for b in annotation["body"] if b["purpose"] == "describing")
        resource, row_id = described.split(":")[0].split(", ")[0].split("/", 1)
        tags = [b["value"] for b in annotation["body"] if b["purpose"] in ("classifying", "tagging")]
        if resource == "codings":
            row = codings.loc[row_id]
            assert tags[0] == row["factor_id"] and tags[1] in labels and tags[2] == row["stage_id"]
        elif resource == "stages":
            assert tags[0] == row_id
        else:
            assert tags[0].startswith(f"{resource}.")


def test_annotations_are_deterministic_and_need_the_texts(coded, annotations, tmp_path):
    again = web_annotations.serialise(web_annotations.collection(coded["data"], coded["texts"]))
    assert json.loads(again) == annotations
    assert again == (coded["root"] / "annotations.jsonld").read_bytes()
    assert Job(SimpleNamespace(sources=tmp_path), coded["data"], None).texts is None  # the exporter is skipped


# terms and vocabulary of the W3C context http://www.w3.org/ns/anno.jsonld that this file may use;
# a JSON-LD processor drops any key the context does not define
ANNO_TERMS = {"id", "type", "label", "total", "first", "last", "next", "prev", "partOf", "items", "startIndex",
              "motivation", "created", "modified", "generated", "creator", "generator", "rights", "name", "body",
              "target", "source", "selector", "purpose", "value", "format", "language", "exact", "prefix", "suffix",
              "start", "end", "scope", "state", "refinedBy", "canonical", "via"}
ANNO_VOCABULARY = {"Annotation", "AnnotationCollection", "AnnotationPage", "TextualBody", "SpecificResource",
                   "TextQuoteSelector", "TextPositionSelector", "Organization", "Person", "Software",
                   "classifying", "tagging", "describing", "identifying", "commenting", "linking"}


def test_every_key_and_type_is_a_term_of_the_annotation_context(annotations):
    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                assert key == "@context" or key in ANNO_TERMS, key
                if key in ("type", "motivation", "purpose"):
                    assert value in ANNO_VOCABULARY, value
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(annotations)


def test_target_is_the_coded_copy_else_the_article_else_the_text_hash():
    digest = "00" * 32
    target = web_annotations.target_source
    assert target({"coded_copy_url": "https://a/copy", "url": "https://a", "text_sha256": digest}) == "https://a/copy"
    assert target({"coded_copy_url": None, "url": "https://a", "text_sha256": digest}) == "https://a"
    assert target({"text_sha256": digest}) == "ni:///sha-256;" + "A" * 43


# ---------------------------------------------------------------- release and exports


def test_exports_hold_the_codebook_and_the_annotations_when_the_texts_are_there(coded, annotations, monkeypatch):
    from returnee_journeys import exports

    monkeypatch.setenv("SOURCES_DIR", str(coded["sources"]))
    written = {p.name: p for p in exports.write_all(Context.open(coded["descriptor"], sources=coded["sources"]), coded["root"] / "exports")}
    assert written["russian-returnee-journeys.qdc"].read_bytes() == qdpx.codebook_xml(coded["data"])
    assert written["annotations.jsonld"].read_bytes() == (coded["root"] / "annotations.jsonld").read_bytes()
    assert not any(name.endswith(".qdpx") for name in written)


def test_the_release_never_holds_a_qdpx(tmp_path, fixture_package, fixture_descriptor):
    """The release's exports are its one entry for them (CONTENTS): that entry leaves a .qdpx out."""
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "p.qdc").write_text("<x/>", encoding="utf-8")
    (exports / "p.qdpx").write_bytes(b"PK")
    [entry] = [e for e in release.CONTENTS if e.name == "exports/"]
    built = release.Release(root=fixture_package, exports=exports, figures=fixture_package / "figures",
                            descriptor=fixture_descriptor, citation={})
    names = [name for name, _ in entry.files(built)]
    assert names == ["exports/p.qdc"]


def test_the_release_refuses_to_build_without_the_texts(package_copy, tmp_path, capsys):
    empty = tmp_path / "no-texts"
    empty.mkdir()
    before = sorted(package_copy.rglob("*"))
    assert cli.main(["release", str(package_copy), "--sources", str(empty), "--out", str(tmp_path / "dist")]) == 2
    assert "needs the source texts" in capsys.readouterr().err
    assert not (tmp_path / "dist").exists() and sorted(package_copy.rglob("*")) == before


def test_the_release_exports_its_own_data_not_what_dist_exports_holds(package_copy, fixture_sources, tmp_path):
    """A team writes the exports, corrects a cell, then makes the release: the zip's exports are those of
    the corrected data (as its figures are), not the stale ones left in dist/exports/."""
    from mutations import set_cell

    sources = ["--sources", str(fixture_sources)]
    assert cli.main(["exports", str(package_copy), *sources]) == 0
    set_cell(package_copy, "persons", "ivan", "occupation", "carpenter")
    assert cli.main(["release", str(package_copy), *sources, "--out", str(tmp_path / "dist")]) == 0
    with zipfile.ZipFile(next((tmp_path / "dist").glob("*.zip"))) as archive:
        persons = pd.read_parquet(io.BytesIO(archive.read("exports/parquet/persons.parquet")))
        assert "exports/annotations.jsonld" in archive.namelist()
    assert persons.set_index("person_id").at["ivan", "occupation"] == "carpenter"


# ---------------------------------------------------------------- the fixture package, with its texts


def test_fixture_package_every_selection_and_selector_is_at_its_passage(fixture_package, fixture_sources, tmp_path):
    """The frozen fixture's quotes (cut from its own two texts) as the REFI-QDA project and the web
    annotations place them: at their passages, with short prefixes and suffixes."""
    data = journeys.read(fixture_package / "datapackage.json")
    archive = qdpx.build(Context.open(fixture_package, sources=fixture_sources), tmp_path)
    with zipfile.ZipFile(archive) as opened:
        root = etree.fromstring(opened.read("project.qde"))
        texts = {s.get("name"): opened.read(f"sources/{s.get('guid')}.txt").decode("utf-8")
                 for s in root.iter(f"{P}TextSource")}
    assert qdpx.schema("Project").validate(root)
    assert row_fragments(root, texts) == expected_fragments(data)
    collection = web_annotations.collection(data, texts)
    for annotation in collection["first"]["items"]:
        for target in annotation["target"]:
            quote, position = target["selector"]
            assert len(quote.get("prefix", "")) <= 32 and len(quote.get("suffix", "")) <= 32
            assert any(t[position["start"]:position["end"]] == quote["exact"] for t in texts.values())
    assert collection["first"]["items"]
    assert os.stat(archive).st_mode & 0o777 == 0o644


def test_a_quote_from_a_second_text_is_placed_in_that_text(tmp_path, fixture_sources):
    """A discrepancy between two texts: its quote_b is selected and annotated in its own text (source_id_b)."""
    import journeys as added

    package, sources = added.package_with(tmp_path, fixture_sources, added.TEXTS_DISAGREE)
    data = journeys.read(package / "datapackage.json")
    archive = qdpx.build(Context.open(package, sources=sources), tmp_path / "out")
    with zipfile.ZipFile(archive) as opened:
        root = etree.fromstring(opened.read("project.qde"))
        texts = {s.get("name"): opened.read(f"sources/{s.get('guid')}.txt").decode("utf-8")
                 for s in root.iter(f"{P}TextSource")}
    placed = row_fragments(root, texts)
    assert placed["discrepancies/olga-x02 quote_b"] == ("bulletin-olga", "went to the Southern Union in August 2022")
    assert placed["discrepancies/olga-x02 quote_a"][0] == "gazette-ivan-olga"
    address = web_annotations.target_source(data.table("sources").set_index("source_id").loc["bulletin-olga"])
    annotation = next(a for a in web_annotations.collection(data, texts)["first"]["items"]
                      if any(b["value"].startswith("discrepancies/olga-x02, quote_b") for b in a["body"]))
    assert [t["source"] for t in annotation["target"]] == [address]


def test_taguette_codebook_csv_reads_as_taguettes_import_reads_it(coded, tmp_path):
    """Taguette's codebook import (import_codebook.list_tags_csv): a header with exactly one of `tag`,
    `name`, `path`, an optional `description`, no empty name. The rows are the .qdc's codable codes."""
    from returnee_journeys.exports import taguette

    path = taguette.write(coded["data"], tmp_path / "codebook.csv")
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"))))
    header = [cell.lower() for cell in rows[0]]
    assert sum(column in header for column in ("tag", "name", "path")) == 1
    name, description = header.index("name"), header.index("description")
    tags = [(row[name].strip(), row[description].strip()) for row in rows[1:] if any(row)]
    assert all(tag for tag, _ in tags) and len({tag for tag, _ in tags}) == len(tags)
    codebook = etree.fromstring(qdpx.codebook_xml(coded["data"]))
    assert tags == [(c.get("name"), c.findtext(f"{C}Description").strip()) for c in codebook.iter(f"{C}Code")
                    if c.get("isCodable") == "true"]
