"""`register verify`: recompute the hash chain, re-hash every recorded file, find files it does not account for."""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..workspace.staging import in_flight, staged_batches
from .register import (
    BINDER_ASSEMBLED,
    DOCUMENT_GENERATED,
    DOCUMENT_SIGNED,
    EVENTS,
    EVIDENCE_IMPORTED,
    GENESIS,
    Entry,
    Register,
    RegisterDamaged,
    relative_path,
)


@dataclass(frozen=True)
class Finding:
    """One broken entry, missing or altered file (a problem), or an unrecorded file (a warning)."""

    message: str
    seq: int | None = None
    document_id: str | None = None
    path: str | None = None

    def __str__(self) -> str:
        where = []
        if self.seq is not None:
            where.append(f"entry {self.seq}")
        if self.document_id:
            where.append(self.document_id)
        if self.path:
            where.append(self.path)
        return f"{' '.join(where)}: {self.message}" if where else self.message

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "document_id": self.document_id, "path": self.path, "message": self.message}


@dataclass
class Verification:
    """What `verify` found; `ok` when the chain, every file and the anchored head (if any) hold."""

    entries: int = 0
    head: str | None = GENESIS  # None when the register cannot be read
    anchor: str | None = None
    anchor_found: bool | None = None
    problems: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "head": self.head, "anchor": self.anchor,
                "anchor_found": self.anchor_found, "problems": [f.as_dict() for f in self.problems],
                "warnings": [f.as_dict() for f in self.warnings]}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def issued_files(folder: Path) -> list[Path]:
    """The documents (*.docx, *.pdf, not hidden) anywhere below `folder`."""
    if not folder.is_dir():
        return []
    return sorted(path for pattern in ("*.docx", "*.pdf") for path in folder.rglob(pattern)
                  if not path.name.startswith(".") and path.is_file())


def require_records_or_no_documents(workspace, register: Register | None) -> None:
    """Refuse to start a new chain while output/ holds documents, which a lost register recorded.

    With `register` None, checks before the register is opened (and so created); with the register,
    run inside the publishing transaction, where another batch's files are either recorded or absent.
    """
    if register is not None and not register.is_empty():
        return
    found = issued_files(workspace.output_dir)
    if found:
        folder = relative_path(workspace, workspace.output_dir)
        name = workspace.path("register").name
        raise InputError(f"the register is missing or empty but {folder}/ holds {len(found)} documents; restore "
                         f"{name} before generating", path=workspace.path("register"))


def check_chain(entries: list[Entry], result: Verification) -> None:
    """Every entry hashes to its stored hash, links to the one before it, and numbers follow on."""
    previous_hash, previous_seq = GENESIS, 0
    for entry in entries:
        def broken(message: str, entry=entry) -> None:
            result.problems.append(Finding(message, entry.seq, entry.document_id))

        if entry.seq != previous_seq + 1:
            broken(f"entries {previous_seq + 1} to {entry.seq - 1} are missing")
        if entry.prev_hash != previous_hash:
            broken("does not link to the entry before it (prev_hash differs)")
        if entry.computed_hash() != entry.entry_hash:
            broken("its content does not match its hash (altered after it was recorded)")
        if entry.event not in EVENTS:
            broken(f"unknown event '{entry.event}'")
        previous_hash, previous_seq = entry.entry_hash, entry.seq
    result.entries = len(entries)
    result.head = previous_hash


OUTPUT_KEYS = ("output", "pdf")  # the payload keys that name a file of a generated document
RECEIVED_KEYS = ("received",)  # the payload key that names the stored copy of a signed document
# The payload keys that name recorded files, by event (the first one is required).
FILE_KEYS = {DOCUMENT_GENERATED: OUTPUT_KEYS, DOCUMENT_SIGNED: RECEIVED_KEYS, EVIDENCE_IMPORTED: ("stored",),
             BINDER_ASSEMBLED: ("pdf", "zip")}


def check_files(root: Path, entries: list[Entry], result: Verification,
                publishing: set[str] = frozenset()) -> set[Path]:
    """Re-hash every generated and received file; returns the paths the register accounts for.

    A file a running batch is putting in place just now (`publishing`, by recorded path) is not missing.
    """
    recorded: set[Path] = set()
    for entry in entries:
        if entry.event not in FILE_KEYS:
            continue
        payload = entry.payload if isinstance(entry.payload, dict) else {}
        required = FILE_KEYS[entry.event][0]
        if not isinstance(payload.get(required), dict):
            result.problems.append(Finding(f"records no {required} file", entry.seq, entry.document_id))
            continue
        for key, output in _named_files(payload, entry.event):
            if not isinstance(output, dict) or not isinstance(output.get("path"), str):
                result.problems.append(Finding(f"records no {key} path", entry.seq, entry.document_id))
                continue
            path = root / output["path"]
            recorded.add(path.resolve())
            if not path.is_file() and output["path"] in publishing:
                result.warnings.append(Finding("being put in place by a running batch", entry.seq,
                                               entry.document_id, output["path"]))
            elif not path.is_file():
                result.problems.append(Finding("file is missing", entry.seq, entry.document_id, output["path"]))
            elif file_sha256(path) != output.get("sha256"):
                result.problems.append(Finding("file was altered (SHA-256 differs from the register)",
                                               entry.seq, entry.document_id, output["path"]))
    return recorded


