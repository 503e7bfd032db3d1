"""The register: every document recorded with its provenance, append-only, and verifiable later."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from conftest import issue_baas, AS_OF

from mspdocs.batch import generate
from mspdocs.evidence.current import current_documents
from mspdocs.cli import cli
from mspdocs.errors import InputError, MspdocsError
from mspdocs.evidence.register import GENESIS, MIGRATIONS, Publication, Register
from mspdocs.render.docxrender import custom_properties
from mspdocs.render.gate import document_texts

ROOT = Path(__file__).resolve().parent.parent


def _entries(workspace: Path):
    with Register(workspace / "register.sqlite3") as register:
        return register.entries()


def _sql(workspace: Path, *statements: str) -> None:
    """Change the register behind the tool's back."""
    db = sqlite3.connect(workspace / "register.sqlite3", isolation_level=None)
    try:
        for statement in statements:
            db.execute(statement)
    finally:
        db.close()


def _verify(runner, workspace: Path, *args: str):
    return runner.invoke(cli, ["-w", str(workspace), "register", "verify", *args])


def test_generate_records_the_full_manifest_of_each_document(workspace):
    written = generate("agreement", ["pinecrest-law", "muller-obrien"], workspace=workspace, as_of=AS_OF,
                       by="alice")
    entries = _entries(workspace)
    assert [e.document_id for e in entries] == [w.document_id for w in written]
    first = entries[0]
    assert (first.seq, first.event, first.customer, first.kind) == (1, "document.generated", "pinecrest-law",
                                                                   "agreement")
    assert first.prev_hash == GENESIS and entries[1].prev_hash == first.entry_hash
    assert first.actor == "alice" and first.recorded_at.endswith("Z")
    payload = first.payload
    assert payload["output"] == {"path": f"output/pinecrest-law/{written[0].path.name}",
                                 "sha256": written[0].sha256}
    assert payload["as_of"] == "2026-11-27" and payload["draft"] is False
    assert payload["template"]["file"] == "agreement.docx" and len(payload["template"]["sha256"]) == 64
    assert payload["clauses"] and {"id", "version", "sha256", "section"} <= set(payload["clauses"][0])
    assert len(payload["data_sha256"]) == 64 and len(payload["manifest_hash"]) == 64


def test_user_defaults_to_the_environment(workspace, monkeypatch):
    monkeypatch.setenv("USER", "bob")
    generate("agreement", ["pinecrest-law"], workspace=workspace, as_of=AS_OF, draft=True)
    (entry,) = _entries(workspace)
    assert entry.actor == "bob" and entry.payload["draft"] is True


def test_document_carries_its_id_and_manifest_hash(workspace):
    (written,) = generate("agreement", ["pinecrest-law"], workspace=workspace, as_of=AS_OF)
    manifest_hash = _entries(workspace)[0].payload["manifest_hash"]
    data = written.path.read_bytes()
    assert custom_properties(data) == {"DocumentId": written.document_id, "ManifestSha256": manifest_hash}
    footer = " ".join(line for part, lines in document_texts(data).items() if "footer" in part for line in lines)
    assert written.document_id in footer and "Page" in footer and manifest_hash[:16] not in footer
    body = document_texts(data)["word/document.xml"]
    signatures = body.index("Signatures")  # the small line sits under the signature block
    assert f"Document {written.document_id} \u00b7 manifest SHA-256 {manifest_hash[:16]}" in body[signatures:]


def test_register_survives_cleaning_the_output_folder(workspace, runner):
    import shutil

    generate("agreement", ["pinecrest-law"], workspace=workspace, as_of=AS_OF)
    shutil.rmtree(workspace / "output")
    result = runner.invoke(cli, ["-w", str(workspace), "register", "list"])
    assert result.exit_code == 0 and "pinecrest-law" in result.output


def test_a_failed_batch_leaves_no_entry(workspace):
    (workspace / "customers" / "pinecrest-law.yaml").write_text("id: pinecrest-law\n", encoding="utf-8")
    with pytest.raises(MspdocsError):
        generate("agreement", workspace=workspace, as_of=AS_OF)
    assert not (workspace / "output").exists() or not any((workspace / "output").rglob("*.docx"))
    assert not (workspace / "register.sqlite3").exists() or _entries(workspace) == []


