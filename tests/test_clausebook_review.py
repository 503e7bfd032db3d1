"""The clause book as counsel reads it: contents, page footer, each clause as written and as rendered for a
sample customer, its properties, whose approvals these are, and its PDF."""

from __future__ import annotations

import hashlib
import io
import json
import re
import shutil
import zipfile
from pathlib import Path

import docx
import pytest

from mspdocs.cli import cli
from mspdocs.library.clausebook import SHIPPED_WARNING
from mspdocs.render.docxrender import custom_properties

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NAME = "Müller & O'Brien Façades, LLC"


def _book(runner, workspace: Path, *options: str) -> dict:
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "clause-book", "--format", "json", *options])
    assert result.exit_code == 0, result.output
    [item] = json.loads(result.stdout)
    return item


def _text(paragraph) -> str:
    """A paragraph's text as shown: its w:t pieces and tabs (field instructions are not shown)."""
    return "".join(node.text or "" if node.tag == f"{W}t" else "\t"
                   for node in paragraph.iter(f"{W}t", f"{W}tab"))


def _style(paragraph) -> str:
    style = paragraph.find(f"{W}pPr/{W}pStyle")
    return style.get(f"{W}val") if style is not None else ""


def _sections(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Clause id -> its (style, text) paragraphs, from the clause's heading to the next heading."""
    body = docx.Document(str(path)).element.body
    sections, current = {}, None
    for element in body.iterchildren(f"{W}p"):
        text, style = _text(element), _style(element)
        if style.startswith("Heading"):
            current = text.split(": ")[0] if style == "Heading2" and ": " in text else None
            continue
        if current:
            sections.setdefault(current, []).append((style, text))
    return sections


def _after(paragraphs: list[tuple[str, str]], label: str) -> list[tuple[str, str]]:
    """The paragraphs after the one starting with `label` (up to the next italic label)."""
    start = next(index for index, (_, text) in enumerate(paragraphs) if text.startswith(label))
    rest = paragraphs[start + 1:]
    end = next((index for index, (_, text) in enumerate(rest) if text.startswith("As rendered")), len(rest))
    return rest[:end]


def _front_text(path: Path) -> str:
    """The book's first page: everything before the contents."""
    paragraphs = [p.text for p in docx.Document(str(path)).paragraphs]
    return "\n".join(paragraphs[:paragraphs.index("Contents")])


def test_the_contents_are_a_word_field_already_filled_in(runner, workspace):
    item = _book(runner, workspace)
    path = Path(item["path"])
    archive = zipfile.ZipFile(path)
    document = docx.Document(str(path))
    body = document.element.body
    instructions = [node.text for node in body.iter(f"{W}instrText")]
    assert any(re.fullmatch(r'\s*TOC \\o "1-2" \\h \\z \\u\s*', text) for text in instructions)
    entries = [(_style(p), _text(p).rstrip("\t")) for p in body.iterchildren(f"{W}p")
               if _style(p) in ("TOC1", "TOC2")]
    assert ("TOC2", "scope.exclusions: Services Outside the Scope") in entries
    assert ("TOC1", "Scope of Services") in entries and ("TOC1", "Summary") in entries
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert [text for _, text in entries] == headings  # every heading, in order, nothing else
    # each entry links to its heading's bookmark and shows its page through a PAGEREF field
    bookmarks = {node.get(f"{W}name") for node in body.iter(f"{W}bookmarkStart")}
    anchors = [node.get(f"{W}anchor") for node in body.iter(f"{W}hyperlink")]
    assert len(anchors) == len(headings) and set(anchors) <= bookmarks
    assert sum("PAGEREF" in text for text in instructions) == len(headings)
    # without a layout (no --pdf) the page numbers are Word's to fill in: it updates fields on opening
    assert 'w:updateFields w:val="true"' in archive.read("word/settings.xml").decode()
    footer = archive.read("word/footer1.xml").decode() if "word/footer1.xml" in archive.namelist() else ""
    footer_text = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", footer))
    assert "PAGE" in footer and "NUMPAGES" in footer
    assert f"Clause book {item['document_id']}" in footer_text and "Page" in footer_text


def test_each_clause_as_written_and_as_rendered_for_the_customer_named(runner, workspace):
    path = Path(_book(runner, workspace, "--customer", "muller-obrien")["path"])
    sections = _sections(path)
    terms = sections["definitions.terms"]
    written = [text for style, text in terms if style == "ClauseSource"]
    assert any("- **Customer** means {{ customer.legal_name }}." in text for text in written)
    label = next(text for _, text in terms if text.startswith("As rendered"))
    assert re.fullmatch(rf"As rendered for {re.escape(NAME)} \(section \d+\.\d+ of the Master Services "
                        r"Agreement\):", label)
    rendered = " ".join(text for _, text in _after(terms, "As rendered"))
    assert f"Customer means {NAME}." in rendered
    assert "{{" not in rendered and "ref(" not in rendered and re.search(r"Section \d+\.\d+", rendered)
    # a clause whose condition does not hold for the customer says so instead of rendering
    fixed = " ".join(text for _, text in sections["liability.cap-fixed"])
    assert (f"Its condition (customer.agreement.liability_cap_amount is defined) does not hold for {NAME}"
            in fixed)
    assert "The alternate" not in fixed
    assert f"Sample customer: each clause is rendered for {NAME} (muller-obrien)" in _front_text(path)


def test_the_sample_is_the_first_customer_in_id_order(runner, workspace):
    path = Path(_book(runner, workspace)["path"])
    front = _front_text(path)
    assert "rendered for Bright Harbor Dental, P.A. (bright-harbor-dental) for the Master Services Agreement" in front
    # a business associate agreement's clauses: for the first customer that receives one (healthcare)
    assert "Cascade Family Medicine, P.C. (cascade-family-medicine) for the Business Associate Agreement" in front
    assert "the first customer in id order that receives the document" in front
    rendered = " ".join(text for _, text in _after(_sections(path)["definitions.terms"], "As rendered"))
    assert "Customer means Bright Harbor Dental, P.A." in rendered


def _letter_clause(workspace: Path) -> None:
    (workspace / "clauses" / "declined.letter-note.md").write_text(
        "---\nid: declined.letter-note\ntitle: What This Letter Records\ncategory: declined-services\n"
        "order: 90\nversion: 1\nstatus: approved\ndocuments: [risk-letter]\n"
        "variables: [customer.legal_name, declined_rows]\n---\n"
        "{{ customer.legal_name }} declined {{ declined_rows|length }} service(s); see {{ ref(\"scope.services\") }}.\n",
        encoding="utf-8")


def test_a_letter_clause_renders_with_the_letters_context(runner, workspace):
    _letter_clause(workspace)
    path = Path(_book(runner, workspace)["path"])
    note = _sections(path)["declined.letter-note"]
    label = next(text for _, text in note if text.startswith("As rendered"))
    assert label == ("As rendered for Bright Harbor Dental, P.A. (the Risk Acceptance Letter): a draft rendering, "
                     "as this text is not approved.")
    rendered = " ".join(text for _, text in _after(note, "As rendered"))
    assert re.fullmatch(r"Bright Harbor Dental, P\.A\. declined \d+ service\(s\); see Section \d+\.\d+ of the "
                        r"Agreement\.", rendered)
    # once an agreement is in force, the letter quotes its sections, and the manifest names it
    issued = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "bright-harbor-dental",
                                 "--format", "json"])
    assert issued.exit_code == 0, issued.output
    agreement = json.loads(issued.stdout)[0]["document_id"]
    item = _book(runner, workspace)
    properties = custom_properties(Path(item["path"]).read_bytes())
    samples = json.loads(properties["Manifest"])["samples"]
    [letter] = [sample for sample in samples if sample["kind"] == "risk-letter"]
    assert {"customer": "bright-harbor-dental", "kind": "risk-letter", "agreement_in_force": agreement} == \
        {key: value for key, value in letter.items() if key != "record_sha256"}
    # a customer that declined nothing receives no risk letter: said plainly
    path = Path(_book(runner, workspace, "--customer", "cascade-family-medicine")["path"])
    text = " ".join(text for _, text in _sections(path)["declined.letter-note"])
    assert "Not rendered: Cascade Family Medicine, P.C. receives no Risk Acceptance Letter (declined no services" \
           in text


