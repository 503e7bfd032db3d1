"""The QBR packet: one PDF with a bookmark per section, both charts as images, the id on every page."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from mspdocs.cli.main import cli
from mspdocs.evidence.register import Register
from mspdocs.qbr.packet import SECTIONS

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "evidence"
needs_libreoffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")


def invoke(runner, workspace, *args):
    return runner.invoke(cli, ["-w", str(workspace), *args])


@pytest.fixture
def packet(runner, workspace):
    """A packet for pinecrest-law with evidence imported and two reviews recorded."""
    folder = workspace / "exports"
    shutil.copytree(EXAMPLES, folder)
    assert invoke(runner, workspace, "evidence", "import", str(folder / "device-list-export.csv"), "--mapping",
                  str(folder / "device-list.mapping.yaml")).exit_code == 0
    for day in ("2026-05-05", "2026-08-20"):
        assert invoke(runner, workspace, "qbr", "record", "pinecrest-law", "--held-on", day,
                      "--attendee", "Thomas Kearney").exit_code == 0
    result = invoke(runner, workspace, "generate", "qbr-packet", "pinecrest-law", "--as-of", "2026-11-29",
                    "--format", "json")
    assert result.exit_code == 0, result.output
    import json

    [item] = json.loads(result.output)
    return workspace, item


@needs_libreoffice
def test_the_packet_is_a_pdf_with_a_bookmark_per_section(packet):
    workspace, item = packet
    reader = PdfReader(item["pdf"])
    titles = [entry.title for entry in reader.outline]
    assert titles == list(SECTIONS)
    pages = [reader.get_destination_page_number(entry) for entry in reader.outline]
    assert pages == sorted(pages) and pages[0] == 0
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert item["document_id"] in text and f"Page {number} of {len(reader.pages)}" in text


@needs_libreoffice
def test_sections_run_on_and_leave_no_page_mostly_blank(packet):
    workspace, item = packet
    reader = PdfReader(item["pdf"])
    start = {entry.title: reader.get_destination_page_number(entry) for entry in reader.outline}
    body = [page.extract_text().split("\n", 1)[1] for page in reader.pages]  # below the running header
    # Sections run on below the one before them (none is forced onto a page of its own) ...
    assert len(set(start.values())) < len(SECTIONS) and len(reader.pages) < len(SECTIONS)
    assert not body[start["Risk register"]].lstrip().startswith("Risk register")
    # ... so no page but the last is left mostly blank.
    assert all(len(text) > 1000 for text in body[:-1]), [len(text) for text in body]


@needs_libreoffice
def test_both_charts_are_images_in_the_packet(packet):
    workspace, item = packet
    reader = PdfReader(item["pdf"])
    images = [image for page in reader.pages for image in page.images]
    assert len(images) >= 2
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Figure 1. Protection coverage" in text and "Figure 2. Reviews held" in text
    assert "PLG-WS04" in text and "Scope and responsibilities" in text
    # Protections as a reader names them, not as the catalog's ids.
    assert "anti-virus" in text and "antivirus" not in text and "rmm-agent" not in text
    assert "(network device)" not in text
    with Register(workspace / "register.sqlite3") as register:
        [entry] = [e for e in register.entries() if e.kind == "qbr-packet"]
    assert entry.payload["pdf"]["sha256"] and entry.payload["output"]["sha256"]


def test_charts_are_placed_above_their_captions_in_the_word_source(runner, workspace, monkeypatch):
    import mspdocs.batch as batch
    from docx import Document

    monkeypatch.setattr(batch, "make_pdfs", lambda job, rendered, *a, **k: {
        r.document_id: b"%PDF-1.4 stand-in" for r in rendered})
    result = invoke(runner, workspace, "generate", "qbr-packet", "casco-bay-food-pantry", "--as-of", "2026-11-29")
    assert result.exit_code == 0, result.output
    [docx] = (workspace / "output" / "casco-bay-food-pantry").glob("qbr-packet-*.docx")
    document = Document(io.BytesIO(docx.read_bytes()))
    assert len(document.inline_shapes) == 2
    text = "\n".join(p.text for p in document.paragraphs)
    assert "No device evidence has been imported for Casco Bay Community Food Pantry" in text
    assert "No review with Casco Bay Community Food Pantry is on record yet." in text


def test_help_does_not_load_matplotlib():
    code = ("import sys; from mspdocs.cli.main import cli; from click.testing import CliRunner; "
            "CliRunner().invoke(cli, ['generate', '--help']); print('matplotlib' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_charts_are_deterministic():
    import datetime as dt

    from mspdocs.qbr.charts import coverage_chart, history_chart

    rows = [{"protection": "antivirus", "devices": 3, "yes": 2, "no": 1, "unknown": 0}]
    assert coverage_chart(rows) == coverage_chart(rows)
    day = dt.date(2026, 11, 1)
    assert history_chart([day], [day], day) == history_chart([day], [day], day)
    assert coverage_chart(rows)[:8] == b"\x89PNG\r\n\x1a\n"
