"""`clauses lint`: findings with file, line and clause; hostile clause files never give a traceback."""

from __future__ import annotations

import json
from pathlib import Path

from mspdocs.cli import cli


def _clause(workspace: Path, clause_id: str, front: str, body: str) -> Path:
    path = workspace / "clauses" / f"{clause_id}.md"
    path.write_text(f"---\nid: {clause_id}\n{front}---\n{body}", encoding="utf-8")
    return path


def _lint(runner, workspace: Path):
    result = runner.invoke(cli, ["-w", str(workspace), "clauses", "lint", "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, json.loads(result.output) if result.output.strip().startswith("[") else result.output


def _codes(findings, clause_id):
    return {(f["code"], f["line"]) for f in findings if f["clause"] == clause_id}


BASIC = "title: T\ncategory: general\nversion: 1\nstatus: approved\n"


def test_clean_library(runner, workspace):
    assert _lint(runner, workspace) == (0, [])
    text = runner.invoke(cli, ["-w", str(workspace), "clauses", "lint"])
    assert text.exit_code == 0 and "clean" in text.output


def test_variables_and_conditions(runner, workspace):
    _clause(workspace, "x.vars", BASIC + "variables: [customer.legal_name, customer.shoe_size]\n"
            "condition: customer.favourite_colour == 'red'\n",
            "Dear {{ customer.legal_name }} of {{ customer.address.city }},\n\n{{ msp.bogus }}\n"
            "{% for s in services.declined %}{{ s.name }}{% endfor %}\n")
    code, findings = _lint(runner, workspace)
    assert code == 1
    assert _codes(findings, "x.vars") == {
        ("unapproved", 6),
        ("unknown-variable", 7),             # declared customer.shoe_size
        ("unknown-condition-field", 8),
        ("party-name", 10),                   # customer.legal_name outside the definitions
        ("undeclared-variable", 10),          # customer.address.city
        ("unknown-variable", 12),             # msp.bogus
        ("undeclared-variable", 13),          # services.declined (the loop variable s is local)
    }
    assert all(f["file"].endswith("x.vars.md") for f in findings if f["clause"] == "x.vars")


def test_references_and_cycles(runner, workspace):
    _clause(workspace, "x.a", BASIC + "alternates: [x.b]\n", 'See {{ ref("x.b") }} and {{ ref("no.such") }}.\n')
    _clause(workspace, "x.b", BASIC + "alternates: [x.a]\n", 'See {{ ref("x.a") }} and {{ ref("x.old") }}.\n')
    _clause(workspace, "x.old", BASIC.replace("approved", "retired"), "Old text.\n")
    code, findings = _lint(runner, workspace)
    assert code == 1
    codes = {f["code"] for f in findings if f["clause"] in ("x.a", "x.b")}
    assert {"reference-cycle", "alternate-cycle", "unknown-reference", "retired-reference"} <= codes
    cycle = next(f for f in findings if f["code"] == "alternate-cycle")
    assert cycle["line"] == 7 and "x.a -> x.b -> x.a" in cycle["message"]
    unknown = next(f for f in findings if f["code"] == "unknown-reference")
    assert unknown["line"] == 9 and "no.such" in unknown["message"]


def test_hostile_files_are_findings_with_lines(runner, workspace):
    _clause(workspace, "x.unknown-field", BASIC + "colour: blue\n", "Text.\n")
    _clause(workspace, "x.broken-yaml", "title: [unclosed\n", "Text.\n")
    (workspace / "clauses" / "x.no-front.md").write_text("Just text.\n", encoding="utf-8")
    (workspace / "clauses" / "x.binary.md").write_bytes(b"\xff\xfe\x00bad")
    _clause(workspace, "x.bad-jinja", BASIC, "Text {% if %}.\n")
    _clause(workspace, "x.bad-condition", BASIC + "condition: customer.industry ==\n", "Text.\n")
    code, findings = _lint(runner, workspace)
    assert code == 1
    by_clause = {f["clause"]: f for f in findings if f["code"] != "unapproved"}
    assert by_clause["x.unknown-field"]["code"] == "invalid-clause" and by_clause["x.unknown-field"]["line"] == 7
    assert "colour" in by_clause["x.unknown-field"]["message"]
    assert by_clause["x.broken-yaml"]["code"] == "invalid-clause" and by_clause["x.broken-yaml"]["line"]
    assert by_clause["x.no-front"]["line"] == 1
    assert by_clause["x.binary"]["code"] == "invalid-clause"
    assert by_clause["x.bad-jinja"]["code"] == "template-syntax" and by_clause["x.bad-jinja"]["line"] == 8
    assert by_clause["x.bad-condition"]["code"] == "invalid-condition"


def test_generation_with_malformed_clause_exits_2(runner, workspace):
    _clause(workspace, "x.unknown-field", BASIC + "colour: blue\n", "Text.\n")
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "pinecrest-law"])
    assert result.exit_code == 2
    assert "x.unknown-field.md:7" in result.output and "colour" in result.output


def test_template_unknown_variable(runner, workspace, tmp_path):
    import docx
    from docxtpl import DocxTemplate  # noqa: F401 - the template is built with python-docx

    document = docx.Document()
    document.add_paragraph("{{ customer.legal_name }} {{ mystery_value }}")
    document.save(str(workspace / "templates" / "extra.docx"))
    code, findings = _lint(runner, workspace)
    assert code == 1
    [finding] = findings
    assert finding["code"] == "template-unknown-variable" and "mystery_value" in finding["message"]
    assert finding["file"].endswith("extra.docx")


def test_unreadable_clause_files_are_input_errors(runner, workspace):
    folder = workspace / "clauses"
    (folder / "x.dangling.md").symlink_to(folder / "nowhere.md")
    (folder / "x.folder.md").mkdir()
    code, findings = _lint(runner, workspace)
    assert code == 1
    by_clause = {f["clause"]: f for f in findings}
    assert by_clause["x.dangling"]["code"] == "invalid-clause" and "cannot read" in by_clause["x.dangling"]["message"]
    assert by_clause["x.folder"]["file"].endswith("x.folder.md")
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "pinecrest-law"])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "x.dangling.md: cannot read file" in result.output and "x.folder.md: cannot read" in result.output


