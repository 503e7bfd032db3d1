"""Delivery findings for the customers of a workspace, from the latest evidence of each."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..evidence.register import Register
from ..workspace.catalog import Catalog, load_catalog
from ..workspace.customers import Customer, load_customers
from ..workspace.folder import Workspace, open_workspace
from .findings import COUNT_OF_TYPE, Delivery, assess
from .store import latest_evidence


def contracted_counts(customer: Customer) -> dict[str, int]:
    """The device counts the customer's statement of work covers (none when the record states none)."""
    covered = customer.data.get("covered") or {}
    return {name: covered[name] for name in COUNT_OF_TYPE.values() if isinstance(covered.get(name), int)}


def assess_customers(space: Workspace, catalog: Catalog, customers: list[Customer], as_of: dt.date,
                     register: Register | None) -> dict[str, Delivery]:
    """Each customer's delivery findings (an empty Delivery when no evidence lists it)."""
    evidence = latest_evidence(space, register)
    settings = space.profile.delivery
    return {c.id: assess(c.id, c.services["subscribed"], catalog, evidence.get(c.id), as_of,
                         settings["stale_days"], settings["trueup_tolerance_percent"], contracted_counts(c))
            for c in customers}


def delivery_findings(customer_ids: list[str] | None = None, *, workspace: str | Path | None = None,
                      as_of: dt.date | None = None) -> list[Delivery]:
    """Delivery findings for the named customers (all when None), from the latest evidence of each."""
    space = open_workspace(workspace)
    catalog = load_catalog(space.path("catalog"))
    customers = load_customers(space, catalog, customer_ids, partial=True)  # a stub: no promise, counts only
    register = Register.existing(space.path("register"))
    try:
        found = assess_customers(space, catalog, customers, as_of or dt.date.today(), register)
    finally:
        if register is not None:
            register.close()
    return list(found.values())
