"""The release archive, dist/<name>-<version>.zip, byte-identical on every rebuild: exactly the
members of `CONTENTS` (to ship something more, add an entry there), at the archive's root, so that
the zip is a Frictionless zipped package; its own README.md, schema.org and RO-Crate metadata."""
from __future__ import annotations

import collections
import functools
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from collections.abc import Callable

from ..model import citation as citation_module
from ..model import comparison as comparison_model
from ..model import descriptor as descriptor_module
from ..model import files
from ..model import journeys
from ..model import names
from ..model import paths  # the instrument's own files: the profiles it ships
from . import TEMPLATES

PROFILE_FOLDER = "profile"


@dataclass
class Release:
    """What the entries read from: the project's root, the exports folder, and what is built so far."""
    root: Path
    exports: Path
    figures: Path
    descriptor: descriptor_module.Descriptor
    citation: dict
    members: dict[str, bytes] = field(default_factory=dict)

    @functools.cached_property
    def data(self) -> journeys.Journeys:
        return journeys.read(self.root / "datapackage.json")


@dataclass(frozen=True)
class Entry:
    name: str    # path in the archive: a file, or a folder ending in "/"
    about: str   # one line for the archive's README
    files: Callable[[Release], list[tuple[str, bytes]]]


def _copy(*names: str) -> Callable[[Release], list[tuple[str, bytes]]]:
    """The package's own files of these names, those it has (a new package may have no changelog)."""
    return lambda r: [(n, files.read_inside(r.root / n, r.root)) for n in names
                      if (r.root / n).is_file() or (r.root / n).is_symlink()]


def _citation(r: Release) -> list[tuple[str, bytes]]:
    """The package's CITATION.cff where it names this package, else one written from its descriptor."""
    import yaml

    own = r.root / citation_module.FILE
    if (own.is_file() or own.is_symlink()) and citation_module.read(own) == r.citation:
        return [(citation_module.FILE, files.read_inside(own, r.root))]
    return [(citation_module.FILE, yaml.safe_dump(r.citation, sort_keys=False, allow_unicode=True).encode("utf-8"))]