def _publish_one(workspace: Path, final: Path, data: bytes):
    """Publish `data` as `final` through the protocol, as a batch does."""
    from mspdocs.evidence.publish import publish, stage_document
    from mspdocs.workspace.folder import open_workspace
    from mspdocs.workspace.staging import open_batch

    space = open_workspace(workspace)
    manifest = {"document_id": "AGR-X", "customer": "c", "kind": "agreement"}
    with open_batch(space.root) as batch:
        staged = stage_document(batch, "AGR-X.docx", data)
        outputs = {"output": {"path": final.relative_to(workspace).as_posix(),
                              "sha256": hashlib.sha256(data).hexdigest()}}
        return publish(space, batch, [Publication.generated([(staged, final)], manifest, outputs)], "me")


def test_a_document_that_cannot_be_published_is_not_recorded(workspace):
    final = workspace / "output" / "taken.docx"
    final.parent.mkdir(exist_ok=True)
    final.write_bytes(b"an issued document")
    with pytest.raises(InputError, match="overwrite"):
        _publish_one(workspace, final, b"new")
    assert not (workspace / "register.sqlite3").exists() or _entries(workspace) == []
    assert final.read_bytes() == b"an issued document"
    assert [p.name for p in final.parent.iterdir()] == ["taken.docx"]
    assert list((workspace / ".mspdocs" / "staging").iterdir()) == []


