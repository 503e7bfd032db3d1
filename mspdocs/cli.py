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
@click.argument("kind", type=click.Choice(["agreement", "risk-letter", "insurance-notice", "clause-book"]))
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
@click.option("--by", metavar="NAME", help="Who generates, for the register (default: $USER).")
@click.pass_context
def generate(ctx: click.Context, kind: str, customers: tuple[str, ...], all_customers: bool, draft: bool,
             as_of: str | None, jobs: int, services: tuple[str, ...], pdf: bool, pdfa: bool, sign: bool,
             output_format: str, by: str | None) -> None:
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
      mspdocs generate clause-book
    """
    from .generate import generate as run

    if kind == "clause-book":
        _clause_book(ctx, customers, all_customers, as_of, output_format, by)
        return
    if bool(customers) == all_customers:
        raise click.UsageError("name one or more customers, or give --all (not both)")
    ids = None if all_customers else list(customers)
    options = {"workspace": _workspace(ctx), "as_of": _date(as_of), "draft": draft, "jobs": jobs,
               "services": list(services) or None, "pdf": pdf or pdfa, "pdfa": pdfa, "sign": sign,
               "ask_password": lambda prompt: click.prompt(prompt, hide_input=True, err=True), "by": by}
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


def _clause_book(ctx: click.Context, customers: tuple[str, ...], all_customers: bool, as_of: str | None,
                 output_format: str, by: str | None) -> None:
    from .clausebook import generate_clause_book

    if customers or all_customers:
        raise click.UsageError("the clause book covers the whole library: name no customers")
    item = generate_clause_book(_workspace(ctx), _date(as_of), by)
    if output_format == "json":
        click.echo(json.dumps([item.as_dict()], indent=2))
    else:
        click.echo(f"{_shown(item.path)}\t{item.document_id}")


def _customer_count(ctx: click.Context, ids: list[str] | None) -> int:
    if ids is not None:
        return len(ids)
    from .customers import customer_files
    from .workspace import open_workspace

    return len(customer_files(open_workspace(_workspace(ctx))))


@cli.group()
def clauses() -> None:
    """Review, approve and retire the clause library (legal counsel).

    \b
    Example:
      mspdocs clauses list --status changed
      mspdocs clauses approve scope.exclusions --by "J. Counsel" --reason "Reviewed"
    """


def _emit(output_format: str, data, text_lines) -> None:
    if output_format == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        for line in text_lines:
            click.echo(line)


def _table(rows: list[dict], columns: list[str]) -> list[str]:
    """Aligned columns under an upper-case header; nothing at all when there are no rows."""
    if not rows:
        return []
    cells = [["-" if row.get(name) in (None, "") else str(row[name]) for name in columns] for row in rows]
    widths = [max([len(name)] + [len(line[i]) for line in cells]) for i, name in enumerate(columns)]
    lines = ["  ".join(name.upper().ljust(w) for name, w in zip(columns, widths)).rstrip()]
    lines += ["  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip() for line in cells]
    return lines


@clauses.command("list")
@click.option("--status", help="Only this state: approved, changed, unapproved, draft, retired.")
@click.option("--category", help="Only this category (e.g. scope-boundaries).")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@click.pass_context
def clauses_list(ctx: click.Context, status: str | None, category: str | None, output_format: str) -> None:
    """List the clauses with their version and approval state.

    \b
    Example:
      mspdocs clauses list --status changed --format json
    """
    from .clausereport import list_clauses

    rows = list_clauses(_workspace(ctx), status, category)
    _emit(output_format, rows, _table(rows, ["id", "title", "category", "version", "status",
                                             "approved_by", "approved_on"]))


@clauses.command("show")
@click.argument("clause_id", metavar="ID")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@click.pass_context
def clauses_show(ctx: click.Context, clause_id: str, output_format: str) -> None:
    """Show one clause: metadata, approval and its text as written.

    \b
    Example:
      mspdocs clauses show scope.exclusions
    """
    from .clausereport import show_clause

    info = show_clause(_workspace(ctx), clause_id)
    lines = [f"{name}: {info[name] if not isinstance(info[name], list) else ', '.join(info[name]) or '-'}"
             for name in ("id", "title", "category", "order", "version", "documents", "variables",
                          "condition", "alternates", "sha256", "file")]
    lines += [f"approval: {info['status']}: {info['reason']}", "", info["body"].rstrip("\n")]
    _emit(output_format, info, lines)


@clauses.command("diff")
@click.argument("clause_id", metavar="ID")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@click.pass_context
def clauses_diff(ctx: click.Context, clause_id: str, output_format: str) -> None:
    """What changed since the approved text: [-deleted-] and {+inserted+} words.

    \b
    Example:
      mspdocs clauses diff scope.exclusions
    """
    from .clausereport import diff_clause

    info = diff_clause(_workspace(ctx), clause_id)
    if not info["comparable"]:
        lines = [f"{clause_id}: {info['reason']}; there is no approved text to compare with"]
    elif not info["changed"]:
        lines = [f"{clause_id}: unchanged since its approval ({info['reason']})"]
    else:
        lines = [f"{clause_id}: {info['reason']}"]
        lines += [f"{name}: [-{change['approved']}-]{{+{change['current']}+}}"
                  for name, change in info["metadata"].items()]
        lines += ["", info["body"].rstrip("\n")] if info["body"] else []
    _emit(output_format, info, lines)


@clauses.command("lint")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@click.pass_context
def clauses_lint(ctx: click.Context, output_format: str) -> None:
    """Check every clause file and template; exit 1 when anything is found.

    \b
    Example:
      mspdocs clauses lint --format json
    """
    from .lint import lint

    findings = lint(_workspace(ctx))
    _emit(output_format, [f.as_dict() for f in findings],
          [str(f) for f in findings] + [f"{len(findings)} finding(s)" if findings else "clean"])
    ctx.exit(1 if findings else 0)


@clauses.command("approve")
@click.argument("clause_ids", metavar="ID...", nargs=-1, required=True)
@click.option("--by", "approver", required=True, metavar="NAME", help="Who approves (legal counsel).")
@click.option("--reason", metavar="TEXT", help="Why, for the record.")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@click.pass_context
def clauses_approve(ctx: click.Context, clause_ids: tuple[str, ...], approver: str, reason: str | None,
                    output_format: str) -> None:
    """Approve the current text of each clause (bound to its exact text).

    \b
    Example:
      mspdocs clauses approve scope.exclusions fees.payment --by "J. Counsel" --reason "Q3 review"
    """
    from .clausereport import approve_clauses

    rows = approve_clauses(_workspace(ctx), list(clause_ids), approver, reason)
    _emit(output_format, rows, [f"approved {row['id']} version {row['version']} "
                                f"(by {row['approved_by']} on {row['approved_on']})" for row in rows])


@clauses.command("retire")
@click.argument("clause_id", metavar="ID")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@click.pass_context
def clauses_retire(ctx: click.Context, clause_id: str, output_format: str) -> None:
    """Take a clause out of new documents (status: retired).

    \b
    Example:
      mspdocs clauses retire liability.cap-fixed
    """
    from .clausereport import retire_clause

    row = retire_clause(_workspace(ctx), clause_id)
    _emit(output_format, row, [f"retired {row['id']}"])
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
    rows = []
    for entry in entries:
        files = entry.payload if isinstance(entry.payload, dict) else {}
        rows.append({"seq": entry.seq, "recorded_at": entry.recorded_at[:19].replace("T", " "),
                     "event": entry.event, "document": entry.document_id, "customer": entry.customer,
                     "kind": entry.kind, "by": entry.actor,
                     "file": (files.get("output") or files.get("received") or {}).get("path")})
    for line in _table(rows, ["seq", "recorded_at", "event", "document", "customer", "kind", "by", "file"]):
        click.echo(line)


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


@cli.group()
def signed() -> None:
    """Record the signed copies customers return, and whose signing certificates to trust.

    \b
    Example:
      mspdocs signed trust add customer-ca.pem
      mspdocs signed add returned.pdf
    """


@signed.command("add")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--document", "document_id", metavar="DOC_ID",
              help="The document the file belongs to (default: the id in the PDF's metadata).")
@click.option("--signer", metavar="NAME", help="Scanned wet-ink copy: who signed it (with --signed-on).")
@click.option("--signed-on", "signed_on", metavar="DATE", help="Scanned wet-ink copy: when (YYYY-MM-DD).")
@click.option("--by", metavar="NAME", help="Who records, for the register (default: $USER).")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@click.pass_context
def signed_add(ctx: click.Context, file: str, document_id: str | None, signer: str | None,
               signed_on: str | None, by: str | None, output_format: str) -> None:
    """Check a signed FILE against the document generated, store it and record it; exit 1 if rejected.

    A digitally signed PDF must start with exactly the PDF that was generated, and every signature
    must be intact with nothing but form filling after it. A signer whose certificate does not chain
    to the trust store (`signed trust add`) is recorded as "intact, signer not trusted". A scanned
    wet-ink copy needs --document, --signer and --signed-on, and is recorded as lower assurance.

    \b
    Example:
      mspdocs signed add returned/AGR-7Q2M9XKD-signed.pdf
      mspdocs signed add scan.pdf --document AGR-7Q2M9XKD --signer "Pat Doe" --signed-on 2026-12-01
    """
    from .received import add_signed

    receipt = add_signed(file, document_id, signer, _date(signed_on), by, workspace=_workspace(ctx))
    line = (f"recorded {receipt.document_id}: {receipt.assurance}, signed by {receipt.signer} "
            f"{receipt.signed_when} (stored {_shown(receipt.path)})")
    _emit(output_format, receipt.as_dict(), [line])


@signed.group("trust")
def signed_trust() -> None:
    """The root certificates that customers' signing certificates must chain to.

    \b
    Example:
      mspdocs signed trust add customer-ca.pem
    """


@signed_trust.command("add")
@click.argument("cert", type=click.Path(dir_okay=False))
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@click.pass_context
def signed_trust_add(ctx: click.Context, cert: str, output_format: str) -> None:
    """Trust the certificate CERT (PEM or DER) as a root for customers' signatures.

    \b
    Example:
      mspdocs signed trust add customer-ca.pem
    """
    from .trust import add_trusted

    trusted = add_trusted(cert, _workspace(ctx))
    state = "trusted" if trusted.added else "already trusted"
    _emit(output_format, trusted.as_dict(),
          [f"{state}: {trusted.subject} (SHA-256 {trusted.fingerprint})"])


def main() -> None:
    cli(prog_name="mspdocs")


@cli.group()
def customers() -> None:
    """List and check the customer records of the workspace.

    \b
    Example:
      mspdocs customers list
      mspdocs customers check acme-dental
    """


@customers.command("list")
@click.option("--format", "output_format", type=FORMATS, default="text", show_default=True)
@click.pass_context
def customers_list(ctx: click.Context, output_format: str) -> None:
    """List every customer with its service counts and insurance expiry.

    \b
    Example:
      mspdocs customers list --format json
    """
    from .customers import list_customers

    rows = list_customers(_workspace(ctx))
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
    else:
        for line in _table(rows, ["id", "legal_name", "subscribed", "declined", "excluded", "insurance_expires"]):
            click.echo(line)


@customers.command("check")
@click.argument("ids", nargs=-1)
@click.pass_context
def customers_check(ctx: click.Context, ids: tuple[str, ...]) -> None:
    """Validate customer records (all, or the IDS named); exit 2 names each bad file, field and line.

    \b
    Example:
      mspdocs customers check
      mspdocs customers check acme-dental pinecrest-law
    """
    from .customers import list_customers

    rows = list_customers(_workspace(ctx), list(ids) or None)
    click.echo(f"{len(rows)} customer record{'s' if len(rows) != 1 else ''} valid")
