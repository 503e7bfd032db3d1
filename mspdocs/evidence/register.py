"""The register: an append-only, hash-chained SQLite log of the documents generated and what became of them.

Publishing protocol: the register commit is the single commit point. A document is visible under
`output/` (a signed copy under `received/`) only once its entry is committed:
1. stage: every file of the batch is written and flushed into the batch's own staging folder inside the
   workspace, `.mspdocs/staging/<batch id>/` (locked with flock while its process lives); temporary work,
   LibreOffice's profile included, lives there too, never in /tmp;
2. journal: `journal.json` there records each file's final path and SHA-256, flushed, before the commit;
3. commit: one `BEGIN IMMEDIATE` transaction checks that the append-only triggers are exactly ours,
   appends one entry per document (final paths and hashes in the payload), reads them back, and commits;
4. place: each staged file is hard-linked to its final name (never replacing a file), then the staging
   folder is removed. SIGINT and SIGTERM wait until this step is done.
Whatever interrupts a batch (kill -9, a crash, a full disk, a power cut), the next command that opens
the workspace settles every staging folder whose lock nobody holds: if the register holds the batch's
entries, it puts the files in place (checking their hashes); otherwise it removes the folder and stops
any converter still running from it. A batch still running is never touched.

Entries are events, their data in `payload`: `document.generated` (a document and its files were issued),
`document.superseded` (a newer document of its customer and kind replaced it), `document.signed` (a signed
copy came back and is stored under received/), `qbr.held` (a business review took place: attendees,
actions), `qbr.action-closed`, `evidence.imported` (an RMM export stored normalised), `binder.assembled` (a
customer's litigation binder, its PDF and zip under output/<customer>/), `clause.approved` and
`clause.retired` (counsel's decisions on a clause text).
Each entry's hash covers every other column (canonical JSON) including the previous entry's hash, so an
edited row no longer matches its hash, a rewritten hash breaks the next link, and a head hash kept
elsewhere reveals entries removed from the end. Commands that only read open it read-only, never create it.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import InputError, MspdocsError, ProblemsFound
from ..workspace.fields import one_line
from ..workspace.folder import open_workspace
from .schema import MIGRATIONS, integrity_problems, statements, trigger_problems

GENESIS = "0" * 64
DOCUMENT_GENERATED = "document.generated"
DOCUMENT_SUPERSEDED = "document.superseded"
DOCUMENT_SIGNED = "document.signed"
QBR_HELD = "qbr.held"
QBR_ACTION_CLOSED = "qbr.action-closed"
EVIDENCE_IMPORTED = "evidence.imported"
BINDER_ASSEMBLED = "binder.assembled"
CLAUSE_APPROVED = "clause.approved"  # counsel approved a clause text (its sha256) with `clauses approve`
CLAUSE_RETIRED = "clause.retired"
EVENTS = (DOCUMENT_GENERATED, DOCUMENT_SUPERSEDED, DOCUMENT_SIGNED, QBR_HELD, QBR_ACTION_CLOSED,
          EVIDENCE_IMPORTED, BINDER_ASSEMBLED, CLAUSE_APPROVED, CLAUSE_RETIRED)

_BUSY_TIMEOUT_MS = 30_000
_BEGIN_ATTEMPTS = 20


def canonical_json(value: Any) -> str:
    """The register's own canonical JSON: the chain's hashes depend on it, so it never changes."""
    def default(item: Any) -> str:
        if isinstance(item, (dt.date, Decimal)):
            return str(item)
        raise TypeError(f"cannot serialise {type(item).__name__}")

    return json.dumps(value, default=default, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest_hash(manifest: dict[str, Any]) -> str:
    """The hash of a document's inputs (known before rendering, so the document can print it)."""
    return sha256_text(canonical_json(manifest))


def relative_path(workspace, path: Path) -> str:
    """`path` relative to the workspace root, with `/` separators: how the register names files."""
    return Path(os.path.relpath(path, workspace.root)).as_posix()


