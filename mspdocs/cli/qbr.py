"""`mspdocs qbr`: record that a QBR was held, close its action items, and list which are due."""

from __future__ import annotations

import datetime as dt

import click

from .common import DATE, emit, format_option, table, workspace_of, workspace_option


@click.group()
def qbr() -> None:
    """Quarterly business reviews: the record that each was held, and when the next is due.

    \b
    Example:
      mspdocs qbr record pinecrest-law --held-on 2026-11-20 --attendee "Thomas Kearney" \\
          --action "Enable MFA for all staff; owner=Thomas Kearney; due=2027-01-15"
      mspdocs qbr list --overdue
    """


@qbr.command("record")
@workspace_option
@click.argument("customer")
@click.option("--held-on", "held_on", type=DATE, required=True, help="The day the QBR took place (YYYY-MM-DD).")
@click.option("--attendee", "attendees", multiple=True, required=True, metavar="NAME",
              help="Someone who attended (repeat for each).")
@click.option("--action", "actions", multiple=True, metavar="TEXT",
              help='An action item agreed, optionally "TEXT; owner=NAME; due=YYYY-MM-DD" (repeat for each).')
@click.option("--notes", type=click.Path(dir_okay=False), help="A text file of meeting notes, kept in the register.")
@click.option("--agenda", metavar="DOC_ID", help="The document id of the QBR agenda used.")
@click.option("--by", metavar="NAME", help="Who records, for the register (default: $USER).")
@format_option
@click.pass_context
def qbr_record(ctx: click.Context, customer: str, held_on: dt.date, attendees: tuple[str, ...],
               actions: tuple[str, ...], notes: str | None, agenda: str | None, by: str | None,
               output_format: str) -> None:
    """Record that a QBR with CUSTOMER was held (a register event); its actions carry to the next agenda.

    Each action gets an id (A1, A2, ... per customer) to close it with `qbr close-action`.

    \b
    Example:
      mspdocs qbr record pinecrest-law --held-on 2026-11-20 --attendee "Thomas Kearney" \\
          --attendee "Dana Whitcomb" --action "Review backup retention; owner=Dana Whitcomb; due=2026-12-15" \\
          --notes qbr-notes.txt --agenda QBA-7Q2M9XKD
    """
    from ..qbr.meetings import record_qbr

    entry = record_qbr(customer, held_on, list(attendees), list(actions), notes, agenda,
                       workspace=workspace_of(ctx), by=by)
    lines = [f"recorded QBR of {customer} held on {held_on.isoformat()} (register entry {entry.seq})"]
    lines += [f"  {a['id']}\t{a['text']}" + (f" (owner {a['owner']})" if a["owner"] else "")
              + (f" due {a['due']}" if a["due"] else "") for a in entry.payload["actions"]]
    emit(output_format, entry.as_dict(), lines)


@qbr.command("close-action")
@workspace_option
@click.argument("customer")
@click.argument("action")
@click.option("--closed-on", "closed_on", type=DATE, help="The day it was done (default today).")
@click.option("--by", metavar="NAME", help="Who records, for the register (default: $USER).")
@click.pass_context
def qbr_close_action(ctx: click.Context, customer: str, action: str, closed_on: dt.date | None,
                     by: str | None) -> None:
    """Record ACTION (an id such as A3) of CUSTOMER as done; it leaves the next agenda.

    \b
    Example:
      mspdocs qbr close-action pinecrest-law A3
    """
    from ..qbr.meetings import close_action

    entry = close_action(customer, action, closed_on, workspace=workspace_of(ctx), by=by)
    click.echo(f"closed {entry.payload['action']} of {customer} on {entry.payload['closed_on']}")


@qbr.command("list")
@workspace_option
@click.option("--overdue", "overdue_only", is_flag=True, help="Only customers whose QBR is overdue.")
@click.option("--as-of", "as_of", type=DATE, help="Judge due dates on DATE (YYYY-MM-DD; default today).")
@format_option
@click.pass_context
def qbr_list(ctx: click.Context, overdue_only: bool, as_of: dt.date | None, output_format: str) -> None:
    """Each customer's last QBR, cadence and next due date, overdue first; exit 1 when any is overdue.

    With no QBR recorded, the first is due one cadence after the agreement's effective date.

    \b
    Example:
      mspdocs qbr list --overdue --as-of 2027-01-01 --format json
    """
    from ..qbr.schedule import qbr_schedule

    rows = qbr_schedule(workspace=workspace_of(ctx), as_of=as_of, overdue_only=overdue_only)
    shown_rows = [dict(row.as_dict(), last_held=row.last_held.isoformat() if row.last_held else "never",
                       status=(f"overdue {row.overdue_days} day{'s' if row.overdue_days != 1 else ''}"
                               if row.overdue else "due")) for row in rows]
    emit(output_format, [row.as_dict() for row in rows],
         table(shown_rows, ["customer", "last_held", "cadence_days", "next_due", "status", "open_actions"]))
    if any(row.overdue for row in rows):
        ctx.exit(1)
