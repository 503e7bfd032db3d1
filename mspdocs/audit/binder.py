"""The litigation binder: one bookmarked PDF and a zip of the originals, checked against the register, recorded."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import secrets
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..delivery.store import latest_evidence
from ..errors import ProblemsFound
from ..evidence.register import (
    BINDER_ASSEMBLED,
    DOCUMENT_GENERATED,
    DOCUMENT_SIGNED,
    GENESIS,
    Entry,
    Publication,
    Register,
    current_actor,
    relative_path,
    utc_now,
)
from ..evidence.publish import publish, stage_document
from ..evidence.verification import verify
from ..qbr.meetings import histories
from ..render.environment import counted
from ..workspace.folder import Workspace, open_workspace
from ..workspace.staging import open_batch
from .binder_pages import PAGES
from .facts import document_date
from .portfolio import run_audit

_ID_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


@dataclass(frozen=True)
class Binder:
    """A binder as written: its id, its two files and the register entry that records it."""

    binder_id: str
    pdf: Path
    zip: Path
    entry: Entry

    def as_dict(self) -> dict[str, Any]:
        return {"binder_id": self.binder_id, "pdf": str(self.pdf), "zip": str(self.zip),
                "entry_hash": self.entry.entry_hash}


def _original(space: Workspace, record: Any, what: str) -> tuple[str, bytes]:
    """A recorded file's bytes, refused (exit 1) unless it is on disk with the register's SHA-256."""
    if not isinstance(record, dict) or not record.get("path"):
        raise ProblemsFound(f"the register records no file for {what}")
    path = space.root / str(record["path"])
    data = path.read_bytes() if path.is_file() else None
    if data is None or hashlib.sha256(data).hexdigest() != record.get("sha256"):
        state = "is missing" if data is None else "differs from the register (SHA-256)"
        raise ProblemsFound(f"stopped: {record['path']} ({what}) {state}; the binder shows only what the register "
                            "proves (run mspdocs register verify)")
    return str(record["path"]), data


def collect(space: Workspace, entries: list[Entry], statuses: dict[str, str]) -> dict[str, Any]:
    """Every generated document and signed copy of the customer, each file checked against the register."""
    originals: dict[str, bytes] = {}
    documents, signed, pdfs = [], [], []
    signed_by = {e.document_id for e in entries if e.event == DOCUMENT_SIGNED}
    for entry in entries:
        if entry.event == DOCUMENT_GENERATED:
            files = []
            for key in ("output", "pdf"):
                if entry.payload.get(key) is not None:
                    path, data = _original(space, entry.payload[key], f"{entry.document_id} {key}")
                    originals[path] = data
                    files.append({"path": path, "sha256": entry.payload[key]["sha256"]})
                    if key == "pdf":
                        pdfs.append(("documents", f"{entry.document_id} ({entry.kind}, "
                                                  f"{statuses.get(entry.document_id, 'draft')})", data))
            documents.append({"document_id": entry.document_id, "kind": entry.kind,
                              "date": document_date(entry).isoformat(),
                              "status": statuses.get(entry.document_id, "draft"),
                              "signed": "signed" if entry.document_id in signed_by else "not signed",
                              "files": files, "in_pdf": "yes" if entry.payload.get("pdf") else "Word only: in the zip"})
        elif entry.event == DOCUMENT_SIGNED:
            path, data = _original(space, entry.payload.get("received"), f"the signed copy of {entry.document_id}")
            originals[path] = data
            pdfs.append(("signed", f"{entry.document_id} signed by {entry.payload.get('signer') or 'unnamed'}", data))
            signed.append({"document_id": entry.document_id, "method": entry.payload.get("method", ""),
                           "assurance": entry.payload.get("assurance", ""), "signer": entry.payload.get("signer"),
                           "signed_at": entry.payload.get("signed_at") or "", "path": path,
                           "sha256": entry.payload["received"]["sha256"],
                           "verification": "unchanged: its SHA-256 equals the register's (entry "
                                           f"{entry.seq}); accepted as {entry.payload.get('assurance', 'recorded')}"})
    return {"originals": originals, "documents": documents, "signed": signed, "pdfs": pdfs}


def delivery_facts(space: Workspace, customer: str, register: Register | None) -> dict[str, Any]:
    evidence = latest_evidence(space, register).get(customer)
    devices = evidence[1] if evidence else []
    protections = sorted({name for d in devices for name in d.protections})
    return {"devices": [{"device": d.device, "type": d.type or "not reported", "last_seen": d.last_seen.isoformat(),
                         "protections": d.protections} for d in devices], "protections": protections,
            "evidence_date": evidence[0].isoformat() if evidence else None}


def build_pdf(facts: dict[str, Any], pdfs: list[tuple[str, str, bytes]]) -> bytes:
    """The binder's pages (through LibreOffice), each generated and signed PDF after its list, bookmarked."""
    from pypdf import PdfReader, PdfWriter

    from ..render.pdf import convert_batch, find_soffice

    with tempfile.TemporaryDirectory(prefix="mspdocs-binder-") as folder:
        sources = []
        for name, _, make in PAGES:
            source = Path(folder) / f"{name}.docx"
            source.write_bytes(make(facts))
            sources.append(source)
        convert_batch(find_soffice(), sources, Path(folder))
        writer = PdfWriter()
        for name, title, _ in PAGES:
            start = len(writer.pages)
            writer.append(PdfReader(Path(folder) / f"{name}.pdf"), import_outline=False)
            parent = writer.add_outline_item(title=title, page_number=start)
            for section, label, data in pdfs:
                if section == name:
                    start = len(writer.pages)
                    writer.append(PdfReader(io.BytesIO(data)), import_outline=False)
                    writer.add_outline_item(title=label, page_number=start, parent=parent)
    writer.add_metadata({"/Title": f"Binder: {facts['legal_name']}", "/Subject": facts["binder_id"]})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def build_zip(originals: dict[str, bytes], facts: dict[str, Any]) -> bytes:
    """The originals under their workspace paths, unchanged, with the register entries and a manifest."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in sorted(originals.items()):
            archive.writestr(path, data)
        manifest = {"binder_id": facts["binder_id"], "customer": facts["customer"], "head": facts["head"],
                    "files": [{"path": p, "sha256": hashlib.sha256(d).hexdigest()} for p, d in sorted(originals.items())]}
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        archive.writestr("register.json", json.dumps(facts["entries"], indent=2, ensure_ascii=False))
        archive.writestr("verification.json", json.dumps(facts["verification"], indent=2, ensure_ascii=False))
    return out.getvalue()


def assemble_binder(customer: str, *, workspace: str | Path | None = None, as_of: dt.date | None = None,
                    by: str | None = None) -> Binder:
    """Assemble, check and record the binder of one customer under output/<customer>/ (never overwriting).

    Stops with exit status 1 when the register does not verify, a recorded file is missing or altered, or
    the register changed while the binder was assembled.
    """
    from ..evidence.current import document_statuses

    space = open_workspace(workspace)
    day = as_of or dt.date.today()
    [audit] = run_audit([customer], workspace=space.root, as_of=day)
    check = verify(space.root)
    if not check.ok:
        raise ProblemsFound(f"stopped: the register does not verify ({check.problems[0]}); run mspdocs register "
                            "verify")
    register = Register.existing(space.path("register"))
    try:
        entries = register.entries(customer=customer) if register else []
        delivery = delivery_facts(space, customer, register)
    finally:
        if register is not None:
            register.close()
    found = collect(space, entries, document_statuses(entries))
    history = histories(entries).get(customer)
    binder_id = "BND-" + "".join(secrets.choice(_ID_ALPHABET) for _ in range(8))
    facts = {
        "binder_id": binder_id, "customer": customer, "legal_name": audit.legal_name, "as_of": day.isoformat(),
        "assembled_at": utc_now(), "head": check.head, "checks": [c.as_dict() for c in audit.checks],
        "documents": found["documents"], "signed": found["signed"],
        "meetings": [{"held_on": m.held_on.isoformat(), "attendees": m.attendees, "agenda": m.agenda}
                     for m in (history.meetings if history else [])],
        "actions": [a.as_dict() for a in (history.actions.values() if history else [])],
        "delivery": f"Lesson 5: {audit.checks[4].status}: {audit.checks[4].reason}.", **delivery,
        "entries": [e.as_dict() for e in entries], "verification": check.as_dict(),
    }
    facts["contents"] = [f"{counted(len(found['documents']), 'document')} generated",
                         counted(len(found['signed']), 'signed copy', 'signed copies'),
                         f"{counted(len(facts['meetings']), 'QBR')}, {counted(len(facts['actions']), 'action item')}",
                         f"{counted(len(delivery['devices']), 'device')} in the latest evidence",
                         counted(len(entries), 'register entry', 'register entries'), "the register's verification"]
    return _publish(space, customer, day, facts, build_pdf(facts, found["pdfs"]),
                    build_zip(found["originals"], facts), entries, by)


def _publish(space: Workspace, customer: str, day: dt.date, facts: dict[str, Any], pdf: bytes, archive: bytes,
             entries: list[Entry], by: str | None) -> Binder:
    folder = space.output_dir / customer
    stem = f"binder-{day.isoformat()}-{facts['binder_id']}"
    targets = [folder / f"{stem}.pdf", folder / f"{stem}.zip"]
    payload = {"as_of": facts["as_of"], "head": facts["head"], "entries": [e.entry_hash for e in entries],
               "pdf": {"path": relative_path(space, targets[0]), "sha256": hashlib.sha256(pdf).hexdigest()},
               "zip": {"path": relative_path(space, targets[1]), "sha256": hashlib.sha256(archive).hexdigest()},
               "contents": facts["contents"]}

    def unchanged(current: Register) -> None:
        everything = current.entries()
        head = everything[-1].entry_hash if everything else GENESIS
        if head != facts["head"] or [e.entry_hash for e in everything if e.customer == customer] != payload["entries"]:
            raise ProblemsFound("stopped: the register changed while the binder was assembled; run binder again")

    with open_batch(space.root) as batch:
        files = [(stage_document(batch, target.name, data), target) for target, data in zip(targets, (pdf, archive))]
        [entry] = publish(space, batch, [Publication(files, BINDER_ASSEMBLED, payload, facts["binder_id"], customer,
                                                     "binder")], current_actor(by), precondition=unchanged)
    return Binder(facts["binder_id"], targets[0], targets[1], entry)
