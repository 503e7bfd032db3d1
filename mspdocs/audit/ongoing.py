"""Lessons 5 and 6, about what happens after signing: delivery against the evidence, and QBRs held."""

from __future__ import annotations

import datetime as dt

from ..delivery.devices import Device
from ..delivery.findings import assess, protection_label
from ..delivery.report import contracted_counts
from ..qbr.schedule import next_due
from ..render.environment import counted
from ..workspace.catalog import Catalog
from ..workspace.customers import Customer
from .facts import CustomerFacts
from .lessons import EVIDENCE_MAX_AGE_DAYS, GAP, OK, UNKNOWN, Check

IMPORT = "mspdocs evidence import EXPORT.csv --mapping MAP.yaml"


def delivery_check(customer: Customer, catalog: Catalog, evidence: tuple[dt.date, list[Device]] | None,
                   settings: dict[str, int], as_of: dt.date) -> Check:
    """Lesson 5: every device has every protection its subscribed services promise; none stale; counts match."""
    if evidence is None:
        return Check(5, UNKNOWN, "no delivery evidence lists this customer", f"import an RMM export: {IMPORT}")
    age = (as_of - evidence[0]).days
    if age > EVIDENCE_MAX_AGE_DAYS:
        return Check(5, UNKNOWN, f"the latest evidence is of {evidence[0].isoformat()}, {counted(age, 'day')} old "
                                 f"(more than {EVIDENCE_MAX_AGE_DAYS})", f"import a current RMM export: {IMPORT}")
    found = assess(customer.id, customer.services["subscribed"], catalog, evidence, as_of,
                   settings["stale_days"], settings["trueup_tolerance_percent"], contracted_counts(customer))
    problems, actions = [], []
    if found.missing:
        by_device: dict[str, list[str]] = {}
        for item in found.missing:
            by_device.setdefault(item.device, []).append(protection_label(item.protection))
        problems.append(f"{len(by_device)} of {counted(len(found.devices), 'device')} "
                        f"{'lacks' if len(by_device) == 1 else 'lack'} promised protection: "
                        + ", ".join(f"{device} ({', '.join(what)})" for device, what in by_device.items()))
        actions.append("deploy the missing protection; then import fresh evidence")
    if found.stale:
        problems.append(f"{counted(len(found.stale), 'device')} not seen for more than "
                        f"{counted(settings['stale_days'], 'day')}: "
                        + ", ".join(f"{d.device} ({d.last_seen.isoformat()})" for d in found.stale))
        actions.append("bring the stale devices back under management or retire them in the RMM")
    if found.counts:
        problems.append("device counts differ from the statement of work: "
                        + ", ".join(f"{c.what} {c.found} found, {c.contracted} contracted" for c in found.counts))
        actions.append(f"true up covered: in {customer.path.parent.name}/{customer.path.name}; then "
                       f"mspdocs generate agreement {customer.id} --pdf and have it signed")
    if problems:
        return Check(5, GAP, "; ".join(problems), "; ".join(actions))
    promised = ", ".join(map(protection_label, found.promised)) or "no endpoint protection"
    return Check(5, OK, f"{counted(len(found.devices), 'device')} in evidence of {evidence[0].isoformat()}: every promised "
                        f"protection present ({promised})")


def qbr_check(customer: Customer, facts: CustomerFacts, as_of: dt.date) -> Check:
    """Lesson 6: a QBR within the cadence, recorded with attendees; no open action past its due date."""
    history = facts.history
    record = (f"mspdocs generate qbr-agenda {customer.id}; hold the review; then "
              f"mspdocs qbr record {customer.id} --held-on DATE --attendee NAME")
    cadence = customer.data["qbr"]["cadence_days"]
    last = history.last if history else None
    problems, actions = [], []
    if last is None:
        if customer.data.get("agreement") is None:
            return Check(6, GAP, "no QBR recorded", record)
        _, due = next_due(customer, history)
        if as_of > due:
            problems.append(f"no QBR recorded; the first was due on {due.isoformat()}")
            actions.append(record)
    else:
        due = last.held_on + dt.timedelta(days=cadence)
        if as_of > due:
            problems.append(f"the last QBR was on {last.held_on.isoformat()}; the next was due on "
                            f"{due.isoformat()} (every {counted(cadence, 'day')})")
            actions.append(record)
        if not last.attendees:
            problems.append(f"the QBR of {last.held_on.isoformat()} is recorded without attendees")
            actions.append(record)
    late = [a for a in (history.open_actions if history else []) if a.due is not None and a.due < as_of]
    if late:
        problems.append("open actions past due: " + ", ".join(f"{a.id} '{a.text}' (due {a.due.isoformat()})"
                                                              for a in late))
        actions.append("; ".join(f"mspdocs qbr close-action {customer.id} {a.id} once done" for a in late))
    if problems:
        return Check(6, GAP, "; ".join(problems), "; ".join(dict.fromkeys(actions)))
    if last is None:
        return Check(6, OK, f"no QBR due yet; the first is due on {due.isoformat()}")
    return Check(6, OK, f"last QBR on {last.held_on.isoformat()} with {counted(len(last.attendees), 'attendee')}; next due "
                        f"{due.isoformat()}")
