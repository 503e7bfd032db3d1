"""One batch of `generate`: load and validate every input, render all in memory, check each, then publish."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .errors import InputError, MspdocsError, RenderError, raise_all
from .evidence.cited import agreements_in_force, required_baas
from .evidence.current import compare, content_sha256, inputs_sha256, standing_documents
from .evidence.provenance import provenance_context, provenance_properties
from .evidence.publish import Generated, Rendered, stage_document, write_all
from .evidence.register import (
    DOCUMENT_GENERATED,
    Register,
    Entry,
    canonical_json,
    current_actor,
    manifest_hash,
    sha256_text,
)
from .evidence.signing import msp_signer
from .library.approvals import check_library, check_placed, load_approvals
from .library.preflight import check_conditions, check_recorded
from .render.assemble import assemble, deciding_clauses, evaluated_clauses, plan
from .render.deadlines import passed_deadlines
from .render.documents import BAA_INDUSTRIES, KINDS, DocumentKind, base_context, new_document_id
from .render.docxrender import DocumentTemplate
from .render.environment import longdate
from .render.gate import check_document, leaf_strings
from .render.letters import select_services, undated_recommendations
from .render.limits import bounded
from .workspace.catalog import Catalog, load_catalog
from .workspace.clauses import Library, load_library
from .workspace.customers import Customer, load_customers
from .workspace.folder import PROFILE_NAME, Workspace, open_workspace
from .workspace.processes import worker_pool
from .workspace.sample import refuse_sample_profile
from .workspace.staging import Batch, open_batch


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
    approvals: dict[str, Any]  # clause id -> Approval
    facts: dict[str, dict[str, Any]] | None = None  # customer id -> the kind's `provided` values
    options: dict[str, bool] = field(default_factory=dict)  # the forms asked for: pdf, pdfa, sign
    standing: dict[str, Entry] = field(default_factory=dict)  # customer id -> its document of this kind
    reissue: bool = False  # issue a new document even when the one standing is unchanged
    agreements: dict[str, dict[str, Any]] | None = None  # customer id -> agreement in force, for letters
    related: dict[str, dict[str, Any]] = field(default_factory=dict)  # customer id -> documents it cites


def render_one(job: Job, customer_id: str) -> Rendered | Generated:
    """Render and check one document entirely in memory, within the profile's time and memory limits; or,
    when the customer's current document has the same inputs and says the same (its id and date aside),
    that document (unchanged)."""
    limits = job.workspace.profile.limits
    with bounded(limits["render_seconds"], limits["render_memory_mb"], f"rendering {customer_id}'s document"):
        return _render_one(job, customer_id)


def _render_one(job: Job, customer_id: str) -> Rendered | Generated:
    customer = job.customers[customer_id]
    document_id = new_document_id(job.kind)
    in_force = (job.agreements or {}).get(customer_id)
    cited = {"id": in_force["id"], "date": in_force["date"]} if in_force else None
    facts = job.facts.get(customer_id) if job.facts else None
    context = base_context(job.workspace, job.catalog, customer, job.kind, document_id, job.as_of, job.draft,
                           cited, job.related.get(customer_id), facts)
    quoted = (in_force["clauses"] if in_force else {}) if job.kind.quotes_agreement else None
    planned = plan(job.library, job.kind.name, context, quoted)  # runs only conditions `check_conditions` allowed
    if not job.draft:  # before any body is rendered: an unapproved text never runs
        placed = [p.clause for p in planned]
        deciding = deciding_clauses(job.library, job.kind.name)
        check_placed(placed + [c for c in deciding if c not in placed], job.approvals)
    assembly = assemble(job.library, job.kind.name, context, planned, quoted)
    manifest = document_manifest(job, customer_id, document_id, context, assembly)
    properties = {"title": f"{job.kind.title}: {customer.legal_name}", "identifier": document_id,
                  "subject": job.kind.title, "author": job.workspace.profile.msp["legal_name"]}
    if job.draft:
        properties.update(title=f"DRAFT: {properties['title']}", content_status="Draft",
                          keywords="DRAFT; not for signature")
    try:
        values = dict(context, sections=assembly.xml, **provenance_context(context, manifest))
        data = job.template.render(values, properties, provenance_properties(manifest))
        if job.kind.name == "qbr-packet":
            data = packet_with_charts(job, customer, data, facts)
        check_document(data, leaf_strings(context), {
            "customer legal name": customer.legal_name,
            "customer signatory": customer.data["signatory"]["name"],
            "document id": document_id,
        })
    except MspdocsError as exc:
        exc.path = exc.path or str(job.template.path)
        raise
    # A clause or template may say something else on another date (a policy "expired"): compare the text.
    printed_hash = manifest_hash(manifest)
    # Dates the inputs already cover are left out too, so one equal to the date of issue cannot hide it.
    dated = [longdate(context["document"]["next_review"])] + ([longdate(in_force["date"])] if in_force else [])
    content = content_sha256(data, [document_id, printed_hash, printed_hash[:16], longdate(job.as_of),
                                    job.as_of.isoformat(), *dated])
    standing = compare(job.standing.get(customer_id), manifest, content, job.options, job.workspace.root,
                       job.reissue)
    if standing.unchanged:
        return Generated.standing(job.workspace, standing.entry)
    filename = f"{job.kind.name}-{job.as_of.isoformat()}-{document_id}.docx"
    return Rendered(customer_id, job.kind.name, document_id, filename, data, manifest, content_sha256=content)


def packet_with_charts(job: Job, customer: Customer, data: bytes, facts: dict[str, Any]) -> bytes:
    """The rendered packet with its charts drawn and placed (in the worker that rendered it)."""
    from .qbr.packet import add_charts, draw_charts

    terms = customer.data["agreement"]
    images = draw_charts(facts, terms["effective"], customer.data["qbr"]["cadence_days"], job.as_of)
    return add_charts(data, images)


def document_manifest(job: Job, customer_id: str, document_id: str, context: dict[str, Any],
                      assembly) -> dict[str, Any]:
    """Every input of one document, hashed before rendering so the document can carry the hash.

    `inputs_sha256` covers what defines the document (template, clauses, data), not its id or date.
    """
    manifest = {
        "document_id": document_id,
        "customer": customer_id,
        "kind": job.kind.name,
        "as_of": job.as_of.isoformat(),
        "draft": job.draft,
        "template": {"file": job.kind.template, "sha256": job.template.sha256},
        "clauses": [{"id": p.clause.id, "version": p.clause.version, "sha256": p.clause.text_hash,
                     "section": p.number} for p in assembly.placed],
        "data_sha256": sha256_text(canonical_json(issue_free(context))),
        "options": {name: bool(job.options.get(name)) for name in ("pdf", "pdfa", "sign")},
    }
    services = job.customers[customer_id].services
    if job.kind.name == "risk-letter":  # which declined services its signature accepts (QBR agendas ask)
        manifest["declined"] = list(services["declined"])
    if job.kind.name == "agreement":  # the scope it states, which the audit compares with the record
        manifest["scope"] = {name: list(ids) for name, ids in services.items()}
    return dict(manifest, inputs_sha256=inputs_sha256(manifest))


# The fields of the context's `document` that differ with every issue of the same document.
PER_ISSUE = ("id", "date", "next_review")


def issue_free(context: dict[str, Any]) -> dict[str, Any]:
    """The context without the document's own id and date: the data that defines the document."""
    document = {key: value for key, value in context["document"].items() if key not in PER_ISSUE}
    return dict(context, document=document)


