"""The risk-acceptance letter template: declined services, the risks kept, insurance effect, acknowledgement."""

from __future__ import annotations

from pathlib import Path

from .blocks import bullets, final_paragraph, letter_opening, loop_table, signature_table, terms_heading
from .package import build as build_package
from .wordml import p, run

TITLE = "Risk Acceptance Letter"
RISK_COLS = (2016, 1440, 3888, 2016)  # 1.4in, 1.0in, 2.7in, 1.4in


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
        p("Heading1", run("Declined services")),
        p("BodyText", run("Each service below was recommended in writing, with the risk it addresses, "
                          "and offered at our standard prices."), "<w:keepNext/>"),
        loop_table(RISK_COLS, ("Service", "Recommended on", "Risk kept by the customer",
                               "Insurer control affected"),
                   ("service", "recommended_on", "risk", "insurer"), "declined_rows"),
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
        *terms_heading("The following terms of our agreement with " + name + " apply to these decisions."),
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
