"""Atomic writes that never replace an existing file: a document is either complete or absent."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import InputError


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_new(path: Path, data: bytes) -> None:
    """Write `data` to a new file at `path`; refuses if `path` exists, leaves nothing on failure."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        try:
            # link() fails when the name exists, so an issued document is never replaced, even in a race.
            os.link(temporary, path)
        except FileExistsError:
            raise InputError("refusing to overwrite an existing document", path=path) from None
    finally:
        os.unlink(temporary)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
