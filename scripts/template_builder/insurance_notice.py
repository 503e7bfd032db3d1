"""The cyber-liability insurance notice template: minimum cover, policy on file, gaps, controls insurers ask for."""

from __future__ import annotations

from pathlib import Path

from .blocks import bullets, letter_opening, loop_table, terms_heading
from .package import build as build_package
from .wordml import cell, p, row, run, table

TITLE = "Cyber-Liability Insurance Notice"
FACT_COLS = (2880, 6480)  # 2.0in, 4.5in
CONTROL_COLS = (3888, 5472)  # 2.7in, 3.8in


def build(path: Path) -> Path:
    """Write this template to ``path``; return ``path``."""
    return build_package(path, body_xml(), TITLE)


def body_xml() -> list[str]:
    name = "{{ customer.legal_name }}"
    return letter_opening(TITLE) + [
        p("BodyText", run("Our agreement with ") + run(name)
          + run(" expects it to hold its own cyber-liability insurance. This notice sets out the minimum "
                "cover, the policy we have on file, what is missing, and the security controls that "
                "insurers ask for which ") + run(name)
          + run(" does not have through our services.")),
        p("Heading1", run("Minimum cover")),
        p("BodyText", run("Minimum cyber-liability limit: ")
          + run("{{ msp.min_insurance_limit|money }}", bold=True) + run(". ")
          + run("{%if customer.agreement.insurance_required %}")
          + run("Your agreement requires a policy with at least this limit.")
          + run("{%else%}") + run("We strongly recommend a policy with at least this limit.")
          + run("{%endif%}")),
        p("Heading1", run("Policy on file")),
        p("BodyText", run("{%p if insurance_rows %}")),
        _policy_table(),
        p("BodyText", run("{%p else %}")),
        p("BodyText", run("No policy on file. We have no record of a cyber-liability policy held by ")
          + run(name) + run(".")),
        p("BodyText", run("{%p endif %}")),
        p("Heading1", run("What is missing"), '<w:spacing w:before="240"/>'),
        p("BodyText", run("{%p if customer.insurance is defined and customer.insurance.expires < document.date %}")),
        p("ListBullet", run("The policy expired on ") + run("{{ customer.insurance.expires }}")
          + run(". Please send proof of a renewed or replacement policy.")),
        p("BodyText", run("{%p endif %}")),
        *bullets("insurance_findings", "text"),
        p("BodyText", run("{%p if not insurance_findings and not (customer.insurance is defined and "
                          "customer.insurance.expires < document.date) %}")),
        p("BodyText", run("Nothing is missing: the policy on file is current, meets the minimum limit, "
                          "and we hold proof of it.")),
        p("BodyText", run("{%p endif %}")),
        p("Heading1", run("Controls insurers ask for"), '<w:spacing w:before="240"/>'),
        p("BodyText", run("{%p if control_rows %}")),
        p("BodyText", run("Insurers commonly require the controls below. ") + run(name)
          + run(" does not subscribe to a service of ours that provides them:"), "<w:keepNext/>"),
        loop_table(CONTROL_COLS, ("Control", "Status"), ("control", "status"), "control_rows"),
        p("BodyText", run("{%p else %}")),
        p("BodyText", run("Every control that insurers commonly require is provided by a service ")
          + run(name) + run(" subscribes to.")),
        p("BodyText", run("{%p endif %}")),
        *terms_heading("The following terms of our agreement with " + name + " apply to insurance."),
        p("BodyText", run("Sincerely,"), '<w:keepNext/><w:spacing w:before="240" w:after="480"/>'),
        p("SignatureBlock", run("{{ msp.signatory.name }}", bold=True), "<w:keepNext/>"),
        p("SignatureBlock", run("{{ msp.signatory.title }}") + run(", ") + run("{{ msp.legal_name }}"),
          '<w:spacing w:before="0"/>'),
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
