"""Counsel's clause library: approvals bound to the text, lint, references, the clause book, word diffs."""
