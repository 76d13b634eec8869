"""The package a command acts on (`Context.open(named)`): made once, by the command, from what the user
named, and passed down, so that nothing below it looks up this project's own paths or identity."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .model import descriptor as descriptor_module
from .model.descriptor import UnreadableInput

DESCRIPTOR = "datapackage.json"


def descriptor_path(named: str | os.PathLike | None, cwd: Path | None = None) -> Path:
    """The datapackage.json the user named (the file, or the folder holding it), else the one in
    the current folder. Raises UnreadableInput (one line: what is missing, how to name one)."""
    if named is None:
        here = (cwd or Path.cwd()) / DESCRIPTOR
        if not here.is_file():
            raise UnreadableInput(f"no {DESCRIPTOR} in the current folder ({here.parent}): name the package, "
                                  "e.g. `returnee-journeys validate path/to/datapackage.json` (or its folder), "
                                  "or use --bundled for the dataset shipped with the instrument")
        return here
    path = Path(named)
    if not path.exists():
        raise UnreadableInput(f"{path}: no such file or folder (name a {DESCRIPTOR} or the folder holding one)")
    if path.is_dir() and path.suffix == ".json":
        raise UnreadableInput(f"{path}: is a folder, not a descriptor file")
    if path.is_dir():
        inside = path / DESCRIPTOR
        if not inside.exists():
            raise UnreadableInput(f"{path}: the folder holds no {DESCRIPTOR} (name a {DESCRIPTOR} or its folder)")
        if inside.is_dir():
            raise UnreadableInput(f"{inside}: is a folder, not a descriptor file")
        return inside
    return path


@dataclass(frozen=True)
class Context:
    """One package, as one command sees it."""
    descriptor: descriptor_module.Descriptor
    sources: Path                  # the folder of its source texts (default: <package folder>/sources)

    @classmethod
    def open(cls, package: str | os.PathLike | None = None, *, sources: str | os.PathLike | None = None,
             cwd: Path | None = None) -> Context:
        """The context of the package named (see `descriptor_path`). `sources`: the texts' folder (an
        explicit one must exist); default $SOURCES_DIR, else the package's own sources/. A SOURCES_DIR
        holding none of the texts in the package's own sources/ is another project's: the package's own
        are used."""
        path = descriptor_path(package, cwd)
        descriptor = descriptor_module.read(path)
        own = path.parent / "sources"
        named = sources if sources is not None else (os.environ.get("SOURCES_DIR") or None)
        if named is not None and not Path(named).is_dir():
            what = "is not a folder" if os.path.lexists(named) else "does not exist"
            raise UnreadableInput(f"the sources folder {named} {what} (--sources or SOURCES_DIR)")
        if sources is None and named is not None:
            texts = [p.name for p in own.glob("*.txt")] if own.is_dir() else []
            if texts and not any((Path(named) / text).is_file() for text in texts):
                named = None
        return cls(descriptor, Path(named) if named is not None else own)

    @property
    def path(self) -> Path:
        return self.descriptor.path

    @property
    def folder(self) -> Path:
        return self.descriptor.path.parent

    @property
    def figures(self) -> Path:
        return self.folder / "figures"

    @property
    def dist(self) -> Path:
        return self.folder / "dist"

    @property
    def exports(self) -> Path:
        return self.dist / "exports"

    @property
    def name(self) -> str:
        return str(self.descriptor.data.get("name", ""))

    @property
    def title(self) -> str:
        return str(self.descriptor.data.get("title") or self.name)

    @cached_property
    def citation(self) -> dict:
        """How to cite the package: its own CITATION.cff where that names this package, else built from
        its descriptor (never this project's)."""
        from .model import citation

        return citation.for_package(self.descriptor)

    def banner(self) -> str:
        """The first line of a command's output: which package it acts on."""
        return f"package: {self.path.absolute()} ({self.name or 'no name'})"
