"""A workspace still describing the built-in sample MSP makes no customer documents, except drafts."""

from __future__ import annotations

import json

from conftest import AS_OF

from mspdocs.cli import cli
from mspdocs.workspace.folder import init_workspace


def _line_of(path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if text in line)


def test_the_sample_profile_is_refused_naming_each_field_and_line(runner, tmp_path):
    workspace = init_workspace(tmp_path / "ws", examples=True)
    profile = workspace / "mspdocs.toml"
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "pinecrest-law"])
    assert result.exit_code == 2
    line = _line_of(profile, "legal_name =")
    assert f"mspdocs.toml:{line}: msp.legal_name: still the built-in sample MSP's" in result.output
    assert "--draft" in result.output
    for field in ("msp.name", "msp.email", "msp.phone", "msp.address.street", "msp.signatory.name",
                  "msp.signatory.email"):
        assert f": {field}: still" in result.output, field
    assert not list((workspace / "output").rglob("*.docx"))
    assert not (workspace / "register.sqlite3").exists()


def test_a_half_edited_profile_is_still_refused_for_what_is_left(runner, tmp_path):
    workspace = init_workspace(tmp_path / "ws", examples=True)
    profile = workspace / "mspdocs.toml"
    text = profile.read_text(encoding="utf-8")
    for sample in ('"Harborlight IT Services, LLC"', '"Harborlight IT"', '"+1 207 555 0100"',
                   '"75 Commercial Street, Suite 300"', '"Dana Whitcomb"', '"dana.whitcomb@harborlight.example"'):
        text = text.replace(sample, '"Own Value"' if "@" not in sample else '"me@own.example"')
    profile.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "risk-letter", "pinecrest-law"])
    assert result.exit_code == 2
    errors = result.output.strip().splitlines()
    assert len(errors) == 1 and "msp.email: still the built-in sample MSP's ('contracts@harborlight.example')" \
        in errors[0]


def test_drafts_and_the_clause_book_may_use_the_sample_profile(runner, tmp_path):
    workspace = init_workspace(tmp_path / "ws", examples=True)
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "pinecrest-law", "--draft",
                                 "--as-of", AS_OF.isoformat(), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["draft"] is True
    book = runner.invoke(cli, ["-w", str(workspace), "generate", "clause-book"])
    assert book.exit_code == 0, book.output


def test_the_test_workspaces_describe_their_own_msp(runner, workspace):
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "insurance-notice", "pinecrest-law"])
    assert result.exit_code == 0, result.output
