"""`mspdocs clauses`: legal counsel's review, approval and retirement of the clause library."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import click

from .common import emit, format_option, table, workspace_of, workspace_option


class _LibraryChoice(click.Choice):
    """A choice among names the library defines, looked up on use so `mspdocs --help` imports nothing."""

    def __init__(self, load: Callable[[], Iterable[str]]) -> None:
        self.load = load
        self.case_sensitive = True

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(self.load())


def _states() -> Iterable[str]:
    from ..library.approvals import STATES

    return STATES


def _categories() -> Iterable[str]:
    from ..workspace.clauses import CATEGORIES

    return CATEGORIES


@click.group()
def clauses() -> None:
    """Review, approve and retire the clause library (legal counsel).

    \b
    Example:
      mspdocs clauses list --status changed
      mspdocs clauses approve scope.exclusions --by "J. Counsel" --reason "Reviewed"
    """



@clauses.command("list")
@workspace_option
@click.option("--status", type=_LibraryChoice(_states), help="Only clauses in this approval state.")
@click.option("--category", type=_LibraryChoice(_categories), metavar="CATEGORY",
              help="Only clauses of this category (e.g. scope-boundaries, liability).")
@format_option
@click.pass_context
def clauses_list(ctx: click.Context, status: str | None, category: str | None, output_format: str) -> None:
    """List the clauses with their version and approval state.

    \b
    Example:
      mspdocs clauses list --status changed --format json
    """
    from ..library.report import list_clauses

    rows = list_clauses(workspace_of(ctx), status, category)
    if not rows and output_format == "text":
        click.echo("no clauses match", err=True)
        return
    emit(output_format, rows, table(rows, ["id", "title", "category", "version", "status",
                                             "approved_by", "approved_on"]))


@clauses.command("show")
@workspace_option
@click.argument("clause_id", metavar="ID")
@format_option
@click.pass_context
def clauses_show(ctx: click.Context, clause_id: str, output_format: str) -> None:
    """Show one clause: metadata, approval and its text as written.

    \b
    Example:
      mspdocs clauses show scope.exclusions
    """
    from ..library.report import show_clause

    info = show_clause(workspace_of(ctx), clause_id)
    lines = [f"{name}: {info[name] if not isinstance(info[name], list) else ', '.join(info[name]) or '-'}"
             for name in ("id", "title", "category", "order", "version", "documents", "variables",
                          "condition", "alternates", "sha256", "file")]
    lines += [f"approval: {_approval_line(info)}", "", info["body"].rstrip("\n")]
    emit(output_format, info, lines)


def _approval_line(info: dict[str, Any]) -> str:
    """The approval state in words, with the approved version and counsel's reason."""
    status, approval = info["status"], info["approval"]
    if approval is None:
        return "never approved" if status == "unapproved" else f"{status}, never approved"
    by = f"approved by {approval['approved_by']} on {approval['approved_on']}"
    reason = approval["reason"]
    if status == "approved":
        return f"{by} (version {approval['version']})" + (f": {reason}" if reason else "")
    earlier = f"version {approval['version']} was {by}" + (f" ({reason})" if reason else "")
    return f"changed since {earlier}" if status == "changed" else f"{status}; {earlier}"


@clauses.command("diff")
@workspace_option
@click.argument("clause_id", metavar="ID")
@format_option
@click.pass_context
def clauses_diff(ctx: click.Context, clause_id: str, output_format: str) -> None:
    """What changed since the approved text: [-deleted-] and {+inserted+} words.

    \b
    Example:
      mspdocs clauses diff scope.exclusions
    """
    from ..library.report import diff_clause

    info = diff_clause(workspace_of(ctx), clause_id)
    if not info["comparable"]:
        lines = [f"{clause_id}: {info['reason']}; there is no approved text to compare with"]
    elif not info["changed"]:
        lines = [f"{clause_id}: unchanged since its approval ({info['reason']})"]
    else:
        lines = [f"{clause_id}: {info['reason']}"]
        lines += [f"{name}: [-{change['approved']}-]{{+{change['current']}+}}"
                  for name, change in info["metadata"].items()]
        lines += ["", info["body"].rstrip("\n")] if info["body"] else []
    emit(output_format, info, lines)


@clauses.command("lint")
@workspace_option
@format_option
@click.pass_context
def clauses_lint(ctx: click.Context, output_format: str) -> None:
    """Check every clause file and template; exit 1 when anything is found.

    \b
    Example:
      mspdocs clauses lint --format json
    """
    from ..library.lint import lint

    findings = lint(workspace_of(ctx))
    emit(output_format, [f.as_dict() for f in findings],
          [str(f) for f in findings] + [f"{len(findings)} finding(s)" if findings else "clean"])
    ctx.exit(1 if findings else 0)


@clauses.command("approve")
@workspace_option
@click.argument("clause_ids", metavar="ID...", nargs=-1)
@click.option("--all", "awaiting", is_flag=True, help="Every clause awaiting approval (after reviewing them all).")
@click.option("--by", "approver", required=True, metavar="NAME", help="Who approves (legal counsel).")
@click.option("--reason", metavar="TEXT", help="Why, for the record.")
@format_option
@click.pass_context
def clauses_approve(ctx: click.Context, clause_ids: tuple[str, ...], awaiting: bool, approver: str,
                    reason: str | None, output_format: str) -> None:
    """Approve the current text of each clause (bound to its exact text).

    \b
    Example:
      mspdocs clauses approve scope.exclusions fees.payment --by "J. Counsel" --reason "Q3 review"
      mspdocs clauses approve --all --by "J. Counsel" --reason "Reviewed the clause book of 2026-11-27"
    """
    from ..library.report import approve_clauses

    if bool(clause_ids) == awaiting:
        raise click.UsageError("name the clauses to approve, or give --all (not both)")
    rows = approve_clauses(workspace_of(ctx), list(clause_ids) or None, approver, reason)
    emit(output_format, rows, [f"approved {row['id']} version {row['version']} "
                                f"(by {row['approved_by']} on {row['approved_on']})" if row["recorded"] else
                                f"{row['id']}: already approved by {row['approved_by']} on {row['approved_on']}"
                                for row in rows])


@clauses.command("retire")
@workspace_option
@click.argument("clause_id", metavar="ID")
@format_option
@click.pass_context
def clauses_retire(ctx: click.Context, clause_id: str, output_format: str) -> None:
    """Take a clause out of new documents (status: retired, recorded in approvals.lock).

    Also settles a clause marked retired by hand, or an approved clause whose file was deleted.

    \b
    Example:
      mspdocs clauses retire liability.cap-fixed
    """
    from ..library.report import retire_clause

    row = retire_clause(workspace_of(ctx), clause_id)
    emit(output_format, row, [f"retired {row['id']}" if row["recorded"] else f"{row['id']}: already retired"])