"""Counsel's approvals of clause texts, each bound to the exact text by its hash (clauses/approvals.lock).

How approval state is decided:
- The lock file is the record of approval. A clause is *approved* when the lock holds an entry for its
  id whose sha256 equals the clause's current `text_hash` and its front matter does not say `draft` or
  `retired`. An entry with another hash means *changed* since approval; no entry means *unapproved*.
- `approve` writes the entry, keeps the approved clause file content-addressed as
  `clauses/.approved/<sha256>.md` (so the approved text can be compared without git), and sets
  `status: approved` in a clause file that said `draft`. The status is not part of the hash, so that
  edit does not change what was approved; nothing else in a clause file is ever rewritten.
  Approving a clause approved as it stands changes nothing (the record, with its reason, stays). Two
  different approved texts never share a version: changed text is approved only under a raised `version`.
- `retire` sets `status: retired` in the front matter, the one place document assembly reads it, and
  `retired_on` in the lock entry, which stays as the record of the last approval. A clause that clauses in
  use refer to (`ref`) or stand in with (`alternates`) is not retired. An approved clause whose file says
  `retired` without that record was retired by hand, skipping the check: it counts as *changed*.
- Before a batch is generated, `check_library` refuses any approved clause of the document kind that was
  deleted, retired by hand or changed where it appears (documents, condition, alternates), placed or not:
  such an edit drops approved text silently. A change of text alone is refused where placed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import InputError, MspdocsError, ProblemsFound, raise_all
from ..workspace.clauses import Clause, Library, load_library, parse_clause
from ..workspace.fields import Fields, one_line
from ..workspace.files import read_text
from ..workspace.writer import replace_atomically
from ..workspace.yamlfile import read_yaml
from .references import dependents

LOCK_NAME = "approvals.lock"
STORE_NAME = ".approved"
STATES = ("approved", "changed", "unapproved", "draft", "retired")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_ENTRY_FIELDS = {"version", "sha256", "approved_by", "approved_on", "reason", "retired_on"}
_HAND_RETIRED = "marked retired in its file, not with `mspdocs clauses retire`"
REFUSED_HINT = ("documents with unapproved clauses are refused; have counsel approve them "
                 "(`mspdocs clauses approve`) or generate with --draft")
_FRONT = re.compile(r"\A(---[ \t]*\r?\n)(.*?\r?\n)(---[ \t]*\r?\n)", re.DOTALL)
_STATUS_LINE = re.compile(r"^status:[^\r\n]*", re.MULTILINE)
_HEADER = (
    "# Clause approvals by legal counsel, written by `mspdocs clauses approve`; one block per clause.\n"
    "# Each approval is bound to the clause's exact text by sha256; the approved text is kept in\n"
    "# .approved/<sha256>.md beside this file. Edit the clauses, not this file.\n"
)


@dataclass(frozen=True)
class Approval:
    """One clause text approved by counsel."""

    clause: str
    version: int
    sha256: str
    approved_by: str
    approved_on: dt.date
    reason: str | None
    retired_on: dt.date | None = None  # set by `mspdocs clauses retire`
    line: int | None = field(default=None, compare=False)  # of its entry in the lock file

    def as_dict(self) -> dict:
        return {"clause": self.clause, "version": self.version, "sha256": self.sha256,
                "approved_by": self.approved_by, "approved_on": self.approved_on.isoformat(),
                "reason": self.reason, "retired_on": self.retired_on.isoformat() if self.retired_on else None}


@dataclass(frozen=True)
class State:
    """The effective approval state of one clause."""

    clause: Clause
    status: str  # one of STATES
    approval: Approval | None

    @property
    def approved(self) -> bool:
        return self.status == "approved"

    @property
    def hand_retired(self) -> bool:
        """Approved, then marked retired in its file without `mspdocs clauses retire`."""
        return self.status == "changed" and self.clause.status == "retired"

    def reason(self, hint: bool = True) -> str:
        """Why the clause may not reach a customer (or that it may); `hint` adds the command that shows why."""
        approval = self.approval
        if self.status == "approved":
            return f"approved by {approval.approved_by} on {approval.approved_on}"
        if self.hand_retired:
            return _HAND_RETIRED
        if self.status == "changed":
            return (f"changed since its approval by {approval.approved_by} on {approval.approved_on}"
                    + (f" (see `mspdocs clauses diff {self.clause.id}`)" if hint else ""))
        if self.status == "draft":
            return "is a draft (status: draft)"
        if self.status == "retired":
            return "is retired"
        return "has never been approved"


def lock_path(folder: Path) -> Path:
    return folder / LOCK_NAME


def load_approvals(folder: Path) -> dict[str, Approval]:
    """The approvals of the clause library in `folder` (none when the lock file is absent)."""
    path = lock_path(folder)
    if not path.exists():
        return {}
    raw = read_yaml(path)
    if raw is None:
        return {}
    top = Fields(raw, path)
    approvals = {}
    for clause_id in top.data:
        entry = top.section(clause_id)
        entry.reject_unknown(_ENTRY_FIELDS)
        sha256 = entry.text("sha256")
        if not _SHA256.fullmatch(sha256):
            raise entry.error("sha256", "is not a SHA-256 hash (64 lowercase hex digits)")
        approvals[clause_id] = Approval(
            clause=clause_id, version=entry.integer("version", minimum=1), sha256=sha256,
            approved_by=entry.text("approved_by"), approved_on=entry.date("approved_on"),
            reason=entry.text("reason", required=False), retired_on=entry.date("retired_on", required=False),
            line=top.line_of(clause_id))
    return approvals


def clause_state(clause: Clause, approvals: dict[str, Approval]) -> State:
    approval = approvals.get(clause.id)
    if clause.status == "retired" and approval is not None and approval.retired_on is None:
        status = "changed"
    elif clause.status in ("retired", "draft"):
        status = clause.status
    elif approval is None:
        status = "unapproved"
    else:
        status = "approved" if approval.sha256 == clause.text_hash else "changed"
    return State(clause, status, approval)


def version_not_raised(clause: Clause, approval: Approval | None) -> bool:
    """Whether the clause's text differs from its approved text under a version not above the approved one."""
    return approval is not None and approval.sha256 != clause.text_hash and clause.version <= approval.version


