"""Journeys added to a copy of the fixture package as data only, the way a researcher adds them:
a text in the sources folder, rows in the CSV tables, a ledger row for every sentence. No code
knows these journeys; the tests check that validate, the comparison table, figures and exports
take them as they come.

A journey is a dict: `source` (the cells of its sources row, text_sha256 filled in here), `text`
(the text file: the whole article or only excerpts, one paragraph per line) and `rows` (resource →
list of rows as dicts; cells left out are empty). The ledger is written here from the text: every
sentence a row quotes is `coded` and lists those rows, every other one `not-coded` as `detail`.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import mutations

JOINER = " … "


def add(package: Path, sources: Path, journey: dict) -> None:
    """Add the journey's text to `sources` and its rows (and ledger) to the package's tables."""
    from returnee_journeys.model import descriptor as descriptor_module
    from returnee_journeys.model import rowids, sentences

    descriptor = descriptor_module.read(package / "datapackage.json")
    text = journey["text"]
    source_id = journey["source"]["source_id"]
    (sources / f"{source_id}.txt").write_text(text, encoding="utf-8")
    rows = {"sources": [{**journey["source"], "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest()}],
            **journey.get("rows", {})}
    quoted: dict[str, list[tuple[int, int, str]]] = {}  # text → (start, end, "resource/id") of each passage
    for resource, records in rows.items():
        key = descriptor.primary_key(resource)
        for record in records:
            for field in descriptor.quote_fields(resource):
                # a quote is in its own text: a discrepancy's quote_b may be in a second one (`source_id_b`)
                where = record.get(descriptor.quote_source(resource, field)) or record.get("source_id")
                for fragment in record[field].split(JOINER) if record.get(field) and where else []:
                    start = (sources / f"{where}.txt").read_text(encoding="utf-8").index(fragment)
                    quoted.setdefault(where, []).append((start, start + len(fragment), rowids.ref(
                        resource, rowids.row_id([record[k] for k in key]))))
        append(package, resource, records)

    def drawn(sentence, text_id: str) -> list[str]:
        return sorted({ref for start, end, ref in quoted.get(text_id, []) if start < sentence.end and end > sentence.start})

    ledger = []
    for sentence in sentences.split(text):
        refs = drawn(sentence, source_id)
        ledger.append({"source_id": source_id, "paragraph": str(sentence.paragraph), "sentence": str(sentence.number),
                       "sentence_sha256": sentence.sha256, "disposition": "coded" if refs else "not-coded",
                       "reason": "" if refs else "detail", "rows": " ".join(refs)})
    # a quote in a text already in the package is listed on that text's ledger row for its sentence
    table = mutations.read_rows(package, "ledger")
    for other in set(quoted) - {source_id}:
        by_place = {(s.paragraph, s.number): s for s in sentences.split(
            (sources / f"{other}.txt").read_text(encoding="utf-8"))}
        for row in (r for r in table[1:] if r[0] == other):
            refs = drawn(by_place[(int(row[1]), int(row[2]))], other)
            if refs:
                row[4:7] = ["coded", "", " ".join(sorted(set(row[6].split()) | set(refs)))]
    mutations.write_rows(package, "ledger", table)
    append(package, "ledger", ledger)


def append(package: Path, resource: str, records: list[dict]) -> None:
    """Rows (dicts by column name) appended to a table; a column a row leaves out is empty."""
    table = mutations.read_rows(package, resource)
    header = table[0]
    unknown = {c for r in records for c in r} - set(header)
    assert not unknown, f"{resource} has no column {sorted(unknown)}"
    mutations.write_rows(package, resource, table + [[str(r.get(c, "")) for c in header] for r in records])


def package_with(tmp_path: Path, fixture_sources: Path, *journeys: dict) -> tuple[Path, Path]:
    """(package, sources folder): a copy of the fixture package and its texts, with `journeys` added."""
    import shutil

    from conftest import build_fixture

    package = build_fixture(tmp_path / "package")
    sources = tmp_path / "sources"
    shutil.copytree(fixture_sources, sources)
    for journey in journeys:
        add(package, sources, journey)
    return package, sources


# --- the journeys -------------------------------------------------------------------------------

# Transit legs inside the home country on the way out and on the way home (a region of Russia).
TRANSIT_AT_HOME = {
    "source": {"source_id": "courier-nina", "outlet": "The Invented Courier", "title_basis": "url-slug",
               "available_by": "2024-03", "language": "en", "text_extent": "whole"},
    "text": ("Nina left Severograd in October 2022.\n"
             "She first took a train to the Kamen region.\n"
             "From there she crossed into Veldland, where she stayed for a year.\n"
             "In November 2023 she flew back to the Kamen region.\n"
             "She was home in Severograd in December 2023.\n"),
    "rows": {
        "locations": [{"location_id": "kamen-region", "name": "Kamen region", "kind": "region", "country_code": "RU",
                       "latitude": "56", "longitude": "60"}],
        "persons": [{"person_id": "nina", "source_id": "courier-nina", "name_in_source": "Nina",
                     "origin_location_id": "severograd", "origin_basis": "stated", "quote": "Nina left Severograd"}],
        "stages": [
            {"stage_id": "nina-01", "person_id": "nina", "seq": "1", "stage_type": "origin", "location_id": "severograd",
             "location_certainty": "stated", "end": "2022-10", "end_basis": "stated", "source_id": "courier-nina",
             "quote": "Nina left Severograd in October 2022"},
            {"stage_id": "nina-02", "person_id": "nina", "seq": "2", "stage_type": "transit",
             "location_id": "kamen-region", "location_certainty": "stated", "source_id": "courier-nina",
             "quote": "She first took a train to the Kamen region"},
            {"stage_id": "nina-03", "person_id": "nina", "seq": "3", "stage_type": "abroad", "location_id": "veldland",
             "location_certainty": "stated", "start": "2022-10", "start_basis": "stated", "source_id": "courier-nina",
             "quote": "she crossed into Veldland, where she stayed for a year"},
            {"stage_id": "nina-04", "person_id": "nina", "seq": "4", "stage_type": "transit",
             "location_id": "kamen-region", "location_certainty": "stated", "start": "2023-11",
             "start_basis": "stated", "source_id": "courier-nina",
             "quote": "In November 2023 she flew back to the Kamen region"},
            {"stage_id": "nina-05", "person_id": "nina", "seq": "5", "stage_type": "return",
             "location_id": "severograd", "location_certainty": "stated", "start": "2023-12",
             "start_basis": "stated", "source_id": "courier-nina",
             "quote": "She was home in Severograd in December 2023"},
        ],
    },
}

# Only excerpts of a copyrighted article kept; the person of TRANSIT_AT_HOME reported by this second
# text too (person_sources); a new factor whose `excludes` names its neighbours, none of which is edited.
EXCERPTS_AND_NEW_CODE = {
    "source": {"source_id": "digest-nina", "outlet": "The Invented Digest", "title_basis": "url-slug",
               "available_by": "2024-04", "language": "en", "text_extent": "excerpts"},
    "text": ("Nina, who came back from Veldland last winter, spoke to us.\n"
             "At the border she waited two days in a queue of cars.\n"),
    "rows": {
        "factors": [{"factor_id": "border-queue", "label": "Border queue", "domain": "legal-administrative",
                     "definition": "Waiting at a border crossing before being let through.",
                     "includes": "The text says the person waited at a border: 'waited two days in a queue'.",
                     "excludes": "A visa for the destination: visa. Fear of arrest: arrest-risk.",
                     "lee_categories": "intervening"}],
        "person_sources": [{"person_id": "nina", "source_id": "digest-nina", "name_in_source": "Nina",
                            "quote": "Nina, who came back from Veldland last winter",
                            "notes": "Same first name, country and return."}],
        "codings": [{"coding_id": "nina-03-c01", "stage_id": "nina-03", "factor_id": "border-queue",
                     "lee_category": "intervening", "valence": "negative", "certainty": "implicit",
                     "timing": "before", "salience": "weighed", "scope": "person", "source_id": "digest-nina",
                     "quote": "At the border she waited two days in a queue of cars"}],
    },
}

# A second Olga (the fixture has one), from another text, whose journey has no date at all: the text
# says only that she went and came back, and the text's own date bounds it.
UNDATED_NAMESAKE = {
    "source": {"source_id": "post-olga", "outlet": "The Invented Post", "title_basis": "url-slug",
               "available_by": "2024-05", "language": "en", "text_extent": "whole"},
    "text": "Olga, a nurse from Severograd, went to Veldland and later came back to Severograd.\n",
    "rows": {
        "persons": [{"person_id": "olga-post", "source_id": "post-olga", "name_in_source": "Olga",
                     "origin_location_id": "severograd", "origin_basis": "stated",
                     "quote": "Olga, a nurse from Severograd"}],
        "stages": [
            {"stage_id": "olga-post-01", "person_id": "olga-post", "seq": "1", "stage_type": "origin",
             "location_id": "severograd", "location_certainty": "stated", "source_id": "post-olga",
             "quote": "Olga, a nurse from Severograd"},
            {"stage_id": "olga-post-02", "person_id": "olga-post", "seq": "2", "stage_type": "abroad",
             "location_id": "veldland", "location_certainty": "stated", "source_id": "post-olga",
             "quote": "went to Veldland"},
            {"stage_id": "olga-post-03", "person_id": "olga-post", "seq": "3", "stage_type": "return",
             "location_id": "severograd", "location_certainty": "stated", "source_id": "post-olga",
             "quote": "later came back to Severograd"},
        ],
    },
}

# A second text on the fixture's Olga that contradicts the first on when she left: the discrepancy
# quotes one statement from each text (quote_a in source_id, quote_b in source_id_b).
TEXTS_DISAGREE = {
    "source": {"source_id": "bulletin-olga", "outlet": "The Invented Bulletin", "title_basis": "url-slug",
               "available_by": "2024-07", "language": "en", "text_extent": "whole"},
    "text": "Olga, a neighbour of Ivan, went to the Southern Union in August 2022.\n",
    "rows": {
        "person_sources": [{"person_id": "olga", "source_id": "bulletin-olga", "name_in_source": "Olga",
                            "quote": "Olga, a neighbour of Ivan", "notes": "The same neighbour of Ivan."}],
        "discrepancies": [{"discrepancy_id": "olga-x02", "resource": "stages", "row_id": "olga-02", "field": "start",
                           "source_id": "gazette-ivan-olga", "quote_a": "left for the Southern Union in October 2022",
                           "quote_b": "went to the Southern Union in August 2022", "source_id_b": "bulletin-olga",
                           "resolution": "The two texts give two months; the start is kept as the gazette states it."}],
    },
}
