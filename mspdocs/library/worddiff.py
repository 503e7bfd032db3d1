"""Word-by-word differences between an approved clause and its current text, for people to read."""

from __future__ import annotations

import difflib
import re

from ..workspace.clauses import Clause

_TOKEN = re.compile(r"\n|[^\S\n]+|[^\s]+")
# Metadata that changes a document, compared alongside the body.
META_FIELDS = ("title", "category", "order", "version", "documents", "condition", "alternates")


def tokens(text: str) -> list[str]:
    """Words, runs of spaces and single line breaks, so joining them gives back the text exactly."""
    return _TOKEN.findall(text)


def word_ops(old: str, new: str) -> list[tuple[str, str]]:
    """(`equal`|`delete`|`insert`, text) pieces that turn `old` into `new`."""
    before, after = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    ops: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            ops.append(("equal", "".join(before[i1:i2])))
            continue
        if i2 > i1:
            ops.append(("delete", "".join(before[i1:i2])))
        if j2 > j1:
            ops.append(("insert", "".join(after[j1:j2])))
    return ops


def marked(ops: list[tuple[str, str]]) -> str:
    """The ops as text: `[-deleted-]` and `{+inserted+}`."""
    parts = []
    for tag, text in ops:
        if tag == "delete":
            parts.append(f"[-{text}-]")
        elif tag == "insert":
            parts.append(f"{{+{text}+}}")
        else:
            parts.append(text)
    return "".join(parts)


def meta_value(clause: Clause, name: str) -> str:
    value = getattr(clause, name)
    if isinstance(value, tuple):
        return ", ".join(value)
    return "" if value is None else str(value)


def meta_changes(approved: Clause, current: Clause) -> dict[str, tuple[str, str]]:
    """Metadata fields whose value differs: name -> (approved, current)."""
    changes = {}
    for name in META_FIELDS:
        before, after = meta_value(approved, name), meta_value(current, name)
        if before != after:
            changes[name] = (before, after)
    return changes
