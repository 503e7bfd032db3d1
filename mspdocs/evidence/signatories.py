"""Who may sign which field: the customer's signatory in the customer's field, only the MSP in the MSP's."""

from __future__ import annotations

import hashlib
import os
from typing import Any

from ..errors import MspdocsError, ProblemsFound
from ..workspace.files import read_bytes
from ..workspace.folder import Workspace
from .inspection import SignatureFacts
from .signing import DEFAULT_PASSWORD_ENV, MSP_FIELD
from .trust import parse_certificate, signatory_mismatch

DIGITAL_TRUSTED = "digital signature, trusted"
DIGITAL_NOT_SIGNATORY = "intact, signer not the customer's signatory"
DIGITAL_UNTRUSTED = "intact, signer not trusted"
UNTRUSTED_REASON = "not trusted: add the issuing CA with `mspdocs signed trust add`"


def customer_assurance(space: Workspace, customer_id: str | None, signature: SignatureFacts) -> dict[str, Any]:
    """The assurance of the customer's signature, with what would raise it when it is not the highest."""
    if not signature.trusted:
        return {"assurance": DIGITAL_UNTRUSTED, "reason": UNTRUSTED_REASON}
    signatory = customer_signatory(space, customer_id)
    mismatch = signatory_mismatch(signature.common_name, signature.emails, signatory)
    checked: dict[str, Any] = {"signatory": signatory}
    if mismatch is None:
        return dict(checked, assurance=DIGITAL_TRUSTED)
    return dict(checked, assurance=DIGITAL_NOT_SIGNATORY, reason=mismatch)


def customer_signatory(space: Workspace, customer_id: str | None) -> dict[str, str] | None:
    """The signatory of the customer's record, or None when there is no valid record to ask."""
    from ..workspace.catalog import load_catalog
    from ..workspace.customers import load_customers

    if not customer_id:
        return None
    try:
        [customer] = load_customers(space, load_catalog(space.path("catalog")), [customer_id])
    except MspdocsError:
        return None
    signatory = customer.data.get("signatory")
    return {"name": signatory["name"], "email": signatory["email"]} if signatory else None


def check_msp_field(space: Workspace, signatures: list[SignatureFacts], generated_length: int) -> None:
    """Reject a signature added to the MSP's field after generation that is not the MSP's own.

    The MSP's own: the certificate named under [signing] (`certificate`, or the PKCS#12 file when its
    password variable is set), or one that chains to the trust store and names the MSP's signatory.
    """
    added = [s for s in signatures if s.field == MSP_FIELD and sum(s.byte_range[:2]) > generated_length]
    if not added:
        return
    own = msp_fingerprints(space)
    signatory = space.profile.msp.get("signatory") or {}
    for signature in added:
        if signature.fingerprint in own:
            continue
        if signature.trusted and signatory_mismatch(signature.common_name, signature.emails, signatory) is None:
            continue
        why = ("its certificate chains to the trust store but does not name the MSP's signatory"
               if signature.trusted else "its certificate is neither the one under [signing] nor one issued "
               "by a trusted CA to the MSP's signatory")
        raise ProblemsFound(f"rejected: {MSP_FIELD} is signed by {signature.signer}, who is not the MSP "
                            f"({why}; signed at {signature.signed_at or 'an unstated time'})")


def msp_fingerprints(space: Workspace) -> set[str]:
    """SHA-256 of the MSP's own signing certificates that can be read without asking for a password."""
    settings = space.profile.signing or {}
    found: set[str] = set()
    if settings.get("certificate"):
        path = space.root / settings["certificate"]
        found.add(_fingerprint(parse_certificate(read_bytes(path), path)))
    password = os.environ.get(settings.get("password_env") or DEFAULT_PASSWORD_ENV)
    if settings.get("pkcs12") and password is not None:
        found |= _pkcs12_fingerprints(space.root / settings["pkcs12"], password)
    return found


def _pkcs12_fingerprints(path, password: str) -> set[str]:
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        _, cert, _ = pkcs12.load_key_and_certificates(read_bytes(path), password.encode("utf-8"))
    except (ValueError, TypeError, MspdocsError):
        return set()  # countersigning reports a wrong password; here the file simply names no certificate
    return {_fingerprint(cert)} if cert is not None else set()


def _fingerprint(cert) -> str:
    from cryptography.hazmat.primitives import serialization

    return hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest()
