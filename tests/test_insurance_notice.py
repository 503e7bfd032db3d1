"""The insurance notice as the customer reads it: the policy once, expiry warnings, each control's status,
the terms, and an acknowledgement to sign."""

from __future__ import annotations

import io
from pathlib import Path

import yaml
from conftest import AS_OF, classify, customer_record, write_customer

from mspdocs.cli import cli
from mspdocs.render.gate import document_texts

EVERY_CONTROL = ["helpdesk", "patching", "edr", "mfa", "backup", "email-filtering", "security-awareness",
                 "vulnerability-scanning", "siem-soc"]


def _write(workspace: Path, **changes) -> str:
    record = customer_record()
    for key, value in changes.items():
        if value is None:
            record.pop(key)
        elif isinstance(value, dict) and isinstance(record.get(key), dict):
            merged = {**record[key], **value}
            record[key] = {name: item for name, item in merged.items() if item is not None}
        else:
            record[key] = value
    write_customer(workspace, yaml.safe_dump(record, sort_keys=False))
    return record["id"]


def _notice(runner, workspace: Path, as_of: str = AS_OF.isoformat(), *options: str) -> list[str]:
    issued = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "tiny-co", "--as-of", as_of])
    assert issued.exit_code == 0, issued.output  # the notice cites and quotes the agreement in force
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "insurance-notice", "tiny-co", "--as-of", as_of,
                                 *options])
    assert result.exit_code == 0, result.output
    [path] = (workspace / "output" / "tiny-co").glob("insurance-notice-*.docx")
    return document_texts(path.read_bytes())["word/document.xml"]


def test_the_policy_details_are_stated_once(runner, workspace):
    _write(workspace)
    text = "\n".join(_notice(runner, workspace))
    assert text.count("C-1") == 1 and text.count("Coalition") == 1 and text.count("March 31, 2027") == 1
    assert "Network security and privacy liability" in text  # the minimums come from the requirement clause


def test_nothing_missing_and_every_control_in_place(runner, workspace):
    _write(workspace, services={**classify(subscribed=EVERY_CONTROL, declined=()), "prices": {}},
           agreement={"monthly_fee": None})  # the fee is the priced total
    lines = _notice(runner, workspace)
    assert "Nothing else is missing: the policy on file meets the minimum limit, and we hold proof of it." in lines
    assert "Warning:" not in "\n".join(lines)
    statuses = [lines[i + 1] for i, line in enumerate(lines) if line.startswith("Multi-factor authentication")
                or line == "Endpoint detection and response"]
    assert statuses == ["In place", "In place"]


def test_what_is_missing_and_the_status_of_each_control(runner, workspace):
    _write(workspace, insurance={"limit": "250000", "expires": "2026-10-31", "proof_on_file": "false"})
    lines = _notice(runner, workspace)
    text = "\n".join(lines)
    assert "Warning: the policy expired on October 31, 2026." in text
    assert "The limit of $250,000 is below the minimum of $1,000,000." in text
    assert "No certificate of insurance or declarations page has been received." in text
    rows = {lines[i]: (lines[i + 1], lines[i + 2]) for i in range(len(lines) - 2)
            if lines[i + 1] in ("In place", "Declined", "Not addressed")}
    # tiny-co subscribes to help desk and patching, declined EDR, and was never sold MFA
    assert rows["Endpoint detection and response"] == (
        "Declined", "Endpoint Detection and Response declined; see the Risk Acceptance Letter")
    assert rows["Multi-factor authentication on email, remote access and administrator accounts"] == (
        "Not addressed", "Offered by us as Multi-Factor Authentication")
    from mspdocs.workspace.catalog import load_catalog

    controls = load_catalog(workspace / "catalog.yaml").insurer_controls
    assert sorted(rows) == sorted(controls.values())  # a row for every insurer control of the catalog


def test_a_policy_expiring_within_60_days_is_warned_of(runner, workspace):
    _write(workspace)  # expires March 31, 2027
    text = "\n".join(_notice(runner, workspace, "2027-01-30"))
    assert "Warning: the policy expires on March 31, 2027, within 60 days of this notice." in text


def test_a_policy_expiring_later_is_not_warned_of(runner, workspace):
    _write(workspace)
    assert "Warning:" not in "\n".join(_notice(runner, workspace, "2027-01-29"))  # 61 days


def test_without_a_policy(runner, workspace):
    _write(workspace, insurance=None)
    text = "\n".join(_notice(runner, workspace))
    assert "No policy on file." in text and "No cyber-liability policy is on file." in text
    assert "Warning:" not in text


def test_the_customer_acknowledges_and_signs_in_the_pdf(runner, workspace):
    from pypdf import PdfReader

    _write(workspace)
    text = "\n".join(_notice(runner, workspace, AS_OF.isoformat(), "--pdf"))
    assert "acknowledge that I have received this notice" in text and "Acknowledged for Tiny Co, LLC" in text
    [pdf] = (workspace / "output" / "tiny-co").glob("insurance-notice-*.pdf")
    fields = PdfReader(io.BytesIO(pdf.read_bytes())).get_fields()
    assert {"customer_signature", "msp_signature"} <= set(fields)
