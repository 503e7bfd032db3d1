"""The QBR packet template: the agenda, scope and responsibilities, risk register, insurance, delivery, devices."""

from __future__ import annotations

from pathlib import Path

from .blocks import bullets, loop_table
from .package import build as build_package
from .qbr_agenda import TERMS_LEAD, agenda_sections, opening, review_terms, when
from .wordml import p, run

TITLE = "Quarterly Business Review Packet"
SCOPE_COLS = (2880, 1584, 4896)  # 2.0in, 1.1in, 3.4in
RISK_COLS = (1872, 1584, 3744, 2160)
FACT_COLS = (2880, 6480)
DEVICE_COLS = (1872, 1440, 1872, 2160, 2016)
HISTORY_COLS = (1872, 1872, 1584, 4032)
FOLLOWS = '<w:keepNext/><w:spacing w:before="360"/>'  # space above, never alone at the foot of a page


def build(path: Path) -> Path:
    """Write this template to ``path``; return ``path``."""
    return build_package(path, body_xml(), TITLE)


def section(title: str) -> str:
    """A section heading. No section forces a new page: each runs on below the one before, so an agenda
    that spills a few lines onto page 2 leaves no page mostly blank (the PDF bookmarks find each section)."""
    return p("Heading1", run(title), FOLLOWS)


def body_xml() -> list[str]:
    name = "{{ customer.legal_name }}"
    return opening(TITLE) + [
        section("Agenda"),
        *agenda_sections("Heading2"),
        section("Scope and responsibilities"),
        p("BodyText", run("What ") + run("{{ msp.name }}") + run(" does for ") + run(name)
          + run(", what it does not, and what ") + run(name) + run(" declined and keeps:"), "<w:keepNext/>"),
        loop_table(SCOPE_COLS, ("Service", "Status", "Responsibility"), ("service", "status", "who"), "scope_rows"),
        section("Risk register"),
        *when("declined",
              p("BodyText", run("Each risk ") + run(name) + run(" keeps by declining a recommended service:"),
                "<w:keepNext/>"),
              loop_table(RISK_COLS, ("Service", "Declined on", "Risk kept", "Acceptance"),
                         ("service", "declined_on", "risk", "acceptance"), "declined"),
              otherwise=(p("BodyText", run(name) + run(" has declined none of the services we recommend.")),)),
        section("Insurance status"),
        *when("policy_rows",
              loop_table(FACT_COLS, ("Policy on file", "Details"), ("item", "value"), "policy_rows"),
              otherwise=(p("BodyText", run("No cyber-liability policy is on file.")),)),
        p("BodyText", run("On the date of this packet:"), '<w:keepNext/><w:spacing w:before="240"/>'),
        *bullets("insurance_status", "text"),
        section("Delivery findings"),
        p("BodyText", run("{{ charts.coverage }}", italic=True, size=18)),
        *when("delivery.present",
              p("BodyText", run("From the device evidence imported on ") + run("{{ delivery.date }}") + run(":"),
                "<w:keepNext/>"),
              *when("delivery.findings", *bullets("delivery.findings", "text"),
                    otherwise=(p("BodyText", run("No device is missing a promised protection, and every device "
                                                 "was seen recently.")),)),
              otherwise=(p("BodyText", run("No device evidence has been imported for ") + run(name)
                           + run("; delivery cannot be confirmed from records.")),)),
        section("Device table"),
        *when("devices",
              loop_table(DEVICE_COLS, ("Device", "Type", "Last seen", "Missing", "Not reported"),
                         ("device", "type", "last_seen", "missing", "unknown"), "devices"),
              otherwise=(p("BodyText", run("No device evidence has been imported: there are no devices to "
                                           "list.")),)),
        section("Review history"),
        p("BodyText", run("{{ charts.history }}", italic=True, size=18)),
        *when("history",
              loop_table(HISTORY_COLS, ("Held on", "Due by", "Timing", "Attendees"),
                         ("held_on", "due", "on_time", "attendees"), "history"),
              otherwise=(p("BodyText", run("No review with ") + run(name) + run(" is on record yet.")),)),
        *review_terms(TERMS_LEAD),
    ]