def test_a_failed_insert_leaves_no_file(workspace, monkeypatch):
    def refuse(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(Register, "_append", refuse)
    final = workspace / "output" / "doc.docx"
    with pytest.raises(MspdocsError, match="cannot record in the register: disk I/O error"):
        _publish_one(workspace, final, b"x")
    assert not final.exists()
    assert _entries(workspace) == []
    assert list((workspace / ".mspdocs" / "staging").iterdir()) == []


def test_updates_and_deletes_are_refused(workspace):
    generate("agreement", ["pinecrest-law"], workspace=workspace, as_of=AS_OF)
    for statement in ("UPDATE entries SET actor = 'mallory'", "DELETE FROM entries"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            _sql(workspace, statement)
    assert len(_entries(workspace)) == 1


def test_schema_is_versioned_and_a_newer_one_is_refused(workspace):
    with Register(workspace / "register.sqlite3") as register:
        assert register.schema_version() == len(MIGRATIONS)
    _sql(workspace, f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(InputError, match="newer"):
        Register(workspace / "register.sqlite3")


def test_verify_passes_and_prints_the_head(workspace, runner):
    issue_baas(workspace)
    generate("agreement", workspace=workspace, as_of=AS_OF)
    head = _entries(workspace)[-1].entry_hash
    result = _verify(runner, workspace)
    assert result.exit_code == 0, result.output
    assert f"head {head}" in result.output and "8 entries" in result.output  # a BAA and 7 agreements
    assert _verify(runner, workspace, "--head", head).exit_code == 0
    report = json.loads(_verify(runner, workspace, "--format", "json").output)
    assert report["ok"] is True and report["head"] == head and report["problems"] == []


def test_verify_names_a_row_edited_behind_the_tools_back(workspace, runner):
    issue_baas(workspace)
    generate("agreement", workspace=workspace, as_of=AS_OF)
    _sql(workspace, "DROP TRIGGER entries_no_update",
         "UPDATE entries SET payload = replace(payload, '\"draft\":false', '\"draft\":true') WHERE seq = 3")
    result = _verify(runner, workspace)
    assert result.exit_code == 1
    broken = [line for line in result.output.splitlines() if line.startswith("PROBLEM")]
    assert any("entry 3 " in line and "does not match its hash" in line for line in broken)
    assert any("entries_no_update" in line for line in broken)
    assert not any("entry 2 " in line or "entry 4 " in line for line in broken)


def test_verify_names_the_next_entry_when_a_hash_is_rewritten(workspace, runner):
    issue_baas(workspace)
    from mspdocs.evidence.register import entry_hash_of

    generate("agreement", workspace=workspace, as_of=AS_OF)
    entry = _entries(workspace)[1]
    forged = entry_hash_of(entry.seq, entry.event, entry.document_id, "someone-else", entry.kind,
                           entry.recorded_at, entry.actor, entry.payload, entry.prev_hash)
    _sql(workspace, "DROP TRIGGER entries_no_update",
         f"UPDATE entries SET customer = 'someone-else', entry_hash = '{forged}' WHERE seq = 2")
    result = _verify(runner, workspace)
    assert result.exit_code == 1
    assert any(line.startswith("PROBLEM  entry 3 ") and "does not link" in line
               for line in result.output.splitlines())


def test_verify_with_an_anchored_head_detects_a_deleted_last_entry(workspace, runner):
    issue_baas(workspace)
    generate("agreement", workspace=workspace, as_of=AS_OF)
    head = _entries(workspace)[-1].entry_hash
    _sql(workspace, "DROP TRIGGER entries_no_delete", "DELETE FROM entries WHERE seq = 8",
         "CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries "
         "BEGIN SELECT RAISE(ABORT, 'register entries are append-only'); END")
    unanchored = _verify(runner, workspace)  # the truncated chain is consistent in itself, but its
    assert unanchored.exit_code == 1       # document is left without an entry
    assert "not in the register: entries were removed" in unanchored.output
    result = _verify(runner, workspace, "--head", head)
    assert result.exit_code == 1 and f"anchored head {head} is not in the register" in result.output


def test_verify_names_altered_and_missing_files(workspace, runner):
    issue_baas(workspace)
    written = generate("agreement", workspace=workspace, as_of=AS_OF)
    with written[1].path.open("ab") as handle:
        handle.write(b"\0")
    written[4].path.unlink()
    result = _verify(runner, workspace)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(written[1].document_id in line and written[1].path.name in line and "altered" in line
               for line in lines)
    assert any(written[4].document_id in line and "file is missing" in line for line in lines)


def test_verify_names_unrecorded_documents_and_warns_about_partial_files(workspace, runner):
    generate("agreement", ["pinecrest-law"], workspace=workspace, as_of=AS_OF)
    (workspace / "output" / "pinecrest-law" / ".stray.docx.abc.part").write_bytes(b"x")
    partial = _verify(runner, workspace)
    assert partial.exit_code == 0 and "partial file left by an interrupted run" in partial.output
    (workspace / "output" / "pinecrest-law" / "stray.docx").write_bytes(b"x")
    result = _verify(runner, workspace)
    assert result.exit_code == 1
    assert "stray.docx: not in the register" in result.output


def test_an_emptied_register_is_not_silently_replaced(workspace, runner):
    generate("agreement", ["pinecrest-law", "muller-obrien"], workspace=workspace, as_of=AS_OF)
    for name in ("register.sqlite3-wal", "register.sqlite3-shm"):
        (workspace / name).unlink(missing_ok=True)
    (workspace / "register.sqlite3").write_bytes(b"")
    again = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "pinecrest-law"])
    assert again.exit_code == 2 and "the register is missing or empty" in again.output
    assert len(list((workspace / "output").rglob("*.docx"))) == 2


def test_list_filters_and_json(workspace, runner):
    issue_baas(workspace)
    generate("agreement", workspace=workspace, as_of=AS_OF)
    base = ["-w", str(workspace), "register", "list"]
    result = runner.invoke(cli, [*base, "--customer", "pinecrest-law", "--format", "json"])
    rows = json.loads(result.output)
    assert result.exit_code == 0 and [row["customer"] for row in rows] == ["pinecrest-law"]
    assert len(runner.invoke(cli, [*base, "--kind", "agreement"]).output.splitlines()) == 1 + 7  # header
    for option in (["--kind", "risk-letter"], ["--since", "2999-01-01"]):
        none = runner.invoke(cli, [*base, *option])
        assert none.exit_code == 0 and none.stdout == "" and none.stderr == "no entries match\n"
    assert runner.invoke(cli, [*base, "--since", "yesterday"]).exit_code == 2
    unknown = runner.invoke(cli, [*base, "--kind", "contract"])
    assert unknown.exit_code == 2 and "'contract' is not one of 'agreement'" in unknown.output


def test_list_shows_draft_and_pdf_columns(workspace, runner):
    generate("agreement", ["pinecrest-law"], workspace=workspace, as_of=AS_OF, draft=True)
    result = runner.invoke(cli, ["-w", str(workspace), "register", "list"])
    header, row = result.stdout.splitlines()
    assert header.split() == ["SEQ", "RECORDED_AT", "EVENT", "DOCUMENT", "CUSTOMER", "KIND", "STATUS", "DRAFT",
                              "BY", "FILE", "PDF"]
    cells = row.split()
    assert cells[cells.index("agreement") + 1: cells.index("agreement") + 3] == ["draft", "yes"]
    assert cells[-1] == "-" and cells[-2].endswith(".docx")


def test_read_only_commands_never_create_the_register(workspace, runner):
    base = ["-w", str(workspace), "register"]
    listed = runner.invoke(cli, [*base, "list"])
    assert listed.exit_code == 0 and listed.stdout == "" and listed.stderr == "the register is empty\n"
    assert runner.invoke(cli, [*base, "list", "--format", "json"]).stdout.strip() == "[]"
    shown = runner.invoke(cli, [*base, "show", "AGR-NOPE"])
    assert shown.exit_code == 2 and "no document 'AGR-NOPE'" in shown.output
    verified = runner.invoke(cli, [*base, "verify"])
    assert verified.exit_code == 0 and "ok: 0 entries" in verified.output
    assert not (workspace / "register.sqlite3").exists()


def test_a_deleted_register_is_a_problem_and_is_not_replaced(workspace, runner):
    generate("agreement", ["pinecrest-law", "muller-obrien"], workspace=workspace, as_of=AS_OF)
    for name in ("register.sqlite3", "register.sqlite3-wal", "register.sqlite3-shm"):
        (workspace / name).unlink(missing_ok=True)
    result = _verify(runner, workspace)
    assert result.exit_code == 1
    assert "the register is missing, but output/ holds 2 documents" in result.output
    assert not (workspace / "register.sqlite3").exists()
    again = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "pinecrest-law"])
    assert again.exit_code == 2
    assert ("the register is missing or empty but output/ holds 2 documents; restore register.sqlite3 "
            "before generating" in again.output)
    assert not (workspace / "register.sqlite3").exists()
    assert len(list((workspace / "output").rglob("*.docx"))) == 2


