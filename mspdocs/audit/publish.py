"""Writing an audit report to its file: HTML or Word (and PDF), complete or absent, never over another file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import InputError
from ..workspace import writer
from ..workspace.folder import open_workspace
from .portfolio import CustomerAudit


def refuse_output_folder(path: str | Path, workspace: str | Path | None) -> None:
    """A report is no issued document: under output/ `register verify` would name it as unrecorded."""
    output = open_workspace(workspace).output_dir.resolve()
    if Path(path).resolve().is_relative_to(output):
        raise InputError("output/ holds only the documents the register records; write the report elsewhere "
                         "(e.g. -o reports/audit.html)", path=path, field="--output")


def write_new(path: str | Path, data: bytes) -> Path:
    """A new file at `path` (its folder made when missing); refuses when the file exists."""
    target = Path(path)
    writer.write_new(target, data)
    return target


def write_report(audits: list[CustomerAudit], output_format: str, path: str | Path, *, as_of: dt.date,
                 workspace: str | Path | None = None, pdf: bool = False) -> list[Path]:
    """The report as one HTML page or a Word document (and its PDF beside it); the paths written."""
    target = Path(path)
    refuse_output_folder(target, workspace)
    if output_format == "html":
        from .html import render_html

        return [write_new(target, render_html(audits, as_of).encode("utf-8"))]
    from .word import render_docx

    written = [write_new(target, render_docx(audits, as_of))]
    if pdf:
        from .word import convert_to_pdf

        written.append(convert_to_pdf(target))
    return written
