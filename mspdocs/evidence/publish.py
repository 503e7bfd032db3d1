"""Publishing a checked batch: staged, journalled, recorded in one register commit, then put in place; and
finishing or discarding the batches of processes that died."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import InputError, MspdocsError, raise_all
from ..workspace.files import check_inside
from ..workspace.folder import Workspace, on_open
from ..workspace.staging import (
    Batch,
    dead_batches,
    file_sha256,
    open_batch,
    read_journal,
    signals_deferred,
    stop_processes_of,
)
from ..workspace.writer import place, stage_in, write_failure
from .current import supersessions
from .register import Entry, Publication, Register, current_actor, relative_path
from .verification import require_records_or_no_documents


@dataclass(frozen=True)
class Rendered:
    """A finished document in memory, with the manifest of what produced it."""

    customer: str
    kind: str
    document_id: str
    filename: str
    data: bytes
    manifest: dict[str, Any] = field(repr=False)
    folder: str | None = None  # under output/; the customer's id unless the document has no customer
    staged: Path | None = None  # its bytes already in the batch's staging folder, waiting to be published
    content_sha256: str | None = None  # what it says, its id and date masked (see evidence/current.py)
    sha256: str = field(init=False)

    def __post_init__(self) -> None:
        # Hashed where it is rendered (a worker), once, not again in the process that publishes.
        object.__setattr__(self, "sha256", hashlib.sha256(self.data).hexdigest())

    def target(self, output_dir: Path) -> Path:
        return output_dir / (self.folder or self.customer) / self.filename


@dataclass(frozen=True)
class Generated:
    """A document written to the workspace."""

    customer: str
    kind: str
    document_id: str
    path: Path
    sha256: str
    manifest: dict[str, Any] = field(repr=False)
    pdf_path: Path | None = None
    pdf_sha256: str | None = None
    status: str = "new"  # new | unchanged (the document already standing) | supersedes (see `supersedes`)
    supersedes: str | None = None  # the document id this one replaced as current

    @classmethod
    def standing(cls, workspace: Workspace, entry: Entry) -> Generated:
        """The document a register entry records, reported as unchanged: nothing new was issued."""
        payload = entry.payload
        pdf = payload.get("pdf") or {}
        return cls(entry.customer or "", entry.kind, entry.document_id, workspace.root / payload["output"]["path"],
                   payload["output"]["sha256"], payload, workspace.root / pdf["path"] if pdf else None,
                   pdf.get("sha256"), status="unchanged")

    @property
    def status_text(self) -> str:
        return f"supersedes {self.supersedes}" if self.supersedes else self.status

    def as_dict(self) -> dict[str, Any]:
        """The stable JSON shape of `generate --format json`: every key always present."""
        return {"customer": self.customer or None, "kind": self.kind, "document_id": self.document_id,
                "as_of": self.manifest.get("as_of"), "draft": bool(self.manifest.get("draft")),
                "path": str(self.path), "sha256": self.sha256,
                "pdf": str(self.pdf_path) if self.pdf_path else None, "pdf_sha256": self.pdf_sha256,
                "status": self.status, "supersedes": self.supersedes}


def write_all(workspace: Workspace, rendered: list[Rendered], pdfs: dict[str, bytes] | None = None,
              by: str | None = None, batch: Batch | None = None) -> list[Generated]:
    """Write checked documents (and their PDFs) and record them in the register, all in one step.

    Files are staged in `batch` (a new one when None) and published by `publish`.
    """
    if batch is None:
        with open_batch(workspace.root) as own:
            return write_all(workspace, rendered, pdfs, by, own)
    pdfs = pdfs or {}
    if not workspace.path("register").exists():
        require_records_or_no_documents(workspace, None)  # before opening the register creates it
    publications, written = [], []
    for item in rendered:
        path = item.target(workspace.output_dir)
        files = [(item.staged or stage_document(batch, f"{item.document_id}.docx", item.data), path)]
        outputs = {"output": {"path": relative_path(workspace, path), "sha256": item.sha256}}
        if item.content_sha256:
            outputs["content_sha256"] = item.content_sha256
        pdf = pdfs.get(item.document_id)
        pdf_path = pdf_sha256 = None
        if pdf is not None:
            pdf_path, pdf_sha256 = path.with_suffix(".pdf"), hashlib.sha256(pdf).hexdigest()
            files.append((stage_document(batch, f"{item.document_id}.pdf", pdf), pdf_path))
            outputs["pdf"] = {"path": relative_path(workspace, pdf_path), "sha256": pdf_sha256}
        publications.append(Publication.generated(files, item.manifest, outputs))
        written.append(Generated(item.customer, item.kind, item.document_id, path, item.sha256,
                                 item.manifest, pdf_path, pdf_sha256))
    replaced: dict[str, str] = {}

    def before(held: Register) -> list[Publication]:
        require_records_or_no_documents(workspace, held)
        following = supersessions(held, publications)
        replaced.update({event.payload["superseded_by"]: event.document_id for event in following})
        return following

    publish(workspace, batch, publications, current_actor(by), precondition=before)
    return [replace(item, status="supersedes", supersedes=replaced[item.document_id])
            if item.document_id in replaced else item for item in written]


def stage_document(batch: Batch, name: str, data: bytes) -> Path:
    """`data` written and flushed into the batch's staging folder; a full disk is a one-line error."""
    try:
        return stage_in(batch.files, name, data)
    except OSError as exc:
        raise MspdocsError(f"cannot write the batch's files: {exc.strerror or exc}; nothing was published",
                           path=batch.files) from None


