"""Counsel's clause book: every clause as written and as rendered for a sample customer, with its approval state."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..workspace.clauses import CATEGORIES, Clause, Library, load_library
from ..workspace.folder import open_workspace
from . import approvals as approval_store
from .booksample import Rendering, Samples
from .bookword import (
    Heading,
    Headings,
    Revisions,
    add_styles,
    append_body_xml,
    cell_text,
    page_footer,
    table_of_contents,
    update_fields_on_open,
    write_ops,
)
from .worddiff import META_FIELDS, meta_value, word_ops

TITLE = "Clause Library Review Book"
SHIPPED_WARNING = ("These approvals are the ones shipped with mspdocs; they are not your counsel's. Have your own "
                   "counsel review and approve each clause (mspdocs clauses approve ...).")


@dataclass(frozen=True)
class Book:
    """Everything the clause book says, gathered and checked before any of it is written."""

    library: Library
    approvals: dict[str, approval_store.Approval]
    msp_name: str
    document_id: str
    when: dt.datetime
    renderings: dict[str, Rendering] = field(default_factory=dict)
    samples_text: str = ""
    origins: dict[str, int] = field(default_factory=lambda: {"shipped": 0, "own": 0})
    properties: dict[str, str] = field(default_factory=dict)  # custom document properties


def approvals_statement(origins: dict[str, int]) -> str:
    """Whose approvals the lock holds, in plain words."""
    shipped, own = origins["shipped"], origins["own"]
    if shipped and not own:
        return SHIPPED_WARNING
    if shipped:
        return (f"{shipped} of the {shipped + own} approvals are the ones shipped with mspdocs, not your "
                f"counsel's; {own} {'is' if own == 1 else 'are'} your own counsel's. Have your own counsel review "
                "and approve the others (mspdocs clauses approve ...).")
    if own:
        return f"Every approval ({own}) was given by your own counsel in this workspace; none is a shipped one."
    return "No clause has been approved yet: have your counsel review each clause and approve it " \
           "(mspdocs clauses approve ...)."


def _summary(document, headings: Headings, states: list[approval_store.State]) -> None:
    headings.add(document, "Summary", 1)
    table = document.add_table(rows=1, cols=2, style="Table Grid")
    table.rows[0].cells[0].paragraphs[0].add_run("Status").bold = True
    table.rows[0].cells[1].paragraphs[0].add_run("Clauses").bold = True
    for status in approval_store.STATES:
        cells = table.add_row().cells
        cells[0].text = status
        cells[1].text = str(sum(state.status == status for state in states))
    cells = table.add_row().cells
    cells[0].paragraphs[0].add_run("total").bold = True
    cells[1].paragraphs[0].add_run(str(len(states))).bold = True
    waiting = [state for state in states if state.status in ("changed", "unapproved", "draft")]
    headings.add(document, "Awaiting approval", 2)
    if not waiting:
        document.add_paragraph("Every clause in use is approved as it stands.")
        return
    table = document.add_table(rows=1, cols=3, style="Table Grid")
    for cell, label in zip(table.rows[0].cells, ("Clause", "Title", "Why")):
        cell.paragraphs[0].add_run(label).bold = True
    for state in waiting:
        cells = table.add_row().cells
        cells[0].text, cells[1].text, cells[2].text = state.clause.id, state.clause.title, state.reason()


def _approval_text(state: approval_store.State) -> str:
    approval = state.approval
    if approval is None:
        return "awaiting approval (never approved)"
    text = f"version {approval.version} approved by {approval.approved_by} on {approval.approved_on}"
    if approval.reason:
        text += f" ({approval.reason})"
    return text if state.status == "approved" else f"{state.status}; last {text}"


def _label(document, text: str, space_before: int = 8):
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(space_before)
    paragraph.paragraph_format.keep_with_next = True
    paragraph.add_run(text).italic = True
    return paragraph


def _rendered_label(state: approval_store.State, rendering: Rendering) -> str:
    customer, kind = rendering.customer, rendering.kind
    where = f"section {rendering.section} of the {kind.title}" if rendering.section else f"the {kind.title}"
    label = f"As rendered for {customer.legal_name} ({where}):"
    if not state.approved:
        label += " a draft rendering, as this text is not approved."
    return label


def _clause(document, headings: Headings, state: approval_store.State, approved: Clause | None,
            revisions: Revisions, rendering: Rendering | None) -> None:
    clause = state.clause
    headings.add(document, f"{clause.id}: {clause.title}", 2)
    rows: list[tuple[str, list[tuple[str, str]]]] = [("Status", [("equal", state.status)]),
                                                     ("Approval", [("equal", _approval_text(state))])]
    for name in META_FIELDS:
        current = meta_value(clause, name) or "none"
        before = (meta_value(approved, name) or "none") if approved else current
        rows.append((name.capitalize(), word_ops(before, current) if before != current else [("equal", current)]))
    rows.append(("Variables", [("equal", ", ".join(clause.variables) or "none")]))
    rows.append(("File", [("equal", clause.path.name)]))
    table = document.add_table(rows=0, cols=2, style="Table Grid")
    for label, ops in rows:
        cells = table.add_row().cells
        cells[0].paragraphs[0].add_run(label).bold = True
        cell_text(cells[1], ops, revisions)
    if state.status == "changed" and approved is None:
        document.add_paragraph("The approved text was not kept, so the changes cannot be shown.")
    _label(document, "As written (Markdown and template tags shown literally):")
    current_body = clause.body.rstrip("\n")
    ops = word_ops(approved.body.rstrip("\n"), current_body) if approved else [("equal", current_body)]
    write_ops(document, ops, revisions, style="Clause Source")
    if rendering is None:
        return
    if rendering.note:
        _label(document, "As rendered:")
        document.add_paragraph(rendering.note)
        return
    _label(document, _rendered_label(state, rendering))
    append_body_xml(document, rendering.xml)


def _front(document, book: Book, headings: Headings):
    """Title, what the book is, whose approvals these are, the sample customer; the contents' place."""
    from docx.enum.text import WD_BREAK

    document.add_heading(TITLE, level=0)
    document.add_paragraph(f"{book.msp_name}: every clause of the library with its approval state, "
                           f"{book.when.date().isoformat()}. Document {book.document_id}.")
    warning = document.add_paragraph()
    warning.add_run(approvals_statement(book.origins)).bold = True
    if book.samples_text:
        document.add_paragraph(book.samples_text)
    document.add_paragraph("Each clause is shown as written, with its template tags, and as rendered for the sample "
                           "customer. Text changed since its approval is shown as tracked changes against the "
                           "approved text; accept or reject them in Word, then approve with `mspdocs clauses "
                           "approve`.")
    document.add_paragraph("Contents", style="TOC Heading")
    anchor = document.add_paragraph()
    anchor.add_run().add_break(WD_BREAK.PAGE)
    return anchor


