"""The register's SQLite schema: its migrations, and the checks that the file still has exactly that schema."""

from __future__ import annotations

import sqlite3

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


def statements(script: str) -> list[str]:
    """Split a migration into statements (trigger bodies contain `;`, so split on complete ones)."""
    found, current = [], ""
    for line in script.strip().splitlines():
        current += line + "\n"
        if sqlite3.complete_statement(current):
            found.append(current.strip())
            current = ""
    if current.strip():
        found.append(current.strip())
    return found


def trigger_problems(db: sqlite3.Connection) -> list[str]:
    """What differs from mspdocs's own append-only triggers: missing, altered or foreign triggers.

    Names alone prove nothing: a same-named trigger `WHEN 0` lets updates through, and an extra one can
    swallow inserts; so each trigger's SQL is compared with the text the migrations create.
    """
    rows = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
    present = {name: _normalised(sql or "") for name, sql in rows}
    expected = _expected_triggers()
    problems = []
    for name, sql in expected.items():
        if name not in present:
            problems.append(f"append-only trigger '{name}' is missing")
        elif present[name] != sql:
            problems.append(f"append-only trigger '{name}' was replaced by different SQL")
    problems += [f"unexpected trigger '{name}'" for name in present if name not in expected]
    return problems


def integrity_problems(db: sqlite3.Connection) -> list[str]:
    """SQLite's own integrity check of the file (pages, indexes, constraints): empty when sound."""
    found = [str(row[0]) for row in db.execute("PRAGMA integrity_check").fetchall()]
    return [] if found == ["ok"] else found


def _normalised(sql: str) -> str:
    return " ".join(sql.replace(";", " ; ").split()).rstrip(" ;")


def _expected_triggers() -> dict[str, str]:
    """Each trigger the migrations create, by name, as SQLite stores it (whitespace aside)."""
    found = {}
    for script in MIGRATIONS:
        for statement in statements(script):
            words = statement.split()
            if words[:2] == ["CREATE", "TRIGGER"]:
                found[words[2]] = _normalised(statement)
    return found
