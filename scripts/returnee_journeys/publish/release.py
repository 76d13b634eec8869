"""Build the release archive: dist/<name>-<version>.zip, byte-identical on every rebuild.

The archive holds datapackage.json (each resource with its `bytes` and `hash`), data/,
figures/, exports/ (from dist/exports), the README, citation, licences and changelog; entries are sorted, dated
1980-01-01 and given fixed permissions. Prints the archive's path and sha256.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path

from ..model import paths

TOP_FILES = ["CHANGELOG.md", "CITATION.cff", "LICENSE", "LICENSE-DATA.md", "README.md"]
FOLDERS = ["data", "figures", "dist/exports"]  # dist/exports: `make exports`, when it has been run
EPOCH = (1980, 1, 1, 0, 0, 0)


def released_descriptor(root: Path) -> bytes:
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        raw = (root / resource["path"]).read_bytes()
        resource["bytes"] = len(raw)
        resource["hash"] = "sha256:" + hashlib.sha256(raw).hexdigest()
    return (json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def members(root: Path) -> list[tuple[str, bytes]]:
    files = [(name, (root / name).read_bytes()) for name in TOP_FILES]
    for folder in FOLDERS:
        base = (root / folder).parent if folder.startswith("dist/") else root
        files += [(p.relative_to(base).as_posix(), p.read_bytes()) for p in (root / folder).rglob("*")
                  if p.is_file() and p.suffix != ".qdpx"]  # a .qdpx holds the texts: never released
    files.append(("datapackage.json", released_descriptor(root)))
    return sorted(files)


def build(root: Path, out: Path) -> Path:
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    name = f"{descriptor['name']}-{descriptor['version']}"
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{name}.zip"
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
