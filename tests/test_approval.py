"""Approval bound to the exact clause text: generation refuses changed text unless --draft."""

from __future__ import annotations

import json
from pathlib import Path

import docx
from conftest import issue_baas, AS_OF

from mspdocs.cli import cli


def _run(runner, workspace: Path, *args: str):
    return runner.invoke(cli, ["-w", str(workspace), *args])


def _edit(workspace: Path, clause_id: str, old: str, new: str) -> None:
    path = workspace / "clauses" / f"{clause_id}.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _all_text(path: Path) -> str:
    document = docx.Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for section in document.sections:
        parts += [p.text for p in section.header.paragraphs]
    return "\n".join(parts)


def test_shipped_library_is_approved_and_generates(runner, workspace):
    issue_baas(workspace)
    listed = _run(runner, workspace, "clauses", "list", "--format", "json")
    assert listed.exit_code == 0
    assert {row["status"] for row in json.loads(listed.output)} == {"approved"}
    result = _run(runner, workspace, "generate", "agreement", "--all", "--as-of", AS_OF.isoformat())
    assert result.exit_code == 0, result.output
    assert _run(runner, workspace, "clauses", "lint").exit_code == 0


def test_edit_one_word_then_draft_then_reapprove(runner, workspace):
    _edit(workspace, "scope.exclusions", "has no duty", "has no obligation")

    lint = _run(runner, workspace, "clauses", "lint", "--format", "json")
    assert lint.exit_code == 1
    findings = json.loads(lint.output)
    assert {(f["clause"], f["code"], f["line"]) for f in findings} == {
        ("scope.exclusions", "changed-since-approval", 12), ("scope.exclusions", "version-not-raised", 6)}
    assert all(f["file"].endswith("scope.exclusions.md") for f in findings)

    refused = _run(runner, workspace, "generate", "agreement", "pinecrest-law")
    assert refused.exit_code == 1
    assert "scope.exclusions" in refused.output and "changed since its approval" in refused.output
    assert not (workspace / "output" / "pinecrest-law").exists()

    diff = _run(runner, workspace, "clauses", "diff", "scope.exclusions")
    assert "[-duty-]{+obligation+}" in diff.output

    draft = _run(runner, workspace, "generate", "agreement", "pinecrest-law", "--draft", "--format", "json")
    assert draft.exit_code == 0, draft.output
    path = Path(json.loads(draft.output)[0]["path"])
    assert "DRAFT" in _all_text(path) and "has no obligation" in _all_text(path)
    properties = docx.Document(str(path)).core_properties
    assert properties.content_status == "Draft" and "DRAFT" in properties.title

    same_version = _run(runner, workspace, "clauses", "approve", "scope.exclusions", "--by", "J. Counsel")
    assert same_version.exit_code == 2
    assert ("the text changed since version 3 was approved; raise `version` in clauses/scope.exclusions.md "
            "before approving") in same_version.output
    _edit(workspace, "scope.exclusions", "version: 3", "version: 4")
    approved = _run(runner, workspace, "clauses", "approve", "scope.exclusions", "--by", "J. Counsel",
                    "--reason", "Plainer word")
    assert approved.exit_code == 0, approved.output
    lock = (workspace / "clauses" / "approvals.lock").read_text(encoding="utf-8")
    assert 'approved_by: "J. Counsel"' in lock and 'reason: "Plainer word"' in lock
    final = _run(runner, workspace, "generate", "agreement", "pinecrest-law", "--format", "json")
    assert final.exit_code == 0, final.output
    final_path = Path(json.loads(final.output)[0]["path"])
    assert "DRAFT" not in _all_text(final_path)
    assert docx.Document(str(final_path)).core_properties.content_status != "Draft"


