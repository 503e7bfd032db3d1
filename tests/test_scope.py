"""Schedule A as a service order, and documents that state only what was recorded."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from conftest import AS_OF, customer_record, write_customer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mspdocs.cli import cli
from mspdocs.render.gate import document_texts


def _write(workspace: Path, record: dict) -> None:
    write_customer(workspace, yaml.safe_dump(record, sort_keys=False, allow_unicode=True))


def _run(runner, workspace: Path, *args: str):
    return runner.invoke(cli, ["-w", str(workspace), *args])


def _generate(runner, workspace: Path, kind: str, *args: str, as_of: str = AS_OF.isoformat()):
    return _run(runner, workspace, "generate", kind, *args, "--as-of", as_of)


def _text(workspace: Path, customer: str, kind: str) -> str:
    [path] = sorted((workspace / "output" / customer).glob(f"{kind}-*.docx"))[-1:]
    return "\n".join(document_texts(path.read_bytes())["word/document.xml"])


def _outputs(workspace: Path) -> list[Path]:
    return [p for p in (workspace / "output").rglob("*") if p.is_file()]


# --- every service classified ---------------------------------------------------------------------------

def test_an_unclassified_service_is_refused_by_check_and_generate_naming_customer_and_services(runner, workspace):
    record = customer_record()
    record["services"]["excluded"].remove("siem-soc")
    record["services"]["excluded"].remove("backup")
    _write(workspace, record)
    for args in (("customers", "check", "tiny-co"), ("generate", "agreement", "tiny-co"),
                 ("generate", "insurance-notice", "--all")):
        result = _run(runner, workspace, *args)
        assert result.exit_code == 2, result.output
        assert "tiny-co.yaml:" in result.output
        assert ("tiny-co: every catalog service must be subscribed, declined or excluded; not classified: "
                "backup, siem-soc") in result.output
    assert not _outputs(workspace)


# --- pricing ----------------------------------------------------------------------------------------------

def test_a_stated_monthly_fee_must_equal_the_priced_total_naming_both_figures(runner, workspace):
    record = customer_record()
    record["agreement"]["monthly_fee"] = "1100.00"
    _write(workspace, record)
    result = _generate(runner, workspace, "agreement", "tiny-co")
    assert result.exit_code == 2
    assert "agreement.monthly_fee: the monthly fee 1100.00 does not equal the total of the subscribed " \
           "services, 1000.00" in result.output
    assert not _outputs(workspace)


def test_without_a_stated_fee_the_total_is_the_monthly_fee(runner, workspace):
    record = customer_record()
    del record["agreement"]["monthly_fee"]
    record["covered"]["users"] = "12"  # 12 x $95.00 + 5 x $10.00 = $1,190.00
    _write(workspace, record)
    assert _generate(runner, workspace, "agreement", "tiny-co").exit_code == 0
    assert "a monthly fee of $1,190.00 for the Services" in _text(workspace, "tiny-co", "agreement")


def test_a_price_in_another_currency_must_be_given_per_service(runner, workspace):
    record = customer_record()
    record["agreement"]["currency"] = "CAD"
    _write(workspace, record)
    result = _run(runner, workspace, "customers", "check", "tiny-co")
    assert result.exit_code == 2
    assert "catalog prices are in USD; for an agreement in CAD give services.prices for helpdesk, edr" \
        in result.output


# --- declined services need their facts -------------------------------------------------------------------

def test_a_declined_service_without_its_recommendation_date_is_refused(runner, workspace):
    record = customer_record()
    record["services"]["declined"] = ["edr"]
    _write(workspace, record)
    result = _run(runner, workspace, "customers", "check")
    assert result.exit_code == 2
    assert "services.declined[0]: declined service 'edr' needs the date it was recommended" in result.output
    record["services"]["declined"] = [{"id": "edr", "reason": "Cost"}]
    _write(workspace, record)
    result = _run(runner, workspace, "customers", "check")
    assert result.exit_code == 2
    assert "services.declined[0].recommended_on: required field is missing" in result.output


def test_a_risk_letter_without_an_agreement_in_force_is_refused(runner, workspace):
    _write(workspace, customer_record())
    result = _generate(runner, workspace, "risk-letter", "tiny-co")
    assert result.exit_code == 2
    assert ("tiny-co: no agreement has been issued to this customer, and a Risk Acceptance Letter cites and "
            "quotes the agreement in force; generate it first (mspdocs generate agreement tiny-co)") \
        in result.output
    assert not _outputs(workspace)


# --- the customer's own review cadence --------------------------------------------------------------------

def test_the_agreement_promises_the_customers_own_review_cadence(runner, workspace):
    for customer, days in (("casco-bay-food-pantry", 180), ("muller-obrien", 120), ("pinecrest-law", 90)):
        assert _generate(runner, workspace, "agreement", customer).exit_code == 0
        assert f"at least once every {days} days" in _text(workspace, customer, "agreement")


def test_without_a_cadence_the_profile_default_is_promised(runner, workspace):
    record = customer_record()
    record.pop("qbr", None)
    _write(workspace, record)
    assert _generate(runner, workspace, "agreement", "tiny-co").exit_code == 0
    assert "at least once every 90 days" in _text(workspace, "tiny-co", "agreement")


# --- excluded security services ---------------------------------------------------------------------------

def test_an_excluded_security_service_states_that_the_customer_keeps_its_risk(runner, workspace):
    _write(workspace, customer_record())
    assert _generate(runner, workspace, "agreement", "tiny-co").exit_code == 0
    text = _text(workspace, "tiny-co", "agreement")
    assert ("Multi-Factor Authentication: Deployment and management of a second sign-in factor for email, "
            "remote access and administrator accounts. Because Customer does not have this security "
            "service from Provider, Customer keeps the risk it addresses: A single stolen or "
            "guessed password") in text
    # not for a service that is no security service
    assert "Onsite Hardware Repair: Technician visits to diagnose, repair or replace failed workstations, " \
           "servers, printers and network equipment.\n" in text


# --- dates ------------------------------------------------------------------------------------------------

def test_an_agreement_issued_after_its_effective_date_governs_the_services_since(runner, workspace):
    _write(workspace, customer_record())
    assert _generate(runner, workspace, "agreement", "tiny-co").exit_code == 0
    text = _text(workspace, "tiny-co", "agreement")
    assert ("This Agreement is dated November 27, 2026, after its Effective Date of January 1, 2026. The "
            "services Provider has provided to Customer since the Effective Date are governed by "
            "this Agreement") in text
    assert "The onboarding period, the first 60 days after the Effective Date, ended on March 2, 2026" in text
    assert "During the first 60 days after the Effective Date" not in text


def test_an_agreement_issued_before_its_effective_date_says_neither(runner, workspace):
    record = customer_record()
    record["agreement"]["effective"] = "2026-12-01"
    _write(workspace, record)
    assert _generate(runner, workspace, "agreement", "tiny-co").exit_code == 0
    text = _text(workspace, "tiny-co", "agreement")
    assert "after its Effective Date" not in text
    assert "During the first 60 days after the Effective Date, Provider will install its agents" in text


def test_an_agreement_whose_non_renewal_deadline_has_passed_is_refused(runner, workspace):
    record = customer_record()
    record["agreement"]["term_months"] = "12"  # ends January 1, 2027; notice 60 days before: November 2, 2026
    _write(workspace, record)
    result = _generate(runner, workspace, "agreement", "tiny-co")
    assert result.exit_code == 2
    assert ("tiny-co: the deadline for notice of non-renewal of the term ending January 1, 2027 passed on "
            "November 2, 2026; an agreement issued on November 27, 2026 cannot promise it") in result.output
    assert not _outputs(workspace)
    assert _generate(runner, workspace, "agreement", "tiny-co", as_of="2026-11-02").exit_code == 0


def test_an_agreement_that_does_not_renew_has_no_notice_deadline_but_must_not_have_ended(runner, workspace):
    record = customer_record()
    record["agreement"].update(term_months="12", renewal_months="0")  # ends January 1, 2027
    _write(workspace, record)
    assert _generate(runner, workspace, "agreement", "tiny-co").exit_code == 0
    result = _generate(runner, workspace, "agreement", "tiny-co", as_of="2027-01-01")
    assert result.exit_code == 2
    assert "tiny-co: the initial term ended on January 1, 2027 and the agreement does not renew" in result.output


def test_an_agreement_in_a_renewal_term_counts_from_the_current_term(runner, workspace):
    record = customer_record()
    record["agreement"].update(effective="2024-03-01", term_months="12")  # renewed to March 1, 2027
    _write(workspace, record)
    assert _generate(runner, workspace, "agreement", "tiny-co").exit_code == 0
    record["agreement"].update(effective="2024-01-01")  # renewal term ends January 1, 2027: too late
    _write(workspace, record)
    result = _generate(runner, workspace, "agreement", "tiny-co")
    assert result.exit_code == 2 and "term ending January 1, 2027" in result.output


# --- the inventory ----------------------------------------------------------------------------------------

def _with_inventory(workspace: Path, csv_text: str) -> dict:
    (workspace / "customers" / "tiny-co-devices.csv").write_text(csv_text, encoding="utf-8")
    record = customer_record()
    covered = record["covered"]
    for key in ("workstations", "servers", "network_devices"):
        del covered[key]
    covered["inventory"] = "tiny-co-devices.csv"
    covered["locations"].append({"name": "Annex", "address": "3 Side St, Portland, ME 04101"})
    record["agreement"].pop("monthly_fee")
    _write(workspace, record)
    return record


def test_inventory_errors_name_the_row_and_column_all_at_once(runner, workspace):
    _with_inventory(workspace, "name,type,location\nPC-1,workstation,Main office\nPC-2,laptop,Main office\n"
                               "PC-1,server,Basement\n,workstation,Annex\nX,server\n")
    result = _run(runner, workspace, "customers", "check", "tiny-co")
    assert result.exit_code == 2
    out = result.output
    assert "tiny-co-devices.csv:3: type: 'laptop' is not a device type (one of workstation, server, " \
           "network-device)" in out
    assert "tiny-co-devices.csv:4: name: device 'PC-1' is listed twice (first on line 2)" in out
    assert "tiny-co-devices.csv:4: location: 'Basement' is not a covered location" in out
    assert "tiny-co-devices.csv:5: name: is empty" in out
    assert "tiny-co-devices.csv:6: expected 3 columns (name,type,location), found 2" in out


def test_inventory_and_counts_together_are_refused(runner, workspace):
    record = _with_inventory(workspace, "name,type,location\nPC-1,workstation,Main office\n")
    record["covered"]["servers"] = "1"
    _write(workspace, record)
    result = _run(runner, workspace, "customers", "check", "tiny-co")
    assert result.exit_code == 2
    assert "covered.servers: give the device counts or an inventory file, not both" in result.output


def test_a_missing_inventory_file_is_named(runner, workspace):
    record = _with_inventory(workspace, "name,type,location\nPC-1,workstation,Main office\n")
    record["covered"]["inventory"] = "nowhere.csv"
    _write(workspace, record)
    result = _run(runner, workspace, "customers", "check", "tiny-co")
    assert result.exit_code == 2 and "nowhere.csv: cannot read file" in result.output


def test_customers_list_counts_from_the_inventory(runner, workspace):
    _with_inventory(workspace, "name,type,location\nPC-1,workstation,Main office\nPC-2,workstation,Annex\n"
                               "SRV,server,Main office\n")
    result = _run(runner, workspace, "customers", "list", "--format", "json")
    assert result.exit_code == 0, result.output
    row = next(row for row in json.loads(result.output) if row["id"] == "tiny-co")
    # 10 users x $95.00 help desk + 2 workstations x $10.00 patching
    assert (row["devices"], row["users"], row["monthly_fee"]) == (3, 10, "970.00")


# --- Schedule A -------------------------------------------------------------------------------------------

def _rows(workspace: Path, customer: str) -> list[list[str]]:
    """The agreement's table rows, each as its cells' text."""
    import docx

    [path] = sorted((workspace / "output" / customer).glob("agreement-*.docx"))[-1:]
    return [[cell.text for cell in row.cells] for table in docx.Document(str(path)).tables for row in table.rows]


def test_schedule_a_prices_each_service_and_totals_them(runner, workspace):
    record = customer_record()
    record["services"]["subscribed"].append("backup")
    record["services"]["excluded"].remove("backup")
    record["services"]["prices"]["backup"] = "137.25"
    record["agreement"]["monthly_fee"] = "1137.25"
    record["backup"] = {"retention": "Daily versions for 90 days"}
    record["service_levels"] = {"P1": {"response": "15 minutes, at any time"}}
    _write(workspace, record)
    result = _generate(runner, workspace, "agreement", "tiny-co")
    assert result.exit_code == 0, result.output
    rows = _rows(workspace, "tiny-co")
    assert ["Help Desk Support", "per user", "10", "$95.00", "$950.00"] in rows
    assert ["Patch Management", "per workstation", "5", "$10.00", "$50.00"] in rows
    assert ["Managed Backup with Offline Copy", "per server", "1", "$137.25", "$137.25"] in rows
    assert ["Monthly total", "$1,137.25"] in [[cell for i, cell in enumerate(r) if i in (0, 4)] for r in rows
                                              if r[0] == "Monthly total"]
    assert ["Managed workstations", "5"] in rows and ["Users", "10"] in rows
    assert ["Main office", "1 Main St, Portland, ME 04101"] in rows
    assert ["P1", "Critical: the business cannot operate, or a security incident is suspected",
            "15 minutes, at any time", "Every 2 hours", "8 hours"] in rows
    assert ["Business hours (during the support hours)", "$165.00 per hour"] in rows
    assert ["Minimum increment billed", "30 minutes"] in rows
    assert ["Retention", "Daily versions for 90 days"] in rows
    assert ["Frequency", "Daily, and every 4 hours during business hours for servers"] in rows
    text = _text(workspace, "tiny-co", "agreement")
    assert "Support hours: Monday to Friday, 8:00 a.m. to 6:00 p.m., except US federal holidays (US Eastern Time)." \
        in text
    assert "Quarterly true-up:" in text
    assert "Dated November 27, 2026" in text  # the date of issue
    assert "a monthly fee of $1,137.25 for the Services" in text


def test_schedule_a_without_a_backup_service_states_no_backup_terms(runner, workspace):
    _write(workspace, customer_record())
    assert _generate(runner, workspace, "agreement", "tiny-co").exit_code == 0
    text = _text(workspace, "tiny-co", "agreement")
    assert "A.6" not in text and "Recovery point objective" not in text
    assert "Exhibit A-1" not in text
    assert "within the numbers of each kind stated under \u201cWhat is covered\u201d in the Statement of Work" in text


def test_backup_terms_without_a_backup_service_are_refused(runner, workspace):
    record = customer_record()
    record["backup"] = {"retention": "forever"}
    _write(workspace, record)
    result = _run(runner, workspace, "customers", "check")
    assert result.exit_code == 2
    assert "backup: backup terms are given, but the customer subscribes to no backup service" in result.output


def test_the_inventory_is_exhibit_a1_and_the_managed_device_definition_points_to_it(runner, workspace):
    _with_inventory(workspace, "name,type,location\nPC-1,workstation,Main office\nPC-2,workstation,Annex\n"
                               "SRV & Co,server,Main office\n")
    assert _generate(runner, workspace, "agreement", "tiny-co").exit_code == 0
    text = _text(workspace, "tiny-co", "agreement")
    assert "Managed Device means a workstation, server or network device listed in Exhibit A-1" in text
    assert "Exhibit A-1 — Device Inventory" in text
    rows = _rows(workspace, "tiny-co")
    assert ["SRV & Co", "Server", "Main office"] in rows and ["PC-2", "Workstation", "Annex"] in rows
    assert ["Managed workstations", "2 (listed in Exhibit A-1)"] in rows
    assert ["Patch Management", "per workstation", "2", "$10.00", "$20.00"] in rows


# --- the risk letter's facts ------------------------------------------------------------------------------

def _declining(workspace: Path) -> dict:
    record = customer_record()
    record["services"]["declined"] = [
        {"id": "edr", "recommended_on": "2026-03-04", "reason": "Budget & timing",
         "compensating_controls": "Managed anti-virus on every device"},
        {"id": "mfa", "recommended_on": "2026-04-05"},
    ]
    record["services"]["excluded"].remove("mfa")
    record["qbr"] = {"cadence_days": "120"}
    _write(workspace, record)
    return record


def test_the_risk_letter_states_the_recorded_facts_of_each_declined_service(runner, workspace):
    _declining(workspace)
    agreement = _generate(runner, workspace, "agreement", "tiny-co", "--format", "json")
    assert agreement.exit_code == 0, agreement.output
    [issued] = json.loads(agreement.output)
    assert _generate(runner, workspace, "risk-letter", "tiny-co").exit_code == 0
    text = _text(workspace, "tiny-co", "risk-letter")
    assert (f"This letter relates to our Master Services Agreement No. {issued['document_id']} dated "
            "November 27, 2026 with Tiny Co, LLC") in text
    rows = [line for line in text.splitlines()]
    assert "March 4, 2026" in rows and "April 5, 2026" in rows
    assert "$45.00 per month (5 workstations at $9.00)" in rows  # EDR at list price for 5 workstations
    assert "$40.00 per month (10 users at $4.00)" in rows
    assert "Budget & timing" in rows and "Managed anti-virus on every device" in rows
    assert "No reason given" in rows and "No compensating controls stated" in rows
    # the next review by the customer's own cadence: November 27, 2026 + 120 days
    assert "stands until our next business review with Tiny Co, LLC, to be held no later than March 27, 2027." in text
    assert "January 1, 2026" not in text  # the effective date is never passed off as a recommendation date


def test_a_risk_letter_dated_before_a_recommendation_is_refused(runner, workspace):
    _declining(workspace)
    assert _generate(runner, workspace, "agreement", "tiny-co", as_of="2026-03-01").exit_code == 0
    result = _generate(runner, workspace, "risk-letter", "tiny-co", as_of="2026-04-01")
    assert result.exit_code == 2
    assert ("tiny-co: mfa is recorded as recommended on April 5, 2026, after the letter's date April 1, 2026"
            in result.output)


def test_the_risk_letter_quotes_only_clauses_in_the_agreement_in_force(runner, workspace):
    _declining(workspace)
    assert _generate(runner, workspace, "agreement", "tiny-co").exit_code == 0
    agreement = _text(workspace, "tiny-co", "agreement")
    clause = workspace / "clauses" / "declined.consequences.md"
    clause.write_text(clause.read_text().replace("version: 2", "version: 3")
                      .replace("Provider is not responsible for any loss", "Provider is not liable for any loss"))
    approved = _run(runner, workspace, "clauses", "approve", "declined.consequences", "--by", "Counsel")
    assert approved.exit_code == 0, approved.output
    assert _generate(runner, workspace, "risk-letter", "tiny-co").exit_code == 0
    letter = _text(workspace, "tiny-co", "risk-letter")
    assert "Effect of Declining a Service" not in letter and "is not liable for any loss" not in letter
    section = next(line.split("\t")[0] for line in agreement.splitlines()
                   if line.endswith("No System Is Completely Secure"))
    assert f"No System Is Completely Secure (Agreement, Section {section})" in letter
    assert "Adding a Declined Service Later (Agreement, Section" in letter


def test_a_draft_letter_without_an_agreement_says_so_and_quotes_nothing(runner, workspace):
    _write(workspace, customer_record())
    result = _generate(runner, workspace, "risk-letter", "tiny-co", "--draft")
    assert result.exit_code == 0, result.output
    text = _text(workspace, "tiny-co", "risk-letter")
    assert ("No agreement between Tiny Co, LLC and Lakeside IT has been issued yet, so this draft quotes "
            "none of its terms.") in text
    assert "Terms that apply" not in text and "No System Is Completely Secure" not in text


def test_a_draft_agreement_is_not_the_agreement_in_force(runner, workspace):
    _write(workspace, customer_record())
    assert _generate(runner, workspace, "agreement", "tiny-co", "--draft").exit_code == 0
    result = _generate(runner, workspace, "insurance-notice", "tiny-co")
    assert result.exit_code == 2 and "no agreement has been issued to this customer" in result.output


def test_recorded_facts_are_printed_as_written_never_run(runner, workspace):
    record = _with_inventory(workspace, "name,type,location\n\"{% if 1 %}PC{% endif %}\",workstation,Main office\n")
    record["services"]["declined"][0]["reason"] = "{{ 7*7 }} & <b>not</b> **now**"
    _write(workspace, record)
    assert _generate(runner, workspace, "agreement", "tiny-co").exit_code == 0
    assert ["{% if 1 %}PC{% endif %}", "Workstation", "Main office"] in _rows(workspace, "tiny-co")
    assert _generate(runner, workspace, "risk-letter", "tiny-co").exit_code == 0
    assert "{{ 7*7 }} & <b>not</b> **now**" in _text(workspace, "tiny-co", "risk-letter").splitlines()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(alphabet=st.characters(codec="utf-8"), max_size=300))
def test_any_inventory_text_is_read_or_refused_by_line(tmp_path, text):
    from mspdocs.errors import MspdocsError
    from mspdocs.workspace.coverage import read_inventory

    path = tmp_path / "devices.csv"
    path.write_text("name,type,location\n" + text, encoding="utf-8")
    try:
        devices = read_inventory(path, {"Main office"})
    except MspdocsError as error:
        assert error.exit_code == 2 and str(path) in str(error)
    else:
        assert all(d["type"] in ("workstation", "server", "network-device") and d["location"] == "Main office"
                   for d in devices)
