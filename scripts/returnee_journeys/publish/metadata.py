"""Discovery metadata, built from the descriptor, the tables (coverage in time, space and language) and
CITATION.cff (the one source of the citation facts): schema.org `Dataset` JSON-LD (README and
release), RO-Crate metadata (release, with the `rocrate` package) and `.zenodo.json`."""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..model import descriptor as descriptor_module
from ..model import wording

MEDIA_TYPES = {
    ".csv": "text/csv", ".json": "application/json", ".jsonld": "application/ld+json", ".md": "text/markdown",
    ".sqlite": "application/vnd.sqlite3", ".parquet": "application/vnd.apache.parquet",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".png": "image/png",
    ".svg": "image/svg+xml", ".tex": "application/x-tex", ".cff": "application/x-yaml", ".zip": "application/zip",
    "": "text/plain",
}


COMPACT = {"distribution", "variableMeasured", "isBasedOn", "creator", "spatialCoverage"}  # one item a line


def media_type(path: str) -> str:
    return MEDIA_TYPES.get(PurePosixPath(path).suffix.lower(), "application/octet-stream")


def _creators(citation: dict) -> list[dict]:
    """CITATION.cff's authors as schema.org agents, each with its ORCID where it has one."""
    return [({"@type": "Organization", "name": a["name"]} if a.get("name") else
             {"@type": "Person", "givenName": a.get("given-names", ""), "familyName": a.get("family-names", ""),
              "name": " ".join(filter(None, [a.get("given-names"), a.get("family-names")]))})
            | ({"identifier": a["orcid"]} if a.get("orcid") else {}) for a in citation.get("authors", [])]


def _publisher(citation: dict) -> dict | None:
    publisher = (citation.get("preferred-citation") or {}).get("publisher")
    if not publisher:
        return None
    url = {"url": citation["url"]} if citation.get("url") else {}
    return {"@type": "Organization", "name": publisher["name"], **url}


def _one_or_all(value):
    """A list of one as its item (schema.org takes either); anything else as it is."""
    return value[0] if isinstance(value, list) and len(value) == 1 else value


def identifiers(citation: dict) -> list[str]:
    """The data set's identifiers from CITATION.cff: its DOI once one is minted, then the others."""
    found = ([f"https://doi.org/{citation['doi']}"] if citation.get("doi") else []) + \
        [i["value"] if i["type"] != "doi" else f"https://doi.org/{i['value']}" for i in citation.get("identifiers", [])]
    return list(dict.fromkeys(found))


def keywords(citation: dict, package: dict) -> list[str]:
    """CITATION.cff's keywords, as .zenodo.json gives them; the descriptor's where the CFF has none."""
    return list(citation.get("keywords") or package.get("keywords", []))


@dataclass(frozen=True)
class Coverage:
    """What the tables cover: the time span of the stays (ISO 8601 interval of their date bounds),
    the places of the stays, and the languages of the source texts."""
    temporal: str | None
    places: list[dict]
    languages: list[str]


def coverage(tables: dict) -> Coverage:
    import pandas as pd

    stages = tables.get("stages")
    temporal = None
    places: list[dict] = []
    if stages is not None and len(stages):
        lows = pd.concat([stages[c] for c in ("start_lower", "end_lower") if c in stages]).dropna()
        highs = pd.concat([stages[c] for c in ("start_upper", "end_upper") if c in stages]).dropna()
        if len(lows) and len(highs):
            temporal = f"{wording.day(lows.min())}/{wording.day(highs.max())}"  # an ISO 8601 interval
        locations = tables.get("locations")
        if locations is not None and "location_id" in stages:
            used = locations[locations["location_id"].isin(set(stages["location_id"].dropna()))]
            for row in used.sort_values("location_id").itertuples(index=False):
                place = {"@type": "Place", "name": str(row.name)}
                if pd.notna(getattr(row, "latitude", None)) and pd.notna(getattr(row, "longitude", None)):
                    place["geo"] = {"@type": "GeoCoordinates", "latitude": float(row.latitude),
                                    "longitude": float(row.longitude)}
                places.append(place)
    sources = tables.get("sources")
    languages = sorted(set(sources["language"].dropna())) if sources is not None and "language" in sources else []
    return Coverage(temporal, places, languages)


