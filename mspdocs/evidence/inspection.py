"""What a received PDF claims (document id, signatures), read in a worker process bounded in time and memory."""

from __future__ import annotations

import io
import multiprocessing
import os
from dataclasses import dataclass, field
from typing import Any

from ..errors import ProblemsFound

TIME_LIMIT_SECONDS = 60.0
# Parsing may use this much memory beyond what the process already holds; more ends it with MemoryError.
MEMORY_HEADROOM_BYTES = 1 << 30
# A signed copy is the document plus a few incremental updates (each signature, its validation data); a file
# of thousands of revisions is refused by counting them, before any parser spends minutes on it.
MAX_REVISIONS = 50


@dataclass(frozen=True)
class SignatureFacts:
    """One embedded signature as pyHanko validated it (no judgment yet)."""

    field: str
    signer: str  # the certificate's common name (its subject when it has none)
    subject: str
    common_name: str | None
    emails: tuple[str, ...]  # the subject's emailAddress and the SubjectAltName's rfc822Name entries
    fingerprint: str
    signed_at: str | None
    byte_range: tuple[int, ...]
    intact: bool
    valid: bool
    trusted: bool
    coverage: str
    modification_level: str | None
    docmdp_ok: bool | None
    summary: str

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "signer": self.signer, "subject": self.subject,
                "emails": list(self.emails), "certificate_sha256": self.fingerprint,
                "signed_at": self.signed_at, "intact": self.intact and self.valid, "trusted": self.trusted,
                "coverage": self.coverage, "modification_level": self.modification_level,
                "summary": self.summary}


@dataclass(frozen=True)
class PdfFacts:
    """The document id in the latest document information, and every embedded signature."""

    document_id: str | None
    signatures: list[SignatureFacts] = field(default_factory=list)


def inspect_pdf(data: bytes, trust_roots: list[bytes], time_limit: float = TIME_LIMIT_SECONDS) -> PdfFacts:
    """The facts of a PDF, parsed and validated in a forked worker that is stopped after `time_limit`."""
    check_revisions(data)
    return _bounded(read_facts, (data, trust_roots), time_limit)


def check_revisions(data: bytes) -> None:
    """Refuse (exit 1) a PDF with more revisions than a signed copy ever has: each ends with `%%EOF`."""
    revisions = max(data.count(b"%%EOF"), data.count(b"startxref"))
    if revisions > MAX_REVISIONS:
        raise ProblemsFound(f"rejected: the file has {revisions} revisions (a signed copy has a few; at most "
                            f"{MAX_REVISIONS} are read)")


def review_changes(data: bytes, base_length: int, time_limit: float = TIME_LIMIT_SECONDS) -> str | None:
    """Why the revisions after the first `base_length` bytes are more than signing, or None when they are not.

    Runs in the same bounded worker as `inspect_pdf`.
    """
    return _bounded(changes_after, (data, base_length), time_limit)


