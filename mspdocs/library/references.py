"""Which clauses refer to which: `ref("clause.id")` calls in bodies, and the clauses that depend on one."""

from __future__ import annotations

from jinja2 import TemplateSyntaxError, nodes

from ..render.environment import environment
from ..workspace.clauses import Clause, Library


def references(tree: nodes.Node) -> list[tuple[str, int]]:
    """(clause id, line) of every `ref("...")` in a body."""
    return [(call.args[0].value, call.lineno) for call in tree.find_all(nodes.Call)
            if isinstance(call.node, nodes.Name) and call.node.name == "ref" and call.args
            and isinstance(call.args[0], nodes.Const) and isinstance(call.args[0].value, str)]


def dependents(library: Library, clause_id: str) -> list[tuple[Clause, int | None, str]]:
    """(clause, line, how) for each clause in use that refers to `clause_id` or lists it in `alternates`."""
    found = []
    for clause in library:
        if clause.id == clause_id or clause.status == "retired":
            continue
        if clause_id in clause.alternates:
            found.append((clause, clause.lines.get("alternates"), "lists it in `alternates`"))
        try:
            tree = environment().parse(clause.body)
        except (TemplateSyntaxError, RecursionError):
            continue  # lint reports the syntax; whatever the body says cannot render anyway
        found += [(clause, clause.body_line + line - 1, f'refers to it with ref("{clause_id}")')
                  for target, line in references(tree) if target == clause_id]
    return found