def current_actor(by: str | None = None) -> str:
    """Who records: `--by` (one line of visible text), else $USER, else the login name."""
    if by is not None:
        return one_line(by, "--by")
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


class RegisterDamaged(InputError):
    """The register file cannot be opened as a database (damaged, or not a register at all)."""


@dataclass(frozen=True)
class Publication:
    """Staged files paired with their final names, and the event that records them."""

    files: list[tuple[Path, Path]]
    event: str
    payload: dict[str, Any]
    document_id: str | None = None
    customer: str | None = None
    kind: str | None = None

    @classmethod
    def generated(cls, files: list[tuple[Path, Path]], manifest: dict[str, Any],
                  outputs: dict[str, dict[str, str]]) -> Publication:
        """A generated document: its manifest and hash, plus each file's path and SHA-256 (`output`, `pdf`)."""
        payload = dict(manifest, manifest_hash=manifest_hash(manifest), **outputs)
        return cls(files, DOCUMENT_GENERATED, payload, manifest["document_id"], manifest["customer"],
                   manifest["kind"])


@dataclass(frozen=True)
class Entry:
    """One link of the chain."""

    seq: int
    event: str
    document_id: str | None
    customer: str | None
    kind: str | None
    recorded_at: str
    actor: str
    payload: dict[str, Any]
    prev_hash: str
    entry_hash: str

    def computed_hash(self) -> str:
        return entry_hash_of(self.seq, self.event, self.document_id, self.customer, self.kind,
                             self.recorded_at, self.actor, self.payload, self.prev_hash)

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "event": self.event, "document_id": self.document_id,
                "customer": self.customer, "kind": self.kind, "recorded_at": self.recorded_at,
                "actor": self.actor, "payload": self.payload, "prev_hash": self.prev_hash,
                "entry_hash": self.entry_hash}


def entry_hash_of(seq: int, event: str, document_id: str | None, customer: str | None, kind: str | None,
                  recorded_at: str, actor: str, payload: dict[str, Any], prev_hash: str) -> str:
    return sha256_text(canonical_json({
        "seq": seq, "event": event, "document_id": document_id, "customer": customer, "kind": kind,
        "recorded_at": recorded_at, "actor": actor, "payload": payload, "prev_hash": prev_hash,
    }))


