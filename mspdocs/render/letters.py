"""What the risk-acceptance letter and the insurance notice add to a document's context."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import Any

from ..errors import InputError, raise_all
from ..workspace.catalog import Catalog
from ..workspace.customers import Customer
from ..workspace.folder import Workspace
from ..workspace.pricing import unit_label
from .environment import format_money, longdate


def select_services(kind: str, customers: list[Customer], services: list[str] | None, named: bool,
                    on_skip: Callable[[str, str], None] | None = None) -> list[Customer]:
    """For a risk letter, each customer with only the declined services it covers; others unchanged.

    Named customers that declined nothing are an error; with --all they are skipped (reported to
    `on_skip` with the reason), as there is nothing for them to acknowledge.
    """
    if kind != "risk-letter":
        if services:
            raise InputError("--service applies to risk-letter only")
        return customers
    chosen, errors = [], []
    for customer in customers:
        declined = customer.services["declined"]
        if not declined:
            reason = "declined no services; there is nothing to acknowledge"
            if named:
                errors.append(InputError(f"{customer.id} {reason}", path=customer.path, field="services.declined"))
            elif on_skip:
                on_skip(customer.id, reason)
            continue
        if services:
            unknown = [sid for sid in dict.fromkeys(services) if sid not in declined]
            if unknown:
                errors.append(InputError(f"{customer.id} has not declined {', '.join(unknown)} "
                                         f"(declined: {', '.join(declined)})", path=customer.path,
                                         field="services.declined"))
                continue
            declined = tuple(sid for sid in declined if sid in services)
        lists = dict(customer.services, declined=declined)
        chosen.append(dataclasses.replace(customer, services=lists))
    raise_all(errors)
    return chosen


def undated_recommendations(customer: Customer, issued: dt.date) -> list[InputError]:
    """A letter dated `issued` cannot say a service was recommended on a later day."""
    return [InputError(f"{customer.id}: {service_id} is recorded as recommended on "
                       f"{longdate(customer.declined[service_id]['recommended_on'])}, after the letter's date "
                       f"{longdate(issued)}", path=customer.path, field="services.declined")
            for service_id in customer.services["declined"]
            if customer.declined[service_id]["recommended_on"] > issued]


def _controls(catalog: Catalog, service_id: str) -> list[str]:
    return [catalog.insurer_controls[control] for control in catalog[service_id].insurer_controls]


def risk_letter_context(customer: Customer, catalog: Catalog, workspace: Workspace,
                        as_of: dt.date) -> dict[str, Any]:
    """One row per declined service: when it was recommended, its price, the risk kept, and the
    customer's reason and compensating controls as recorded."""
    currency = customer.data["agreement"]["currency"]
    rows, insurer_rows = [], []
    for service_id in customer.services["declined"]:
        service = catalog[service_id]
        facts = customer.declined[service_id]
        rows.append({"service": service.name, "recommended_on": longdate(facts["recommended_on"]),
                     "price": _price_text(customer.prices[service_id], currency),
                     "risk": service.risk_if_declined,
                     "reason": facts.get("reason", "No reason given"),
                     "controls": facts.get("compensating_controls", "No compensating controls stated")})
        for control in _controls(catalog, service_id):
            insurer_rows.append({"service": service.name, "control": control})
    return {"declined_rows": rows, "insurer_rows": insurer_rows}


def _price_text(line: dict[str, Any], currency: str) -> str:
    """`$288.00 per month (32 workstations at $9.00)`."""
    monthly = format_money(line["amount"], currency, cents=True)
    if line["unit"] == "flat":
        return f"{monthly} per month"
    each = format_money(line["unit_price"], currency, cents=True)
    return f"{monthly} per month ({line['quantity']} {unit_label(line['unit'], line['quantity'])} at {each})"


def insurance_notice_context(customer: Customer, catalog: Catalog, workspace: Workspace,
                             as_of: dt.date) -> dict[str, Any]:
    """What is on file, what is missing (apart from expiry, which depends on the date) and which insurer
    controls the customer's subscribed services leave open."""
    msp = workspace.profile.msp
    minimum = msp["min_insurance_limit"]
    currency = customer.data["agreement"]["currency"]
    policy = customer.data.get("insurance")
    on_file, findings = [], []
    if policy is None:
        findings.append({"text": "No cyber-liability policy is on file."})
    else:
        on_file = [
            {"item": "Carrier", "value": policy["carrier"]},
            {"item": "Policy number", "value": policy["policy_number"]},
            {"item": "Limit", "value": format_money(policy["limit"], currency)},
            {"item": "Expires", "value": longdate(policy["expires"])},
            {"item": "Proof of cover", "value": "Received" if policy["proof_on_file"] else "Not received"},
        ]
        if policy["limit"] < minimum:
            findings.append({"text": f"The limit of {format_money(policy['limit'], currency)} is below the "
                                     f"minimum of {format_money(minimum, currency)}."})
        if not policy["proof_on_file"]:
            findings.append({"text": "No certificate of insurance or declarations page has been received."})
    return {"insurance_rows": on_file, "insurance_findings": findings,
            "control_rows": control_status(customer, catalog)}


def control_status(customer: Customer, catalog: Catalog) -> list[dict[str, str]]:
    """Every insurer-required control and where it stands: in place, declined, or not addressed."""
    rows = []
    for control, label in catalog.insurer_controls.items():
        providing = {name: [catalog[s].name for s in customer.services[name] if control in catalog[s].insurer_controls]
                     for name in ("subscribed", "declined")}
        if providing["subscribed"]:
            status, detail = "In place", f"Provided by {', '.join(providing['subscribed'])}"
        elif providing["declined"]:
            status = "Declined"
            detail = f"{', '.join(providing['declined'])} declined; see the Risk Acceptance Letter"
        else:
            offered = [s.name for s in catalog.services.values() if control in s.insurer_controls]
            status = "Not addressed"
            detail = f"Offered by us as {', '.join(offered)}" if offered else "Not a service we offer"
        rows.append({"control": label, "status": status, "detail": detail})
    return rows