def test_a_head_that_is_not_a_hash_is_bad_input(workspace, runner):
    generate("agreement", ["pinecrest-law"], workspace=workspace, as_of=AS_OF)
    for head in ("3f5a...e1", "g" * 64, "a" * 63):
        result = _verify(runner, workspace, "--head", head)
        assert result.exit_code == 2 and "is not a head hash (64 hexadecimal characters)" in result.output


def test_show_prints_the_manifest(workspace, runner):
    (written,) = generate("agreement", ["pinecrest-law"], workspace=workspace, as_of=AS_OF)
    result = runner.invoke(cli, ["-w", str(workspace), "register", "show", written.document_id])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["document", written.document_id]
    assert "customer   pinecrest-law" in lines and "kind       agreement" in lines and "draft      no" in lines
    assert f"{written.path.relative_to(workspace).as_posix()}  sha256 {written.sha256}" in result.stdout
    assert "SECTION  ID" in result.stdout and "{" not in result.stdout
    shown = json.loads(runner.invoke(cli, ["-w", str(workspace), "register", "show", written.document_id,
                                           "--format", "json"]).stdout)
    assert shown[0]["payload"]["output"]["sha256"] == written.sha256
    missing = runner.invoke(cli, ["-w", str(workspace), "register", "show", "AGR-NOPE"])
    assert missing.exit_code == 2 and "no document 'AGR-NOPE'" in missing.output