def test_properties_carry_the_id_and_the_manifest(runner, workspace):
    item = _book(runner, workspace, "--customer", "muller-obrien")
    data = Path(item["path"]).read_bytes()
    core = docx.Document(io.BytesIO(data)).core_properties
    assert core.identifier == item["document_id"] and core.title == "Clause Library Review Book"
    properties = custom_properties(data)
    shown = runner.invoke(cli, ["-w", str(workspace), "register", "show", item["document_id"], "--format", "json"])
    assert shown.exit_code == 0, shown.output
    assert properties["DocumentId"] == item["document_id"]
    assert properties["ManifestSha256"] in shown.stdout
    lock = (workspace / "clauses" / "approvals.lock").read_bytes()
    assert properties["ApprovalsLockSha256"] == hashlib.sha256(lock).hexdigest()
    record = hashlib.sha256((workspace / "customers" / "muller-obrien.yaml").read_bytes()).hexdigest()
    assert properties["SampleCustomers"].startswith(f"muller-obrien (agreement, record sha256 {record})")
    manifest = json.loads(properties["Manifest"])
    assert manifest["document_id"] == item["document_id"] and manifest["library_sha256"] == properties["LibrarySha256"]
    clause_files = sorted(path.stem for path in (workspace / "clauses").glob("*.md"))
    assert sorted(c["id"] for c in manifest["clauses"]) == clause_files
    assert all(c["version"] >= 1 and re.fullmatch(r"[0-9a-f]{64}", c["sha256"]) for c in manifest["clauses"])
    assert manifest["samples"][0] == {"customer": "muller-obrien", "kind": "agreement", "record_sha256": record,
                                      "agreement_in_force": None}
    assert {sample["customer"] for sample in manifest["samples"]} == {"muller-obrien"}
    assert record in shown.stdout  # the register records the same manifest


