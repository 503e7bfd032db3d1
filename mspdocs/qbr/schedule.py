"""When each customer's next QBR is due by its cadence, and which are overdue (`qbr list`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import MspdocsError, raise_all
from ..workspace.customers import Customer, customer_files
from ..workspace.fields import Fields, gathering
from ..workspace.folder import MAX_DAYS, Workspace, open_workspace
from ..workspace.yamlfile import read_yaml_keys
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
    return due_after(customer.data["agreement"]["effective"], customer.data["qbr"]["cadence_days"], history)


def due_after(effective: dt.date, cadence_days: int, history: History | None) -> tuple[dt.date | None, dt.date]:
    last = history.last.held_on if history and history.last else None
    return last, (last or effective) + dt.timedelta(days=cadence_days)


def qbr_schedule(*, workspace: str | Path | None = None, as_of: dt.date | None = None,
                 overdue_only: bool = False) -> list[Due]:
    """Every customer's last QBR and next due date, overdue first (most overdue first), then by due date."""
    space = open_workspace(workspace)
    found = read_histories(space)
    day = as_of or dt.date.today()
    rows = []
    for summary in schedule_records(space):
        history = found.get(summary["id"])
        last, due = due_after(summary["effective"], summary["cadence_days"], history)
        rows.append(Due(summary["id"], summary["legal_name"], summary["cadence_days"], last, due, day,
                        len(history.open_actions) if history else 0))
    rows.sort(key=lambda row: (not row.overdue, -row.overdue_days, row.next_due, row.customer))
    return [row for row in rows if row.overdue] if overdue_only else rows


def schedule_records(space: Workspace) -> list[dict[str, Any]]:
    """Id, legal name, effective date and cadence of every customer under an agreement, read from those
    fields alone (each checked, with its line): thousands of records are listed in a second.

    A record without an agreement (an imported stub) has no review schedule and is left out; `customers
    check` and `audit` read whole records.
    """
    records, errors, seen = [], [], set()
    default_cadence = space.profile.msp["qbr_cadence_days"]
    for path in customer_files(space):
        if path.stem in seen:
            continue  # a .yml beside a .yaml: load_customers reports it; the first one counts here
        seen.add(path.stem)
        try:
            summary = _summary(read_yaml_keys(path, _LISTED), path, default_cadence)
        except MspdocsError as exc:
            errors.append(exc)
            continue
        if summary is not None:
            records.append(summary)
    raise_all(errors)
    return records


_LISTED = {"id", "legal_name", "agreement", "qbr"}


def _summary(raw: Any, path: Path, default_cadence: int) -> dict[str, Any] | None:
    with gathering([]) as problems:
        top = Fields(raw, path, problems=problems)
        customer_id = top.text("id")
        if customer_id is not None and customer_id != path.stem:
            top.report("id", f"'{customer_id}' does not match the file name '{path.name}'")
        legal_name = top.text("legal_name")
        agreement = top.section("agreement", required=False)
        effective = agreement.date("effective") if agreement is not None else None
        qbr = top.section("qbr", required=False)
        cadence = qbr.integer("cadence_days", required=False, minimum=1, maximum=MAX_DAYS) if qbr else None
    if agreement is None:
        return None
    return {"id": customer_id, "legal_name": legal_name, "effective": effective,
            "cadence_days": cadence or default_cadence}
