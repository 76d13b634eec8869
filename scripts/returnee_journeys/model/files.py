"""File safety, in one place: every file and folder the command writes goes through here (atomic
files, owned output folders swapped in whole, byte-identical zips), and the no-follow read of a file
inside a folder.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import io
import os
import shutil
import signal
import tempfile
import time
import zipfile
from pathlib import Path

FILE_MODE = 0o644
FOLDER_MODE = 0o755
MARKER = ".returnee-journeys"          # in every folder the command writes whole: what made it
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
LOCK_WAIT = float(os.environ.get("RETURNEE_JOURNEYS_LOCK_WAIT", "60"))  # seconds a second writer waits


class RefusedOutput(OSError):
    """An output folder the command must not write into: exit 2, nothing touched."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.strerror = message


def same_path(a: Path, b: Path) -> bool:
    """Whether two paths name the same place (after resolving what exists of them)."""
    return Path(os.path.abspath(a)).resolve() == Path(os.path.abspath(b)).resolve()


def make_folders(folder: Path) -> Path:
    """`folder` and its missing parents, each created 0755 whatever the umask."""
    folder = Path(folder)
    missing = []
    for candidate in [folder, *folder.parents]:
        if candidate.exists() or candidate.is_symlink():
            break
        missing.append(candidate)
    for candidate in reversed(missing):
        with contextlib.suppress(FileExistsError):
            os.mkdir(candidate)
            os.chmod(candidate, FOLDER_MODE)
    return folder


def write_atomically(path: Path, content: bytes | str) -> Path:
    """Write `content` (text as UTF-8) to `path` with mode 0644: a reader sees the old file or the
    new one, never half of one, and an interrupted write leaves no stray temporary file."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    path = Path(path)
    make_folders(path.parent)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, path)
    except OSError as error:  # a full disk names no file: name the one that could not be written
        error.filename = error.filename or str(path)
        raise
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return path


def zip_bytes(members, sort: bool = True) -> bytes:
    """A zip of (name, bytes) pairs (or a dict): entries sorted (unless `sort` is False: the order
    given), dated 1980-01-01, mode 0644, made on "Unix", deflated at level 9: the same bytes on
    every build, whatever the clock, umask or system."""
    pairs = list(members.items() if isinstance(members, dict) else members)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in (sorted(pairs) if sort else pairs):
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = FILE_MODE << 16
            info.create_system = 3
            archive.writestr(info, content, compresslevel=9)
    return buffer.getvalue()


def read_inside(path: Path, root: Path) -> bytes:
    """The bytes of the regular file `path`, which must be below `root` and reached without a
    symbolic link (none below `root`, the file itself opened with O_NOFOLLOW). OSError otherwise."""
    from .names import NotRegular, read_regular

    try:
        return read_regular(Path(path), Path(root))
    except NotRegular as error:
        raise RefusedOutput(f"{path} is {error.what}: only regular files inside {root} are read "
                            "(a symbolic link is never followed)") from None


# ---------------------------------------------------------------------------------------------
# Output folders


@contextlib.contextmanager
def signals_held():
    """SIGINT and SIGTERM held off (delivered on leaving) while two renames must both happen."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError, OSError):  # not the main thread, or no signal masks here
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _lock(folder: Path, wait: float):
    """An exclusive lock on `folder` (flock on the folder itself: no lock file left behind).
    Waits up to `wait` seconds for another writer, then RefusedOutput."""
    handle = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except OSError as error:
            if error.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                os.close(handle)
                raise
            if time.monotonic() >= deadline:
                os.close(handle)
                raise RefusedOutput(f"another returnee-journeys command is writing into {folder}; "
                                    "try again when it has finished") from None
            time.sleep(0.1)


def _marker_of(folder: Path) -> str | None:
    path = folder / MARKER
    try:
        if path.is_symlink() or not path.is_file():
            return None
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None


def ours(folder: Path, kind: str) -> bool:
    """Whether `folder` (a leftover of a killed run) is this command's to remove: a real folder
    holding its marker for `kind`, or nothing at all."""
    return folder.is_dir() and not folder.is_symlink() and (_marker_of(folder) == kind or not any(os.scandir(folder)))