def build_clause_book(book: Book, pages: dict[str, int] | None = None) -> tuple[bytes, list[Heading]]:
    """The clause book as .docx bytes, and the headings its contents list; `pages` (bookmark -> page)
    are the contents' page numbers (without them Word fills them in when it updates the fields)."""
    from docx import Document

    from ..render.docxrender import set_custom_properties

    document = Document()
    add_styles(document)
    page_footer(document, book.document_id)
    revisions, headings = Revisions(book.when), Headings()
    states = approval_store.library_states(book.library, book.approvals)
    anchor = _front(document, book, headings)
    _summary(document, headings, states)
    for category, heading in CATEGORIES.items():
        in_category = sorted((s for s in states if s.clause.category == category),
                             key=lambda s: (s.clause.order, s.clause.id))
        if not in_category:
            continue
        headings.add(document, heading, 1)
        for state in in_category:
            approved = None
            if state.approval and state.approval.sha256 != state.clause.text_hash:
                approved = approval_store.approved_clause(book.library.folder, state.approval)
            _clause(document, headings, state, approved, revisions, book.renderings.get(state.clause.id))
    table_of_contents(anchor, headings.items, pages)
    if pages is None:
        update_fields_on_open(document)  # the contents' page numbers are Word's to fill in
    properties = document.core_properties
    properties.title, properties.subject = TITLE, "Clause library for legal review"
    properties.identifier, properties.author = book.document_id, book.msp_name
    properties.keywords = "clause book; legal review"
    properties.created = book.when.replace(tzinfo=None)
    if book.properties:
        set_custom_properties(document.part.package, book.properties)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue(), headings.items


def _samples_text(used: list[dict[str, Any]], customers: dict, named: bool) -> str:
    """Which customer the clauses are rendered for, in plain words."""
    if not used:
        return ""
    kinds: dict[str, list[str]] = {}
    for item in used:
        kinds.setdefault(item["customer"], []).append(item["kind"])
    why = "the customer named" if named else "the first customer in id order that receives the document"
    parts = [f"{customers[cid].legal_name} ({cid}) for the {' and the '.join(_titles(names))}"
             for cid, names in kinds.items()]
    return f"Sample customer: each clause is rendered for {'; '.join(parts)}: {why}."


def _titles(kind_names: list[str]) -> list[str]:
    from ..render.documents import KINDS

    return [KINDS[name].title for name in kind_names]


def _lock_sha256(library: Library) -> str | None:
    import hashlib

    path = approval_store.lock_path(library.folder)
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None


