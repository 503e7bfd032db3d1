"""The agreement a user opens in Word: parties, numbered sections, scope table, fees, signatures."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from docx import Document

from mspdocs.cli import cli
from conftest import issue_baas
from mspdocs.render.gate import document_texts


def _generate(runner, workspace: Path, *args: str):
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "--as-of", "2026-11-27", *args])
    assert result.exit_code == 0, result.output
    return result


def _json(runner, workspace: Path, *args: str) -> list[dict]:
    return json.loads(_generate(runner, workspace, "--format", "json", *args).output)


def _body(path: str | Path) -> str:
    return "\n".join(document_texts(Path(path).read_bytes())["word/document.xml"])


def test_agreement_for_every_example_customer(runner, workspace):
    issue_baas(workspace)
    written = _json(runner, workspace, "--all")
    customers = sorted(p.stem for p in (workspace / "customers").glob("*.yaml"))
    assert sorted(item["customer"] for item in written) == customers
    for item in written:
        path = Path(item["path"])
        assert path.parent == workspace / "output" / item["customer"]
        assert path.name == f"agreement-2026-11-27-{item['document_id']}.docx"
        assert re.fullmatch(r"AGR-[0-9A-Z]{8}", item["document_id"])
        assert re.fullmatch(r"[0-9a-f]{64}", item["sha256"])
        Document(str(path))  # opens


def test_text_output_is_one_line_per_file(runner, workspace):
    result = _generate(runner, workspace, "pinecrest-law", "muller-obrien")
    lines = result.output.strip().splitlines()
    assert len(lines) == 2
    for line in lines:
        path, document_id, status = line.split("\t")
        assert document_id in path and Path(path).name.endswith(".docx") and status == "new"


def test_special_characters_survive_verbatim(runner, workspace):
    [item] = _json(runner, workspace, "muller-obrien")
    body = _body(item["path"])
    assert "Müller & O'Brien Façades, LLC" in body
    assert "&amp;" not in body and "&#" not in body


def test_sections_are_numbered_and_cross_references_resolve(runner, workspace):
    [item] = _json(runner, workspace, "pinecrest-law")
    body = _body(item["path"])
    headings = re.findall(r"^(\d+)\.\t", body, re.MULTILINE)
    assert headings == [str(n) for n in range(1, len(headings) + 1)] and len(headings) >= 10
    for section in re.findall(r"Section (\d+\.\d+)", body):
        assert re.search(rf"^{re.escape(section)}\t", body, re.MULTILINE), f"Section {section} does not exist"


def test_scope_table_has_included_excluded_and_declined_rows(runner, workspace):
    [item] = _json(runner, workspace, "pinecrest-law")
    document = Document(item["path"])
    scope = next(t for t in document.tables if t.rows[0].cells[0].text == "Service")
    rows = {row.cells[0].text: (row.cells[1].text, row.cells[2].text) for row in scope.rows[1:]}
    assert rows["Endpoint Detection and Response"][0] == "Declined"
    assert "See the Risk Acceptance Letter" in rows["Endpoint Detection and Response"][1]
    assert "Ransomware" in rows["Endpoint Detection and Response"][1]
    assert {status for status, _ in rows.values()} >= {"Included", "Declined"}


def test_fees_parties_and_signature_blocks(runner, workspace):
    [item] = _json(runner, workspace, "casco-bay-food-pantry")
    body = _body(item["path"])
    text = Path(workspace / "customers" / "casco-bay-food-pantry.yaml").read_text()
    fee = re.search(r"monthly_fee: ([\d.]+)", text).group(1)
    assert f"${float(fee):,.2f}" in body
    assert "04101" in body
    assert "For Lakeside Managed IT, LLC" in body
    assert "Signature:" in body
    assert body.count("Name:") >= 2


def test_footer_names_customer_and_counts_pages(runner, workspace):
    [item] = _json(runner, workspace, "muller-obrien")
    with zipfile.ZipFile(item["path"]) as archive:
        footers = [archive.read(n).decode() for n in archive.namelist() if re.match(r"word/footer\d*\.xml", n)]
    footer = "".join(footers)
    assert "Müller &amp; O'Brien Façades, LLC" in footer or "Müller &amp; O&#39;Brien" in footer or \
        "Müller" in "".join(document_texts(Path(item["path"]).read_bytes())["word/footer1.xml"])
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert item["document_id"] in "".join(
        "".join(v) for k, v in document_texts(Path(item["path"]).read_bytes()).items() if "footer" in k)


def test_excluded_services_and_alternate_liability_cap(runner, workspace):
    [item] = _json(runner, workspace, "northfield-precision")
    body = _body(item["path"])
    assert "$250,000" in body  # the fixed-cap alternate replaced the months-of-fees cap
    assert "On-Site Hardware Repair" in body or "On-site Hardware Repair" in body or "Onsite" in body


def test_insurance_alternate_chosen_by_data(runner, workspace):
    issue_baas(workspace)
    by_customer = {i["customer"]: _body(i["path"]) for i in _json(runner, workspace, "--all")}
    from mspdocs.workspace.clauses import load_library

    library = load_library(workspace / "clauses")
    from mspdocs.render.wordml import typographic_quotes

    required = typographic_quotes(library["insurance.requirement"].title)
    recommended = typographic_quotes(library["insurance.recommendation"].title)
    assert recommended in by_customer["bright-harbor-dental"] and required not in by_customer["bright-harbor-dental"]
    assert required in by_customer["cascade-family-medicine"]


def test_existing_document_is_never_overwritten(runner, workspace, monkeypatch):
    from mspdocs import batch as generate

    monkeypatch.setattr(generate, "new_document_id", lambda kind: "AGR-FIXED000")
    _generate(runner, workspace, "pinecrest-law")
    [path] = (workspace / "output" / "pinecrest-law").iterdir()
    before = path.read_bytes()
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "pinecrest-law",
                                 "--as-of", "2026-11-27", "--reissue"])
    assert result.exit_code == 2
    assert "refusing to overwrite" in result.output
    assert path.read_bytes() == before
    assert [p.name for p in (workspace / "output" / "pinecrest-law").iterdir()] == [path.name]


def test_parallel_jobs_give_the_same_documents(runner, workspace):
    issue_baas(workspace)
    serial = _json(runner, workspace, "--all")
    parallel = _json(runner, workspace, "--all", "--jobs", "2")
    assert sorted(i["customer"] for i in serial) == sorted(i["customer"] for i in parallel)
    for one, two in zip(sorted(serial, key=lambda i: i["customer"]), sorted(parallel, key=lambda i: i["customer"])):
        assert _body(one["path"]).replace(one["document_id"], "ID") == _body(two["path"]).replace(two["document_id"], "ID")


def test_generation_is_callable_from_python(workspace):
    import datetime as dt

    from mspdocs.batch import generate

    [item] = generate("agreement", ["pinecrest-law"], workspace=workspace, as_of=dt.date(2026, 1, 2))
    assert item.path.exists() and item.path.name.startswith("agreement-2026-01-02-")
    assert item.manifest["clauses"] and item.manifest["template"]["sha256"]


def test_a_name_ending_in_a_period_does_not_double_the_period(runner, workspace):
    [item] = _json(runner, workspace, "northfield-precision")
    body = _body(item["path"])
    assert "Machining, Inc.." not in body
    assert "Customer means Northfield Precision Machining, Inc." in body


def test_a_changed_clause_is_reported_once_for_the_whole_batch(runner, workspace):
    issue_baas(workspace)
    clause = workspace / "clauses" / "general.entire-agreement.md"
    clause.write_text(clause.read_text().replace("Agreement", "Contract", 1))
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "--all"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "general.entire-agreement" in line]
    # Refused before any document is assembled (its text never runs), so once, naming no customer.
    assert len(lines) == 1 and "changed since its approval" in lines[0]
    assert not list((workspace / "output").rglob("agreement-*.docx"))
