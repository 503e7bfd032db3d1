"""Word templates rendered with docxtpl through the strict environment, loaded and compiled once."""

from __future__ import annotations

import datetime as dt

import hashlib
import io
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import RenderError
from ..workspace.files import TEMPLATE_LIMIT, read_bytes
from .environment import end_sentences, environment
from .package import check_word_package


class DocumentTemplate:
    """One .docx template of a workspace; `render` gives the bytes of a finished document."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = read_bytes(path, TEMPLATE_LIMIT)
        check_word_package(self.data, path)
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

            # Document properties are set from data by mspdocs, never rendered: a tag left in them is
            # caught by the check after rendering instead of being filled with escaped text.
            def render_properties(self, context, jinja_env=None) -> None:
                return None

            # A full stop after a value that ends with one ("P.A.") is not printed twice.
            def render_xml_part(self, src_xml, part, context, jinja_env=None) -> str:
                return end_sentences(super().render_xml_part(src_xml, part, context, jinja_env))

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

    def render(self, context: dict[str, Any], properties: dict[str, str],
               custom_properties: dict[str, str] | None = None) -> bytes:
        document = self._template_class(io.BytesIO(self.data))
        try:
            document.render(context, jinja_env=environment(), autoescape=False)
        except Exception as exc:  # noqa: BLE001 - any failure of the template is reported, naming it
            message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
            raise RenderError(f"template cannot be rendered: {message}", path=self.path) from None
        core = document.docx.core_properties
        # The document was made now, not when its template was drawn (Word shows these as its dates).
        generated = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)
        core.created = core.modified = generated
        core.last_modified_by = properties.get("author", core.last_modified_by)
        for name, value in properties.items():
            # Word's core properties hold at most 255 characters; the document text keeps the whole value.
            setattr(core, name, value if len(value) <= 255 else value[:254] + "…")
        if custom_properties:
            set_custom_properties(document.docx.part.package, custom_properties)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()


_CUSTOM_URI = "/docProps/custom.xml"
_CUSTOM_CT = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_CUSTOM_RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties"
_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the one format id Office uses for user properties


def set_custom_properties(package, values: dict[str, str]) -> None:
    """Set text custom properties (docProps/custom.xml), keeping any others the template has."""
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part
    from lxml import etree

    existing = next((rel.target_part for rel in package.rels.values()
                     if rel.reltype == _CUSTOM_RT and not rel.is_external), None)
    root = (etree.fromstring(existing.blob) if existing is not None
            else etree.Element(f"{{{_CUSTOM_NS}}}Properties", nsmap={None: _CUSTOM_NS, "vt": _VT_NS}))
    for node in list(root):
        if node.get("name") in values:
            root.remove(node)
    next_pid = max([int(node.get("pid", "1")) for node in root] + [1]) + 1
    for offset, (name, value) in enumerate(values.items()):
        prop = etree.SubElement(root, f"{{{_CUSTOM_NS}}}property", fmtid=_CUSTOM_FMTID,
                                pid=str(next_pid + offset), name=name)
        etree.SubElement(prop, f"{{{_VT_NS}}}lpwstr").text = value
    blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    if existing is not None:
        existing._blob = blob
    else:
        package.relate_to(Part(PackURI(_CUSTOM_URI), _CUSTOM_CT, blob, package), _CUSTOM_RT)


def custom_properties(data: bytes) -> dict[str, str]:
    """The text custom properties of a .docx (empty when it has none)."""
    import zipfile

    from lxml import etree

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if "docProps/custom.xml" not in archive.namelist():
            return {}
        root = etree.fromstring(archive.read("docProps/custom.xml"))
    return {node.get("name"): "".join(node.itertext()) for node in root}

