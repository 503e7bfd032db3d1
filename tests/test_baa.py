"""The business associate agreement: its terms, and the agreement that waits for it and cites it."""

from __future__ import annotations

import json
from pathlib import Path

from mspdocs.cli import cli
from mspdocs.render.gate import document_texts

HEALTHCARE = "cascade-family-medicine"


def _generate(runner, workspace: Path, kind: str, *args: str):
    return runner.invoke(cli, ["-w", str(workspace), "generate", kind, *args, "--as-of", "2026-11-27",
                               "--format", "json"])


def _text(item: dict) -> str:
    return "\n".join(document_texts(Path(item["path"]).read_bytes())["word/document.xml"])


def test_healthcare_agreement_is_refused_until_its_baa_exists(runner, workspace):
    result = _generate(runner, workspace, "agreement", HEALTHCARE)
    assert result.exit_code == 2
    assert f"{HEALTHCARE} is a healthcare customer: generate its business associate agreement first" in result.output
    assert f"mspdocs generate baa {HEALTHCARE}" in result.output
    assert not list((workspace / "output").rglob("agreement-*.docx"))


def test_refusal_names_every_healthcare_customer_and_writes_nothing(runner, workspace):
    result = _generate(runner, workspace, "agreement", "--all")
    assert result.exit_code == 2 and HEALTHCARE in result.output
    assert not list((workspace / "output").rglob("*.docx"))


def test_agreement_cites_the_baa_by_id_and_date(runner, workspace):
    baa = json.loads(_generate(runner, workspace, "baa", HEALTHCARE).output)[0]
    result = _generate(runner, workspace, "agreement", HEALTHCARE)
    assert result.exit_code == 0, result.output
    text = _text(json.loads(result.output)[0])
    assert f"Business Associate Agreement No. {baa['document_id']}, dated November 27, 2026" in text
    assert "will sign a separate business associate agreement" not in text


def test_a_draft_agreement_may_precede_the_baa(runner, workspace):
    result = _generate(runner, workspace, "agreement", HEALTHCARE, "--draft")
    assert result.exit_code == 0, result.output
    assert "will sign a separate business associate agreement" in _text(json.loads(result.output)[0])


def test_a_draft_baa_does_not_satisfy_the_agreement(runner, workspace):
    assert _generate(runner, workspace, "baa", HEALTHCARE, "--draft").exit_code == 0
    assert _generate(runner, workspace, "agreement", HEALTHCARE).exit_code == 2


def test_baa_carries_the_terms_hipaa_requires(runner, workspace):
    result = _generate(runner, workspace, "baa", HEALTHCARE)
    assert result.exit_code == 0, result.output
    item = json.loads(result.output)[0]
    assert item["document_id"].startswith("BAA-")
    text = _text(item)
    assert "Cascade Family Medicine, P.C." in text and "a covered entity under HIPAA" in text
    for required in ("Provider may use and disclose PHI only:", "minimum necessary",
                     "Subpart C of 45 CFR Part 164", "agrees in writing to the same restrictions",
                     "as 45 CFR 164.410 requires", "within 10 business days after discovering it",
                     "45 CFR 164.524", "164.528", "available to the Secretary",
                     "return to Customer or destroy all PHI", "extend the protections of this BAA"):
        assert required in text, required
    assert "1.1\tMeaning of Terms" in text  # numbered, so each term can be cited


def test_baa_for_all_covers_healthcare_customers_only(runner, workspace):
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "baa", "--all", "--format", "json"])
    assert result.exit_code == 0, result.output
    written = json.loads(result.stdout)
    assert [item["customer"] for item in written] == [HEALTHCARE]
    assert "skipped pinecrest-law: industry is legal, not healthcare" in result.stderr
