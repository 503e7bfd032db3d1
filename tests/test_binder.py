"""`mspdocs binder`: the PDF's sections and bookmarks, the zip's originals equal to the register, exit 1 on tampering."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
import zipfile

import pytest

from mspdocs.cli.main import cli
from mspdocs.evidence.register import Register

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
CUSTOMER = "pinecrest-law"


def scan_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def signed_portfolio(runner, workspace, tmp_path):
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", CUSTOMER, "--pdf", "--format", "json"])
    assert result.exit_code == 0, result.output
    document_id = json.loads(result.output)[0]["document_id"]
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(scan_pdf())
    signed = runner.invoke(cli, ["-w", str(workspace), "signed", "add", str(scan), "--document", document_id,
                                 "--signer", "Thomas Kearney", "--signed-on", dt.date.today().isoformat()])
    assert signed.exit_code == 0, signed.output
    qbr = runner.invoke(cli, ["-w", str(workspace), "qbr", "record", CUSTOMER, "--held-on", "2026-11-20",
                              "--attendee", "Thomas Kearney", "--action", "Enable MFA; due=2027-01-15"])
    assert qbr.exit_code == 0, qbr.output
    return workspace


def entries_of(workspace, customer=CUSTOMER):
    with Register(workspace / "register.sqlite3", read_only=True) as register:
        return register.entries(customer=customer)


def test_the_binder_holds_what_the_register_holds(runner, signed_portfolio):
    workspace = signed_portfolio
    before = entries_of(workspace)
    result = runner.invoke(cli, ["-w", str(workspace), "binder", CUSTOMER, "--format", "json"])
    assert result.exit_code == 0, result.output
    made = json.loads(result.output)
    after = entries_of(workspace)
    assert [e.entry_hash for e in after[:-1]] == [e.entry_hash for e in before]
    recorded = after[-1]
    assert recorded.event == "binder.assembled" and recorded.document_id == made["binder_id"]
    pdf, archive = (workspace / recorded.payload[key]["path"] for key in ("pdf", "zip"))
    assert pdf.parent.name == CUSTOMER and str(pdf) == made["pdf"]
    for path, key in ((pdf, "pdf"), (archive, "zip")):
        assert hashlib.sha256(path.read_bytes()).hexdigest() == recorded.payload[key]["sha256"]
    # the zip: every recorded file of the customer, byte for byte, and the register entries as they stand
    expected = {}
    for entry in before:
        for key in ("output", "pdf", "received"):
            if isinstance(entry.payload.get(key), dict):
                expected[entry.payload[key]["path"]] = entry.payload[key]["sha256"]
    with zipfile.ZipFile(archive) as opened:
        names = set(opened.namelist()) - {"manifest.json", "register.json", "verification.json"}
        assert names == set(expected)
        for name in names:
            assert hashlib.sha256(opened.read(name)).hexdigest() == expected[name]
        assert json.loads(opened.read("register.json")) == [e.as_dict() for e in before]
        verification = json.loads(opened.read("verification.json"))
    assert verification["ok"] and verification["head"] == recorded.payload["head"] == before[-1].entry_hash
    # the PDF: bookmarked sections, the generated and the signed document inside, the hashes on its pages
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles == ["Cover: lessons and contents", "Documents generated", "Signed copies received",
                      "Quarterly business reviews", "Delivery evidence", "Register entries", "Register verification"]
    children = [item.title for group in reader.outline if isinstance(group, list) for item in group]
    [agreement] = [e for e in before if e.event == "document.generated"]
    assert f"{agreement.document_id} (agreement, current)" in children
    assert f"{agreement.document_id} signed by Thomas Kearney" in children
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    assert "Binder: Pinecrest Law Group, PLLC" in text and "MISSING" in text and "Thomas Kearney" in text
    assert verification["head"][:32] in text
    verify = runner.invoke(cli, ["-w", str(workspace), "register", "verify"])
    assert verify.exit_code == 0, verify.output


def test_an_altered_original_stops_the_binder_and_writes_nothing(runner, signed_portfolio):
    workspace = signed_portfolio
    [agreement] = [e for e in entries_of(workspace) if e.event == "document.generated"]
    docx = workspace / agreement.payload["output"]["path"]
    docx.chmod(0o644)
    docx.write_bytes(docx.read_bytes() + b"\0")
    before = entries_of(workspace, None)
    files = set((workspace / "output" / CUSTOMER).iterdir())
    result = runner.invoke(cli, ["-w", str(workspace), "binder", CUSTOMER])
    assert result.exit_code == 1
    assert "stopped" in result.output
    assert entries_of(workspace, None) == before
    assert set((workspace / "output" / CUSTOMER).iterdir()) == files


def test_an_unknown_customer_exits_2(runner, workspace):
    assert runner.invoke(cli, ["-w", str(workspace), "binder", "no-such-customer"]).exit_code == 2
