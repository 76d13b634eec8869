"""W3C Web Annotations (https://www.w3.org/TR/annotation-model/) of every quoted row, `annotations.jsonld`:
one annotation per row and quote field, a target per fragment on the article's address, with a
TextQuoteSelector and (unless the text is kept only as excerpts) a TextPositionSelector. Written
only when every text is present and verified; docs/qda.md describes the file."""
from __future__ import annotations

import base64
import json
from pathlib import Path

from ..model import files, journeys
from ..model import texts as texts_module
from ..model.descriptor import UnreadableInput
from ..model.qda_codes import Guids, cell_text, package_name, rows_by_id
from .exporter import Exporter

CONTEXT = 32
CONTEXT_URL = "http://www.w3.org/ns/anno.jsonld"
FILE = "annotations.jsonld"


def target_source(source: dict) -> str:
    """The address annotations target: the coded copy's, the publisher's, or the text's hash."""
    for column in ("coded_copy_url", "url"):
        value = source.get(column)
        if isinstance(value, str) and value:
            return value
    digest = base64.urlsafe_b64encode(bytes.fromhex(source["text_sha256"])).decode("ascii").rstrip("=")
    return f"ni:///sha-256;{digest}"


EXCERPTS = "excerpts"  # sources.text_extent of a text file that keeps only passages of the article


def selector(text: str, passage: texts_module.Passage, excerpts: bool = False) -> list[dict]:
    """The selectors of one fragment. From a file of excerpts only the exact words: positions and
    the words around a passage are the file's, not the article's, so they would point at the wrong
    characters on the publisher's page."""
    quote = {"type": "TextQuoteSelector", "exact": passage.text}
    if excerpts:
        return [quote]
    before = text[max(0, passage.start - CONTEXT):passage.start]  # at most CONTEXT characters, within the line
    prefix, suffix = before[before.rfind("\n") + 1:], text[passage.end:passage.end + CONTEXT].split("\n", 1)[0]
    quote.update({k: v for k, v in (("prefix", prefix), ("suffix", suffix)) if v})
    return [quote, {"type": "TextPositionSelector", "start": passage.start, "end": passage.end}]


def _tag(value: str, purpose: str = "tagging") -> dict:
    return {"type": "TextualBody", "purpose": purpose, "value": value}


def bodies(data: journeys.Journeys, resource: str, field: str, row_id: str, row: dict,
           factors: dict[str, str], lee_labels: dict) -> list[dict]:
    """What the annotation says: the code, stage or field, then a description of the row."""
    several = len(data.descriptor.quote_fields(resource)) > 1
    described = f"{resource}/{row_id}" + (f", {field}" if several else "")
    if resource == "codings":
        factor = factors.get(row["factor_id"], row["factor_id"])
        label = lee_labels.get((row["lee_category"], cell_text(row["valence"])), "")
        tags = [_tag(row["factor_id"], "classifying"), _tag(label), _tag(row["stage_id"])]
        described += f": {factor} ({label}), bearing on the move into {row['stage_id']}"
    elif resource == "stages":
        tags = [_tag(row_id, "classifying"), _tag(row["stage_type"])]
        described += f": stage {row['seq']} of {row['person_id']}, {row['stage_type']} ({row['location_id']})"
    else:
        tags = [_tag(f"{resource}.{field}", "classifying")]
    return [*tags, {"type": "TextualBody", "purpose": "describing", "format": "text/plain", "language": "en",
                    "value": described}]


def collection(data: journeys.Journeys, texts: dict[str, str]) -> dict:
    """The AnnotationCollection, with one page holding every annotation."""
    descriptor = data.descriptor
    guid = Guids(package_name(data))
    passages = texts_module.passages(descriptor, data.tables, texts)
    sources = data.table("sources").set_index("source_id")
    address = {sid: target_source(row) for sid, row in sources.iterrows()}
    excerpts = set(sources.index[sources["text_extent"] == EXCERPTS]) if "text_extent" in sources else set()
    grouped: dict[tuple[str, str, str], list[texts_module.Passage]] = {}
    for p in passages:
        grouped.setdefault((p.resource, p.row_id, p.field), []).append(p)
    rows = rows_by_id(data, {p.resource for p in passages})
    order = {r["name"]: i for i, r in enumerate(descriptor.resources)}
    created = {"created": descriptor.created} if descriptor.created else {}
    contributors = descriptor.data.get("contributors") or [{}]
    factors = data.table("factors").set_index("factor_id")["label"].to_dict()
    lee_labels = descriptor.lee_labels()
    items = []
    for (resource, row_id, field), parts in sorted(grouped.items(), key=lambda kv: (order[kv[0][0]], *kv[0][1:])):
        items.append({
            "id": f"urn:uuid:{guid('annotation', resource, row_id, field)}",
            "type": "Annotation",
            "motivation": "classifying",
            **created,
            "creator": {"type": "Organization", "name": contributors[0].get("title", "coders")},
            "body": bodies(data, resource, field, row_id, rows[resource][row_id], factors, lee_labels),
            "target": [{"source": address[p.source_id],
                        "selector": selector(texts[p.source_id], p, p.source_id in excerpts)} for p in parts],
        })
    return {
        "@context": CONTEXT_URL,
        "id": f"urn:uuid:{guid('annotations')}",
        "type": "AnnotationCollection",
        "label": f"{descriptor.data.get('title', descriptor.data.get('name', ''))} {data.version}: every quoted row",
        "total": len(items),
        "first": {"id": f"urn:uuid:{guid('annotations', 'page', '1')}", "type": "AnnotationPage",
                  "startIndex": 0, "items": items},
    }


def serialise(document: dict) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def write(data: journeys.Journeys, texts: dict[str, str], path: Path) -> Path:
    return files.write_atomically(path, serialise(collection(data, texts)))


def require_for_release(data: journeys.Journeys, folder: Path, exports: Path) -> None:
    """The release needs the texts: every one present and the coded copy, and the annotations
    built from them in `exports`; otherwise UnreadableInput (exit 2), and nothing is built."""
    try:
        texts_module.verified(data.table("sources"), folder)
    except texts_module.TextsMissing as error:
        raise UnreadableInput(f"the release needs the source texts (for {FILE}): {error}") from error
    if not (exports / FILE).is_file():
        raise UnreadableInput(f"{exports} has no {FILE}: run `make exports` with the texts in SOURCES_DIR first")


EXPORTER = Exporter("web annotations", lambda job, folder: [write(job.data, job.texts, folder / FILE)], needs_texts=True)
