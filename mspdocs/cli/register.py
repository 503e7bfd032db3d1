"""`mspdocs register`: the evidence of what was issued, and its verification."""

from __future__ import annotations

import datetime as dt

import click

from .common import (
    DATE,
    emit,
    format_option,
    table,
    workspace_of,
    workspace_option,
)

# The kinds of document the register records (`generate`'s kinds).
REGISTERED_KINDS = click.Choice(["agreement", "risk-letter", "insurance-notice", "qbr-agenda", "qbr-packet",
                                 "clause-book"])


@click.group()
def register() -> None:
    """The register: the tamper-evident record of every document generated.

    \b
    Example:
      mspdocs register list --customer pinecrest-law
      mspdocs register verify
    """


@register.command("list")
@workspace_option
@click.option("--customer", metavar="ID", help="Only this customer's entries.")
@click.option("--kind", type=REGISTERED_KINDS, help="Only documents of this kind.")
@click.option("--since", type=DATE, help="Only entries recorded on or after DATE (YYYY-MM-DD, UTC).")
@click.option("--current", "current_only", is_flag=True,
              help="Only the current documents: one per customer and kind (drafts are never current).")
@format_option
@click.pass_context
def register_list(ctx: click.Context, customer: str | None, kind: str | None, since: dt.date | None,
                  current_only: bool, output_format: str) -> None:
    """List register entries, oldest first; each generated document is current, draft or superseded.

    \b
    Example:
      mspdocs register list --kind agreement --since 2026-01-01 --format json
      mspdocs register list --current --customer pinecrest-law
    """
    from ..evidence.current import document_statuses
    from ..evidence.register import list_entries

    every = list_entries(workspace_of(ctx), customer=customer, kind=kind)
    statuses = document_statuses(every or [])
    entries = None if every is None else [
        entry for entry in every if (since is None or entry.recorded_at >= since.isoformat())
        and (not current_only or statuses.get(entry.document_id) == "current"
             and entry.event == "document.generated")]
    if output_format == "json":
        emit("json", [dict(entry.as_dict(), status=_status(entry, statuses)) for entry in entries or []], [])
    else:
        columns = ["seq", "recorded_at", "event", "document", "customer", "kind", "status", "draft", "by",
                   "file", "pdf"]
        for line in table([_list_row(entry, statuses) for entry in entries or []], columns):
            click.echo(line)
    if not entries:
        click.echo("the register is empty" if entries is None or not (customer or kind or since or current_only)
                   else "no entries match", err=True)


def _status(entry, statuses: dict[str, str]) -> str | None:
    """A generated document's status (current, draft, superseded); None for other events."""
    return statuses.get(entry.document_id) if entry.event == "document.generated" else None


def _list_row(entry, statuses: dict[str, str]) -> dict:
    payload = entry.payload if isinstance(entry.payload, dict) else {}

    def path(key: str) -> str | None:
        value = payload.get(key)
        return value.get("path") if isinstance(value, dict) else None

    draft = payload.get("draft")
    return {"seq": entry.seq, "recorded_at": entry.recorded_at[:19].replace("T", " "), "event": entry.event,
            "document": entry.document_id, "customer": entry.customer, "kind": entry.kind,
            "status": _status(entry, statuses), "draft": {True: "yes", False: "no"}.get(draft), "by": entry.actor,
            "file": path("output") or path("received"), "pdf": path("pdf")}


@register.command("show")
@workspace_option
@click.argument("document_id")
@format_option
@click.pass_context
def register_show(ctx: click.Context, document_id: str, output_format: str) -> None:
    """Show the full manifest of DOCUMENT_ID and every later event about it.

    \b
    Example:
      mspdocs register show AGR-7Q2M9XKD
    """
    from ..evidence.register import show_document

    entries = show_document(document_id, workspace_of(ctx))
    emit(output_format, [entry.as_dict() for entry in entries], _show_lines(entries))


def _when(entry) -> str:
    return f"{entry.recorded_at[:19].replace('T', ' ')} UTC by {entry.actor} (entry {entry.seq})"


