"""The check after rendering: no printed None/null/nan, no empty data-table cell, no "P.A.."."""

from __future__ import annotations

import io
import zipfile

import pytest
from conftest import AS_OF, customer_yaml, write_customer
from docx import Document

from mspdocs.cli import cli
from mspdocs.errors import RenderError
from mspdocs.render.gate import check_document

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(body: str) -> bytes:
    """A minimal .docx holding `body` (WordprocessingML) as its document."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", f"<w:document {W}><w:body>{body}</w:body></w:document>")
    return buffer.getvalue()


def _p(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def _table(rows: list[list[str]], style: str = "ScheduleTable") -> str:
    cells = "".join("<w:tr>" + "".join(f"<w:tc>{_p(text) if text else '<w:p/>'}</w:tc>" for text in row)
                    + "</w:tr>" for row in rows)
    return f'<w:tbl><w:tblPr><w:tblStyle w:val="{style}"/></w:tblPr>{cells}</w:tbl>'


@pytest.mark.parametrize("text, words", [
    ("Monthly fee: None", "'None' is printed"),
    ("Recommended on None.", "'None' is printed"),
    ("Limit: nan", "'nan' is printed"),
    ("Limit: NaN", "'NaN' is printed"),
    ("Carrier: null", "'null' is printed"),
    ("Customer means Bright Harbor Dental, P.A..", "doubled full stop"),
])
def test_a_printed_missing_value_fails(text, words):
    with pytest.raises(RenderError, match=words):
        check_document(_docx(_p(text)), [], {})


@pytest.mark.parametrize("text", [
    "None of the declined services provides a control that insurers require.",
    "Insurer control affected: none",
    "Customer means Bright Harbor Dental, P.A.",
    "Nan Whitfield, Owner",  # a name, not a number
    "Wait for it... then restart.",
    "Nonetheless, nullify and nanny are words.",
])
def test_legitimate_text_passes(text):
    check_document(_docx(_p(text)), [], {})


def test_a_doubled_stop_that_the_data_itself_holds_passes():
    check_document(_docx(_p("Customer means Odd..Name LLC.")), ["Odd..Name LLC"], {})


def test_an_empty_cell_of_a_data_table_fails_naming_its_column():
    rows = [["Service", "Status", "Notes"], ["Help desk", "Included", "Remote support"], ["EDR", "", "x"]]
    with pytest.raises(RenderError, match=r"table 1, row 3, 'Status'"):
        check_document(_docx(_table(rows)), [], {})


def test_empty_cells_of_other_tables_pass():
    # signature blocks leave room to sign: only tables in the data-table style need every value
    check_document(_docx(_table([["For Provider", ""], ["", ""]], style="PlainTable")), [], {})
    check_document(_docx(_table([["Service", "Status"], ["Help desk", "Included"]])), [], {})


def _text(path) -> str:
    document = Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_a_name_ending_with_a_full_stop_takes_no_second_one(runner, workspace):
    write_customer(workspace, customer_yaml(legal_name="Harbor Dental, P.A."))
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "tiny-co",
                                 "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    [path] = (workspace / "output" / "tiny-co").glob("agreement-*.docx")
    text = _text(path)
    assert "Customer means Harbor Dental, P.A." in text and "P.A.." not in text


def test_a_clause_that_prints_a_doubled_stop_or_none_fails_generation(runner, workspace):
    write_customer(workspace, customer_yaml(legal_name="Harbor Dental, P.A."))
    clause = workspace / "clauses" / "definitions.terms.md"
    original = clause.read_text(encoding="utf-8")
    for edit, words in ((f"{original}\nSigned by **{{{{ customer.legal_name }}}}**.\n", "doubled full stop"),
                        (f"{original}\nRenewal fee: None\n", "'None' is printed")):
        clause.write_text(edit, encoding="utf-8")
        result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "tiny-co", "--draft",
                                     "--as-of", AS_OF.isoformat()])
        assert result.exit_code == 2, result.output
        assert words in result.output and "tiny-co" in result.output
        assert not (workspace / "output" / "tiny-co").exists()


def test_a_full_stop_in_the_next_word_run_is_not_repeated_either(runner, workspace):
    import yaml
    from conftest import customer_record

    record = customer_record(legal_name="Harbor Dental, P.A.")
    del record["insurance"]  # the notice then says no policy is "held by Harbor Dental, P.A."
    write_customer(workspace, yaml.safe_dump(record, sort_keys=False))
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "insurance-notice", "tiny-co",
                                 "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    [path] = (workspace / "output" / "tiny-co").glob("insurance-notice-*.docx")
    text = _text(path)
    assert "held by Harbor Dental, P.A." in text and "P.A.." not in text
