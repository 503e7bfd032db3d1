"""PDFs beside the documents: batched LibreOffice, every PDF checked, identity in its metadata."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import stat
import time
from pathlib import Path

import pytest
from conftest import AS_OF, write_msp_profile

from mspdocs.batch import generate
from mspdocs.cli import cli
from mspdocs.evidence.register import canonical_json
from mspdocs.render import pdf as pdfmod
from mspdocs.workspace.folder import init_workspace

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is not installed")
CUSTOMERS = ["bright-harbor-dental", "muller-obrien", "pinecrest-law"]


def _fake_soffice(folder: Path, script: str) -> Path:
    """A `soffice` on a PATH of its own, running `script` (sh)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "soffice"
    path.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return folder


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """Agreements for three customers with --pdf --jobs 2, through a soffice that logs each start."""
    root = tmp_path_factory.mktemp("pdf")
    workspace = write_msp_profile(init_workspace(root / "ws", examples=True))
    log = root / "soffice.log"
    bin_dir = _fake_soffice(root / "bin", f'echo "$@" >> "{log}"\nexec "{SOFFICE}" "$@"\n')
    old_path = os.environ["PATH"]
    os.environ["PATH"] = f"{bin_dir}{os.pathsep}{old_path}"
    try:
        written = generate("agreement", CUSTOMERS, workspace=workspace, as_of=AS_OF, jobs=2, pdf=True)
    finally:
        os.environ["PATH"] = old_path
    return workspace, written, log.read_text().splitlines()


def test_batches_are_dealt_evenly():
    assert pdfmod.split_batches([1, 2, 3, 4, 5], 2) == [[1, 2, 3], [4, 5]]
    assert pdfmod.split_batches([1], 4) == [[1]]
    assert pdfmod.split_batches([], 2) == []


@needs_soffice
def test_one_libreoffice_process_per_job_each_with_its_own_profile(batch):
    _, _, starts = batch
    # A job may run LibreOffice once more, for the documents it lays out again with a heading moved to the
    # next page (render/pagination.py), in the same profile.
    first = [line for line in starts if "docx-paged" not in line]
    assert len(first) == 2
    profiles = {arg for line in starts for arg in line.split() if arg.startswith("-env:UserInstallation=")}
    assert len(profiles) == 2
    assert sum(line.count(".docx") for line in first) == len(CUSTOMERS)


@needs_soffice
def test_a_pdf_beside_each_document_showing_its_id(batch):
    _, written, _ = batch
    from pypdf import PdfReader

    assert [item.customer for item in written] == CUSTOMERS
    for item in written:
        assert item.pdf_path == item.path.with_suffix(".pdf")
        data = item.pdf_path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == item.pdf_sha256
        reader = PdfReader(io.BytesIO(data))
        assert item.document_id in reader.pages[0].extract_text()
        assert item.as_dict()["pdf"] == str(item.pdf_path)


@needs_soffice
def test_the_pdf_carries_its_document_id_and_manifest_hash(batch):
    _, written, _ = batch
    for item in written:
        info = pdfmod.pdf_metadata(item.pdf_path.read_bytes())
        assert info["/MspdocsDocumentId"] == item.document_id
        expected = hashlib.sha256(canonical_json(item.manifest).encode("utf-8")).hexdigest()
        assert info["/MspdocsManifestSha256"] == expected
        assert info["/Title"].startswith("Master Services Agreement: ")


@needs_soffice
def test_pdfa_makes_an_archival_pdf(runner, workspace):
    agreement = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "pinecrest-law"])
    assert agreement.exit_code == 0, agreement.output  # the notice cites it
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "insurance-notice", "pinecrest-law",
                                 "--pdfa", "--as-of", AS_OF.isoformat(), "--format", "json"])
    assert result.exit_code == 0, result.output
    [item] = json.loads(result.output)
    from pypdf import PdfReader

    xmp = PdfReader(item["pdf"]).xmp_metadata.stream.get_data().decode("utf-8")
    assert re.search(r"pdfaid:part(>|=\")2", xmp)
    assert "Cyber-Liability Insurance Notice: Pinecrest" in xmp  # the XMP title follows /Title


