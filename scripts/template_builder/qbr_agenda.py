"""The QBR agenda template: attendees, open actions, delivery, declined services, insurance, renewal, next review."""

from __future__ import annotations

from pathlib import Path

from .blocks import address, bullets, letterhead, loop_table
from .package import build as build_package
from .style import DOT
from .wordml import p, run

TITLE = "Quarterly Business Review Agenda"
ATTENDEE_COLS = (3168, 3024, 3168)  # 2.2in, 2.1in, 2.2in
ACTION_COLS = (576, 4464, 2160, 2160)  # 0.4in, 3.1in, 1.5in, 1.5in
DECLINED_COLS = (1872, 1584, 3744, 2160)  # 1.3in, 1.1in, 2.6in, 1.5in
# What the review's own clauses are (they are not the agreement's: a review may come before any agreement).
TERMS_LEAD = ("The terms below govern this review itself: what it is for and the records its facts come from"
              "{% if declined %}, and the standing of the services {{ customer.legal_name }} declined{% endif %}.")


def build(path: Path) -> Path:
    """Write this template to ``path``; return ``path``."""
    return build_package(path, body_xml(), TITLE)


def when(condition: str, *body: str, otherwise: tuple[str, ...] = ()) -> list[str]:
    """Paragraphs shown only when `condition` holds (docxtpl paragraph tags), else `otherwise`."""
    parts = [p("BodyText", run(f"{{%p if {condition} %}}")), *body]
    if otherwise:
        parts += [p("BodyText", run("{%p else %}")), *otherwise]
    return parts + [p("BodyText", run("{%p endif %}"))]


def heading(text: str, style: str = "Heading1") -> str:
    return p(style, run(text))


def body_xml() -> list[str]:
    """The agenda's sections; `agenda_sections` is shared with the packet."""
    return opening(TITLE) + agenda_sections() + review_terms(TERMS_LEAD)


def review_terms(lead: str) -> list[str]:
    """The "Terms that apply" section: a lead sentence, then the review's own approved clauses (a letter's
    `terms_heading` quotes the agreement in force instead)."""
    return [
        p("Heading1", run("Terms that apply")),
        p("BodyText", run(lead), "<w:keepNext/>"),
        p("BodyText", run("{{p sections }}")),
    ]


def opening(title: str) -> list[str]:
    return [
        *letterhead(),
        p("Title", run(title)),
        p("Subtitle", run("Reference No. ") + run("{{ document.id }}") + run(f"  {DOT}  ")
          + run("{{ document.date }}")),
        p("LetterheadDetail", run("{{ customer.legal_name }}", bold=True)),
        p("LetterheadDetail", run(address("customer")), '<w:spacing w:after="240"/>'),
    ]


def agenda_sections(level: str = "Heading1") -> list[str]:
    """The agenda's items, each under a heading of style `level` (Heading2 inside the packet)."""
    name = "{{ customer.legal_name }}"

    def heading(text: str) -> str:
        return p(level, run(text))

    return [
        heading("1. Attendees"),
        p("BodyText", run("Invited for ") + run(name) + run(" and ") + run("{{ msp.name }}") + run(":"),
          "<w:keepNext/>"),
        loop_table(ATTENDEE_COLS, ("Name", "Role", "For"), ("name", "role", "side"), "attendees"),
        heading("2. Open action items"),
        *when("actions",
              p("BodyText", run("Agreed at earlier reviews and not yet recorded as done:"), "<w:keepNext/>"),
              loop_table(ACTION_COLS, ("No.", "Action", "Owner", "Due"), ("id", "text", "owner", "due"),
                         "actions"),
              otherwise=(p("BodyText", run("{% if last_qbr %}No action items are open from the review held on ")
                           + run("{{ last_qbr }}") + run(".{% else %}No earlier review is on record, so no "
                                                        "action items are carried over.{% endif %}")),)),
        heading("3. Service delivery"),
        *when("delivery.present",
              p("BodyText", run("Device evidence from the monitoring tools, imported on ") + run("{{ delivery.date }}")
                + run(", lists ") + run("{{ delivery.devices_text }}") + run(".")),
              *when("delivery.findings",
                    p("BodyText", run("To review: each device missing a protection a subscribed service promises, "
                                      "and each device not seen recently:"), "<w:keepNext/>"),
                    *bullets("delivery.findings", "text"),
                    otherwise=(p("BodyText", run("Every device shows each protection the subscribed services "
                                                 "promise, and every device was seen recently.")),)),
              *when("delivery.unknown",
                    p("BodyText", run("{{ delivery.unknown_text }}") + run(" by the evidence and cannot be "
                                                                          "confirmed."))),
              otherwise=(p("BodyText", run("No device evidence has been imported for ") + run(name)
                           + run(", so delivery of the promised protections cannot be confirmed from records at "
                                 "this review.")),)),
        heading("4. Declined services and the risks kept"),
        *when("declined",
              p("BodyText", run(name) + run(" declined the services below and keeps the risk of each:"),
                "<w:keepNext/>"),
              loop_table(DECLINED_COLS, ("Service", "Declined on", "Risk kept", "Acceptance"),
                         ("service", "declined_on", "risk", "acceptance"), "declined"),
              p("BodyText", run("Offer: ") + run("{{ msp.name }}") + run(" offers to add any of these services; "
                                                                         "each can be added at this review.")),
              otherwise=(p("BodyText", run(name) + run(" has declined none of the services we recommend.")),)),
        heading("5. Cyber insurance"),
        *bullets("insurance_status", "text"),
        *when("renewal",
              heading("6. Agreement renewal"),
              p("BodyText", run("{{ renewal.text }}"))),
        *when("scope_changes",
              heading("{% if renewal %}7{% else %}6{% endif %}. Scope changes to confirm"),
              p("BodyText", run("The device evidence differs from the counts the statement of work covers; "
                                "confirm the counts for the quarterly true-up:"), "<w:keepNext/>"),
              *bullets("scope_changes", "text")),
        heading("Next review"),
        p("BodyText", run("Reviews are held every ") + run("{{ qbr_cadence }}") + run(" days. ")
          + run("{% if last_qbr %}The last review was held on ") + run("{{ last_qbr }}")
          + run("; this one is due by ") + run("{{ qbr_due }}") + run(".{% else %}No review is on record yet; "
                                                                     "the first is due by ")
          + run("{{ qbr_due }}") + run(".{% endif %} The next review is due by ") + run("{{ next_qbr }}")
          + run(".")),
    ]
