"""The risk-acceptance letter and the insurance notice: what the customer reads in them."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from conftest import AS_OF, classify, customer_record, issue_baas, write_customer

from mspdocs.cli import cli
from mspdocs.render.gate import document_texts


def _write(workspace: Path, services: dict | None = None, **changes) -> str:
    """tiny-co with `changes`; `services` names lists whose other catalog services are excluded, and the
    fee is left to the priced total."""
    record = customer_record()
    if services is not None:
        record["services"] = {**classify(**services), "prices": record["services"]["prices"]}
        record["agreement"].pop("monthly_fee")
    for key, value in changes.items():
        if value is None:
            record.pop(key)
        elif isinstance(value, dict) and isinstance(record.get(key), dict):
            record[key] = {**record[key], **value}
        else:
            record[key] = value
    write_customer(workspace, yaml.safe_dump(record, sort_keys=False))
    return record["id"]


def _generate(runner, workspace: Path, kind: str, *args: str):
    """Generate `kind`; a letter quotes the customer's agreement, which is issued first."""
    if kind in ("risk-letter", "insurance-notice"):
        customers = [a for a in args if not a.startswith("-")][:1] or []
        if customers or "--all" in args:
            if "--all" in args:
                issue_baas(workspace)  # the healthcare customer's agreement needs its BAA first
            agreement = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", *(customers or ["--all"]),
                                            "--as-of", AS_OF.isoformat()])
            assert agreement.exit_code == 0, agreement.output
    return runner.invoke(cli, ["-w", str(workspace), "generate", kind, *args, "--as-of", AS_OF.isoformat()])


def _text(workspace: Path, customer: str, kind: str) -> str:
    [path] = (workspace / "output" / customer).glob(f"{kind}-*.docx")
    return "\n".join(document_texts(path.read_bytes())["word/document.xml"])


def test_risk_letter_lists_each_declined_service_with_its_risk_and_insurer_control(runner, workspace):
    _write(workspace, services={"subscribed": ["helpdesk"], "declined": ["edr", "dark-web-monitoring"]})
    result = _generate(runner, workspace, "risk-letter", "tiny-co")
    assert result.exit_code == 0, result.output
    text = _text(workspace, "tiny-co", "risk-letter")
    assert "Risk Acceptance Letter" in text
    assert "Endpoint Detection and Response" in text and "Dark Web Credential Monitoring" in text
    assert "Ransomware that evades signature anti-virus" in text
    assert "Endpoint detection and response" in text  # the insurer control EDR satisfies
    assert "December 1, 2025" in text  # recommended on, as recorded
    assert ("I, Pat Doe, Owner of Tiny Co, LLC, acknowledge that Lakeside IT recommended each service"
            in text)
    assert "Tiny Co, LLC keeps the risks described above." in text
    assert text.count("Signature:") == 2
    assert "Risks Retained by the Customer" in text  # the approved clauses: headings without section numbers,
    assert not re.search(r"^\d+\.\d+\t", text, re.M)  # their paragraphs with the agreement's numbers
    assert re.search(r"^\d+\.\d+\.1\t", text, re.M)


def test_risk_letter_uses_the_recommendation_date_when_recorded(runner, workspace):
    _write(workspace, services={"subscribed": ["helpdesk"], "declined": ["edr"], "recommended_on": "2026-05-04"})
    assert _generate(runner, workspace, "risk-letter", "tiny-co").exit_code == 0
    assert "May 4, 2026" in _text(workspace, "tiny-co", "risk-letter")


def test_risk_letter_can_be_limited_to_named_services(runner, workspace):
    _write(workspace, services={"subscribed": ["helpdesk"], "declined": ["edr", "mfa"]})
    result = _generate(runner, workspace, "risk-letter", "tiny-co", "--service", "mfa")
    assert result.exit_code == 0, result.output
    text = _text(workspace, "tiny-co", "risk-letter")
    assert "Multi-Factor Authentication" in text
    assert "Endpoint Detection and Response" not in text


def test_risk_letter_refuses_a_service_the_customer_did_not_decline(runner, workspace):
    _write(workspace)
    result = _generate(runner, workspace, "risk-letter", "tiny-co", "--service", "helpdesk")
    assert result.exit_code == 2
    assert "tiny-co has not declined helpdesk" in result.output
    assert not list((workspace / "output" / "tiny-co").glob("risk-letter-*"))


def test_risk_letter_for_a_customer_who_declined_nothing_fails_clearly(runner, workspace):
    _write(workspace, services={"subscribed": ["helpdesk"], "declined": []})
    result = _generate(runner, workspace, "risk-letter", "tiny-co")
    assert result.exit_code == 2
    assert "tiny-co declined no services; there is nothing to acknowledge" in result.output


def test_risk_letters_for_all_skip_customers_who_declined_nothing(runner, workspace):
    _write(workspace, services={"subscribed": ["helpdesk"], "declined": []})
    result = _generate(runner, workspace, "risk-letter", "--all")
    assert result.exit_code == 0, result.output
    assert not list((workspace / "output" / "tiny-co").glob("risk-letter-*"))
    assert list((workspace / "output" / "bright-harbor-dental").glob("risk-letter-*.docx"))


def test_service_option_belongs_to_risk_letters(runner, workspace):
    result = _generate(runner, workspace, "agreement", "pinecrest-law", "--service", "edr")
    assert result.exit_code == 2
    assert "--service applies to risk-letter only" in result.output


def test_risk_letters_for_all_say_whom_they_skip(runner, workspace):
    result = _generate(runner, workspace, "risk-letter", "--all")
    assert result.exit_code == 0, result.output
    assert "skipped cascade-family-medicine: declined no services" in result.output


def test_the_clause_book_refuses_options_it_cannot_honour(runner, workspace):
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "clause-book", "--sign"])
    assert result.exit_code == 2 and "the clause book takes no --sign" in result.output
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "pinecrest-law", "--customer",
                                 "pinecrest-law"])
    assert result.exit_code == 2 and "--customer names the clause book's sample customer" in result.output
