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

_ID_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U to misread


@dataclass(frozen=True)
class DocumentKind:
    name: str
    title: str
    template: str
    id_prefix: str
    extra_context: Callable[[Customer, Catalog, Workspace], dict[str, Any]]


def new_document_id(kind: DocumentKind) -> str:
    return f"{kind.id_prefix}-{''.join(secrets.choice(_ID_ALPHABET) for _ in range(8))}"


def service_context(customer: Customer, catalog: Catalog) -> dict[str, list[dict[str, Any]]]:
    services = {name: [catalog[sid].to_context() for sid in customer.services[name]] for name in SERVICE_LISTS}
    classified = {sid for ids in customer.services.values() for sid in ids}
    services["unclassified"] = [s.to_context() for s in catalog.services.values() if s.id not in classified]
    return services


def base_context(workspace: Workspace, catalog: Catalog, customer: Customer, kind: DocumentKind,
                 document_id: str, as_of: dt.date, draft: bool,
                 related: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The values every document of every kind may use, each wrapped so a missing one is named.

    `related` names documents of the same customer that this one refers to, by kind (e.g. the business
    associate agreement an agreement relies on: `related.baa.id`, `related.baa.date`).
    """
    values = {
        "msp": workspace.profile.msp,
        "customer": customer.data,
        "services": service_context(customer, catalog),
        "insurer_controls": catalog.insurer_controls,
        "document": {"id": document_id, "kind": kind.name, "title": kind.title, "date": as_of,
                     "draft": draft},
        "related": related or {},
    }
    values.update(kind.extra_context(customer, catalog, workspace))
    return {name: to_records(value, name) for name, value in values.items()}


# How each classification reads in the agreement's scope table.
_SCOPE_ROWS = (
    ("subscribed", "Included", lambda service: service.description),
    ("excluded", "Excluded", lambda service: f"Not provided under this Agreement. {service.description}"),
    ("declined", "Declined", lambda service: "Recommended by Provider and declined by Customer. Risk kept by "
                                             f"Customer: {service.risk_if_declined} See the Risk Acceptance Letter."),
)


def _agreement_context(customer: Customer, catalog: Catalog, workspace: Workspace) -> dict[str, Any]:
    rows = [{"service": catalog[service_id].name, "status": status, "notes": notes(catalog[service_id])}
            for list_name, status, notes in _SCOPE_ROWS for service_id in customer.services[list_name]]
    terms = customer.data["agreement"]
    fees = [
        {"item": "Monthly service fee", "amount": format_money(terms["monthly_fee"], terms["currency"])},
        {"item": "Effective date", "amount": longdate(terms["effective"])},
        {"item": "Initial term", "amount": f"{terms['term_months']} months"},
        {"item": "Renewal", "amount": f"{terms['renewal_months']}-month periods" if terms["renewal_months"]
         else "No automatic renewal"},
        {"item": "Payment terms", "amount": f"Net {terms['payment_terms_days']} days"},
    ]
    return {"scope_rows": rows, "fees_rows": fees}


KINDS: dict[str, DocumentKind] = {
    "agreement": DocumentKind("agreement", "Master Services Agreement", "agreement.docx", "AGR",
                              _agreement_context),
    "risk-letter": DocumentKind("risk-letter", "Risk Acceptance Letter", "risk-letter.docx", "RAL",
                                risk_letter_context),
    "insurance-notice": DocumentKind("insurance-notice", "Cyber-Liability Insurance Notice",
                                     "insurance-notice.docx", "INS", insurance_notice_context),
    "baa": DocumentKind("baa", "Business Associate Agreement", "baa.docx", "BAA", lambda *_: {}),
}

# Customers whose agreement needs a business associate agreement first (HIPAA covered entities).
BAA_INDUSTRIES = frozenset({"healthcare"})
