"""The owner's audit: a portfolio per lesson where exactly that lesson fails, an all-ok one, --as-of, JSON shape."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import write_msp_profile
from mspdocs.cli.main import cli
from mspdocs.evidence.register import DOCUMENT_SIGNED, Register
from mspdocs.workspace.folder import init_workspace

AS_OF = dt.date(2026, 11, 20)
CUSTOMER = "good-co"
SUBSCRIBED = ["helpdesk", "patching", "endpoint-av", "edr", "mfa", "backup", "email-filtering",
              "security-awareness", "siem-soc", "vulnerability-scanning"]
DECLINED = ["dark-web-monitoring"]
EXCLUDED = ["onsite-hardware-repair", "network-monitoring", "firewall-management", "mobile-device-management",
            "compliance-reporting"]
PROTECTIONS = ["rmm-agent", "patching", "antivirus", "edr", "backup", "log-forwarding", "disk-encryption"]


def record(**changes) -> dict:
    data = {
        "id": CUSTOMER, "legal_name": "Good & Co, LLC",
        "address": {"street": "1 Main St", "city": "Portland", "region": "ME", "postal_code": "04101",
                    "country": "US"},
        "industry": "dental",
        "signatory": {"name": "Pat Doe", "title": "Owner", "email": "pat@good.example"},
        "agreement": {"effective": "2026-01-01", "term_months": "24", "currency": "USD",
                      "governing_law": "Maine"},
        "covered": {"workstations": "2", "servers": "0", "network_devices": "0", "users": "3",
                    "locations": [{"name": "Office", "address": "1 Main St, Portland, ME 04101"}]},
        "services": {"subscribed": list(SUBSCRIBED),
                     "declined": [{"id": sid, "recommended_on": "2026-01-01"} for sid in DECLINED],
                     "excluded": list(EXCLUDED)},
        "insurance": {"carrier": "Coalition", "policy_number": "C-1", "limit": "1000000",
                      "expires": "2027-03-31", "proof_on_file": "true"},
        "qbr": {"cadence_days": "90"},
    }
    data.update(changes)
    return data


def write_record(workspace: Path, data: dict) -> None:
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000)
    (workspace / "customers" / f"{data['id']}.yaml").write_text(text, encoding="utf-8")


def sign(workspace: Path, document_id: str, kind: str) -> None:
    """A signed copy recorded as `signed add` records a scan (the audit reads only the register)."""
    with Register(workspace / "register.sqlite3") as register:
        register.record(DOCUMENT_SIGNED, {"method": "wet-ink", "assurance": "wet ink (scan)", "signer": "Pat Doe",
                                          "signed_at": "2026-11-02", "document_id": document_id},
                        "tester", document_id=document_id, customer=CUSTOMER, kind=kind)


def evidence_csv(path: Path, missing: str | None = None, last_seen: str = "2026-11-18") -> Path:
    lines = ["customer,device,last_seen,type," + ",".join(PROTECTIONS)]
    for name in ("GC-WS01", "GC-WS02"):
        values = ["no" if (name == "GC-WS02" and p == missing) else "yes" for p in PROTECTIONS]
        lines.append(f"{CUSTOMER},{name},{last_seen},workstation," + ",".join(values))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict[str, str]:
    """One workspace with the customer's agreement and risk letter generated (slow: done once)."""
    import mspdocs
    from mspdocs.qbr.meetings import record_qbr

    root = tmp_path_factory.mktemp("audit") / "ws"
    write_msp_profile(init_workspace(root, examples=True))
    for path in (root / "customers").glob("*.yaml"):
        path.unlink()
    write_record(root, record())
    [agreement] = mspdocs.generate("agreement", [CUSTOMER], workspace=root, as_of=dt.date(2026, 11, 1))
    [letter] = mspdocs.generate("risk-letter", [CUSTOMER], workspace=root, as_of=dt.date(2026, 11, 1))
    record_qbr(CUSTOMER, dt.date(2026, 11, 10), ["Pat Doe", "Morgan Ellery"],
               ["Replace GC-WS02; owner=Pat Doe; due=2026-12-15"], workspace=root, today=AS_OF)
    return {"root": str(root), "agreement": agreement.document_id, "letter": letter.document_id}


