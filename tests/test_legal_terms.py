"""The agreement's protective terms as a customer reads them: insurance, warranties, liability, incidents."""

from __future__ import annotations

import json
import re
from pathlib import Path

from mspdocs.cli import cli
from mspdocs.render.gate import document_texts

from conftest import catalog_ids, customer_record, write_customer


def _agreement(runner, workspace: Path, customer: str) -> list[str]:
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", customer, "--as-of", "2026-11-27",
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    [item] = json.loads(result.output)
    return [line for line in document_texts(Path(item["path"]).read_bytes())["word/document.xml"] if line]


def _record(workspace: Path, **changes) -> str:
    import yaml

    record = customer_record()
    for dotted, value in changes.items():
        target = record
        *parents, last = dotted.split("__")
        for key in parents:
            target = target.setdefault(key, {})
        target[last] = value
    write_customer(workspace, yaml.safe_dump(record, sort_keys=False))
    return record["id"]


def _section(lines: list[str], title: str) -> str:
    """The text of the section with this heading, up to the next numbered heading."""
    lines = [plain_quotes(line) for line in lines]
    start = next(i for i, line in enumerate(lines) if line.endswith("\t" + title) or line == title)
    end = next((i for i in range(start + 1, len(lines)) if re.match(r"\d+\.(\d+)?\t", lines[i])), len(lines))
    return plain_quotes("\n".join(lines[start + 1:end]))


def plain_quotes(text: str) -> str:
    """Typographic quotes as straight ones, so expectations read as typed."""
    return text.translate({0x2018: "'", 0x2019: "'", 0x201C: '"', 0x201D: '"'})


def test_required_insurance_is_a_must_with_a_minimum_per_coverage(runner, workspace):
    profile = workspace / "mspdocs.toml"
    profile.write_text(profile.read_text().replace("funds_transfer_fraud = 100000", "funds_transfer_fraud = 175000"))
    text = _section(_agreement(runner, workspace, _record(workspace)), "Customer's Cyber Insurance")
    assert "Customer must obtain" in text and "should" not in text
    for coverage, minimum in (("Network security and privacy liability", "$1,000,000"),
                              ("First-party breach response", "$250,000"), ("Business interruption", "$250,000"),
                              ("Cyber extortion", "$250,000"),
                              ("Social engineering and funds-transfer fraud", "$175,000")):
        line = next(line for line in text.splitlines() if re.sub(r"^\([a-z]\)\t", "", line).startswith(coverage))
        assert f": {minimum}" in line, line
    assert "cancelled, will not be renewed" in text


def test_insurance_minimums_default_when_the_profile_names_none(runner, workspace):
    profile = workspace / "mspdocs.toml"
    text = profile.read_text()
    start = text.index("[msp.insurance_minimums]")
    profile.write_text(text[:start] + text[text.index("[agreement]"):])
    text = _section(_agreement(runner, workspace, _record(workspace)), "Customer's Cyber Insurance")
    assert "Social engineering and funds-transfer fraud (loss" in text and "$100,000." in text


def test_subrogation_tail_cure_and_no_admission(runner, workspace):
    lines = _agreement(runner, workspace, _record(workspace))
    waiver = _section(lines, "Waiver of Subrogation and Extended Reporting")
    assert "every right of recovery against Provider" in waiver and "To the extent its policy allows" in waiver
    assert "extended reporting period" in waiver and "three years after this Agreement ends" in waiver
    cure = _section(lines, "If Customer Does Not Maintain the Required Insurance")
    assert "30 days after that notice to cure" in cure and "Customer bears itself every loss" in cure
    assert "suspend the parts of the Services" in cure and "end this Agreement" in cure
    admission = _section(lines, "Insurance Is Not an Admission")
    assert admission.startswith("Neither party's insurance") and "is an admission of liability" in admission
    assert "enlarges Provider's duties" in admission


