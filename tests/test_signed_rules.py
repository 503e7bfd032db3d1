"""`signed add` accepts after the generated revision only signatures in its own fields and validation data."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import write_msp_profile
from pki import issue_signing_cert, issue_timestamping_cert, make_root
from test_signed import (
    MULLER_SIGNATORY,
    customer_signs,
    make_customer_pki,
    make_msp_pkcs12,
    pyhanko_signer,
)

from mspdocs.batch import generate
from mspdocs.cli import cli
from mspdocs.evidence.register import open_register
from mspdocs.evidence.signing import CUSTOMER_FIELD, MSP_FIELD
from mspdocs.workspace.folder import init_workspace

TODAY = dt.date.today()
pytestmark = pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                                reason="LibreOffice is not installed")


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """A workspace with an agreement PDF and the MSP's certificate, and a customer PKI."""
    folder = tmp_path_factory.mktemp("rules")
    workspace = write_msp_profile(init_workspace(folder / "ws", examples=True))
    make_msp_pkcs12(workspace)
    [agreement] = generate("agreement", ["muller-obrien"], workspace=workspace, as_of=TODAY, pdf=True)
    ca_pem, signer, _ = make_customer_pki(folder)
    original = agreement.pdf_path.read_bytes()
    return {"workspace": workspace, "id": agreement.document_id, "original": original, "signer": signer,
            "signed": customer_signs(original, signer), "ca": ca_pem}


@pytest.fixture
def case(prepared, tmp_path):
    workspace = tmp_path / "ws"
    shutil.copytree(prepared["workspace"], workspace)
    return dict(prepared, workspace=workspace, folder=tmp_path)


def entries(workspace: Path) -> list:
    with open_register(workspace) as register:
        return register.entries()


def received(workspace: Path) -> list[Path]:
    folder = workspace / "received"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def add(runner, case, data: bytes, *options: str):
    path = case["folder"] / "returned.pdf"
    path.write_bytes(data)
    return runner.invoke(cli, ["-w", str(case["workspace"]), "signed", "add", str(path), *options])


def update(data: bytes, change) -> bytes:
    """`data` with one incremental update made by `change(writer)`."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    change(writer)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def last_page(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages) - 1


def _box_reading(writer, text: bytes):
    """A form XObject: an opaque white box with `text` on it in Courier."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.font.basic import get_courier

    def name(value: str):
        return generic.NameObject(value)

    fonts = generic.DictionaryObject({name("/F1"): writer.add_object(get_courier(writer))})
    box = generic.StreamObject({name("/Type"): name("/XObject"), name("/Subtype"): name("/Form"),
                                name("/BBox"): generic.ArrayObject(map(generic.NumberObject, (0, 0, 120, 30))),
                                name("/Resources"): generic.DictionaryObject({name("/Font"): fonts})},
                               stream_data=b"1 1 1 rg 0 0 120 30 re f 0 g BT /F1 14 Tf 5 10 Td (" + text + b") Tj ET")
    return writer.add_object(box)


def overlay_field(data: bytes, name: str = "overlay"):
    """An unsigned signature field on the last page whose appearance is an opaque box reading "$1.00"."""
    from pyhanko.pdf_utils import generic
    from pyhanko.sign.fields import SigFieldSpec, append_signature_field

    def change(writer) -> None:
        append_signature_field(writer, SigFieldSpec(sig_field_name=name, on_page=last_page(data),
                                                    box=(300, 600, 420, 630)))
        [field] = [f.get_object() for f in writer.root["/AcroForm"]["/Fields"]
                   if f.get_object().get("/T") == name]
        field[generic.NameObject("/AP")] = generic.DictionaryObject(
            {generic.NameObject("/N"): _box_reading(writer, b"$1.00")})

    return update(data, change)


