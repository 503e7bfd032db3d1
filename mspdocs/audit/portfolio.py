"""One audit run over a workspace: every named customer judged on the six lessons, from one read of everything."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..delivery.devices import MAX_BYTES, Device, parse_normalised
from ..delivery.store import latest_evidence
from ..evidence.register import Register
from ..library.approvals import load_approvals
from ..workspace.catalog import load_catalog
from ..workspace.customers import Customer, load_customers
from ..workspace.files import read_text_bounded
from ..workspace.folder import Workspace, open_workspace
from .facts import CustomerFacts, document_date, facts_by_customer
from .lessons import GAP, UNKNOWN, Check, agreement_check, declined_check, insurance_check, scope_check
from .ongoing import delivery_check, qbr_check


@dataclass
class CustomerAudit:
    """One customer's six checks, and its documents with their status and signed state (for the reports)."""

    customer: str
    legal_name: str
    checks: list[Check]
    documents: list[dict[str, Any]] = field(default_factory=list)

    @property
    def gaps(self) -> list[Check]:
        return [check for check in self.checks if check.status == GAP]

    @property
    def unknown(self) -> list[Check]:
        return [check for check in self.checks if check.status == UNKNOWN]

    def as_dict(self) -> dict[str, Any]:
        """The documented JSON shape: {"customer": ID, "checks": [{"lesson", "status", "reason", "action"}]}."""
        return {"customer": self.customer, "checks": [check.as_dict() for check in self.checks]}


def read_register(space: Workspace) -> list:
    """Every register entry in chain order (none when the workspace has no register yet)."""
    register = Register.existing(space.path("register"))
    if register is None:
        return []
    with register:
        return register.entries()


def evidence_from_file(path: Path) -> dict[str, tuple[dt.date, list[Device]]]:
    """Per customer, the devices of a normalised evidence CSV, dated by its latest check-in."""
    devices = parse_normalised(read_text_bounded(path, MAX_BYTES), path)
    grouped: dict[str, list[Device]] = {}
    for device in devices:
        grouped.setdefault(device.customer, []).append(device)
    return {customer: (max(d.last_seen for d in found), found) for customer, found in grouped.items()}


def documents_of(facts: CustomerFacts) -> list[dict[str, Any]]:
    """Every final document generated for the customer, its status and signed state."""
    rows = []
    for entry in facts.entries:
        if entry.event != "document.generated" or entry.payload.get("draft"):
            continue
        copies = facts.signed.get(entry.document_id, [])
        rows.append({"document_id": entry.document_id, "kind": entry.kind,
                     "date": document_date(entry).isoformat(),
                     "status": facts.statuses.get(entry.document_id, "superseded"),
                     "signed": [{"signer": c.payload.get("signer"), "assurance": c.payload.get("assurance"),
                                 "recorded_at": c.recorded_at} for c in copies]})
    return rows


def judge(customer: Customer, facts: CustomerFacts, context: dict[str, Any]) -> CustomerAudit:
    space, catalog, as_of = context["space"], context["catalog"], context["as_of"]
    msp = space.profile.msp
    checks = [
        agreement_check(customer, facts, context["versions"]),
        scope_check(customer, catalog, facts),
        declined_check(customer, catalog, facts),
        insurance_check(customer, catalog, facts, msp["min_insurance_limit"], msp["insurance_required"], as_of),
        delivery_check(customer, catalog, context["evidence"].get(customer.id), space.profile.delivery, as_of),
        qbr_check(customer, facts, as_of),
    ]
    return CustomerAudit(customer.id, customer.legal_name or customer.id, checks, documents_of(facts))


def run_audit(customer_ids: list[str] | None = None, *, workspace: str | Path | None = None,
          as_of: dt.date | None = None, evidence: str | Path | None = None) -> list[CustomerAudit]:
    """The six lessons for the named customers (all when None), in the order of their files.

    Customer records are read leniently (an imported stub without agreement or services is audited, and
    shows those gaps); anything else malformed is an error (exit 2), as is an unknown customer.
    """
    space = open_workspace(workspace)
    catalog = load_catalog(space.path("catalog"))
    customers = load_customers(space, catalog, customer_ids, partial=True)
    entries = read_register(space)
    approvals = load_approvals(space.path("clauses"))
    context = {
        "space": space, "catalog": catalog, "as_of": as_of or dt.date.today(),
        "versions": {cid: a.version for cid, a in approvals.items() if a.retired_on is None},
    }
    if evidence is not None:
        context["evidence"] = evidence_from_file(Path(evidence))
    else:
        register = Register.existing(space.path("register"))
        try:
            context["evidence"] = latest_evidence(space, register)
        finally:
            if register is not None:
                register.close()
    facts = facts_by_customer(entries)
    return [judge(c, facts.get(c.id) or CustomerFacts(c.id), context) for c in customers]