def test_library_conflicts_keep_their_codes(runner, workspace):
    _clause(workspace, "x.claims", BASIC + "alternates: [no.such, x.claims]\n", "Text.\n")
    code, findings = _lint(runner, workspace)
    assert code == 1
    codes = {(f["clause"], f["code"], f["line"]) for f in findings}
    assert {("x.claims", "unknown-alternate", 7), ("x.claims", "invalid-alternate", 7)} <= codes
    own = next(f for f in findings if f["code"] == "invalid-alternate")
    assert own["message"] == "a clause cannot be its own alternate" and own["file"].endswith("x.claims.md")


def test_a_deleted_approved_clause_and_a_clause_retired_by_hand(runner, workspace):
    folder = workspace / "clauses"
    (folder / "liability.exclusions.md").unlink()
    third = folder / "scope.third-party.md"
    third.write_text(third.read_text().replace("status: approved", "status: retired"))
    code, findings = _lint(runner, workspace)
    assert code == 1
    lock_lines = (folder / "approvals.lock").read_text().splitlines()
    [missing] = [f for f in findings if f["code"] == "approved-clause-missing"]
    assert missing["clause"] == "liability.exclusions" and missing["file"].endswith("approvals.lock")
    assert "was deleted from the library" in missing["message"]
    assert lock_lines[missing["line"] - 2] == "liability.exclusions:"
    assert _codes(findings, "scope.third-party") == {("changed-since-approval", 7)}
    assert len(findings) == 2
    # Retired with the command, neither is a finding any more.
    for clause_id in ("liability.exclusions", "scope.third-party"):
        assert runner.invoke(cli, ["-w", str(workspace), "clauses", "retire", clause_id]).exit_code == 0
    assert _lint(runner, workspace) == (0, [])


def test_a_title_that_repeats_its_section_heading_is_a_finding(runner, workspace):
    _clause(workspace, "x.doubled", "title: General terms\ncategory: general\nversion: 1\nstatus: approved\n", "Text.\n")
    code, findings = _lint(runner, workspace)
    assert code == 1 and ("doubled-heading", 3) in _codes(findings, "x.doubled")


def test_no_agreement_section_repeats_its_article_heading(runner, workspace):
    import re

    from conftest import issue_baas

    from mspdocs.render.gate import document_texts

    issue_baas(workspace)
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "--all", "--format", "json"])
    assert result.exit_code == 0, result.output
    for item in json.loads(result.output):
        lines = document_texts(Path(item["path"]).read_bytes())["word/document.xml"]
        articles = {m.group(1): m.group(2) for line in lines if (m := re.fullmatch(r"(\d+)\.\t(.+)", line))}
        sections = [m.groups() for line in lines if (m := re.fullmatch(r"(\d+)\.(\d+)\t(.+)", line))]
        assert articles and sections
        assert [s for s in sections if s[2] == articles[s[0]]] == []
