"""PDFs of rendered Word documents: LibreOffice in one process per batch, each result checked and stamped."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import MspdocsError, RenderError, raise_all
from ..workspace.processes import die_with_parent, worker_pool

PDFA_FILTER = 'pdf:writer_pdf_Export:{"SelectPdfVersion":{"type":"long","value":"2"}}'
INSTALL_HINT = ("apt-get install libreoffice-writer-nogui fonts-crosextra-carlito fonts-crosextra-caladea "
                "fonts-liberation2")
# LibreOffice starts in about a second and then converts a few documents a second.
TIMEOUT_BASE_SECONDS = 20.0
TIMEOUT_PER_FILE_SECONDS = 3.0
# soffice.bin asks to be started again (exit status 81) after it has set up a fresh profile.
_RESTART_STATUS = 81


class ConverterMissing(MspdocsError):
    """LibreOffice, which makes the PDFs, is not installed."""


@dataclass(frozen=True)
class PdfSource:
    """One document to convert: its Word bytes and what the PDF must carry."""

    document_id: str
    stem: str
    docx: bytes
    title: str
    subject: str
    manifest_sha256: str


def find_soffice() -> str:
    """The LibreOffice executable on PATH, or a clear error saying how to install it."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    raise ConverterMissing(f"LibreOffice is not installed; PDFs need it ({INSTALL_HINT})")


def split_batches(items: Sequence, count: int) -> list[list]:
    """`items` dealt into at most `count` non-empty lists of near-equal length, order kept within each."""
    count = max(1, min(count, len(items)))
    size, extra = divmod(len(items), count)
    batches, start = [], 0
    for index in range(count):
        end = start + size + (1 if index < extra else 0)
        batches.append(list(items[start:end]))
        start = end
    return [batch for batch in batches if batch]


def office_binary(soffice: str) -> str:
    """The office program itself beside the `soffice` launcher, when there is one: started directly it is
    our child, so it dies with us; started through the launcher it would outlive a killed batch."""
    binary = Path(os.path.realpath(soffice)).with_name("soffice.bin")
    return str(binary) if binary.is_file() and os.access(binary, os.X_OK) else soffice


def convert_batch(soffice: str, docx_paths: list[Path], outdir: Path, pdfa: bool = False,
                  scratch: Path | None = None) -> None:
    """Convert every file with ONE LibreOffice process, with its own throw-away profile and temporary
    files in `scratch` (default: beside `outdir`, in the batch's staging folder; never in /tmp)."""
    scratch = (scratch or outdir.parent).resolve()
    (scratch / "tmp").mkdir(parents=True, exist_ok=True)
    command = [
        office_binary(soffice), "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
        f"-env:UserInstallation={(scratch / 'profile').as_uri()}",
        "--convert-to", PDFA_FILTER if pdfa else "pdf",
        "--outdir", str(outdir), *map(str, docx_paths),
    ]
    environment = dict(os.environ, TMPDIR=str(scratch / "tmp"))
    timeout = TIMEOUT_BASE_SECONDS + TIMEOUT_PER_FILE_SECONDS * len(docx_paths)
    for _ in range(3):
        status, output = _run_office(command, environment, timeout, len(docx_paths))
        if status != _RESTART_STATUS:
            break
    # The exit status is not trusted either way: each PDF is checked on its own afterwards.
    if status and not any((outdir / f"{p.stem}.pdf").exists() for p in docx_paths):
        text = output.decode("utf-8", "replace").strip()
        raise RenderError(f"LibreOffice failed (exit status {status}): {text[-500:]}")


def _run_office(command: list[str], environment: dict[str, str], timeout: float,
                count: int) -> tuple[int, bytes]:
    """Run LibreOffice once: its exit status and output. It dies with this process, and on a timeout or an
    interrupt it is killed together with every helper it started."""
    # Its own session, so it can be ended with everything it started, and a Ctrl-C is ours to handle.
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, env=environment,
                               stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=die_with_parent)
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise RenderError(f"LibreOffice did not finish converting {count} document(s) "
                          f"within {timeout:.0f} seconds and was stopped") from None
    except BaseException:
        _kill_group(process)
        raise
    return process.returncode, output


