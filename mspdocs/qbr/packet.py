"""The QBR packet: the agenda's facts plus scope, risk register, devices and charts; bookmarks in its PDF."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from ..delivery.findings import CHECKED_TYPES, protection_label
from ..delivery.report import assess_customers
from ..evidence.register import Register
from ..render.environment import counted, format_money, longdate
from ..workspace.catalog import Catalog
from ..workspace.customers import Customer
from ..workspace.folder import Workspace
from .meetings import History, read_histories

# The packet's sections, in order: each a Heading 1 in the template and a bookmark in the PDF.
SECTIONS = ("Agenda", "Scope and responsibilities", "Risk register", "Insurance status", "Delivery findings",
            "Device table", "Review history", "Terms that apply")
CHART_CAPTIONS = {"coverage": "Figure 1. Protection coverage: devices with, without, and not reporting each "
                              "protection the subscribed services promise.",
                  "history": "Figure 2. Reviews held against the dates they were due by the cadence."}
_RESPONSIBILITY = {
    "subscribed": ("Provided", "{msp} delivers it under the agreement."),
    "excluded": ("Not in scope", "Not provided by {msp}; the customer arranges it if needed."),
    "declined": ("Declined", "Recommended by {msp} and declined; the customer keeps the risk."),
}


def packet_facts(space: Workspace, catalog: Catalog, customers: list[Customer], as_of: dt.date,
                 agenda: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per customer, the agenda's facts and what the packet adds."""
    register = Register.existing(space.path("register"))
    try:
        deliveries = assess_customers(space, catalog, customers, as_of, register)
    finally:
        if register is not None:
            register.close()
    found = read_histories(space)
    msp = space.profile.msp["name"]
    facts = {}
    for customer in customers:
        delivery = deliveries[customer.id]
        history = found.get(customer.id, History(customer.id))
        promised = list(delivery.promised)
        facts[customer.id] = dict(
            agenda[customer.id],
            scope_rows=[{"service": catalog[sid].name, "status": status, "who": who.format(msp=msp)}
                        for list_name, (status, who) in _RESPONSIBILITY.items()
                        for sid in customer.services[list_name]],
            policy_rows=policy_rows(customer),
            devices=[device_row(device, promised) for device in delivery.devices],
            coverage=delivery.coverage(),
            history=history_rows(customer, history, as_of),
            charts={"coverage": CHART_CAPTIONS["coverage"], "history": CHART_CAPTIONS["history"]},
        )
    return facts


def policy_rows(customer: Customer) -> list[dict[str, str]]:
    policy = customer.data.get("insurance")
    if policy is None:
        return []
    currency = customer.data["agreement"]["currency"]
    return [{"item": "Carrier", "value": policy["carrier"]},
            {"item": "Policy number", "value": policy["policy_number"]},
            {"item": "Limit", "value": format_money(policy["limit"], currency)},
            {"item": "Expires", "value": longdate(policy["expires"])},
            {"item": "Proof of cover", "value": "Received" if policy["proof_on_file"] else "Not received"}]


def device_row(device, promised: list[str]) -> dict[str, str]:
    if device.type not in CHECKED_TYPES:
        return {"device": device.device, "type": device.type, "last_seen": longdate(device.last_seen),
                "missing": "not checked", "unknown": "not checked"}
    values = {name: device.protections.get(name, "") for name in promised}
    return {"device": device.device, "type": device.type or "not reported", "last_seen": longdate(device.last_seen),
            "missing": ", ".join(protection_label(n) for n, v in values.items() if v == "no") or "none",
            "unknown": ", ".join(protection_label(n) for n, v in values.items() if v == "") or "none"}


def history_rows(customer: Customer, history: History, as_of: dt.date) -> list[dict[str, Any]]:
    """Each review held and the date it was due by (cadence days after the one before, or the agreement)."""
    cadence = dt.timedelta(days=customer.data["qbr"]["cadence_days"])
    previous, rows = customer.data["agreement"]["effective"], []
    for meeting in sorted(history.meetings, key=lambda m: (m.held_on, m.seq)):
        due = previous + cadence
        rows.append({"held_on": meeting.held_on, "due": due, "attendees": ", ".join(meeting.attendees),
                     "on_time": "on time" if meeting.held_on <= due else f"{counted((meeting.held_on - due).days, 'day')} late"})
        previous = meeting.held_on
    return rows


def draw_charts(facts: dict[str, Any], effective: dt.date, cadence_days: int, as_of: dt.date) -> dict[str, bytes]:
    """The two charts of one packet, by the caption key they stand above."""
    from .charts import coverage_chart, history_chart

    held = [row["held_on"] for row in facts["history"]]
    due = [row["due"] for row in facts["history"]]
    due.append((held[-1] if held else effective) + dt.timedelta(days=cadence_days))
    return {"coverage": coverage_chart(facts["coverage"]), "history": history_chart(held, due, as_of)}


def add_charts(data: bytes, images: dict[str, bytes]) -> bytes:
    """The rendered packet with each chart placed above its caption paragraph."""
    from docx import Document
    from docx.shared import Inches

    document = Document(io.BytesIO(data))
    placed = set()
    for paragraph in document.paragraphs:
        for key, caption in CHART_CAPTIONS.items():
            if paragraph.text.strip() == caption and key not in placed:
                picture = paragraph.insert_paragraph_before()
                picture.paragraph_format.keep_with_next = True
                picture.add_run().add_picture(io.BytesIO(images[key]), width=Inches(6.5))
                placed.add(key)
    missing = set(CHART_CAPTIONS) - placed
    if missing:
        from ..errors import RenderError

        raise RenderError(f"the packet template has no place for the chart(s): {', '.join(sorted(missing))}")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def add_bookmarks(data: bytes, source: Any) -> bytes:
    """The packet PDF with one bookmark per section, at the page LibreOffice's own outline gives for its
    heading (no text is extracted); a section without one stops the packet."""
    from pypdf import PdfReader, PdfWriter

    from ..errors import RenderError

    reader = PdfReader(io.BytesIO(data))
    page_of: dict[str, int] = {}
    for item in reader.outline:  # the top level: Heading 1 paragraphs
        if not isinstance(item, list) and item.title in SECTIONS and item.title not in page_of:
            page_of[item.title] = reader.get_destination_page_number(item)
    missing = [title for title in SECTIONS if title not in page_of]
    if missing:
        raise RenderError(f"{source.document_id}: the PDF has no heading for {', '.join(missing)}; "
                          "no bookmark can point to it")
    writer = PdfWriter(clone_from=reader)
    writer._root_object.pop("/Outlines", None)  # LibreOffice's outline also lists the clause headings
    for title in SECTIONS:
        writer.add_outline_item(title=title, page_number=page_of[title])
    writer.page_mode = "/UseOutlines"
    if reader.metadata:
        writer.add_metadata(dict(reader.metadata))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
