"""Choosing, numbering and rendering the clauses of one document for one customer."""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any

from jinja2 import TemplateError, TemplateSyntaxError
from markupsafe import Markup

from ..errors import InputError, MspdocsError, RenderError
from ..workspace.clauses import CATEGORIES, Clause, Library
from . import wordml
from .environment import compile_condition, compile_template, end_sentences


@dataclass(frozen=True)
class PlacedClause:
    """A clause chosen for a document, with its section number (`3.2`)."""

    clause: Clause
    number: str


@dataclass(frozen=True)
class Assembly:
    """The rendered clause sections of one document and exactly which clause texts made them."""

    placed: tuple[PlacedClause, ...]
    xml: Markup
    text: str
    deciding: tuple[Clause, ...] = ()


def condition_holds(clause: Clause, context: dict[str, Any]) -> bool:
    if not clause.condition:
        return True
    try:
        expression = compile_condition(clause.condition)
    except (RecursionError, MemoryError) as exc:
        raise InputError(f"condition cannot be compiled: {_message(exc)}", path=clause.path,
                         line=clause.lines.get("condition"), field="condition", clause=clause.id) from None
    except TemplateSyntaxError as exc:
        raise InputError(f"condition is not a valid expression: {exc.message}", path=clause.path,
                         line=clause.lines.get("condition"), field="condition", clause=clause.id) from None
    try:
        return bool(expression(**context))
    except Exception as exc:  # noqa: BLE001 - any failure of counsel's text is reported, with its place
        raise RenderError(f"condition '{clause.condition}' cannot be decided: {_message(exc)}",
                          path=clause.path, line=clause.lines.get("condition"), field="condition",
                          clause=clause.id) from None


def _message(exc: Exception) -> str:
    if isinstance(exc, (TemplateError, MspdocsError)):
        return getattr(exc, "message", None) or str(exc)
    if isinstance(exc, MemoryError):
        return "it needs more memory than the limit allows (limits.render_memory_mb in mspdocs.toml)"
    if isinstance(exc, RecursionError):
        return "its text is nested too deeply"
    return f"{type(exc).__name__}: {exc}"  # e.g. a division by zero written in the clause


def _sort_key(clause: Clause) -> tuple[int, int, str]:
    return (list(CATEGORIES).index(clause.category), clause.order, clause.id)


def select_clauses(library: Library, kind: str, context: dict[str, Any]) -> list[Clause]:
    """The clauses a document of `kind` carries for this context, alternates resolved, in order."""
    standing_in = library.alternate_ids(kind)
    chosen = []
    for clause in sorted(library.primaries(kind), key=_sort_key):
        if clause.id in standing_in:
            continue
        replacement = next(
            (library[alt] for alt in clause.alternates
             if library[alt].status != "retired" and condition_holds(library[alt], context)),
            None,
        )
        if replacement is not None:
            chosen.append(replacement)
        elif condition_holds(clause, context):
            chosen.append(clause)
    return chosen


def deciding_clauses(library: Library, kind: str) -> list[Clause]:
    """Clauses that decide which text stands in a document of `kind` even when not placed themselves:
    those with alternates. Their approval matters as much as that of the clauses placed."""
    return [clause for clause in library.primaries(kind) if clause.alternates]


def evaluated_clauses(library: Library, kind: str) -> list[Clause]:
    """Every clause whose text (condition or body) assembling a document of `kind` may run, in order.

    Whether a clause is placed depends on its condition, which is its own text: so all of these must be
    approved before any document of the kind is assembled, placed in the end or not.
    """
    standing_in = library.alternate_ids(kind)
    found: dict[str, Clause] = {}
    for clause in sorted(library.primaries(kind), key=_sort_key):
        if clause.id in standing_in:
            continue
        for alt in clause.alternates:
            if alt in library.clauses and library[alt].status != "retired":
                found.setdefault(alt, library[alt])
        found.setdefault(clause.id, clause)
    return list(found.values())


def number_clauses(clauses: list[Clause]) -> list[PlacedClause]:
    """Sections by category (1, 2, …), clauses within them (1.1, 1.2, …); empty categories are skipped."""
    placed, section, previous, item = [], 0, None, 0
    for clause in sorted(clauses, key=_sort_key):
        if clause.category != previous:
            section, previous, item = section + 1, clause.category, 0
        item += 1
        placed.append(PlacedClause(clause, f"{section}.{item}"))
    return placed


def _template_line(exc: BaseException, clause: Clause) -> int | None:
    """The clause-file line of a runtime error inside its body, from the template frame."""
    lineno = getattr(exc, "lineno", None)
    if lineno is None:
        frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == "<template>"]
        lineno = frames[-1].lineno if frames else None
    return clause.body_line + lineno - 1 if lineno else None