def _kill_group(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.communicate()


def verify_pdf(path: Path, document_id: str) -> bytes:
    """The PDF's bytes, if it exists, parses, and shows the document id; otherwise a RenderError."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    if not path.is_file() or path.stat().st_size == 0:
        raise RenderError(f"{document_id}: LibreOffice produced no PDF", path=path)
    data = path.read_bytes()
    try:
        # Every page's footer shows the id: the page with the least drawing is the quickest to read (a
        # whole document would take seconds).
        pages = PdfReader(io.BytesIO(data)).pages
        text = (_lightest(pages).extract_text() or "") if len(pages) else ""
    except (PdfReadError, ValueError, KeyError, IndexError) as exc:
        raise RenderError(f"{document_id}: the PDF does not parse: {exc}", path=path) from None
    if document_id not in text:
        raise RenderError(f"{document_id}: the PDF's text does not contain its document id", path=path)
    return data


def _lightest(pages):
    """The page whose content streams are the shortest (the last page when none can be measured)."""
    def size(page) -> int:
        contents = page.get_contents()
        return len(contents.get_data()) if contents is not None else 0

    return min(reversed(list(pages)), key=size)


def stamp_metadata(data: bytes, source: PdfSource) -> bytes:
    """The PDF with its title, subject, document id and manifest hash in the document information."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    # An incremental update: reading and rewriting the whole file would cost more than converting it.
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    previous = writer.prev.trailer_view.get("/Info")
    info = generic.DictionaryObject(dict(previous.get_object()) if previous is not None else {})
    for key, value in {"/MspdocsDocumentId": source.document_id,
                       "/MspdocsManifestSha256": source.manifest_sha256}.items():
        info[generic.NameObject(key)] = generic.TextStringObject(value)
    writer.set_info(info)
    # Title and subject through pyHanko's metadata, which keeps the XMP (PDF/A) in step with /Info.
    writer.document_meta.title = source.title
    writer.document_meta.subject = source.subject
    if "/Metadata" in writer.root:  # PDF/A: the XMP names the document too (dc:identifier)
        from pyhanko.pdf_utils.metadata import model

        identifier = model.ExpandedName(ns=model.NS["dc"], local_name="identifier")
        writer.document_meta.xmp_extra = [model.XmpStructure.of((identifier, model.XmpValue(source.document_id)))]
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_metadata(data: bytes) -> dict[str, str]:
    """The document information of a PDF, as plain strings."""
    from pypdf import PdfReader

    info = PdfReader(io.BytesIO(data)).metadata or {}
    return {str(key): str(value) for key, value in info.items()}


@dataclass(frozen=True)
class _Batch:
    """The documents one LibreOffice process converts, and where."""

    soffice: str
    sources: list[PdfSource]
    folder: Path
    pdfa: bool
    finish: Callable[[bytes, PdfSource], bytes] | None


def _convert_and_check(batch: _Batch) -> list[bytes | MspdocsError]:
    """Convert one batch with one process, then check and post-process each PDF (bytes or its error)."""
    indir, outdir = batch.folder / "docx", batch.folder / "pdf"
    try:
        indir.mkdir(parents=True)
        outdir.mkdir()
        paths = []
        for source in batch.sources:
            path = indir / f"{source.stem}.docx"
            path.write_bytes(source.docx)
            paths.append(path)
        convert_batch(batch.soffice, paths, outdir, batch.pdfa)
        pdfs = {source.stem: outdir / f"{source.stem}.pdf" for source in batch.sources}
        pdfs.update(_without_lone_headings(batch, pdfs))
    except MspdocsError as exc:
        return [exc]
    except OSError as exc:  # a full disk: reported like any other failed conversion
        return [RenderError(f"cannot write LibreOffice's files: {exc.strerror or exc}", path=exc.filename)]
    outcomes: list[bytes | MspdocsError] = []
    for source in batch.sources:
        try:
            data = stamp_metadata(verify_pdf(pdfs[source.stem], source.document_id), source)
            outcomes.append(batch.finish(data, source) if batch.finish else data)
        except MspdocsError as exc:
            outcomes.append(exc)
    return outcomes


def _without_lone_headings(batch: _Batch, pdfs: dict[str, Path]) -> dict[str, Path]:
    """PDFs converted again, from a copy with page breaks, where LibreOffice left a heading at a page foot."""
    from .pagination import lone_headings, with_breaks

    again = []
    for source in batch.sources:
        titles = lone_headings(pdfs[source.stem].read_bytes()) if pdfs[source.stem].is_file() else []
        if titles:
            again.append((source, with_breaks(source.docx, titles)))
    if not again:
        return {}
    indir, outdir = batch.folder / "docx-paged", batch.folder / "pdf-paged"
    indir.mkdir()
    outdir.mkdir()
    for source, docx in again:
        (indir / f"{source.stem}.docx").write_bytes(docx)
    try:
        convert_batch(batch.soffice, [indir / f"{source.stem}.docx" for source, _ in again], outdir, batch.pdfa)
    except RenderError:
        return {}  # a heading at a page foot is a blemish, not a reason to lose the batch: keep the first layout
    laid_out = {source.stem: outdir / f"{source.stem}.pdf" for source, _ in again}
    return {stem: path for stem, path in laid_out.items() if path.is_file() and path.stat().st_size}


_WORKER_BATCHES: list[_Batch] = []


def _run_batch(index: int) -> list[bytes | MspdocsError]:
    return _convert_and_check(_WORKER_BATCHES[index])


def to_pdfs(sources: list[PdfSource], folder: Path, jobs: int = 1, pdfa: bool = False,
            finish: Callable[[bytes, PdfSource], bytes] | None = None) -> dict[str, bytes]:
    """PDF bytes by document id, every one checked; `finish` post-processes each (fields, signature).

    The documents are dealt into `jobs` batches; each batch is converted by ONE LibreOffice process
    with its own profile, and checked in the same worker, so checking overlaps converting. Every file
    (the Word input, the PDFs, LibreOffice's profile) stays under `folder`, which the caller removes.
    """
    global _WORKER_BATCHES
    if not sources:
        return {}
    soffice = find_soffice()
    batches = [_Batch(soffice, part, Path(folder, str(index)), pdfa, finish)
               for index, part in enumerate(split_batches(sources, jobs))]
    if len(batches) == 1:
        outcomes = [_convert_and_check(batches[0])]
    else:
        _WORKER_BATCHES = batches  # inherited by the forked workers, never pickled
        try:
            with worker_pool(len(batches)) as pool:
                outcomes = list(pool.map(_run_batch, range(len(batches))))
        finally:
            _WORKER_BATCHES = []
    results: dict[str, bytes] = {}
    errors: list[MspdocsError] = []
    for batch, outcome in zip(batches, outcomes):
        if len(outcome) != len(batch.sources):  # the conversion of the whole batch failed
            errors.extend(outcome)
            continue
        for source, item in zip(batch.sources, outcome):
            if isinstance(item, MspdocsError):
                errors.append(item)
            else:
                results[source.document_id] = item
    raise_all(errors)
    return results
