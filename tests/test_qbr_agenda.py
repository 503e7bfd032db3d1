"""The QBR agenda: computed from the record, the register and the evidence; items come and go with the data."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import yaml
from conftest import classify, customer_record, write_customer

from mspdocs.cli.main import cli
from mspdocs.evidence.register import Register
from mspdocs.render.gate import document_texts

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "evidence"
AS_OF = "2026-11-29"


def invoke(runner, workspace, *args):
    result = runner.invoke(cli, ["-w", str(workspace), *args])
    return result


def agenda_text(runner, workspace, customer="tiny-co", as_of=AS_OF) -> str:
    result = invoke(runner, workspace, "generate", "qbr-agenda", customer, "--as-of", as_of)
    assert result.exit_code == 0, result.output
    path = Path(result.output.split("\t")[0])
    path = path if path.is_absolute() else Path.cwd() / path
    return "\n".join(document_texts(path.read_bytes())["word/document.xml"])


def tiny(workspace, **changes) -> dict:
    record = customer_record()
    del record["agreement"]["monthly_fee"]  # the total of the subscribed services, as they change here
    record.update(account_manager="Morgan Ellis",
                  contacts=[{"name": "Alex Kim", "title": "Office Manager", "email": "alex@example.com"}])
    for key, value in changes.items():
        record[key] = {**record[key], **value} if isinstance(value, dict) else value
    write_customer(workspace, yaml.safe_dump(record, sort_keys=False))
    return record


def test_attendees_actions_and_absent_evidence_are_stated(runner, workspace):
    tiny(workspace)
    text = agenda_text(runner, workspace)
    assert "Quarterly Business Review Agenda" in text
    for name in ("Pat Doe", "Alex Kim", "Office Manager", "Morgan Ellis", "Account manager"):
        assert name in text
    assert "No earlier review is on record, so no action items are carried over." in text
    assert "No device evidence has been imported for Tiny Co, LLC" in text
    assert "the first is due by April 1, 2026" in text  # effective 2026-01-01 + 90 days
    assert "None" not in text


def test_an_open_action_appears_until_it_is_closed(runner, workspace):
    tiny(workspace)
    recorded = invoke(runner, workspace, "qbr", "record", "tiny-co", "--held-on", "2026-10-01", "--attendee",
                      "Pat Doe", "--action", "Enable MFA & SSO for all staff; owner=Pat Doe; due=2026-11-15")
    assert recorded.exit_code == 0, recorded.output
    text = agenda_text(runner, workspace)
    assert "Enable MFA & SSO for all staff" in text and "November 15, 2026 (overdue)" in text
    assert "The last review was held on October 1, 2026; this one is due by December 30, 2026." in text
    assert invoke(runner, workspace, "qbr", "close-action", "tiny-co", "A1").exit_code == 0
    text = agenda_text(runner, workspace)
    assert "Enable MFA" not in text
    assert "No action items are open from the review held on October 1, 2026." in text


def test_a_declined_service_leaves_the_agenda_once_subscribed(runner, workspace):
    tiny(workspace)
    text = agenda_text(runner, workspace)
    assert "Endpoint Detection and Response" in text and "No signed acceptance on file" in text
    assert "offers to add any of these services" in text
    tiny(workspace, services=classify(subscribed=("helpdesk", "patching", "edr"), declined=()))
    text = agenda_text(runner, workspace)
    assert "No signed acceptance on file" not in text
    assert "has declined none of the services we recommend" in text


def test_a_signed_risk_letter_shows_the_acceptance_on_file(runner, workspace):
    from pypdf import PdfWriter

    tiny(workspace)
    agreement = invoke(runner, workspace, "generate", "agreement", "tiny-co", "--as-of", "2026-10-01")
    assert agreement.exit_code == 0, agreement.output  # the letter quotes the agreement in force
    letter = invoke(runner, workspace, "generate", "risk-letter", "tiny-co", "--as-of", AS_OF)
    assert letter.exit_code == 0, letter.output
    document_id = letter.output.split("\t")[1].strip()
    scan = workspace / "scan.pdf"
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    buffer = io.BytesIO()
    writer.write(buffer)
    scan.write_bytes(buffer.getvalue())
    signed = invoke(runner, workspace, "signed", "add", str(scan), "--document", document_id, "--signer", "Pat Doe",
                    "--signed-on", dt.date.today().isoformat())
    assert signed.exit_code == 0, signed.output
    text = agenda_text(runner, workspace)
    assert "Signed acceptance on file" in text and "No signed acceptance on file" not in text


def test_insurance_expiring_appears_within_90_days_only(runner, workspace):
    tiny(workspace, insurance={"expires": "2027-01-15"})
    assert "expires on January 15, 2027, within 90 days" in agenda_text(runner, workspace)
    far = agenda_text(runner, workspace, as_of="2026-09-01")
    assert "within 90 days" not in far and "expired" not in far
    expired = agenda_text(runner, workspace, as_of="2027-02-01")
    assert "expired on January 15, 2027" in expired


def test_insurance_in_order_is_said_so(runner, workspace):
    tiny(workspace, services=classify(subscribed=("helpdesk", "patching", "endpoint-av", "edr", "mfa", "backup",
                                                  "email-filtering", "security-awareness", "siem-soc",
                                                  "vulnerability-scanning"), declined=()))
    text = agenda_text(runner, workspace)
    assert "The policy with Coalition is current to March 31, 2027, meets the minimum limit, and proof of cover " \
           "is on file." in text


def test_insurance_gaps_are_each_named(runner, workspace):
    tiny(workspace, insurance={"limit": "250000", "proof_on_file": "false"})
    text = agenda_text(runner, workspace)
    assert "The limit of $250,000 is below the minimum of $1,000,000." in text
    assert "No proof of cover" in text
    assert "neither in place nor declined in writing" in text  # tiny-co leaves MFA and others open


def test_renewal_appears_within_two_quarters_of_the_term_end(runner, workspace):
    tiny(workspace, agreement={"term_months": "12"})  # effective 2026-01-01, 12 months, renews for 12
    assert "Agreement renewal" not in agenda_text(runner, workspace, as_of="2026-05-01")
    text = agenda_text(runner, workspace, as_of="2026-11-01")
    assert "The current term ends on December 31, 2026. It renews for 12 months unless either party gives " \
           "notice by November 1, 2026." in text


def test_delivery_findings_come_from_the_latest_evidence(runner, workspace):
    folder = workspace / "exports"
    shutil.copytree(EXAMPLES, folder)
    imported = invoke(runner, workspace, "evidence", "import", str(folder / "device-list-export.csv"),
                      "--mapping", str(folder / "device-list.mapping.yaml"))
    assert imported.exit_code == 0, imported.output
    text = agenda_text(runner, workspace, "pinecrest-law")
    assert "lists 22 devices" in text
    assert "PLG-WS04: no anti-virus (promised by Managed Anti-Virus)" in text
    assert "not seen since" not in text
    # Counts from the statement of work (covered:) against the evidence, beyond the true-up tolerance.
    assert "Workstations: the statement of work covers 14, the evidence shows 17." in text
    assert "Servers:" not in text and "Network devices:" not in text  # these agree
    assert "GRA-LT06: not seen since October 19, 2026" in agenda_text(runner, workspace, "granite-ridge-accounting")
    record = workspace / "customers" / "pinecrest-law.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("  monthly_fee: 2016.00\n", "")
                      .replace("workstations: 14", "workstations: 17"), encoding="utf-8")
    text = agenda_text(runner, workspace, "pinecrest-law")
    assert "Scope changes to confirm" not in text and "the statement of work covers" not in text


def test_the_agenda_is_recorded_and_a_qbr_can_name_it(runner, workspace):
    tiny(workspace)
    result = invoke(runner, workspace, "generate", "qbr-agenda", "tiny-co", "--as-of", AS_OF)
    document_id = result.output.split("\t")[1].strip()
    recorded = invoke(runner, workspace, "qbr", "record", "tiny-co", "--held-on", "2026-11-28",
                      "--attendee", "Pat Doe", "--agenda", document_id)
    assert recorded.exit_code == 0, recorded.output
    with Register(workspace / "register.sqlite3") as register:
        kinds = [(e.event, e.kind) for e in register.entries()]
    assert kinds == [("document.generated", "qbr-agenda"), ("qbr.held", None)]


def test_agendas_refuse_unapproved_clauses(runner, workspace):
    tiny(workspace)
    clause = workspace / "clauses" / "qbr.purpose.md"
    clause.write_text(clause.read_text().replace("Its purpose", "The purpose"))
    result = invoke(runner, workspace, "generate", "qbr-agenda", "tiny-co", "--as-of", AS_OF)
    assert result.exit_code == 1 and "qbr.purpose" in result.output


def test_the_purpose_names_the_agreement_only_once_one_is_issued(runner, workspace):
    tiny(workspace)
    text = agenda_text(runner, workspace)
    assert ("This business review is held between Lakeside IT and Tiny Co, LLC; no written agreement between "
            "them has been issued yet.") in text
    assert "held under the agreement" not in text
    draft = invoke(runner, workspace, "generate", "agreement", "tiny-co", "--draft", "--as-of", "2026-10-01")
    assert draft.exit_code == 0, draft.output
    assert "no written agreement between them has been issued yet" in agenda_text(runner, workspace)  # a draft is no agreement
    agreement = invoke(runner, workspace, "generate", "agreement", "tiny-co", "--as-of", "2026-10-01")
    assert agreement.exit_code == 0, agreement.output
    document_id = agreement.output.split("\t")[1].strip()
    text = agenda_text(runner, workspace)
    assert (f"This business review is held under the agreement between Lakeside IT and Tiny Co, LLC issued on "
            f"October 1, 2026 (Reference No. {document_id}).") in text
    assert "has been issued yet" not in text


def test_the_terms_section_says_they_are_the_reviews_own(runner, workspace):
    tiny(workspace)
    text = agenda_text(runner, workspace)
    assert ("The terms below govern this review itself: what it is for and the records its facts come from, and "
            "the standing of the services Tiny Co, LLC declined.") in text
    assert "terms of our agreement" not in text