def test_only_placed_clauses_block(runner, workspace):
    # liability.cap-fixed stands in only for customers with a fixed cap (northfield-precision has one).
    _edit(workspace, "liability.cap-fixed", "IN TOTAL", "IN AGGREGATE")
    assert _run(runner, workspace, "generate", "agreement", "pinecrest-law").exit_code == 0
    refused = _run(runner, workspace, "generate", "agreement", "northfield-precision")
    assert refused.exit_code == 1 and "liability.cap-fixed" in refused.output


def test_draft_status_and_never_approved_are_refused(runner, workspace):
    _edit(workspace, "scope.services", "status: approved", "status: draft")
    result = _run(runner, workspace, "generate", "agreement", "pinecrest-law")
    assert result.exit_code == 1 and "is a draft" in result.output
    (workspace / "clauses" / "approvals.lock").unlink()
    result = _run(runner, workspace, "generate", "agreement", "pinecrest-law")
    assert result.exit_code == 1 and "never been approved" in result.output
    # Approving a draft sets its status; the hash (and so the approval) is unaffected by that edit.
    assert _run(runner, workspace, "clauses", "approve", "scope.services", "--by", "Counsel").exit_code == 0
    assert "status: approved" in (workspace / "clauses" / "scope.services.md").read_text()
    listed = json.loads(_run(runner, workspace, "clauses", "list", "--status", "approved",
                             "--format", "json").output)
    assert [row["id"] for row in listed] == ["scope.services"]


def test_retire_takes_clause_out(runner, workspace):
    assert _run(runner, workspace, "clauses", "retire", "scope.third-party").exit_code == 0
    shown = json.loads(_run(runner, workspace, "clauses", "show", "scope.third-party", "--format", "json").output)
    assert shown["status"] == "retired"
    result = _run(runner, workspace, "generate", "agreement", "pinecrest-law", "--format", "json")
    assert result.exit_code == 0, result.output
    assert "Third-Party Products" not in _all_text(Path(json.loads(result.output)[0]["path"]))
    refused = _run(runner, workspace, "clauses", "approve", "scope.third-party", "--by", "Counsel")
    assert refused.exit_code == 2


def test_approve_unknown_clause_writes_nothing(runner, workspace):
    lock = workspace / "clauses" / "approvals.lock"
    before = lock.read_bytes()
    result = _run(runner, workspace, "clauses", "approve", "scope.services", "no.such", "--by", "Counsel")
    assert result.exit_code == 2 and "no.such" in result.output
    assert lock.read_bytes() == before


def test_show_and_list_filters(runner, workspace):
    shown = _run(runner, workspace, "clauses", "show", "scope.exclusions")
    assert shown.exit_code == 0 and "{% for s in services.excluded %}" in shown.output
    rows = json.loads(_run(runner, workspace, "clauses", "list", "--category", "liability",
                           "--format", "json").output)
    assert rows and {row["category"] for row in rows} == {"liability"}
    assert _run(runner, workspace, "clauses", "list", "--status", "bogus").exit_code == 2
    assert _run(runner, workspace, "clauses", "show", "no.such").exit_code == 2


UNUSED_CLAIMER = """---
id: zz.unused
title: Unused
category: general
version: 1
status: draft
documents: [{documents}]
condition: "false"
alternates: [scope.exclusions, insurance.requirement]
---
Placeholder.
"""


def test_a_clause_of_another_kind_cannot_hide_approved_text(runner, workspace):
    (workspace / "clauses" / "zz.unused.md").write_text(UNUSED_CLAIMER.format(documents="qbr-agenda"))
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "muller-obrien",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    from docx import Document

    body = "\n".join(p.text for p in Document(json.loads(result.output)[0]["path"]).paragraphs)
    assert "Services Outside the Scope" in body


def test_an_unapproved_clause_deciding_alternates_blocks_generation(runner, workspace):
    (workspace / "clauses" / "zz.unused.md").write_text(UNUSED_CLAIMER.format(documents="agreement"))
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "muller-obrien"])
    assert result.exit_code == 1
    assert "clause 'zz.unused'" in result.output
    assert not [p for p in (workspace / "output").rglob("*") if p.is_file()]


