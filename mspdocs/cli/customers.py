"""`mspdocs customers`: list, check and import the customer records of the workspace."""

from __future__ import annotations

from pathlib import Path

import click

from .common import emit, format_option, shown, table, workspace_of, workspace_option


@click.group()
def customers() -> None:
    """List, check and import the customer records of the workspace.

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

    rows = list_customers(workspace_of(ctx), on_unclassified=_report_skipped)
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

    rows = list_customers(workspace_of(ctx), list(ids) or None, on_unclassified=_report_skipped)
    click.echo(f"{len(rows)} customer record{'s' if len(rows) != 1 else ''} valid")


def _report_skipped(customer: str, reason: str) -> None:
    click.echo(f"skipped {customer}: {reason}", err=True)


@customers.command("import")
@workspace_option
@click.argument("export", metavar="FILE.csv", type=click.Path(dir_okay=False))
@click.option("--mapping", metavar="MAP.yaml", required=True, type=click.Path(dir_okay=False),
              help="Which export column holds each field (examples in examples/psa/).")
@format_option
@click.pass_context
def customers_import(ctx: click.Context, export: str, mapping: str, output_format: str) -> None:
    """Create a customer record stub per company of a PSA export; existing records are never overwritten.

    Stubs hold the legal name, address, industry and primary contact; their services are not classified,
    so the audit lists each as having no contract until the agreement is made. An empty required cell,
    an unknown country or a mapped column missing from the export is an error naming its row and column,
    and then nothing is written.

    \b
    Example:
      mspdocs customers import companies.csv --mapping examples/psa/company-list.mapping.yaml
    """
    from ..workspace.psa import import_customers

    found = import_customers(export, mapping, workspace=workspace_of(ctx))
    lines = [f"created {shown(Path(item['path']))} (row {item['row']})" + (f": {item['note']}" if item["note"] else "")
             for item in found.created]
    lines += [f"skipped {item['customer']} (row {item['row']}): {item['reason']}" for item in found.skipped]
    lines.append(f"{len(found.created)} created, {len(found.skipped)} skipped")
    emit(output_format, found.as_dict(), lines)
