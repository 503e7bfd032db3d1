"""The clause book: every clause for counsel, tracked changes for exactly the clauses changed since approval."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest

from mspdocs.cli import cli

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _edit(workspace: Path, clause_id: str, old: str, new: str) -> None:
    path = workspace / "clauses" / f"{clause_id}.md"
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def _book(runner, workspace: Path) -> Path:
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "clause-book", "--format", "json"])
    assert result.exit_code == 0, result.output
    [item] = json.loads(result.output)
    assert item["kind"] == "clause-book" and item["document_id"].startswith("CLB-")
    path = Path(item["path"])
    assert path.parent == workspace / "output" / "clause-book"
    return path


def _revised_clauses(path: Path) -> dict[str, set[str]]:
    """Clause id (from each clause heading) -> kinds of revision marks in its section."""
    document = docx.Document(str(path))
    body = document.element.body
    current, marks = None, {}
    for element in body.iterchildren():
        if element.tag == f"{W}p":
            text = "".join(element.itertext())
            style = element.find(f"{W}pPr/{W}pStyle")
            if style is not None and style.get(f"{W}val") == "Heading2" and ": " in text:
                current = text.split(": ")[0]
        for tag in ("ins", "del"):
            if current and any(True for _ in element.iter(f"{W}{tag}")):
                marks.setdefault(current, set()).add(tag)
    return marks


def test_clean_library_has_no_tracked_changes(runner, workspace):
    path = _book(runner, workspace)
    xml = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert "<w:ins " not in xml and "<w:del " not in xml
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "Every clause in use is approved" in text
    assert "{% for s in services.excluded %}" in text  # the source, literally
    assert "Scope of Services" in text and "Limitation of Liability" in text


def test_changed_clauses_are_tracked_changes(runner, workspace, tmp_path):
    _edit(workspace, "scope.exclusions", "has no duty", "has no obligation")
    _edit(workspace, "liability.cap", "EACH PARTY'S TOTAL LIABILITY", "EACH PARTY'S ENTIRE LIABILITY")
    _edit(workspace, "fees.payment", "title: ", "title: Paying ")
    path = _book(runner, workspace)
    marks = _revised_clauses(path)
    assert marks == {"scope.exclusions": {"ins", "del"}, "liability.cap": {"ins", "del"},
                     "fees.payment": {"ins"}}
    xml = zipfile.ZipFile(path).read("word/document.xml").decode()
    assert re.search(r'<w:del [^>]*w:author="mspdocs"[^>]*>\s*<w:r>\s*<w:delText[^>]*>duty</w:delText>', xml)
    assert re.search(r'<w:ins [^>]*>\s*<w:r>\s*<w:t[^>]*>obligation</w:t>', xml)
    document = docx.Document(str(path))
    summary = document.tables[0]
    counts = {row.cells[0].text: row.cells[1].text for row in summary.rows}
    assert counts["changed"] == "3" and counts["approved"] == str(int(counts["total"]) - 3)
    awaiting = {row.cells[0].text for row in document.tables[1].rows[1:]}
    assert awaiting == {"scope.exclusions", "liability.cap", "fees.payment"}

    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed")
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    assert (tmp_path / path.with_suffix(".pdf").name).stat().st_size > 10_000


def test_clause_book_takes_no_customers(runner, workspace):
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "clause-book", "pinecrest-law"])
    assert result.exit_code == 2


def test_the_clause_book_is_recorded_in_the_register(runner, workspace):
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "clause-book", "--format", "json"])
    [item] = json.loads(result.output)
    shown = runner.invoke(cli, ["-w", str(workspace), "register", "show", item["document_id"], "--format", "json"])
    assert shown.exit_code == 0, shown.output
    assert item["sha256"] in shown.output and "clause-book" in shown.output
    assert runner.invoke(cli, ["-w", str(workspace), "register", "verify"]).exit_code == 0


def test_the_reviews_purpose_renders_as_the_sample_customers_agenda_would(runner, workspace):
    path = _book(runner, workspace)
    text = "\n".join(p.text for p in docx.Document(str(path)).paragraphs)
    assert "{% if agreement_issued %}" in text  # as written
    assert "no written agreement between them has been issued yet" in text  # as rendered: none issued here