def test_missing_libreoffice_is_a_clear_error_and_nothing_is_written(runner, workspace, tmp_path, monkeypatch):
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "pinecrest-law", "--pdf"])
    assert result.exit_code == 2
    assert "LibreOffice is not installed" in result.output
    assert "apt-get install libreoffice-writer-nogui" in result.output
    assert not any((workspace / "output").iterdir())


def test_exit_status_zero_without_a_pdf_is_a_failure(runner, workspace, tmp_path, monkeypatch):
    bin_dir = _fake_soffice(tmp_path / "bin", "exit 0\n")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "pinecrest-law", "--pdf"])
    assert result.exit_code == 2
    assert "LibreOffice produced no PDF" in result.output
    assert not any((workspace / "output").iterdir())


def test_a_pdf_that_does_not_parse_is_a_failure(runner, workspace, tmp_path, monkeypatch):
    # Writes "not a pdf" as <stem>.pdf into the --outdir for every input file.
    script = ('out=""; prev=""\nfor a in "$@"; do [ "$prev" = "--outdir" ] && out="$a"; prev="$a"; done\n'
              'for a in "$@"; do case "$a" in *.docx) b=$(basename "$a" .docx); '
              'echo "not a pdf" > "$out/$b.pdf";; esac; done\nexit 0\n')
    bin_dir = _fake_soffice(tmp_path / "bin", script)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "pinecrest-law", "--pdf"])
    assert result.exit_code == 2
    assert "the PDF does not parse" in result.output
    assert not any((workspace / "output").iterdir())


def test_a_hung_converter_is_killed_with_everything_it_started(tmp_path, monkeypatch):
    pid_file = tmp_path / "child.pid"
    sleep = shutil.which("sleep")
    bin_dir = _fake_soffice(tmp_path / "bin", f'{sleep} 60 &\necho $! > "{pid_file}"\nwait\n')
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setattr(pdfmod, "TIMEOUT_BASE_SECONDS", 0.5)
    monkeypatch.setattr(pdfmod, "TIMEOUT_PER_FILE_SECONDS", 0.0)
    source = tmp_path / "a.docx"
    source.write_bytes(b"x")
    with pytest.raises(pdfmod.RenderError, match="did not finish"):
        pdfmod.convert_batch(pdfmod.find_soffice(), [source], tmp_path)
    child = int(pid_file.read_text())
    for _ in range(50):  # the kernel reaps the orphan shortly after the kill
        try:
            os.kill(child, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the converter's child process survived the timeout")


def test_sign_implies_pdf_and_needs_the_msp_certificate(runner, workspace):
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "pinecrest-law", "--sign"])
    assert result.exit_code == 2
    assert "countersigning needs the MSP's certificate" in result.output
    assert not [p for p in (workspace / "output").rglob("*") if p.is_file()]


@needs_soffice
def test_asking_for_a_pdf_the_current_document_lacks_issues_it_anew(workspace):
    generate("agreement", ["pinecrest-law"], workspace=workspace, as_of=AS_OF)  # the notice cites it
    [plain] = generate("insurance-notice", ["pinecrest-law"], workspace=workspace, as_of=AS_OF)
    assert plain.pdf_path is None
    [with_pdf] = generate("insurance-notice", ["pinecrest-law"], workspace=workspace, as_of=AS_OF, pdf=True)
    assert with_pdf.supersedes == plain.document_id and with_pdf.pdf_path.is_file()
    [again] = generate("insurance-notice", ["pinecrest-law"], workspace=workspace, as_of=AS_OF, pdf=True)
    [docx_only] = generate("insurance-notice", ["pinecrest-law"], workspace=workspace, as_of=AS_OF)
    for standing in (again, docx_only):  # a document with a PDF also serves who asks for the .docx alone
        assert (standing.status, standing.document_id) == ("unchanged", with_pdf.document_id)
        assert standing.pdf_path == with_pdf.pdf_path
