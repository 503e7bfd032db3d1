"""What a QBR agenda says for one customer, computed from the record, the register and the evidence."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from ..evidence.current import standing_documents
from ..evidence.register import DOCUMENT_GENERATED, DOCUMENT_SIGNED, Register
from ..delivery.findings import Delivery, protection_label
from ..delivery.report import assess_customers
from ..render.environment import counted, format_money, longdate
from ..workspace.catalog import Catalog
from ..workspace.customers import Customer
from ..workspace.folder import Workspace
from .meetings import History, histories
from .schedule import next_due

EXPIRY_WARNING_DAYS = 90
RENEWAL_WINDOW_DAYS = 183  # two quarters


def agenda_facts(space: Workspace, catalog: Catalog, customers: list[Customer], as_of: dt.date
                 ) -> dict[str, dict[str, Any]]:
    """Per customer, the agenda's computed sections (every value a finished phrase or a date)."""
    register = Register.existing(space.path("register"))
    try:
        entries = register.entries() if register is not None else []
        deliveries = assess_customers(space, catalog, customers, as_of, register)
    finally:
        if register is not None:
            register.close()
    found = histories(entries)
    accepted = signed_acceptances(entries)
    issued = standing_documents(space.path("register"), "agreement", draft=False)
    facts = {c.id: customer_facts(space, catalog, c, as_of, found.get(c.id, History(c.id)), deliveries[c.id],
                                  accepted.get(c.id, set())) for c in customers}
    for customer_id, values in facts.items():
        values["agreement_issued"] = agreement_issued(issued.get(customer_id))
    return facts


def agreement_issued(entry) -> dict[str, Any] | None:
    """The customer's latest agreement issued for signature (id and date), or None: the review's purpose
    says it is held under an agreement only when there is one."""
    if entry is None:
        return None
    return {"id": entry.document_id, "date": dt.date.fromisoformat(entry.payload["as_of"])}


def customer_facts(space: Workspace, catalog: Catalog, customer: Customer, as_of: dt.date, history: History,
                   delivery: Delivery, accepted: set[str]) -> dict[str, Any]:
    last, due = next_due(customer, history)
    cadence = customer.data["qbr"]["cadence_days"]
    return {
        "attendees": attendees(customer),
        "actions": [action_row(action, as_of) for action in history.open_actions],
        "last_qbr": last,
        "qbr_due": due,
        "qbr_cadence": cadence,
        "next_qbr": max(due, as_of) + dt.timedelta(days=cadence),
        "delivery": delivery_facts(delivery),
        "declined": declined_rows(customer, catalog, accepted),
        "insurance_status": insurance_status(customer, catalog, space.profile.msp, as_of),
        "renewal": renewal(customer, as_of),
        "scope_changes": [{"text": f"{c.what.replace('_', ' ').capitalize()}: the statement of work covers "
                                   f"{c.contracted}, the evidence shows {c.found}."} for c in delivery.counts],
    }


def attendees(customer: Customer) -> list[dict[str, str]]:
    """The customer's signatory and contacts, and the MSP's account manager, as recorded."""
    signatory = customer.data["signatory"]
    rows = [{"name": signatory["name"], "role": signatory["title"], "side": customer.legal_name}]
    rows += [{"name": c["name"], "role": c["title"], "side": customer.legal_name}
             for c in customer.data.get("contacts", [])]
    if customer.data.get("account_manager"):
        rows.append({"name": customer.data["account_manager"], "role": "Account manager", "side": "msp"})
    return rows


def action_row(action, as_of: dt.date) -> dict[str, Any]:
    due = longdate(action.due) if action.due else "not set"
    if action.due and action.due < as_of:
        due += " (overdue)"
    return {"id": action.id, "text": action.text, "owner": action.owner or "not named", "due": due,
            "raised_on": action.raised_on}


def delivery_facts(delivery: Delivery) -> dict[str, Any]:
    if delivery.evidence_date is None:
        return {"present": False}
    return {
        "present": True,
        "date": delivery.evidence_date,
        "devices": len(delivery.devices),
        "devices_text": counted(len(delivery.devices), "device"),
        "findings": [{"text": f"{m.device}: no {protection_label(m.protection)} (promised by {', '.join(m.services)})"}
                     for m in delivery.missing]
        + [{"text": f"{d.device}: not seen since {longdate(d.last_seen)}"} for d in delivery.stale],
        "unknown": len(delivery.unknown),
        "unknown_text": (f"{counted(len(delivery.unknown), 'device protection')} "
                         f"{'is' if len(delivery.unknown) == 1 else 'are'} not reported"),
    }


