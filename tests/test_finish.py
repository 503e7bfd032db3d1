"""The finish a lawyer checks: citable paragraphs, defined party names, headings with their text, signatures
before the schedules, and a risk letter that adds no duty and says how long the decision stands."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import docx
from conftest import issue_baas

from mspdocs.cli import cli
from mspdocs.render.pagination import break_before

AS_OF = "2026-11-27"
CUSTOMER = "pinecrest-law"  # declines five services, insurance recommended
LEGAL_NAME = "Pinecrest Law Group, PLLC"
MSP_LEGAL_NAME = "Lakeside Managed IT, LLC"  # the test MSP (conftest)


def _generate(runner, workspace: Path, kind: str, *args: str) -> list[dict]:
    result = runner.invoke(cli, ["-w", str(workspace), "generate", kind, *args, "--as-of", AS_OF,
                                 "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _paragraphs(path: str) -> list[tuple[str, str]]:
    """(style id, text) of every body paragraph of the reopened Word document, tables left out."""
    return [(p.style.style_id, p.text) for p in docx.Document(path).paragraphs]


def _clause_sections(paragraphs: list[tuple[str, str]]) -> dict[str, list[tuple[str, str]]]:
    """The paragraphs under each numbered clause heading (N.M), up to the next heading, by N.M."""
    return {number.split("\t")[0]: body for number, body in _titled_sections(paragraphs).items()}


def _titled_sections(paragraphs: list[tuple[str, str]]) -> dict[str, list[tuple[str, str]]]:
    """The same, by the heading's whole text ("4.2\tTitle")."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current = None
    for style, text in paragraphs:
        if style in ("Heading1", "Heading2"):
            current = text if style == "Heading2" and re.match(r"\d+\.\d+\t", text) else None
            if current:
                sections[current] = []
        elif current and text.strip():
            sections[current].append((style, text))
    return sections


def test_every_paragraph_of_the_agreement_can_be_cited(runner, workspace):
    [item] = _generate(runner, workspace, "agreement", CUSTOMER)
    sections = _clause_sections(_paragraphs(item["path"]))
    assert len(sections) > 40
    several = 0
    for number, body in sections.items():
        paragraphs = [(style, text) for style, text in body if style != "ClauseList"]
        items = [text for style, text in body if style == "ClauseList"]
        assert all(re.match(r"\([a-z]+\)\t", text) for text in items), (number, items)
        if len(paragraphs) == 1:
            assert paragraphs[0][0] == "BodyText", (number, paragraphs)  # cited as Section N.M
            continue
        several += 1
        assert [text.split("\t")[0] for _, text in paragraphs] == \
            [f"{number}.{k}" for k in range(1, len(paragraphs) + 1)], number
        assert {style for style, _ in paragraphs} == {"ClauseParagraph"}
    assert several > 20
    # a list that used to be bulleted (the defined terms) is lettered, so "Section 1.1(b)" can be cited
    assert sections["1.1"][1][1].startswith("(a)\t")


def test_after_the_parties_are_defined_the_agreement_says_customer_and_provider(runner, workspace):
    [item] = _generate(runner, workspace, "agreement", CUSTOMER)
    sections = _titled_sections(_paragraphs(item["path"]))
    naming = {title.split("\t")[1] for title, body in sections.items()
              if any(LEGAL_NAME in text or MSP_LEGAL_NAME in text or "Lakeside IT" in text for _, text in body)}
    # only the defined terms and the notice addresses name the parties in full
    assert naming == {"Defined Terms", "How Notices Are Given"}
    text = "\n".join(text for body in sections.values() for _, text in body)
    assert text.count("Customer") > 100 and text.count("Provider") > 100


def test_lint_flags_a_full_party_name_outside_the_definitions(runner, workspace):
    clause = workspace / "clauses" / "fees.payment.md"
    source = clause.read_text(encoding="utf-8")
    clause.write_text(source.replace("Customer will pay Provider", "{{ customer.legal_name }} will pay Provider", 1)
                      .replace("variables: [", "variables: [customer.legal_name, ", 1), encoding="utf-8")
    result = runner.invoke(cli, ["-w", str(workspace), "clauses", "lint"])
    assert result.exit_code == 1
    assert "[fees.payment] party-name: 'customer.legal_name' repeats a party's full name after the parties " \
           "are defined; write Customer" in result.output


def test_signatures_come_before_the_schedules_and_name_them(runner, workspace):
    [item] = _generate(runner, workspace, "agreement", CUSTOMER)
    paragraphs = [text for _, text in _paragraphs(item["path"])]
    signatures = paragraphs.index("Signatures")
    schedule = paragraphs.index("Schedule A \u2014 Statement of Work")
    assert signatures < schedule
    assert "The Agreement includes Schedule A (Statement of Work), which follow these signatures." \
        in paragraphs[signatures + 1]
    manifest = next(i for i, text in enumerate(paragraphs) if text.startswith(f"Document {item['document_id']}"))
    assert signatures < manifest < schedule  # the manifest line sits on the signature page


def test_every_heading_keeps_with_the_next_paragraph(runner, workspace):
    issue_baas(workspace)
    paths = [entry["path"] for kind in ("agreement", "risk-letter", "insurance-notice")
             for entry in _generate(runner, workspace, kind, CUSTOMER)]
    paths += [entry["path"] for entry in _generate(runner, workspace, "baa", "cascade-family-medicine", "--reissue")]
    for path in paths:
        for paragraph in docx.Document(path).paragraphs:
            if paragraph.style.style_id in ("Heading1", "Heading2") and paragraph.text.strip():
                keep = paragraph.paragraph_format.keep_with_next
                assert keep or (keep is None and paragraph.style.paragraph_format.keep_with_next), \
                    (path, paragraph.text)


