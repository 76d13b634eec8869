"""Names that become file names, and paths that must stay inside a folder.

The package's `name` and `version`, resource names and source ids end up in file names
(`<name>-<version>.zip`, `<name>.sqlite`, `parquet/<resource>.parquet`, `<source_id>.txt`). The
validator refuses any that do not match these patterns, and the writers check again before
they write, so no value from a descriptor can point a file outside its folder.
"""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

# lowercase letters, digits, '.', '-', '_'; starts and ends with a letter or digit; at most 100 characters
NAME = re.compile(r"[a-z0-9](?:[a-z0-9._-]{0,98}[a-z0-9])?")
# a version such as 0.2.0 or 1.0.0-rc.1+build.5
VERSION = re.compile(r"[0-9A-Za-z](?:[0-9A-Za-z.+-]{0,62}[0-9A-Za-z])?")
# an id that names a file: letters, digits, '.', '-', '_'; no '..'; at most 128 characters
FILE_ID = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]{0,126}[A-Za-z0-9])?")

PATTERNS = {"name": NAME, "version": VERSION, "id": FILE_ID}


class UnsafeName(ValueError):
    """A value that would make an unsafe file name or a path outside its folder."""


def unsafe(value: object, kind: str = "name") -> str | None:
    """Why `value` may not become part of a file name, or None when it is safe."""
    pattern = PATTERNS[kind]
    if not isinstance(value, str):
        return f"the {kind} must be a string"
    if not pattern.fullmatch(value) or ".." in value:
        shown = value if len(value) <= 40 else value[:39] + "…"
        return f"{shown!r} is not a safe {kind}: use {pattern.pattern}, without '..'"
    return None


def checked(value: object, kind: str = "name") -> str:
    """`value`, when it is safe as part of a file name; else UnsafeName."""
    reason = unsafe(value, kind)
    if reason:
        raise UnsafeName(reason)
    return value  # type: ignore[return-value]


def inside(folder: Path, name: str) -> Path:
    """folder/name, refusing any name that leaves the folder (absolute, '..', or the folder itself)."""
    base = os.path.abspath(folder)
    path = os.path.abspath(os.path.join(base, name))
    if Path(name).is_absolute() or ".." in Path(name).parts or path == base \
            or os.path.commonpath([base, path]) != base:
        raise UnsafeName(f"{name!r} would be written outside {folder}")
    return Path(folder) / name


_KINDS = [(stat.S_ISREG, None), (stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")]


def kind_of(path: Path, root: Path | None = None) -> str | None:
    """None when `path` is a regular file reached without a symbolic link below `root`;
    otherwise what it is ("a symbolic link", "a directory", "a FIFO", "a device", "missing", …).
    Nothing is opened: only lstat is used."""
    path = Path(path)
    parts = [path]
    if root is not None:
        try:
            relative = path.relative_to(root)
        except ValueError:
            return "outside the package"
        if ".." in relative.parts:  # root/../x is below root only by its letters
            return "outside the package"
        parts = [Path(root).joinpath(*relative.parts[: i + 1]) for i in range(len(relative.parts))]
    for part in parts:
        try:
            mode = os.lstat(part).st_mode
        except FileNotFoundError:
            return "missing"
        except OSError as error:
            return f"unreadable ({error.strerror})"
        if stat.S_ISLNK(mode):
            return "a symbolic link" if part == parts[-1] else \
                f"in a folder that is a symbolic link ({part.relative_to(root).as_posix()})"
        if part != parts[-1]:
            if not stat.S_ISDIR(mode):
                return "not in a folder"
            continue
        return next((what for test, what in _KINDS if test(mode)), "not a regular file")
    return None


def read_regular(path: Path, root: Path | None = None) -> bytes:
    """The bytes of a regular file (no symbolic link on the way below `root`), opened without
    following links and without blocking; OSError (with a reason) for anything else."""
    what = kind_of(path, root)
    if what == "missing":
        raise FileNotFoundError(2, "No such file or directory", str(path))
    if what is not None:
        raise NotRegular(what)
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    descriptor = os.open(path, flags)
    try:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):  # replaced between the check and the open
            raise NotRegular("not a regular file")
        with os.fdopen(descriptor, "rb", closefd=False) as handle:
            return handle.read()
    finally:
        os.close(descriptor)


class NotRegular(OSError):
    """A path that is not a regular file: the reason is its kind."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what
        self.strerror = f"it is {what}, not a regular file"