def signed_acceptances(entries) -> dict[str, set[str]]:
    """Per customer, the declined services named by a risk letter whose signed copy is recorded."""
    letters = {e.document_id: e for e in entries
               if e.event == DOCUMENT_GENERATED and e.kind == "risk-letter" and not e.payload.get("draft")}
    accepted: dict[str, set[str]] = {}
    for entry in entries:
        letter = letters.get(entry.document_id) if entry.event == DOCUMENT_SIGNED else None
        if letter is not None:
            # Letters recorded before they named their services cannot show which they covered.
            accepted.setdefault(letter.customer, set()).update(letter.payload.get("declined", []))
    return accepted


def declined_rows(customer: Customer, catalog: Catalog, accepted: set[str]) -> list[dict[str, Any]]:
    rows = []
    for service_id in customer.services["declined"]:
        service = catalog[service_id]
        declined_on = declined_date(customer, service_id)
        rows.append({
            "service": service.name,
            "risk": service.risk_if_declined,
            "declined_on": longdate(declined_on),
            "acceptance": "Signed acceptance on file" if service_id in accepted else "No signed acceptance on file",
            "offer": f"{service.name} can be added at this review.",
        })
    return rows


def declined_date(customer: Customer, service_id: str) -> dt.date:
    """When the service was recommended and declined, as the record states it for that service."""
    return customer.declined[service_id]["recommended_on"]


def insurance_status(customer: Customer, catalog: Catalog, msp: dict[str, Any], as_of: dt.date) -> list[dict]:
    """Each insurance problem on the agenda's date, or one line saying the cover on file is in order."""
    policy = customer.data.get("insurance")
    currency = customer.data["agreement"]["currency"]
    lines = []
    if policy is None:
        lines.append("No cyber-liability policy is on file.")
    else:
        if policy["expires"] < as_of:
            lines.append(f"The policy with {policy['carrier']} expired on {longdate(policy['expires'])}.")
        elif (policy["expires"] - as_of).days <= EXPIRY_WARNING_DAYS:
            lines.append(f"The policy with {policy['carrier']} expires on {longdate(policy['expires'])}, within "
                         f"{EXPIRY_WARNING_DAYS} days.")
        if policy["limit"] < msp["min_insurance_limit"]:
            lines.append(f"The limit of {format_money(policy['limit'], currency)} is below the minimum of "
                         f"{format_money(msp['min_insurance_limit'], currency)}.")
        if not policy["proof_on_file"]:
            lines.append("No proof of cover (certificate or declarations page) has been received.")
    covered = {c for sid in customer.services["subscribed"] for c in catalog[sid].insurer_controls}
    declined = {c for sid in customer.services["declined"] for c in catalog[sid].insurer_controls}
    open_controls = [label for control, label in catalog.insurer_controls.items()
                     if control not in covered and control not in declined]
    if open_controls:
        lines.append("Insurer-required controls neither in place nor declined in writing: "
                     + "; ".join(open_controls) + ".")
    if not lines:
        lines.append(f"The policy with {policy['carrier']} is current to {longdate(policy['expires'])}, meets "
                     "the minimum limit, and proof of cover is on file.")
    return [{"text": line} for line in lines]


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def renewal(customer: Customer, as_of: dt.date) -> dict[str, Any] | None:
    """The end of the current term when it falls within two quarters of the agenda's date."""
    terms = customer.data["agreement"]
    start = add_months(terms["effective"], terms["term_months"])  # the day after the initial term
    while start <= as_of and terms["renewal_months"]:
        start = add_months(start, terms["renewal_months"])
    end = start - dt.timedelta(days=1)
    if end < as_of or (end - as_of).days > RENEWAL_WINDOW_DAYS:
        return None
    notice = end - dt.timedelta(days=terms["notice_days"])
    text = (f"The current term ends on {longdate(end)}. " + (
        f"It renews for {terms['renewal_months']} months unless either party gives notice by {longdate(notice)}."
        if terms["renewal_months"] else "It does not renew automatically: agree a new term before it ends."))
    return {"end": end, "text": text}
