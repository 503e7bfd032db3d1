"""Copies returned by an e-signature platform: re-rendered, stamped, signed by the platform; text compared."""

from __future__ import annotations

import difflib
import io
import re
from typing import Any

from ..errors import ProblemsFound
from ..workspace.folder import Workspace
from .inspection import PdfFacts, bounded
from .signatories import UNTRUSTED_REASON
from .verification import file_sha256

PLATFORM_MATCHES_TEXT = "e-signature platform, content matches text"
# The stamp lines each platform adds to every page (a header or footer with the envelope id), as
# regular expressions matched against a whole line of extracted text; `envelope` captures the id.
DEFAULT_STAMPS: dict[str, list[str]] = {
    "docusign": [r"DocuSign Envelope ID: (?P<envelope>[0-9A-Fa-f]{8}(?:-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12})"],
    "acrobat-sign": [r"(?:Adobe )?(?:Acrobat|Adobe) Sign (?:Transaction|Agreement) (?:ID|Number): "
                     r"(?P<envelope>[A-Za-z0-9_-]{10,})"],
    "dropbox-sign": [r"(?:Dropbox Sign|HelloSign) (?:[Dd]ocument|[Ss]ignature [Rr]equest) ID: "
                     r"(?P<envelope>[0-9a-f]{40})"],
}
MAX_SHOWN = 12  # differing lines printed at most
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
MAX_ATTACHMENTS = 10
_SPACES = re.compile(r"\s+")


def stamp_patterns(space: Workspace) -> list[str]:
    """Every platform's stamp patterns: the defaults, with the profile's [platforms] replacing by name."""
    configured = dict(DEFAULT_STAMPS)
    configured.update(space.profile.platforms or {})
    return [pattern for patterns in configured.values() for pattern in patterns]


def platform_payload(space: Workspace, generated_entry, data: bytes, facts: PdfFacts,
                     completion: bytes | None) -> tuple[dict[str, Any], list[tuple[str, bytes]]]:
    """The payload of a platform copy and the completion certificates to store, or a rejection."""
    document_id = generated_entry.document_id
    generated = _generated_pdf(space, generated_entry)
    covering = [s for s in facts.signatures if s.coverage == "ENTIRE_FILE" and s.intact and s.valid]
    broken = [s for s in facts.signatures if not (s.intact and s.valid)]
    if broken:
        raise ProblemsFound(f"rejected: the signature in {broken[0].field} does not match the signed content: "
                            f"{broken[0].summary}")
    if not covering:
        raise ProblemsFound("rejected: no signature of the platform covers the whole file"
                            if facts.signatures else "rejected: the platform copy carries no digital signature")
    platform = covering[-1]
    compared = bounded(compare_copy, (generated, data, stamp_patterns(space)))
    if compared["pages"] != compared["generated_pages"]:
        pages = compared["pages"]
        raise ProblemsFound(f"rejected: the copy has {pages} page{'s' if pages != 1 else ''}, {document_id} has "
                            f"{compared['generated_pages']}")
    if compared["differences"]:
        shown = "; ".join(compared["differences"][:MAX_SHOWN])
        more = len(compared["differences"]) - MAX_SHOWN
        raise ProblemsFound(f"rejected: the text differs from the generated document {document_id}: {shown}"
                            + (f" (and {more} more)" if more > 0 else ""))
    if not compared["envelopes"]:
        raise ProblemsFound("rejected: no page carries a platform stamp line with an envelope id (see "
                            "[platforms] in mspdocs.toml)")
    if len(set(compared["envelopes"])) > 1:
        raise ProblemsFound(f"rejected: the pages carry different envelope ids: "
                            f"{', '.join(sorted(set(compared['envelopes'])))}")
    certificates = list(compared["attachments"]) + ([("completion certificate", completion)] if completion else [])
    payload = {"method": "platform", "assurance": PLATFORM_MATCHES_TEXT, "signer": platform.signer,
               "signed_at": platform.signed_at, "platform": platform.signer,
               "envelope_id": compared["envelopes"][0], "certificate_sha256": platform.fingerprint,
               "stamp_lines": compared["stamp_lines"],
               "original": {"sha256": generated_entry.payload["pdf"]["sha256"], "compared": "text, page by page"},
               "signatures": [signature.as_dict() for signature in facts.signatures]}
    if not platform.trusted:
        payload["reason"] = UNTRUSTED_REASON
    return payload, certificates


def _generated_pdf(space: Workspace, generated_entry) -> bytes:
    """The generated PDF as recorded (its text is what the copy must show), or a rejection."""
    original = generated_entry.payload.get("pdf")
    if not isinstance(original, dict) or not original.get("sha256"):
        raise ProblemsFound(f"rejected: no PDF of {generated_entry.document_id} was generated, so none can "
                            "come back signed")
    path = space.root / str(original.get("path", ""))
    if not path.is_file() or file_sha256(path) != original["sha256"]:
        raise ProblemsFound(f"rejected: the generated PDF of {generated_entry.document_id} ({original.get('path')}) "
                            "is missing or altered, so the copy cannot be compared; run `mspdocs register verify`")
    return path.read_bytes()


def compare_copy(generated: bytes, received: bytes, patterns: list[str]) -> dict[str, Any]:
    """Page-by-page text of the copy against the generated PDF, the stamp lines removed from the copy.

    Lines are compared with runs of white space made one space; a page whose words are the same in the
    same order matches even when the platform broke its lines differently.
    """
    stamps = [re.compile(pattern) for pattern in patterns]
    ours, theirs = page_lines(generated), page_lines(received)
    result: dict[str, Any] = {"pages": len(theirs), "generated_pages": len(ours), "differences": [],
                              "envelopes": [], "stamp_lines": 0, "attachments": attachments(received)}
    for number, (expected, found) in enumerate(zip(ours, theirs), start=1):
        kept = []
        for line in found:
            match = next((m for m in (s.fullmatch(line) for s in stamps) if m), None)
            if match is None:
                kept.append(line)
                continue
            result["stamp_lines"] += 1
            if "envelope" in match.groupdict() and match.group("envelope"):
                result["envelopes"].append(match.group("envelope"))
        if kept != expected and " ".join(kept).split() != " ".join(expected).split():
            result["differences"] += _differing_lines(number, expected, kept)
    return result


def page_lines(data: bytes) -> list[list[str]]:
    """Each page's non-empty text lines, white space normalised."""
    from pypdf import PdfReader

    pages = []
    for page in PdfReader(io.BytesIO(data)).pages:
        lines = (_SPACES.sub(" ", line).strip() for line in (page.extract_text() or "").splitlines())
        pages.append([line for line in lines if line])
    return pages


def _differing_lines(number: int, expected: list[str], found: list[str]) -> list[str]:
    shown = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=expected, b=found, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        shown += [f"page {number}: generated \"{line}\"" for line in expected[i1:i2]]
        shown += [f"page {number}: copy \"{line}\"" for line in found[j1:j2]]
    return shown


def attachments(data: bytes) -> list[tuple[str, bytes]]:
    """Files attached to the PDF (a platform's completion certificate): the first few, each a few MiB."""
    from pypdf import PdfReader

    found = []
    for name, contents in PdfReader(io.BytesIO(data)).attachments.items():
        for content in contents:
            if len(content) <= MAX_ATTACHMENT_BYTES:
                found.append((f"attached {name}", content))
    return found[:MAX_ATTACHMENTS]
