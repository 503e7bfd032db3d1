"""`clauses lint`: every problem of the clause library and templates, each with its file, line and clause."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from jinja2 import TemplateSyntaxError, meta, nodes
from jinja2.parser import Parser

from ..errors import MspdocsError
from ..render.documents import KINDS, base_context
from ..render.environment import environment
from ..workspace.catalog import Catalog, load_catalog
from ..workspace.clauses import CATEGORIES, Clause, Library, read_library
from ..workspace.customers import parse_customer
from ..workspace.files import read_text
from ..workspace.folder import Workspace, open_workspace
from . import approvals as approval_store
from .references import references


# Once the parties are defined, an agreement (or a BAA) calls them Customer and Provider; only the
# definitions and the notice addresses name them in full. Letters and agendas address the customer by name.
PARTY_NAMES = {"customer.legal_name": "Customer", "msp.name": "Provider", "msp.legal_name": "Provider"}
NAMING_CATEGORIES = frozenset({"definitions", "notices"})
NAMED_PARTY_DOCUMENTS = frozenset({"agreement", "baa"})


@dataclass(frozen=True)
class Finding:
    """One problem found by lint."""

    file: str
    line: int | None
    clause: str | None
    code: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        about = f" [{self.clause}]" if self.clause else ""
        return f"{where}:{about} {self.code}: {self.message}"


def sample_customer(workspace: Workspace, catalog: Catalog):
    """A customer with every optional field present: the schema of what clauses may use."""
    ids = list(catalog.services)
    raw = {
        "id": "sample", "legal_name": "Sample", "industry": "sample", "account_manager": "A", "notes": "N",
        "address": {"street": "S", "city": "C", "region": "R", "postal_code": "P", "country": "US"},
        "signatory": {"name": "N", "title": "T", "email": "n@example.com"},
        "agreement": {"effective": "2026-01-01", "term_months": "12", "currency": "USD",
                      "governing_law": "G", "renewal_months": "12", "payment_terms_days": "30",
                      "notice_days": "30", "insurance_required": "true", "liability_cap_amount": "1"},
        "covered": {"workstations": "1", "servers": "1", "network_devices": "1", "users": "1",
                    "locations": [{"name": "L", "address": "A"}]},
        "services": {"subscribed": ids[:-1], "prices": {ids[0]: "1"},
                     "declined": [{"id": ids[-1], "recommended_on": "2026-01-01", "reason": "R",
                                   "compensating_controls": "C"}]},
        "service_levels": {"P1": {"response": "R"}}, "backup": {"retention": "R"},
        "insurance": {"carrier": "C", "policy_number": "P", "limit": "1", "expires": "2027-01-01",
                      "proof_on_file": "true"},
        "qbr": {"cadence_days": "90"},
    }
    customer = parse_customer(raw, Path("sample.yaml"), workspace, catalog)
    # An inventory is a file of its own; the schema only needs to know the names it brings.
    customer.data["covered"]["inventory"] = {"file": "inventory.csv", "devices": []}
    return customer


# Provided facts whose members a clause may name (the others are finished phrases, tables or dates).
PROVIDED_SHAPES = {"agreement_issued": {"id": "AGR-ID", "date": dt.date(2026, 1, 1)}}


def known_contexts(workspace: Workspace) -> dict[str, dict[str, Any]]:
    """Per document kind, a context holding every name a clause or template of that kind may use."""
    catalog = load_catalog(workspace.path("catalog"))
    customer = sample_customer(workspace, catalog)
    contexts = {}
    for name, kind in KINDS.items():
        context = dict(environment().globals, ref=lambda clause_id: clause_id)
        related = {"baa": {"id": "BAA-ID", "date": dt.date.today()}}
        context.update(base_context(workspace, catalog, customer, kind, "ID", dt.date.today(), False,
                                    {"id": "AGR-ID", "date": dt.date.today()}, related))
        context.update(dict.fromkeys(kind.provided, ""))  # computed per customer when a document is made
        context.update({name: value for name, value in PROVIDED_SHAPES.items() if name in kind.provided})
        contexts[name] = context
    return contexts


def is_known(name: str, context: dict[str, Any]) -> bool:
    """Whether a dotted name resolves in the context (members of a list or a value are not followed)."""
    value: Any = context
    for part in name.split("."):
        if isinstance(value, dict):
            if part not in value:
                return hasattr(value, part)  # a mapping's own methods, e.g. `.items()`
            value = value[part]
        elif isinstance(value, (list, tuple)):
            return True
        else:
            return hasattr(value, part)
    return True


def _chain(node: nodes.Node) -> list[str] | None:
    if isinstance(node, nodes.Name):
        return [node.name] if node.ctx == "load" else None
    if isinstance(node, nodes.Getattr):
        inner = _chain(node.node)
        return inner + [node.attr] if inner else None
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
        inner = _chain(node.node)
        return inner + [node.arg.value] if inner else None
    return None


def used_names(tree: nodes.Node, roots: set[str] | None) -> list[tuple[str, int]]:
    """(dotted name, line) of every value read from the context (not loop or local variables)."""
    found: list[tuple[str, int]] = []

    def visit(node: nodes.Node) -> None:
        chain = _chain(node)
        if chain and (roots is None or chain[0] in roots):
            found.append((".".join(chain), node.lineno))
            return
        for child in node.iter_child_nodes():
            visit(child)

    visit(tree)
    return found


def parse_condition(expression: str) -> nodes.Expr:
    parser = Parser(environment(), expression, state="variable")
    tree = parser.parse_expression()
    if not parser.stream.eos:
        raise TemplateSyntaxError("unexpected text after the expression", parser.stream.current.lineno)
    return tree


def _declared(name: str, declared: tuple[str, ...]) -> bool:
    return any(name == d or name.startswith(d + ".") or d.startswith(name + ".") for d in declared)


def _known_somewhere(name: str, clause: Clause, contexts: dict[str, dict[str, Any]]) -> bool:
    kinds = [kind for kind in clause.documents if kind in contexts] or list(contexts)
    return any(is_known(name, contexts[kind]) for kind in kinds)


class _Linter:
    """Gathers the findings of one workspace."""

    def __init__(self, workspace: Workspace) -> None:
        self.workspace = workspace
        self.folder = workspace.path("clauses")
        self.contexts = known_contexts(workspace)
        self.findings: list[Finding] = []
        self.clauses: dict[str, Clause] = {}
        self.refs: dict[str, list[tuple[str, int]]] = {}

    def add(self, path: Path | str, line: int | None, clause: str | None, code: str, message: str) -> None:
        self.findings.append(Finding(str(path), line, clause, code, message))

    def read(self) -> None:
        library, errors = read_library(self.folder)
        self.clauses = dict(library.clauses)
        for error in errors:
            code = getattr(error, "code", "invalid-clause")  # a LibraryConflict names its kind
            field = f"{error.field}: " if error.field and code == "invalid-clause" else ""
            self.add(error.path or self.folder, error.line, error.clause or Path(error.path or "").stem, code,
                     field + error.message)

    def body(self, clause: Clause) -> None:
        try:
            self._body(clause)
        except (RecursionError, MemoryError):
            self.add(clause.path, clause.body_line, clause.id, "template-too-deep",
                     "the text is nested too deeply to be read")
            self.refs[clause.id] = []

    def _body(self, clause: Clause) -> None:
        try:
            tree = environment().parse(clause.body)
        except TemplateSyntaxError as exc:
            self.add(clause.path, clause.body_line + (exc.lineno or 1) - 1, clause.id, "template-syntax",
                     exc.message or "template syntax error")
            self.refs[clause.id] = []
            return
        reported: set[str] = set()
        for name, lineno in used_names(tree, meta.find_undeclared_variables(tree)):
            if name in reported or name.split(".")[0] == "ref":
                continue
            reported.add(name)
            line = clause.body_line + lineno - 1
            if not _known_somewhere(name, clause, self.contexts):
                self.add(clause.path, line, clause.id, "unknown-variable",
                         f"'{name}' is neither in the customer schema nor in the document context")
            elif name.split(".")[0] not in environment().globals and not _declared(name, clause.variables):
                self.add(clause.path, line, clause.id, "undeclared-variable",
                         f"'{name}' is used but not listed in `variables`")
            if name in PARTY_NAMES and clause.category not in NAMING_CATEGORIES \
                    and NAMED_PARTY_DOCUMENTS & set(clause.documents):
                self.add(clause.path, line, clause.id, "party-name",
                         f"'{name}' repeats a party's full name after the parties are defined; "
                         f"write {PARTY_NAMES[name]}")
        self.refs[clause.id] = [(target, clause.body_line + lineno - 1) for target, lineno in references(tree)]

    def metadata(self, clause: Clause) -> None:
        heading = CATEGORIES.get(clause.category)
        if heading and clause.title.strip().casefold() == heading.casefold():
            self.add(clause.path, clause.lines.get("title"), clause.id, "doubled-heading",
                     f"title repeats its section heading '{heading}'; give the clause its own title")
        for name in clause.variables:
            if not _known_somewhere(name, clause, self.contexts):
                self.add(clause.path, clause.lines.get("variables"), clause.id, "unknown-variable",
                         f"declared variable '{name}' is neither in the customer schema nor in the context")
        if clause.condition:
            line = clause.lines.get("condition")
            try:
                tree = parse_condition(clause.condition)
                used = used_names(tree, None)
            except (RecursionError, MemoryError):
                self.add(clause.path, line, clause.id, "invalid-condition", "the condition is nested too deeply")
                return
            except TemplateSyntaxError as exc:
                self.add(clause.path, line, clause.id, "invalid-condition", exc.message or "not an expression")
                return
            for name, _ in used:
                if not _known_somewhere(name, clause, self.contexts):
                    self.add(clause.path, line, clause.id, "unknown-condition-field",
                             f"condition uses '{name}', which is not a known field")

    def graph(self) -> None:
        for clause in self.clauses.values():
            for target, line in self.refs.get(clause.id, []):
                if target not in self.clauses:
                    self.add(clause.path, line, clause.id, "unknown-reference", f"refers to unknown clause '{target}'")
                elif self.clauses[target].status == "retired" and clause.status != "retired":
                    self.add(clause.path, line, clause.id, "retired-reference", f"refers to retired clause '{target}'")
        ref_edges = {cid: [t for t, _ in refs] for cid, refs in self.refs.items()}
        alt_edges = {cid: list(c.alternates) for cid, c in self.clauses.items()}
        self._cycles(ref_edges, "reference-cycle", "references", lambda c: self._ref_line(c))
        self._cycles(alt_edges, "alternate-cycle", "alternates", lambda c: c.lines.get("alternates"))

    def _ref_line(self, clause: Clause) -> int | None:
        lines = [line for _, line in self.refs.get(clause.id, [])]
        return lines[0] if lines else None

    def _cycles(self, edges: dict[str, list[str]], code: str, what: str, line_of) -> None:
        seen: set[frozenset[str]] = set()
        for cycle in find_cycles(edges):
            if frozenset(cycle) in seen:
                continue
            seen.add(frozenset(cycle))
            clause = self.clauses[cycle[0]]
            self.add(clause.path, line_of(clause), clause.id, code,
                     f"{what} form a cycle: {' -> '.join(cycle + [cycle[0]])}")

    def approval(self, approvals: dict[str, approval_store.Approval]) -> None:
        for clause in self.clauses.values():
            state = approval_store.clause_state(clause, approvals)
            if state.status == "draft":
                self.add(clause.path, clause.lines.get("status"), clause.id, "draft", "is a draft, not approved")
            elif state.status == "unapproved":
                self.add(clause.path, clause.lines.get("status"), clause.id, "unapproved", "has never been approved")
            elif state.status == "changed":
                self.add(clause.path, self._first_changed_line(clause, state.approval), clause.id,
                         "changed-since-approval", state.reason())
            if state.status != "retired" and approval_store.version_not_raised(clause, state.approval):
                self.add(clause.path, clause.lines.get("version"), clause.id, "version-not-raised",
                         f"the text changed since version {state.approval.version} was approved; raise "
                         "`version` before approving")
        lock = approval_store.lock_path(self.folder)
        for approval in approval_store.missing_approved(Library(self.folder, self.clauses), approvals):
            if not (self.folder / f"{approval.clause}.md").exists():  # a malformed file is reported as such
                self.add(lock, approval.line, approval.clause, "approved-clause-missing",
                         f"approved clause '{approval.clause}' was deleted from the library; restore it or "
                         "retire it with `mspdocs clauses retire`")

    def _first_changed_line(self, clause: Clause, approval: approval_store.Approval) -> int | None:
        before = approval_store.approved_text(self.folder, approval.sha256)
        if before is None:
            return clause.lines.get("version")
        after = read_text(clause.path).splitlines()
        matcher = difflib.SequenceMatcher(None, before.splitlines(), after, autojunk=False)
        return next((j1 + 1 for tag, _, _, j1, _ in matcher.get_opcodes() if tag != "equal"), None)

    def templates(self) -> None:
        from ..render.docxrender import DocumentTemplate

        folder = self.workspace.path("templates")
        by_template = {kind.template: name for name, kind in KINDS.items()}
        for path in sorted(folder.glob("*.docx")) if folder.is_dir() else []:
            kind = by_template.get(path.name)
            known = set(self.contexts[kind]) if kind else set().union(*map(set, self.contexts.values()))
            try:
                used = DocumentTemplate(path).undeclared_variables()
            except Exception as exc:  # noqa: BLE001 - any failure to read a template is a finding
                self.add(path, None, None, "invalid-template", f"cannot read template: {exc}")
                continue
            for name in sorted(set(used) - known - {"sections"}):
                self.add(path, None, None, "template-unknown-variable",
                         f"uses '{name}', which no document context provides")


def find_cycles(edges: dict[str, list[str]]) -> list[list[str]]:
    """Every elementary cycle reachable by depth-first search (each found once per entry point).

    Iterative, so a chain of thousands of clauses cannot exhaust Python's recursion limit.
    """
    cycles, done = [], set()
    for start in sorted(edges):
        if start in done:
            continue
        trail: list[str] = [start]
        on_trail = {start}
        stack = [iter(edges[start])]
        while stack:
            target = next(stack[-1], None)
            if target is None:
                stack.pop()
                node = trail.pop()
                on_trail.discard(node)
                done.add(node)
            elif target in on_trail:
                cycles.append(trail[trail.index(target):])
            elif target not in done and target in edges:
                trail.append(target)
                on_trail.add(target)
                stack.append(iter(edges[target]))
    return cycles


def lint(workspace: str | Path | None = None) -> list[Finding]:
    """All findings for the workspace's clause library and templates (an empty list when clean)."""
    linter = _Linter(open_workspace(workspace))  # nothing is rendered: the sandbox's bounds keep parsing cheap
    linter.read()
    for clause in linter.clauses.values():
        linter.body(clause)
        linter.metadata(clause)
    linter.graph()
    try:
        approvals = approval_store.load_approvals(linter.folder)
    except MspdocsError as exc:
        linter.add(exc.path or linter.folder, exc.line, None, "invalid-approvals", exc.message)
        approvals = {}
    linter.approval(approvals)
    linter.templates()
    return sorted(linter.findings, key=lambda f: (f.file, f.line or 0, f.code, f.message))
