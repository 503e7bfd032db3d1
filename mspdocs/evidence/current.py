"""Current and superseded documents: one current document per customer and kind, the latest one issued.

A document is defined by its inputs: the customer, the kind, whether it is a draft, the template's hash,
each clause's id, version, hash and section, and the hash of the data it was rendered from. Its id and
date are not inputs, so regenerating with nothing changed finds the document already standing and
issues nothing ("unchanged"). As a clause or template may say something else on another date (an
insurance policy that has since expired), the text is compared too, with the id and date masked.
A document issued for a customer and kind supersedes the one that was current; the register records
that as a `document.superseded` event naming both. Drafts are a line of their own: a draft supersedes
the previous draft, never a final document, and is never current.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from .register import (
    DOCUMENT_GENERATED,
    DOCUMENT_SUPERSEDED,
    Entry,
    Publication,
    Register,
    canonical_json,
    sha256_text,
)

# The manifest entries that define a document; the rest (its id, its date) differ with every issue.
INPUT_KEYS = ("customer", "kind", "draft", "template", "clauses", "data_sha256")
CURRENT, DRAFT, SUPERSEDED = "current", "draft", "superseded"

Key = tuple[str | None, str | None, bool]


def inputs_sha256(manifest: dict[str, Any]) -> str:
    """The hash of what produces a document; equal hashes mean the same document would be issued."""
    return sha256_text(canonical_json({key: manifest.get(key) for key in INPUT_KEYS}))


def document_key(entry_or_manifest: Entry | dict[str, Any]) -> Key:
    """(customer, kind, draft): the line of documents one current document stands for."""
    if isinstance(entry_or_manifest, Entry):
        payload = entry_or_manifest.payload if isinstance(entry_or_manifest.payload, dict) else {}
        return entry_or_manifest.customer, entry_or_manifest.kind, bool(payload.get("draft"))
    return entry_or_manifest.get("customer"), entry_or_manifest.get("kind"), bool(entry_or_manifest.get("draft"))


def latest_by_key(entries: list[Entry]) -> dict[Key, Entry]:
    """The last document generated in each line (entries in chain order)."""
    latest: dict[Key, Entry] = {}
    for entry in entries:
        if entry.event == DOCUMENT_GENERATED:
            latest[document_key(entry)] = entry
    return latest


def document_statuses(entries: list[Entry]) -> dict[str, str]:
    """Each generated document's status: current, draft (the latest draft) or superseded."""
    standing = {entry.document_id for entry in latest_by_key(entries).values()}
    statuses = {}
    for entry in entries:
        if entry.event == DOCUMENT_GENERATED and entry.document_id:
            if entry.document_id not in standing:
                statuses[entry.document_id] = SUPERSEDED
            else:
                statuses[entry.document_id] = DRAFT if document_key(entry)[2] else CURRENT
    return statuses


def current_documents(workspace: str | Path | None = None, customer: str | None = None) -> list[Entry]:
    """The `document.generated` entry of every current (final) document, by customer then kind.

    With `customer`, that customer's only. The clause book, which has no customer, is listed with
    customer None when no customer is named. Empty when the workspace has no register yet.
    """
    from ..workspace.folder import open_workspace

    register = Register.existing(open_workspace(workspace).path("register"))
    if register is None:
        return []
    with register:
        entries = register.entries(customer=customer)
    current = [entry for key, entry in latest_by_key(entries).items() if not key[2]]
    return sorted(current, key=lambda entry: (entry.customer or "", entry.kind or ""))


def standing_documents(register_path: Path, kind: str, draft: bool) -> dict[str | None, Entry]:
    """The document standing for each customer in one line of `kind` (drafts or finals), by customer.

    Only reads. A register that cannot be read here (emptied, an older schema) stands for nothing: the
    publishing step, which opens it for writing, migrates it or refuses with the reason.
    """
    try:
        register = Register.existing(register_path)
    except InputError:
        return {}
    if register is None:
        return {}
    with register:
        latest = latest_by_key(register.entries(kind=kind))
    return {key[0]: entry for key, entry in latest.items() if key[2] == draft}


def files_intact(root: Path, entry: Entry, keys: tuple[str, ...] = ("output", "pdf")) -> bool:
    """Whether every file the entry records is on disk with its recorded SHA-256."""
    import hashlib

    for key in keys:
        record = entry.payload.get(key)
        if record is None:
            continue
        path = root / str(record.get("path"))
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != record.get("sha256"):
            return False
    return True


def has_forms(entry: Entry, options: dict[str, bool]) -> bool:
    """Whether the document standing has every form asked for (a PDF, PDF/A, the MSP's signature)."""
    recorded = entry.payload.get("options") or {"pdf": "pdf" in entry.payload}
    return all(recorded.get(name) for name, wanted in options.items() if wanted)


@dataclass(frozen=True)
class Standing:
    """The answer for one document about to be issued: the document already standing, and whether it
    is still the one these inputs would issue."""

    entry: Entry | None
    unchanged: bool


def compare(standing: Entry | None, manifest: dict[str, Any], content: str | None, options: dict[str, bool],
            root: Path, reissue: bool) -> Standing:
    """Whether `standing` is still the document `manifest` would issue: same inputs, same text (`content`,
    unless None: a document whose text follows from its inputs alone), the forms asked for, files intact."""
    if standing is None or reissue:
        return Standing(standing, False)
    same = (standing.payload.get("inputs_sha256") == manifest["inputs_sha256"]
            and (content is None or standing.payload.get("content_sha256") == content)
            and has_forms(standing, options) and files_intact(root, standing))
    return Standing(standing, same)


def content_sha256(data: bytes, per_issue: list[str]) -> str:
    """The hash of what a .docx says (body, headers, footers), with the values that differ with every
    issue of it (its id, manifest hash and date, as printed) masked."""
    from ..render.gate import document_texts

    texts = document_texts(data)
    pieces = []
    for part in sorted(name for name in texts if name.startswith("word/")):
        text = "\n".join(texts[part])
        for value in sorted(per_issue, key=len, reverse=True):
            text = text.replace(value, "\u0000")
        pieces.append(f"{part}\n{text}")
    return sha256_text("\n".join(pieces))


def supersessions(register: Register, publications: list[Publication]) -> list[Publication]:
    """A `document.superseded` event for the document each new publication replaces (read inside the
    publishing transaction, so no other batch can change what is current meanwhile)."""
    events: list[Publication] = []
    by_kind: dict[str | None, dict[Key, Entry]] = {}
    for publication in publications:
        if publication.event != DOCUMENT_GENERATED:
            continue
        if publication.kind not in by_kind:
            by_kind[publication.kind] = latest_by_key(register.entries(kind=publication.kind))
        previous = by_kind[publication.kind].get(document_key(publication.payload))
        if previous is None:
            continue
        events.append(Publication([], DOCUMENT_SUPERSEDED,
                                  {"superseded_by": publication.document_id,
                                   "reason": _why(previous.payload, publication.payload)},
                                  previous.document_id, previous.customer, previous.kind))
    return events


def _why(before: dict[str, Any], after: dict[str, Any]) -> str:
    if before.get("inputs_sha256") != after.get("inputs_sha256"):
        return "inputs changed"
    if before.get("content_sha256") != after.get("content_sha256"):
        return "text changed"  # same inputs, another date: e.g. a policy that has since expired
    return "reissued with the same inputs and text"
