"""The audit as a Word report: the same portfolio table and customer sections, reopened as a user would."""

from __future__ import annotations

import json

from mspdocs.cli.main import cli


def test_the_word_report_holds_every_customer_and_lesson(runner, workspace, tmp_path):
    from docx import Document

    path = tmp_path / "audit.docx"
    result = runner.invoke(cli, ["-w", str(workspace), "audit", "--as-of", "2026-11-20", "--format", "docx",
                                 "-o", str(path)])
    assert result.exit_code == 1, result.output
    data = json.loads(runner.invoke(cli, ["-w", str(workspace), "audit", "--as-of", "2026-11-20",
                                          "--format", "json"]).output)
    document = Document(str(path))
    assert [cell.text for cell in document.tables[0].rows[0].cells] == ["Lesson", "Customers with a gap", "Unknown",
                                                                        "OK"]
    portfolio = document.tables[1]
    rows = {row.cells[0].text: [cell.text for cell in row.cells[2:]] for row in portfolio.rows[1:]}
    assert rows == {c["customer"]: [check["status"] for check in c["checks"]] for c in data}
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Müller & O'Brien Façades, LLC (muller-obrien)" in text
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}
    assert "mspdocs generate agreement pinecrest-law --pdf; have it signed, then record the returned copy: " \
           "mspdocs signed add FILE" in cells


def test_the_word_report_with_its_pdf(runner, workspace, tmp_path):
    import shutil

    import pytest
    from pypdf import PdfReader

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed")
    path = tmp_path / "audit.docx"
    result = runner.invoke(cli, ["-w", str(workspace), "audit", "--as-of", "2026-11-20", "--format", "docx",
                                 "-o", str(path), "--pdf"])
    assert result.exit_code == 1, result.output
    assert path.is_file() and (tmp_path / "audit.pdf").is_file()
    text = "\n".join(page.extract_text() for page in PdfReader(tmp_path / "audit.pdf").pages)
    assert "Where are we exposed?" in text and "Pinecrest Law Group, PLLC (pinecrest-law)" in text
