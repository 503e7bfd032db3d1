"""Counsel's clause book: the whole library in one Word document, changes since approval as tracked changes."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from pathlib import Path
from typing import Any

from ..workspace.clauses import CATEGORIES, Clause, Library, load_library
from ..workspace.folder import open_workspace
from . import approvals as approval_store
from .worddiff import META_FIELDS, meta_value, word_ops

AUTHOR = "mspdocs"
TITLE = "Clause Library Review Book"
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class _Revisions:
    """Numbers and stamps the tracked changes of one document."""

    def __init__(self, when: dt.datetime) -> None:
        self.ids = itertools.count(1)
        self.date = when.strftime("%Y-%m-%dT%H:%M:%SZ")

    def mark(self, tag: str):
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        element = OxmlElement("w:ins" if tag == "insert" else "w:del")
        element.set(qn("w:id"), str(next(self.ids)))
        element.set(qn("w:author"), AUTHOR)
        element.set(qn("w:date"), self.date)
        return element


def _run(text: str, deleted: bool = False):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = OxmlElement("w:r")
    node = OxmlElement("w:delText" if deleted else "w:t")
    node.set(qn("xml:space"), "preserve")
    node.text = _NOT_XML.sub("\ufffd", text)
    run.append(node)
    return run


def _append(paragraph, tag: str, text: str, revisions: _Revisions) -> None:
    if tag == "equal":
        paragraph._p.append(_run(text))
        return
    wrapper = revisions.mark(tag)
    wrapper.append(_run(text, deleted=tag == "delete"))
    paragraph._p.append(wrapper)


def _mark_paragraph_end(paragraph, tag: str, revisions: _Revisions) -> None:
    """An inserted or deleted line break is a tracked paragraph mark."""
    from docx.oxml import OxmlElement

    properties = paragraph._p.get_or_add_pPr()
    run_properties = OxmlElement("w:rPr")
    run_properties.append(revisions.mark(tag))
    properties.append(run_properties)


def write_ops(container, ops: list[tuple[str, str]], revisions: _Revisions, style: str | None = None) -> None:
    """Paragraphs for the pieces of a word diff, each line a paragraph, changes as w:ins / w:del."""
    paragraph = container.add_paragraph(style=style)
    for tag, text in ops:
        for index, piece in enumerate(text.split("\n")):
            if index:
                if tag != "equal":
                    _mark_paragraph_end(paragraph, tag, revisions)
                paragraph = container.add_paragraph(style=style)
            if piece:
                _append(paragraph, tag, piece, revisions)


def _cell_text(cell, ops: list[tuple[str, str]], revisions: _Revisions) -> None:
    paragraph = cell.paragraphs[0]
    for tag, text in ops:
        if text:
            _append(paragraph, tag, text, revisions)


def _styles(document) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Pt

    source = document.styles.add_style("Clause Source", WD_STYLE_TYPE.PARAGRAPH)
    source.base_style = document.styles["Normal"]
    source.font.name = "Courier New"
    source.font.size = Pt(9)
    source.paragraph_format.space_after = Pt(0)


def _summary(document, states: list[approval_store.State]) -> None:
    document.add_heading("Summary", level=1)
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
    document.add_heading("Awaiting approval", level=2)
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


def _clause(document, state: approval_store.State, approved: Clause | None, revisions: _Revisions) -> None:
    from docx.shared import Pt

    clause = state.clause
    document.add_heading(f"{clause.id}: {clause.title}", level=2)
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
        _cell_text(cells[1], ops, revisions)
    if state.status == "changed" and approved is None:
        document.add_paragraph("The approved text was not kept, so the changes cannot be shown.")
    label = document.add_paragraph()
    label.paragraph_format.space_before = Pt(8)
    label.add_run("Text as written (Markdown and template tags shown literally):").italic = True
    current_body = clause.body.rstrip("\n")
    ops = word_ops(approved.body.rstrip("\n"), current_body) if approved else [("equal", current_body)]
    write_ops(document, ops, revisions, style="Clause Source")


def build_clause_book(library: Library, approvals: dict, msp_name: str, document_id: str,
                      when: dt.datetime) -> bytes:
    """The clause book as .docx bytes; only clauses changed since approval carry tracked changes."""
    from docx import Document

    document = Document()
    _styles(document)
    revisions = _Revisions(when)
    states = approval_store.library_states(library, approvals)
    document.add_heading(TITLE, level=0)
    document.add_paragraph(f"{msp_name}: every clause of the library with its approval state, "
                           f"{when.date().isoformat()}. Document {document_id}.")
    document.add_paragraph("Text changed since its approval is shown as tracked changes against the approved "
                           "text; accept or reject them in Word, then approve with `mspdocs clauses approve`.")
    _summary(document, states)
    for category, heading in CATEGORIES.items():
        in_category = sorted((s for s in states if s.clause.category == category),
                             key=lambda s: (s.clause.order, s.clause.id))
        if not in_category:
            continue
        document.add_heading(heading, level=1)
        for state in in_category:
            approved = None
            if state.approval and state.approval.sha256 != state.clause.text_hash:
                approved = approval_store.approved_clause(library.folder, state.approval)
            _clause(document, state, approved, revisions)
    properties = document.core_properties
    properties.title, properties.subject = TITLE, "Clause library for legal review"
    properties.identifier, properties.author = document_id, msp_name
    properties.created = when.replace(tzinfo=None)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def generate_clause_book(workspace: str | Path | None = None, as_of: dt.date | None = None,
                         by: str | None = None, reissue: bool = False):
    """Write the clause book to output/clause-book/, recorded in the register, and return it.

    Like a customer's document, the clause book has one current issue: with the same clauses, approvals
    and MSP name, the current one comes back unchanged (unless `reissue`). It may be made from the sample
    MSP profile: it is the library's own record for counsel, never sent to a customer.
    """
    from ..evidence.current import compare, inputs_sha256, standing_documents
    from ..evidence.publish import Generated, Rendered, write_all
    from ..evidence.register import canonical_json, sha256_text
    from ..render.documents import DocumentKind, new_document_id

    space = open_workspace(workspace)
    library = load_library(space.path("clauses"))
    approvals = approval_store.load_approvals(library.folder)
    kind = DocumentKind("clause-book", TITLE, "", "CLB", lambda *_: {})
    document_id = new_document_id(kind)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    when = dt.datetime.combine(as_of, now.time(), dt.UTC) if as_of else now
    msp_name = space.profile.msp["legal_name"]
    approved = {clause_id: approval.as_dict() for clause_id, approval in sorted(approvals.items())}
    manifest: dict[str, Any] = {"document_id": document_id, "customer": None, "kind": "clause-book",
                                "as_of": when.date().isoformat(), "draft": False,
                                "clauses": [{"id": c.id, "version": c.version, "sha256": c.text_hash}
                                            for c in library],
                                "data_sha256": sha256_text(canonical_json({"msp": msp_name, "approvals": approved}))}
    manifest["inputs_sha256"] = inputs_sha256(manifest)
    standing = standing_documents(space.path("register"), "clause-book", draft=False).get(None)
    found = compare(standing, manifest, None, {}, space.root, reissue)
    if found.unchanged:
        return Generated.standing(space, found.entry)
    data = build_clause_book(library, approvals, msp_name, document_id, when)
    filename = f"clause-book-{when.date().isoformat()}-{document_id}.docx"
    rendered = Rendered("", "clause-book", document_id, filename, data, manifest, folder="clause-book")
    [written] = write_all(space, [rendered], by=by)
    return written
