"""The Master Services Agreement template: parties, assembled clauses, signatures, then Schedule A and Exhibit A-1."""

from __future__ import annotations

from pathlib import Path

from .blocks import address, final_paragraph, letterhead, signature_table
from .package import build as build_package
from .schedule_a import exhibit, schedule_a
from .style import DOT
from .wordml import p, run

TITLE = "Master Services Agreement"


def build(path: Path) -> Path:
    """Write this template to ``path``; return ``path``."""
    return build_package(path, body_xml(), TITLE)


def body_xml() -> list[str]:
    bold = {"bold": True}
    return [
        *letterhead(),
        p("Title", run(TITLE)),
        p("Subtitle", run("Agreement No. ") + run("{{ document.id }}") + run(f"  {DOT}  Dated ")
          + run("{{ document.date }}") + run(f"  {DOT}  Effective ") + run("{{ customer.agreement.effective }}")),
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
        p("Heading1", run("Signatures"), '<w:keepNext/><w:spacing w:before="360"/>'),
        p("BodyText", run("Each party signs this Agreement by its authorized representative. The Agreement "
                          "includes Schedule A (Statement of Work)")
          + run("{% if inventory_rows %}") + run(" and Exhibit A-1 (Device Inventory)") + run("{% endif %}")
          + run(", which follow these signatures."), "<w:keepNext/>"),
        signature_table(),
        final_paragraph(),
        *schedule_a(),
        *exhibit(),
        p("BodyText"),
    ]
