"""Signature fields on the signature blocks, and the MSP's PAdES countersignature."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest
from conftest import AS_OF, write_msp_profile
from pki import issue_signing_cert, make_root

from mspdocs.batch import generate
from mspdocs.cli import cli
from mspdocs.evidence.signing import (
    CUSTOMER_FIELD,
    MSP_FIELD,
    signature_lines,
    signing_password,
)
from mspdocs.workspace.folder import init_workspace

needs_soffice = pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                                   reason="LibreOffice is not installed")
PASSWORD = "correct horse"


def make_pki(folder: Path) -> tuple[Path, Path]:
    """A self-signed root and an MSP signing certificate issued by it: (root.pem, msp.p12)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    root, root_key = make_root("Test Root", "Harborlight IT Services, LLC")
    cert, key = issue_signing_cert(root, root_key, "Dana Whitcomb", "Harborlight IT Services, LLC")
    root_pem = folder / "root.pem"
    root_pem.write_bytes(root.public_bytes(serialization.Encoding.PEM))
    p12 = folder / "msp.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(
        b"msp", key, cert, [root], serialization.BestAvailableEncryption(PASSWORD.encode())))
    return root_pem, p12


def _fields(data: bytes) -> dict[str, dict]:
    """Signature fields by name: page index, rectangle and whether a value (signature) is present."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    found = {}
    for index, page in enumerate(reader.pages):
        for annot in page.get("/Annots") or []:
            widget = annot.get_object()
            if widget.get("/FT") == "/Sig":
                found[str(widget["/T"])] = {"page": index, "rect": [float(v) for v in widget["/Rect"]],
                                            "signed": "/V" in widget}
    return found


@pytest.fixture(scope="module")
def letters(tmp_path_factory):
    """A risk letter, an agreement and an insurance notice PDF of one customer."""
    workspace = write_msp_profile(init_workspace(tmp_path_factory.mktemp("sig") / "ws", examples=True))
    return {kind: generate(kind, ["muller-obrien"], workspace=workspace, as_of=AS_OF, pdf=True)[0]
            for kind in ("agreement", "risk-letter", "insurance-notice")}  # letters cite the agreement


@needs_soffice
@pytest.mark.parametrize("kind", ["risk-letter", "agreement"])
def test_empty_signature_fields_lie_on_the_signature_block(letters, kind):
    data = letters[kind].pdf_path.read_bytes()
    fields = _fields(data)
    assert set(fields) == {MSP_FIELD, CUSTOMER_FIELD}
    lines = signature_lines(data)
    block_page = lines[0].page
    for name, line in ((MSP_FIELD, min(lines, key=lambda l: l.x)), (CUSTOMER_FIELD, max(lines, key=lambda l: l.x))):
        field = fields[name]
        assert not field["signed"]
        assert field["page"] == block_page
        x1, y1, x2, y2 = field["rect"]
        assert line.x < x1 < line.x + 60 and x2 > x1 + 100  # after the label, over the line
        assert line.y - 3 <= y1 <= line.y + 3 and y2 > line.y + 20
    assert fields[MSP_FIELD]["rect"][2] < fields[CUSTOMER_FIELD]["rect"][0]  # MSP left, customer right


@needs_soffice
def test_the_insurance_notice_has_fields_for_the_acknowledgement(letters):
    fields = _fields(letters["insurance-notice"].pdf_path.read_bytes())
    assert set(fields) == {"msp_signature", "customer_signature"}
    assert not any(field["signed"] for field in fields.values())


def _signing_workspace(tmp_path: Path) -> tuple[Path, Path]:
    workspace = write_msp_profile(init_workspace(tmp_path / "ws", examples=True))
    root_pem, _ = make_pki(workspace)
    profile = workspace / "mspdocs.toml"
    profile.write_text(profile.read_text() + '\n[signing]\npkcs12 = "msp.p12"\npassword_env = "TEST_P12"\n')
    return workspace, root_pem


@needs_soffice
def test_the_msp_countersigns_and_the_customer_field_stays_empty(runner, tmp_path, monkeypatch):
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    workspace, root_pem = _signing_workspace(tmp_path)
    monkeypatch.delenv("TEST_P12", raising=False)
    generate("agreement", ["muller-obrien"], workspace=workspace, as_of=AS_OF)  # the letter cites it
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "risk-letter", "muller-obrien", "--pdf",
                                 "--sign", "--as-of", AS_OF.isoformat(), "--format", "json"],
                           input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    [item] = json.loads(result.output[result.output.index("["):])
    data = Path(item["pdf"]).read_bytes()
    fields = _fields(data)
    assert fields[MSP_FIELD]["signed"] and not fields[CUSTOMER_FIELD]["signed"]
    reader = PdfFileReader(io.BytesIO(data))
    [signature] = reader.embedded_signatures
    assert signature.field_name == MSP_FIELD
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(root_pem))], allow_fetching=False,
                                revocation_mode="soft-fail")
    status = validate_pdf_signature(signature, context)
    assert status.intact and status.valid and status.trusted
    assert status.signing_cert.subject.native["common_name"] == "Dana Whitcomb"


@needs_soffice
def test_a_countersigned_pdfa_stays_pdfa(runner, tmp_path, monkeypatch):
    """The signature's appearance embeds its font and uses no transparency; the XMP keeps pdfaid, dc
    and the document id."""
    import re

    from pyhanko.pdf_utils.reader import PdfFileReader

    workspace, _ = _signing_workspace(tmp_path)
    monkeypatch.setenv("TEST_P12", PASSWORD)
    agreement = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "muller-obrien",
                                    "--as-of", AS_OF.isoformat()])  # the letter quotes the agreement in force
    assert agreement.exit_code == 0, agreement.output
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "risk-letter", "muller-obrien", "--pdfa",
                                 "--sign", "--as-of", AS_OF.isoformat(), "--format", "json"])
    assert result.exit_code == 0, result.output
    [item] = json.loads(result.output[result.output.index("["):])
    reader = PdfFileReader(io.BytesIO(Path(item["pdf"]).read_bytes()))
    [signature] = reader.embedded_signatures
    appearance = signature.sig_field["/AP"]["/N"]
    resources = appearance["/Resources"]
    assert "/ExtGState" not in resources and "/Group" not in appearance
    for font in resources["/Font"].values():
        font = font.get_object()
        for descendant in font.get("/DescendantFonts", [font]):
            assert "/FontFile2" in descendant.get_object()["/FontDescriptor"]  # embedded TrueType
    widths = [w for entry in descendant.get_object()["/W"] if isinstance(entry, list) for w in entry]
    assert max(widths) < 1000  # measured in PDF's 1000 units to the em, not the font's 2048
    xmp = reader.root["/Metadata"].data.decode("utf-8")
    assert re.search(r'pdfaid:part(>|=")2', xmp) and re.search(r'pdfaid:conformance(>|=")B', xmp)
    assert "<dc:title" in xmp and re.search(rf'dc:identifier(>|="){item["document_id"]}', xmp)


def test_a_wrong_password_stops_before_anything_is_written(runner, tmp_path, monkeypatch):
    workspace, _ = _signing_workspace(tmp_path)
    monkeypatch.setenv("TEST_P12", "wrong")
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "muller-obrien", "--pdf",
                                 "--sign"])
    assert result.exit_code == 2
    [line] = result.output.strip().splitlines()  # one clean line: pyHanko's logged traceback stays out
    assert "wrong password" in line and "Traceback" not in result.output
    assert not any((workspace / "output").iterdir())


def test_signing_without_a_certificate_in_the_profile(runner, workspace):
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "muller-obrien", "--pdf",
                                 "--sign"])
    assert result.exit_code == 2
    assert "[signing] pkcs12" in result.output


def test_a_password_never_goes_in_the_profile(runner, workspace):
    profile = workspace / "mspdocs.toml"
    profile.write_text(profile.read_text() + '\n[signing]\npkcs12 = "msp.p12"\npassword = "secret"\n')
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "muller-obrien"])
    assert result.exit_code == 2
    assert "signing.password" in result.output and "never goes in this file" in result.output


def test_the_password_comes_from_the_named_environment_variable(monkeypatch):
    monkeypatch.setenv("MY_P12", "from-env")
    assert signing_password({"pkcs12": "a.p12", "password_env": "MY_P12"}, ask=None) == "from-env"
    monkeypatch.delenv("MSPDOCS_P12_PASSWORD", raising=False)
    assert signing_password({"pkcs12": "a.p12"}, ask=lambda prompt: f"asked: {prompt}") == "asked: Password for a.p12"


def test_signing_applies_to_documents_with_signature_blocks(workspace):
    from mspdocs.errors import InputError
    from mspdocs.evidence.signing import msp_signer
    from mspdocs.workspace.folder import open_workspace

    with pytest.raises(InputError, match="--sign applies to agreement, baa, insurance-notice and risk-letter "
                                         "PDFs, not qbr-agenda"):
        msp_signer(open_workspace(workspace), "qbr-agenda")
