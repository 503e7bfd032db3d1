"""The `mspdocs` command line: parse arguments, call one library function, print its result."""

from __future__ import annotations

import datetime as dt

import click

from .audit import audit
from .binder import binder
from .clauses import clauses
from .common import (
    DATE,
    ErrorReportingGroup,
    ProgressBar,
    emit,
    format_option,
    shown,
    workspace_of,
    workspace_option,
)
from .customers import customers
from .evidence import evidence
from .qbr import qbr
from .register import register
from .signed import signed


@click.group(cls=ErrorReportingGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-w", "--workspace", type=click.Path(file_okay=False), envvar="MSPDOCS_WORKSPACE",
              help="Workspace folder (default: the nearest folder holding mspdocs.toml, from the current "
                   "directory up; env MSPDOCS_WORKSPACE).")
@click.version_option(package_name="mspdocs")
def cli(workspace: str | None) -> None:
    """Customer agreements, risk letters and their evidence, from a reviewed clause library.

    \b
    Example:
      mspdocs init acme-msp --examples
      mspdocs -w acme-msp generate agreement --all
    """


@cli.command()
@click.argument("directory", type=click.Path(file_okay=False))
@click.option("--examples", is_flag=True, help="Add the example customer portfolio.")
def init(directory: str, examples: bool) -> None:
    """Create a workspace in DIRECTORY from the built-in clauses, templates and catalog.

    \b
    Example:
      mspdocs init acme-msp --examples
    """
    from ..workspace.folder import init_workspace

    created = init_workspace(directory, examples=examples)
    where = shown(created)
    click.echo(f"created workspace {where}")
    if examples:
        click.echo(f"next: describe your MSP in {shown(created / 'mspdocs.toml')} (customer documents are refused "
                   f"while it describes the sample MSP), then: mspdocs -w {where} generate agreement --all "
                   "(or try it now with --draft)")
        return
    click.echo(f"next: describe your MSP in {shown(created / 'mspdocs.toml')}, add one YAML file per customer "
               f"in {shown(created / 'customers')}, and have counsel review and approve the clause library "
               f"(mspdocs -w {where} generate clause-book; mspdocs -w {where} clauses approve --all --by NAME)")


@cli.command()
@workspace_option
@click.argument("kind", metavar="KIND",
                type=click.Choice(["agreement", "risk-letter", "insurance-notice", "baa", "qbr-agenda",
                                   "qbr-packet", "clause-book"]))
@click.argument("customers", nargs=-1)
@click.option("--all", "all_customers", is_flag=True, help="Every customer of the workspace.")
@click.option("--draft", is_flag=True,
              help="Generate even with unapproved clauses or the sample MSP profile; every page and the "
                   "properties say DRAFT.")
@click.option("--reissue", is_flag=True,
              help="Issue a new document even when the current one is unchanged (it supersedes it).")
@click.option("--as-of", "as_of", type=DATE, help="Date the documents (YYYY-MM-DD; default today).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Documents rendered, and LibreOffice converters run, in parallel.")
@click.option("--service", "services", multiple=True, metavar="ID",
              help="risk-letter: only these declined services (repeat for several; default all).")
@click.option("--pdf", "pdf", is_flag=True, help="Also write a PDF beside each document (LibreOffice).")
@click.option("--pdfa", is_flag=True, help="Make the PDFs archival PDF/A-2b (implies --pdf).")
@click.option("--sign", is_flag=True,
              help="Countersign the PDFs with the MSP's certificate ([signing] in mspdocs.toml; implies --pdf).")
@format_option
@click.option("--by", metavar="NAME", help="Who generates, for the register (default: $USER).")
@click.option("--customer", "sample", metavar="ID",
              help="clause-book: render every clause for this customer (default: the first in id order that "
                   "receives the clause's document).")