def test_an_alternate_claimed_twice_is_bad_input(runner, workspace):
    text = UNUSED_CLAIMER.format(documents="agreement").replace(
        "[scope.exclusions, insurance.requirement]", "[liability.cap-fixed]")
    (workspace / "clauses" / "zz.unused.md").write_text(text)
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "muller-obrien"])
    assert result.exit_code == 2
    assert "zz.unused.md:" in result.output and "already the alternate of 'liability.cap'" in result.output


def test_reapproving_unchanged_text_keeps_the_record(runner, workspace):
    lock = workspace / "clauses" / "approvals.lock"
    before = lock.read_bytes()
    again = _run(runner, workspace, "clauses", "approve", "general.assignment", "--by", "Someone Else",
                 "--reason", "Again")
    assert again.exit_code == 0, again.output
    assert "general.assignment: already approved by Default library on " in again.output
    assert lock.read_bytes() == before
    rows = json.loads(_run(runner, workspace, "clauses", "approve", "general.assignment", "--by", "X",
                           "--format", "json").output)
    assert rows[0]["recorded"] is False and rows[0]["approved_by"] == "Default library"


def test_changed_text_under_the_approved_version_is_refused(runner, workspace):
    lock = workspace / "clauses" / "approvals.lock"
    before = lock.read_bytes()
    _edit(workspace, "fees.payment", "title: ", "title: Paying ")
    refused = _run(runner, workspace, "clauses", "approve", "fees.payment", "scope.services", "--by", "Counsel")
    assert refused.exit_code == 2
    assert "fees.payment.md:6: version: the text changed since version 4 was approved; raise `version` in " \
           "clauses/fees.payment.md before approving" in refused.output
    assert lock.read_bytes() == before
    _edit(workspace, "fees.payment", "version: 4", "version: 5")
    approved = _run(runner, workspace, "clauses", "approve", "fees.payment", "--by", "Counsel")
    assert approved.exit_code == 0 and "approved fees.payment version 5" in approved.output


def test_retiring_a_clause_in_use_is_refused(runner, workspace):
    path = workspace / "clauses" / "scope.services.md"
    before = path.read_bytes()
    refused = _run(runner, workspace, "clauses", "retire", "scope.services")
    assert refused.exit_code == 1
    assert "definitions.terms.md:17: clause 'definitions.terms' refers to it with ref(\"scope.services\")" \
        in refused.output
    assert "scope.out-of-scope-work.md:11:" in refused.output
    assert path.read_bytes() == before
    alternate = _run(runner, workspace, "clauses", "retire", "liability.cap-fixed")
    assert alternate.exit_code == 1
    assert "liability.cap.md:" in alternate.output and "lists it in `alternates`" in alternate.output
    # Once the referring clauses are retired themselves, the clause may go.
    assert _run(runner, workspace, "clauses", "retire", "liability.cap").exit_code == 0
    assert _run(runner, workspace, "clauses", "retire", "liability.cap-fixed").exit_code == 0
    again = _run(runner, workspace, "clauses", "retire", "liability.cap-fixed")
    assert again.exit_code == 0 and "liability.cap-fixed: already retired" in again.output


def test_list_without_matches_and_unknown_choices(runner, workspace):
    _run(runner, workspace, "clauses", "retire", "scope.third-party")
    empty = _run(runner, workspace, "clauses", "list", "--status", "retired", "--category", "fees")
    assert empty.exit_code == 0 and empty.stdout == "" and "no clauses match" in empty.stderr
    assert json.loads(_run(runner, workspace, "clauses", "list", "--status", "changed", "--format",
                           "json").output) == []
    bad = _run(runner, workspace, "clauses", "list", "--category", "bogus")
    assert bad.exit_code == 2 and "'bogus' is not one of" in bad.output and "scope-boundaries" in bad.output


