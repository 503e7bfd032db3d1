"""The cyber insurance notice template: policy on file, expiry warning, gaps, every insurer control's status,
terms, and the customer's acknowledgement."""

from __future__ import annotations

from pathlib import Path

from .blocks import (agreement_citation, bullets, final_paragraph, letter_opening, loop_table, signature_table,
                     terms_heading)
from .package import build as build_package
from .style import DRAFT_RED
from .wordml import cell, p, row, run, table

TITLE = "Cyber-Liability Insurance Notice"
FACT_COLS = (2880, 6480)  # 2.0in, 4.5in
CONTROL_COLS = (3600, 1584, 4176)  # 2.5in, 1.1in, 2.9in


def build(path: Path) -> Path:
    """Write this template to ``path``; return ``path``."""
    return build_package(path, body_xml(), TITLE)


def body_xml() -> list[str]:
    name = "{{ customer.legal_name }}"
    expires = "customer.insurance.expires"
    return letter_opening(TITLE) + [
        p("BodyText", run("Our agreement with ") + run(name)
          + run("{%if customer.agreement.insurance_required %}") + run(" requires it to hold")
          + run("{%else%}") + run(" recommends that it hold") + run("{%endif%}")
          + run(" its own cyber insurance. This notice sets out the policy we have on file, what is missing, "
                "where each security control that insurers ask for stands, and the terms of our agreement "
                "that apply.")),
        *agreement_citation(),
        p("Heading1", run("Policy on file")),
        p("BodyText", run("{%p if insurance_rows %}")),
        _policy_table(),
        p("BodyText", run("{%p else %}")),
        p("BodyText", run("No policy on file. We have no record of a cyber insurance policy held by ")
          + run(name) + run(".")),
        p("BodyText", run("{%p endif %}")),
        p("BodyText", run(f"{{%p if customer.insurance is defined and {expires} < document.date %}}")),
        p("BodyText", run("Warning: ", bold=True, color=DRAFT_RED) + run("the policy expired on ") + run(f"{{{{ {expires} }}}}")
          + run(". Until a renewed or replacement policy is in force, ") + run(name)
          + run(" bears its losses uninsured. Please send us proof of the new policy."),
          '<w:spacing w:before="120"/>'),
        p("BodyText", run(f"{{%p elif customer.insurance is defined and ({expires} - document.date).days <= 60 %}}")),
        p("BodyText", run("Warning: ", bold=True, color=DRAFT_RED) + run("the policy expires on ") + run(f"{{{{ {expires} }}}}")
          + run(", within 60 days of this notice. Please renew it before then and send us proof of the "
                "renewal."), '<w:spacing w:before="120"/>'),
        p("BodyText", run("{%p endif %}")),
        p("Heading1", run("What is missing"), '<w:spacing w:before="240"/>'),
        *bullets("insurance_findings", "text"),
        p("BodyText", run("{%p if not insurance_findings %}")),
        p("BodyText", run("Nothing else is missing: the policy on file meets the minimum limit, and we hold "
                          "proof of it.")),
        p("BodyText", run("{%p endif %}")),
        p("Heading1", run("Controls insurers ask for"), '<w:spacing w:before="240"/>'),
        p("BodyText", run("Insurers commonly require the controls below before they issue or renew a policy "
                          "or pay a claim. ") + run(name)
          + run(" must describe them accurately on every insurance application."), "<w:keepNext/>"),
        loop_table(CONTROL_COLS, ("Control", "Status", "How"), ("control", "status", "detail"), "control_rows"),
        *terms_heading("The following terms of the Agreement apply to insurance. Each is quoted as it stands "
                       "in the Agreement, with its section there. In them, \u201cCustomer\u201d means " + name
                       + " and \u201cProvider\u201d means {{ msp.legal_name }}."),
        p("Heading1", run("Acknowledgement")),
        p("BodyText",
          run("I, ") + run("{{ customer.signatory.name }}", bold=True) + run(", ")
          + run("{{ customer.signatory.title }}") + run(" of ") + run(name, bold=True)
          + run(", acknowledge that I have received this notice and that ") + run(name)
          + run(" is responsible for its own cyber insurance and for the accuracy of its insurance "
                "applications."), "<w:keepNext/>"),
        signature_table("Sent for", "Acknowledged for"),
        final_paragraph(),
    ]


def _policy_table() -> str:
    """One row per item of ``insurance_rows``: the fact in the heading style, its value beside it."""
    return table("ScheduleTable", FACT_COLS,
                 row(cell(FACT_COLS[0], p("TableText", run("{%tr for row in insurance_rows %}")))
                     + cell(FACT_COLS[1], p("TableText")))
                 + row(cell(FACT_COLS[0], p("TableHeading", run("{{ row.item }}")))
                       + cell(FACT_COLS[1], p("TableText", run("{{ row.value }}"))))
                 + row(cell(FACT_COLS[0], p("TableText", run("{%tr endfor %}")))
                       + cell(FACT_COLS[1], p("TableText"))), look="0000")
