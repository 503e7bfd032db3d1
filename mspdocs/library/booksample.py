"""Each clause of the clause book rendered for a sample customer, as that customer's document would say it."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..evidence.current import standing_documents
from ..render import wordml
from ..render.assemble import PlacedClause, condition_holds, make_ref, plan, render_body
from ..render.documents import BAA_INDUSTRIES, KINDS, DocumentKind, base_context
from ..render.letters import select_services
from ..render.limits import bounded
from ..workspace.catalog import Catalog
from ..workspace.clauses import Clause, Library
from ..workspace.customers import Customer
from ..workspace.folder import Workspace


@dataclass(frozen=True)
class Rendering:
    """What the book shows under "As rendered": the clause's paragraphs for a customer, or why there are none."""

    customer: Customer | None
    kind: DocumentKind | None
    xml: str = ""  # the clause's paragraphs, exactly as the document assembles them
    text: str = ""  # the same, as plain text
    section: str | None = None  # its section number in a numbered document
    note: str | None = None  # why it is not rendered, in plain words


@dataclass(frozen=True)
class _Document:
    """One sample customer's document of one kind: its context and its clauses, chosen and numbered."""

    customer: Customer
    kind: DocumentKind
    context: dict[str, Any]
    placed: list[PlacedClause]
    ref: Callable[[str], str]
    quoted: dict[str, tuple[str, str]] | None
    agreement_in_force: str | None


def record_sha256(customer: Customer) -> str:
    """The SHA-256 of the customer's record file as it is on disk."""
    return hashlib.sha256(customer.path.read_bytes()).hexdigest()


