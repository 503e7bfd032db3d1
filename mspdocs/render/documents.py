"""Document kinds: what each one is called, which template it uses and what its context adds."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..workspace.catalog import Catalog
from ..workspace.customers import SERVICE_LISTS, Customer
from ..workspace.folder import Workspace
from .environment import format_money, longdate, to_records
from .letters import insurance_notice_context, risk_letter_context
from .schedule import schedule_context

_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U to misread


@dataclass(frozen=True)
class DocumentKind:
    name: str
    title: str
    template: str
    id_prefix: str
    extra_context: Callable[[Customer, Catalog, Workspace, dt.date], dict[str, Any]]
    quotes_agreement: bool = False  # a letter that quotes the customer's agreement in force
    # Context names computed above this layer (from the register and evidence) and passed in as `facts`.
    provided: tuple[str, ...] = ()


def new_document_id(kind: DocumentKind) -> str:
    return f"{kind.id_prefix}-{''.join(secrets.choice(_ID_ALPHABET) for _ in range(8))}"


def service_context(customer: Customer, catalog: Catalog) -> dict[str, list[dict[str, Any]]]:
    """Each list of services, with this customer's price of each and the recorded facts of a declined one."""
    def entry(service_id: str) -> dict[str, Any]:
        values = catalog[service_id].to_context()
        if service_id in customer.prices:
            line = customer.prices[service_id]
            values.update(quantity=line["quantity"], unit_price=line["unit_price"], monthly=line["amount"])
        values.update(customer.declined.get(service_id, {}))
        return values

    services = {name: [entry(sid) for sid in customer.services[name]] for name in SERVICE_LISTS}
    classified = {sid for ids in customer.services.values() for sid in ids}
    services["unclassified"] = [s.to_context() for s in catalog.services.values() if s.id not in classified]
    return services


def base_context(workspace: Workspace, catalog: Catalog, customer: Customer, kind: DocumentKind,
                 document_id: str, as_of: dt.date, draft: bool,
                 agreement_in_force: dict[str, Any] | None = None,
                 related: dict[str, dict[str, Any]] | None = None,
                 facts: dict[str, Any] | None = None) -> dict[str, Any]:
    """The values every document of every kind may use, each wrapped so a missing one is named.

    `agreement_in_force` (id and date of issue) is the agreement a letter quotes, from the register.
    `related` names documents of the same customer that this one refers to, by kind (e.g. the business
    associate agreement an agreement relies on: `related.baa.id`, `related.baa.date`).
    `facts` are the kind's `provided` values, computed by the caller for this customer.
    """
    values = {
        "msp": workspace.profile.msp,
        "customer": customer.data,
        "services": service_context(customer, catalog),
        "insurer_controls": catalog.insurer_controls,
        # next_review: the review at which declined services are offered again, at the latest one
        # cadence after the date of the document.
        "document": {"id": document_id, "kind": kind.name, "title": kind.title, "date": as_of,
                     "draft": draft,
                     "next_review": as_of + dt.timedelta(days=customer.data["qbr"]["cadence_days"])},
        "related": related or {},
    }
    if kind.quotes_agreement:
        values["agreement_in_force"] = agreement_in_force
    values.update(kind.extra_context(customer, catalog, workspace, as_of))
    values.update(facts or {})
    return {name: to_records(value, name) for name, value in values.items()}


def _scope_note(list_name: str, service) -> str:
    """How a service's classification reads in the agreement's scope table."""
    if list_name == "subscribed":
        return service.description
    if list_name == "declined":
        return ("Recommended by Provider and declined by Customer. Risk kept by Customer: "
                f"{service.risk_if_declined} See the Risk Acceptance Letter.")
    note = f"Not provided under this Agreement. {service.description}"
    if service.security:
        note += f" Customer keeps the risk of going without it: {service.risk_if_declined}"
    return note


_STATUS = {"subscribed": "Included", "excluded": "Excluded", "declined": "Declined"}


def _agreement_context(customer: Customer, catalog: Catalog, workspace: Workspace,
                       as_of: dt.date) -> dict[str, Any]:
    rows = [{"service": catalog[service_id].name, "status": _STATUS[list_name],
             "notes": _scope_note(list_name, catalog[service_id])}
            for list_name in ("subscribed", "excluded", "declined") for service_id in customer.services[list_name]]
    terms = customer.data["agreement"]
    fees = [
        {"item": "Monthly service fee", "amount": format_money(terms["monthly_fee"], terms["currency"], cents=True)},
        {"item": "Effective date", "amount": longdate(terms["effective"])},
        {"item": "Initial term", "amount": f"{terms['term_months']} months"},
        {"item": "Renewal", "amount": f"{terms['renewal_months']}-month periods" if terms["renewal_months"]
         else "No automatic renewal"},
        {"item": "Payment terms", "amount": f"Net {terms['payment_terms_days']} days"},
    ]
    return {"scope_rows": rows, "fees_rows": fees, **schedule_context(customer, catalog, workspace, as_of)}


def _nothing_more(customer: Customer, catalog: Catalog, workspace: Workspace, as_of: dt.date) -> dict[str, Any]:
    return {}


# What a QBR agenda and packet are given, computed from the register and the evidence (mspdocs.qbr).
QBR_FACTS = ("attendees", "actions", "last_qbr", "qbr_due", "qbr_cadence", "next_qbr", "delivery", "declined",
             "insurance_status", "renewal", "scope_changes", "agreement_issued")
PACKET_FACTS = (*QBR_FACTS, "scope_rows", "policy_rows", "devices", "coverage", "history", "charts")

KINDS: dict[str, DocumentKind] = {
    "agreement": DocumentKind("agreement", "Master Services Agreement", "agreement.docx", "AGR",
                              _agreement_context),
    "risk-letter": DocumentKind("risk-letter", "Risk Acceptance Letter", "risk-letter.docx", "RAL",
                                risk_letter_context, quotes_agreement=True),
    "insurance-notice": DocumentKind("insurance-notice", "Cyber-Liability Insurance Notice",
                                     "insurance-notice.docx", "INS", insurance_notice_context,
                                     quotes_agreement=True),
    "qbr-agenda": DocumentKind("qbr-agenda", "Quarterly Business Review Agenda", "qbr-agenda.docx", "QBA",
                               _nothing_more, provided=QBR_FACTS),
    "qbr-packet": DocumentKind("qbr-packet", "Quarterly Business Review Packet", "qbr-packet.docx", "QBP",
                               _nothing_more, provided=PACKET_FACTS),
    "baa": DocumentKind("baa", "Business Associate Agreement", "baa.docx", "BAA", lambda *_: {}),
}

# Customers whose agreement needs a business associate agreement first (HIPAA covered entities).
BAA_INDUSTRIES = frozenset({"healthcare"})