def library_states(library: Library, approvals: dict[str, Approval]) -> list[State]:
    """Every clause's state, by id."""
    return [clause_state(library[clause_id], approvals) for clause_id in sorted(library.clauses)]


def approved_text(folder: Path, sha256: str) -> str | None:
    """The clause file as it was approved, or None when it was not kept."""
    path = folder / STORE_NAME / f"{sha256}.md"
    try:
        return read_text(path)
    except MspdocsError:
        return None


def approved_clause(folder: Path, approval: Approval | None) -> Clause | None:
    """The approved version of a clause, parsed, or None when there is none to compare with."""
    if approval is None:
        return None
    text = approved_text(folder, approval.sha256)
    if text is None:
        return None
    try:
        clause = parse_clause(text, folder / f"{approval.clause}.md")
    except MspdocsError:
        return None
    return clause if clause.text_hash == approval.sha256 else None


def check_placed(clauses: Iterable[Clause], approvals: dict[str, Approval], label: str = "") -> None:
    """Refuse (exit 1) when any clause placed in a customer document is not approved as it stands."""
    prefix = f"{label}: " if label else ""
    problems = [ProblemsFound(f"{prefix}clause '{state.clause.id}' {state.reason()}", path=state.clause.path,
                              clause=state.clause.id)
                for state in (clause_state(clause, approvals) for clause in clauses) if not state.approved]
    if problems:
        problems.append(ProblemsFound(prefix + REFUSED_HINT))
    raise_all(problems)


def altered(state: State) -> bool:
    """Whether an approved clause no longer stands as approved: its text changed, or it was retired by hand."""
    approval = state.approval
    return state.status == "changed" or (state.status == "draft" and approval is not None
                                         and approval.sha256 != state.clause.text_hash)


def missing_approved(library: Library, approvals: dict[str, Approval]) -> list[Approval]:
    """Lock entries of clauses not retired with `mspdocs clauses retire` whose clause file is gone."""
    return [approval for clause_id, approval in sorted(approvals.items())
            if clause_id not in library.clauses and approval.retired_on is None]


PLACEMENT_FIELDS = ("documents", "condition", "alternates")


