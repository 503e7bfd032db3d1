"""Reading the user's files: only regular files, inside their workspace, under a size cap; every failure named.

A file is opened without blocking (a FIFO cannot hang the read) and checked on the open descriptor before
a byte is read: a FIFO, device, socket or folder is refused by what it is, and a file larger than its cap
is refused by its size. Files below a workspace folder (registered by `confine` when the workspace is
opened) must also really be there: a symbolic link out of the workspace is refused. Writes check the same
(`check_inside`), so `output/<customer>` linked elsewhere cannot write outside the workspace.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import InputError

MiB = 1 << 20
# The caps on what one file may hold (README, "Limits"): text the user writes, Word templates, anything else.
TEXT_LIMIT = 2 * MiB
TEMPLATE_LIMIT = 20 * MiB
DEFAULT_LIMIT = 64 * MiB

_ROOTS: set[Path] = set()  # workspace folders opened by this process, resolved


class FileTooLarge(InputError):
    """A file over its size cap (callers that judge received files report it as a finding)."""


def confine(root: Path) -> None:
    """Hold every file read or written below `root` to stay inside it (links out are refused)."""
    _ROOTS.add(Path(os.path.realpath(root)))


def _root_of(path: Path) -> Path | None:
    absolute = os.path.abspath(path)
    return next((root for root in _ROOTS if _within(absolute, str(root))), None)


def _within(path: str, folder: str) -> bool:
    """Whether a normalised absolute path is `folder` or below it (compared as text: thousands of files
    are checked per command)."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def check_inside(path: Path, real: str | None = None) -> None:
    """Refuse a path below a workspace whose real location (links followed) is outside that workspace."""
    root = _root_of(path)
    if root is None:
        return
    real_path = real or os.path.realpath(path)
    if not _within(real_path, str(root)):
        raise InputError(f"refusing to use a path outside the workspace (it leads to {real_path})", path=path)


def kind_of(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    for test, name in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "a special file"


def read_bytes(path: Path, limit: int = DEFAULT_LIMIT) -> bytes:
    """The whole file, if it is a regular file (inside its workspace) of at most `limit` bytes."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", path=path) from None
    try:
        info = os.fstat(descriptor)
        what = kind_of(info.st_mode)
        if what:
            raise InputError(f"cannot read file: it is {what}, not a regular file", path=path)
        check_inside(Path(path), _opened_path(descriptor))
        if info.st_size > limit:
            raise _too_large(path, limit)
        chunks, size = [], 0
        while chunk := os.read(descriptor, min(limit + 1 - size, MiB) or 1):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:  # it grew while being read
                raise _too_large(path, limit)
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", path=path) from None
    finally:
        os.close(descriptor)


def _opened_path(descriptor: int) -> str | None:
    """Where the open file really is (Linux names it under /proc; elsewhere the path is resolved)."""
    try:
        return os.readlink(f"/proc/self/fd/{descriptor}")
    except OSError:
        return None


def _too_large(path: Path, limit: int) -> FileTooLarge:
    return FileTooLarge(f"refusing to read more than {limit / MiB:g} MiB: the file is larger", path=path)


def read_text(path: Path, limit: int = TEXT_LIMIT) -> str:
    """The file as UTF-8 text (at most `limit` bytes)."""
    data = read_bytes(path, limit)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError("file is not UTF-8 text", path=path, line=line) from None


def read_text_bounded(path: Path, max_bytes: int) -> str:
    """The file as UTF-8 text, refused unread when it is larger than `max_bytes`."""
    try:
        size = Path(path).stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", path=path) from None
    if size > max_bytes:
        raise InputError(f"file is too large ({size:,} bytes; at most {max_bytes:,})", path=path)
    return read_text(path)
