"""How to cite a package: its CITATION.cff, or what its descriptor says; and the "how to cite" text
rendered from either."""
from __future__ import annotations

import re
from pathlib import Path

FILE = "CITATION.cff"


def read(path: Path) -> dict:
    """A package's CITATION.cff: a regular file (no link, FIFO or device) of YAML, else UnreadableInput
    naming it (exit 2), never an internal error or a read without end. What it says is validate's to check."""
    import yaml  # only where a CITATION.cff is read: the command starts without it

    from . import files
    from .descriptor import UnreadableInput

    path = Path(path)
    fix = "fix it, or remove it to cite the package from its datapackage.json"
    try:
        cff = yaml.safe_load(files.read_inside(path, path.parent).decode("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise UnreadableInput(f"{path}: cannot read it as a CITATION.cff ({str(error)[:200]}); {fix}") from None
    return cff


def from_descriptor(package: dict) -> dict:
    """A citation (CFF keys) built from a descriptor alone: title, version, date, licence, authors, keywords."""
    contributors = [c for c in package.get("contributors", []) if isinstance(c, dict) and c.get("title")]
    licences = [lic.get("name") for lic in package.get("licenses", []) if isinstance(lic, dict) and lic.get("name")]
    created = str(package.get("created", ""))[:10]
    keywords = [k for k in package.get("keywords", []) if isinstance(k, str)]
    return {"cff-version": "1.2.0", "message": "If you use this dataset, please cite it as below.",
            "type": "dataset", "title": str(package.get("title") or package.get("name", "")),
            "version": str(package.get("version", "")),
            **({"date-released": created} if created else {}),
            **({"license": licences[0]} if licences else {}),
            "authors": [{"name": c["title"]} for c in contributors] or [{"name": "anonymous"}],
            **({"keywords": keywords} if keywords else {})}


def for_package(descriptor) -> dict:
    """The package's own CITATION.cff (beside its datapackage.json) when it names this package (same
    title), else a citation built from the descriptor: a copied and renamed package is never cited
    under the name of the package it was copied from."""
    package = descriptor.data
    own = Path(descriptor.path).parent / FILE
    if own.is_file():
        cff = read(own)
        if isinstance(cff, dict) and cff.get("title") == package.get("title"):
            return cff
    return from_descriptor(package)


_COUNTED = {1: "source article", 2: "two source articles", 3: "three source articles"}


def how_to_cite(citation: dict) -> str:
    first = citation["authors"][0]
    author = first.get("name") or first.get("family-names") or first.get("given-names") or "anonymous"
    year = str(citation.get("date-released", ""))[:4] or "n.d."
    key = re.sub(r"[^a-z0-9]+", "_", citation["title"].lower()).strip("_") + f"_{year}"
    url = citation.get("url")
    apa = f"{author}. ({year}). *{citation['title']}* (Version {citation['version']}) [Data set]." + (f" {url}" if url else "")
    from ..exports.comparison import latex_escape  # BibTeX hands its fields to LaTeX: `&`, `%`, braces

    bibtex = "\n".join([f"@misc{{{key},", f"  title = {{{latex_escape(citation['title'])}}},",
                        f"  author = {{{{{latex_escape(author)}}}}},",
                        f"  year = {{{year}}},", f"  version = {{{citation['version']}}},",
                        *([f"  url = {{{url}}},"] if url else []),
                        f"  note = {{Data set, licence {citation.get('license', 'not stated')}}}", "}"])
    references = len(citation.get("references") or [])
    sources = (f"Please cite the {_COUNTED.get(references, str(references) + ' source articles')} too (see "
               "`references` in `CITATION.cff`)." if references
               else "Please cite the source texts too (see `sources` in `datapackage.json`).")
    return "\n".join(["APA:", "", apa, "", "BibTeX:", "", "```bibtex", bibtex, "```",
                      "", sources, ""])