def variables(descriptor: descriptor_module.Descriptor) -> list[dict]:
    """schema.org PropertyValue per field of every resource: `resource.field`, its title and codes."""
    out = []
    for resource in descriptor.resources:
        for field in resource["schema"]["fields"]:
            codes = field.get("constraints", {}).get("enum")
            description = field.get("title", field["name"]) + (f" (one of: {', '.join(codes)})" if codes else "")
            value = {"@type": "PropertyValue", "name": f"{resource['name']}.{field['name']}",
                     "description": description}
            if field.get("unit"):
                value["unitText"] = field["unit"]
            out.append(value)
    return out


def schema_org(descriptor: descriptor_module.Descriptor, citation: dict, files: list[str], tables: dict) -> dict:
    """The schema.org Dataset: name, description, licence, version, creator, publisher, url and
    identifiers (CITATION.cff), keywords, coverage in time, space and language (the tables), the texts
    it is coded from, `distribution` (one DataDownload per file, paths relative to where it is
    published) and `variableMeasured` (every field of the descriptor)."""
    package = descriptor.data
    covered = coverage(tables)
    optional = {"url": citation.get("url"), "identifier": identifiers(citation) or None,
                "publisher": _publisher(citation), "temporalCoverage": covered.temporal,
                "spatialCoverage": covered.places or None,
                "inLanguage": _one_or_all(covered.languages) or None}
    return {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "name": package["title"],
        "alternateName": package["name"],
        "description": descriptor.about,
        "version": package["version"],
        "datePublished": str(citation.get("date-released", package.get("created", ""))[:10]),
        "license": package["licenses"][0]["path"],
        "isAccessibleForFree": True,
        "creator": _creators(citation),
        **{key: value for key, value in optional.items() if value is not None},
        "keywords": keywords(citation, package),
        "isBasedOn": [{"@type": "NewsArticle", "name": s["title"], **({"url": s["path"]} if s.get("path") else {})}
                      for s in package.get("sources", []) if isinstance(s, dict) and s.get("title")],
        "distribution": [{"@type": "DataDownload", "name": f, "contentUrl": f, "encodingFormat": media_type(f)}
                         for f in files],
        "variableMeasured": variables(descriptor),
    }


def jsonld_text(document: dict) -> str:
    """JSON-LD with one distribution entry and one variable per line: short enough to read in a README."""
    def value(key: str, item) -> str:
        if key in COMPACT and isinstance(item, list) and item:
            return "[\n" + ",\n".join(f"    {json.dumps(v, ensure_ascii=False)}" for v in item) + "\n  ]"
        return json.dumps(item, ensure_ascii=False)
    return "{\n" + ",\n".join(f"  {json.dumps(k)}: {value(k, v)}" for k, v in document.items()) + "\n}\n"