def placement_changes(state: State, approved: Clause | None) -> list[str] | None:
    """What of an altered clause decides anew where it appears: [] when only its text changed, so it stands
    wherever its approved version stood and `check_placed` refuses it there; None when that is unknown."""
    if state.hand_retired or approved is None:
        return None
    return [name for name in PLACEMENT_FIELDS if getattr(approved, name) != getattr(state.clause, name)]


def check_library(library: Library, approvals: dict[str, Approval], kind: str) -> None:
    """Refuse (exit 1) when an approved clause of `kind` was deleted, or changed where it appears, placed or not.

    Such an edit (a false condition, another document kind, a changed alternate, a retirement by hand) takes
    approved text out of documents without any changed clause being placed. Clauses never approved take
    nothing away; they, and changes of the text alone, are refused where placed, by `check_placed`.
    """
    approved = {clause_id: approved_clause(library.folder, approval) for clause_id, approval in approvals.items()}
    standing_in = library.alternate_ids(kind) | {
        alt for clause in approved.values() if clause and kind in clause.documents and clause.status != "retired"
        for alt in clause.alternates}

    def relevant(clause_id: str, current: Clause | None) -> bool:
        before = approved.get(clause_id)
        return (before is None or kind in before.documents or clause_id in standing_in
                or (current is not None and kind in current.documents))

    problems = []
    for state in library_states(library, approvals):
        changes = placement_changes(state, approved.get(state.clause.id)) if altered(state) else []
        if changes != [] and relevant(state.clause.id, state.clause):
            what = f" (its {' and '.join(changes)} changed, which decides the documents that carry it)" if changes else ""
            problems.append(ProblemsFound(f"clause '{state.clause.id}' {state.reason()}{what}",
                                          path=state.clause.path, clause=state.clause.id,
                                          line=state.clause.lines.get("status") if state.hand_retired else None))
    problems += [ProblemsFound(f"approved clause '{approval.clause}' was deleted from the library; restore it "
                               "or retire it with `mspdocs clauses retire`",
                               path=library.folder / f"{approval.clause}.md", clause=approval.clause)
                 for approval in missing_approved(library, approvals) if relevant(approval.clause, None)]
    if problems:
        problems.append(ProblemsFound(REFUSED_HINT))
    raise_all(problems)


def render_lock(approvals: dict[str, Approval]) -> str:
    """The lock file text: sorted by clause id, one block each, every value on its own line."""
    blocks = [_HEADER]
    for clause_id in sorted(approvals):
        item = approvals[clause_id]
        lines = [f"{clause_id}:", f"  version: {item.version}", f"  sha256: {item.sha256}",
                 f"  approved_by: {json.dumps(item.approved_by, ensure_ascii=False)}",
                 f"  approved_on: {item.approved_on.isoformat()}"]
        if item.reason:
            lines.append(f"  reason: {json.dumps(item.reason, ensure_ascii=False)}")
        if item.retired_on:
            lines.append(f"  retired_on: {item.retired_on.isoformat()}")
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks)


def with_status(clause: Clause, status: str) -> str:
    """The clause file text with its front-matter status set, everything else byte for byte."""
    text = read_text(clause.path)
    match = _FRONT.match(text)
    front, count = _STATUS_LINE.subn(f"status: {status}", match.group(2), count=1) if match else ("", 0)
    if not count:
        raise InputError("cannot find the status line in the front matter", path=clause.path,
                         line=clause.lines.get("status"), clause=clause.id)
    updated = match.group(1) + front + match.group(3) + text[match.end():]
    changed = parse_clause(updated, clause.path)
    if changed.text_hash != clause.text_hash or changed.status != status:
        raise InputError("setting the status would change the clause text", path=clause.path,
                         clause=clause.id)
    return updated


def _approval_problem(clause: Clause, approval: Approval | None) -> MspdocsError | None:
    if clause.status == "retired":
        return InputError("a retired clause cannot be approved (set its status to draft first)",
                          path=clause.path, line=clause.lines.get("status"), clause=clause.id)
    if version_not_raised(clause, approval):
        return InputError(f"the text changed since version {approval.version} was approved; raise `version` "
                          f"in clauses/{clause.id}.md before approving", path=clause.path,
                          line=clause.lines.get("version"), field="version", clause=clause.id)
    return None


