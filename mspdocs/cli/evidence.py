"""`mspdocs evidence`: import RMM device exports and see what they say about delivery."""

from __future__ import annotations

import datetime as dt

import click

from .common import DATE, emit, format_option, shown, table, workspace_of, workspace_option


@click.group()
def evidence() -> None:
    """Delivery evidence: RMM device exports, and the protections they show missing.

    \b
    Example:
      mspdocs evidence import devices.csv --mapping examples/evidence/device-list.mapping.yaml
      mspdocs evidence findings --as-of 2026-12-01
    """


@evidence.command("import")
@workspace_option
@click.argument("export", metavar="FILE", type=click.Path(dir_okay=False))
@click.option("--mapping", "mapping", metavar="MAP.yaml", required=True, type=click.Path(dir_okay=False),
              help="How the export's columns and values map to the normalised form.")
@click.option("--by", metavar="NAME", help="Who imports, for the register (default: $USER).")
@format_option
@click.pass_context
def evidence_import(ctx: click.Context, export: str, mapping: str, by: str | None, output_format: str) -> None:
    """Normalise an RMM export through a mapping file and store it under evidence/ (a register event).

    An unknown value, a date in no listed format, or a mapped column missing from the export is an
    error naming the row and column; then nothing is stored.

    \b
    Example:
      mspdocs evidence import rmm-devices.csv --mapping examples/evidence/device-list.mapping.yaml
    """
    from ..delivery.store import import_evidence

    imported = import_evidence(export, mapping, workspace=workspace_of(ctx), by=by)
    state = "unchanged (already imported today)" if imported.unchanged else "stored"
    emit(output_format, imported.as_dict(),
         [f"{shown(imported.path)}\t{state}: {imported.devices} device{'s' if imported.devices != 1 else ''} of "
          f"{len(imported.customers)} customer{'s' if len(imported.customers) != 1 else ''}"])


@evidence.command("findings")
@workspace_option
@click.argument("customers", nargs=-1)
@click.option("--as-of", "as_of", type=DATE, help="Judge staleness on DATE (YYYY-MM-DD; default today).")
@format_option
@click.pass_context
def evidence_findings(ctx: click.Context, customers: tuple[str, ...], as_of: dt.date | None,
                      output_format: str) -> None:
    """Per customer (all, or those named): protections missing, stale devices, counts off the contract.

    Exit status 1 when any customer has a finding.

    \b
    Example:
      mspdocs evidence findings pinecrest-law --format json
    """
    from ..delivery.report import delivery_findings

    found = delivery_findings(list(customers) or None, workspace=workspace_of(ctx), as_of=as_of)
    rows = [{"customer": d.customer, "evidence": d.evidence_date.isoformat() if d.evidence_date else "none",
             "devices": len(d.devices), "missing": len(d.missing), "unknown": len(d.unknown),
             "stale": len(d.stale), "counts": "; ".join(f"{c.what} {c.found} vs {c.contracted}" for c in d.counts)}
            for d in found]
    emit(output_format, [d.as_dict() for d in found],
         table(rows, ["customer", "evidence", "devices", "missing", "unknown", "stale", "counts"]))
    if any(d.has_findings for d in found):
        ctx.exit(1)
