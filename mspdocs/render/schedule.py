"""Schedule A of an agreement: what is covered, what it costs, when and how fast, and the backup terms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..workspace.catalog import Catalog
from ..workspace.customers import Customer
from ..workspace.folder import Workspace
from ..workspace.pricing import unit_label
from ..workspace.support import merged_levels
from .deadlines import term_dates
from .environment import format_money

_COUNTS = (("workstations", "Managed workstations"), ("servers", "Managed servers"),
           ("network_devices", "Managed network devices"), ("users", "Users"))
_DEVICE_TYPES = {"workstation": "Workstation", "server": "Server", "network-device": "Network device"}
_BACKUP_ROWS = (("scope", "What is backed up"), ("frequency", "Frequency"), ("retention", "Retention"),
                ("offline_copy", "Offline or immutable copy"), ("restore_test", "Restore tests"),
                ("rpo", "Recovery point objective (data loss at most)"),
                ("rto", "Recovery time objective (restored within)"))


def schedule_context(customer: Customer, catalog: Catalog, workspace: Workspace, as_of: dt.date) -> dict[str, Any]:
    profile = workspace.profile
    currency = customer.data["agreement"]["currency"]
    return {
        "covered_rows": _covered_rows(customer.data["covered"]),
        "location_rows": [dict(location) for location in customer.data["covered"]["locations"]],
        "inventory_rows": [{"name": d["name"], "type": _DEVICE_TYPES[d["type"]], "location": d["location"]}
                           for d in customer.data["covered"].get("inventory", {}).get("devices", [])],
        "price_rows": _price_rows(customer, catalog, currency),
        "fees_total": format_money(customer.data["agreement"]["monthly_fee"], currency, cents=True),
        "support": dict(profile.support, channels="; ".join(profile.support["channels"])),
        "level_rows": _level_rows(profile.service_levels, customer.data["service_levels"]),
        "rate_rows": _rate_rows(profile.rates, profile.msp["currency"]),
        "backup_rows": _backup_rows(customer, catalog),
        "term_dates": term_dates(customer.data["agreement"], as_of),
    }


def _covered_rows(covered: dict[str, Any]) -> list[dict[str, str]]:
    where = " (listed in Exhibit A-1)" if "inventory" in covered else ""
    rows = [{"item": label, "quantity": f"{covered[key]}{where if key != 'users' else ''}"}
            for key, label in _COUNTS]
    rows.append({"item": "Covered locations", "quantity": str(len(covered["locations"]))})
    return rows


def _price_rows(customer: Customer, catalog: Catalog, currency: str) -> list[dict[str, str]]:
    rows = []
    for service_id in customer.services["subscribed"]:
        line = customer.prices[service_id]
        rows.append({
            "service": catalog[service_id].name,
            "unit": "flat" if line["unit"] == "flat" else f"per {unit_label(line['unit'])}",
            "quantity": str(line["quantity"]),
            "unit_price": format_money(line["unit_price"], currency, cents=True),
            "amount": format_money(line["amount"], currency, cents=True),
        })
    return rows


def _level_rows(profile: dict[str, dict[str, str]], overrides: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    # `update` would name a mapping's own method in a template: the row calls it `updates`.
    return [{("updates" if key == "update" else key): value for key, value in level.items()}
            for level in merged_levels(profile, overrides)]


def _rate_rows(rates: dict[str, Any], currency: str) -> list[dict[str, str]]:
    def hourly(key: str) -> str:
        return f"{format_money(rates[key], currency, cents=True)} per hour"

    return [
        {"item": "Business hours (during the support hours)", "rate": hourly("business_hours")},
        {"item": "After hours (outside the support hours)", "rate": hourly("after_hours")},
        {"item": "Emergency (P1 work outside a subscribed Service)", "rate": hourly("emergency")},
        {"item": "Minimum increment billed", "rate": f"{rates['minimum_minutes']} minutes"},
    ]


def _backup_rows(customer: Customer, catalog: Catalog) -> list[dict[str, str]]:
    """The backup commitments of each subscribed backup service, the customer's overrides in place."""
    rows = []
    for service_id in customer.services["subscribed"]:
        terms = catalog[service_id].backup
        if not terms:
            continue
        terms = {**terms, **customer.data["backup"]}
        rows += [{"item": label, "value": terms[key]} for key, label in _BACKUP_ROWS]
    return rows
