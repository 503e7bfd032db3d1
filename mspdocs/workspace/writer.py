"""Atomic writes: a document is either complete or absent, and an issued document is never replaced."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import InputError, WriteError
from .files import check_inside


def current_umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_failure(exc: OSError, path: Path) -> WriteError:
    """An OSError of a write as one line naming the file and the cause."""
    where = Path(exc.filename) if getattr(exc, "filename", None) else path
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        return WriteError("cannot write here: a file stands where a folder belongs", path=where)
    return WriteError(f"cannot write: {exc.strerror or exc}", path=where)


def stage(path: Path, data: bytes) -> Path:
    """Write `data`, flushed to disk, to a hidden `.part` file beside `path`; the caller publishes it."""
    check_inside(path.parent)
    for attempt in range(3):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            check_inside(path.parent)
            descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
            break
        except FileNotFoundError as exc:  # another process removed the folder it had just emptied: again
            if attempt == 2:
                raise write_failure(exc, path.parent) from None
        except OSError as exc:
            raise write_failure(exc, path.parent) from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o666 & ~current_umask())
    except BaseException as exc:
        os.unlink(temporary)
        if isinstance(exc, OSError):
            raise write_failure(exc, path) from None
        raise
    return Path(temporary)


def stage_in(folder: Path, name: str, data: bytes) -> Path:
    """Write `data`, flushed to disk, as `folder/name` (a batch's staging folder; the name is new)."""
    path = folder / name
    folder.mkdir(parents=True, exist_ok=True)
    with open(path, "xb") as handle:
        try:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        except BaseException:
            os.unlink(path)
            raise
    os.chmod(path, 0o666 & ~current_umask())
    return path


def place(staged: Path, path: Path) -> None:
    """Give a staged, complete file its final name (hard link, or a copy across file systems); refuses
    if `path` exists. The staged file stays: the caller removes the staging folder."""
    try:
        os.link(staged, path)
    except FileExistsError:
        raise InputError("refusing to overwrite an existing document", path=path) from None
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK):
            raise
        _copy_into_place(staged, path)
    fsync_folder(path.parent)


def _copy_into_place(staged: Path, path: Path) -> None:
    """`place` where links cannot go: a flushed hidden copy beside `path`, then linked to its name."""
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle, open(staged, "rb") as source:
            shutil.copyfileobj(source, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, os.stat(staged).st_mode & 0o777)
        publish(Path(temporary), path)
    finally:
        discard(Path(temporary))


def publish(staged: Path, path: Path) -> None:
    """Give the staged, complete file its final name; refuses if `path` exists."""
    try:
        # link() fails when the name exists, so an issued document is never replaced, even in a race.
        os.link(staged, path)
    except FileExistsError:
        raise InputError("refusing to overwrite an existing document", path=path) from None
    except OSError as exc:
        raise write_failure(exc, path) from None
    fsync_folder(path.parent)


def discard(staged: Path) -> None:
    """Remove a staged file (its content lives on under the final name once published)."""
    try:
        os.unlink(staged)
    except FileNotFoundError:
        pass


def write_new(path: Path, data: bytes) -> None:
    """Write `data` to a new file at `path`; refuses if `path` exists, leaves nothing on failure."""
    staged = stage(path, data)
    try:
        publish(staged, path)
    finally:
        discard(staged)


def replace_atomically(path: Path, data: bytes) -> None:
    """Replace a file the user edits (not an issued document) in one step, keeping its permissions."""
    staged = stage(path, data)
    try:
        if path.exists():
            os.chmod(staged, path.stat().st_mode & 0o777)
        os.replace(staged, path)
    except BaseException as exc:
        discard(staged)
        if isinstance(exc, OSError):
            raise write_failure(exc, path) from None
        raise
    fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    """Make a folder's new entries durable (a renamed or linked file survives a power cut)."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
