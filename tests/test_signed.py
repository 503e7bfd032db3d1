"""`signed add`: signed copies returned by customers are checked, stored content-addressed and recorded."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
from pathlib import Path

import pytest
from pki import issue_signing_cert, make_root

from mspdocs.batch import generate
from mspdocs.cli import cli
from mspdocs.errors import ProblemsFound
from mspdocs.evidence.register import open_register
from mspdocs.evidence.signing import CUSTOMER_FIELD
from mspdocs.workspace.folder import init_workspace

from conftest import write_msp_profile

TODAY = dt.date.today()
pytestmark = pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                                reason="LibreOffice is not installed")


MULLER_SIGNATORY = "Jürgen Müller"  # examples/customers/muller-obrien.yaml
PINECREST_EMAIL = "tkearney@pinecrestlaw.example"  # examples/customers/pinecrest-law.yaml


def make_customer_pki(folder: Path, common: str = MULLER_SIGNATORY, name: str = "customer-ca.pem",
                      organisation: str = "Tiny Co, LLC"):
    """A customer's own CA and a signing certificate it issued: (ca.pem, pyHanko signer, cert SHA-256)."""
    from cryptography.hazmat.primitives import serialization

    ca, ca_key = make_root(f"{organisation.split(',')[0]} CA", organisation)
    cert, key = issue_signing_cert(ca, ca_key, common, organisation)
    ca_pem = folder / name
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return (ca_pem, *pyhanko_signer(cert, key))


def pyhanko_signer(cert, key):
    """A pyHanko signer for a `cryptography` certificate and key: (signer, cert SHA-256)."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.sign.signers import SimpleSigner

    der = cert.public_bytes(serialization.Encoding.DER)
    signer = SimpleSigner(
        signing_cert=asn1_x509.Certificate.load(der),
        signing_key=asn1_keys.PrivateKeyInfo.load(key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
        cert_registry=None)
    return signer, hashlib.sha256(der).hexdigest()


def customer_signs(data: bytes, signer) -> bytes:
    """Sign the customer's field as the customer's PDF reader would: an incremental update."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.signers import PdfSignatureMetadata, PdfSigner

    output = io.BytesIO()
    PdfSigner(PdfSignatureMetadata(field_name=CUSTOMER_FIELD), signer).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(data)), output=output)
    return output.getvalue()


