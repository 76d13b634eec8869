"""`returnee-journeys init DIR`: a new, empty journey package: the instrument's descriptor (every
resource, field and code) with the new package's identity, header-only CSVs, a README stub, a
licence placeholder and sources/ (kept out of version control), moved into place whole."""
from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from ..model import descriptor as descriptor_module
from ..model import names
from ..model import paths
from ..model.descriptor import UnreadableInput
from . import TEMPLATES

COUNTRY = re.compile(r"[A-Z]{2}")
# where a licence's text lives, for the ones teams choose most
LICENCE_URLS = {"CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
                "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
                "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
                "ODC-By-1.0": "https://opendatacommons.org/licenses/by/1-0/",
                "PDDL-1.0": "https://opendatacommons.org/licenses/pddl/1-0/"}


def _refuse_target(folder: Path) -> None:
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise UnreadableInput(f"{folder}: is a file; init writes a new package into a new or empty folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise UnreadableInput(f"{folder}: the folder is not empty; init writes a new package into a new or empty "
                              "folder, and never over existing files")


def descriptor(name: str, title: str, licence: str, homes: list[str], created: str) -> dict:
    """The new package's descriptor: the instrument's resources with this package's identity."""
    template = descriptor_module.read(paths.DESCRIPTOR).data
    out = {"$schema": template["$schema"], "journeyProfile": template["journeyProfile"],
           "name": name, "id": name, "title": title,
           "description": f"{title}: journeys coded from texts as linked tables (describe the package here: "
                          "whose journeys, from which texts, under which protocol).",
           "version": "0.1.0", "created": created, "keywords": ["migration", "return migration", "journeys"],
           "licenses": [{"name": licence, "path": LICENCE_URLS.get(licence, f"https://spdx.org/licenses/{licence}.html"),
                         "title": licence}],
           "contributors": [{"title": f"{title} contributors", "roles": ["creator", "data curator"]}],
           "sources": [], "typeMap": template["typeMap"]}
    resources = json.loads(json.dumps(template["resources"]))
    for resource in resources:
        resource.pop("bytes", None)
        resource.pop("hash", None)
        for field in resource["schema"]["fields"]:
            if "home_countries" in field:
                field["home_countries"] = homes
    out["resources"] = resources
    return out


def readme(name: str, title: str, licence: str, homes: list[str]) -> str:
    return (TEMPLATES / "init-readme.md").read_text(encoding="utf-8").format(
        name=name, title=title, licence=licence, homes=", ".join(homes))


def licence_text(licence: str) -> str:
    url = LICENCE_URLS.get(licence)
    return (TEMPLATES / "init-licence.md").read_text(encoding="utf-8").format(
        licence=licence, url=f" ({url})" if url else "")


def create(folder: Path, *, name: str | None = None, title: str | None = None, licence: str = "CC-BY-4.0",
           homes: list[str] | None = None, created: str | None = None) -> list[Path]:
    """Write the new package into `folder` (new or empty); return its files. UnreadableInput (exit 2,
    nothing written) for a target that is a file or a non-empty folder, or a bad option."""
    folder = Path(folder)
    _refuse_target(folder)
    if name is None:
        name = re.sub(r"[^a-z0-9]+", "-", folder.resolve().name.lower()).strip("-")
        if not name:
            raise UnreadableInput(f"the folder name {folder.resolve().name!r} gives no package name (a-z, 0-9, "
                                  "hyphens): give one with --name, such as --name belarus-returns")
    reason = names.unsafe(name)
    if reason:
        raise UnreadableInput(f"--name: {reason}")
    title = title or name.replace("-", " ").capitalize()
    if not title.isprintable():  # a control, bidi or invisible character, or a byte that is not UTF-8
        raise UnreadableInput(f"--title {title!r}: write the title in printable characters only")
    homes = list(dict.fromkeys(h.upper() for h in homes or ["RU"]))
    bad = [h for h in homes if not COUNTRY.fullmatch(h)]
    if bad:
        raise UnreadableInput(f"--home {bad[0]}: a home country is an ISO 3166-1 alpha-2 code, such as RU or BY")
    if not re.fullmatch(r"[A-Za-z0-9.+-]{1,64}", licence):
        raise UnreadableInput(f"--licence {licence!r}: give the licence's SPDX identifier, such as CC-BY-4.0")
    created = created or datetime.date.today().isoformat() + "T00:00:00Z"
    package = descriptor(name, title, licence, homes, created)

    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.init."))
    try:
        os.chmod(staging, 0o755)
        files = {"datapackage.json": json.dumps(package, indent=2, ensure_ascii=False) + "\n",
                 "README.md": readme(name, title, licence, homes), "LICENSE-DATA.md": licence_text(licence),
                 "sources/.gitignore": "# the source texts are copyrighted: keep them here, never commit them\n*\n"
                                       "!.gitignore\n"}
        for resource in package["resources"]:
            files[resource["path"]] = ",".join(f["name"] for f in resource["schema"]["fields"]) + "\n"
        for relative, text in files.items():
            target = names.inside(staging, relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
        _refuse_target(folder)  # still new or empty: nothing appeared meanwhile
        if folder.is_dir():
            folder.rmdir()
        os.replace(staging, folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return sorted(folder / relative for relative in files)