class Samples:
    """Chooses each clause's sample customer and renders the clause in that customer's document.

    The sample is `customers[0]` when the user named one, else the first customer in id order that
    receives a document of a kind the clause belongs to (the agreement, when the clause is part of it).
    Every clause text, approved or not, runs in the one sandboxed environment, within the profile's limits.
    """

    def __init__(self, workspace: Workspace, library: Library, catalog: Catalog, customers: list[Customer],
                 document_id: str, as_of: dt.date, named: bool) -> None:
        self.workspace, self.library, self.catalog = workspace, library, catalog
        self.customers = sorted(customers, key=lambda customer: customer.id)
        self.document_id, self.as_of, self.named = document_id, as_of, named
        self._documents: dict[tuple[str, str], _Document] = {}

    def render_all(self, clauses: list[Clause]) -> dict[str, Rendering]:
        """Every clause's rendering, by id; the first failure (naming its clause) stops the book."""
        limits = self.workspace.profile.limits
        with bounded(limits["render_seconds"], limits["render_memory_mb"], "rendering the clause book's samples"):
            return {clause.id: self.render(clause) for clause in clauses}

    def used(self) -> list[dict[str, Any]]:
        """The sample documents rendered: customer, kind, the record's hash and the agreement quoted."""
        return [{"customer": doc.customer.id, "kind": doc.kind.name, "record_sha256": record_sha256(doc.customer),
                 "agreement_in_force": doc.agreement_in_force}
                for doc in sorted(self._documents.values(), key=lambda d: (d.customer.id, d.kind.name))]

    def render(self, clause: Clause) -> Rendering:
        if clause.status == "retired":
            return Rendering(None, None, note="Retired: no document carries it, so it is not rendered.")
        kinds = [KINDS[name] for name in clause.documents if name in KINDS]
        if not kinds:
            return Rendering(None, None, note=f"Not rendered: none of its documents ({', '.join(clause.documents)}) "
                                              "is one mspdocs generates.")
        chosen = self._sample(kinds)
        if isinstance(chosen, str):
            return Rendering(None, None, note=chosen)
        document = self._document(*chosen)
        return self._render_in(clause, document)

    def _sample(self, kinds: list[DocumentKind]) -> tuple[Customer, DocumentKind] | str:
        """The first customer (and kind) that receives a document the clause belongs to, or why none does."""
        if not self.customers:
            return "Not rendered: the workspace has no customers."
        reasons: list[str] = []
        for customer in self.customers:
            for kind in kinds:
                if kind.name == "baa" and customer.data["industry"] not in BAA_INDUSTRIES:
                    reasons.append(f"industry is {customer.data['industry']}, not one that needs a "
                                   "business associate agreement")
                    continue
                receiving = select_services(kind.name, [customer], None, named=False,
                                            on_skip=lambda _, reason: reasons.append(reason))
                if receiving:
                    return receiving[0], kind
        names = " or ".join(kind.title for kind in kinds)
        if self.named:
            why = f" ({reasons[0]})" if reasons else ""
            return f"Not rendered: {self.customers[0].legal_name} receives no {names}{why}."
        return f"Not rendered: no customer of the workspace receives a {names}."

    def _document(self, customer: Customer, kind: DocumentKind) -> _Document:
        key = (customer.id, kind.name)
        if key not in self._documents:
            self._documents[key] = self._make_document(customer, kind)
        return self._documents[key]

    def _make_document(self, customer: Customer, kind: DocumentKind) -> _Document:
        cited, quoted, in_force = None, None, None
        if kind.quotes_agreement:
            entry = standing_documents(self.workspace.path("register"), "agreement", draft=False).get(customer.id)
            if entry is not None:
                in_force = entry.document_id
                cited = {"id": entry.document_id, "date": dt.date.fromisoformat(entry.payload["as_of"])}
                quoted = {c["id"]: (c["sha256"], c["section"]) for c in entry.payload["clauses"]}
            else:  # none issued yet: the sections of the agreement as it would be issued today
                agreement = self._document(customer, KINDS["agreement"])
                quoted = {p.clause.id: (p.clause.text_hash, p.number) for p in agreement.placed}
        baa = standing_documents(self.workspace.path("register"), "baa", draft=False).get(customer.id)
        related = {"baa": {"id": baa.document_id, "date": dt.date.fromisoformat(baa.payload["as_of"])}} \
            if baa is not None else None
        context = base_context(self.workspace, self.catalog, customer, kind, self.document_id, self.as_of, False,
                               agreement_in_force=cited, related=related, facts=self._review_facts(customer, kind))
        placed = plan(self.library, kind.name, context, quoted)
        return _Document(customer, kind, context, placed, make_ref(placed, quoted), quoted, in_force)

    def _review_facts(self, customer: Customer, kind: DocumentKind) -> dict | None:
        """The one computed fact a review's clauses use: the agreement issued to the customer, if any."""
        if "agreement_issued" not in kind.provided:
            return None
        entry = standing_documents(self.workspace.path("register"), "agreement", draft=False).get(customer.id)
        return {"agreement_issued": None if entry is None else
                {"id": entry.document_id, "date": dt.date.fromisoformat(entry.payload["as_of"])}}

    def _render_in(self, clause: Clause, document: _Document) -> Rendering:
        name, title = document.customer.legal_name, document.kind.title
        for item in document.placed:
            if item.clause.id == clause.id:
                blocks = wordml.parse_blocks(render_body(clause, dict(document.context, ref=document.ref)))
                section = item.number if document.kind.name == "agreement" else None
                return Rendering(document.customer, document.kind, wordml.blocks_xml(blocks),
                                 wordml.plain_text(blocks), section)
        placed = {item.clause.id for item in document.placed}
        standing_in = next((alt for alt in clause.alternates if alt in placed), None)
        if standing_in:
            note = f"For {name}, the alternate {standing_in} stands in its place in the {title}."
        elif clause.condition and not condition_holds(clause, document.context):
            note = (f"Its condition ({clause.condition}) does not hold for {name}, so the {title} for {name} "
                    "does not carry it.")
        elif document.quoted is not None and document.quoted.get(clause.id, ("",))[0] != clause.text_hash:
            note = f"The agreement in force for {name} does not carry this text, so the {title} does not quote it."
        else:
            note = f"The {title} for {name} does not carry it."
        return Rendering(document.customer, document.kind, note=note)
