"""When each customer's next QBR is due by its cadence, and which are overdue (`qbr list`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..workspace.catalog import load_catalog
from ..workspace.customers import Customer, load_customers
from ..workspace.folder import open_workspace
from .meetings import History, read_histories


@dataclass(frozen=True)
class Due:
    """One customer's QBR standing on a date."""

    customer: str
    legal_name: str
    cadence_days: int
    last_held: dt.date | None
    next_due: dt.date
    as_of: dt.date
    open_actions: int

    @property
    def overdue_days(self) -> int:
        return max(0, (self.as_of - self.next_due).days)

    @property
    def overdue(self) -> bool:
        return self.as_of > self.next_due

    def as_dict(self) -> dict[str, Any]:
        return {"customer": self.customer, "legal_name": self.legal_name, "cadence_days": self.cadence_days,
                "last_held": self.last_held.isoformat() if self.last_held else None,
                "next_due": self.next_due.isoformat(), "overdue": self.overdue,
                "overdue_days": self.overdue_days, "open_actions": self.open_actions}


def next_due(customer: Customer, history: History | None) -> tuple[dt.date | None, dt.date]:
    """The last QBR held and the date the next is due: cadence days after the last one, or after the
    agreement's effective date when none was held yet."""
    cadence = dt.timedelta(days=customer.data["qbr"]["cadence_days"])
    last = history.last.held_on if history and history.last else None
    return last, (last or customer.data["agreement"]["effective"]) + cadence


def standing(customer: Customer, history: History | None, as_of: dt.date) -> Due:
    last, due = next_due(customer, history)
    return Due(customer.id, customer.legal_name, customer.data["qbr"]["cadence_days"], last, due, as_of,
               len(history.open_actions) if history else 0)


def qbr_schedule(*, workspace: str | Path | None = None, as_of: dt.date | None = None,
                 overdue_only: bool = False) -> list[Due]:
    """Every customer's last QBR and next due date, overdue first (most overdue first), then by due date."""
    space = open_workspace(workspace)
    customers = load_customers(space, load_catalog(space.path("catalog")))
    found = read_histories(space)
    day = as_of or dt.date.today()
    rows = [standing(customer, found.get(customer.id), day) for customer in customers]
    rows.sort(key=lambda row: (not row.overdue, -row.overdue_days, row.next_due, row.customer))
    return [row for row in rows if row.overdue] if overdue_only else rows