def test_no_pdf_page_ends_with_a_heading_and_table_headers_fit(runner, workspace):
    issue_baas(workspace)
    written = _generate(runner, workspace, "agreement", "--all", "--pdf", "--jobs", "2")
    pdfs = [entry["pdf"] for entry in written]
    assert len(pdfs) == 7
    heading = re.compile(r"^\d+\.(\d+)?\s{2,}\S")
    for path in pdfs:
        text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True).stdout
        # the fee table's header: every column's title on one line, none wrapped
        assert re.search(r"^\s*Service\s+Priced\s+Quantity\s+Unit price\s+Monthly amount\s*$", text, re.M), path
        for number, page in enumerate(text.split("\f")[:-1], 1):
            lines = [line.strip() for line in page.splitlines() if line.strip()]
            assert not heading.match(lines[-2]), f"{path}: page {number} ends with the heading {lines[-2]!r}"


def test_a_page_break_goes_after_the_keeps_of_the_heading_it_moves():
    body = ('<w:p><w:pPr><w:pStyle w:val="Heading2"/><w:keepNext/><w:spacing w:before="0"/></w:pPr>'
            '<w:r><w:t xml:space="preserve">5.4</w:t></w:r><w:r><w:tab/></w:r>'
            '<w:r><w:t xml:space="preserve">R&amp;D Recommendations</w:t></w:r></w:p>'
            '<w:p><w:pPr><w:pStyle w:val="Heading2"/><w:keepNext/></w:pPr>'
            '<w:r><w:t>5.5</w:t></w:r><w:r><w:tab/></w:r><w:r><w:t>Other</w:t></w:r></w:p>')
    moved = break_before(body, ["5.4 R&D Recommendations"])
    assert moved.count("<w:pageBreakBefore/>") == 1
    assert '<w:keepNext/><w:pageBreakBefore/><w:spacing w:before="0"/>' in moved
    assert moved.index("<w:pageBreakBefore/>") < moved.index("5.5")


def test_the_risk_letter_adds_no_duty_and_sits_under_the_limitation_of_liability(runner, workspace):
    _generate(runner, workspace, "agreement", CUSTOMER)
    [letter] = _generate(runner, workspace, "risk-letter", CUSTOMER)
    paragraphs = [text for _, text in _paragraphs(letter["path"])]
    text = "\n".join(paragraphs)
    assert paragraphs[paragraphs.index(f"Dear Thomas Kearney,")]  # the signatory, by name
    assert (f"This letter records a decision of {LEGAL_NAME} under the Agreement. It adds no duty or obligation "
            "of Lakeside IT to those the Agreement sets, and it is subject to every term of the Agreement, "
            "including its limitation of liability.") in text
    assert re.search(r"Limit of Liability \(Agreement, Section \d+\.1\)", text)
    assert "IS LIMITED TO THE FEES PAID AND PAYABLE BY CUSTOMER TO PROVIDER" in text
    assert f"\u201cCustomer\u201d means {LEGAL_NAME} and \u201cProvider\u201d means {MSP_LEGAL_NAME}." in text


def test_the_risk_letter_says_how_long_the_decision_stands(runner, workspace):
    _generate(runner, workspace, "agreement", CUSTOMER)
    [letter] = _generate(runner, workspace, "risk-letter", CUSTOMER)
    text = "\n".join(text for _, text in _paragraphs(letter["path"]))
    # pinecrest-law reviews every 90 days: the next review is due 90 days after the letter's date
    assert (f"The decision recorded in this letter stands until our next business review with {LEGAL_NAME}, "
            "to be held no later than February 25, 2027. At that review we will offer each declined service "
            f"again, and {LEGAL_NAME} will confirm or change its decision in writing. Until it does, this "
            "decision continues to stand.") in text


def test_the_risk_letter_keeps_each_date_on_one_line(runner, workspace):
    _generate(runner, workspace, "agreement", CUSTOMER)
    written = _generate(runner, workspace, "risk-letter", CUSTOMER, "--pdf")
    [pdf] = [entry["pdf"] for entry in written]
    text = subprocess.run(["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True).stdout
    # recorded recommendation dates, the longest month among them
    for date in ("January 12, 2026", "September 3, 2026"):
        assert date in text, date


def test_a_failed_second_layout_keeps_the_first_pdf(tmp_path, monkeypatch):
    from mspdocs.errors import RenderError
    from mspdocs.render import pagination, pdf

    first = tmp_path / "agreement.pdf"
    first.write_bytes(b"%PDF-1.7 first layout")
    source = pdf.PdfSource("AGR-1", "agreement", b"docx", "Agreement", "Agreement", "0" * 64)
    batch = pdf._Batch("soffice", [source], tmp_path / "batch", False, None)
    (tmp_path / "batch").mkdir()
    monkeypatch.setattr(pagination, "lone_headings", lambda data: ["5.4 Written Recommendations"])
    monkeypatch.setattr(pagination, "with_breaks", lambda docx, titles: docx)

    def fails(*args, **kwargs):
        raise RenderError("LibreOffice failed (exit status 1)")

    monkeypatch.setattr(pdf, "convert_batch", fails)
    assert pdf._without_lone_headings(batch, {"agreement": first}) == {}  # the first layout stands
