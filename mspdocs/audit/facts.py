"""What the register says about one customer: its documents, their status, their signed copies, its QBRs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..evidence.current import CURRENT, document_statuses
from ..evidence.register import DOCUMENT_GENERATED, DOCUMENT_SIGNED, Entry
from ..qbr.meetings import History, histories


@dataclass
class CustomerFacts:
    """One customer's register entries, read once, and what follows from them."""

    customer: str
    entries: list[Entry] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)  # document id -> current, draft, superseded
    signed: dict[str, list[Entry]] = field(default_factory=dict)  # document id -> its signed copies
    history: History | None = None

    def generated(self, kind: str) -> list[Entry]:
        """The final (not draft) documents of `kind`, oldest first."""
        return [e for e in self.entries if e.event == DOCUMENT_GENERATED and e.kind == kind
                and not e.payload.get("draft")]

    def current(self, kind: str) -> Entry | None:
        found = [e for e in self.generated(kind) if self.statuses.get(e.document_id) == CURRENT]
        return found[-1] if found else None

    def is_signed(self, entry: Entry) -> bool:
        return bool(self.signed.get(entry.document_id))


def document_date(entry: Entry) -> dt.date:
    """The date a document carries (its --as-of), else the day it was recorded."""
    text = entry.payload.get("as_of") or entry.recorded_at[:10]
    return dt.date.fromisoformat(text)


def facts_by_customer(entries: list[Entry]) -> dict[str, CustomerFacts]:
    """Every customer's facts from the whole register, in one pass (entries in chain order)."""
    grouped: dict[str, list[Entry]] = {}
    for entry in entries:
        if entry.customer is not None:
            grouped.setdefault(entry.customer, []).append(entry)
    found = {}
    for customer, own in grouped.items():
        facts = CustomerFacts(customer, own, document_statuses(own))
        for entry in own:
            if entry.event == DOCUMENT_SIGNED and entry.document_id:
                facts.signed.setdefault(entry.document_id, []).append(entry)
        facts.history = histories(own).get(customer)
        found[customer] = facts
    return found