def make_msp_pkcs12(workspace: Path) -> None:
    """The MSP's signing certificate as `msp.p12` (password "msp"), named by the workspace profile."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.serialization import pkcs12

    root, root_key = make_root("Harborlight Root", "Harborlight IT Services, LLC")
    cert, key = issue_signing_cert(root, root_key, "Dana Whitcomb", "Harborlight IT Services, LLC")
    (workspace / "msp.p12").write_bytes(pkcs12.serialize_key_and_certificates(
        b"msp", key, cert, [root], serialization.BestAvailableEncryption(b"msp")))
    profile = workspace / "mspdocs.toml"
    profile.write_text(profile.read_text() + '\n[signing]\npkcs12 = "msp.p12"\n')


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """A workspace with two agreement PDFs (A and B), a risk letter without PDF, one countersigned by the
    MSP and an insurance notice, plus a customer PKI."""
    folder = tmp_path_factory.mktemp("signed")
    workspace = write_msp_profile(init_workspace(folder / "ws", examples=True))
    make_msp_pkcs12(workspace)
    [first] = generate("agreement", ["muller-obrien"], workspace=workspace, as_of=TODAY, pdf=True)
    [second] = generate("agreement", ["muller-obrien"], workspace=workspace, as_of=TODAY, pdf=True,
                        reissue=True)
    [docx_only] = generate("risk-letter", ["muller-obrien"], workspace=workspace, as_of=TODAY)
    [notice] = generate("insurance-notice", ["muller-obrien"], workspace=workspace, as_of=TODAY)
    [countersigned] = generate("risk-letter", ["muller-obrien"], workspace=workspace, as_of=TODAY, pdf=True,
                               sign=True, ask_password=lambda prompt: "msp")
    [pinecrest] = generate("agreement", ["pinecrest-law"], workspace=workspace, as_of=TODAY, pdf=True)
    ca_pem, signer, fingerprint = make_customer_pki(folder)
    original = first.pdf_path.read_bytes()
    return {"workspace": workspace, "a": first.document_id, "b": second.document_id,
            "docx_only": docx_only.document_id, "notice": notice.document_id, "original": original, "signed": customer_signs(original, signer),
            "countersigned_id": countersigned.document_id, "countersigned": countersigned.pdf_path.read_bytes(),
            "signer": signer, "ca": ca_pem, "fingerprint": fingerprint,
            "pinecrest": pinecrest.document_id, "pinecrest_pdf": pinecrest.pdf_path.read_bytes()}


@pytest.fixture
def case(prepared, tmp_path):
    """A fresh copy of the prepared workspace, so every test starts from the same register."""
    workspace = tmp_path / "ws"
    shutil.copytree(prepared["workspace"], workspace)
    return dict(prepared, workspace=workspace, folder=tmp_path)


def _entries(workspace: Path) -> list:
    with open_register(workspace) as register:
        return register.entries()


def _received(workspace: Path) -> list[Path]:
    folder = workspace / "received"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def _add(runner, case, data: bytes, *options: str, name: str = "returned.pdf"):
    path = case["folder"] / name
    path.write_bytes(data)
    return runner.invoke(cli, ["-w", str(case["workspace"]), "signed", "add", str(path), *options])


def test_a_trusted_signature_is_accepted_and_recorded(runner, case):
    trusted = runner.invoke(cli, ["-w", str(case["workspace"]), "signed", "trust", "add", str(case["ca"])])
    assert trusted.exit_code == 0, trusted.output
    assert trusted.output.startswith("trusted: ") and "CN=Tiny Co CA" in trusted.output
    result = _add(runner, case, case["signed"], "--by", "Sam Sales")
    assert result.exit_code == 0, result.output
    assert result.output.startswith(
        f"recorded {case['a']}: digital signature, trusted, signed by {MULLER_SIGNATORY} at ")
    sha = hashlib.sha256(case["signed"]).hexdigest()
    assert f"received/{sha}.pdf" in result.output
    assert (case["workspace"] / "received" / f"{sha}.pdf").read_bytes() == case["signed"]
    event = _entries(case["workspace"])[-1]
    assert (event.event, event.document_id, event.customer, event.actor) == (
        "document.signed", case["a"], "muller-obrien", "Sam Sales")
    payload = event.payload
    assert payload["assurance"] == "digital signature, trusted"
    assert payload["received"] == {"path": f"received/{sha}.pdf", "sha256": sha}
    assert payload["original"]["sha256"] == hashlib.sha256(case["original"]).hexdigest()
    assert payload["original"]["length"] == len(case["original"])
    [signature] = payload["signatures"]
    assert signature["field"] == CUSTOMER_FIELD
    assert signature["signer"] == MULLER_SIGNATORY and f"CN={MULLER_SIGNATORY}" in signature["subject"]
    assert signature["certificate_sha256"] == case["fingerprint"]
    assert signature["intact"] and signature["trusted"] and signature["signed_at"]
    assert signature["coverage"] == "ENTIRE_FILE"


def _trust(runner, case, ca_pem: Path) -> None:
    trusted = runner.invoke(cli, ["-w", str(case["workspace"]), "signed", "trust", "add", str(ca_pem)])
    assert trusted.exit_code == 0, trusted.output


def test_another_customers_trusted_ca_does_not_make_its_signer_the_customers_signatory(runner, case):
    muller_ca, other_person, _ = make_customer_pki(case["folder"], "Other Person", "muller-ca.pem",
                                                   "Müller & O'Brien Facades")
    _trust(runner, case, muller_ca)
    result = _add(runner, case, customer_signs(case["pinecrest_pdf"], other_person))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"recorded {case['pinecrest']}: intact, signer not the customer's "
                                    "signatory (signed by Other Person, no email address; the record names "
                                    f"Thomas Kearney <{PINECREST_EMAIL}> as signatory), "
                                    "signed by Other Person at ")
    assert "digital signature, trusted" not in result.output
    payload = _entries(case["workspace"])[-1].payload
    assert payload["assurance"] == "intact, signer not the customer's signatory"
    assert "Other Person" in payload["reason"] and "Thomas Kearney" in payload["reason"]
    assert payload["signatory"] == {"name": "Thomas Kearney", "email": PINECREST_EMAIL}
    assert payload["signatures"][0]["trusted"] is True  # the chain is trusted, the person is not the signatory


def _certificate_with_email(ca, ca_key, common: str, email: str, where: str):
    """A signing certificate issued by `ca` naming `email` in its subject or its SubjectAltName."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = dt.datetime.now(dt.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    attributes = [x509.NameAttribute(NameOID.COMMON_NAME, common)]
    if where == "subject":
        attributes.append(x509.NameAttribute(NameOID.EMAIL_ADDRESS, email))
    builder = (x509.CertificateBuilder().subject_name(x509.Name(attributes)).issuer_name(ca.subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                              critical=True))
    if where == "alternative name":
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False)
    return builder.sign(ca_key, hashes.SHA256()), key


