"""The Master Services Agreement template: parties, assembled clauses, Schedule A (scope, fees), signatures."""

from __future__ import annotations

from pathlib import Path

from .blocks import address, final_paragraph, letterhead, loop_table, signature_table
from .package import build as build_package
from .style import DASH, DOT
from .wordml import p, run

TITLE = "Master Services Agreement"
SCOPE_COLS = (2880, 1440, 5040)  # 2.0in, 1.0in, 3.5in
FEES_COLS = (7200, 2160)  # 5.0in, 1.5in


def build(path: Path) -> Path:
    """Write this template to ``path``; return ``path``."""
    return build_package(path, body_xml(), TITLE)


def body_xml() -> list[str]:
    bold = {"bold": True}
    return [
        *letterhead(),
        p("Title", run(TITLE)),
        p("Subtitle", run("Agreement No. ") + run("{{ document.id }}") + run(f"  {DOT}  Effective ")
          + run("{{ customer.agreement.effective }}")),
        # parties
        p("BodyText",
          run("This Master Services Agreement (the \u201c") + run("Agreement", **bold)
          + run("\u201d) is made between ") + run("{{ msp.legal_name }}", **bold) + run(", of ")
          + run(address("msp")) + run(" (\u201c") + run("Provider", **bold) + run("\u201d), and ")
          + run("{{ customer.legal_name }}", **bold) + run(", of ") + run(address("customer"))
          + run(" (\u201c") + run("Customer", **bold) + run("\u201d).")),
        p("BodyText", run("The Statement of Work in Schedule A is part of this Agreement; "
                          "references to this Agreement include it.")),
        # assembled clause sections (docxtpl replaces this whole paragraph)
        p("BodyText", run("{{p sections }}")),
        *_schedule_a(),
        p("Heading2", run("Signatures"), '<w:spacing w:before="360"/>'),
        p("BodyText", run("Each party signs this Agreement by its authorized representative."),
          "<w:keepNext/>"),
        signature_table(),
        final_paragraph(),
    ]


def _schedule_a() -> list[str]:
    """The Statement of Work on a new page: services by status, then fees."""
    return [
        p("Heading1", run(f"Schedule A {DASH} Statement of Work"), "<w:pageBreakBefore/>"),
        p("BodyText", run("This Statement of Work lists the services Provider delivers under this Agreement "
                          "(Included), the services outside its scope (Excluded), and the services Provider "
                          "recommended that Customer declined (Declined), for which Customer keeps the risk.")),
        loop_table(SCOPE_COLS, ("Service", "Status", "Notes"), ("service", "status", "notes"), "scope_rows"),
        p("Heading2", run("Fees"), '<w:spacing w:before="240"/>'),
        p("BodyText", run("Fees under this Statement of Work, in ") + run("{{ customer.agreement.currency }}")
          + run(":"), "<w:keepNext/>"),
        loop_table(FEES_COLS, ("Item", "Amount"), ("item", "amount"), "fees_rows", right_cols=(1,),
                   keep_together=True),
    ]
