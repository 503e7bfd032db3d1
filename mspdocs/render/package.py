"""Checks on a Word template's package before it is opened: its size unpacked, macros, and external links.

Everything in a template reaches the customer's document, and LibreOffice fetches external targets while
it converts to PDF: so a template may hold no macros (vbaProject parts, macro-enabled content types) and no
relationship with `TargetMode="External"` (linked images, hyperlinks, OLE objects, attached templates).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from ..errors import InputError

UNPACKED_LIMIT = 100 << 20  # all parts of a template together, unpacked (README, "Limits")
PART_LIMIT = 50 << 20
MAX_PARTS = 2000
_MACRO_NAME = re.compile(r"(?i)(vbaproject|vbadata|\.bin$|activex)")
_MACRO_TYPE = re.compile(rb"(?i)macroEnabled|vbaProject|ms-office\.activeX")
_EXTERNAL = re.compile(rb"""TargetMode\s*=\s*["']External["']""")
_TARGET = re.compile(rb"""Target\s*=\s*["']([^"']*)["'][^>]*TargetMode\s*=\s*["']External["']"""
                     rb"""|TargetMode\s*=\s*["']External["'][^>]*Target\s*=\s*["']([^"']*)["']""")


def check_word_package(data: bytes, path: Path) -> None:
    """Refuse anything but a plain Word document: not a zip, no document part, too large, macros, links."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise InputError("not a Word document (.docx): the file is not a zip package", path=path) from None
    with archive:
        infos = archive.infolist()
        names = [info.filename for info in infos]
        if "word/document.xml" not in names:
            raise InputError("not a Word document (.docx): it has no word/document.xml", path=path)
        _check_sizes(infos, path)
        macros = [name for name in names if _MACRO_NAME.search(name)]
        if macros or _MACRO_TYPE.search(_read(archive, "[Content_Types].xml", path)):
            raise InputError("refusing a template with macros (a .docm or a vbaProject part: "
                             f"{', '.join(macros) or '[Content_Types].xml'}); save it as a plain .docx",
                             path=path)
        for name in names:
            if name.endswith(".rels"):
                _check_relationships(_read(archive, name, path), name, path)


def _check_sizes(infos: list[zipfile.ZipInfo], path: Path) -> None:
    if len(infos) > MAX_PARTS:
        raise InputError(f"refusing a template of {len(infos)} parts (at most {MAX_PARTS})", path=path)
    total = sum(info.file_size for info in infos)
    largest = max(infos, key=lambda info: info.file_size)
    if total > UNPACKED_LIMIT or largest.file_size > PART_LIMIT:
        raise InputError(f"refusing a template that unpacks to {total >> 20} MiB (part {largest.filename}: "
                         f"{largest.file_size >> 20} MiB; at most {UNPACKED_LIMIT >> 20} MiB in all)", path=path)


def _read(archive: zipfile.ZipFile, name: str, path: Path) -> bytes:
    """One part, never more than its declared (and checked) size."""
    try:
        with archive.open(name) as part:
            return part.read(PART_LIMIT + 1)[:PART_LIMIT]
    except KeyError:
        return b""
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise InputError(f"not a Word document (.docx): part {name} cannot be read ({exc})", path=path) from None


def _check_relationships(xml: bytes, name: str, path: Path) -> None:
    if not _EXTERNAL.search(xml):
        return
    match = _TARGET.search(xml)
    target = (match.group(1) or match.group(2)).decode("utf-8", "replace") if match else "?"
    raise InputError(f"refusing a template that links to an outside resource ({name}: {target[:120]}); "
                     "LibreOffice would fetch it and the customer's copy would carry it: embed it or remove it",
                     path=path)
