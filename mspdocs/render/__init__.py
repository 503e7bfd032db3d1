"""Turning data and clauses into documents: the strict Jinja environment, Word rendering, the gate, PDFs."""
