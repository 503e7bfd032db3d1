"""Word templates rendered with docxtpl through the strict environment, loaded and compiled once."""

from __future__ import annotations

import hashlib
import io
from functools import cached_property
from pathlib import Path
from typing import Any

from jinja2 import TemplateError

from .environment import environment
from .errors import InputError, MspdocsError, RenderError


class DocumentTemplate:
    """One .docx template of a workspace; `render` gives the bytes of a finished document."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"cannot read template: {exc.strerror}", path=path) from None
        self.sha256 = hashlib.sha256(self.data).hexdigest()
        self._patched: dict[str, str] = {}

    @cached_property
    def _template_class(self):
        from docxtpl import DocxTemplate

        patched = self._patched

        class _Template(DocxTemplate):
            # docxtpl's clean-up of the raw XML is a pure function of it: do it once per part.
            def patch_xml(self, src_xml: str) -> str:
                if src_xml not in patched:
                    patched[src_xml] = super().patch_xml(src_xml)
                return patched[src_xml]

            # Listing expansion only acts on tab, newline, bell and form-feed characters; skip the
            # whole-document regex pass when there are none (the usual case).
            def resolve_listing(self, xml: str) -> str:
                if not any(char in xml for char in "\t\n\a\f"):
                    return xml
                return super().resolve_listing(xml)

        return _Template

    def undeclared_variables(self) -> set[str]:
        """Top-level names the template uses (for lint)."""
        return self._template_class(io.BytesIO(self.data)).get_undeclared_template_variables(environment())

    def render(self, context: dict[str, Any], properties: dict[str, str]) -> bytes:
        document = self._template_class(io.BytesIO(self.data))
        try:
            document.render(context, jinja_env=environment(), autoescape=False)
        except (TemplateError, MspdocsError) as exc:
            message = getattr(exc, "message", None) or str(exc)
            raise RenderError(f"template cannot be rendered: {message}", path=self.path) from None
        core = document.docx.core_properties
        for name, value in properties.items():
            # Word's core properties hold at most 255 characters; the document text keeps the whole value.
            setattr(core, name, value if len(value) <= 255 else value[:254] + "…")
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()
