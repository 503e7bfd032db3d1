"""One current document per customer and kind: unchanged, superseded, reissued, and the register's view."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from conftest import AS_OF

from mspdocs.cli import cli
from mspdocs.evidence.current import current_documents


def _generate(runner, workspace, *args: str):
    result = runner.invoke(cli, ["-w", str(workspace), "generate", *args, "--as-of", AS_OF.isoformat(),
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _events(workspace) -> list[tuple]:
    with sqlite3.connect(workspace / "register.sqlite3") as db:
        return db.execute("SELECT event, document_id, customer, kind, payload FROM entries ORDER BY seq").fetchall()


def test_regenerating_with_nothing_changed_issues_nothing(runner, workspace):
    [first] = _generate(runner, workspace, "agreement", "pinecrest-law")
    assert first["status"] == "new" and first["supersedes"] is None
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "pinecrest-law",
                                 "--as-of", "2026-12-15"])  # another day: the date is not an input
    assert result.exit_code == 0, result.output
    path, document_id, status = result.output.strip().split("\t")
    assert (document_id, status) == (first["document_id"], "unchanged")
    assert path.endswith(first["path"].split("/")[-1])
    assert len(list((workspace / "output" / "pinecrest-law").glob("*.docx"))) == 1
    assert [event for event, *_ in _events(workspace)] == ["document.generated"]


def test_a_change_issues_a_new_document_that_supersedes_the_current_one(runner, workspace):
    [first] = _generate(runner, workspace, "agreement", "pinecrest-law")
    record = workspace / "customers" / "pinecrest-law.yaml"
    text = record.read_text(encoding="utf-8")
    assert "term_months: 24" in text
    record.write_text(text.replace("term_months: 24", "term_months: 36"),
                      encoding="utf-8")
    [second] = _generate(runner, workspace, "agreement", "pinecrest-law")
    assert second["status"] == "supersedes" and second["supersedes"] == first["document_id"]
    events = _events(workspace)
    assert [(event, document_id) for event, document_id, *_ in events] == [
        ("document.generated", first["document_id"]), ("document.generated", second["document_id"]),
        ("document.superseded", first["document_id"])]
    payload = json.loads(events[-1][4])
    assert payload == {"superseded_by": second["document_id"], "reason": "inputs changed"}
    assert [entry.document_id for entry in current_documents(workspace, "pinecrest-law")] == [second["document_id"]]


def test_reissue_forces_a_new_document(runner, workspace):
    [first] = _generate(runner, workspace, "agreement", "pinecrest-law")
    [second] = _generate(runner, workspace, "agreement", "pinecrest-law", "--reissue")
    assert second["document_id"] != first["document_id"] and second["supersedes"] == first["document_id"]
    assert json.loads(_events(workspace)[-1][4])["reason"] == "reissued with the same inputs and text"
    [third] = _generate(runner, workspace, "agreement", "pinecrest-law")
    assert (third["document_id"], third["status"]) == (second["document_id"], "unchanged")


def test_a_document_that_says_something_else_on_a_later_date_is_issued_anew(runner, workspace):
    # pinecrest-law's policy expires 2026-12-31: after that the notice says it has expired
    [before] = _generate(runner, workspace, "insurance-notice", "pinecrest-law")
    same = runner.invoke(cli, ["-w", str(workspace), "generate", "insurance-notice", "pinecrest-law",
                               "--as-of", "2026-12-30", "--format", "json"])
    assert json.loads(same.stdout)[0]["status"] == "unchanged"
    later = runner.invoke(cli, ["-w", str(workspace), "generate", "insurance-notice", "pinecrest-law",
                                "--as-of", "2027-06-01", "--format", "json"])
    [after] = json.loads(later.stdout)
    assert after["supersedes"] == before["document_id"]
    assert json.loads(_events(workspace)[-1][4])["reason"] == "text changed"
    assert "expired" in _text(Path(after["path"])) and "expired" not in _text(Path(before["path"]))


def _text(path: Path) -> str:
    from docx import Document

    document = Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_unchanged_and_new_documents_in_one_batch(runner, workspace):
    _generate(runner, workspace, "agreement", "pinecrest-law")
    written = _generate(runner, workspace, "agreement", "pinecrest-law", "muller-obrien")
    assert [(item["customer"], item["status"]) for item in written] == [
        ("pinecrest-law", "unchanged"), ("muller-obrien", "new")]


def test_a_current_document_whose_file_is_gone_is_issued_again(runner, workspace):
    [first] = _generate(runner, workspace, "agreement", "pinecrest-law")
    Path(first["path"]).unlink()
    [second] = _generate(runner, workspace, "agreement", "pinecrest-law")
    assert second["status"] == "supersedes" and second["supersedes"] == first["document_id"]
    assert Path(second["path"]).is_file()


def test_drafts_never_supersede_the_current_document(runner, workspace):
    [final] = _generate(runner, workspace, "agreement", "pinecrest-law")
    [draft] = _generate(runner, workspace, "agreement", "pinecrest-law", "--draft")
    assert draft["status"] == "new" and draft["draft"] is True
    [again] = _generate(runner, workspace, "agreement", "pinecrest-law", "--draft")
    assert (again["document_id"], again["status"]) == (draft["document_id"], "unchanged")
    assert [entry.document_id for entry in current_documents(workspace)] == [final["document_id"]]


def test_register_list_shows_current_and_superseded_and_filters_current(runner, workspace):
    [first] = _generate(runner, workspace, "agreement", "pinecrest-law")
    [second] = _generate(runner, workspace, "agreement", "pinecrest-law", "--reissue")
    [letter] = _generate(runner, workspace, "risk-letter", "pinecrest-law")
    listed = runner.invoke(cli, ["-w", str(workspace), "register", "list", "--format", "json"])
    statuses = {(row["event"], row["document_id"]): row["status"] for row in json.loads(listed.stdout)}
    assert statuses == {("document.generated", first["document_id"]): "superseded",
                        ("document.generated", second["document_id"]): "current",
                        ("document.superseded", first["document_id"]): None,
                        ("document.generated", letter["document_id"]): "current"}
    current = runner.invoke(cli, ["-w", str(workspace), "register", "list", "--current"])
    assert current.exit_code == 0
    lines = current.stdout.strip().splitlines()
    assert "STATUS" in lines[0] and len(lines) == 3
    assert second["document_id"] in current.stdout and letter["document_id"] in current.stdout
    assert first["document_id"] not in current.stdout
    shown = runner.invoke(cli, ["-w", str(workspace), "register", "show", first["document_id"]])
    assert "document.superseded" in shown.stdout and f"superseded by {second['document_id']}" in shown.stdout


def test_the_register_still_verifies_with_supersessions(runner, workspace):
    _generate(runner, workspace, "agreement", "pinecrest-law")
    _generate(runner, workspace, "agreement", "pinecrest-law", "--reissue")
    result = runner.invoke(cli, ["-w", str(workspace), "register", "verify"])
    assert result.exit_code == 0, result.output
    assert "ok: 3 entries, 0 problems" in result.stdout


def test_the_clause_book_is_unchanged_until_the_library_changes(runner, workspace):
    [first] = _generate(runner, workspace, "clause-book")
    [again] = _generate(runner, workspace, "clause-book")
    assert (again["document_id"], again["status"]) == (first["document_id"], "unchanged")
    clause = workspace / "clauses" / "scope.exclusions.md"
    clause.write_text(clause.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    [changed] = _generate(runner, workspace, "clause-book")
    assert changed["supersedes"] == first["document_id"]
