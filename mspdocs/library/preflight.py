"""Before a batch runs any clause text: every text that could run is approved, and every approval is on record."""

from __future__ import annotations

from ..errors import ProblemsFound, raise_all
from ..render.assemble import evaluated_clauses
from ..workspace.clauses import Clause, Library
from ..workspace.folder import Workspace
from . import approvals as approval_store
from .approvalrecord import backing

_OUTSIDE_HINT = "approve it with `mspdocs clauses approve {id} --by NAME` to record the approval"


def check_conditions(library: Library, approvals: dict[str, approval_store.Approval], kind: str) -> None:
    """Refuse (exit 1) a clause of `kind` whose condition is not approved text, before any condition runs.

    Assembly runs every such condition to decide where its clause appears; a condition runs only when it is
    the approved clause's own, unchanged (a changed body alone is refused where the clause is placed).
    """
    problems, others = [], []
    for clause in evaluated_clauses(library, kind):
        state = approval_store.clause_state(clause, approvals)
        if state.approved:
            continue
        before = approval_store.approved_clause(library.folder, state.approval) if clause.condition else None
        if clause.condition and (before is None or before.condition != clause.condition):
            problems.append(ProblemsFound(
                f"clause '{clause.id}' {state.reason()}: its condition is not approved text, so it is not run "
                "to decide where the clause appears", path=clause.path, line=clause.lines.get("condition"),
                field="condition", clause=clause.id))
        else:
            others.append(ProblemsFound(f"clause '{clause.id}' {state.reason()}", path=clause.path,
                                        clause=clause.id))
    if problems:  # refused anyway: name every clause of the kind that awaits approval, in one pass
        problems += others + [ProblemsFound(approval_store.REFUSED_HINT)]
    raise_all(problems)


def check_recorded(workspace: Workspace, library: Library, approvals: dict, clauses: list[Clause]) -> None:
    """Refuse (exit 1) any of `clauses` approved by the lock file alone, without its register event."""
    backed = backing(workspace)
    lock = approval_store.lock_path(library.folder)
    problems = []
    for clause in clauses:
        state = approval_store.clause_state(clause, approvals)
        if state.approved and not backed(clause.id, clause.text_hash):
            problems.append(ProblemsFound(
                f"the approval of clause '{clause.id}' is not in the register (written into the lock file outside "
                f"mspdocs); {_OUTSIDE_HINT.format(id=clause.id)}", path=lock, line=state.approval.line,
                clause=clause.id))
    raise_all(problems)