def check_output(folder: Path, kind: str) -> None:
    """Refuse (RefusedOutput) a folder the command did not make for `kind`: only a missing folder,
    an empty one, or one holding this command's marker for `kind` may be written."""
    folder = Path(folder)
    if folder.is_symlink():
        raise RefusedOutput(f"{folder} is a symbolic link: name a real folder for the output")
    if not folder.exists():
        return
    if not folder.is_dir():
        raise RefusedOutput(f"{folder} exists and is not a folder: name a new or empty folder for the output")
    here = Path.cwd().resolve()
    if folder.resolve() in (here, *here.parents):
        raise RefusedOutput(f"{folder} is the current folder or holds it: name an output folder below it")
    marker = _marker_of(folder)
    if marker == kind:
        return
    if any(True for _ in os.scandir(folder)):
        made = f" (it holds {MARKER} of `{marker}`)" if marker else ""
        raise RefusedOutput(f"{folder} is not empty and was not written by `returnee-journeys {kind}`{made}: "
                            "nothing was touched; name a new or empty folder")


class OutputFolder:
    """A folder written by one kind of output (`kind`: "exports", "figures", "synthetic" …): new, empty
    or holding the command's marker (`MARKER`), else nothing is touched (exit 2); one writer at a time (a
    lock on its parent folder). A kill at any moment leaves the old or the new folder whole.

        with OutputFolder(out, "exports") as output:    # refused, locked, leftovers cleared
            build_into(output.staging)                 # a new folder beside `out`
            output.swap()                              # `out` is the new folder, whole

    `strict`: the folder must be new, empty or this command's (an explicit --out); the package's
    own default output folders are the command's by convention and are not checked.
    Without `swap` (figures: files replaced one by one), `output.folder` is written in place."""

    def __init__(self, folder: Path, kind: str, strict: bool = True, wait: float | None = None) -> None:
        self.folder = Path(os.path.abspath(folder))
        self.kind = kind
        self.strict = strict
        self.wait = LOCK_WAIT if wait is None else wait
        self._lock = None
        self._staging: Path | None = None
        self._made = False

    def __enter__(self) -> OutputFolder:
        if self.strict:
            check_output(self.folder, self.kind)
        elif self.folder.is_symlink():
            raise RefusedOutput(f"{self.folder} is a symbolic link: name a real folder for the output")
        make_folders(self.folder.parent)
        self._lock = _lock(self.folder.parent, self.wait)
        try:
            self._recover()
        except BaseException:
            self._release()
            raise
        self._made = not self.folder.exists() and not self.folder.is_symlink()
        return self

    def __exit__(self, error, *exc) -> None:
        try:
            if self._staging is not None and self._staging.exists():
                shutil.rmtree(self._staging, ignore_errors=True)
            if error is not None and self._made:  # a folder this run made and did not finish: not left half-written
                shutil.rmtree(self.folder, ignore_errors=True)
        finally:
            self._release()

    def _release(self) -> None:
        if self._lock is not None:
            os.close(self._lock)  # closing the descriptor releases the flock
            self._lock = None

    def _leftovers(self, what: str) -> list[Path]:
        """The folders a killed run of this command left beside the target (never one of the user's)."""
        return sorted(p for p in self.folder.parent.glob(f".{self.folder.name}.{what}-*") if ours(p, self.kind))

    def _recover(self) -> None:
        """Undo what a killed run left: an old folder set aside with no new one in place is put
        back; staging folders and set-aside folders are removed (we hold the lock: no one else
        is writing them)."""
        aside = self._leftovers("old")
        if not self.folder.exists() and not self.folder.is_symlink() and aside:
            os.rename(aside[-1], self.folder)
        for stale in self._leftovers("new") + self._leftovers("old"):
            shutil.rmtree(stale, ignore_errors=True)

    @property
    def staging(self) -> Path:
        """A new folder beside the target (same file system: the swap is a rename), 0755."""
        if self._staging is None:
            self._staging = Path(tempfile.mkdtemp(dir=self.folder.parent, prefix=f".{self.folder.name}.new-"))
            os.chmod(self._staging, FOLDER_MODE)
            self.mark(self._staging)  # a killed run's staging folder is known as ours by it
        return self._staging

    def mark(self, folder: Path | None = None) -> None:
        """Write the marker that lets a later run of the same command replace the folder."""
        target = (folder or self.folder) / MARKER
        write_atomically(target, f"{self.kind}\n")

    def swap(self) -> Path:
        """Put the staged folder in place of the target: marker written, modes made readable by
        all, old folder renamed aside, new renamed in, old deleted."""
        staging = self.staging
        self.mark(staging)
        for path in [staging, *staging.rglob("*")]:
            if not path.is_symlink():
                os.chmod(path, FOLDER_MODE if path.is_dir() else FILE_MODE)
        aside = None
        with signals_held():
            if self.folder.exists() or self.folder.is_symlink():
                aside = Path(tempfile.mkdtemp(dir=self.folder.parent, prefix=f".{self.folder.name}.old-"))
                os.rename(self.folder, aside)  # onto the empty folder just made: rename replaces it
            os.rename(staging, self.folder)
            self._staging = None
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)
        return self.folder
