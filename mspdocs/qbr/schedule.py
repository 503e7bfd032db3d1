"""When each customer's next QBR is due by its cadence, and which are overdue (`qbr list`)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import MspdocsError, raise_all
from ..workspace.catalog import load_catalog
from ..workspace.customers import Customer, customer_files, read_customer
from ..workspace.files import read_bytes
from ..workspace.folder import PROFILE_NAME, Workspace, open_workspace
from ..workspace.writer import replace_atomically
from .meetings import History, read_histories

# What `qbr list` needs of each validated record, kept by the hash of the file, the catalog, the profile
# and the mspdocs version that validated it: a record is read and validated again whenever any changes.
CACHE_PATH = ".mspdocs-cache/schedule.json"


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
        effective = dt.date.fromisoformat(summary["effective"])
        last, due = due_after(effective, summary["cadence_days"], history)
        rows.append(Due(summary["id"], summary["legal_name"], summary["cadence_days"], last, due, day,
                        len(history.open_actions) if history else 0))
    rows.sort(key=lambda row: (not row.overdue, -row.overdue_days, row.next_due, row.customer))
    return [row for row in rows if row.overdue] if overdue_only else rows


def schedule_records(space: Workspace) -> list[dict[str, Any]]:
    """Id, legal name, effective date and cadence of every customer; each record validated completely
    unless the very same file was validated against the same catalog and profile before."""
    basis = hashlib.sha256(__version__.encode() + read_bytes(space.path("catalog"))
                           + read_bytes(space.root / PROFILE_NAME)).hexdigest()
    cache_file = space.root / CACHE_PATH
    cache = _read_cache(cache_file, basis)
    catalog = None
    records, errors, fresh = [], [], {}
    seen: set[str] = set()
    for path in customer_files(space):
        key = hashlib.sha256(read_bytes(path)).hexdigest()
        summary = cache.get(key)
        if summary is None or summary["id"] != path.stem or path.stem in seen:
            try:
                catalog = catalog or load_catalog(space.path("catalog"))
                customer = read_customer(path, space, catalog)
            except MspdocsError as exc:
                errors.append(exc)
                continue
            summary = {"id": customer.id, "legal_name": customer.legal_name,
                       "effective": customer.data["agreement"]["effective"].isoformat(),
                       "cadence_days": customer.data["qbr"]["cadence_days"]}
        if path.stem in seen:
            continue  # a .yml beside a .yaml: load_customers reports it; the first one counts here
        seen.add(path.stem)
        fresh[key] = summary
        records.append(summary)
    raise_all(errors)
    if fresh != cache:
        _write_cache(cache_file, basis, fresh)
    return records


def _read_cache(path: Path, basis: str) -> dict[str, dict[str, Any]]:
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(stored, dict) or stored.get("basis") != basis or not isinstance(stored.get("records"), dict):
        return {}
    return stored["records"]


def _write_cache(path: Path, basis: str, records: dict[str, dict[str, Any]]) -> None:
    try:
        path.parent.mkdir(exist_ok=True)
        replace_atomically(path, json.dumps({"basis": basis, "records": records}, sort_keys=True).encode())
    except OSError:
        pass  # a read-only workspace: list without remembering