def approve(folder: Path, ids: list[str], by: str, reason: str | None = None,
            on: dt.date | None = None, backed=None) -> list[tuple[State, bool]]:
    """Approve the current text of each named clause: (its state, whether a new approval was recorded).

    A clause already approved as it stands keeps its record, unless `backed(id, sha256)` says the register
    does not hold that approval. Everything is checked before anything is written.
    """
    one_line(by, "--by")
    one_line(reason, "--reason")
    library = load_library(folder)
    approvals = load_approvals(folder)
    errors: list[MspdocsError] = []
    chosen: list[Clause] = []
    for clause_id in dict.fromkeys(ids):
        try:
            clause = library.get(clause_id)
        except InputError as exc:
            errors.append(exc)
            continue
        problem = _approval_problem(clause, approvals.get(clause_id))
        if problem:
            errors.append(problem)
        chosen.append(clause)
    raise_all(errors)
    fresh = [clause for clause in chosen if not clause_state(clause, approvals).approved
             or (backed is not None and not backed(clause.id, clause.text_hash))]
    if fresh:
        _record(folder, fresh, approvals, by.strip(), on or dt.date.today(), reason.strip() if reason else None)
    library = load_library(folder)
    recorded = {clause.id for clause in fresh}
    return [(clause_state(library[clause.id], approvals), clause.id in recorded) for clause in chosen]


def _record(folder: Path, clauses: list[Clause], approvals: dict[str, Approval], by: str, on: dt.date,
            reason: str | None) -> None:
    """Keep the approved texts, mark drafts approved, then write the lock (the record) last."""
    updates = {clause.id: with_status(clause, "approved") for clause in clauses if clause.status == "draft"}
    store = folder / STORE_NAME
    store.mkdir(exist_ok=True)
    for clause in clauses:
        text = updates.get(clause.id) or read_text(clause.path)
        kept = store / f"{clause.text_hash}.md"
        if not kept.exists():
            replace_atomically(kept, text.encode("utf-8"))
        approvals[clause.id] = Approval(clause.id, clause.version, clause.text_hash, by, on, reason)
    for clause in clauses:
        if clause.id in updates:
            replace_atomically(clause.path, updates[clause.id].encode("utf-8"))
    replace_atomically(lock_path(folder), render_lock(approvals).encode("utf-8"))


def retire(folder: Path, clause_id: str, on: dt.date | None = None) -> tuple[State, bool]:
    """Take a clause out of new documents (`status: retired`, `retired_on` in its lock entry).

    Returns (its state, whether anything changed). Refused (exit 1) while clauses in use refer to it or
    stand in with it. A clause retired by hand is checked and recorded; an approved clause whose file was
    deleted is recorded as retired, from its approved text.
    """
    library = load_library(folder)
    approvals = load_approvals(folder)
    approval = approvals.get(clause_id)
    clause = library.clauses.get(clause_id) or _deleted(folder, approval) or library.get(clause_id)
    if clause.status == "retired" and (approval is None or approval.retired_on):
        return clause_state(clause, approvals), False
    problems: list[MspdocsError] = [
        ProblemsFound(f"clause '{user.id}' {how}", path=user.path, line=line, clause=user.id)
        for user, line, how in dependents(library, clause_id)]
    if problems:
        problems.append(ProblemsFound(f"clause '{clause_id}' is not retired: retiring it would break or change "
                                      "every document that uses the clauses above; edit them first",
                                      clause=clause_id))
    raise_all(problems)
    if clause.status != "retired":
        replace_atomically(clause.path, with_status(clause, "retired").encode("utf-8"))
    if approval is not None:
        approvals[clause_id] = replace(approval, retired_on=on or dt.date.today())
        replace_atomically(lock_path(folder), render_lock(approvals).encode("utf-8"))
    if clause_id in library.clauses:
        clause = load_library(folder).get(clause_id)
    return clause_state(clause, approvals), True


def _deleted(folder: Path, approval: Approval | None) -> Clause | None:
    """The approved version of a clause whose file is gone, to record its retirement by."""
    if approval is None or (folder / f"{approval.clause}.md").exists():
        return None
    clause = approved_clause(folder, approval)
    return replace(clause, status="retired") if clause else None