def signed_overlay(data: bytes, signer) -> bytes:
    """A new visible signature field on the last page, created and signed in one revision: "$1.00"."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.fields import SigFieldSpec
    from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner
    from pyhanko.stamp import TextStampStyle

    output = io.BytesIO()
    spec = SigFieldSpec(sig_field_name="overlay", on_page=last_page(data), box=(300, 600, 420, 630))
    PdfSigner(PdfSignatureMetadata(field_name="overlay"), signer, new_field_spec=spec,
              stamp_style=TextStampStyle(stamp_text="$1.00", background=None)).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(data)), output=output)
    return output.getvalue()


def sign_field(data: bytes, signer, field: str) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner

    output = io.BytesIO()
    PdfSigner(PdfSignatureMetadata(field_name=field), signer).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(data)), output=output)
    return output.getvalue()


def stranger(common: str = "Mallory Stranger"):
    """A self-signed signer named `common`."""
    root, key = make_root(common, "Nobody")
    return pyhanko_signer(root, key)[0]


def info_title(writer) -> None:
    from pyhanko.pdf_utils import generic

    info = generic.DictionaryObject(dict(writer.prev.trailer_view["/Info"].get_object()))
    info[generic.NameObject("/Title")] = generic.TextStringObject("Changed after signing")
    writer.set_info(info)


def free_text_on_last_page(data: bytes):
    """A change adding a FreeText annotation reading "$1.00" to the last page."""
    from pyhanko.pdf_utils import generic

    def change(writer) -> None:
        page_ref, _ = writer.find_page_for_modification(last_page(data))
        page = page_ref.get_object()
        note = writer.add_object(generic.DictionaryObject({
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/FreeText"),
            generic.NameObject("/Rect"): generic.ArrayObject(map(generic.NumberObject, (300, 600, 420, 630))),
            generic.NameObject("/Contents"): generic.TextStringObject("$1.00"),
            generic.NameObject("/DA"): generic.TextStringObject("/Helv 14 Tf 0 g")}))
        annots = page.get("/Annots")
        page[generic.NameObject("/Annots")] = generic.ArrayObject(list(annots or []) + [note])
        writer.update_container(page)

    return change


def _msp_signatory_self_signed(case) -> bytes:
    return sign_field(case["signed"], stranger("Dana Whitcomb"), MSP_FIELD)


HOLES = {
    "overlay field added after the customer signed": (
        lambda case: overlay_field(case["signed"]),
        "a new signature field \"overlay\" with a visible appearance (unsigned) was added on page {pages}"),
    "overlay field added and signed after the customer signed": (
        lambda case: signed_overlay(case["signed"], stranger()),
        "a new signature field \"overlay\" with a visible appearance (signed by Mallory Stranger) was added "
        "on page {pages}"),
    "overlay field added, then signed after the customer signed": (
        lambda case: sign_field(overlay_field(case["signed"]), stranger(), "overlay"),
        "a new signature field \"overlay\" with a visible appearance"),
    "overlay field added before the customer signed": (
        lambda case: customer_signs(overlay_field(case["original"]), case["signer"]),
        "a new signature field \"overlay\" with a visible appearance (unsigned) was added on page {pages}"),
    "MSP field signed by a self-signed certificate named after the MSP's signatory": (
        _msp_signatory_self_signed, "msp_signature is signed by Dana Whitcomb, who is not the MSP"),
    "a third signer": (
        lambda case: sign_field(case["signed"], stranger(), "witness"),
        "a new signature field \"witness\""),
    "objects appended after the last %%EOF": (
        lambda case: case["signed"] + b"\n99 0 obj\n<< /Title (forged) >>\nendobj\n",
        "bytes after the last %%EOF"),
    "objects appended and closed by a copy of the old trailer": (
        lambda case: case["signed"] + b"99 0 obj\n<< /Title (forged) >>\nendobj\n"
        + case["signed"][case["signed"].rindex(b"startxref"):],
        "belong to no revision (its startxref points into an earlier one)"),
    "an unsigned update after the last signature": (
        lambda case: update(case["signed"], info_title),
        "an update that no signature covers changes the document: it changes the document information "
        "(/Title) (after the last signature)"),
    "a FreeText annotation added after the customer signed": (
        lambda case: update(case["signed"], free_text_on_last_page(case["signed"])),
        "a new FreeText annotation was added on page {pages}"),
}


@pytest.mark.parametrize("name", list(HOLES))
def test_what_was_added_after_generation_is_rejected_and_named(runner, case, name):
    make, reason = HOLES[name]
    trusted = runner.invoke(cli, ["-w", str(case["workspace"]), "signed", "trust", "add", str(case["ca"])])
    assert trusted.exit_code == 0, trusted.output
    before = entries(case["workspace"])
    result = add(runner, case, make(case))
    assert result.exit_code == 1, result.output
    [line] = result.output.splitlines()
    assert ": rejected: " in line
    assert reason.format(pages=last_page(case["original"]) + 1) in line, line
    assert entries(case["workspace"]) == before and received(case["workspace"]) == []


needs_pdfsig = pytest.mark.skipif(not all(shutil.which(tool) for tool in ("pdfsig", "certutil", "pk12util")),
                                  reason="poppler-utils and libnss3-tools are not installed")


def pdfsig_signs(data: bytes, folder: Path, p12: bytes) -> bytes:
    """The customer's field signed by poppler's `pdfsig` with the key in `p12` (password "pw")."""
    database = folder / "nss"
    database.mkdir()
    (folder / "customer.p12").write_bytes(p12)
    (folder / "generated.pdf").write_bytes(data)
    for command in (["certutil", "-N", "-d", f"sql:{database}", "--empty-password"],
                    ["pk12util", "-i", str(folder / "customer.p12"), "-d", f"sql:{database}", "-W", "pw"],
                    ["pdfsig", "-nssdir", f"sql:{database}", "-sign", CUSTOMER_FIELD, "-nick", "customer",
                     str(folder / "generated.pdf"), str(folder / "pdfsig.pdf")]):
        subprocess.run(command, check=True, capture_output=True, timeout=60)
    return (folder / "pdfsig.pdf").read_bytes()


@needs_pdfsig
def test_a_copy_signed_with_poppler_pdfsig_is_recorded(runner, case):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    ca, ca_key = make_root("Tiny Co CA", "Tiny Co, LLC")
    cert, key = issue_signing_cert(ca, ca_key, MULLER_SIGNATORY, "Tiny Co, LLC", rsa_key=True)
    p12 = pkcs12.serialize_key_and_certificates(b"customer", key, cert, [ca],
                                                serialization.BestAvailableEncryption(b"pw"))
    (case["folder"] / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    signed = pdfsig_signs(case["original"], case["folder"], p12)
    trusted = runner.invoke(cli, ["-w", str(case["workspace"]), "signed", "trust", "add",
                                  str(case["folder"] / "ca.pem")])
    assert trusted.exit_code == 0, trusted.output
    result = add(runner, case, signed)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"recorded {case['id']}: digital signature, trusted, signed by "
                                    f"{MULLER_SIGNATORY} at ")
    [stored] = received(case["workspace"])
    assert stored.read_bytes() == signed
    [signature] = entries(case["workspace"])[-1].payload["signatures"]
    assert (signature["field"], signature["coverage"]) == (CUSTOMER_FIELD, "ENTIRE_FILE")


def _msp_signer_and_pem(workspace: Path):
    """The MSP's signer from the workspace's `msp.p12`, and its certificate written to `msp.pem`."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    from mspdocs.evidence.signing import load_signer

    _, cert, _ = pkcs12.load_key_and_certificates((workspace / "msp.p12").read_bytes(), b"msp")
    (workspace / "msp.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return load_signer(workspace / "msp.p12", "msp")


def test_the_msp_countersigning_after_the_customer_with_its_configured_certificate_is_accepted(runner, case):
    signer = _msp_signer_and_pem(case["workspace"])
    profile = case["workspace"] / "mspdocs.toml"
    profile.write_text(profile.read_text() + 'certificate = "msp.pem"\n')
    result = add(runner, case, sign_field(case["signed"], signer, MSP_FIELD), "--format", "json")
    assert result.exit_code == 0, result.output
    fields = [s["field"] for s in entries(case["workspace"])[-1].payload["signatures"]]
    assert fields == [CUSTOMER_FIELD, MSP_FIELD]


def test_the_msp_certificate_is_not_the_msps_unless_configured_or_trusted(runner, case, monkeypatch):
    monkeypatch.delenv("MSPDOCS_P12_PASSWORD", raising=False)
    signer = _msp_signer_and_pem(case["workspace"])
    before = entries(case["workspace"])
    result = add(runner, case, sign_field(case["signed"], signer, MSP_FIELD))
    assert result.exit_code == 1
    assert "msp_signature is signed by Dana Whitcomb, who is not the MSP" in result.output
    assert entries(case["workspace"]) == before
    monkeypatch.setenv("MSPDOCS_P12_PASSWORD", "msp")  # the PKCS#12 file under [signing] can now be read
    assert add(runner, case, sign_field(case["signed"], signer, MSP_FIELD)).exit_code == 0


def test_a_malformed_signature_is_named_with_its_field(runner, case):
    signed = case["signed"]
    start = signed.index(b"/Contents <", len(case["original"])) + len(b"/Contents <")
    before = entries(case["workspace"])
    result = add(runner, case, signed[:start] + b"0000" + signed[start + 4:])
    assert result.exit_code == 1
    [line] = result.output.splitlines()
    assert f"rejected: the signature in {CUSTOMER_FIELD} cannot be parsed (" in line
    assert "cannot be read as a PDF" not in line and "AssertionError" not in line
    assert entries(case["workspace"]) == before and received(case["workspace"]) == []


def test_trust_add_takes_ca_certificates_and_a_leaf_only_when_told(runner, case):
    from cryptography.hazmat.primitives import serialization

    ca, ca_key = make_root("Jane Roe CA", "Roe LLC")
    leaf, _ = issue_signing_cert(ca, ca_key, "Jane Roe", "Roe LLC")
    leaf_pem = case["folder"] / "jane.pem"
    leaf_pem.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    trust = ["-w", str(case["workspace"]), "signed", "trust"]
    refused = runner.invoke(cli, [*trust, "add", str(leaf_pem)])
    assert refused.exit_code == 2
    assert "is not a CA certificate" in refused.output and "--leaf" in refused.output
    assert runner.invoke(cli, [*trust, "add", str(leaf_pem), "--leaf"]).exit_code == 0
    assert runner.invoke(cli, [*trust, "add", str(case["ca"])]).exit_code == 0
    listed = runner.invoke(cli, [*trust, "list"])
    assert listed.exit_code == 0
    lines = listed.output.splitlines()
    assert lines[0].split() == ["SUBJECT", "KIND", "EXPIRES", "SHA256"]
    assert any(line.startswith("O=Roe LLC,CN=Jane Roe ") and " leaf " in line for line in lines)
    assert any("CN=Tiny Co CA" in line and " CA " in line for line in lines)
    removed = runner.invoke(cli, [*trust, "remove", str(leaf_pem)])
    assert removed.exit_code == 0 and removed.output.startswith("removed: ")
    after = runner.invoke(cli, [*trust, "list", "--format", "json"])
    assert [t["subject"] for t in __import__("json").loads(after.output)] == ["O=Tiny Co\\, LLC,CN=Tiny Co CA"]
    unknown = runner.invoke(cli, [*trust, "remove", "deadbeefdeadbeef"])
    assert unknown.exit_code == 2 and "matches no certificate" in unknown.output


def test_register_show_lists_every_signature_of_a_received_copy(runner, case):
    signer = _msp_signer_and_pem(case["workspace"])
    profile = case["workspace"] / "mspdocs.toml"
    profile.write_text(profile.read_text() + 'certificate = "msp.pem"\n')
    assert runner.invoke(cli, ["-w", str(case["workspace"]), "signed", "trust", "add", str(case["ca"])]).exit_code == 0
    assert add(runner, case, sign_field(case["signed"], signer, MSP_FIELD)).exit_code == 0
    shown = runner.invoke(cli, ["-w", str(case["workspace"]), "register", "show", case["id"]])
    assert shown.exit_code == 0, shown.output
    lines = shown.output.splitlines()
    header = lines.index("  signatures")
    assert lines[header + 1].split() == ["SIGNER", "FIELD", "SIGNED", "AT", "TRUST"]
    customer, msp = lines[header + 2], lines[header + 3]
    assert customer.split()[:3] == ["Jürgen", "Müller", CUSTOMER_FIELD] and customer.endswith(" trusted")
    assert msp.split()[:3] == ["Dana", "Whitcomb", MSP_FIELD] and msp.endswith("not trusted")


def with_validation_data(data: bytes, signer) -> bytes:
    """`data` with a DSS holding the customer's certificate, then a document timestamp (PAdES LTA)."""
    from asn1crypto import keys, x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
    from pyhanko.sign.timestamps import DummyTimeStamper
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    buffer = io.BytesIO(data)
    [signature] = PdfFileReader(io.BytesIO(data)).embedded_signatures
    DocumentSecurityStore.add_dss(buffer, signature.pkcs7_content, certs=[signer.signing_cert], force_write=True)
    root, root_key = make_root("Test TSA Root", "Test TSA")
    cert, key = issue_timestamping_cert(root, root_key)
    stamper = DummyTimeStamper(
        tsa_cert=x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=keys.PrivateKeyInfo.load(key.private_bytes(serialization.Encoding.DER,
                                                           serialization.PrivateFormat.PKCS8,
                                                           serialization.NoEncryption())))
    output = io.BytesIO()
    PdfTimeStamper(stamper, field_name="DocTS").timestamp_pdf(
        IncrementalPdfFileWriter(io.BytesIO(buffer.getvalue())), "sha256", output=output)
    return output.getvalue()


def test_validation_data_and_a_document_timestamp_may_follow_the_signature(runner, case):
    result = add(runner, case, with_validation_data(case["signed"], case["signer"]), "--format", "json")
    assert result.exit_code == 0, result.output
    signatures = entries(case["workspace"])[-1].payload["signatures"]
    assert [(s["field"], s["kind"]) for s in signatures] == [
        (CUSTOMER_FIELD, "signature"), ("DocTS", "document timestamp")]
