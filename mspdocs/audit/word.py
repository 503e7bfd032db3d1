"""The audit as a Word report (python-docx), and its PDF through LibreOffice: the same content as the HTML page."""

from __future__ import annotations

import datetime as dt
import io
import tempfile
from pathlib import Path

from ..errors import RenderError
from ..render.environment import counted
from ..workspace import writer
from .html import signed_text
from .lessons import GAP, LESSONS, OK, UNKNOWN
from .portfolio import CustomerAudit
from .report import ordered, portfolio_summary

SHADE = {GAP: "F5B7B1", UNKNOWN: "FAD7A0", OK: "ABEBC6"}


def _shade(cell, status: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), SHADE[status])
    cell._tc.get_or_add_tcPr().append(shading)


def grid_table(document, header: list[str], rows: list[list], statuses: dict[int, int] | None = None):
    """A grid table with a bold header row (None prints as an empty cell); `statuses` maps a column to
    shade by its cell's status word."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
        cell.paragraphs[0].runs[0].bold = True
    for values in rows:
        cells = table.add_row().cells
        for index, (cell, value) in enumerate(zip(cells, values)):
            cell.text = text = "" if value is None else str(value)
            if statuses and index in statuses and text in SHADE:
                _shade(cell, text)
    return table


def render_docx(audits: list[CustomerAudit], as_of: dt.date) -> bytes:
    """The report: summary per lesson, the portfolio table, then each customer with a gap or an unknown."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    document.styles["Normal"].font.size = Pt(9)
    document.core_properties.title = f"Audit as of {as_of.isoformat()}"
    document.add_heading("Where are we exposed?", level=0)
    with_gaps = sum(1 for a in audits if a.gaps)
    document.add_paragraph(f"Audit as of {as_of.isoformat()}: {counted(len(audits), 'customer')}, {with_gaps} with at "
                           "least one gap.")
    document.add_heading("Portfolio: customers per lesson", level=1)
    summary = portfolio_summary(audits)
    grid_table(document, ["Lesson", "Customers with a gap", "Unknown", "OK"],
           [[f"{n}. {LESSONS[n]}", str(summary[n][GAP]), str(summary[n][UNKNOWN]), str(summary[n][OK])]
            for n in LESSONS])
    document.add_heading("Customers", level=1)
    grid_table(document, ["Customer", "Gaps", *(f"{n}. {LESSONS[n]}" for n in LESSONS)],
           [[a.customer, str(len(a.gaps)), *(c.status for c in a.checks)] for a in ordered(audits)],
           statuses={index: index for index in range(2, 8)})
    for audit in ordered(audits):
        if not (audit.gaps or audit.unknown):
            continue
        document.add_heading(f"{audit.legal_name} ({audit.customer})", level=2)
        grid_table(document, ["Lesson", "Status", "Reason", "Action"],
               [[f"{c.lesson}. {LESSONS[c.lesson]}", c.status, c.reason, c.action] for c in audit.checks],
               statuses={1: 1})
        if audit.documents:
            document.add_paragraph("Documents", style="Heading 3")
            grid_table(document, ["Document", "Kind", "Date", "Status", "Signed"],
                   [[d["document_id"], d["kind"], d["date"], d["status"], signed_text(d)] for d in audit.documents])
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def convert_to_pdf(docx_path: Path) -> Path:
    """The report's PDF beside it (same name, .pdf), converted by LibreOffice; never over another file."""
    from ..render.pdf import convert_batch, find_soffice

    target = docx_path.with_suffix(".pdf")
    if target.exists():
        raise RenderError("refusing to overwrite an existing file", path=target)
    with tempfile.TemporaryDirectory(prefix="mspdocs-audit-") as folder:
        convert_batch(find_soffice(), [docx_path], Path(folder))
        produced = Path(folder) / f"{docx_path.stem}.pdf"
        if not produced.is_file():
            raise RenderError("LibreOffice produced no PDF of the report", path=docx_path)
        writer.write_new(target, produced.read_bytes())
    return target
