"""Data is data: values never run as templates, missing values fail by name, leftover tags are caught."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from conftest import customer_yaml, issue_baas, write_customer, write_msp_profile
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mspdocs.batch import prepare, render_one
from mspdocs.cli import cli
from mspdocs.errors import RenderError
from mspdocs.render.gate import PRINTED_NOTHING, check_document, document_texts
from mspdocs.workspace.folder import init_workspace, open_workspace


def _body(data: bytes) -> str:
    return "\n".join(document_texts(data)["word/document.xml"])


def _render(workspace: Path, customer_id: str = "tiny-co", draft: bool = False) -> bytes:
    # An edited clause is no longer approved, so it runs only in a draft (missing values fail there too).
    job = prepare(open_workspace(workspace), "agreement", [customer_id], dt.date(2026, 11, 27), draft=draft)
    return render_one(job, customer_id).data


def test_jinja_in_a_legal_name_appears_literally(workspace):
    write_customer(workspace, customer_yaml(legal_name="{{ 7*7 }} {% if true %}x{% endif %} Corp"))
    body = _body(_render(workspace))
    assert "{{ 7*7 }} {% if true %}x{% endif %} Corp" in body
    assert "49 x Corp" not in body


def test_markdown_and_docxtpl_escapes_in_data_are_text(workspace):
    name = "**Bold** *It* {_{ x }_} [[ref]] - 1. & <b>"
    write_customer(workspace, customer_yaml(legal_name=name))
    data = _render(workspace)
    assert name in _body(data)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        document = archive.read("word/document.xml").decode()
    assert "<b>" not in document  # escaped, not markup


def test_missing_value_names_the_variable_and_clause(workspace):
    clause = workspace / "clauses" / "general.entire-agreement.md"
    clause.write_text(clause.read_text() + "\nOur carrier of record is {{ customer.insurance.carrier }}.\n")
    text = customer_yaml()
    write_customer(workspace, text[: text.index("insurance:")])  # a customer without insurance
    with pytest.raises(RenderError) as caught:
        _render(workspace, draft=True)
    error = caught.value
    assert error.clause == "general.entire-agreement"
    assert "'customer.insurance' has no value" in str(error) or "customer.insurance" in str(error)
    assert error.path.endswith("general.entire-agreement.md") and error.line


def test_missing_value_via_cli_exits_2_and_writes_nothing(runner, workspace):
    issue_baas(workspace)
    clause = workspace / "clauses" / "general.entire-agreement.md"
    clause.write_text(clause.read_text() + "\nManaged by {{ customer.account_manager }}.\n")
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "--all", "--draft"])
    assert result.exit_code == 2
    assert "'customer.account_manager' has no value" in result.output
    assert "general.entire-agreement.md:" in result.output
    assert not [p for p in (workspace / "output").rglob("*") if p.is_file() and not p.name.startswith("baa-")]


def test_printing_none_or_a_list_fails_instead_of_rendering_blank(workspace):
    clause = workspace / "clauses" / "general.entire-agreement.md"
    clause.write_text(clause.read_text() + "\nServices: {{ services.subscribed }}.\n")
    write_customer(workspace, customer_yaml())
    with pytest.raises(RenderError, match="cannot be printed"):
        _render(workspace, draft=True)


def _docx_with_text(text: str) -> bytes:
    document = Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_gate_catches_a_leftover_tag():
    with pytest.raises(RenderError, match="template tag survived"):
        check_document(_docx_with_text("Dear {{ customer.name }}"), [], {})


def test_gate_allows_a_tag_that_came_from_data():
    check_document(_docx_with_text("Dear {{ 7*7 }} Corp"), ["{{ 7*7 }} Corp"], {"name": "{{ 7*7 }} Corp"})


def test_gate_catches_a_lost_customer_value():
    with pytest.raises(RenderError, match="does not appear verbatim"):
        check_document(_docx_with_text("Dear Acme"), [], {"customer legal name": "Acme & Co"})


def test_gate_catches_a_tag_left_in_a_template(runner, workspace):
    issue_baas(workspace)
    template = workspace / "templates" / "agreement.docx"
    document = Document(str(template))
    document.add_paragraph('Stray {{ "{{" }} tag')  # renders a tag-like text that no data supplied
    document.save(str(template))
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "--all"])
    assert result.exit_code == 2
    assert "agreement.docx: bright-harbor-dental, cascade-family-medicine, casco-bay-food-pantry and 4 more: " \
           "a template tag survived rendering in word/document.xml: 'Stray {{ tag'" in result.output
    assert len(result.output.splitlines()) == 1  # said once for the whole batch
    assert not [p for p in (workspace / "output").rglob("*") if p.is_file() and not p.name.startswith("baa-")]


def test_template_syntax_error_names_the_template(runner, workspace):
    issue_baas(workspace)
    template = workspace / "templates" / "agreement.docx"
    document = Document(str(template))
    document.add_paragraph("Broken {{ customer.legal_name ")
    document.save(str(template))
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "--all"])
    assert result.exit_code == 2
    assert "templates/agreement.docx" in result.output


hostile_text = st.one_of(
    st.sampled_from([
        "A & B <c> \"d\" 'e'", "{{ 7*7 }}", "{% raw %}", "}}{{", "{#", "عربي שלום", "👩‍⚕️ Emoji Care 🦷",
        "x" * 400, "Ünïcødé ß Ł Ø", "&amp; &#42; ]]>", "back\\slash", "{_{ x }_}", "O'Brien & Sons",
    ]),
    st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=120),
).map(str.strip).filter(bool).filter(lambda text: not PRINTED_NOTHING.search(text))
# A value that reads None, null or nan is refused by the gate (tests/test_gate.py): it looks like a lost value.


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(legal_name=hostile_text, signatory=hostile_text)
def test_hostile_values_appear_verbatim_and_the_document_opens(tmp_path_factory, legal_name, signatory):
    workspace = write_msp_profile(init_workspace(tmp_path_factory.mktemp("h") / "ws", examples=True))
    write_customer(workspace, customer_yaml(legal_name=legal_name, signatory=signatory))
    data = _render(workspace)
    body = _body(data)
    assert legal_name in body and signatory in body
    Document(io.BytesIO(data))  # Word's library opens it


def test_a_tag_in_the_template_properties_is_caught(runner, workspace):
    import shutil as _shutil

    template = workspace / "templates" / "agreement.docx"
    unpacked = workspace.parent / "unpacked"
    with zipfile.ZipFile(template) as archive:
        archive.extractall(unpacked)
    app = unpacked / "docProps" / "app.xml"
    text = app.read_text(encoding="utf-8")
    app.write_text(text.replace("</Properties>", "<Company>{{ msp.legal_name }}</Company></Properties>"),
                   encoding="utf-8")
    template.unlink()
    _shutil.make_archive(str(template.with_suffix("")), "zip", unpacked)
    template.with_suffix(".zip").rename(template)
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "pinecrest-law"])
    assert result.exit_code == 2
    assert "template tag survived rendering in docProps/app.xml" in result.output


@pytest.mark.parametrize("edit", ["body", "condition"])
def test_an_arithmetic_error_in_a_clause_names_the_clause(runner, workspace, edit):
    clause = workspace / "clauses" / "general.entire-agreement.md"
    text = clause.read_text()
    if edit == "body":
        clause.write_text(text + "\nTotal: {{ 1 / 0 }}\n")
    else:
        clause.write_text(text.replace("version:", "condition: 1 / (customer.id != 'pinecrest-law')\nversion:", 1))
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "--all", "--draft",
                                 "--jobs", "2"])
    assert result.exit_code == 2, result.output
    assert "general.entire-agreement.md:" in result.output and "ZeroDivisionError" in result.output
    assert not [p for p in (workspace / "output").rglob("*") if p.is_file()]
