"""What `clauses list|show|diff|approve|retire` report: plain data about the library and its approvals."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..workspace.clauses import CATEGORIES, Library, load_library
from ..workspace.folder import open_workspace
from . import approvalrecord as approval_record
from . import approvals as approval_store
from .worddiff import marked, meta_changes, word_ops


def _library(workspace: str | Path | None) -> tuple[Path, Library, dict]:
    folder = open_workspace(workspace).path("clauses")
    library = load_library(folder)
    return folder, library, approval_store.load_approvals(folder)


def state_row(state: approval_store.State) -> dict[str, Any]:
    clause, approval = state.clause, state.approval
    return {
        "id": clause.id, "title": clause.title, "category": clause.category, "version": clause.version,
        "status": state.status,
        "approved_by": approval.approved_by if approval else None,
        "approved_on": approval.approved_on.isoformat() if approval else None,
        "approved_version": approval.version if approval else None,
        "file": str(clause.path),
    }


def list_clauses(workspace: str | Path | None = None, status: str | None = None,
                 category: str | None = None) -> list[dict[str, Any]]:
    """One row per clause (id order), optionally only one status or category."""
    if status is not None and status not in approval_store.STATES:
        raise InputError(f"unknown status '{status}' (known: {', '.join(approval_store.STATES)})")
    if category is not None and category not in CATEGORIES:
        raise InputError(f"unknown category '{category}' (known: {', '.join(CATEGORIES)})")
    _, library, approvals = _library(workspace)
    rows = [state_row(state) for state in approval_store.library_states(library, approvals)]
    return [row for row in rows
            if (status is None or row["status"] == status) and (category is None or row["category"] == category)]


def _state(workspace: str | Path | None, clause_id: str):
    folder, library, approvals = _library(workspace)
    return folder, library, approval_store.clause_state(library.get(clause_id), approvals)


def show_clause(workspace: str | Path | None, clause_id: str) -> dict[str, Any]:
    """Everything about one clause: metadata, approval and its body source."""
    _, _, state = _state(workspace, clause_id)
    clause = state.clause
    row = {key: value for key, value in state_row(state).items() if not key.startswith("approved_")}
    return dict(row, order=clause.order, documents=list(clause.documents),
                variables=list(clause.variables), condition=clause.condition,
                alternates=list(clause.alternates), sha256=clause.text_hash,
                approval=state.approval.as_dict() if state.approval else None,
                reason=state.reason(), body=clause.body)


def diff_clause(workspace: str | Path | None, clause_id: str) -> dict[str, Any]:
    """What changed since the approved text: metadata changes and a word diff of the body."""
    folder, _, state = _state(workspace, clause_id)
    approved = approval_store.approved_clause(folder, state.approval)
    result: dict[str, Any] = {"id": clause_id, "status": state.status, "reason": state.reason(hint=False),
                              "approval": state.approval.as_dict() if state.approval else None,
                              "comparable": approved is not None, "changed": False,
                              "metadata": {}, "body": None}
    if approved is None:
        return result
    ops = word_ops(approved.body, state.clause.body)
    changes = meta_changes(approved, state.clause)
    result["changed"] = bool(changes) or any(tag != "equal" for tag, _ in ops)
    result["metadata"] = {name: {"approved": old, "current": new} for name, (old, new) in changes.items()}
    result["body"] = marked(ops) if result["changed"] else None
    return result


def approve_clauses(workspace: str | Path | None, ids: list[str] | None, by: str, reason: str | None = None,
                    on: dt.date | None = None) -> list[dict[str, Any]]:
    """One row per clause; `recorded` is false for a clause that was already approved as it stands.

    With `ids` None, every clause awaiting approval (unapproved, draft or changed; not retired, even by hand:
    that is settled with `mspdocs clauses retire`).
    """
    space = open_workspace(workspace)
    folder = space.path("clauses")
    backed = approval_record.backing(space)
    if ids is None:
        states = approval_store.library_states(load_library(folder), approval_store.load_approvals(folder))
        ids = [state.clause.id for state in states
               if (state.status in ("unapproved", "draft", "changed")
                   or (state.approved and not backed(state.clause.id, state.clause.text_hash)))
               and state.clause.status != "retired"]
    rows = approval_store.approve(folder, ids, by, reason, on, backed)
    approval_record.record_approvals(space, rows)  # after the lock: a lock entry alone is refused
    return [dict(state_row(state), recorded=recorded) for state, recorded in rows]


def retire_clause(workspace: str | Path | None, clause_id: str) -> dict[str, Any]:
    """The retired clause's row; `recorded` is false when it was retired already."""
    space = open_workspace(workspace)
    state, recorded = approval_store.retire(space.path("clauses"), clause_id)
    if recorded:
        approval_record.record_retirement(space, state)
    return dict(state_row(state), recorded=recorded)
