"""The binder's own pages as Word documents (cover, documents, signed copies, QBRs, evidence, register, verify)."""

from __future__ import annotations

import io
from typing import Any

from ..render.environment import counted
from .lessons import LESSONS
from .word import grid_table

_STATUS = {"ok": "present", "gap": "MISSING", "unknown": "unknown"}


def _document(title: str, subtitle: str):
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = section.page_height, section.page_width
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    document.styles["Normal"].font.size = Pt(8.5)
    document.add_heading(title, level=1)
    document.add_paragraph(subtitle)
    return document


def _table(document, header: list[str], rows: list[list[Any]]) -> None:
    if not rows:
        document.add_paragraph("None recorded.")
        return
    grid_table(document, header, rows)


def _bytes(document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def cover(facts: dict[str, Any]) -> bytes:
    document = _document(f"Binder: {facts['legal_name']}",
                         f"Customer {facts['customer']}. Binder {facts['binder_id']}, assembled {facts['assembled_at']} "
                         f"(UTC), as of {facts['as_of']}. Register head when assembled: {facts['head']}.")
    document.add_heading("Lesson by lesson: what is present, what is missing", level=2)
    _table(document, ["Lesson", "State", "What the records show", "What closes the gap"],
           [[f"{c['lesson']}. {LESSONS[c['lesson']]}", _STATUS[c["status"]], c["reason"], c["action"]]
            for c in facts["checks"]])
    document.add_heading("Contents", level=2)
    for line in facts["contents"]:
        document.add_paragraph(line, style="List Bullet")
    return _bytes(document)


def documents_page(facts: dict[str, Any]) -> bytes:
    document = _document("Documents generated", "Every document generated for the customer, with its status in "
                                                "the register and the files it was issued as (SHA-256 checked "
                                                "against the register while this binder was assembled).")
    _table(document, ["Document", "Kind", "Date", "Status", "Signed", "Files (SHA-256)", "In this PDF"],
           [[d["document_id"], d["kind"], d["date"], d["status"], d["signed"],
             "\n".join(f"{f['path']} ({f['sha256']})" for f in d["files"]), d["in_pdf"]]
            for d in facts["documents"]])
    return _bytes(document)


def signed_page(facts: dict[str, Any]) -> bytes:
    document = _document("Signed copies received", "Each copy as the customer returned it, stored unchanged; "
                                                   "the zip holds the original bytes.")
    _table(document, ["Document", "Method", "Assurance", "Signer", "Signed at", "Received file (SHA-256)",
                      "Verification"],
           [[s["document_id"], s["method"], s["assurance"], s["signer"], s["signed_at"],
             f"{s['path']} ({s['sha256']})", s["verification"]] for s in facts["signed"]])
    return _bytes(document)


def qbr_page(facts: dict[str, Any]) -> bytes:
    document = _document("Quarterly business reviews", "Each review recorded in the register, with its attendees; "
                                                       "then every action item agreed.")
    _table(document, ["Held on", "Attendees", "Agenda"],
           [[m["held_on"], ", ".join(m["attendees"]), m["agenda"] or ""] for m in facts["meetings"]])
    document.add_heading("Action items", level=2)
    _table(document, ["Action", "Text", "Owner", "Due", "Raised", "Closed"],
           [[a["id"], a["text"], a["owner"] or "", a["due"] or "", a["raised_on"], a["closed_on"] or "open"]
            for a in facts["actions"]])
    return _bytes(document)


def evidence_page(facts: dict[str, Any]) -> bytes:
    document = _document("Delivery evidence", facts["delivery"])
    _table(document, ["Device", "Type", "Last seen", *facts["protections"]],
           [[d["device"], d["type"], d["last_seen"], *(d["protections"].get(p, "") or "unknown"
                                                       for p in facts["protections"])] for d in facts["devices"]])
    return _bytes(document)


def register_page(facts: dict[str, Any]) -> bytes:
    document = _document("Register entries", f"Every register entry about {facts['customer']}, in chain order, "
                                             "with its hash and the hash of the entry before it.")
    _table(document, ["Seq", "Recorded at", "Event", "Document", "Actor", "Entry hash", "Previous hash"],
           [[e["seq"], e["recorded_at"], e["event"], e["document_id"] or "", e["actor"], e["entry_hash"],
             e["prev_hash"]] for e in facts["entries"]])
    return _bytes(document)


def verification_page(facts: dict[str, Any]) -> bytes:
    check = facts["verification"]
    state = "verified" if check["ok"] else "BROKEN"
    document = _document("Register verification", f"mspdocs register verify: {state}; "
                                                  f"{counted(check['entries'], 'entry', 'entries')}; "
                                                  f"head hash {check['head']}.")
    _table(document, ["Problems"], [[str(p)] for p in check["problems"]])
    document.add_heading("Warnings", level=2)
    _table(document, ["Warnings"], [[str(w)] for w in check["warnings"]])
    return _bytes(document)


PAGES = [("cover", "Cover: lessons and contents", cover), ("documents", "Documents generated", documents_page),
         ("signed", "Signed copies received", signed_page), ("qbr", "Quarterly business reviews", qbr_page),
         ("evidence", "Delivery evidence", evidence_page), ("register", "Register entries", register_page),
         ("verification", "Register verification", verification_page)]