_WORKER_JOB: tuple[Job, Batch] | None = None


def _render_in_worker(customer_id: str) -> Rendered | MspdocsError:
    job, batch = _WORKER_JOB
    try:
        rendered = render_one(job, customer_id)
        if isinstance(rendered, Generated):
            return rendered  # unchanged: nothing to write
        # Writing (and flushing) each file where it was rendered spreads the disk work over the jobs.
        return replace(rendered, staged=stage_document(batch, f"{rendered.document_id}.docx", rendered.data))
    except MspdocsError as exc:
        return exc
    except Exception as exc:  # noqa: BLE001 - returned, so the batch still reports every document
        return RenderError(f"could not render: {type(exc).__name__}: {exc}")


def render_all(job: Job, batch: Batch, jobs: int = 1,
               on_progress: Callable[[int, int], None] | None = None) -> list[Rendered | Generated]:
    """Render every customer of the job; all errors are gathered and raised together.

    Each document is also written into the batch's staging folder, to be published by `write_all`
    (the batch's owner removes the folder if anything fails).
    """
    global _WORKER_JOB
    ids = list(job.customers)
    serial = ids if jobs <= 1 or len(ids) < 3 else ids[:1]
    results: list[Rendered | MspdocsError] = []
    _WORKER_JOB = (job, batch)
    try:
        # The first document is rendered here, so forked workers inherit its compiled templates.
        for customer_id in serial:
            results.append(_render_in_worker(customer_id))
            if on_progress:
                on_progress(len(results), len(ids))
        rest = ids[len(serial):]
        if rest:
            with worker_pool(jobs) as pool:  # forked: workers inherit the job, nothing is pickled
                chunk = max(1, len(rest) // (jobs * 8))
                for customer_id, result in zip(rest, pool.map(_render_in_worker, rest, chunksize=chunk)):
                    results.append(result)
                    if on_progress:
                        on_progress(len(results), len(ids))
    finally:
        _WORKER_JOB = None
    failed = [(customer_id, result) for customer_id, result in zip(ids, results)
              if isinstance(result, MspdocsError)]
    if failed:
        raise_all(by_customer(failed))
    return results


def by_customer(failed: list[tuple[str, MspdocsError]]) -> list[MspdocsError]:
    """One error per distinct problem, naming the customers it stopped (a changed clause is said once)."""
    groups: dict[tuple, tuple[MspdocsError, list[str]]] = {}
    for customer_id, error in failed:
        key = (type(error), error.message, error.path, error.line, error.field, error.clause)
        groups.setdefault(key, (error, []))[1].append(customer_id)
    merged = []
    for error, customers in groups.values():
        shown = ", ".join(customers[:3]) + (f" and {len(customers) - 3} more" if len(customers) > 3 else "")
        error.message = f"{shown}: {error.message}"
        merged.append(error)
    return merged


def prepare(workspace: Workspace, kind_name: str, customer_ids: list[str] | None,
            as_of: dt.date | None = None, draft: bool = False, services: list[str] | None = None,
            on_skip: Callable[[str, str], None] | None = None) -> Job:
    """Load and validate every input of a batch; nothing is written."""
    if kind_name not in KINDS:
        raise InputError(f"unknown document kind '{kind_name}' (known: {', '.join(KINDS)})")
    kind = KINDS[kind_name]
    if not draft:  # a document for a customer speaks for the MSP: never for the built-in sample one
        refuse_sample_profile(workspace.root / PROFILE_NAME)
    catalog = load_catalog(workspace.path("catalog"))
    library = load_library(workspace.path("clauses"))
    customers = load_customers(workspace, catalog, customer_ids, on_unclassified=on_skip)
    customers = select_services(kind_name, customers, services, named=customer_ids is not None,
                                on_skip=on_skip)
    if kind_name == "baa" and customer_ids is None:
        customers = _needing_baa(customers, on_skip)
    related = required_baas(workspace, customers, draft) if kind_name == "agreement" else {}
    if not customers:
        raise InputError("no customers to generate for", path=workspace.path("customers"))
    approvals = load_approvals(library.folder)
    if not draft:
        check_library(library, approvals, kind_name)  # approved text changed or deleted, placed or not
        check_conditions(library, approvals, kind_name)  # no unapproved condition runs to place a clause
        check_recorded(workspace, library, approvals, evaluated_clauses(library, kind_name))
    template = DocumentTemplate(workspace.path("templates") / kind.template)
    as_of = as_of or dt.date.today()
    if kind_name == "agreement":
        raise_all([error for customer in customers for error in passed_deadlines(customer, as_of)])
    if kind_name == "risk-letter":
        raise_all([error for customer in customers for error in undated_recommendations(customer, as_of)])
    agreements = agreements_in_force(workspace, customers, kind, draft) if kind.quotes_agreement else None
    facts = kind_facts(workspace, catalog, kind, customers, as_of) if kind.provided else None
    return Job(workspace, catalog, library, kind, template, {c.id: c for c in customers},
               as_of, draft, approvals, facts=facts, agreements=agreements, related=related)


def _needing_baa(customers: list[Customer], on_skip: Callable[[str, str], None] | None) -> list[Customer]:
    """With --all, business associate agreements go to the customers whose industry requires one."""
    chosen = []
    for customer in customers:
        if customer.data["industry"] in BAA_INDUSTRIES:
            chosen.append(customer)
        elif on_skip:
            on_skip(customer.id, f"industry is {customer.data['industry']}, not "
                                 f"{' or '.join(sorted(BAA_INDUSTRIES))}; name the customer to generate "
                                 "its business associate agreement")
    return chosen


def kind_facts(workspace: Workspace, catalog: Catalog, kind: DocumentKind, customers: list[Customer],
               as_of: dt.date) -> dict[str, dict[str, Any]]:
    """The values a QBR agenda or packet is given, per customer, from the register and the evidence."""
    from .qbr.agenda import agenda_facts

    facts = agenda_facts(workspace, catalog, customers, as_of)
    if kind.name == "qbr-packet":
        from .qbr.charts import load_matplotlib
        from .qbr.packet import packet_facts

        facts = packet_facts(workspace, catalog, customers, as_of, facts)
        load_matplotlib()  # once, before the workers fork, so each inherits it loaded
    return facts


def make_pdfs(job: Job, rendered: list[Rendered], batch: Batch, jobs: int = 1, pdfa: bool = False,
              signer: Any = None) -> dict[str, bytes]:
    """Checked PDFs of the rendered documents, by document id (LibreOffice, one process per job)."""
    from .evidence.signing import finisher
    from .render.pdf import PdfSource, to_pdfs

    sources = [PdfSource(item.document_id, Path(item.filename).stem, item.data,
                         f"{job.kind.title}: {job.customers[item.customer].legal_name}", job.kind.title,
                         manifest_hash(item.manifest)) for item in rendered]
    finish = finisher(job.kind.name, signer)
    if job.kind.name == "qbr-packet":
        from .qbr.packet import add_bookmarks

        finish = add_bookmarks
    return to_pdfs(sources, batch.work("pdf"), jobs, pdfa, finish)


def generate(kind: str, customer_ids: list[str] | None = None, *, workspace: str | Path | None = None,
             as_of: dt.date | None = None, draft: bool = False, jobs: int = 1,
             on_progress: Callable[[int, int], None] | None = None, services: list[str] | None = None,
             pdf: bool = False, pdfa: bool = False, sign: bool = False,
             ask_password: Callable[[str], str] | None = None, by: str | None = None,
             on_skip: Callable[[str, str], None] | None = None, reissue: bool = False) -> list[Generated]:
    """Generate `kind` for the named customers (all when None): validate all, render all, then write.

    `pdfa` and `sign` imply `pdf`. With all customers, one with nothing for this kind (a risk letter
    for a customer that declined nothing) is skipped and reported to `on_skip(customer, reason)`.
    A customer whose current document of this kind is what these inputs would issue gets nothing new:
    that document comes back with status "unchanged" (unless `reissue`); a new document supersedes it.
    """
    pdf = pdf or pdfa or sign or kind == "qbr-packet"  # the packet is a PDF for the meeting
    actor = current_actor(by)  # a bad --by is refused before anything runs
    space = open_workspace(workspace)
    job = prepare(space, kind, customer_ids, as_of, draft, services, on_skip)
    job = replace(job, options={"pdf": pdf, "pdfa": pdfa, "sign": sign}, reissue=reissue,
                  standing=standing_documents(space.path("register"), kind, draft))
    with open_batch(space.root) as batch:  # removed at the end, whatever happens (see the register module)
        results = render_all(job, batch, jobs, on_progress)
        rendered = [item for item in results if isinstance(item, Rendered)]
        if not rendered:
            return results  # every document unchanged: nothing to sign, convert or record
        # Asked for only when something new is to be signed: unchanged documents keep their signature.
        signer = msp_signer(space, kind, ask_password) if sign else None
        pdfs = make_pdfs(job, rendered, batch, jobs, pdfa, signer) if pdf else None
        written = {item.document_id: item for item in write_all(space, rendered, pdfs, actor, batch)}
    return [written.get(item.document_id, item) for item in results]
