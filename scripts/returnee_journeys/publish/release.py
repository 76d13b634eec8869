"""Build the release archive: dist/<name>-<version>.zip, byte-identical on every rebuild.

The archive holds exactly the files `manifest` lists: datapackage.json (each resource with its
`bytes` and `hash`), the resources' CSV files, the figures, exports/ (from dist/exports), the
README, citation, licences and changelog; entries are sorted, dated 1980-01-01 and given fixed
permissions. Prints the archive's path and sha256.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path

from ..model import names
from ..model import paths

TOP_FILES = ["CHANGELOG.md", "CITATION.cff", "LICENSE", "LICENSE-DATA.md", "README.md"]
FIGURE_FORMATS = ["png", "svg"]
SEQUENCE_TABLES = ["months", "spells-place", "spells-stage-type", "sts-place"]
EPOCH = (1980, 1, 1, 0, 0, 0)


def manifest(root: Path) -> list[tuple[str, Path]]:
    """The one list of what the release holds: (name in the archive, file), sorted. The top files,
    each resource of the descriptor, each figure, and the exports of `make exports` when they have
    been written; nothing else (no stray or untracked file), nothing outside its folder."""
    from ..figures import FIGURES  # noqa: PLC0415

    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    name = names.checked(descriptor["name"])
    listed = [(top, root / top) for top in TOP_FILES]
    listed += [(r["path"], names.inside(root, r["path"])) for r in descriptor["resources"]]
    listed += [(f"figures/{f}.{ext}", root / "figures" / f"{f}.{ext}") for f in FIGURES for ext in FIGURE_FORMATS]
    exports = paths.DIST / "exports" if root == paths.ROOT else root / "dist" / "exports"
    if exports.is_dir():
        made = [f"{name}.sqlite", f"{name}.xlsx", "metadata.json"]
        made += [f"parquet/{names.checked(r['name'])}.parquet" for r in descriptor["resources"]]
        made += [f"sequences/{table}.csv" for table in SEQUENCE_TABLES]
        listed += [(f"exports/{m}", exports / m) for m in made]
    return sorted(listed)


def released_descriptor(root: Path) -> bytes:
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        raw = names.inside(root, resource["path"]).read_bytes()
        resource["bytes"] = len(raw)
        resource["hash"] = "sha256:" + hashlib.sha256(raw).hexdigest()
    return (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def members(root: Path) -> list[tuple[str, bytes]]:
    files = [(member, path.read_bytes()) for member, path in manifest(root)]
    files.append(("datapackage.json", released_descriptor(root)))
    return sorted(files)


def build(root: Path, out: Path) -> Path:
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    name = f"{names.checked(descriptor['name'])}-{names.checked(descriptor['version'], 'version')}"
    out.mkdir(parents=True, exist_ok=True)
    target = names.inside(out, f"{name}.zip")
    for stale in out.glob(f".{name}.*.zip"):  # left by a run that was killed
        stale.unlink(missing_ok=True)
    handle, temporary = tempfile.mkstemp(dir=out, prefix=f".{name}.", suffix=".zip")
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w") as archive:
            for member, content in members(root):
                info = zipfile.ZipInfo(f"{name}/{member}", date_time=EPOCH)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                info.create_system = 3  # Unix, whatever system builds it
                archive.writestr(info, content, compresslevel=9)
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target
