"""Publishing a checked batch: staged files linked to their final names and recorded in one register commit."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import InputError, raise_all
from ..workspace.folder import Workspace
from ..workspace.writer import discard, stage
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
    staged: Path | None = None  # its bytes already on disk under a hidden name, waiting to be published
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


def discard_staged(rendered: list[Rendered]) -> None:
    """Remove staged files, and the folders staging created if they are left empty."""
    for item in rendered:
        if item.staged is not None:
            discard(item.staged)
            try:
                item.staged.parent.rmdir()
            except OSError:
                pass  # not empty: it holds other documents


def write_all(workspace: Workspace, rendered: list[Rendered], pdfs: dict[str, bytes] | None = None,
              by: str | None = None) -> list[Generated]:
    """Write checked documents (and their PDFs) and record them in the register, all in one step."""
    pdfs = pdfs or {}
    if not workspace.path("register").exists():
        require_records_or_no_documents(workspace, None)  # before opening the register creates it
    output = workspace.output_dir
    targets = [item.target(output) for item in rendered]
    pdf_targets = [path.with_suffix(".pdf") for item, path in zip(rendered, targets) if item.document_id in pdfs]
    raise_all([InputError("refusing to overwrite an existing document", path=path)
               for path in targets + pdf_targets if path.exists()])
    batch, written = [], []
    try:
        for item, path in zip(rendered, targets):
            files = [(item.staged or stage(path, item.data), path)]
            outputs = {"output": {"path": relative_path(workspace, path), "sha256": item.sha256}}
            if item.content_sha256:
                outputs["content_sha256"] = item.content_sha256
            batch.append((files, item.manifest, outputs))
            pdf = pdfs.get(item.document_id)
            pdf_path = pdf_sha256 = None
            if pdf is not None:
                pdf_path, pdf_sha256 = path.with_suffix(".pdf"), hashlib.sha256(pdf).hexdigest()
                files.append((stage(pdf_path, pdf), pdf_path))
                outputs["pdf"] = {"path": relative_path(workspace, pdf_path), "sha256": pdf_sha256}
            written.append(Generated(item.customer, item.kind, item.document_id, path, item.sha256,
                                     item.manifest, pdf_path, pdf_sha256))
    except BaseException:
        for files, _, _ in batch:
            for staged, _ in files:
                discard(staged)
        raise
    publications = [Publication.generated(*item) for item in batch]
    replaced: dict[str, str] = {}

    def before(held: Register) -> list[Publication]:
        require_records_or_no_documents(workspace, held)
        following = supersessions(held, publications)
        replaced.update({event.payload["superseded_by"]: event.document_id for event in following})
        return following

    with Register.of(workspace) as register:
        register.publish_documents(publications, current_actor(by), precondition=before)
    return [replace(item, status="supersedes", supersedes=replaced[item.document_id])
            if item.document_id in replaced else item for item in written]