def test_recommended_insurance_has_no_cure_or_subrogation_terms(runner, workspace):
    lines = _agreement(runner, workspace, _record(workspace, agreement__insurance_required="false"))
    assert any(line.endswith("Cyber Insurance Recommended") for line in lines)
    assert not any("Waiver of Subrogation" in line or "Required Insurance" in line for line in lines)
    assert "Insurance Is Not an Admission" in "\n".join(lines)


def test_disclaimer_remedy_and_cap_are_conspicuous(runner, workspace):
    lines = _agreement(runner, workspace, _record(workspace))
    disclaimer = _section(lines, "Disclaimer of Other Warranties")
    assert "MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE" in disclaimer
    remedy = _section(lines, "Service Warranty and Exclusive Remedy")
    assert "SOLE AND EXCLUSIVE REMEDIES" in remedy and "perform the non-conforming Services again" in remedy
    cap = _section(lines, "Limit of Liability")
    assert "EACH PARTY'S TOTAL LIABILITY" in cap and "IS LIMITED TO THE FEES PAID AND PAYABLE" in cap
    assert "CONSEQUENTIAL" in _section(lines, "Excluded Damages")


def test_conspicuous_terms_are_bold_in_word(runner, workspace):
    from docx import Document

    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", _record(workspace),
                                 "--format", "json"])
    [item] = json.loads(result.output)
    bold = {plain_quotes(run.text) for para in Document(item["path"]).paragraphs for run in para.runs if run.bold}
    for start in ("EXCEPT FOR THE WARRANTY", "EACH PARTY'S TOTAL LIABILITY", "NEITHER PARTY IS LIABLE",
                  "THESE ARE CUSTOMER'S SOLE AND EXCLUSIVE REMEDIES"):
        assert any(text.startswith(start) for text in bold), start


def test_breach_response_costs_are_classified(runner, workspace):
    text = _section(_agreement(runner, workspace, _record(workspace)), "Breach Response Costs")
    assert "notifying affected individuals" in text and "forensic investigation" in text
    assert "credit or identity monitoring" in text
    assert "direct damages recoverable from Provider only to the extent" in text
    assert "Customer's own costs" in text


def test_customer_indemnity_sits_outside_cap_and_exclusions(runner, workspace):
    lines = _agreement(runner, workspace, _record(workspace))
    heading = next(line for line in map(plain_quotes, lines) if line.endswith("Customer's Indemnity for Declined Services and "
                                                            "Customer Decisions"))
    number = heading.split("\t")[0]
    indemnity = _section(lines, "Customer's Indemnity for Declined Services and Customer Decisions")
    assert "the absence of a Declined Service" in indemnity
    assert "DO NOT APPLY TO THIS INDEMNITY" in indemnity
    assert f"Customer's indemnity under Section {number}" in _section(lines, "Limit of Liability")
    assert f"Customer's indemnity under Section {number}" in _section(lines, "Excluded Damages")


def test_declined_exclusion_is_narrow_and_applies_to_later_declines(runner, workspace):
    text = _section(_agreement(runner, workspace, _record(workspace)), "Effect of Declining a Service")
    assert "to the extent that it was caused by the absence of a Declined Service" in text
    assert "does not relieve Provider of responsibility for its own failure to perform" in text
    assert "event that a declined service is designed to prevent, detect or limit" not in text


def test_effect_clause_is_in_an_agreement_with_nothing_declined(runner, workspace):
    lines = _agreement(runner, workspace, _record(workspace, services__declined=[], services__excluded=[s for s in catalog_ids() if s not in ("helpdesk", "patching")]))
    effect = _section(lines, "Effect of Declining a Service")
    assert "declines it later during the term" in effect
    later = _section(lines, "Services Declined During the Term")
    number = next(line for line in lines if line.endswith("\tEffect of Declining a Service")).split("\t")[0]
    assert f"Section {number} applies to it" in later