@click.pass_context
def generate(ctx: click.Context, kind: str, customers: tuple[str, ...], all_customers: bool, draft: bool,
             reissue: bool, as_of: dt.date | None, jobs: int, services: tuple[str, ...], pdf: bool, pdfa: bool, sign: bool,
             output_format: str, by: str | None, sample: str | None) -> None:
    """Generate KIND for the named CUSTOMERS (or --all); prints one line per file: path, document id, status.

    KIND is agreement, risk-letter (the customer's declined services), insurance-notice, baa (the
    business associate agreement a healthcare customer's agreement requires first), qbr-agenda
    (computed from the record, the register and the delivery evidence on --as-of), qbr-packet (one PDF
    for the meeting, with charts; always a PDF), or clause-book (the whole library for counsel: each
    clause as written and as rendered for a sample customer, chosen with --customer).
    Each customer has one current document per kind. When nothing that produces it changed (template,
    clauses, data; not the date), nothing new is issued: the current document is printed as
    "unchanged". Otherwise the new document "supersedes" the current one (recorded in the register).
    Customer documents are refused (exit 2) while mspdocs.toml still describes the built-in sample MSP,
    unless --draft.
    With --sign, the certificate's password comes from the environment variable named by
    password_env in mspdocs.toml (default MSPDOCS_P12_PASSWORD), else it is asked for.

    \b
    Example:
      mspdocs generate agreement pinecrest-law
      mspdocs generate baa cascade-family-medicine
      mspdocs generate agreement --all --jobs 2 --pdf --format json
      mspdocs generate risk-letter pinecrest-law --service edr --pdf --sign
      mspdocs generate insurance-notice pinecrest-law --as-of 2026-12-01
      mspdocs generate qbr-agenda --all --as-of 2026-12-01
      mspdocs generate qbr-packet pinecrest-law
      mspdocs generate clause-book --pdf --customer pinecrest-law
    """
    from ..batch import generate as run

    if kind == "clause-book":
        ignored = [name for name, given in (("--draft", draft), ("--pdfa", pdfa), ("--sign", sign),
                                            ("--service", services)) if given]
        if ignored:
            raise click.UsageError(f"the clause book takes no {', '.join(ignored)} (it is counsel's review "
                                   "copy, never signed or sent)")
        _print_written([_clause_book(ctx, customers, all_customers, as_of, by, reissue, pdf, sample)],
                       output_format)
        return
    if sample:
        raise click.UsageError("--customer names the clause book's sample customer; name the customers of "
                               f"a {kind} as arguments")
    if bool(customers) == all_customers:
        raise click.UsageError("name one or more customers, or give --all (not both)")
    ids = None if all_customers else list(customers)
    options = {"workspace": workspace_of(ctx), "as_of": as_of, "draft": draft, "jobs": jobs,
               "services": list(services) or None, "pdf": pdf, "pdfa": pdfa, "sign": sign,
               "ask_password": lambda prompt: click.prompt(prompt, hide_input=True, err=True), "by": by,
               "reissue": reissue,
               "on_skip": lambda customer, reason: click.echo(f"skipped {customer}: {reason}", err=True)}
    with ProgressBar(kind) as progress:
        written = run(kind, ids, on_progress=progress, **options)
    _print_written(written, output_format)


def _print_written(written, output_format: str) -> None:
    """One line per file (path, document id, status: new, unchanged, supersedes DOC), or the JSON list."""
    lines = [f"{shown(path)}\t{item.document_id}\t{item.status_text}" for item in written
             for path in (item.path, item.pdf_path) if path is not None]
    emit(output_format, [item.as_dict() for item in written], lines)


def _clause_book(ctx: click.Context, customers: tuple[str, ...], all_customers: bool, as_of: dt.date | None,
                 by: str | None, reissue: bool, pdf: bool, sample: str | None):
    from ..library.clausebook import generate_clause_book

    if customers or all_customers:
        raise click.UsageError("the clause book covers the whole library: name no customers (the sample "
                               "customer is --customer ID)")
    return generate_clause_book(workspace_of(ctx), as_of, by, reissue, pdf=pdf, customer=sample)


for group in (customers, clauses, register, signed, evidence, qbr, audit, binder):
    cli.add_command(group)


def main() -> None:
    cli(prog_name="mspdocs")