@pytest.mark.parametrize("where", ["subject", "alternative name"])
def test_the_customers_signatory_is_recognised_by_email(runner, case, where):
    from cryptography.hazmat.primitives import serialization

    ca, ca_key = make_root("Pinecrest Law CA", "Pinecrest Law, LLP")
    ca_pem = case["folder"] / "pinecrest-ca.pem"
    ca_pem.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    _trust(runner, case, ca_pem)
    signer, _ = pyhanko_signer(*_certificate_with_email(ca, ca_key, "T. Kearney", PINECREST_EMAIL.upper(), where))
    result = _add(runner, case, customer_signs(case["pinecrest_pdf"], signer), "--format", "json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert (shown["assurance"], shown["reason"], shown["signer"]) == (
        "digital signature, trusted", None, "T. Kearney")
    assert _entries(case["workspace"])[-1].payload["signatures"][0]["emails"] == [PINECREST_EMAIL.upper()]


def test_the_signatory_is_recognised_by_name_whatever_its_case_and_spacing(runner, case):
    pinecrest_ca, kearney, _ = make_customer_pki(case["folder"], "  thomas   KEARNEY ", "pinecrest-ca.pem")
    _trust(runner, case, pinecrest_ca)
    result = _add(runner, case, customer_signs(case["pinecrest_pdf"], kearney))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"recorded {case['pinecrest']}: digital signature, trusted, signed by ")


def test_a_customer_record_that_no_longer_validates_matches_no_signatory(runner, case):
    pinecrest_ca, kearney, _ = make_customer_pki(case["folder"], "Thomas Kearney", "pinecrest-ca.pem")
    _trust(runner, case, pinecrest_ca)
    record = case["workspace"] / "customers" / "pinecrest-law.yaml"
    record.write_text(record.read_text().replace("email: tkearney@", "email: not-an-address-"))
    result = _add(runner, case, customer_signs(case["pinecrest_pdf"], kearney), "--format", "json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["assurance"] == "intact, signer not the customer's signatory"
    assert "the customer's record cannot be read" in shown["reason"]


def test_register_verify_rehashes_the_received_file(runner, case):
    assert _add(runner, case, case["signed"]).exit_code == 0
    verify = ["-w", str(case["workspace"]), "register", "verify"]
    assert runner.invoke(cli, verify).exit_code == 0
    [stored] = _received(case["workspace"])
    stored.write_bytes(stored.read_bytes() + b"\n")
    result = runner.invoke(cli, verify)
    assert result.exit_code == 1
    assert f"received/{stored.name}: file was altered" in result.output


def test_a_signer_outside_the_trust_store_is_intact_but_not_trusted(runner, case):
    result = _add(runner, case, case["signed"], "--format", "json")
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["assurance"] == "intact, signer not trusted"
    assert shown["reason"] == "not trusted: add the issuing CA with `mspdocs signed trust add`"
    assert _entries(case["workspace"])[-1].payload["signatures"][0]["trusted"] is False


def _flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1:]


def _flip_in_signed_revision(case) -> bytes:
    signed, start = case["signed"], len(case["original"])
    return _flip(signed, signed.index(b"(Writer)", start) + 3)


def _flip_in_original(case) -> bytes:
    return _flip(case["signed"], case["signed"].index(b"Writer"))


def _page_changed_after_signing(case) -> bytes:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(case["signed"]))
    page_ref, _ = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    page[generic.NameObject("/Rotate")] = generic.NumberObject(90)
    writer.update_container(page)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _incremental_update(data: bytes, change) -> bytes:
    """`data` with one incremental update made by `change(writer)`, as any PDF editor could append it."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    change(writer)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _white_box_on_page_1(writer) -> None:
    from pyhanko.pdf_utils import generic

    box = generic.StreamObject(stream_data=b"q 1 1 1 rg 0 0 612 792 re f Q")
    writer.add_stream_to_page(0, writer.add_object(box))


def _painted_over_before_signing(case) -> bytes:
    """Page 1 hidden under a white box after generation, then signed by the customer as if nothing happened."""
    return customer_signs(_incremental_update(case["original"], _white_box_on_page_1), case["signer"])


def _rewritten(case) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(case["signed"])))
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def _restamped(case, document_id: str) -> bytes:
    """The generated PDF claiming another document id, then signed by the customer."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(case["original"]))
    info = generic.DictionaryObject(dict(writer.prev.trailer_view["/Info"].get_object()))
    info[generic.NameObject("/MspdocsDocumentId")] = generic.TextStringObject(document_id)
    writer.set_info(info)
    output = io.BytesIO()
    writer.write(output)
    return customer_signs(output.getvalue(), case["signer"])