def _show_lines(entries) -> list[str]:
    """A document's generation (header, files, clauses), then each event that followed."""
    lines: list[str] = []
    for entry in entries:
        payload = entry.payload if isinstance(entry.payload, dict) else {}
        if lines:
            lines.append("")
        if entry.event == "document.generated":
            lines += _generated_lines(entry, payload)
        else:
            lines.append(f"{entry.event}  {_when(entry)}")
            received = payload.get("received") if isinstance(payload.get("received"), dict) else {}
            assurance = payload.get("assurance")
            if assurance and payload.get("reason"):
                assurance = f"{assurance} ({payload['reason']})"
            for label, value in (("superseded by", payload.get("superseded_by")),
                                 ("reason", payload.get("reason") if entry.event != "document.signed" else None),
                                 ("assurance", assurance), ("signer", payload.get("signer")),
                                 ("signed at", payload.get("signed_at")), ("platform", payload.get("platform")),
                                 ("envelope", payload.get("envelope_id")), ("received", received.get("path")),
                                 ("entry hash", entry.entry_hash)):
                if value:
                    lines.append(f"  {label:<10} {value}")
            lines += _signature_lines(payload.get("signatures"))
    return lines


def _signature_lines(signatures) -> list[str]:
    """Every signature of a received copy: signer, field, time and trust."""
    rows = [{"signer": s.get("signer"), "signed at": s.get("signed_at") or "-",
             "field": f"{s.get('field')} (timestamp)" if s.get("kind") == "document timestamp" else s.get("field"),
             "trust": _trust_word(s)} for s in signatures or [] if isinstance(s, dict)]
    if not rows:
        return []
    return ["  signatures"] + ["    " + line for line in table(rows, ["signer", "field", "signed at", "trust"])]


def _trust_word(signature: dict) -> str:
    if not signature.get("intact"):
        return "not intact"
    return "trusted" if signature.get("trusted") else "not trusted"


def _generated_lines(entry, payload: dict) -> list[str]:
    def get(key: str) -> dict:
        value = payload.get(key)
        return value if isinstance(value, dict) else {}

    draft = {True: "yes", False: "no"}.get(payload.get("draft"), "-")
    template = get("template")
    header = [("document", entry.document_id), ("customer", entry.customer or "-"), ("kind", entry.kind),
              ("as of", payload.get("as_of") or "-"), ("draft", draft), ("recorded", _when(entry)),
              ("template", f"{template.get('file', '-')}  sha256 {template.get('sha256', '-')}")]
    files = [get(key) for key in ("output", "pdf") if get(key)]
    header += [("files" if i == 0 else "", f"{file.get('path')}  sha256 {file.get('sha256')}")
               for i, file in enumerate(files)]
    header += [("data", f"sha256 {payload.get('data_sha256', '-')}"), ("manifest", payload.get("manifest_hash")),
               ("entry hash", entry.entry_hash),
               ("prev hash", entry.prev_hash)]
    lines = [f"{label:<10} {value}" for label, value in header]
    clauses = [clause for clause in payload.get("clauses") or [] if isinstance(clause, dict)]
    rows = [{"section": c.get("section"), "id": c.get("id"), "version": c.get("version"),
             "sha256": str(c.get("sha256") or "")[:12]} for c in clauses]
    return lines + ([""] + table(rows, ["section", "id", "version", "sha256"]) if rows else [])


@register.command("verify")
@workspace_option
@click.option("--head", metavar="HASH", help="A head hash anchored earlier: fail if the register lost it.")
@format_option
@click.pass_context
def register_verify(ctx: click.Context, head: str | None, output_format: str) -> None:
    """Recompute the hash chain and re-hash every file; exit 1 naming what is broken.

    Only reads: a missing register is a problem when output/ or received/ holds documents.

    Prints the head hash: keep it elsewhere (e.g. send it with signed documents) and check it later
    with --head, which detects entries removed after it.

    \b
    Example:
      mspdocs register verify
      mspdocs register verify --head 3f5a...e1 --format json
    """
    from ..evidence.verification import verify
    from ..render.environment import counted as _counted

    result = verify(workspace_of(ctx), head)
    if output_format == "json":
        emit("json", result.as_dict(), [])
    else:
        for finding in result.problems:
            click.echo(f"PROBLEM  {finding}")
        for finding in result.warnings:
            click.echo(f"WARNING  {finding}")
        if result.anchor_found:
            click.echo(f"anchored head {result.anchor} is in the register")
        click.echo(f"{'ok' if result.ok else 'FAILED'}: {_counted(result.entries, 'entry', 'entries')}, "
                   f"{_counted(len(result.problems), 'problem')}, {_counted(len(result.warnings), 'warning')}")
        click.echo(f"head {result.head or 'unknown (the register cannot be read)'}")
    if not result.ok:
        ctx.exit(1)
