"""`generate`: render every requested document in memory, check each, then write them all."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .assemble import assemble
from .catalog import Catalog, load_catalog
from .clauses import Library, load_library
from .customers import Customer, load_customers
from .documents import KINDS, DocumentKind, base_context, new_document_id
from .docxrender import DocumentTemplate
from .errors import InputError, MspdocsError, raise_all
from .gate import check_document, leaf_strings
from .letters import select_services
from .signing import msp_signer
from .workspace import Workspace, open_workspace
from .writer import write_new


@dataclass(frozen=True)
class Rendered:
    """A finished document in memory, with the manifest of what produced it."""

    customer: str
    kind: str
    document_id: str
    filename: str
    data: bytes
    manifest: dict[str, Any] = field(repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


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

    def as_dict(self) -> dict[str, str]:
        shown = {"customer": self.customer, "kind": self.kind, "document_id": self.document_id,
                 "path": str(self.path), "sha256": self.sha256}
        if self.pdf_path is not None:
            shown.update(pdf=str(self.pdf_path), pdf_sha256=self.pdf_sha256)
        return shown


@dataclass(frozen=True)
class Job:
    """Everything a batch needs, loaded and validated once, shared by every worker."""

    workspace: Workspace
    catalog: Catalog
    library: Library
    kind: DocumentKind
    template: DocumentTemplate
    customers: dict[str, Customer]
    as_of: dt.date
    draft: bool


def canonical_json(value: Any) -> str:
    def default(item: Any) -> str:
        if isinstance(item, (dt.date, Decimal)):
            return str(item)
        raise TypeError(f"cannot serialise {type(item).__name__}")

    return json.dumps(value, default=default, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def render_one(job: Job, customer_id: str) -> Rendered:
    """Render and check one document entirely in memory."""
    customer = job.customers[customer_id]
    document_id = new_document_id(job.kind)
    context = base_context(job.workspace, job.catalog, customer, job.kind, document_id, job.as_of, job.draft)
    assembly = assemble(job.library, job.kind.name, context)
    properties = {"title": f"{job.kind.title}: {customer.legal_name}", "identifier": document_id,
                  "subject": job.kind.title, "author": job.workspace.profile.msp["legal_name"]}
    try:
        data = job.template.render(dict(context, sections=assembly.xml), properties)
        check_document(data, leaf_strings(context), {
            "customer legal name": customer.legal_name,
            "customer signatory": customer.data["signatory"]["name"],
            "document id": document_id,
        })
    except MspdocsError as exc:
        exc.message = f"{customer_id}: {exc.message}"
        raise
    manifest = {
        "document_id": document_id,
        "customer": customer_id,
        "kind": job.kind.name,
        "as_of": job.as_of.isoformat(),
        "draft": job.draft,
        "template": {"file": job.kind.template, "sha256": job.template.sha256},
        "clauses": [{"id": p.clause.id, "version": p.clause.version, "sha256": p.clause.text_hash,
                     "section": p.number} for p in assembly.placed],
        "data_sha256": hashlib.sha256(canonical_json(context).encode("utf-8")).hexdigest(),
    }
    filename = f"{job.kind.name}-{job.as_of.isoformat()}-{document_id}.docx"
    return Rendered(customer_id, job.kind.name, document_id, filename, data, manifest)


_WORKER_JOB: Job | None = None


def _render_in_worker(customer_id: str) -> Rendered | MspdocsError:
    try:
        return render_one(_WORKER_JOB, customer_id)
    except MspdocsError as exc:
        return exc


def render_all(job: Job, jobs: int = 1, on_done: Callable[[str], None] | None = None) -> list[Rendered]:
    """Render every customer of the job; all errors are gathered and raised together."""
    global _WORKER_JOB
    results: list[Rendered | MspdocsError] = []
    ids = list(job.customers)
    if jobs <= 1 or len(ids) < 2:
        for customer_id in ids:
            try:
                results.append(render_one(job, customer_id))
            except MspdocsError as exc:
                results.append(exc)
            if on_done:
                on_done(customer_id)
    else:
        _WORKER_JOB = job  # inherited by forked workers: nothing is loaded or pickled twice
        try:
            context = multiprocessing.get_context("fork")
            with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
                chunk = max(1, len(ids) // (jobs * 8))
                for customer_id, result in zip(ids, pool.map(_render_in_worker, ids, chunksize=chunk)):
                    results.append(result)
                    if on_done:
                        on_done(customer_id)
        finally:
            _WORKER_JOB = None
    raise_all([result for result in results if isinstance(result, MspdocsError)])
    return results


def prepare(workspace: Workspace, kind_name: str, customer_ids: list[str] | None,
            as_of: dt.date | None = None, draft: bool = False, services: list[str] | None = None) -> Job:
    """Load and validate every input of a batch; nothing is written."""
    if kind_name not in KINDS:
        raise InputError(f"unknown document kind '{kind_name}' (known: {', '.join(KINDS)})")
    kind = KINDS[kind_name]
    catalog = load_catalog(workspace.path("catalog"))
    library = load_library(workspace.path("clauses"))
    customers = load_customers(workspace, catalog, customer_ids)
    customers = select_services(kind_name, customers, services, named=customer_ids is not None)
    if not customers:
        raise InputError("no customers to generate for", path=workspace.path("customers"))
    template = DocumentTemplate(workspace.path("templates") / kind.template)
    return Job(workspace, catalog, library, kind, template, {c.id: c for c in customers},
               as_of or dt.date.today(), draft)


def write_all(workspace: Workspace, rendered: list[Rendered],
              pdfs: dict[str, bytes] | None = None) -> list[Generated]:
    """Write checked documents (and their PDFs); every target is verified free before the first write."""
    pdfs = pdfs or {}
    output = workspace.output_dir
    targets = [output / item.customer / item.filename for item in rendered]
    pdf_targets = [path.with_suffix(".pdf") for item, path in zip(rendered, targets) if item.document_id in pdfs]
    raise_all([InputError("refusing to overwrite an existing document", path=path)
               for path in targets + pdf_targets if path.exists()])
    written = []
    for item, path in zip(rendered, targets):
        write_new(path, item.data)
        pdf = pdfs.get(item.document_id)
        if pdf is not None:
            write_new(path.with_suffix(".pdf"), pdf)
        written.append(Generated(item.customer, item.kind, item.document_id, path, item.sha256, item.manifest,
                                 path.with_suffix(".pdf") if pdf is not None else None,
                                 hashlib.sha256(pdf).hexdigest() if pdf is not None else None))
    return written


def make_pdfs(job: Job, rendered: list[Rendered], jobs: int = 1, pdfa: bool = False,
              signer: Any = None) -> dict[str, bytes]:
    """Checked PDFs of the rendered documents, by document id (LibreOffice, one process per job)."""
    from .pdf import PdfSource, manifest_sha256, to_pdfs
    from .signing import finisher

    sources = [PdfSource(item.document_id, Path(item.filename).stem, item.data,
                         f"{job.kind.title}: {job.customers[item.customer].legal_name}", job.kind.title,
                         manifest_sha256(canonical_json(item.manifest))) for item in rendered]
    return to_pdfs(sources, jobs, pdfa, finisher(job.kind.name, signer))


def generate(kind: str, customer_ids: list[str] | None = None, *, workspace: str | Path | None = None,
             as_of: dt.date | None = None, draft: bool = False, jobs: int = 1,
             on_done: Callable[[str], None] | None = None, services: list[str] | None = None,
             pdf: bool = False, pdfa: bool = False, sign: bool = False,
             ask_password: Callable[[str], str] | None = None) -> list[Generated]:
    """Generate `kind` for the named customers (all when None): validate all, render all, then write."""
    space = open_workspace(workspace)
    job = prepare(space, kind, customer_ids, as_of, draft, services)
    if (pdfa or sign) and not pdf:
        raise InputError("--pdfa and --sign apply to PDFs: add --pdf")
    signer = msp_signer(space, kind, ask_password) if sign else None
    rendered = render_all(job, jobs, on_done)
    pdfs = make_pdfs(job, rendered, jobs, pdfa, signer) if pdf else None
    return write_all(space, rendered, pdfs)
