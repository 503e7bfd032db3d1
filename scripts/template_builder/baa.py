"""The business associate agreement template (HIPAA): parties, assembled BAA clauses, signatures."""

from __future__ import annotations

from pathlib import Path

from .blocks import address, final_paragraph, letterhead, signature_table
from .package import build as build_package
from .style import DOT
from .wordml import p, run

TITLE = "Business Associate Agreement"


def build(path: Path) -> Path:
    """Write this template to ``path``; return ``path``."""
    return build_package(path, body_xml(), TITLE)


def body_xml() -> list[str]:
    bold = {"bold": True}
    return [
        *letterhead(),
        p("Title", run(TITLE)),
        p("Subtitle", run("Agreement No. ") + run("{{ document.id }}") + run(f"  {DOT}  Dated ")
          + run("{{ document.date }}")),
        p("BodyText",
          run("This Business Associate Agreement (this \u201c") + run("BAA", **bold)
          + run("\u201d) is made between ") + run("{{ customer.legal_name }}", **bold) + run(", of ")
          + run(address("customer")) + run(" (\u201c") + run("Customer", **bold)
          + run("\u201d), a covered entity under HIPAA, and ") + run("{{ msp.legal_name }}", **bold)
          + run(", of ") + run(address("msp")) + run(" (\u201c") + run("Provider", **bold)
          + run("\u201d), its business associate.")),
        p("BodyText", run("Provider delivers managed information technology services to Customer under a "
                          "Master Services Agreement between them (the \u201c") + run("Services Agreement", **bold)
          + run("\u201d). In doing so, Provider may create, receive, maintain or transmit protected health "
                "information on Customer\u2019s behalf. This BAA sets out the terms HIPAA requires for that "
                "information, and forms part of the Services Agreement.")),
        p("BodyText", run("{{p sections }}")),
        p("Heading2", run("Signatures"), '<w:spacing w:before="360"/>'),
        p("BodyText", run("Each party signs this BAA by its authorized representative."), "<w:keepNext/>"),
        signature_table(),
        final_paragraph(),
    ]
