"""The register: an append-only, hash-chained SQLite log of every document generated and every later event.

Crash safety: a document's file is staged (written and fsynced under a hidden `.part` name), then, inside
one `BEGIN IMMEDIATE` transaction for the whole batch, every file is linked to its final name and then
every entry inserted; COMMIT comes last.
So a committed entry always has its complete file, while a kill between the link and the COMMIT leaves
at worst a complete file without an entry: an orphan, which `verify` reports as a warning and later runs
ignore (document ids are random, so no later name collides with it). A kill before the link leaves only
a hidden `.part` file, which `verify` also reports.

Entries are events: `document.generated` now, `document.signed` and `qbr.held` later, their data in
`payload`. Each entry's hash covers every other column (canonical JSON) including the previous entry's
hash, so an edited row no longer matches its hash, a rewritten hash breaks the next link, and a head
hash kept elsewhere reveals entries removed from the end.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import InputError
from .writer import discard, publish

GENESIS = "0" * 64
DOCUMENT_GENERATED = "document.generated"
# Reserved for the events that will join the same chain.
DOCUMENT_SIGNED = "document.signed"
QBR_HELD = "qbr.held"
EVENTS = (DOCUMENT_GENERATED, DOCUMENT_SIGNED, QBR_HELD)

_APPEND_ONLY = ("entries_no_update", "entries_no_delete")
# Each migration brings the schema from version N to N+1; never edit one that has shipped.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE entries (
        seq INTEGER PRIMARY KEY,
        event TEXT NOT NULL,
        document_id TEXT,
        customer TEXT,
        kind TEXT,
        recorded_at TEXT NOT NULL,
        actor TEXT NOT NULL,
        payload TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        entry_hash TEXT NOT NULL UNIQUE
    );
    CREATE INDEX entries_document ON entries(document_id);
    CREATE INDEX entries_customer ON entries(customer);
    CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
        BEGIN SELECT RAISE(ABORT, 'register entries are append-only'); END;
    CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
        BEGIN SELECT RAISE(ABORT, 'register entries are append-only'); END;
    """,
)
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


def provenance_properties(manifest: dict[str, Any]) -> dict[str, str]:
    """The custom document properties that point a copy of the document to its register entry."""
    return {"DocumentId": manifest["document_id"], "ManifestSha256": manifest_hash(manifest)}


def provenance_context(context: dict[str, Any], manifest: dict[str, Any]) -> dict[str, Any]:
    """The context's `document` with `manifest`: the short manifest hash that footers print."""
    from .environment import to_records

    document = dict(context["document"], manifest=manifest_hash(manifest)[:16])
    return {"document": to_records(document, "document")}


