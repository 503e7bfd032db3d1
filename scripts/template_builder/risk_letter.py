"""The risk-acceptance letter template: declined services, the risks kept, insurance effect, acknowledgement."""

from __future__ import annotations

from pathlib import Path

from .blocks import (
    agreement_citation,
    bullets,
    final_paragraph,
    letter_opening,
    loop_table,
    signature_table,
    terms_heading,
)
from .package import build as build_package
from .wordml import p, run

TITLE = "Risk Acceptance Letter"
RISK_COLS = (1728, 1944, 1584, 4104)  # service, recommended on (the longest date on one line), price, risk kept
REASON_COLS = (2016, 3672, 3672)  # service, reason given, compensating controls


def build(path: Path) -> Path:
    """Write this template to ``path``; return ``path``."""
    return build_package(path, body_xml(), TITLE)


def body_xml() -> list[str]:
    name = "{{ customer.legal_name }}"
    return letter_opening(TITLE) + [
        p("BodyText", run("{{ msp.name }}") + run(" recommended to ")
          + run(name) + run(" the security services listed below, and ") + run(name)
          + run(" has decided not to subscribe to them. This letter records that decision, the risks that ")
          + run(name) + run(" keeps as a result, and what ") + run(name)
          + run(" remains responsible for. Please read it, sign it and return it to us.")),
        *agreement_citation(),
        p("Heading1", run("Declined services")),
        p("BodyText", run("Each service below was recommended in writing on the date shown, with the risk it "
                          "addresses, and offered at the monthly price shown."), "<w:keepNext/>"),
        loop_table(RISK_COLS, ("Service", "Recommended on", "Monthly price", "Risk kept by the customer"),
                   ("service", "recommended_on", "price", "risk"), "declined_rows"),
        p("BodyText", run("The reasons ") + run(name) + run(" gave for declining, and the measures it "
                                                           "relies on instead, as we recorded them:"),
          '<w:keepNext/><w:spacing w:before="160"/>'),
        loop_table(REASON_COLS, ("Service", "Reason given", "Compensating controls"),
                   ("service", "reason", "controls"), "declined_rows"),
        p("Heading1", run("How long this decision stands"), '<w:spacing w:before="240"/>'),
        p("BodyText", run("The decision recorded in this letter stands until our next business review with ")
          + run(name) + run(", to be held no later than ") + run("{{ document.next_review }}", bold=True)
          + run(". At that review we will offer each declined service again, and ") + run(name)
          + run(" will confirm or change its decision in writing. Until it does, this decision continues to "
                "stand. ") + run(name)
          + run(" may subscribe to a declined service at any time by signing an order for it.")),
        p("Heading1", run("Cyber insurance"), '<w:spacing w:before="240"/>'),
        p("BodyText", run("{%p if insurer_rows %}")),
        p("BodyText", run("Cyber insurers commonly require the controls below before they issue or renew a "
                          "policy or pay a claim. Without the declined services, ") + run(name)
          + run(" does not have them through us. An insurer may refuse cover, raise the premium or deny a "
                "claim, and ") + run(name)
          + run(" must answer insurance applications about these controls accurately:"), "<w:keepNext/>"),
        *bullets("insurer_rows", "control"),
        p("BodyText", run("{%p else %}")),
        p("BodyText", run("None of the declined services provides a control that cyber insurers commonly "
                          "require. ") + run(name)
          + run(" must still describe its security controls accurately to its insurer.")),
        p("BodyText", run("{%p endif %}")),
        p("Heading1", run("Effect of this letter"), '<w:spacing w:before="240"/>'),
        p("BodyText", run("This letter records a decision of ") + run(name)
          + run(" under the Agreement. It adds no duty or obligation of ") + run("{{ msp.name }}")
          + run(" to those the Agreement sets, and it is subject to every term of the Agreement, including its "
                "limitation of liability.")),
        *terms_heading("The following terms of the Agreement apply to these decisions. Each is quoted as it "
                       "stands in the Agreement, with its section there. In them, \u201cCustomer\u201d means "
                       + name + " and \u201cProvider\u201d means {{ msp.legal_name }}."),
        p("Heading1", run("Acknowledgement")),
        p("BodyText",
          run("I, ") + run("{{ customer.signatory.name }}", bold=True) + run(", ")
          + run("{{ customer.signatory.title }}") + run(" of ") + run(name, bold=True)
          + run(", acknowledge that ") + run("{{ msp.name }}")
          + run(" recommended each service listed in this letter and explained the risk it addresses; "
                "that I understand those risks and have had the chance to ask questions about them; that ")
          + run(name) + run(" has declined these services; and that ") + run(name)
          + run(" keeps the risks described above. I am authorized by ") + run(name)
          + run(" to make this decision."), "<w:keepNext/>"),
        signature_table("Received for", "Acknowledged for"),
        final_paragraph(),
    ]