def test_show_approval_line_and_json(runner, workspace):
    shown = _run(runner, workspace, "clauses", "show", "general.assignment")
    assert "approval: approved by Default library on " in shown.output
    assert "(version 1): " in shown.output
    _edit(workspace, "general.assignment", "version: 1", "version: 2")
    changed = _run(runner, workspace, "clauses", "show", "general.assignment").output
    assert "approval: changed since version 1 was approved by Default library on " in changed
    info = json.loads(_run(runner, workspace, "clauses", "show", "general.assignment", "--format", "json").output)
    assert info["approval"]["version"] == 1 and "approved_by" not in info
    diff = _run(runner, workspace, "clauses", "diff", "general.assignment").output
    assert "version: [-1-]{+2+}" in diff and "clauses diff" not in diff
    missing = _run(runner, workspace, "clauses", "show", "no.such")
    assert missing.exit_code == 2 and "no such clause: no.such" in missing.output


def _files(workspace: Path) -> set[Path]:
    return {p for p in (workspace / "output").rglob("*") if p.is_file()}


def _refused(runner, workspace: Path, clause_id: str, *customers: str) -> None:
    before = _files(workspace)
    result = _run(runner, workspace, "generate", "agreement", *(customers or ("--all",)))
    assert result.exit_code == 1, result.output
    assert f"clause '{clause_id}'" in result.output and f"{clause_id}.md" in result.output
    assert "or generate with --draft" in result.output
    assert _files(workspace) == before


def test_an_approved_clause_switched_off_by_its_condition_is_refused(runner, workspace):
    _edit(workspace, "liability.exclusions", "documents: [agreement]\n",
          "documents: [agreement]\ncondition: \"false\"\n")
    _refused(runner, workspace, "liability.exclusions", "pinecrest-law")
    assert "its condition changed" in _run(runner, workspace, "generate", "agreement", "pinecrest-law").output


def test_an_approved_clause_moved_to_another_document_kind_is_refused(runner, workspace):
    issue_baas(workspace)
    _edit(workspace, "liability.exclusions", "documents: [agreement]", "documents: [qbr-agenda]")
    _refused(runner, workspace, "liability.exclusions")


def test_an_alternate_whose_condition_changed_is_refused(runner, workspace):
    _edit(workspace, "liability.cap-fixed", "liability_cap_amount is defined", "liability_cap_amount is undefined")
    # northfield-precision's negotiated cap would silently become the months-of-fees cap.
    _refused(runner, workspace, "liability.cap-fixed", "northfield-precision")
    _refused(runner, workspace, "liability.cap-fixed", "pinecrest-law")


def test_a_deleted_approved_clause_is_refused_until_retired(runner, workspace):
    assert _run(runner, workspace, "generate", "agreement", "pinecrest-law").exit_code == 0  # in force
    issued = sorted(p for p in (workspace / "output").rglob("*") if p.is_file())
    (workspace / "clauses" / "liability.exclusions.md").unlink()
    result = _run(runner, workspace, "generate", "agreement", "pinecrest-law")
    assert result.exit_code == 1
    assert "approved clause 'liability.exclusions' was deleted from the library" in result.output
    assert "liability.exclusions.md" in result.output
    assert sorted(p for p in (workspace / "output").rglob("*") if p.is_file()) == issued
    # Other document kinds never carried it.
    assert _run(runner, workspace, "generate", "risk-letter", "pinecrest-law").exit_code == 0
    draft = _run(runner, workspace, "generate", "agreement", "pinecrest-law", "--draft")
    assert draft.exit_code == 0, draft.output
    assert _run(runner, workspace, "clauses", "retire", "liability.exclusions").exit_code == 0
    assert _run(runner, workspace, "clauses", "lint").exit_code == 0
    assert _run(runner, workspace, "generate", "agreement", "pinecrest-law").exit_code == 0


