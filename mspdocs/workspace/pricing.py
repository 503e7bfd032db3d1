"""What a customer pays: per service, the quantity covered times the unit price, and the monthly total."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .catalog import Catalog

# How many units of each pricing unit a customer's `covered` counts.
_QUANTITY = {
    "workstation": lambda covered: covered["workstations"],
    "server": lambda covered: covered["servers"],
    "user": lambda covered: covered["users"],
    "location": lambda covered: len(covered["locations"]),
    "flat": lambda covered: 1,
}
UNIT_LABELS = {"workstation": ("workstation", "workstations"), "server": ("server", "servers"),
               "user": ("user", "users"), "location": ("location", "locations"), "flat": ("flat fee", "flat fee")}


def price_line(catalog: Catalog, service_id: str, covered: dict[str, Any],
               prices: dict[str, Decimal]) -> dict[str, Any]:
    """One service's monthly price for this customer: quantity x unit price = amount (exact, never rounded)."""
    service = catalog[service_id]
    quantity = _QUANTITY[service.unit](covered)
    unit_price = prices.get(service_id, service.list_price)
    return {"service": service_id, "unit": service.unit, "quantity": quantity, "unit_price": unit_price,
            "amount": unit_price * quantity, "list_price": service.list_price,
            "overridden": service_id in prices}


def unit_label(unit: str, quantity: int = 1) -> str:
    """`workstation`, `3 workstations`, `flat fee`."""
    singular, plural = UNIT_LABELS[unit]
    return singular if quantity == 1 else plural


def monthly_total(lines: list[dict[str, Any]]) -> Decimal:
    return sum((line["amount"] for line in lines), Decimal(0))