def _bounded(function, args: tuple, time_limit: float):
    """`function(*args)` in a forked worker, limited in memory and stopped after `time_limit` seconds."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_work, args=(sender, function, args), daemon=True)
    worker.start()
    sender.close()
    try:
        if not receiver.poll(time_limit):
            raise ProblemsFound(f"reading the file took longer than {time_limit:.0f} seconds; it was stopped")
        try:
            succeeded, outcome = receiver.recv()
        except EOFError:
            raise ProblemsFound("the file cannot be read as a PDF (its reader stopped)") from None
    finally:
        receiver.close()
        if worker.is_alive():
            worker.kill()
        worker.join()
    if not succeeded:
        raise ProblemsFound(f"the file cannot be read as a PDF: {outcome}")
    return outcome


def _work(sender, function, args: tuple) -> None:
    """Worker body: send (True, the result), or (False, the reason the file could not be read)."""
    import logging

    logging.getLogger("pyhanko").setLevel(logging.CRITICAL)  # failures are reported in the outcome
    logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
    _limit_memory()
    try:
        outcome: tuple[bool, Any] = (True, function(*args))
    except MemoryError:
        outcome = (False, "it needs too much memory to parse")
    except RecursionError:
        outcome = (False, "its objects are nested too deeply")
    except Exception as exc:  # noqa: BLE001 - any failure on untrusted input is a rejection, not a crash
        outcome = (False, str(exc) or type(exc).__name__)
    sender.send(outcome)
    sender.close()


def _limit_memory() -> None:
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            current = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = current + MEMORY_HEADROOM_BYTES
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError):
        pass  # no such limit on this system; the size cap still bounds the input


def read_facts(data: bytes, trust_roots: list[bytes]) -> PdfFacts:
    """Parse the PDF with pyHanko and validate every signature against `trust_roots` (DER), offline."""
    from asn1crypto import x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(data))
    roots = [x509.Certificate.load(der) for der in trust_roots]
    signatures = []
    for embedded in reader.embedded_signatures:
        context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        signatures.append(_signature_facts(embedded, context))
    return PdfFacts(_document_id(reader), signatures)


def _document_id(reader) -> str | None:
    info = reader.trailer_view.get("/Info")
    if info is None:
        return None
    value = info.get_object().get("/MspdocsDocumentId")
    return str(value) if value is not None else None


def _signature_facts(embedded, context) -> SignatureFacts:
    from pyhanko.sign.validation import validate_pdf_signature

    status = validate_pdf_signature(embedded, context)
    from cryptography import x509

    cert = status.signing_cert
    certificate = x509.load_der_x509_certificate(cert.dump())
    name = certificate.subject
    common = name.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    common_name = str(common[0].value) if common else None
    subject = name.rfc4514_string()
    signed_at = status.signer_reported_dt
    level = status.modification_level
    return SignatureFacts(
        field=str(embedded.field_name), signer=common_name or subject, subject=subject,
        common_name=common_name, emails=_emails(certificate), fingerprint=cert.sha256.hex(),
        signed_at=signed_at.isoformat() if signed_at else None,
        byte_range=tuple(int(v) for v in embedded.byte_range),
        intact=bool(status.intact), valid=bool(status.valid), trusted=bool(status.trusted),
        coverage=status.coverage.name if status.coverage is not None else "UNCLEAR",
        modification_level=level.name if level is not None else None,
        docmdp_ok=status.docmdp_ok, summary=status.summary())


def _emails(certificate) -> tuple[str, ...]:
    """The email addresses a certificate names: its subject's emailAddress, then its SubjectAltName's."""
    from cryptography import x509

    found = [str(a.value) for a in certificate.subject.get_attributes_for_oid(x509.NameOID.EMAIL_ADDRESS)]
    try:
        alternative = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        found += alternative.get_values_for_type(x509.RFC822Name)
    except (x509.ExtensionNotFound, ValueError):  # none, or one `cryptography` cannot parse: no address
        pass
    return tuple(dict.fromkeys(found))


def changes_after(data: bytes, base_length: int) -> str | None:
    """Review every revision after the one ending at `base_length` against it (pyHanko's difference analysis).

    Signing signature fields (and filling forms) is harmless; anything else, an unexplained object or a
    revision chain that does not run through the base revision is reported.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification

    reader = PdfFileReader(io.BytesIO(data))
    base = _base_revision(reader, PdfFileReader(io.BytesIO(data[:base_length])), base_length)
    if base is None:
        return "its revisions do not build on the generated document"
    result = _signing_policy().review_file(reader, base)
    if isinstance(result, SuspiciousModification):
        return str(result).splitlines()[0] if str(result) else "an unexplained modification"
    if result.modification_level > ModificationLevel.FORM_FILLING:
        return f"modification level {result.modification_level.name}, more than signing its fields"
    return None


def _base_revision(reader, base_reader, base_length: int) -> int | None:
    """The revision of `reader` that is the last of `base_reader`, when all before it are the base's too."""
    def starts(xrefs) -> list[int]:
        return [xrefs.get_xref_container_info(i).start_location for i in range(xrefs.total_revisions)]

    base_starts, all_starts = starts(base_reader.xrefs), starts(reader.xrefs)
    count = len(base_starts)
    if all_starts[:count] != base_starts or any(start < base_length for start in all_starts[count:]):
        return None
    return count - 1


def _signing_policy():
    """pyHanko's default policy, also allowing the first signature to set the form's /SigFlags."""
    from pyhanko.sign.diff_analysis import (
        DEFAULT_DIFF_POLICY,
        FormUpdatingRule,
        StandardDiffPolicy,
    )
    from pyhanko.sign.diff_analysis.constants import ACROFORM_EXEMPT_STRICT_COMPARISON

    form_rule = FormUpdatingRule(DEFAULT_DIFF_POLICY.form_rule.field_rules,
                                 ignored_acroform_keys=ACROFORM_EXEMPT_STRICT_COMPARISON | {"/SigFlags"})
    return StandardDiffPolicy(DEFAULT_DIFF_POLICY.global_rules, form_rule)
