"""Approvals and retirements as register events, and the check of approvals.lock against them.

`clauses approve` and `clauses retire` record `clause.approved` / `clause.retired` (who, when, reason, the
text's sha256) in the register beside writing the lock file. Generation trusts a lock entry only when the
register recorded that approval, or when it is one of the approvals that ship with mspdocs itself (the
example library, read from the installed package, never from the workspace). A hash pasted into the lock
by hand is "approved outside mspdocs" and refused until counsel approves the text with `clauses approve`.
"""

from __future__ import annotations

import functools
from pathlib import Path

from ..evidence.register import CLAUSE_APPROVED, CLAUSE_RETIRED, Register, current_actor
from ..workspace.folder import Workspace, defaults_root
from . import approvals as approval_store


@functools.lru_cache(maxsize=1)
def shipped() -> frozenset[tuple[str, str]]:
    """(clause id, sha256) of every approval shipped with the installed mspdocs."""
    try:
        approvals = approval_store.load_approvals(defaults_root() / "clauses")
    except Exception:  # noqa: BLE001 - an unreadable shipped lock means no shipped approvals
        return frozenset()
    return frozenset((a.clause, a.sha256) for a in approvals.values())


def recorded(workspace: Workspace) -> dict[str, str]:
    """Per clause id, the sha256 of its latest approval recorded in the register (none once retired after)."""
    register = Register.existing(workspace.path("register"))
    if register is None:
        return {}
    latest: dict[str, tuple[int, str | None]] = {}
    with register:
        for event in (CLAUSE_APPROVED, CLAUSE_RETIRED):
            for entry in register.entries(event=event):
                clause = entry.payload.get("clause")
                if isinstance(clause, str) and entry.seq > latest.get(clause, (0, None))[0]:
                    latest[clause] = (entry.seq, entry.payload.get("sha256") if event == CLAUSE_APPROVED else None)
    return {clause: sha for clause, (_, sha) in latest.items() if sha}


def backing(workspace: Workspace):
    """`backed(clause id, sha256)`: whether that approval is shipped or recorded in the register.

    The register is read once, and only when an approval that did not ship is asked about.
    """
    ships = shipped()
    known: list[dict[str, str]] = []

    def backed(clause_id: str, sha256: str) -> bool:
        if (clause_id, sha256) in ships:
            return True
        if not known:
            known.append(recorded(workspace))
        return known[0].get(clause_id) == sha256

    return backed


def record_approvals(workspace: Workspace, rows: list[tuple[approval_store.State, bool]]) -> None:
    """A `clause.approved` event for each approval just recorded in the lock."""
    fresh = [state for state, new in rows if new and state.approval is not None]
    if not fresh:
        return
    with Register.of(workspace) as register:
        for state in fresh:
            approval = state.approval
            register.record(CLAUSE_APPROVED, {
                "clause": approval.clause, "version": approval.version, "sha256": approval.sha256,
                "approved_on": approval.approved_on.isoformat(), "reason": approval.reason,
                "file": Path(state.clause.path).name}, approval.approved_by)


def record_retirement(workspace: Workspace, state: approval_store.State, by: str | None = None) -> None:
    approval = state.approval
    with Register.of(workspace) as register:
        register.record(CLAUSE_RETIRED, {
            "clause": state.clause.id, "version": state.clause.version, "sha256": state.clause.text_hash,
            "retired_on": approval.retired_on.isoformat() if approval and approval.retired_on else None},
            current_actor(by))


def approval_origins(approvals: dict[str, approval_store.Approval]) -> dict[str, int]:
    """How many approvals in force are the ones shipped with mspdocs (same approver, same text), and how
    many are the workspace's own counsel's."""
    try:
        ships = approval_store.load_approvals(defaults_root() / "clauses")
    except Exception:  # noqa: BLE001 - an unreadable shipped lock means no shipped approvals
        ships = {}
    counts = {"shipped": 0, "own": 0}
    for clause_id, approval in approvals.items():
        if approval.retired_on is not None:
            continue
        shipped_one = ships.get(clause_id)
        same = (shipped_one is not None and shipped_one.sha256 == approval.sha256
                and shipped_one.approved_by == approval.approved_by)
        counts["shipped" if same else "own"] += 1
    return counts
