"""`signed add --platform`: an e-signature platform's re-rendered, stamped and signed copy, compared by text."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from conftest import write_msp_profile
from pki import issue_signing_cert, make_root
from test_signed import make_msp_pkcs12, pyhanko_signer

from mspdocs.batch import generate
from mspdocs.cli import cli
from mspdocs.evidence.register import open_register
from mspdocs.render.pdf import convert_batch, find_soffice
from mspdocs.workspace.folder import init_workspace

TODAY = dt.date.today()
ENVELOPE = "1B2C3D4E-1111-2222-3333-444455556666"
FEE, FORGED_FEE = "1,153.00", "1,753.00"  # muller-obrien's monthly fee in the fee table, and a forged one
pytestmark = pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                                reason="LibreOffice is not installed")


def stamped(data: bytes, line: str) -> bytes:
    """Every page of `data` rewritten by pypdf (a new object layout) with `line` printed at its top."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import (
        ArrayObject,
        DecodedStreamObject,
        DictionaryObject,
        NameObject,
    )

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    font = writer._add_object(DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                                                NameObject("/Subtype"): NameObject("/Type1"),
                                                NameObject("/BaseFont"): NameObject("/Helvetica")}))
    for page in writer.pages:
        resources = page["/Resources"].get_object()
        fonts = resources.get("/Font")
        fonts = fonts.get_object() if fonts is not None else DictionaryObject()
        fonts[NameObject("/FStamp")] = font
        resources[NameObject("/Font")] = fonts
        stream = DecodedStreamObject()
        stream.set_data(f"q BT /FStamp 7 Tf 36 828 Td ({line}) Tj ET Q".encode("latin-1"))
        contents = page["/Contents"]
        parts = list(contents.get_object()) if isinstance(contents.get_object(), list) else [contents]
        page[NameObject("/Contents")] = ArrayObject(parts + [writer._add_object(stream)])
    writer.add_attachment("Certificate of Completion.pdf", b"%PDF-1.4\n% DocuSign certificate of completion\n")
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def platform_signs(data: bytes, signer) -> bytes:
    """The platform's own (invisible) signature over the whole file."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner

    output = io.BytesIO()
    PdfSigner(PdfSignatureMetadata(field_name="DocuSignSignature"), signer).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(data)), output=output)
    return output.getvalue()


def render_with_changed_fee(docx: Path, folder: Path) -> bytes:
    """LibreOffice's PDF of the generated .docx with the fee table's figure changed."""
    changed = folder / "changed" / docx.name
    changed.parent.mkdir()
    with zipfile.ZipFile(docx) as source, zipfile.ZipFile(changed, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "word/document.xml":
                text = content.decode("utf-8")
                at = text.rindex(FEE)  # the last mention: the fee table
                content = (text[:at] + FORGED_FEE + text[at + len(FEE):]).encode("utf-8")
            target.writestr(item, content)
    convert_batch(find_soffice(), [changed], changed.parent)
    return changed.with_suffix(".pdf").read_bytes()


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    from cryptography.hazmat.primitives import serialization

    folder = tmp_path_factory.mktemp("platform")
    workspace = write_msp_profile(init_workspace(folder / "ws", examples=True))
    make_msp_pkcs12(workspace)
    [agreement] = generate("agreement", ["muller-obrien"], workspace=workspace, as_of=TODAY, pdf=True)
    ca, ca_key = make_root("DocuSign Test Root", "DocuSign, Inc.")
    cert, key = issue_signing_cert(ca, ca_key, "DocuSign, Inc.", "DocuSign, Inc.")
    (workspace / "docusign-ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    signer, _ = pyhanko_signer(cert, key)
    stamp = f"DocuSign Envelope ID: {ENVELOPE}"
    original = agreement.pdf_path.read_bytes()
    forged = render_with_changed_fee(agreement.path, folder)
    return {"workspace": workspace, "id": agreement.document_id, "original": original,
            "copy": platform_signs(stamped(original, stamp), signer),
            "forged": platform_signs(stamped(forged, stamp), signer)}


@pytest.fixture
def case(prepared, tmp_path):
    workspace = tmp_path / "ws"
    shutil.copytree(prepared["workspace"], workspace)
    return dict(prepared, workspace=workspace, folder=tmp_path)


def entries(workspace: Path) -> list:
    with open_register(workspace) as register:
        return register.entries()


def add(runner, case, data: bytes, *options: str):
    path = case["folder"] / "docusign.pdf"
    path.write_bytes(data)
    return runner.invoke(cli, ["-w", str(case["workspace"]), "signed", "add", str(path), "--platform", *options])


def test_a_platform_copy_whose_text_matches_is_recorded_with_envelope_and_certificates(runner, case):
    trust = runner.invoke(cli, ["-w", str(case["workspace"]), "signed", "trust", "add",
                                str(case["workspace"] / "docusign-ca.pem")])
    assert trust.exit_code == 0, trust.output
    completion = case["folder"] / "completion.pdf"
    completion.write_bytes(b"%PDF-1.4\n% separate certificate of completion\n")
    result = add(runner, case, case["copy"], str(completion))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"recorded {case['id']}: e-signature platform, content matches text, "
                                    f"signed by DocuSign, Inc., envelope {ENVELOPE} at ")
    payload = entries(case["workspace"])[-1].payload
    assert (payload["method"], payload["platform"], payload["envelope_id"]) == (
        "platform", "DocuSign, Inc.", ENVELOPE)
    assert payload["stamp_lines"] == len(__import__("pypdf").PdfReader(io.BytesIO(case["original"])).pages)
    names = [c["name"] for c in payload["completion"]]
    assert names == ["attached Certificate of Completion.pdf", "completion certificate"]
    for record in payload["completion"]:
        assert (case["workspace"] / record["path"]).is_file()
    assert (case["workspace"] / payload["received"]["path"]).read_bytes() == case["copy"]
    verify = runner.invoke(cli, ["-w", str(case["workspace"]), "register", "verify"])
    assert verify.exit_code == 0, verify.output


def test_an_untrusted_platform_says_what_would_raise_it(runner, case):
    result = add(runner, case, case["copy"], "--format", "json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["assurance"] == "e-signature platform, content matches text"
    assert shown["reason"] == "not trusted: add the issuing CA with `mspdocs signed trust add`"


def test_a_platform_copy_with_one_changed_figure_is_rejected_showing_the_line(runner, case):
    before = entries(case["workspace"])
    result = add(runner, case, case["forged"], "--document", case["id"])
    assert result.exit_code == 1, result.output
    [line] = result.output.splitlines()
    assert f"rejected: the text differs from the generated document {case['id']}: " in line
    assert f'generated "Monthly service fee ${FEE}"' in line and f'copy "Monthly service fee ${FORGED_FEE}"' in line
    assert line.count("page ") == 2  # only that line differs
    assert entries(case["workspace"]) == before
    assert not (case["workspace"] / "received").is_dir() or not any((case["workspace"] / "received").iterdir())


def test_a_platform_copy_without_the_platforms_signature_is_rejected(runner, case):
    result = add(runner, case, stamped(case["original"], f"DocuSign Envelope ID: {ENVELOPE}"))
    assert result.exit_code == 1
    assert "rejected: the platform copy carries no digital signature" in result.output


def test_the_profile_replaces_a_platforms_stamp_patterns(runner, case):
    profile = case["workspace"] / "mspdocs.toml"
    profile.write_text(profile.read_text() + "\n[platforms]\ndocusign = ['Envelope (?P<envelope>[0-9]+)']\n")
    result = add(runner, case, case["copy"])
    assert result.exit_code == 1
    assert f'copy "DocuSign Envelope ID: {ENVELOPE}"' in result.output  # no longer a stamp line
    profile.write_text(profile.read_text().replace("[0-9]+)'", "[0-9]+'"))
    broken = add(runner, case, case["copy"])
    assert broken.exit_code == 2
    assert "platforms.docusign" in broken.output and "not a regular expression" in broken.output
