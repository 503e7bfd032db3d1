"""Assemble one .docx template: house styles, Letter page, body, header, footer, reproducible metadata."""

from __future__ import annotations

import datetime as _dt
import os
from pathlib import Path

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Inches

from .blocks import footer_xml, header_xml
from .style import install_numbering, install_styles
from .wordml import el

_APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    b"<Application>mspdocs</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
    b"<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    b"<HyperlinksChanged>false</HyperlinksChanged></Properties>"
)


def build(path: Path, body_xml: list[str], title: str) -> Path:
    """Write a template whose body is ``body_xml`` and whose footer and metadata carry ``title``."""
    doc = Document()
    install_styles(doc)
    install_numbering(doc)

    sec = doc.sections[0]
    sec.page_width, sec.page_height = Inches(8.5), Inches(11)
    sec.left_margin = sec.right_margin = sec.top_margin = sec.bottom_margin = Inches(1)
    sec.header_distance = sec.footer_distance = Inches(0.5)

    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    sect_pr = body.find(qn("w:sectPr"))
    for xml in body_xml:
        sect_pr.addprevious(el(xml))

    for part, xml in ((sec.header, header_xml()), (sec.footer, footer_xml(title))):
        root = part._element
        for child in list(root):
            root.remove(child)
        root.append(el(xml))

    clean_package(doc, title)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def clean_package(doc, title: str) -> None:
    """Drop python-docx default-template leftovers (thumbnail, customXml, Mac-Word metadata)."""
    pkg = doc.part.package
    for rid, rel in list(pkg.rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del pkg.rels[rid]
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            rel.target_part._blob = _APP_XML
    for rid, rel in list(doc.part.rels.items()):
        if rel.reltype in (RT.CUSTOM_XML, RT.WEB_SETTINGS) or rel.reltype.endswith("/stylesWithEffects"):
            del doc.part.rels[rid]
    settings = doc.settings.element
    for tag in ("w:rsids", "w:proofState", "w:savePreviewPicture", "w14:docId", "w:attachedTemplate",
                "w:useFELayout"):
        for node in list(settings.iter(qn(tag))):
            node.getparent().remove(node)
    for node in settings.iter(qn("w:compatSetting")):
        if node.get(qn("w:name")) == "compatibilityMode":
            node.set(qn("w:val"), "15")
    _set_core_properties(doc, title)


def _set_core_properties(doc, title: str) -> None:
    """Title only, no author; created/modified from SOURCE_DATE_EPOCH when set, for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    stamp = (_dt.datetime.fromtimestamp(int(epoch), _dt.UTC) if epoch
             else _dt.datetime.now(_dt.UTC)).replace(microsecond=0, tzinfo=None)
    cp = doc.core_properties
    cp.title = title
    cp.author = ""
    cp.last_modified_by = ""
    cp.comments = ""
    cp.subject = ""
    cp.keywords = ""
    cp.category = ""
    cp.revision = 1
    cp.created = stamp
    cp.modified = stamp
