"""`mspdocs customers`: list and check the customer records of the workspace."""

from __future__ import annotations

import click

from .common import emit, format_option, table, workspace_of, workspace_option


@click.group()
def customers() -> None:
    """List and check the customer records of the workspace.

    \b
    Example:
      mspdocs customers list
      mspdocs customers check pinecrest-law
    """


@customers.command("list")
@workspace_option
@format_option
@click.pass_context
def customers_list(ctx: click.Context, output_format: str) -> None:
    """List every customer with its service counts, devices, users, monthly fee and insurance expiry.

    \b
    Example:
      mspdocs customers list --format json
    """
    from ..workspace.customers import list_customers

    rows = list_customers(workspace_of(ctx))
    emit(output_format, rows, table(rows, ["id", "legal_name", "subscribed", "declined", "excluded",
                                           "devices", "users", "monthly_fee", "insurance_expires"]))


@customers.command("check")
@workspace_option
@click.argument("ids", nargs=-1)
@click.pass_context
def customers_check(ctx: click.Context, ids: tuple[str, ...]) -> None:
    """Validate customer records (all, or the IDS named); exit 2 names each bad file, field and line.

    \b
    Example:
      mspdocs customers check
      mspdocs customers check pinecrest-law muller-obrien
    """
    from ..workspace.customers import list_customers

    rows = list_customers(workspace_of(ctx), list(ids) or None)
    click.echo(f"{len(rows)} customer record{'s' if len(rows) != 1 else ''} valid")