def current_actor(by: str | None = None) -> str:
    """Who records: `--by`, else $USER, else the login name."""
    if by:
        return by
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")


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
    """One workspace's register file, migrated to the current schema on opening."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            self._db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            # Switching a new file to WAL can fail at once, without waiting, while another process does too.
            self._retry_while_locked(lambda: self._db.execute("PRAGMA journal_mode = WAL"))
            self._db.execute("PRAGMA synchronous = FULL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise InputError(f"cannot open the register: {exc}", path=self.path) from None

    @classmethod
    def of(cls, workspace) -> Register:
        return cls(workspace.path("register"))

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def _migrate(self) -> None:
        version = self.schema_version()
        if version == len(MIGRATIONS):
            return
        with self.transaction():
            version = self.schema_version()  # another process may have migrated meanwhile
            if version > len(MIGRATIONS):
                raise InputError(f"the register has schema version {version}, newer than this mspdocs "
                                 f"understands ({len(MIGRATIONS)}): upgrade mspdocs", path=self.path)
            for script in MIGRATIONS[version:]:
                for statement in _statements(script):
                    self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")

    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction holding the register's lock (waits, then retries, while another writes)."""
        self._begin_immediate()
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

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
        payload = json.loads(canonical_json(payload))  # exactly what will be read back
        head = self._db.execute("SELECT seq, entry_hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
        seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS)
        recorded_at = utc_now()
        digest = entry_hash_of(seq, event, document_id, customer, kind, recorded_at, actor, payload, prev_hash)
        self._db.execute(
            "INSERT INTO entries (seq, event, document_id, customer, kind, recorded_at, actor, payload, "
            "prev_hash, entry_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (seq, event, document_id, customer, kind, recorded_at, actor, canonical_json(payload),
             prev_hash, digest))
        return Entry(seq, event, document_id, customer, kind, recorded_at, actor, payload, prev_hash, digest)

    def record(self, event: str, payload: dict[str, Any], actor: str, **columns: str | None) -> Entry:
        """Append one event in its own transaction."""
        with self.transaction():
            return self._append(event, payload, actor, **columns)

    def publish_document(self, files: list[tuple[Path, Path]], manifest: dict[str, Any],
                         outputs: dict[str, dict[str, str]], actor: str) -> Entry:
        """Give the staged files of one document their final names and record them: all or none."""
        return self.publish_documents([(files, manifest, outputs)], actor)[0]

    def publish_documents(self, documents: list[tuple[list[tuple[Path, Path]], dict[str, Any],
                                                      dict[str, dict[str, str]]]], actor: str) -> list[Entry]:
        """Publish and record a batch in one transaction: every document with its entry, or none of them.

        Each document is (files, manifest, outputs): `files` pairs each staged file with its final name;
        `outputs` names each file's path and SHA-256 in the payload (`output` for the document, `pdf` for
        its PDF). Entries are appended only after all the batch's files carry their final names.
        """
        published: list[Path] = []
        try:
            with self.transaction():
                try:
                    for files, _, _ in documents:
                        for staged, final in files:
                            publish(staged, final)
                            published.append(final)
                    return [self._append(DOCUMENT_GENERATED,
                                         dict(manifest, manifest_hash=manifest_hash(manifest), **outputs), actor,
                                         document_id=manifest["document_id"], customer=manifest["customer"],
                                         kind=manifest["kind"])
                            for _, manifest, outputs in documents]
                except BaseException:
                    for final in published:
                        discard(final)  # ours: linked above, and no entry will point at it
                    raise
        finally:
            for files, _, _ in documents:
                for staged, _ in files:
                    discard(staged)

    def publish(self, files: list[tuple[Path, Path]], event: str, payload: dict[str, Any], actor: str,
                **columns: str | None) -> Entry:
        """Give staged files their final names and append the event that records them: all or none."""
        published: list[Path] = []
        try:
            with self.transaction():
                try:
                    for staged, final in files:
                        publish(staged, final)
                        published.append(final)
                    return self._append(event, payload, actor, **columns)
                except BaseException:
                    for final in published:
                        discard(final)  # ours: linked above, and no entry will point at it
                    raise
        finally:
            for staged, _ in files:
                discard(staged)

    def entries(self, customer: str | None = None, kind: str | None = None, since: str | None = None,
                document_id: str | None = None) -> list[Entry]:
        """Entries in chain order, optionally filtered."""
        clauses, params = [], []
        for column, value in (("customer", customer), ("kind", kind), ("document_id", document_id)):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if since is not None:
            clauses.append("recorded_at >= ?")
            params.append(since)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self._db.execute(
            "SELECT seq, event, document_id, customer, kind, recorded_at, actor, payload, prev_hash, "
            f"entry_hash FROM entries{where} ORDER BY seq", params).fetchall()
        return [_entry(row) for row in rows]

    def missing_triggers(self) -> list[str]:
        rows = self._db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        present = {row[0] for row in rows}
        return [name for name in _APPEND_ONLY if name not in present]


def _entry(row: tuple) -> Entry:
    try:
        payload = json.loads(row[7])
    except (TypeError, ValueError):
        payload = {"unreadable": row[7]}
    return Entry(row[0], row[1], row[2], row[3], row[4], row[5], row[6], payload, row[8], row[9])


def _statements(script: str) -> list[str]:
    """Split a migration into statements (trigger bodies contain `;`, so split on complete ones)."""
    statements, current = [], ""
    for line in script.strip().splitlines():
        current += line + "\n"
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        statements.append(current.strip())
    return statements


def open_register(workspace: str | Path | None = None) -> Register:
    """The register of the workspace at `workspace` (created on first use)."""
    from .workspace import open_workspace

    return Register.of(open_workspace(workspace))


def list_entries(workspace: str | Path | None = None, customer: str | None = None, kind: str | None = None,
                 since: dt.date | None = None) -> list[Entry]:
    with open_register(workspace) as register:
        return register.entries(customer=customer, kind=kind, since=since.isoformat() if since else None)


def show_document(document_id: str, workspace: str | Path | None = None) -> list[Entry]:
    """Every entry about one document (its generation first, later events after)."""
    with open_register(workspace) as register:
        found = register.entries(document_id=document_id)
    if not found:
        raise InputError(f"no document '{document_id}' in the register", field="DOC_ID")
    return found
