"""Reading the user's files: every failure becomes an InputError that names the file."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError


def read_bytes(path: Path) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", path=path) from None


def read_text(path: Path) -> str:
    """The file as UTF-8 text."""
    try:
        return read_bytes(path).decode("utf-8")
    except UnicodeDecodeError as exc:
        line = read_bytes(path)[: exc.start].count(b"\n") + 1
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
