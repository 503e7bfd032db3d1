"""`mspdocs binder`: what a lawyer asks for after a breach, one customer's records in one bookmarked PDF and a zip."""

from __future__ import annotations

import datetime as dt

import click

from .common import DATE, emit, format_option, shown, workspace_of, workspace_option


@click.command("binder")
@workspace_option
@click.argument("customer")
@click.option("--as-of", "as_of", type=DATE, help="The day the lessons are judged on (YYYY-MM-DD; default today).")
@click.option("--by", metavar="NAME", help="Who assembles, for the register (default: $USER).")
@format_option
@click.pass_context
def binder(ctx: click.Context, customer: str, as_of: dt.date | None, by: str | None, output_format: str) -> None:
    """Assemble CUSTOMER's binder under output/CUSTOMER/: one bookmarked PDF and a zip of the originals.

    The PDF holds a cover (lesson by lesson, what is present and what is missing), every document
    generated with its status, every signed copy received with its verification, the QBRs with attendees
    and actions, the delivery evidence, the customer's register entries with their hashes, and the
    register's verification with its head hash. The binder is recorded in the register. Every file is
    checked against the register as it is assembled: a missing or altered file, a register that does not
    verify, or a register that changed meanwhile stops it (exit 1) and writes nothing. Needs LibreOffice.

    \b
    Example:
      mspdocs binder pinecrest-law --as-of 2026-12-01
    """
    from ..audit.binder import assemble_binder

    made = assemble_binder(customer, workspace=workspace_of(ctx), as_of=as_of, by=by)
    emit(output_format, made.as_dict(), [f"{shown(made.pdf)}\t{made.binder_id}", f"{shown(made.zip)}\t{made.binder_id}"])