def publish(workspace: Workspace, batch: Batch, publications: list[Publication], actor: str,
            precondition: Callable[[Register], list[Publication] | None] | None = None) -> list[Entry]:
    """The publishing protocol (see the register module): journal, register commit, then the final names.

    The events `precondition` returns (what the batch supersedes) are committed with the batch's own."""
    records = [_record(workspace, batch, publication) for publication in publications]
    _prepare_targets(workspace, records)
    try:
        batch.write_journal(records)
    except OSError as exc:
        raise MspdocsError(f"cannot write the batch's journal: {exc.strerror or exc}; nothing was published",
                           path=batch.folder) from None
    with signals_deferred():  # once committed, the files go in place before an interrupt is handled
        with Register.of(workspace) as register:
            entries = register.commit(publications, actor, precondition)
        batch.keep = True  # committed: if placing fails now, the next command finishes it
        problems = place_files(workspace, batch, records)
        if problems:
            count = f"{len(problems)} file is" if len(problems) == 1 else f"{len(problems)} files are"
            raise MspdocsError(f"recorded in the register, but {count} not in place yet ({problems[0]}); "
                               "the next mspdocs command puts them there")
        batch.keep = False
    return entries


def _record(workspace: Workspace, batch: Batch, publication: Publication) -> dict[str, Any]:
    """What the journal says of one publication: its event, document and files (staged, final, SHA-256)."""
    files = [{"staged": staged.relative_to(batch.folder).as_posix(), "final": relative_path(workspace, final),
              "sha256": file_sha256(staged)} for staged, final in publication.files]
    return {"event": publication.event, "document_id": publication.document_id, "files": files}


def _prepare_targets(workspace: Workspace, records: list[dict[str, Any]]) -> None:
    """Refuse to overwrite any issued file, and make the folders the files go to, before the commit."""
    finals = [workspace.root / item["final"] for record in records for item in record["files"]]
    raise_all([InputError("refusing to overwrite an existing document", path=path)
               for path in finals if path.exists()])
    for folder in dict.fromkeys(path.parent for path in finals):
        try:
            check_inside(folder)  # a folder linked out of the workspace is refused before anything is made
            folder.mkdir(parents=True, exist_ok=True)
            check_inside(folder)
        except OSError as exc:
            failure = write_failure(exc, folder)
            raise MspdocsError(f"{failure.message}; nothing was published", path=failure.path) from None


def place_files(workspace: Workspace, batch: Batch, records: list[dict[str, Any]]) -> list[str]:
    """Give each committed file its final name (a file already there with the recorded hash is fine);
    returns what could not be placed."""
    problems = []
    for record in records:
        for item in record["files"]:
            final, staged = workspace.root / item["final"], batch.folder / item["staged"]
            try:
                if final.exists():
                    if file_sha256(final) != item["sha256"]:
                        problems.append(f"{item['final']}: another file is in the way")
                    continue
                if file_sha256(staged) != item["sha256"]:
                    problems.append(f"{item['final']}: its staged copy is damaged")
                    continue
                place(staged, final)
            except (OSError, InputError) as exc:
                problems.append(f"{item['final']}: {getattr(exc, 'strerror', None) or exc}")
    return problems


def recover_interrupted(workspace: Workspace) -> None:
    """Finish or discard every batch whose process died: the register decides.

    A batch whose entries the register holds gets its files put in place (hashes checked); any other is
    removed with its staging folder, and the converters it left running are stopped. A batch the register
    cannot decide (the register unreadable) is left for `register verify` to report.
    """
    try:
        for batch in dead_batches(workspace.root):
            try:
                _settle(workspace, batch)
            finally:
                batch.close()
    except OSError:
        return  # e.g. a read-only workspace: nothing this command can finish; verify names what is left


def _settle(workspace: Workspace, batch: Batch) -> None:
    stop_processes_of(batch.folder)
    journal = read_journal(batch.folder)
    if journal is None:
        return  # it never reached its commit
    records = [record for record in journal.get("publications", []) if record.get("files")]
    try:
        register = Register.existing(workspace.path("register"), read_only=True)
        if register is None:
            return
        with register:
            committed = [record for record in records
                         if register.holds(record["event"], record["document_id"], record["files"])]
    except (MspdocsError, sqlite3.Error):
        batch.keep = True
        return
    if committed and place_files(workspace, batch, committed):
        batch.keep = True


on_open(recover_interrupted)
