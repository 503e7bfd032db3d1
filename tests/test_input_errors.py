"""Bad input: exit status 2, a message naming file, field and line, and nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import customer_yaml, write_customer

from mspdocs.cli import cli


def _generate(runner, workspace: Path, *args: str):
    return runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", *args])


def _outputs(workspace: Path) -> list[Path]:
    return [p for p in (workspace / "output").rglob("*") if p.is_file()]


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new, 1)


BAD_INPUTS = [
    # (description, edit of the valid YAML, expected field, expected words in the message)
    ("malformed YAML", lambda t: t + "services: [helpdesk\n", None, "malformed YAML"),
    ("duplicate key", lambda t: t + "legal_name: Other Name\n", None, "duplicate key 'legal_name'"),
    ("not a date", lambda t: _replace(t, "effective: '2026-01-01'", "effective: 2026-02-30"),
     "agreement.effective", "not a date"),
    ("unknown service", lambda t: _replace(t, "- patching", "- patchin"), "services.subscribed",
     "unknown service id 'patchin'"),
    ("subscribed and declined", lambda t: _replace(t, "declined:\n  - id: edr", "declined:\n  - id: helpdesk"),
     "services.declined", "both subscribed and declined"),
    ("missing field", lambda t: _replace(t, "legal_name: Tiny Co, LLC\n", ""), "legal_name",
     "required field is missing"),
    ("country NO left unquoted is kept", None, None, None),
    ("id escaping output", lambda t: _replace(t, "id: tiny-co", "id: ../x"), "id", "not a customer id"),
    ("absolute id", lambda t: _replace(t, "id: tiny-co", "id: /etc/passwd"), "id", "not a customer id"),
    ("reserved id", lambda t: _replace(t, "id: tiny-co", "id: clause-book"), "id", "is reserved"),
    ("unknown field", lambda t: t + "colour: blue\n", "colour", "unknown field"),
    ("amount with a comma", lambda t: _replace(t, "monthly_fee: '1000.00'", "monthly_fee: 1,000.00"),
     "agreement.monthly_fee", "not an amount"),
    ("yes is not a boolean", lambda t: _replace(t, "proof_on_file: 'true'", "proof_on_file: yes"),
     "insurance.proof_on_file", "not true or false"),
]


@pytest.mark.parametrize("description, edit, field, words",
                         [case for case in BAD_INPUTS if case[1] is not None], ids=lambda v: str(v)[:30])
def test_bad_customer_file_exits_2_naming_file_field_and_line(runner, workspace, description, edit, field, words):
    path = write_customer(workspace, edit(customer_yaml()), name="tiny-co.yaml")
    result = _generate(runner, workspace, "--all")
    assert result.exit_code == 2, result.output
    message = result.output
    assert "tiny-co.yaml:" in message  # file and line
    line = int(message.split("tiny-co.yaml:")[1].split(":")[0])
    assert 1 <= line <= len(path.read_text().splitlines()) + 1
    if field:
        assert f": {field}: " in message
    assert words in message
    assert _outputs(workspace) == []


def test_the_line_named_is_the_line_of_the_bad_value(runner, workspace):
    text = _replace(customer_yaml(), "effective: '2026-01-01'", "effective: 2026-13-01")
    write_customer(workspace, text)
    result = _generate(runner, workspace, "tiny-co")
    bad_line = next(i for i, line in enumerate(text.splitlines(), 1) if "2026-13-01" in line)
    assert f"tiny-co.yaml:{bad_line}: agreement.effective: '2026-13-01' is not a date" in result.output


def test_yaml_1_1_traps_stay_strings(runner, workspace):
    text = _replace(customer_yaml(), "postal_code: '04101'", "postal_code: 04101")
    text = _replace(text, "country: US", "country: NO")
    write_customer(workspace, text)
    result = _generate(runner, workspace, "tiny-co", "--as-of", "2026-11-27")
    assert result.exit_code == 0, result.output
    from docx import Document

    [path] = _outputs(workspace)
    body = "\n".join(p.text for p in Document(str(path)).paragraphs)
    assert "04101, NO" in body
    assert "False" not in body and " 4101" not in body


def test_every_bad_file_is_reported_in_one_run(runner, workspace):
    write_customer(workspace, _replace(customer_yaml(id="bad-one"), "- patching", "- nope"))
    write_customer(workspace, _replace(customer_yaml(id="bad-two"), "term_months: '24'", "term_months: twelve"))
    result = _generate(runner, workspace, "--all")
    assert result.exit_code == 2
    assert "bad-one.yaml" in result.output and "bad-two.yaml" in result.output
    assert _outputs(workspace) == []


def test_unknown_customer_is_named(runner, workspace):
    result = _generate(runner, workspace, "no-such-customer")
    assert result.exit_code == 2
    assert "no such customer: no-such-customer" in result.output


def test_not_a_workspace(runner, tmp_path):
    result = runner.invoke(cli, ["-w", str(tmp_path), "generate", "agreement", "--all"])
    assert result.exit_code == 2
    assert "not an mspdocs workspace" in result.output


def test_bad_as_of_date_is_usage_error(runner, workspace):
    result = _generate(runner, workspace, "--all", "--as-of", "27/11/2026")
    assert result.exit_code == 2
    assert "not a date" in result.output


def test_malformed_catalog_names_file_and_line(runner, workspace):
    catalog = workspace / "catalog.yaml"
    text = catalog.read_text()
    catalog.write_text(text.replace("category: advanced-security", "category: advanced", 1))
    result = _generate(runner, workspace, "--all")
    assert result.exit_code == 2
    assert "catalog.yaml:" in result.output and ".category: 'advanced' is not one of" in result.output


def test_quoted_tilde_or_null_is_text_but_plain_ones_are_empty(runner, workspace):
    text = _replace(customer_yaml(signatory="'~'"), "name: '''~'''", "name: '~'")
    write_customer(workspace, text)
    assert _generate(runner, workspace, "tiny-co").exit_code == 0
    write_customer(workspace, _replace(text, "name: '~'", "name: ~"))
    result = _generate(runner, workspace, "tiny-co")
    assert result.exit_code == 2 and "signatory.name: required field is missing" in result.output


def test_an_amount_with_fractions_of_a_cent_is_refused_not_rounded(runner, workspace):
    write_customer(workspace, _replace(customer_yaml(), "monthly_fee: '1000.00'", "monthly_fee: 1890.499"))
    result = _generate(runner, workspace, "tiny-co")
    assert result.exit_code == 2
    assert "agreement.monthly_fee: '1890.499' is not an amount" in result.output


def test_two_files_for_one_customer_are_refused(runner, workspace):
    write_customer(workspace, customer_yaml())
    write_customer(workspace, customer_yaml(legal_name="Other Co"), name="tiny-co.yml")
    result = runner.invoke(cli, ["-w", str(workspace), "customers", "check"])
    assert result.exit_code == 2
    assert "tiny-co.yml" in result.output and "a second record for customer 'tiny-co'" in result.output


def test_a_numbered_looking_name_is_not_turned_into_a_list(runner, workspace):
    write_customer(workspace, customer_yaml(legal_name="1) Acme"))
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "tiny-co", "--format", "json"])
    assert result.exit_code == 0, result.output
    import json

    from docx import Document

    body = "\n".join(p.text for p in Document(json.loads(result.output)[0]["path"]).paragraphs)
    assert "(a)\tAcme" not in body
    assert body.count("1) Acme") >= 3  # the parties, the definitions and the signatures


def test_text_direction_overrides_are_refused(runner, workspace):
    write_customer(workspace, customer_yaml(legal_name="שלום \u202eevil\u202c LLC"))
    result = _generate(runner, workspace, "tiny-co")
    assert result.exit_code == 2
    assert "legal_name: contains a control or text-direction override character" in result.output


def test_a_profile_that_is_not_utf8_is_bad_input(runner, workspace):
    with open(workspace / "mspdocs.toml", "ab") as handle:
        handle.write(b'\n# \xff\n')
    result = runner.invoke(cli, ["-w", str(workspace), "customers", "check"])
    assert result.exit_code == 2
    assert "mspdocs.toml:" in result.output and "not UTF-8" in result.output


def test_a_template_that_is_not_a_word_document_is_bad_input(runner, workspace):
    (workspace / "templates" / "agreement.docx").write_bytes(b"garbage")
    result = _generate(runner, workspace, "pinecrest-law")
    assert result.exit_code == 2
    assert "agreement.docx: not a Word document" in result.output
