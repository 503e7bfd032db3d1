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