def test_a_changed_sample_record_issues_a_new_book(runner, workspace):
    first = _book(runner, workspace, "--customer", "muller-obrien")
    assert _book(runner, workspace, "--customer", "muller-obrien")["status"] == "unchanged"
    path = workspace / "customers" / "muller-obrien.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Façades", "Facades"), encoding="utf-8")
    again = _book(runner, workspace, "--customer", "muller-obrien")
    assert again["supersedes"] == first["document_id"]


def test_shipped_approvals_are_said_plainly(runner, workspace):
    path = Path(_book(runner, workspace)["path"])
    assert SHIPPED_WARNING in _front_text(path)


def test_mixed_approvals_are_counted(runner, workspace):
    clause = workspace / "clauses" / "fees.payment.md"
    text = re.sub(r"^version: (\d+)$", lambda m: f"version: {int(m.group(1)) + 1}", clause.read_text(encoding="utf-8"),
                  count=1, flags=re.MULTILINE)
    clause.write_text(text.replace("plus any other fees", "plus all other fees"), encoding="utf-8")
    approved = runner.invoke(cli, ["-w", str(workspace), "clauses", "approve", "fees.payment", "--by", "Own Counsel"])
    assert approved.exit_code == 0, approved.output
    front = _front_text(Path(_book(runner, workspace)["path"]))
    total = len(re.findall(r"^\S+:\n", (workspace / "clauses" / "approvals.lock").read_text(), re.MULTILINE))
    assert (f"{total - 1} of the {total} approvals are the ones shipped with mspdocs, not your counsel's; 1 is your "
            "own counsel's.") in front
    assert SHIPPED_WARNING not in front


