"""The documents a new document cites: the agreement in force a letter quotes, the BAA an agreement relies on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..errors import InputError, raise_all
from ..render.documents import BAA_INDUSTRIES, DocumentKind
from ..workspace.customers import Customer
from ..workspace.folder import Workspace
from .current import standing_documents


def agreements_in_force(workspace: Workspace, customers: list[Customer], kind: DocumentKind,
                        draft: bool) -> dict[str, dict[str, Any]]:
    """Each customer's latest agreement issued for signature (not a draft), from the register: what a
    letter cites and the only clauses it may quote. A letter for a customer without one is refused (a
    draft states plainly that no agreement has been issued)."""
    latest = standing_documents(workspace.path("register"), "agreement", draft=False)
    found, errors = {}, []
    for customer in customers:
        entry = latest.get(customer.id)
        if entry is not None:
            found[customer.id] = {
                "id": entry.document_id, "date": dt.date.fromisoformat(entry.payload["as_of"]),
                "clauses": {c["id"]: (c["sha256"], c["section"]) for c in entry.payload["clauses"]}}
        elif not draft:
            errors.append(InputError(
                f"{customer.id}: no agreement has been issued to this customer, and a {kind.title} cites "
                f"and quotes the agreement in force; generate it first (mspdocs generate agreement "
                f"{customer.id})", path=customer.path))
    raise_all(errors)
    return found


def required_baas(workspace: Workspace, customers: list[Customer], draft: bool) -> dict[str, dict[str, Any]]:
    """The business associate agreement each healthcare customer's agreement refers to, by customer id.

    A healthcare customer without one in the register stops the batch (exit 2): HIPAA requires the BAA
    before the MSP handles protected health information. A draft agreement may go ahead without it.
    """
    covered = [customer for customer in customers if customer.data["industry"] in BAA_INDUSTRIES]
    if not covered:
        return {}
    latest = standing_documents(workspace.path("register"), "baa", draft=False)
    related, errors = {}, []
    for customer in covered:
        entry = latest.get(customer.id)
        if entry is not None:
            related[customer.id] = {"baa": {"id": entry.document_id,
                                            "date": dt.date.fromisoformat(entry.payload["as_of"])}}
        elif not draft:
            errors.append(InputError(
                f"{customer.id} is a {customer.data['industry']} customer: generate its business associate "
                f"agreement first (mspdocs generate baa {customer.id})", path=customer.path, field="industry"))
    raise_all(errors)
    return related