@pytest.fixture
def portfolio(built, tmp_path) -> Path:
    """A copy of the built workspace whose agreement and risk letter are signed: every lesson ok."""
    root = tmp_path / "ws"
    shutil.copytree(built["root"], root)
    sign(root, built["agreement"], "agreement")
    sign(root, built["letter"], "risk-letter")
    evidence_csv(tmp_path / "devices.csv")
    return root


def run_audit(runner, root: Path, *args: str):
    evidence = root.parent / "devices.csv"
    options = ["--evidence", str(evidence)] if evidence.exists() and "--evidence" not in args else []
    return runner.invoke(cli, ["-w", str(root), "audit", *options, *args])


def statuses(runner, root: Path, *args: str) -> tuple[int, dict[int, dict]]:
    result = run_audit(runner, root, "--format", "json", "--as-of", AS_OF.isoformat(), *args)
    assert result.exit_code in (0, 1), result.output
    [customer] = json.loads(result.output)
    assert customer["customer"] == CUSTOMER
    return result.exit_code, {check["lesson"]: check for check in customer["checks"]}


def failing(checks: dict[int, dict]) -> list[int]:
    return [lesson for lesson, check in checks.items() if check["status"] != "ok"]


def test_an_all_ok_portfolio_exits_0(runner, portfolio):
    code, checks = statuses(runner, portfolio)
    assert failing(checks) == [], checks
    assert code == 0
    assert "signed by Pat Doe" in checks[1]["reason"]
    assert "last QBR on 2026-11-10" in checks[6]["reason"]
    text = run_audit(runner, portfolio, "--as-of", AS_OF.isoformat())
    assert text.exit_code == 0
    assert text.output.splitlines()[1].split() == [CUSTOMER, "ok", "ok", "ok", "ok", "ok", "ok"]