def test_own_approvals_and_none_are_said_plainly(runner, empty_workspace):
    front = _front_text(Path(_book(runner, empty_workspace)["path"]))
    assert "No clause has been approved yet" in front and SHIPPED_WARNING not in front
    assert "Not rendered: the workspace has no customers." in \
        " ".join(text for _, text in _sections(Path(_book(runner, empty_workspace, "--reissue")["path"]))["fees.payment"])
    approved = runner.invoke(cli, ["-w", str(empty_workspace), "clauses", "approve", "--all", "--by", "J. Counsel"])
    assert approved.exit_code == 0, approved.output
    front = _front_text(Path(_book(runner, empty_workspace)["path"]))
    assert re.search(r"Every approval \(\d+\) was given by your own counsel in this workspace; none is a shipped one\.",
                     front)


def test_a_clause_that_cannot_render_names_itself_and_writes_nothing(runner, workspace):
    clause = workspace / "clauses" / "fees.payment.md"
    clause.write_text(clause.read_text(encoding="utf-8").replace("{{ customer.agreement.monthly_fee|money }}",
                                                                 "{{ customer.agreement.no_such_fee }}"),
                      encoding="utf-8")
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "clause-book"])
    assert result.exit_code == 2
    assert "fees.payment" in result.output and "no_such_fee" in result.output
    assert "Traceback" not in result.output
    assert not (workspace / "output" / "clause-book").exists() or not any((workspace / "output" / "clause-book").iterdir())
    listed = runner.invoke(cli, ["-w", str(workspace), "register", "list", "--format", "json"])
    assert "clause-book" not in listed.stdout


def test_an_unknown_sample_customer_is_refused(runner, workspace):
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "clause-book", "--customer", "nobody"])
    assert result.exit_code == 2 and "no such customer: nobody" in result.output


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_the_pdf_has_contents_with_true_page_numbers(runner, workspace):
    from pypdf import PdfReader

    item = _book(runner, workspace, "--pdf", "--customer", "muller-obrien")
    pdf_path = Path(item["pdf"])
    assert pdf_path == Path(item["path"]).with_suffix(".pdf") and pdf_path.is_file()
    reader = PdfReader(str(pdf_path))
    pages = [page.extract_text() or "" for page in reader.pages]
    assert len(pages) > 20
    assert reader.metadata["/MspdocsDocumentId"] == item["document_id"]
    for number, text in enumerate(pages, start=1):
        assert f"Clause book {item['document_id']}" in text and f"Page {number} of {len(pages)}" in text
    contents = "\n".join(pages[:3])
    found = re.search(r"scope\.exclusions: Services Outside the Scope[ .]*?(\d+)\s*$", contents, re.MULTILINE)
    assert found, contents[:2000]
    page = int(found.group(1))
    assert "scope.exclusions: Services Outside the Scope" in pages[page - 1]
    assert NAME in " ".join(pages)  # the & survives into the PDF
    bookmarks = [entry.title for entry in reader.outline if not isinstance(entry, list)]
    assert "Summary" in bookmarks and "Scope of Services" in bookmarks
    # the .docx beside it shows the same page numbers in its contents, so Word need not update them
    archive = zipfile.ZipFile(item["path"])
    assert "updateFields" not in archive.read("word/settings.xml").decode()
    paragraphs = [p.text for p in docx.Document(item["path"]).paragraphs]
    assert f"scope.exclusions: Services Outside the Scope\t{page}" in paragraphs
    shown = runner.invoke(cli, ["-w", str(workspace), "register", "show", item["document_id"], "--format", "json"])
    assert hashlib.sha256(pdf_path.read_bytes()).hexdigest() in shown.stdout