def book_manifest(library: Library, approvals: dict, msp_name: str, document_id: str, when: dt.datetime,
                  samples: list[dict[str, Any]], pdf: bool) -> dict[str, Any]:
    """What the book was made from: every clause text, the approvals (and the lock's hash), the samples."""
    from ..evidence.current import inputs_sha256
    from ..evidence.register import canonical_json, sha256_text

    clauses = [{"id": c.id, "version": c.version, "sha256": c.text_hash} for c in library]
    approved = {clause_id: approval.as_dict() for clause_id, approval in sorted(approvals.items())}
    lock = _lock_sha256(library)
    manifest: dict[str, Any] = {
        "document_id": document_id, "customer": None, "kind": "clause-book", "as_of": when.date().isoformat(),
        "draft": False, "clauses": clauses, "library_sha256": sha256_text(canonical_json(clauses)),
        "approvals_lock_sha256": lock, "samples": samples, "options": {"pdf": pdf},
        "data_sha256": sha256_text(canonical_json({"msp": msp_name, "approvals": approved, "lock": lock,
                                                   "samples": samples}))}
    return dict(manifest, inputs_sha256=inputs_sha256(manifest))


def book_properties(manifest: dict[str, Any]) -> dict[str, str]:
    """The custom document properties: the register's pointers and the manifest itself."""
    from ..evidence.provenance import provenance_properties
    from ..evidence.register import canonical_json

    samples = "; ".join(f"{s['customer']} ({s['kind']}, record sha256 {s['record_sha256']})"
                        for s in manifest["samples"])
    return {**provenance_properties(manifest), "LibrarySha256": manifest["library_sha256"],
            "ApprovalsLockSha256": manifest["approvals_lock_sha256"] or "none (no approvals.lock)",
            "SampleCustomers": samples or "none", "Manifest": canonical_json(manifest)}


def generate_clause_book(workspace: str | Path | None = None, as_of: dt.date | None = None,
                         by: str | None = None, reissue: bool = False, pdf: bool = False,
                         customer: str | None = None):
    """Write the clause book to output/clause-book/ (with `pdf`, a PDF beside it), record it in the
    register, and return it.

    `customer` names the sample customer (default: per clause, the first customer in id order that
    receives a document the clause belongs to). Like a customer's document, the clause book has one current
    issue: with the same clauses, approvals, samples and text, the current one comes back unchanged (unless
    `reissue`). It may be made from the sample MSP profile: it is the library's own record for counsel,
    never sent to a customer.
    """
    from ..evidence.current import compare, content_sha256, standing_documents
    from ..evidence.publish import Generated, Rendered, write_all
    from ..evidence.register import current_actor, manifest_hash
    from ..render.documents import DocumentKind, new_document_id
    from ..render.environment import longdate
    from ..workspace.catalog import load_catalog
    from ..workspace.customers import load_customers
    from ..workspace.staging import open_batch
    from .approvalrecord import approval_origins
    from .bookpdf import paged_book

    actor = current_actor(by)
    space = open_workspace(workspace)
    library = load_library(space.path("clauses"))
    approvals = approval_store.load_approvals(library.folder)
    catalog = load_catalog(space.path("catalog"))
    # An imported stub not classified yet cannot be a sample: left out, as the book is for no one customer.
    customers = load_customers(space, catalog, [customer] if customer else None, on_unclassified=lambda *_: None)
    document_id = new_document_id(DocumentKind("clause-book", TITLE, "", "CLB", lambda *_: {}))
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    when = dt.datetime.combine(as_of, now.time(), dt.UTC) if as_of else now
    samples = Samples(space, library, catalog, customers, document_id, when.date(),
                      named=customer is not None)
    renderings = samples.render_all(list(library))  # every failure before anything is written
    msp_name = space.profile.msp["legal_name"]
    manifest = book_manifest(library, approvals, msp_name, document_id, when, samples.used(), pdf)
    book = Book(library, approvals, msp_name, document_id, when, renderings,
                _samples_text(samples.used(), {c.id: c for c in customers}, customer is not None),
                approval_origins(approvals), book_properties(manifest))
    data, _ = build_clause_book(book)
    printed = manifest_hash(manifest)
    content = content_sha256(data, [document_id, printed, longdate(when.date()), when.date().isoformat()])
    standing = standing_documents(space.path("register"), "clause-book", draft=False).get(None)
    found = compare(standing, manifest, content, {"pdf": pdf}, space.root, reissue)
    if found.unchanged:
        return Generated.standing(space, found.entry)
    filename = f"clause-book-{when.date().isoformat()}-{document_id}.docx"
    with open_batch(space.root) as batch:
        pdfs = None
        if pdf:
            data, pdf_data = paged_book(lambda pages: build_clause_book(book, pages), document_id,
                                        Path(filename).stem, f"{TITLE}: {msp_name}", printed, batch.work)
            pdfs = {document_id: pdf_data}
        rendered = Rendered("", "clause-book", document_id, filename, data, manifest, folder="clause-book",
                            content_sha256=content)
        [written] = write_all(space, [rendered], pdfs, actor, batch)
    return written