def test_retiring_by_hand_is_refused_and_the_command_records_it(runner, workspace):
    _edit(workspace, "scope.third-party", "status: approved", "status: retired")
    result = _run(runner, workspace, "generate", "agreement", "pinecrest-law")
    assert result.exit_code == 1
    assert "scope.third-party.md:7: clause 'scope.third-party' marked retired in its file, not with " \
           "`mspdocs clauses retire`" in result.output
    rows = json.loads(_run(runner, workspace, "clauses", "list", "--status", "changed", "--format", "json").output)
    assert [row["id"] for row in rows] == ["scope.third-party"]
    assert _run(runner, workspace, "generate", "agreement", "pinecrest-law", "--draft").exit_code == 0
    retired = _run(runner, workspace, "clauses", "retire", "scope.third-party")
    assert retired.exit_code == 0 and "retired scope.third-party" in retired.output
    assert "retired_on: " in (workspace / "clauses" / "approvals.lock").read_text(encoding="utf-8")
    final = _run(runner, workspace, "generate", "agreement", "pinecrest-law", "--format", "json")
    assert final.exit_code == 0, final.output
    assert "Third-Party Products" not in _all_text(Path(json.loads(final.output)[0]["path"]))


def test_retiring_by_hand_a_clause_in_use_still_meets_the_dependents_check(runner, workspace):
    _edit(workspace, "scope.services", "status: approved", "status: retired")
    refused = _run(runner, workspace, "clauses", "retire", "scope.services")
    assert refused.exit_code == 1 and "refers to it with ref(\"scope.services\")" in refused.output
    assert "retired_on" not in (workspace / "clauses" / "approvals.lock").read_text(encoding="utf-8")
    assert _run(runner, workspace, "generate", "agreement", "pinecrest-law").exit_code == 1


def test_a_never_approved_clause_marked_retired_stays_retired(runner, workspace):
    (workspace / "clauses" / "zz.old.md").write_text(
        UNUSED_CLAIMER.format(documents="agreement").replace("status: draft", "status: retired")
        .replace("alternates: [scope.exclusions, insurance.requirement]\n", "").replace("zz.unused", "zz.old"))
    shown = json.loads(_run(runner, workspace, "clauses", "show", "zz.old", "--format", "json").output)
    assert shown["status"] == "retired"
    assert _run(runner, workspace, "generate", "agreement", "pinecrest-law").exit_code == 0


def test_new_clauses_of_other_kinds_do_not_block_and_unapproved_conditions_never_run(runner, workspace):
    new = UNUSED_CLAIMER.replace("alternates: [scope.exclusions, insurance.requirement]\n", "")
    (workspace / "clauses" / "zz.unused.md").write_text(new.format(documents="qbr-agenda"))
    result = _run(runner, workspace, "generate", "agreement", "pinecrest-law")
    assert result.exit_code == 0, result.output
    # A draft agreement clause: deciding whether it is placed would run its unapproved condition.
    (workspace / "clauses" / "zz.off.md").write_text(
        new.format(documents="agreement").replace("zz.unused", "zz.off"))
    result = _run(runner, workspace, "generate", "agreement", "pinecrest-law")
    assert result.exit_code == 1 and "condition is not approved text" in result.output



def test_approve_all_leaves_a_clause_retired_by_hand_to_the_retire_command(runner, workspace):
    _edit(workspace, "scope.third-party", "status: approved", "status: retired")
    _edit(workspace, "fees.payment", "version: 4", "version: 5")
    approved = _run(runner, workspace, "clauses", "approve", "--all", "--by", "Counsel", "--format", "json")
    assert approved.exit_code == 0, approved.output
    assert [row["id"] for row in json.loads(approved.output)] == ["fees.payment"]
    assert "clauses retire" in _run(runner, workspace, "generate", "agreement", "pinecrest-law").output
