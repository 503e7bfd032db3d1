"""`signed add`: check a signed copy the customer returned, store it content-addressed, record it."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, ProblemsFound
from .inspection import PdfFacts, SignatureFacts, inspect_pdf
from .register import DOCUMENT_GENERATED, DOCUMENT_SIGNED, Entry, Register, current_actor
from .signing import CUSTOMER_FIELD, SIGNED_KINDS
from .trust import trust_roots
from .workspace import Workspace, open_workspace
from .writer import stage

MAX_BYTES = 25 * 1024 * 1024
DIGITAL_TRUSTED = "digital signature, trusted"
DIGITAL_UNTRUSTED = "intact, signer not trusted"
WET_INK = "wet-ink scan (lower assurance)"
# Changes after a signature that leave what was signed intact: signing further fields, filling forms.
HARMLESS_CHANGES = ("NONE", "LTA_UPDATES", "FORM_FILLING")
MAX_REVISIONS = 1000
_EOF_MARKER = re.compile(rb"%%EOF(\r\n|\r|\n)?")


@dataclass(frozen=True)
class Receipt:
    """A signed copy recorded in the register."""

    document_id: str
    assurance: str
    signer: str
    signed_at: str
    path: Path
    sha256: str
    entry: Entry = field(repr=False)

    @property
    def signed_when(self) -> str:
        """`on DATE` for a wet-ink signature, `at TIME` for a digital one (as its signer reported it)."""
        if not self.signed_at:
            return "at a time it does not state"
        return f"{'on' if self.assurance == WET_INK else 'at'} {self.signed_at}"

    def as_dict(self) -> dict[str, Any]:
        return {"document_id": self.document_id, "assurance": self.assurance, "signer": self.signer,
                "signed_at": self.signed_at, "path": str(self.path), "sha256": self.sha256,
                "seq": self.entry.seq, "entry_hash": self.entry.entry_hash}


def add_signed(file: str | Path, document_id: str | None = None, signer: str | None = None,
               signed_on: dt.date | None = None, by: str | None = None,
               workspace: str | Path | None = None) -> Receipt:
    """Check the returned `file` against its generated document and record it; nothing changes on rejection."""
    if (signer is None) != (signed_on is None):
        raise InputError("--signer and --signed-on go together (both name the wet-ink signature)")
    space = open_workspace(workspace)
    data = read_capped(Path(file))
    if not data.startswith(b"%PDF-"):
        raise ProblemsFound("rejected: not a PDF (it does not start with %PDF-)", path=file)
    facts = inspect_pdf(data, trust_roots(space))
    with Register.of(space) as register:
        generated = _match(register, document_id, facts.document_id)
        customer_signatures = [s for s in facts.signatures if s.field == CUSTOMER_FIELD]
        if customer_signatures:
            if signer is not None:
                raise InputError("the file is digitally signed: --signer and --signed-on are for scanned copies")
            payload = _digital(space, generated, data, facts, customer_signatures[-1])
        else:
            payload = _wet_ink(space, generated, data, signer, signed_on)
        return _store_and_record(space, register, generated, data, payload, current_actor(by))


def read_capped(path: Path, limit: int | None = None) -> bytes:
    """The file's bytes, refusing more than `limit` (default MAX_BYTES) without reading them."""
    limit = MAX_BYTES if limit is None else limit
    if not path.is_file():
        raise InputError("no such file", path=path)
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ProblemsFound(f"rejected: the file is larger than {limit / (1 << 20):g} MiB", path=path)
    return data


def _match(register: Register, named: str | None, embedded: str | None) -> Entry:
    """The generation entry of the document the file belongs to (by --document or by its embedded id)."""
    if named and embedded and named != embedded:
        raise ProblemsFound(f"rejected: the file belongs to document {embedded}, not {named}")
    document_id = named or embedded
    if not document_id:
        raise ProblemsFound("rejected: unmatched: the file carries no document id; name its document "
                            "with --document DOC_ID")
    found = [e for e in register.entries(document_id=document_id) if e.event == DOCUMENT_GENERATED]
    if not found:
        raise ProblemsFound(f"rejected: unmatched: no document {document_id} in the register")
    generated = found[0]
    if generated.kind not in SIGNED_KINDS:
        raise ProblemsFound(f"rejected: {document_id} is a {generated.kind}, which is not signed")
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
    return {"method": "digital", "assurance": DIGITAL_TRUSTED if customer.trusted else DIGITAL_UNTRUSTED,
            "signer": customer.signer, "signed_at": customer.signed_at,
            "original": {"sha256": original["sha256"], "length": length},
            "signatures": [signature.as_dict() for signature in facts.signatures]}


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
    sha256 = hashlib.sha256(data).hexdigest()
    for entry in register.entries(document_id=generated.document_id):
        if entry.event == DOCUMENT_SIGNED and entry.payload.get("received", {}).get("sha256") == sha256:
            raise ProblemsFound(f"rejected: this file was already recorded for {generated.document_id} "
                                f"(entry {entry.seq})")
    target = space.path("received") / f"{sha256}.pdf"
    relative = Path(os.path.relpath(target, space.root)).as_posix()
    files = []
    if target.exists():  # left by an interrupted run, or recorded for another document
        if hashlib.sha256(target.read_bytes()).hexdigest() != sha256:
            raise ProblemsFound(f"a different file is stored as {relative}; run `mspdocs register verify`")
    else:
        files.append((stage(target, data), target))
    payload = dict(payload, document_id=generated.document_id, received={"path": relative, "sha256": sha256})
    entry = register.publish(files, DOCUMENT_SIGNED, payload, actor, document_id=generated.document_id,
                             customer=generated.customer, kind=generated.kind)
    return Receipt(generated.document_id, payload["assurance"], payload["signer"], payload["signed_at"] or "",
                   target, sha256, entry)