def _named_files(payload: dict, event: str):
    """(payload key, file record) of each file an entry names; a platform copy's completion certificates
    are a list."""
    for key in FILE_KEYS[event]:
        if payload.get(key) is not None:
            yield key, payload[key]
    completions = payload.get("completion") if event == DOCUMENT_SIGNED else None
    for record in completions if isinstance(completions, list) else []:
        yield "completion", record


UNRECORDED = ("not in the register: entries were removed, or the file was put there by hand (mspdocs "
              "puts a document in place only after recording it)")


def check_unrecorded(root: Path, output_dir: Path, recorded: set[Path], result: Verification) -> None:
    """Name the documents no entry accounts for (a problem: the register may have lost entries), and warn
    about partial files left by a stopped run."""
    if not output_dir.is_dir():
        return
    for folder, _, names in os.walk(output_dir):
        for name in sorted(names):
            path = Path(folder) / name
            shown = os.path.relpath(path, root)
            if name.endswith(".part") and name.startswith("."):
                result.warnings.append(Finding("partial file left by an interrupted run", path=shown))
            elif not name.startswith(".") and path.resolve() not in recorded:
                result.problems.append(Finding(UNRECORDED, path=shown))


def verify(workspace: str | Path | None = None, head: str | None = None) -> Verification:
    """Check the register of a workspace: chain, append-only triggers, files, and an anchored head.

    Only reads: a missing register is a problem when documents exist, and is never created.
    """
    from ..workspace.folder import open_workspace

    anchor = _anchor(head)
    space = open_workspace(workspace)
    result = Verification()
    try:
        register = Register.existing(space.path("register"))
    except RegisterDamaged as exc:
        result.problems.append(Finding(f"the register is damaged: {exc.message}",
                                       path=relative_path(space, space.path("register"))))
        result.head = None
        return result
    if register is None:
        check_missing_register(space, result)
        entries = []
    else:
        entries = read_checked(register, space, result)
        if entries is None:  # unreadable: no head, and the files cannot be compared with anything
            result.head = None
            return result
        check_chain(entries, result)
        recorded = check_files(space.root, entries, result, in_flight(space.root))
        check_unrecorded(space.root, space.output_dir, recorded, result)
        check_unrecorded(space.root, space.path("received"), recorded, result)
        check_staging(space, result)
    if anchor is not None:
        result.anchor = anchor
        result.anchor_found = any(entry.entry_hash == anchor for entry in entries)
        if not result.anchor_found:
            result.problems.append(Finding(f"anchored head {anchor} is not in the register "
                                           "(entries were removed or replaced after it)"))
    return result


def read_checked(register: Register, space, result: Verification) -> list[Entry] | None:
    """The entries, after SQLite's integrity check and the check of the append-only triggers; None when
    the database cannot be read."""
    where = relative_path(space, register.path)
    with register:
        try:
            for problem in register.integrity_problems():
                result.problems.append(Finding(f"the database is damaged: {problem}", path=where))
            for problem in register.trigger_problems():
                result.problems.append(Finding(f"{problem} (the register was modified outside mspdocs)",
                                               path=where))
            return register.entries()
        except sqlite3.DatabaseError as exc:
            result.problems.append(Finding(f"the register cannot be read: {exc}", path=where))
            return None


def check_staging(space, result: Verification) -> None:
    """Name the staging folders of interrupted batches that recovery could not finish or remove."""
    for folder, live in staged_batches(space.root):
        if not live:
            result.warnings.append(Finding("an interrupted batch is still staged (it is finished or removed "
                                           "by the next command that can write to the workspace)",
                                           path=relative_path(space, folder)))


def _anchor(head: str | None) -> str | None:
    """The anchored head hash, normalised; bad input unless it is 64 hexadecimal characters."""
    if head is None:
        return None
    anchor = head.strip().lower()
    if not re.fullmatch(r"[0-9a-f]{64}", anchor):
        raise InputError(f"'{head}' is not a head hash (64 hexadecimal characters)", field="--head")
    return anchor


def check_missing_register(space, result: Verification) -> None:
    """Without a register, every document in output/ or received/ has lost its record."""
    folders = [space.output_dir, space.path("received")]
    holding = [folder for folder in folders if issued_files(folder)]
    if holding:
        count = sum(len(issued_files(folder)) for folder in holding)
        names = " and ".join(f"{relative_path(space, folder)}/" for folder in holding)
        result.problems.append(Finding(f"the register is missing, but {names} "
                                       f"{'hold' if len(holding) > 1 else 'holds'} {count} document{'s' if count != 1 else ''}",
                                       path=relative_path(space, space.path("register"))))
