"""Discovery metadata, built from the descriptor and CITATION.cff (never written by hand):
schema.org `Dataset` JSON-LD (for the README and the release) and an RO-Crate metadata file
(for the release, built with the `rocrate` package)."""
from __future__ import annotations

import json
from pathlib import PurePosixPath

from ..model import descriptor as descriptor_module

MEDIA_TYPES = {
    ".csv": "text/csv", ".json": "application/json", ".jsonld": "application/ld+json", ".md": "text/markdown",
    ".sqlite": "application/vnd.sqlite3", ".parquet": "application/vnd.apache.parquet",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".png": "image/png",
    ".svg": "image/svg+xml", ".tex": "application/x-tex", ".cff": "application/x-yaml", ".zip": "application/zip",
    "": "text/plain",
}


def media_type(path: str) -> str:
    return MEDIA_TYPES.get(PurePosixPath(path).suffix.lower(), "application/octet-stream")


def _creators(citation: dict) -> list[dict]:
    out = []
    for author in citation.get("authors", []):
        if author.get("name"):
            out.append({"@type": "Organization", "name": author["name"]})
        else:
            out.append({"@type": "Person", "givenName": author.get("given-names", ""),
                        "familyName": author.get("family-names", ""),
                        "name": " ".join(filter(None, [author.get("given-names"), author.get("family-names")]))})
    return out


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


def schema_org(descriptor: descriptor_module.Descriptor, citation: dict, files: list[str]) -> dict:
    """The schema.org Dataset: name, description, licence, version, creator, keywords, the texts it is
    coded from, `distribution` (one DataDownload per file, paths relative to where it is published)
    and `variableMeasured` (every field of the descriptor)."""
    package = descriptor.data
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
        "keywords": package.get("keywords", []),
        "isBasedOn": [{"@type": "NewsArticle", "name": s["title"], **({"url": s["path"]} if s.get("path") else {})}
                      for s in package.get("sources", []) if isinstance(s, dict) and s.get("title")],
        "distribution": [{"@type": "DataDownload", "name": f, "contentUrl": f, "encodingFormat": media_type(f)}
                         for f in files],
        "variableMeasured": variables(descriptor),
    }


def jsonld_text(document: dict) -> str:
    """JSON-LD with one distribution entry and one variable per line: short enough to read in a README."""
    compact = {"distribution", "variableMeasured", "isBasedOn", "creator"}
    lines = ["{"]
    items = list(document.items())
    for i, (key, value) in enumerate(items):
        end = "," if i < len(items) - 1 else ""
        if key in compact and isinstance(value, list) and value:
            lines.append(f"  {json.dumps(key)}: [")
            lines += [f"    {json.dumps(v, ensure_ascii=False)}{',' if j < len(value) - 1 else ''}"
                      for j, v in enumerate(value)]
            lines.append(f"  ]{end}")
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{end}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def ro_crate(descriptor: descriptor_module.Descriptor, citation: dict, members: dict[str, dict]) -> str:
    """ro-crate-metadata.json for the release: the root Dataset (name, description, version, licence,
    creators, date) and one File entity per member, from the same facts as the schema.org Dataset.
    `members`: path in the archive → {"description": ..., "size": bytes}."""
    from rocrate.model.contextentity import ContextEntity
    from rocrate.rocrate import ROCrate

    package = descriptor.data
    crate = ROCrate()
    root = crate.root_dataset
    root["name"] = package["title"]
    root["description"] = descriptor.about
    root["version"] = package["version"]
    root["datePublished"] = str(citation.get("date-released", package.get("created", ""))[:10])
    root["keywords"] = package.get("keywords", [])
    licence = package["licenses"][0]
    root["license"] = crate.add(ContextEntity(crate, licence["path"], properties={
        "@type": "CreativeWork", "name": licence.get("title", licence["name"]), "identifier": licence["name"]}))
    creators = []
    for i, person in enumerate(_creators(citation), start=1):
        creators.append(crate.add(ContextEntity(crate, f"#creator-{i}", properties=person)))
    root["creator"] = creators
    for path, about in sorted(members.items()):
        crate.add_file(dest_path=path, properties={"name": path, "description": about["description"],
                                                   "encodingFormat": media_type(path), "contentSize": str(about["size"])})
    return json.dumps(crate.metadata.generate(), indent=2, ensure_ascii=False) + "\n"