REJECTIONS = {
    "flipped byte in the customer's signed revision": (
        _flip_in_signed_revision, [], "the signature in customer_signature does not match the signed content"),
    "flipped byte in the generated part": (
        _flip_in_original, [], "the content differs from the generated document"),
    "page changed in a later incremental update": (
        _page_changed_after_signing, [], "an update that no signature covers changes the document: it changes "
                                         "page 1 (the page)"),
    "full rewrite": (_rewritten, [], "the content differs from the generated document"),
    "page painted over between generation and signing": (
        _painted_over_before_signing, [], "the file was changed after it was generated: an update that no "
                                          "signature covers changes the document: it changes page 1 (the page, "
                                          "its content)"),
    "another document's signature": (
        lambda case: case["signed"], ["--document", "{b}"], "the file belongs to document {a}, not {b}"),
    "truncated": (lambda case: case["signed"][:-200], [], "rejected: the file cannot be read as a PDF"),
    "not a PDF": (lambda case: b"PK\x03\x04 a zip, not a PDF", [], "not a PDF"),
    "unsigned as generated": (lambda case: case["original"], [], "without the customer's signature"),
    "unknown document": (
        lambda case: _restamped(case, "AGR-00000000"), [], "unmatched: no document AGR-00000000"),
    "document generated without a PDF": (
        lambda case: _restamped(case, case["docx_only"]), [], "no PDF of {docx_only} was generated"),
}