def test_early_termination_fee_rules_and_survival(runner, workspace):
    lines = _agreement(runner, workspace, _record(workspace))
    ending = _section(lines, "Ending This Agreement")
    assert "Provider ends it for Customer's breach (including failure to pay)" in ending
    fees_number = next(line for line in lines if line.endswith("\tFee Adjustments")).split("\t")[0]
    assert f"after a fee increase in Section {fees_number}" in ending
    survival = _section(lines, "Terms That Survive")
    for part in ("Risks Retained by the Customer", "Declined Services", "Cyber-Liability Insurance",
                 "Limitation of Liability", "Indemnification"):
        assert part in survival


def test_no_work_before_signature_and_ratification(runner, workspace):
    text = _section(_agreement(runner, workspace, _record(workspace)), "No Work Without a Signed Order")
    assert "until both parties have signed this Agreement or a written order" in text
    assert "Customer ratifies them" in text


def test_incident_authority_ransom_and_sanctions(runner, workspace):
    text = _section(_agreement(runner, workspace, _record(workspace)), "Authority to Act During an Incident")
    assert "authorizes Provider in advance" in text and "shut down" in text
    assert "not liable for downtime" in text
    assert "no duty to negotiate with, or pay, anyone who demands a ransom" in text
    assert "Office of Foreign Assets Control" in text


def test_provider_secures_its_own_tools(runner, workspace):
    text = _section(_agreement(runner, workspace, _record(workspace)), "Security of Provider's Own Tools")
    assert "multi-factor authentication" in text and "only the access needed" in text and "logs" in text


def test_regulated_data_terms_follow_industry_and_state(runner, workspace):
    plain = "\n".join(_agreement(runner, workspace, _record(workspace)))
    assert "Safeguards Rule" not in plain and "201 CMR 17" not in plain
    accounting = _agreement(runner, workspace, _record(workspace, industry="accounting"))
    assert "16 CFR Part 314" in _section(accounting, "FTC Safeguards Rule")
    boston = _agreement(runner, workspace, _record(workspace, address__region="MA", address__city="Boston"))
    assert "third-party service provider under 201 CMR 17.03(2)(f)" in _section(boston,
                                                                                 "Massachusetts Personal Information")


def test_venue_is_the_providers_courts_unless_the_profile_or_record_says_customer(runner, workspace):
    customer = _record(workspace, address__city="Nashua", address__region="NH")
    venue = _section(_agreement(runner, workspace, customer), "Where Disputes Are Heard")
    assert "whose district includes Portland, ME, where Provider has its principal office" in venue
    _record(workspace, address__city="Nashua", address__region="NH", agreement__venue="customer")
    venue = _section(_agreement(runner, workspace, customer), "Where Disputes Are Heard")
    assert "whose district includes Nashua, NH, where Customer has its principal office" in venue
    profile = workspace / "mspdocs.toml"
    profile.write_text(profile.read_text().replace('venue = "provider"', 'venue = "customer"'))
    _record(workspace, address__city="Nashua", address__region="NH")
    assert "Nashua, NH" in _section(_agreement(runner, workspace, customer), "Where Disputes Are Heard")


def test_an_unknown_venue_is_refused_with_its_line(runner, workspace):
    profile = workspace / "mspdocs.toml"
    profile.write_text(profile.read_text().replace('venue = "provider"', 'venue = "home"'))
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "pinecrest-law"])
    assert result.exit_code == 2
    assert "venue" in result.output and "'home' is not a venue" in result.output


def test_clause_quotes_are_typographic_and_data_stays_as_recorded(runner, workspace):
    import yaml

    record = customer_record(legal_name="O'Brien \"Family\" Dental, LLC")
    write_customer(workspace, yaml.safe_dump(record, sort_keys=False))
    text = "\n".join(_agreement(runner, workspace, record["id"]))
    assert "Customer\u2019s" in text and "\u201cAS IS\u201d" in text
    assert "O'Brien \"Family\" Dental, LLC" in text  # a name is printed exactly as recorded
    clause_text = text.replace("O'Brien \"Family\" Dental, LLC", "")
    assert "'" not in clause_text and '"' not in clause_text
