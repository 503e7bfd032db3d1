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
@click.argument("kind", type=click.Choice(["agreement"]))
@click.argument("customers", nargs=-1)
@click.option("--all", "all_customers", is_flag=True, help="Every customer of the workspace.")
@click.option("--draft", is_flag=True, help="Mark every page DRAFT.")
@click.option("--as-of", "as_of", metavar="DATE", help="Date the documents (YYYY-MM-DD; default today).")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Documents rendered in parallel.")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@click.option("--by", metavar="NAME", help="Who generates, for the register (default: $USER).")
@click.pass_context
def generate(ctx: click.Context, kind: str, customers: tuple[str, ...], all_customers: bool, draft: bool,
             as_of: str | None, jobs: int, output_format: str, by: str | None) -> None:
    """Generate KIND for the named CUSTOMERS (or --all); prints one line per file written.

    \b
    Example:
      mspdocs generate agreement acme-dental
      mspdocs generate agreement --all --jobs 2 --format json
    """
    from .generate import generate as run

    if bool(customers) == all_customers:
        raise click.UsageError("name one or more customers, or give --all (not both)")
    ids = None if all_customers else list(customers)
    as_of_date = _date(as_of)
    if sys.stderr.isatty() and (ids is None or len(ids) > 1):
        with click.progressbar(length=_customer_count(ctx, ids), label=f"{kind}", file=sys.stderr) as bar:
            written = run(kind, ids, workspace=_workspace(ctx), as_of=as_of_date, draft=draft, jobs=jobs,
                          on_done=lambda _: bar.update(1), by=by)
    else:
        written = run(kind, ids, workspace=_workspace(ctx), as_of=as_of_date, draft=draft, jobs=jobs, by=by)
    if output_format == "json":
        click.echo(json.dumps([item.as_dict() for item in written], indent=2))
        return
    for item in written:
        click.echo(f"{_shown(item.path)}\t{item.document_id}")


def _customer_count(ctx: click.Context, ids: list[str] | None) -> int:
    if ids is not None:
        return len(ids)
    from .customers import customer_files
    from .workspace import open_workspace

    return len(customer_files(open_workspace(_workspace(ctx))))


@cli.group(cls=_Group)
def register() -> None:
    """The register: the tamper-evident record of every document generated.

    \b
    Example:
      mspdocs register list --customer acme-dental
      mspdocs register verify
    """


@register.command("list")
@click.option("--customer", metavar="ID", help="Only this customer's entries.")
@click.option("--kind", metavar="KIND", help="Only documents of this kind.")
@click.option("--since", metavar="DATE", help="Only entries recorded on or after DATE (YYYY-MM-DD, UTC).")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@click.pass_context
def register_list(ctx: click.Context, customer: str | None, kind: str | None, since: str | None,
                  output_format: str) -> None:
    """List register entries, oldest first.

    \b
    Example:
      mspdocs register list --kind agreement --since 2026-01-01 --format json
    """
    from .register import list_entries

    entries = list_entries(_workspace(ctx), customer=customer, kind=kind, since=_date(since))
    if output_format == "json":
        click.echo(json.dumps([entry.as_dict() for entry in entries], indent=2))
        return
    for entry in entries:
        output = entry.payload.get("output", {}).get("path", "") if isinstance(entry.payload, dict) else ""
        click.echo("\t".join([str(entry.seq), entry.recorded_at, entry.event, entry.document_id or "-",
                              entry.customer or "-", entry.kind or "-", entry.actor, output]))


@register.command("show")
@click.argument("document_id")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@click.pass_context
def register_show(ctx: click.Context, document_id: str, output_format: str) -> None:
    """Show the full manifest of DOCUMENT_ID and every later event about it.

    \b
    Example:
      mspdocs register show AGR-7Q2M9XKD
    """
    from .register import show_document

    entries = show_document(document_id, _workspace(ctx))
    if output_format == "json":
        click.echo(json.dumps([entry.as_dict() for entry in entries], indent=2))
        return
    for entry in entries:
        click.echo(f"entry {entry.seq}: {entry.event} by {entry.actor} at {entry.recorded_at}")
        click.echo(f"  entry hash {entry.entry_hash}\n  prev hash  {entry.prev_hash}")
        click.echo("  " + json.dumps(entry.payload, indent=2, sort_keys=True).replace("\n", "\n  "))


@register.command("verify")
@click.option("--head", metavar="HASH", help="A head hash anchored earlier: fail if the register lost it.")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@click.pass_context
def register_verify(ctx: click.Context, head: str | None, output_format: str) -> None:
    """Recompute the hash chain and re-hash every file; exit 1 naming what is broken.

    Prints the head hash: keep it elsewhere (e.g. send it with signed documents) and check it later
    with --head, which detects entries removed after it.

    \b
    Example:
      mspdocs register verify
      mspdocs register verify --head 3f5a...e1 --format json
    """
    from .verification import verify

    result = verify(_workspace(ctx), head)
    if output_format == "json":
        click.echo(json.dumps(result.as_dict(), indent=2))
    else:
        for finding in result.problems:
            click.echo(f"BROKEN  {finding}")
        for finding in result.warnings:
            click.echo(f"warning {finding}")
        if result.anchor_found:
            click.echo(f"anchored head {result.anchor} is in the register")
        click.echo(f"{'ok' if result.ok else 'FAILED'}: {result.entries} entries, "
                   f"{len(result.problems)} problems, {len(result.warnings)} warnings")
        click.echo(f"head {result.head}")
    if not result.ok:
        ctx.exit(1)


def main() -> None:
    cli(prog_name="mspdocs")