def test_generate_by_option_is_recorded(workspace, runner):
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "pinecrest-law", "--by",
                                 "Dana Whitcomb", "--as-of", "2026-11-27"])
    assert result.exit_code == 0, result.output
    assert _entries(workspace)[0].actor == "Dana Whitcomb"


def _batch(workspace: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "mspdocs", "-w", str(workspace), "generate", "agreement",
                             "--all", "--as-of", "2026-11-27"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _documents(workspace: Path) -> list[Path]:
    return sorted(p for p in (workspace / "output").rglob("*.docx") if not p.name.startswith("."))


def test_two_concurrent_batches_record_every_document_once(workspace, runner):
    issue_baas(workspace)
    processes = [_batch(workspace), _batch(workspace)]
    for process in processes:
        _, err = process.communicate()
        assert process.returncode == 0, err.decode()
    entries = _entries(workspace)
    generated = [e for e in entries if e.event == "document.generated"]
    recorded = [workspace / e.payload["output"]["path"] for e in generated]
    assert sorted(recorded) == _documents(workspace) and len(set(recorded)) == len(generated)
    generated = [e for e in generated if e.kind == "agreement"]  # the healthcare customer's BAA came first
    # the later batch found the earlier one's documents unchanged, or (racing it) superseded each one
    superseded = [e.document_id for e in entries if e.event == "document.superseded"]
    assert len(generated) in (7, 14) and len(superseded) == len(generated) - 7
    current = current_documents(workspace)
    assert len(current) == 1 + 7 and not {e.document_id for e in current} & set(superseded)
    assert _verify(runner, workspace).exit_code == 0


def _large_portfolio(workspace: Path, count: int) -> None:
    text = (workspace / "customers" / "pinecrest-law.yaml").read_text(encoding="utf-8")
    for number in range(count):
        customer_id = f"client-{number:03d}"
        (workspace / "customers" / f"{customer_id}.yaml").write_text(
            text.replace("id: pinecrest-law", f"id: {customer_id}"), encoding="utf-8")


def test_a_killed_batch_is_finished_or_removed_by_the_next_command(workspace, runner):
    issue_baas(workspace)
    _large_portfolio(workspace, 40)
    process = _batch(workspace)
    while not (workspace / "output").exists() or len(_documents(workspace)) < 3:  # mid-way through placing
        if process.poll() is not None:
            break
        time.sleep(0.001)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    result = _verify(runner, workspace)  # opening the workspace finishes the committed batch
    assert result.exit_code == 0, result.output
    entries = _entries(workspace) if (workspace / "register.sqlite3").exists() else []
    recorded = sorted(workspace / entry.payload["output"]["path"] for entry in entries)
    assert recorded == _documents(workspace)  # every entry has its file, and every file its entry
    for document in recorded:
        with zipfile.ZipFile(document) as archive:
            assert archive.testzip() is None
    assert list((workspace / ".mspdocs" / "staging").iterdir()) == []
    rerun = _batch(workspace)
    _, err = rerun.communicate()
    assert rerun.returncode == 0, err.decode()
    # A finished batch stands unchanged; a removed one is issued in full now.
    assert len(_entries(workspace)) == len(entries) + (0 if entries else 47)
    assert _verify(runner, workspace).exit_code == 0


def test_later_events_join_the_same_chain(workspace, runner):
    generate("agreement", ["pinecrest-law"], workspace=workspace, as_of=AS_OF)
    with Register(workspace / "register.sqlite3") as register:
        held = register.record("qbr.held", {"held_on": "2026-11-20", "attendees": ["Jane Roe"]}, "carol",
                               customer="pinecrest-law")
        with pytest.raises(ValueError):
            register.record("document.burned", {}, "mallory")
    assert held.seq == 2 and held.prev_hash == _entries(workspace)[0].entry_hash
    result = _verify(runner, workspace)
    assert result.exit_code == 0 and f"head {held.entry_hash}" in result.output


def _open_and_record(path: Path, barrier, results) -> None:
    barrier.wait()
    try:
        with Register(path) as register:
            register.record("qbr.held", {"pid": os.getpid()}, "t")
        results.put("ok")
    except Exception as exc:  # reported to the parent, which asserts on it
        results.put(repr(exc))


def test_processes_creating_the_register_at_once_all_succeed(tmp_path):
    import multiprocessing

    context = multiprocessing.get_context("fork")
    for round_number in range(5):
        path = tmp_path / f"r{round_number}" / "register.sqlite3"
        barrier, results = context.Barrier(8), context.Queue()
        processes = [context.Process(target=_open_and_record, args=(path, barrier, results)) for _ in range(8)]
        for process in processes:
            process.start()
        outcomes = [results.get() for _ in processes]
        for process in processes:
            process.join()
        assert outcomes == ["ok"] * 8
        with Register(path) as register:
            assert [entry.seq for entry in register.entries()] == list(range(1, 9))


def _generate_cli(runner, workspace: Path, *customers: str):
    return runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", *customers, "--as-of", "2026-11-28"])


def test_a_same_named_trigger_that_lets_updates_through_is_found(workspace, runner):
    generate("agreement", ["pinecrest-law"], workspace=workspace, as_of=AS_OF)
    _sql(workspace, "DROP TRIGGER entries_no_update",
         "CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries WHEN 0 "
         "BEGIN SELECT RAISE(ABORT, 'register entries are append-only'); END")
    result = _verify(runner, workspace)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "append-only trigger 'entries_no_update' was replaced by different SQL" in result.output
    refused = _generate_cli(runner, workspace, "muller-obrien")
    assert refused.exit_code == 1 and "refusing to record: append-only trigger" in refused.output
    assert len(_entries(workspace)) == 1 and len(_documents(workspace)) == 1


def test_a_trigger_that_swallows_inserts_stops_generate(workspace, runner, monkeypatch):
    generate("agreement", ["pinecrest-law"], workspace=workspace, as_of=AS_OF)
    _sql(workspace, "CREATE TRIGGER quiet BEFORE INSERT ON entries BEGIN SELECT RAISE(IGNORE); END")
    result = _verify(runner, workspace)
    assert result.exit_code == 1 and "unexpected trigger 'quiet'" in result.output
    refused = _generate_cli(runner, workspace, "muller-obrien")
    assert refused.exit_code == 1 and "refusing to record: unexpected trigger 'quiet'" in refused.output
    # Even with the trigger check out of the way, reading the entries back finds the lost insert.
    monkeypatch.setattr(Register, "trigger_problems", lambda self: [])
    lost = _generate_cli(runner, workspace, "muller-obrien")
    assert lost.exit_code == 1 and "1 entries written but 0 found on reading them back" in lost.output
    assert len(_entries(workspace)) == 1 and len(_documents(workspace)) == 1
    assert not list((workspace / ".mspdocs" / "staging").iterdir())


def test_a_damaged_register_is_reported_not_a_traceback(workspace, runner):
    issue_baas(workspace)
    generate("agreement", workspace=workspace, as_of=AS_OF)
    with Register(workspace / "register.sqlite3") as register:
        register._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        root, size = register._db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'entries'").fetchone()[0], \
            register._db.execute("PRAGMA page_size").fetchone()[0]
    path = workspace / "register.sqlite3"
    data = bytearray(path.read_bytes())
    start = (root - 1) * size
    data[start:start + 8] = b"\xff" * 8  # the entries table's root page header: no valid b-tree page
    path.write_bytes(bytes(data))
    result = _verify(runner, workspace)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert "the database is damaged" in result.output or "the register cannot be read" in result.output
    path.write_bytes(b"this is not a database at all" * 200)
    for name in ("register.sqlite3-wal", "register.sqlite3-shm"):
        (workspace / name).unlink(missing_ok=True)
    result = _verify(runner, workspace)
    assert result.exit_code == 1 and "the register is damaged" in result.output
    assert "Traceback" not in result.output and "head unknown" in result.output
