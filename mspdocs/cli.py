"""The `mspdocs` command line: parse arguments, call one library function, print its result."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import click

from .errors import MspdocsError

FORMATS = click.Choice(["text", "json"])


class _Group(click.Group):
    """Turns every MspdocsError, from any subcommand, into one message and its exit status."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except MspdocsError as exc:
            for line in str(exc).splitlines():
                click.echo(f"mspdocs: error: {line}", err=True)
            ctx.exit(exc.exit_code)


def _workspace(ctx: click.Context) -> str | None:
    return ctx.find_root().params.get("workspace")


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date (write YYYY-MM-DD)") from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-w", "--workspace", type=click.Path(file_okay=False), envvar="MSPDOCS_WORKSPACE",
              help="Workspace folder (default: the current directory; env MSPDOCS_WORKSPACE).")
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
    from .workspace import init_workspace

    created = init_workspace(directory, examples=examples)
    click.echo(f"created workspace {_shown(created)}")
    click.echo(f"next: edit {_shown(created / 'mspdocs.toml')}, add customers, then "
               f"`mspdocs -w {_shown(created)} generate agreement --all`")


@cli.command()
@click.argument("kind", type=click.Choice(["agreement", "risk-letter", "insurance-notice"]))
@click.argument("customers", nargs=-1)
@click.option("--all", "all_customers", is_flag=True, help="Every customer of the workspace.")
@click.option("--draft", is_flag=True, help="Mark every page DRAFT.")
@click.option("--as-of", "as_of", metavar="DATE", help="Date the documents (YYYY-MM-DD; default today).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Documents rendered, and LibreOffice converters run, in parallel.")
@click.option("--service", "services", multiple=True, metavar="ID",
              help="risk-letter: only these declined services (repeat for several; default all).")
@click.option("--pdf", "pdf", is_flag=True, help="Also write a PDF beside each document (LibreOffice).")
@click.option("--pdfa", is_flag=True, help="Make the PDFs archival PDF/A-2b (implies --pdf).")
@click.option("--sign", is_flag=True,
              help="Countersign the PDFs with the MSP's certificate ([signing] in mspdocs.toml; with --pdf).")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@click.pass_context
def generate(ctx: click.Context, kind: str, customers: tuple[str, ...], all_customers: bool, draft: bool,
             as_of: str | None, jobs: int, services: tuple[str, ...], pdf: bool, pdfa: bool, sign: bool,
             output_format: str) -> None:
    """Generate KIND for the named CUSTOMERS (or --all); prints one line per file written.

    KIND is agreement, risk-letter (the customer's declined services) or insurance-notice.
    With --sign, the certificate's password comes from the environment variable named by
    password_env in mspdocs.toml (default MSPDOCS_P12_PASSWORD), else it is asked for.

    \b
    Example:
      mspdocs generate agreement acme-dental
      mspdocs generate agreement --all --jobs 2 --pdf --format json
      mspdocs generate risk-letter acme-dental --service edr --pdf --sign
      mspdocs generate insurance-notice acme-dental --as-of 2026-12-01
    """
    from .generate import generate as run

    if bool(customers) == all_customers:
        raise click.UsageError("name one or more customers, or give --all (not both)")
    ids = None if all_customers else list(customers)
    options = {"workspace": _workspace(ctx), "as_of": _date(as_of), "draft": draft, "jobs": jobs,
               "services": list(services) or None, "pdf": pdf or pdfa, "pdfa": pdfa, "sign": sign,
               "ask_password": lambda prompt: click.prompt(prompt, hide_input=True, err=True)}
    if sys.stderr.isatty() and (ids is None or len(ids) > 1):
        with click.progressbar(length=_customer_count(ctx, ids), label=f"{kind}", file=sys.stderr) as bar:
            written = run(kind, ids, on_done=lambda _: bar.update(1), **options)
    else:
        written = run(kind, ids, **options)
    if output_format == "json":
        click.echo(json.dumps([item.as_dict() for item in written], indent=2))
        return
    for item in written:
        click.echo(f"{_shown(item.path)}\t{item.document_id}")
        if item.pdf_path is not None:
            click.echo(f"{_shown(item.pdf_path)}\t{item.document_id}")


def _customer_count(ctx: click.Context, ids: list[str] | None) -> int:
    if ids is not None:
        return len(ids)
    from .customers import customer_files
    from .workspace import open_workspace

    return len(customer_files(open_workspace(_workspace(ctx))))


def main() -> None:
    cli(prog_name="mspdocs")
