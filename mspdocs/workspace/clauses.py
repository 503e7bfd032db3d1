"""Clause files (YAML front matter + body) parsed into immutable clauses, and the library of them."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, MspdocsError, raise_all
from .fields import Fields
from .files import read_text
from .yamlfile import parse_yaml

# The order and headings of an agreement's sections; a clause's category places it.
CATEGORIES = {
    "definitions": "Definitions",
    "services": "Services",
    "scope-boundaries": "Scope of Services",
    "customer-responsibilities": "Customer Responsibilities",
    "customer-retained-risk": "Risks Retained by the Customer",
    "declined-services": "Declined Services",
    "cyber-insurance": "Cyber-Liability Insurance",
    "fees": "Fees and Payment",
    "term": "Term and Renewal",
    "data-protection": "Data Protection and Confidentiality",
    "baa-uses": "Permitted Uses and Disclosures",
    "baa-safeguards": "Safeguards and Reporting",
    "baa-rights": "Individuals' Rights and Government Access",
    "baa-term": "Term and Termination of This BAA",
    "warranties": "Warranties and Remedies",
    "liability": "Limitation of Liability",
    "indemnity": "Indemnification",
    "termination": "Termination",
    "notices": "Notices",
    "governing-law": "Governing Law and Disputes",
    "general": "General Terms",
}
STATUSES = ("draft", "approved", "retired")
DOCUMENT_KINDS = ("agreement", "risk-letter", "insurance-notice", "baa", "qbr-agenda", "qbr-packet")
CLAUSE_ID = re.compile(r"[a-z0-9]+(?:[.-][a-z0-9]+)*")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.DOTALL)
_FIELDS = {"id", "title", "category", "order", "version", "status", "documents", "variables",
           "condition", "alternates"}


@dataclass(frozen=True)
class Clause:
    """One unit of contract text, with what decides where and whether it appears."""

    id: str
    title: str
    category: str
    order: int
    version: int
    status: str
    documents: tuple[str, ...]
    variables: tuple[str, ...]
    condition: str | None
    alternates: tuple[str, ...]
    body: str
    path: Path
    body_line: int  # the file line on which the body starts, for errors inside it
    lines: dict[str, int]  # front-matter field -> file line

    @property
    def text_hash(self) -> str:
        """SHA-256 over everything of the clause that can change a document."""
        material = "\n".join([
            self.id, self.title, self.category, str(self.order), str(self.version),
            ",".join(self.documents), self.condition or "", ",".join(self.alternates), self.body,
        ])
        return hashlib.sha256(material.encode("utf-8")).hexdigest()


def split_front_matter(text: str, path: Path) -> tuple[str, str, int]:
    """(front matter, body, first body line) of a clause file."""
    text = text.replace("\r\n", "\n")
    match = _FRONT_MATTER.match(text)
    if not match:
        raise InputError("a clause file starts with front matter between two '---' lines", path=path, line=1)
    front = match.group(1)
    body_line = match.group(0).count("\n") + 1
    return front, text[match.end():], body_line


def parse_clause(text: str, path: Path) -> Clause:
    """Parse one clause file into a Clause (syntax of its Jinja is checked when the library loads)."""
    front, body, body_line = split_front_matter(text, path)
    raw = parse_yaml(front, path, first_line=2)
    fields = Fields(raw, path, line=2)
    fields.reject_unknown(_FIELDS)
    clause_id = fields.text("id")
    if not CLAUSE_ID.fullmatch(clause_id):
        raise fields.error("id", f"'{clause_id}' is not a clause id (e.g. scope.exclusions)")
    if clause_id != path.stem:
        raise fields.error("id", f"'{clause_id}' does not match the file name '{path.name}'")
    category = fields.text("category")
    if category not in CATEGORIES:
        raise fields.error("category", f"'{category}' is not one of {', '.join(CATEGORIES)}")
    status = fields.text("status")
    if status not in STATUSES:
        raise fields.error("status", f"'{status}' is not one of {', '.join(STATUSES)}")
    documents = fields.text_list("documents") or [("agreement", None)]
    for kind, line in documents:
        if kind not in DOCUMENT_KINDS:
            raise InputError(f"'{kind}' is not a document kind ({', '.join(DOCUMENT_KINDS)})",
                             path=path, line=line, field="documents")
    alternates = fields.text_list("alternates")
    for alternate, line in alternates:
        if not CLAUSE_ID.fullmatch(alternate):
            raise InputError(f"'{alternate}' is not a clause id", path=path, line=line, field="alternates")
    if not body.strip():
        raise InputError("the clause has no body text", path=path, line=body_line)
    return Clause(
        id=clause_id,
        title=fields.text("title"),
        category=category,
        order=fields.integer("order", required=False) or 0,
        version=fields.integer("version", minimum=1),
        status=status,
        documents=tuple(kind for kind, _ in documents),
        variables=tuple(name for name, _ in fields.text_list("variables")),
        condition=fields.text("condition", required=False),
        alternates=tuple(alternate for alternate, _ in alternates),
        body=body.strip("\n") + "\n",
        path=path,
        body_line=body_line,
        lines={key: fields.line_of(key) or 2 for key in raw},
    )


def read_clause(path: Path) -> Clause:
    return parse_clause(read_text(path), path)


class LibraryConflict(InputError):
    """A clause file valid on its own that conflicts with others; `code` names the conflict for lint."""

    def __init__(self, code: str, message: str, **where) -> None:
        super().__init__(message, **where)
        self.code = code


@dataclass(frozen=True)
class Library:
    """Every clause of a workspace, by id."""

    folder: Path
    clauses: dict[str, Clause]

    def __getitem__(self, clause_id: str) -> Clause:
        return self.clauses[clause_id]

    def __iter__(self):
        return iter(self.clauses.values())

    def get(self, clause_id: str) -> Clause:
        """The clause with this id; a clear error when the library has none."""
        try:
            return self.clauses[clause_id]
        except KeyError:
            raise InputError(f"no such clause: {clause_id}", path=self.folder, clause=clause_id) from None

    def primaries(self, kind: str) -> list[Clause]:
        """The clauses of a document kind that can stand in its text, alternates excluded, in use."""
        return [c for c in self.clauses.values() if kind in c.documents and c.status != "retired"]

    def alternate_ids(self, kind: str) -> set[str]:
        """Clauses that stand in for a clause of this kind; they are never placed on their own there.

        Only clauses that can appear in the kind count: an unused clause cannot hide another's text.
        """
        return {alt for clause in self.primaries(kind) for alt in clause.alternates}


def read_library(folder: Path) -> tuple[Library, list[MspdocsError]]:
    """Every well-formed clause file, and an error for each malformed or conflicting one."""
    if not folder.is_dir():
        raise InputError("the clauses folder is missing", path=folder)
    clauses: dict[str, Clause] = {}
    errors: list[MspdocsError] = []
    for path in sorted(folder.glob("*.md")):
        try:
            clause = read_clause(path)
        except MspdocsError as exc:
            errors.append(exc)
            continue
        if clause.id in clauses:
            errors.append(LibraryConflict("duplicate-id", f"duplicate clause id '{clause.id}' (also in "
                                          f"{clauses[clause.id].path.name})", path=path,
                                          line=clause.lines.get("id"), field="id", clause=clause.id))
            continue
        clauses[clause.id] = clause
    errors += _alternate_conflicts(clauses)
    return Library(folder=folder, clauses=clauses), errors


def _alternate_conflicts(clauses: dict[str, Clause]) -> list[MspdocsError]:
    """A clause stands in for one other clause at most, never for itself, and only for a known one."""
    errors: list[MspdocsError] = []
    claimed: dict[str, str] = {}
    for clause in clauses.values():
        where = {"path": clause.path, "line": clause.lines.get("alternates"), "field": "alternates",
                 "clause": clause.id}
        for alternate in clause.alternates:
            if alternate == clause.id:
                errors.append(LibraryConflict("invalid-alternate", "a clause cannot be its own alternate", **where))
            elif alternate in claimed:
                errors.append(LibraryConflict(
                    "invalid-alternate", f"'{alternate}' is already the alternate of '{claimed[alternate]}'; "
                    "a clause can stand in for one other clause only", **where))
            claimed.setdefault(alternate, clause.id)
            if alternate not in clauses:
                errors.append(LibraryConflict("unknown-alternate",
                                              f"alternate '{alternate}' is not a clause in the library", **where))
    return errors


def load_library(folder: Path) -> Library:
    """Read every clause file, reporting all malformed ones together."""
    library, errors = read_library(folder)
    raise_all(errors)
    return library
