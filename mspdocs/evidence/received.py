"""`signed add`: check a signed copy the customer returned, store it content-addressed, record it."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, MspdocsError, ProblemsFound
from ..workspace.fields import one_line
from ..workspace.files import FileTooLarge, read_bytes
from ..workspace.folder import Workspace, open_workspace
from ..workspace.staging import open_batch
from .inspection import PdfFacts, SignatureFacts, inspect_pdf, review_changes
from .publish import publish, stage_document
from .register import (
    DOCUMENT_GENERATED,
    DOCUMENT_SIGNED,
    Entry,
    Publication,
    Register,
    current_actor,
    relative_path,
)
from .signing import CUSTOMER_FIELD, SIGNED_KINDS
from .trust import signatory_mismatch, trust_roots
from .verification import file_sha256

MAX_BYTES = 25 * 1024 * 1024
DIGITAL_TRUSTED = "digital signature, trusted"
DIGITAL_NOT_SIGNATORY = "intact, signer not the customer's signatory"
DIGITAL_UNTRUSTED = "intact, signer not trusted"
WET_INK = "wet-ink scan (lower assurance)"
# Changes after a signature that leave what was signed intact: signing further fields, filling forms.
HARMLESS_CHANGES = ("NONE", "LTA_UPDATES", "FORM_FILLING")
MAX_REVISIONS = 1000
REJECTED = "rejected: "
_EOF_MARKER = re.compile(rb"%%EOF(\r\n|\r|\n)?")


@dataclass(frozen=True)
class Receipt:
    """A signed copy recorded in the register."""

    document_id: str
    level: str  # the assurance recorded
    signer: str
    signed_at: str
    path: Path
    sha256: str
    entry: Entry = field(repr=False)
    reason: str = ""  # why the assurance is lower than it could be, when the check knows

    @property
    def assurance(self) -> str:
        """The assurance recorded, followed by the reason it is lower when there is one."""
        return f"{self.level} ({self.reason})" if self.reason else self.level

    @property
    def signed_when(self) -> str:
        """`on DATE` for a wet-ink signature, `at TIME` for a digital one (as its signer reported it)."""
        if not self.signed_at:
            return "at a time it does not state"
        return f"{'on' if self.level == WET_INK else 'at'} {self.signed_at}"

    def as_dict(self) -> dict[str, Any]:
        return {"document_id": self.document_id, "assurance": self.level, "reason": self.reason or None,
                "signer": self.signer, "signed_at": self.signed_at, "path": str(self.path),
                "sha256": self.sha256, "seq": self.entry.seq, "entry_hash": self.entry.entry_hash}


def add_signed(file: str | Path, document_id: str | None = None, signer: str | None = None,
               signed_on: dt.date | None = None, by: str | None = None,
               workspace: str | Path | None = None) -> Receipt:
    """Check the returned `file` against its generated document and record it; nothing changes on rejection.

    Every rejection (exit 1) names the file and starts with "rejected:".
    """
    if (signer is None) != (signed_on is None):
        raise InputError("--signer and --signed-on go together (both name the wet-ink signature)")
    if signer is not None and signer.strip():
        signer = one_line(signer, "--signer")  # before anything is read: a name is one visible line
    space = open_workspace(workspace)
    try:
        return _check_and_record(space, Path(file), document_id, signer, signed_on, current_actor(by))
    except ProblemsFound as exc:
        if not exc.message.startswith(REJECTED):
            exc.message = REJECTED + exc.message
        exc.path = exc.path or str(file)
        raise


def _check_and_record(space: Workspace, file: Path, document_id: str | None, signer: str | None,
                      signed_on: dt.date | None, actor: str) -> Receipt:
    data = read_capped(file)
    if not data.startswith(b"%PDF-"):
        raise ProblemsFound("rejected: not a PDF (it does not start with %PDF-)")
    facts = inspect_pdf(data, trust_roots(space))
    # Only an existing register is opened: a file cannot match a document of a register that is not there.
    register = Register.existing(space.path("register"), read_only=False)
    try:
        generated = _match(register, document_id, facts.document_id)
        customer_signatures = [s for s in facts.signatures if s.field == CUSTOMER_FIELD]
        if customer_signatures:
            if signer is not None:
                raise InputError("the file is digitally signed: --signer and --signed-on are for scanned copies")
            payload = _digital(space, generated, data, facts, customer_signatures[-1])
        else:
            payload = _wet_ink(space, generated, data, signer, signed_on)
        return _store_and_record(space, register, generated, data, payload, actor)
    finally:
        if register is not None:
            register.close()


def read_capped(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes, refusing more than `limit` (default MAX_BYTES) without reading them."""
    limit = MAX_BYTES if limit is None else limit
    try:
        return read_bytes(path, limit)
    except FileTooLarge:
        raise _too_large(path, limit) from None