def released_descriptor(root: Path) -> bytes:
    descriptor = json.loads(files.read_inside(root / "datapackage.json", root).decode("utf-8"))
    for resource in descriptor["resources"]:
        raw = files.read_inside(root / resource["path"], root)
        resource["bytes"] = len(raw)
        resource["hash"] = "sha256:" + hashlib.sha256(raw).hexdigest()
    return (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _data(r: Release) -> list[tuple[str, bytes]]:
    return [(res["path"], files.read_inside(r.root / res["path"], r.root)) for res in r.descriptor.resources]


def _figures(r: Release) -> list[tuple[str, bytes]]:
    from .. import figures

    return [(f"figures/{name}.{kind}", files.read_inside(r.figures / f"{name}.{kind}", r.figures))
            for name in sorted(figures.FIGURES) for kind in ("png", "svg")]


def _exports(r: Release) -> list[tuple[str, bytes]]:
    found = []
    for folder, subfolders, file_names in os.walk(r.exports):  # a link (to a file or a folder) is refused, not followed
        for name in sorted(file_names) + [d for d in subfolders if os.path.islink(os.path.join(folder, d))]:
            path = Path(folder) / name
            if name != files.MARKER and path.suffix != ".qdpx":  # a .qdpx holds the texts: never released
                found.append(("exports/" + path.relative_to(r.exports).as_posix(), files.read_inside(path, r.exports)))
    return sorted(found)


def _profile(r: Release) -> list[tuple[str, bytes]]:
    """The journey profile the package names, and the official Data Package v2 profile it builds on."""
    from ..validation.profile import DATA_PACKAGE_V2_FILE

    name = r.descriptor.data.get("journeyProfile", "")
    source = paths.PROFILE / PurePosixPath(name).name
    if not name or not source.is_file():
        return []
    return [(f"{PROFILE_FOLDER}/{p.name}", files.read_inside(p, paths.PROFILE))
            for p in (source, paths.PROFILE / DATA_PACKAGE_V2_FILE)]


def _schema_org(r: Release) -> list[tuple[str, bytes]]:
    from . import metadata

    document = metadata.schema_org(r.descriptor, r.citation, sorted(r.members), r.data.tables)
    return [("dataset.jsonld", metadata.jsonld_text(document).encode("utf-8"))]


def _ro_crate(r: Release) -> list[tuple[str, bytes]]:
    from . import metadata

    about = {n: {"description": _entry(n).about, "size": len(b)} for n, b in r.members.items()}
    return [("ro-crate-metadata.json", metadata.ro_crate(r.descriptor, r.citation, about, r.data.tables).encode("utf-8"))]


# Every member of the release, entry by entry (in build order: the metadata entries describe the
# members listed before them). Issue 11: exactly these files, nothing else.
CONTENTS: list[Entry] = [
    Entry("datapackage.json", "the Frictionless Data Package descriptor, each resource with its `bytes` and "
          "`hash` (sha256), so that `frictionless validate datapackage.json` checks every file",
          lambda r: [("datapackage.json", released_descriptor(r.root))]),
    Entry("data/", "the tables: one CSV file (UTF-8, LF) per resource of the descriptor", _data),
    Entry("figures/", "the figures drawn from the tables, PNG (200 dpi) and SVG", _figures),
    Entry("exports/", "the same tables for other tools: SQLite (+ Datasette metadata.json), Parquet, XLSX, "
          "sequence-analysis files, the comparison table (CSV, long table of row ids, LaTeX), the REFI-QDA "
          "codebook (.qdc), the same codes as a Taguette codebook (CSV) and the coding as W3C Web Annotations "
          "(annotations.jsonld)", _exports),
    Entry(f"{PROFILE_FOLDER}/", "the JSON Schema profile of journey packages this package conforms to "
          "(`journeyProfile` in datapackage.json) and the Data Package v2 profile it builds on", _profile),
    Entry("CITATION.cff", "how to cite the data set (Citation File Format)", _citation),
    Entry("CHANGELOG.md", "what changed in each version", _copy("CHANGELOG.md")),
    Entry("LICENSE-DATA.md", "the data's licence ({licence})", _copy("LICENSE-DATA.md")),
    Entry("LICENSE", "the code's licence (MIT)", _copy("LICENSE")),
    Entry("dataset.jsonld", "schema.org Dataset metadata (JSON-LD) for search engines and catalogues", _schema_org),
    Entry("ro-crate-metadata.json", "RO-Crate metadata: the archive as a research object", _ro_crate),
    Entry("README.md", "this file", lambda r: [("README.md", release_readme(r).encode("utf-8"))]),
]


def _holds(entry: Entry, member: str) -> bool:
    return member.startswith(entry.name) if entry.name.endswith("/") else member == entry.name


def _entry(member: str) -> Entry:
    return next(entry for entry in CONTENTS if _holds(entry, member))


def _safe(member: str) -> bool:
    parts = PurePosixPath(member).parts
    return bool(parts) and not member.startswith("/") and ".." not in parts and "\\" not in member


def members(root: Path, exports: Path, figures: Path | None = None) -> list[tuple[str, bytes]]:
    """Every (path in the archive, content), from CONTENTS alone, sorted. `figures`: the folder of
    the figures drawn from this package's data (default: its figures/)."""
    descriptor = descriptor_module.read(root / "datapackage.json")
    release = Release(root, exports, figures or root / "figures", descriptor, citation_module.for_package(descriptor))
    for entry in CONTENTS:
        for name, content in entry.files(release):
            if not _holds(entry, name) or not _safe(name) or name in release.members:
                raise ValueError(f"release entry {entry.name!r} produced {name!r}")
            release.members[name] = content
    return sorted(release.members.items())


def build(root: Path, out: Path, exports: Path | None = None, figures: Path | None = None,
          strict: bool = False) -> Path:
    """Write <name>-<version>.zip of the package in the folder `root` into `out`. `exports`: a folder
    written by `exports.write_all` for this package; `figures`: one drawn by `figures.draw` from its
    data; by default each is made afresh in a temporary folder inside `out`, so that the release's
    figures and exports are those of its data, whatever the package's figures/ and dist/exports/ hold.
    `strict`: `out` was named (--out) and must be new, empty or written by `release` before."""
    given = root if hasattr(root, "folder") else None  # a package Context (as the command passes it: its texts)
    root = Path(getattr(root, "folder", root))
    descriptor = descriptor_module.read(root / "datapackage.json").data
    name = f"{names.checked(descriptor['name'])}-{names.checked(descriptor['version'], 'version')}"
    if not _safe(name) or "/" in name:
        raise ValueError(f"the package name and version make an unsafe file name: {name!r}")
    with files.OutputFolder(out, "release", strict=strict) as output:
        files.make_folders(out)
        if strict:
            output.mark()
        for stale in out.glob(f".{name}.*"):  # left by a run that was killed (we hold the lock), not the user's
            if files.ours(stale, "release"):
                shutil.rmtree(stale, ignore_errors=True)
        with tempfile.TemporaryDirectory(dir=out, prefix=f".{name}.", ignore_cleanup_errors=True) as scratch:
            output.mark(Path(scratch))
            if exports is None or figures is None:
                from ..context import Context

                ctx = given or Context.open(root / "datapackage.json")
            if exports is None:
                from .. import exports as exports_module
                from ..exports import web_annotations

                exports = Path(scratch) / "exports"
                exports_module.write_all(ctx, exports)
                web_annotations.require_for_release(journeys.read(ctx.path), ctx.sources, exports)
            if figures is None:
                from .. import figures as figures_module

                figures = Path(scratch) / "figures"
                figures_module.draw(ctx, None, figures)
            archive = files.zip_bytes(members(root, exports, figures))  # flat: every member at the top
            return files.write_atomically(out / f"{name}.zip", archive)


def release_readme(r: Release) -> str:
    """The archive's own README: what is in it (paths relative to the archive) and how to load each format."""
    from . import docs, recipes, reliability

    package = r.descriptor.data
    glance = comparison_model.build(r.data)
    counts = collections.Counter(_entry(member).name for member in r.members)
    counts["README.md"] = 1
    licence = package["licenses"][0]["name"]
    contents = docs.table(["path", "files", "what it is"], [  # a new package may have no changelog: not listed
        (f"`{e.name}`", counts[e.name], e.about.format(licence=licence)) for e in CONTENTS if counts[e.name]],
        right=("files",))
    readme = (TEMPLATES / "release-readme.md").read_text(encoding="utf-8").format(
        title=docs._cell(package["title"]), version=package["version"], about=docs.markdown(r.descriptor.about),
        licence=licence, licence_url=package["licenses"][0]["path"], contents=contents,
        code_licence=" Code (none is shipped here) is MIT." if counts["LICENSE"] else "",  # a team's has no LICENSE
        glance=docs.glance_table(glance.rows),
        reliability=reliability.summary(reliability.measured(r.descriptor, r.data.tables)),
        recipes=recipes.render("exports/", "datapackage.json", package["name"]),
        tables=docs.tables(r.descriptor, r.data.tables), dictionary=docs.data_dictionary(r.descriptor),
        citation=docs.markdown(citation_module.how_to_cite(r.citation)))
    return readme.rstrip("\n") + "\n"