def render_body(clause: Clause, context: dict[str, Any]) -> str:
    """The clause body rendered for this context; every failure names the clause and its line."""
    try:
        template = compile_template(clause.body)
    except TemplateSyntaxError as exc:
        raise InputError(f"template syntax error: {exc.message}", path=clause.path,
                         line=_template_line(exc, clause), clause=clause.id) from None
    except (RecursionError, MemoryError) as exc:
        raise InputError(f"template cannot be compiled: {_message(exc)}", path=clause.path,
                         clause=clause.id) from None
    try:
        return end_sentences(template.render(context))
    except Exception as exc:  # noqa: BLE001 - any failure of counsel's text is reported, with its place
        raise RenderError(f"clause '{clause.id}' cannot be rendered: {_message(exc)}", path=clause.path,
                          line=_template_line(exc, clause), clause=clause.id) from None


def make_ref(placed: list[PlacedClause], quoted: dict[str, tuple[str, str]] | None = None):
    """`ref(id)`: the section of a clause in this document, or in the agreement a letter quotes."""
    numbers = {item.clause.id: item.number for item in placed}
    suffix = ""
    if quoted is not None:
        numbers, suffix = {cid: section for cid, (_, section) in quoted.items()}, " of the Agreement"

    def ref(clause_id: str) -> str:
        if clause_id not in numbers:
            raise RenderError(f"refers to clause '{clause_id}', which is not part of this document")
        return f"Section {numbers[clause_id]}{suffix}"

    return ref


def in_agreement(clauses: list[Clause], quoted: dict[str, tuple[str, str]]) -> list[Clause]:
    """Of the agreement's clauses, only those the customer's agreement carries with this very text: a
    letter never quotes a clause that is not in that agreement. The letter's own clauses stay."""
    return [clause for clause in clauses if "agreement" not in clause.documents
            or quoted.get(clause.id, ("", ""))[0] == clause.text_hash]


# Letters and notices read as letters: their clause headings carry no section numbers.
NUMBERED_KINDS = frozenset({"agreement", "baa"})


def plan(library: Library, kind: str, context: dict[str, Any],
         quoted: dict[str, tuple[str, str]] | None = None) -> list[PlacedClause]:
    """The clauses of one document, chosen (conditions decided) and numbered; no body is rendered yet.

    `quoted` (clause id -> text hash and section) is the agreement a letter quotes: only its clauses
    appear, each titled with its section there.
    """
    chosen = select_clauses(library, kind, context)
    if quoted is not None:
        chosen = in_agreement(chosen, quoted)
    return number_clauses(chosen)


def assemble(library: Library, kind: str, context: dict[str, Any],
             placed: list[PlacedClause] | None = None,
             quoted: dict[str, tuple[str, str]] | None = None) -> Assembly:
    """Select, number and render the clauses of one document into WordprocessingML paragraphs.

    `placed`, when given, is the plan already made (and checked) for this context; `quoted` as for `plan`.
    """
    placed = plan(library, kind, context, quoted) if placed is None else placed
    numbered = kind in NUMBERED_KINDS
    render_context = dict(context, ref=make_ref(placed, quoted))
    parts, text, previous = [], [], None
    for item in placed:
        section = item.number.split(".")[0]
        first = item.clause.category != previous  # its heading sits right under the section's
        if first:
            previous = item.clause.category
            title = CATEGORIES[previous]
            parts.append(wordml.heading("Heading1", f"{section}.", title) if numbered
                         else wordml.paragraph("Heading1", wordml.run(title), keep_next=True))
            text.append(f"{section}. {title}" if numbered else title)
        blocks = wordml.parse_blocks(render_body(item.clause, render_context))
        title = wordml.typographic_quotes(item.clause.title)
        cited_as = item.number if numbered else None  # the number its paragraphs are cited by
        if quoted is not None and item.clause.id in quoted:
            cited_as = quoted[item.clause.id][1]  # a quoted clause keeps the agreement's numbers
            title += f" (Agreement, Section {cited_as})"
        # Both keep with what follows; a tight second heading also keeps LibreOffice from leaving the first
        # alone at the foot of a page when the two only just fit.
        parts.append(wordml.heading("Heading2", item.number, title, tight=first) if numbered
                     else wordml.paragraph("Heading2", wordml.run(title), keep_next=True, tight=first))
        parts.append(wordml.blocks_xml(blocks, cited_as))
        label = f"{item.number} {title}" if numbered else title
        text.append(f"{label}\n{wordml.plain_text(blocks)}")
    return Assembly(placed=tuple(placed), xml=Markup("".join(parts)), text="\n".join(text),
                    deciding=tuple(deciding_clauses(library, kind)))