def _too_large(path: Path, limit: int) -> ProblemsFound:
    return ProblemsFound(f"rejected: the file is larger than {limit / (1 << 20):g} MiB", path=path)


def _match(register: Register | None, named: str | None, embedded: str | None) -> Entry:
    """The generation entry of the document the file belongs to (by --document or by its embedded id).

    Without a register (None) nothing matches.
    """
    if named and embedded and named != embedded:
        raise ProblemsFound(f"rejected: the file belongs to document {embedded}, not {named}")
    document_id = named or embedded
    if not document_id:
        raise ProblemsFound("rejected: unmatched: the file carries no document id; name its document "
                            "with --document DOC_ID")
    if register is None:
        raise ProblemsFound(f"rejected: unmatched: no document {document_id}: the workspace has no register")
    found = [e for e in register.entries(document_id=document_id) if e.event == DOCUMENT_GENERATED]
    if not found:
        raise ProblemsFound(f"rejected: unmatched: no document {document_id} in the register")
    generated = found[0]
    if generated.kind not in SIGNED_KINDS:
        raise ProblemsFound(f"rejected: {document_id} is {_a(generated.kind)}, which is not signed")
    if generated.payload.get("draft"):
        raise ProblemsFound(f"rejected: {document_id} is a draft, not for signature")
    return generated


def _digital(space: Workspace, generated: Entry, data: bytes, facts: PdfFacts,
             customer: SignatureFacts) -> dict[str, Any]:
    """The payload for a digitally signed PDF, or a rejection naming what is wrong."""
    document_id = generated.document_id
    original = generated.payload.get("pdf")
    if not isinstance(original, dict) or not original.get("sha256"):
        raise ProblemsFound(f"rejected: no PDF of {document_id} was generated, so none can come back signed")
    length = original_length(space, data, original)
    if length is None:
        raise ProblemsFound(f"rejected: the content differs from the generated document {document_id} "
                            "(its first revision is not the PDF that was generated)")
    for signature in facts.signatures:
        _check_signature(signature)
    if customer.byte_range[0] != 0 or customer.byte_range[1] < length:
        raise ProblemsFound(f"rejected: the customer's signature does not cover the generated document "
                            f"{document_id}")
    changed = review_changes(data, length)
    if changed is not None:
        raise ProblemsFound(f"rejected: the file was changed after it was generated ({changed})")
    revision_end = customer.byte_range[2] + customer.byte_range[3]  # the signature's revision starts at 0
    payload = {"method": "digital", "assurance": DIGITAL_UNTRUSTED,
               "signer": customer.signer, "signed_at": customer.signed_at,
               "certificate_sha256": customer.fingerprint,
               "original": {"sha256": original["sha256"], "length": length},
               "signed_revision": {"sha256": hashlib.sha256(data[:revision_end]).hexdigest(),
                                   "length": revision_end},
               "signatures": [signature.as_dict() for signature in facts.signatures]}
    if customer.trusted:
        payload.update(_signatory_check(space, generated.customer, customer))
    return payload


def _signatory_check(space: Workspace, customer_id: str | None, signature: SignatureFacts) -> dict[str, Any]:
    """The assurance of a trusted chain: trusted only when the certificate names the customer's signatory."""
    signatory = _signatory(space, customer_id)
    mismatch = signatory_mismatch(signature.common_name, signature.emails, signatory)
    checked: dict[str, Any] = {"signatory": signatory}
    if mismatch is None:
        return dict(checked, assurance=DIGITAL_TRUSTED)
    return dict(checked, assurance=DIGITAL_NOT_SIGNATORY, reason=mismatch)


def _signatory(space: Workspace, customer_id: str | None) -> dict[str, str] | None:
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


def _a(kind: str | None) -> str:
    """The kind with its indefinite article: "an agreement", "a risk-letter"."""
    kind = kind or "unknown kind"
    return f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}"


def _check_signature(signature: SignatureFacts) -> None:
    name = signature.field
    if not (signature.intact and signature.valid):
        raise ProblemsFound(f"rejected: the signature in {name} does not match the signed content "
                            f"(the file was altered after signing): {signature.summary}")
    if signature.coverage == "ENTIRE_FILE":
        return
    if signature.coverage != "ENTIRE_REVISION":
        raise ProblemsFound(f"rejected: the signature in {name} does not cover its whole revision "
                            f"({signature.coverage})")
    if signature.modification_level not in HARMLESS_CHANGES or signature.docmdp_ok is False:
        raise ProblemsFound(f"rejected: the document was changed after {name} was signed "
                            f"(modification level {signature.modification_level}, more than form filling)")