def test_the_customer_signing_on_top_of_the_msp_countersignature_is_accepted(runner, case):
    result = _add(runner, case, customer_signs(case["countersigned"], case["signer"]), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["document_id"] == case["countersigned_id"]
    fields = [s["field"] for s in _entries(case["workspace"])[-1].payload["signatures"]]
    assert fields == ["msp_signature", CUSTOMER_FIELD]


def test_a_countersigned_document_painted_over_before_signing_is_rejected(runner, case):
    altered = _incremental_update(case["countersigned"], _white_box_on_page_1)
    result = _add(runner, case, customer_signs(altered, case["signer"]))
    assert result.exit_code == 1
    assert "an update that no signature covers changes the document: it changes page 1" in result.output
    assert _received(case["workspace"]) == []


def test_a_workspace_without_a_register_matches_nothing_and_gets_none(runner, case):
    for name in ("register.sqlite3", "register.sqlite3-wal", "register.sqlite3-shm"):
        (case["workspace"] / name).unlink(missing_ok=True)
    result = _add(runner, case, case["signed"])
    assert result.exit_code == 1
    assert f"rejected: unmatched: no document {case['a']}" in result.output
    assert not (case["workspace"] / "register.sqlite3").exists() and _received(case["workspace"]) == []


@pytest.mark.parametrize("name", list(REJECTIONS))
def test_tampered_or_unmatched_files_are_rejected_and_change_nothing(runner, case, name):
    make, options, reason = REJECTIONS[name]
    before = _entries(case["workspace"])
    result = _add(runner, case, make(case), *[option.format(**case) for option in options])
    assert result.exit_code == 1, result.output
    [line] = result.output.splitlines()
    assert line.startswith(f"mspdocs: error: {case['folder'] / 'returned.pdf'}: rejected: ")
    assert reason.format(**case) in line
    assert _entries(case["workspace"]) == before
    assert _received(case["workspace"]) == []


def _scan() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def test_a_scan_without_signer_and_date_is_refused(runner, case):
    before = _entries(case["workspace"])
    result = _add(runner, case, _scan(), "--document", case["a"])
    assert result.exit_code == 2
    assert "needs --signer NAME and --signed-on DATE" in result.output
    assert _entries(case["workspace"]) == before and _received(case["workspace"]) == []
    half = _add(runner, case, _scan(), "--document", case["a"], "--signer", "Pat Doe")
    assert half.exit_code == 2 and "go together" in half.output


def test_a_scan_with_signer_and_date_is_recorded_as_lower_assurance(runner, case):
    day = TODAY.isoformat()
    result = _add(runner, case, _scan(), "--document", case["a"], "--signer", "Pat Doe", "--signed-on", day)
    assert result.exit_code == 0, result.output
    assert f"recorded {case['a']}: wet-ink scan (lower assurance), signed by Pat Doe on {day}" in result.output
    payload = _entries(case["workspace"])[-1].payload
    assert (payload["method"], payload["signer"], payload["signed_at"]) == ("wet-ink", "Pat Doe", day)


def test_a_scan_cannot_be_signed_before_its_document_was_dated(runner, case):
    earlier = (TODAY - dt.timedelta(days=1)).isoformat()
    result = _add(runner, case, _scan(), "--document", case["a"], "--signer", "Pat Doe", "--signed-on", earlier)
    assert result.exit_code == 2
    assert "before" in result.output and _received(case["workspace"]) == []


def test_a_scan_needs_its_document_named(runner, case):
    result = _add(runner, case, _scan(), "--signer", "Pat Doe", "--signed-on", TODAY.isoformat())
    assert result.exit_code == 1
    assert "unmatched" in result.output and "--document" in result.output


def test_signer_options_are_refused_for_a_digitally_signed_file(runner, case):
    result = _add(runner, case, case["signed"], "--signer", "Pat Doe", "--signed-on", TODAY.isoformat())
    assert result.exit_code == 2
    assert "for scanned copies" in result.output


def test_the_same_file_twice_is_stored_once_and_recorded_once(runner, case):
    assert _add(runner, case, case["signed"]).exit_code == 0
    after_first = _entries(case["workspace"])
    again = _add(runner, case, case["signed"], name="again.pdf")
    assert again.exit_code == 1
    assert f"already recorded for {case['a']} (entry {after_first[-1].seq})" in again.output
    assert _entries(case["workspace"]) == after_first
    assert len(_received(case["workspace"])) == 1


@pytest.mark.parametrize("appended", [b"\n", b" \r\n"])
def test_the_same_signature_with_bytes_appended_is_already_recorded(runner, case, appended):
    assert _add(runner, case, case["signed"]).exit_code == 0
    after_first = _entries(case["workspace"])
    again = _add(runner, case, case["signed"] + appended, name="again.pdf")
    assert again.exit_code == 1, again.output
    assert f"rejected: already recorded as entry {after_first[-1].seq}" in again.output
    assert _entries(case["workspace"]) == after_first
    assert len(_received(case["workspace"])) == 1


def test_a_scan_with_bytes_appended_is_another_file(runner, case):
    day = TODAY.isoformat()
    options = ("--document", case["a"], "--signer", "Pat Doe", "--signed-on", day)
    assert _add(runner, case, _scan(), *options).exit_code == 0
    assert _add(runner, case, _scan() + b"\n", *options, name="again.pdf").exit_code == 0
    assert len(_received(case["workspace"])) == 2


def test_a_file_over_the_size_cap_is_rejected_unread(runner, case, monkeypatch):
    monkeypatch.setattr("mspdocs.evidence.received.MAX_BYTES", 1000)
    returned = case["folder"] / "returned.pdf"
    returned.write_bytes(case["signed"])
    opened = []
    real_open = Path.open
    monkeypatch.setattr(Path, "open", lambda self, *args, **kwargs: opened.append(self) or real_open(
        self, *args, **kwargs))
    result = runner.invoke(cli, ["-w", str(case["workspace"]), "signed", "add", str(returned)])
    assert result.exit_code == 1
    assert f"{returned}: rejected: the file is larger than" in result.output
    assert returned not in opened
    assert _received(case["workspace"]) == []


def test_reading_that_does_not_finish_is_stopped(monkeypatch):
    import time

    from mspdocs.evidence import inspection

    monkeypatch.setattr(inspection, "read_facts", lambda data, roots: time.sleep(60))
    with pytest.raises(ProblemsFound, match="took longer than"):
        inspection.inspect_pdf(b"%PDF-1.7\n", [], time_limit=0.5)


def test_trust_add_refuses_a_file_that_is_not_a_certificate(runner, case):
    bogus = case["folder"] / "bogus.pem"
    bogus.write_text("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    result = runner.invoke(cli, ["-w", str(case["workspace"]), "signed", "trust", "add", str(bogus)])
    assert result.exit_code == 2
    assert "not an X.509 certificate" in result.output
    again = runner.invoke(cli, ["-w", str(case["workspace"]), "signed", "trust", "add", str(case["ca"])])
    twice = runner.invoke(cli, ["-w", str(case["workspace"]), "signed", "trust", "add", str(case["ca"])])
    assert again.exit_code == 0 and twice.exit_code == 0 and "already trusted" in twice.output