def test_lesson_1_an_unsigned_agreement(runner, built, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(built["root"], root)
    sign(root, built["letter"], "risk-letter")
    evidence_csv(tmp_path / "devices.csv")
    code, checks = statuses(runner, root)
    assert (code, failing(checks)) == (1, [1])
    assert checks[1]["reason"].startswith(f"agreement {built['agreement']} of 2026-11-01 was generated but never signed")
    assert "mspdocs signed add" in checks[1]["action"]


def test_lesson_1_no_agreement_at_all(runner, tmp_path):
    root = write_msp_profile(init_workspace(tmp_path / "ws", examples=True))
    for path in (root / "customers").glob("*.yaml"):
        path.unlink()
    write_record(root, record())
    code, checks = statuses(runner, root)
    assert checks[1]["status"] == "gap" and checks[1]["reason"] == "no agreement generated"
    assert checks[1]["action"].startswith(f"mspdocs generate agreement {CUSTOMER} --pdf")


def test_lesson_1_signed_then_superseded_by_an_unsigned_agreement(runner, portfolio):
    import mspdocs

    data = record()
    data["covered"]["users"] = "4"  # one more user: a new statement of work
    write_record(portfolio, data)
    [newer] = mspdocs.generate("agreement", [CUSTOMER], workspace=portfolio, as_of=dt.date(2026, 11, 15))
    code, checks = statuses(runner, portfolio)
    assert (code, failing(checks)) == (1, [1])
    assert "was superseded by" in checks[1]["reason"] and newer.document_id in checks[1]["reason"]


def test_lesson_1_older_clause_versions_recommend_re_signing_without_a_gap(runner, portfolio):
    from mspdocs.evidence.register import DOCUMENT_GENERATED

    with Register(portfolio / "register.sqlite3", read_only=True) as register:
        [entry] = register.entries(event=DOCUMENT_GENERATED, kind="agreement")
    first = entry.payload["clauses"][0]
    lock = portfolio / "clauses" / "approvals.lock"
    text = lock.read_text(encoding="utf-8")
    assert f"version: {first['version']}" in text
    # Counsel has since approved a newer version of the first clause (as the lock would say).
    block_start = text.index(first["id"])
    version_at = text.index(f"version: {first['version']}", block_start)
    lock.write_text(text[:version_at] + f"version: {int(first['version']) + 1}"
                    + text[version_at + len(f"version: {first['version']}"):], encoding="utf-8")
    code, checks = statuses(runner, portfolio)
    assert code == 0 and checks[1]["status"] == "ok"
    assert "re-sign recommended" in checks[1]["reason"] and first["id"] in checks[1]["reason"]


def test_lesson_2_a_service_left_unclassified(runner, portfolio):
    data = record()
    data["services"]["excluded"].remove("compliance-reporting")
    write_record(portfolio, data)
    code, checks = statuses(runner, portfolio)
    assert (code, failing(checks)) == (1, [2])
    assert "compliance-reporting" in checks[2]["reason"]


def test_lesson_2_the_agreement_states_another_scope(runner, portfolio):
    data = record()
    data["services"]["excluded"].remove("network-monitoring")
    data["services"]["subscribed"].append("network-monitoring")
    write_record(portfolio, data)
    code, checks = statuses(runner, portfolio)
    assert (code, failing(checks)) == (1, [2])
    assert "network-monitoring: subscribed in the record, excluded in" in checks[2]["reason"]


def test_lesson_3_a_decline_without_a_signed_letter(runner, built, tmp_path):
    root = tmp_path / "ws"
    shutil.copytree(built["root"], root)
    sign(root, built["agreement"], "agreement")
    evidence_csv(tmp_path / "devices.csv")
    code, checks = statuses(runner, root)
    assert (code, failing(checks)) == (1, [3])
    assert "dark-web-monitoring" in checks[3]["reason"]
    assert checks[3]["action"].startswith(f"mspdocs generate risk-letter {CUSTOMER} --service dark-web-monitoring")


def test_lesson_3_a_signed_letter_older_than_the_decision(runner, portfolio):
    data = record()
    data["services"]["declined"][0]["recommended_on"] = "2026-11-05"  # declined again after the letter
    write_record(portfolio, data)
    code, checks = statuses(runner, portfolio)
    assert (code, failing(checks)) == (1, [3])
    assert "predates the decision of 2026-11-05" in checks[3]["reason"]


@pytest.mark.parametrize("change, words", [
    ({"expires": "2026-10-31"}, "expired on 2026-10-31"),
    ({"proof_on_file": "false"}, "no proof"),
    ({"limit": "250000"}, "below the minimum"),
])
def test_lesson_4_insurance(runner, portfolio, change, words):
    data = record()
    data["insurance"].update(change)
    write_record(portfolio, data)
    code, checks = statuses(runner, portfolio)
    assert (code, failing(checks)) == (1, [4])
    assert words in checks[4]["reason"]


def test_lesson_4_an_insurer_control_neither_subscribed_nor_declined(runner, portfolio):
    data = record()
    data["services"]["subscribed"].remove("vulnerability-scanning")
    data["services"]["excluded"].append("vulnerability-scanning")
    write_record(portfolio, data)
    code, checks = statuses(runner, portfolio)
    assert 4 in failing(checks)
    assert "vulnerability" in checks[4]["reason"].lower()


def test_lesson_5_a_device_without_promised_protection(runner, portfolio, tmp_path):
    evidence_csv(tmp_path / "devices.csv", missing="antivirus")
    code, checks = statuses(runner, portfolio)
    assert (code, failing(checks)) == (1, [5])
    assert "GC-WS02 (anti-virus)" in checks[5]["reason"]


def test_lesson_5_stale_devices_and_old_evidence(runner, portfolio, tmp_path):
    evidence_csv(tmp_path / "devices.csv", last_seen="2026-10-01")
    code, checks = statuses(runner, portfolio)
    assert checks[5]["status"] == "unknown" and "days old" in checks[5]["reason"]
    evidence_csv(tmp_path / "devices.csv", last_seen="2026-10-01")
    code, checks = statuses(runner, portfolio, "--as-of", "2026-10-25")
    assert checks[5]["status"] == "ok"


def test_lesson_5_unknown_without_evidence(runner, portfolio, tmp_path):
    (tmp_path / "devices.csv").unlink()
    code, checks = statuses(runner, portfolio)
    assert (code, failing(checks)) == (0, [5])
    assert checks[5]["status"] == "unknown"


def test_lesson_6_no_qbr_within_the_cadence(runner, portfolio):
    code, checks = statuses(runner, portfolio, "--as-of", "2027-02-20")
    assert checks[6]["status"] == "gap" and "next was due on 2027-02-08" in checks[6]["reason"]


def test_lesson_6_an_open_action_past_due(runner, portfolio):
    code, checks = statuses(runner, portfolio, "--as-of", "2026-12-16")
    assert (code, failing(checks)) == (1, [6])
    assert "A1 'Replace GC-WS02' (due 2026-12-15)" in checks[6]["reason"]
    assert f"mspdocs qbr close-action {CUSTOMER} A1" in checks[6]["action"]


def test_as_of_moves_insurance_and_qbr_outcomes(runner, portfolio):
    _, before = statuses(runner, portfolio, "--as-of", "2026-11-20")
    _, after = statuses(runner, portfolio, "--as-of", "2027-04-15")
    assert before[4]["status"] == before[6]["status"] == "ok"
    assert after[4]["status"] == after[6]["status"] == "gap"
    assert "expired on 2027-03-31" in after[4]["reason"]


def test_the_json_has_its_documented_shape(runner, workspace):
    result = runner.invoke(cli, ["-w", str(workspace), "audit", "--format", "json", "--as-of", "2026-11-20"])
    assert result.exit_code == 1
    data = json.loads(result.output)
    assert isinstance(data, list) and len(data) == len(list((workspace / "customers").glob("*.yaml")))
    for customer in data:
        assert set(customer) == {"customer", "checks"} and isinstance(customer["customer"], str)
        assert [check["lesson"] for check in customer["checks"]] == [1, 2, 3, 4, 5, 6]
        for check in customer["checks"]:
            assert set(check) == {"lesson", "status", "reason", "action"}
            assert check["status"] in ("ok", "gap", "unknown")
            assert isinstance(check["reason"], str) and check["reason"]
            assert isinstance(check["action"], str)
            assert check["status"] == "ok" or check["action"]


def test_bad_input_exits_2(runner, workspace):
    assert runner.invoke(cli, ["-w", str(workspace), "audit", "no-such-customer"]).exit_code == 2
    assert runner.invoke(cli, ["-w", str(workspace), "audit", "--as-of", "2026-02-30"]).exit_code == 2
    assert runner.invoke(cli, ["-w", str(workspace), "audit", "--format", "html"]).exit_code == 2
    broken = workspace / "customers" / "pinecrest-law.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("2026-12-31", "2026-13-31"), encoding="utf-8")
    result = runner.invoke(cli, ["-w", str(workspace), "audit"])
    assert result.exit_code == 2 and "pinecrest-law.yaml" in result.output


def test_the_audit_is_callable_from_python(portfolio):
    import mspdocs

    [found] = mspdocs.run_audit([CUSTOMER], workspace=portfolio, as_of=AS_OF,
                            evidence=portfolio.parent / "devices.csv")
    assert [check.status for check in found.checks] == ["ok"] * 6