def ro_crate(descriptor: descriptor_module.Descriptor, citation: dict, members: dict[str, dict], tables: dict) -> str:
    """ro-crate-metadata.json for the release: the root Dataset (name, description, version, licence,
    creator, publisher, url, identifiers, date, coverage) and one File entity per member, from the same
    facts as the schema.org Dataset. `members`: path in the archive → {"description": ..., "size": bytes}."""
    from rocrate.model.contextentity import ContextEntity
    from rocrate.rocrate import ROCrate

    package = descriptor.data
    covered = coverage(tables)
    crate = ROCrate()
    root = crate.root_dataset

    def entity(key: str, properties: dict) -> ContextEntity:
        return crate.add(ContextEntity(crate, key, properties=properties))

    for key, value in (("name", package["title"]), ("description", descriptor.about), ("version", package["version"]),
                       ("datePublished", str(citation.get("date-released", package.get("created", ""))[:10])),
                       ("keywords", keywords(citation, package))):
        root[key] = value
    # identifiers as PropertyValue entities (the Science On Schema.org way RO-Crate recommends)
    found = [entity(f"#identifier-{i}", {"@type": "PropertyValue", "name": f"{kind} of the data set",
                                         "propertyID": kind, "value": value, "url": value})
             for i, (kind, value) in enumerate(((("DOI" if v.startswith("https://doi.org/") else "URL"), v)
                                                for v in identifiers(citation)), start=1)]
    # schema.org Place takes latitude and longitude directly: flat entities, no nested node
    places = [entity(f"#place-{i}", {"@type": "Place", "name": place["name"],
                                     **{k: v for k, v in place.get("geo", {}).items() if k != "@type"}})
              for i, place in enumerate(covered.places, start=1)]
    for key, value in (("url", citation.get("url")), ("identifier", found), ("temporalCoverage", covered.temporal),
                       ("inLanguage", covered.languages), ("spatialCoverage", places)):
        if value:
            root[key] = _one_or_all(value)
    licence = package["licenses"][0]
    root["license"] = entity(licence["path"], {
        "@type": "CreativeWork", "name": licence.get("title", licence["name"]), "identifier": licence["name"],
        "description": f"The data's licence: {licence.get('title', licence['name'])} ({licence['name']})"})
    contact = None
    if citation.get("repository-code") or citation.get("url"):
        contact = entity("#contact", {"@type": "ContactPoint", "name": "The repository's issue tracker",
                                      "contactType": "issues", "url": citation.get("repository-code") or citation["url"]})

    def agent(person: dict, key: str) -> ContextEntity:
        properties = dict(person)
        if properties["@type"] == "Organization" and citation.get("url"):
            properties["url"] = citation["url"]
        made = entity(key, properties)
        if contact is not None:
            made["contactPoint"] = contact
        return made

    creators = [agent(person, person.get("identifier") or f"#creator-{i}")  # an ORCID is a person's @id
                for i, person in enumerate(_creators(citation), start=1)]
    root["creator"] = _one_or_all(creators)
    publisher = _publisher(citation)
    if publisher:
        same = next((c for c in creators if c["name"] == publisher["name"] and c.type == publisher["@type"]), None)
        root["publisher"] = same or agent(publisher, "#publisher")
    for path, about in sorted(members.items()):
        crate.add_file(dest_path=path, properties={"name": path, "description": about["description"],
                                                   "encodingFormat": media_type(path), "contentSize": str(about["size"])})
    return json.dumps(crate.metadata.generate(), indent=2, ensure_ascii=False) + "\n"


ZENODO_NOTES = ("Quoted passages remain the publishers'; they are included as short quotations for scholarly "
                "purposes.")


def zenodo(citation: dict) -> dict:
    """.zenodo.json, from CITATION.cff alone: what Zenodo reads when a release is archived."""
    creators = [{"name": a["name"]} if a.get("name") else
                {"name": f"{a.get('family-names', '')}, {a.get('given-names', '')}".strip(", "),
                 **({"orcid": a["orcid"].rsplit("/", 1)[-1]} if a.get("orcid") else {})}
                for a in citation.get("authors", [])]
    related = [{"identifier": value, "relation": "isSupplementedBy", "resource_type": "software"}
               for value in dict.fromkeys(filter(None, [citation.get("repository-code")]))]
    document = {
        "title": citation["title"],
        "upload_type": "dataset",
        "description": " ".join(str(citation.get("abstract", "")).split()),
        "creators": creators,
        "license": citation["license"],
        "access_right": "open",
        "version": str(citation["version"]),
        "publication_date": str(citation["date-released"])[:10],
        "keywords": citation.get("keywords", []),
        "language": "eng" if "en" in (citation.get("preferred-citation") or {}).get("languages", []) else None,
        "related_identifiers": related or None,
        "notes": ZENODO_NOTES + ("" if citation.get("doi") else " No DOI is assigned until a release is archived."),
    }
    return {k: v for k, v in document.items() if v is not None}


def zenodo_text(citation: dict) -> str:
    return json.dumps(zenodo(citation), indent=2, ensure_ascii=False) + "\n"