class Register:
    """One workspace's register file: created and migrated to the current schema on opening, or read-only
    (then it must exist and have the current schema)."""

    def __init__(self, path: Path, read_only: bool = False) -> None:
        self.path = Path(path)
        try:
            if read_only:  # mode=ro: neither the file nor its journal mode is touched
                self._db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True,
                                           timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            self._db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            if read_only:
                self._check_schema(self.schema_version(), migrating=False)
                return
            # Switching a new file to WAL can fail at once, without waiting, while another process does too.
            self._retry_while_locked(lambda: self._db.execute("PRAGMA journal_mode = WAL"))
            self._db.execute("PRAGMA synchronous = FULL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise RegisterDamaged(f"cannot open the register: {exc}", path=self.path) from None

    @classmethod
    def of(cls, workspace) -> Register:
        """The workspace's register, created if it does not exist yet."""
        return cls(workspace.path("register"))

    @classmethod
    def existing(cls, path: Path, read_only: bool = True) -> Register | None:
        """The register at `path`, or None when there is no such file (none is created)."""
        return cls(path, read_only=read_only) if Path(path).is_file() else None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _migrate(self) -> None:
        if self.schema_version() == len(MIGRATIONS):
            return
        with self.transaction():
            version = self.schema_version()  # another process may have migrated meanwhile
            self._check_schema(version, migrating=True)
            for script in MIGRATIONS[version:]:
                for statement in statements(script):
                    self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")

    def _check_schema(self, version: int, migrating: bool) -> None:
        if version > len(MIGRATIONS):
            raise InputError(f"the register has schema version {version}, newer than this mspdocs "
                             f"understands ({len(MIGRATIONS)}): upgrade mspdocs", path=self.path)
        if version < len(MIGRATIONS) and not migrating:
            raise InputError(f"the register has schema version {version}; `mspdocs generate` brings it to "
                             f"version {len(MIGRATIONS)}", path=self.path)

    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction holding the register's lock (waits, then retries, while another writes)."""
        self._begin_immediate()
        try:
            yield self._db
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:  # a failed COMMIT may have rolled back already
                try:
                    self._db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # the original error says why; SQLite rolls back on the next open anyway
            raise

    def _begin_immediate(self) -> None:
        self._retry_while_locked(lambda: self._db.execute("BEGIN IMMEDIATE"))

    def _retry_while_locked(self, action) -> None:
        """Run `action`, retrying while SQLite reports the file busy beyond what its busy handler covers."""
        for attempt in range(_BEGIN_ATTEMPTS):
            try:
                action()
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                if attempt == _BEGIN_ATTEMPTS - 1:
                    raise InputError("the register stays locked by another process", path=self.path) from None
                time.sleep(0.05 * (attempt + 1))

    def _append(self, event: str, payload: dict[str, Any], actor: str, document_id: str | None = None,
                customer: str | None = None, kind: str | None = None) -> Entry:
        """Add one entry; must run inside `transaction()` so the head cannot move meanwhile."""
        if event not in EVENTS:
            raise ValueError(f"unknown register event {event!r}")
        stored = canonical_json(payload)
        payload = json.loads(stored)  # exactly what will be read back
        head = self._db.execute("SELECT seq, entry_hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS)
        recorded_at = utc_now()
        digest = entry_hash_of(seq, event, document_id, customer, kind, recorded_at, actor, payload, prev_hash)
        self._db.execute(
            "INSERT INTO entries (seq, event, document_id, customer, kind, recorded_at, actor, payload, "
            "prev_hash, entry_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (seq, event, document_id, customer, kind, recorded_at, actor, stored, prev_hash, digest))
        return Entry(seq, event, document_id, customer, kind, recorded_at, actor, payload, prev_hash, digest)

    def record(self, event: str, payload: dict[str, Any], actor: str, **columns: str | None) -> Entry:
        """Append one event in its own transaction."""
        with self.transaction():
            return self._append(event, payload, actor, **columns)

    def record_computed(self, event: str, make_payload: Callable[[Register], dict[str, Any]], actor: str,
                        **columns: str | None) -> Entry:
        """Append one event whose payload is computed from the register inside the same transaction."""
        with self.transaction():
            return self._append(event, make_payload(self), actor, **columns)

    def is_empty(self) -> bool:
        return self._db.execute("SELECT 1 FROM entries LIMIT 1").fetchone() is None

    def commit(self, publications: list[Publication], actor: str,
               precondition: Callable[[Register], list[Publication] | None] | None = None) -> list[Entry]:
        """Record a batch in one transaction (the commit point): all entries, or none. The triggers must be
        ours, `precondition` sees the register as no other writer can change it (the events it returns,
        e.g. what the batch supersedes, follow the batch's own), and every entry is read back before
        COMMIT. SQLite errors (a full disk, a read-only file) become one-line errors."""
        try:
            with self.transaction():
                foreign = self.trigger_problems()
                if foreign:
                    raise ProblemsFound(f"refusing to record: {foreign[0]}; run `mspdocs register verify`",
                                        path=self.path)
                following = (precondition(self) or []) if precondition is not None else []
                entries = [self._append(p.event, p.payload, actor, document_id=p.document_id,
                                        customer=p.customer, kind=p.kind) for p in [*publications, *following]]
                self._check_landed(entries)
                return entries
        except sqlite3.Error as exc:
            raise MspdocsError(f"cannot record in the register: {exc}; nothing was recorded",
                               path=self.path) from None

    def _check_landed(self, entries: list[Entry]) -> None:
        if not entries:
            return
        rows = self._db.execute("SELECT entry_hash FROM entries WHERE seq >= ? ORDER BY seq",
                                (entries[0].seq,)).fetchall()
        if [row[0] for row in rows] != [entry.entry_hash for entry in entries]:
            raise ProblemsFound(f"refusing to record: {len(entries)} entries written but {len(rows)} found "
                                "on reading them back (the register was modified outside mspdocs); run "
                                "`mspdocs register verify`", path=self.path)

    def holds(self, event: str, document_id: str | None, files: list[dict[str, str]]) -> bool:
        """Whether an entry records `event` for `document_id` with exactly these files (path and SHA-256):
        how recovery learns whether an interrupted batch committed."""
        wanted = {(item["final"], item["sha256"]) for item in files}
        for entry in self.entries(document_id=document_id):
            if entry.event == event and wanted <= set(_recorded_files(entry.payload)):
                return True
        return False

    def entries(self, customer: str | None = None, kind: str | None = None, since: str | None = None,
                document_id: str | None = None, event: str | tuple[str, ...] | None = None) -> list[Entry]:
        """Entries in chain order, optionally filtered (`event` may name several, in one query)."""
        clauses, params = [], []
        for column, value in (("customer", customer), ("kind", kind), ("document_id", document_id), ("event", event)):
            if value is not None:
                values = value if isinstance(value, tuple) else (value,)
                clauses.append(f"{column} IN ({', '.join('?' * len(values))})")
                params.extend(values)
        if since is not None:
            clauses.append("recorded_at >= ?")
            params.append(since)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._db.execute(
            "SELECT seq, event, document_id, customer, kind, recorded_at, actor, payload, prev_hash, "
            f"entry_hash FROM entries{where} ORDER BY seq", params).fetchall()
        return [_entry(row) for row in rows]

    def trigger_problems(self) -> list[str]:
        """What differs from mspdocs's own append-only triggers: missing, altered or foreign triggers."""
        return trigger_problems(self._db)

    def integrity_problems(self) -> list[str]:
        """SQLite's own integrity check of the file (pages, indexes, constraints): empty when sound."""
        return integrity_problems(self._db)


def _recorded_files(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """The (path, SHA-256) of every file an entry names (`output`, `pdf`, `received`)."""
    files = []
    for key in ("output", "pdf", "received"):
        value = payload.get(key) if isinstance(payload, dict) else None
        if isinstance(value, dict) and isinstance(value.get("path"), str):
            files.append((value["path"], str(value.get("sha256"))))
    return files


def _entry(row: tuple) -> Entry:
    try:
        payload = json.loads(row[7])
    except (TypeError, ValueError):
        payload = {"unreadable": row[7]}
    return Entry(row[0], row[1], row[2], row[3], row[4], row[5], row[6], payload, row[8], row[9])


def open_register(workspace: str | Path | None = None) -> Register:
    """The register of the workspace at `workspace` (created on first use)."""
    return Register.of(open_workspace(workspace))


def list_entries(workspace: str | Path | None = None, customer: str | None = None, kind: str | None = None,
                 since: dt.date | None = None) -> list[Entry] | None:
    """Entries in chain order, filtered; None when the workspace has no register."""
    register = Register.existing(open_workspace(workspace).path("register"))
    if register is None:
        return None
    with register:
        return register.entries(customer=customer, kind=kind, since=since.isoformat() if since else None)


def show_document(document_id: str, workspace: str | Path | None = None) -> list[Entry]:
    """Every entry about one document (its generation first, the events that follow after)."""
    register = Register.existing(open_workspace(workspace).path("register"))
    found = []
    if register is not None:
        with register:
            found = register.entries(document_id=document_id)
    if not found:
        raise InputError(f"no document '{document_id}' in the register", field="DOC_ID")
    return found
