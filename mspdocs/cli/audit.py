"""`mspdocs audit`: the owner's six questions per customer, as a table, JSON, an HTML page or a Word report."""

from __future__ import annotations

import datetime as dt

import click

from .common import DATE, shown, workspace_of, workspace_option

AUDIT_FORMATS = click.Choice(["text", "json", "html", "docx"])


@click.command("audit")
@workspace_option
@click.argument("customers", nargs=-1)
@click.option("--as-of", "as_of", type=DATE, help="Judge expiry, cadences, due dates and evidence age on DATE "
                                                  "(YYYY-MM-DD; default today).")
@click.option("--evidence", type=click.Path(dir_okay=False),
              help="A normalised evidence CSV to judge delivery by (default: the latest imported).")
@click.option("--format", "output_format", type=AUDIT_FORMATS, default="text", show_default=True,
              help="text: a table and details; json: stable, for scripts; html: one page; docx: Word.")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False),
              help="Write the report to FILE (html and docx need it; never overwrites).")
@click.option("--pdf", is_flag=True, help="docx: a PDF beside the Word report (LibreOffice).")
@click.pass_context
def audit(ctx: click.Context, customers: tuple[str, ...], as_of: dt.date | None, evidence: str | None,
          output_format: str, output: str | None, pdf: bool) -> None:
    """Per customer (all, or those named), the six lessons: ok, gap or unknown, each gap with what closes it.

    \b
    1 a signed agreement is current      4 the customer's own insurance, insurer controls offered
    2 every service classified, in scope 5 delivery matches the evidence (not older than 30 days)
    3 every decline signed in a letter   6 QBRs within the cadence, actions not past due
    Exit status 0 when no customer has a gap, 1 when any has, 2 on bad input.

    \b
    Example:
      mspdocs audit
      mspdocs audit pinecrest-law --as-of 2027-01-15 --format json
      mspdocs audit --format html -o reports/audit.html
    """
    from ..audit.portfolio import run_audit as run
    from ..audit.report import as_json, as_text
    from ..errors import InputError

    if output_format in ("html", "docx") and not output:
        raise InputError(f"--format {output_format} writes a file: name it with -o FILE", field="--output")
    if pdf and output_format != "docx":
        raise InputError("--pdf goes with --format docx", field="--pdf")
    audits = run(list(customers) or None, workspace=workspace_of(ctx), as_of=as_of, evidence=evidence)
    if output_format in ("html", "docx"):
        from ..audit.publish import write_report

        for path in write_report(audits, output_format, output, as_of=as_of or dt.date.today(),
                                 workspace=workspace_of(ctx), pdf=pdf):
            click.echo(shown(path))
    else:
        text = as_json(audits) if output_format == "json" else "\n".join(as_text(audits))
        if output:
            from ..audit.publish import refuse_output_folder, write_new

            refuse_output_folder(output, workspace_of(ctx))
            write_new(output, text.encode("utf-8") + b"\n")
            click.echo(shown(output))
        else:
            click.echo(text)
    if any(a.gaps for a in audits):
        ctx.exit(1)