def original_length(space: Workspace, data: bytes, original: dict[str, str]) -> int | None:
    """The length of the prefix of `data` whose SHA-256 is the generated PDF's, if there is one.

    Candidates are the generated file's size (when it is still on disk) and the first revision ends
    (`%%EOF`, with or without its line end); one pass over the data hashes them all.
    """
    candidates: set[int] = set()
    for count, match in enumerate(_EOF_MARKER.finditer(data)):
        if count == MAX_REVISIONS:  # the generated revisions come first; a file full of markers is hostile
            break
        candidates.update((match.start() + len(b"%%EOF"), match.end()))
    on_disk = space.root / str(original.get("path", ""))
    if original.get("path") and on_disk.is_file():
        candidates.add(on_disk.stat().st_size)
    digest, position = hashlib.sha256(), 0
    for end in sorted(c for c in candidates if c <= len(data)):
        digest.update(data[position:end])
        position = end
        if digest.copy().hexdigest() == original["sha256"]:
            return end
    return None


def _wet_ink(space: Workspace, generated: Entry, data: bytes, signer: str | None,
             signed_on: dt.date | None) -> dict[str, Any]:
    """The payload for a scanned copy signed by hand, which only the user's word dates and names."""
    document_id = generated.document_id
    original = generated.payload.get("pdf")
    generated_pdf = isinstance(original, dict) and bool(original.get("sha256"))
    if generated_pdf and original_length(space, data, original) is not None:
        raise ProblemsFound(f"rejected: this is the generated document {document_id} without the "
                            "customer's signature")
    if signer is None or signed_on is None:
        raise InputError(f"the file has no digital customer signature: a scanned copy of {document_id} "
                         "needs --signer NAME and --signed-on DATE")
    if not signer.strip():
        raise InputError("--signer needs the name of the person who signed")
    if signed_on > dt.date.today():
        raise InputError(f"--signed-on {signed_on.isoformat()} is in the future")
    dated = generated.payload.get("as_of")
    if isinstance(dated, str) and signed_on.isoformat() < dated:
        raise InputError(f"--signed-on {signed_on.isoformat()} is before {document_id} was dated ({dated})")
    return {"method": "wet-ink", "assurance": WET_INK, "signer": signer.strip(),
            "signed_at": signed_on.isoformat(), "signatures": []}


def _store_and_record(space: Workspace, register: Register, generated: Entry, data: bytes,
                      payload: dict[str, Any], actor: str) -> Receipt:
    """Store the file as `received/<sha256>.pdf` and append `document.signed`: both or neither."""
    sha256 = hashlib.sha256(data).hexdigest()  # of the bytes checked, not of the file re-read
    _refuse_recorded(register, generated.document_id, sha256, _signature_key(payload))
    target = space.path("received") / f"{sha256}.pdf"
    relative = relative_path(space, target)
    payload = dict(payload, document_id=generated.document_id, received={"path": relative, "sha256": sha256})
    signature = _signature_key(payload)
    with open_batch(space.root) as batch:
        files = []
        if target.exists():  # recorded for another document (the same bytes returned twice)
            if file_sha256(target) != sha256:
                raise ProblemsFound(f"a different file is stored as {relative}; run `mspdocs register verify`")
        else:
            files.append((stage_document(batch, f"{sha256}.pdf", data), target))
        publication = Publication(files, DOCUMENT_SIGNED, payload, generated.document_id, generated.customer,
                                  generated.kind)
        [entry] = publish(space, batch, [publication], actor, precondition=lambda held: _refuse_recorded(
            held, generated.document_id, sha256, signature))
    return Receipt(generated.document_id, payload["assurance"], payload["signer"], payload["signed_at"] or "",
                   target, sha256, entry, payload.get("reason", ""))


def _signature_key(payload: dict[str, Any]) -> tuple[str, str] | None:
    """What identifies the customer's digital signature: its certificate and the revision it signed."""
    revision = payload.get("signed_revision")
    if not isinstance(revision, dict) or not revision.get("sha256") or not payload.get("certificate_sha256"):
        return None
    return payload["certificate_sha256"], revision["sha256"]


def _refuse_recorded(register: Register, document_id: str, sha256: str, signature: tuple[str, str] | None) -> None:
    """Refuse a file, or a digital signature under bytes added later, that the register already holds.

    Bytes appended to a signed file change its hash but not the signature: a scan keeps the whole-file rule.
    """
    for entry in register.entries(document_id=document_id):
        if entry.event != DOCUMENT_SIGNED:
            continue
        received = entry.payload.get("received")
        if isinstance(received, dict) and received.get("sha256") == sha256:
            raise ProblemsFound(f"rejected: this file was already recorded for {document_id} (entry {entry.seq})")
        if signature is not None and _signature_key(entry.payload) == signature:
            raise ProblemsFound(f"rejected: already recorded as entry {entry.seq}: the same customer signature "
                                f"of {document_id} (this copy differs only in what follows it)")
