"""Build the default Word templates (agreement, risk letter, insurance notice; docxtpl tags) with python-docx."""

from __future__ import annotations

import datetime as _dt
import os
import re
import sys
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Inches

W_NS = nsdecls("w")

# --- Design constants -------------------------------------------------------
BODY_FONT = "Calibri"  # LibreOffice substitutes metric-compatible Carlito
HEAD_FONT = "Cambria"  # LibreOffice substitutes metric-compatible Caladea
INK = "1A1A1A"
NAVY = "1F3864"
GREY = "595959"
RULE = "8C8C8C"
GRID = "A6A6A6"
HEADER_FILL = "E4EAF2"
DRAFT_RED = "C00000"

TEXT_WIDTH = 9360  # 6.5in in twips (Letter, 1in margins)
SCOPE_COLS = (2880, 1440, 5040)  # 2.0in, 1.0in, 3.5in
FEES_COLS = (7200, 2160)  # 5.0in, 1.5in
SIGN_COLS = (4680, 4680)  # 3.25in each

DOT = "\u00b7"
DASH = "\u2014"


# --- Small XML helpers ----------------------------------------------------------
def _el(xml: str):
    """Parse one WordprocessingML element written without namespace declarations."""
    return parse_xml(re.sub(r"^<([\w:]+)", lambda m: f"<{m.group(1)} {W_NS}", xml, count=1))


def _rpr(bold=False, italic=False, color=None, size=None, font=None, caps=False) -> str:
    parts = []
    if font:
        parts.append(f'<w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:cs="{font}"/>')
    if bold:
        parts.append("<w:b/><w:bCs/>")
    if italic:
        parts.append("<w:i/><w:iCs/>")
    if caps:
        parts.append("<w:caps/>")
    if color:
        parts.append(f'<w:color w:val="{color}"/>')
    if size:
        parts.append(f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>')
    return f"<w:rPr>{''.join(parts)}</w:rPr>" if parts else ""


def _run(text: str, **fmt) -> str:
    """One run; a Jinja tag passed as ``text`` stays whole inside this single run."""
    return f'<w:r>{_rpr(**fmt)}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _tab(**fmt) -> str:
    return f"<w:r>{_rpr(**fmt)}<w:tab/></w:r>"


def _field(instr: str, placeholder: str = "1", **fmt) -> str:
    rpr = _rpr(**fmt)
    return (
        f'<w:r>{rpr}<w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r>{rpr}<w:instrText xml:space="preserve"> {instr} </w:instrText></w:r>'
        f'<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>'
        f"<w:r>{rpr}<w:t>{placeholder}</w:t></w:r>"
        f'<w:r>{rpr}<w:fldChar w:fldCharType="end"/></w:r>'
    )


def _p(style: str, runs: str = "", ppr: str = "") -> str:
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{ppr}</w:pPr>{runs}</w:p>'


def _address(who: str) -> str:
    a = f"{who}.address"
    return (
        f"{{{{ {a}.street }}}}, {{{{ {a}.city }}}}, {{{{ {a}.region }}}} "
        f"{{{{ {a}.postal_code }}}}, {{{{ {a}.country }}}}"
    )


# --- Styles -----------------------------------------------------------------
def _pstyle(sid, name, body, based="Normal", nxt=None, qformat=True, ui=None) -> str:
    return (
        '<w:style w:type="paragraph"' + ("" if sid in _BUILTIN else ' w:customStyle="1"')
        + f' w:styleId="{sid}"><w:name w:val="{name}"/>'
        + (f'<w:basedOn w:val="{based}"/>' if based else "")
        + (f'<w:next w:val="{nxt}"/>' if nxt else "")
        + (f'<w:uiPriority w:val="{ui}"/>' if ui is not None else "")
        + ("<w:qFormat/>" if qformat else "")
        + body
        + "</w:style>"
    )


_BUILTIN = {"Normal", "Title", "Subtitle", "Heading1", "Heading2", "BodyText", "ListBullet",
            "Header", "Footer"}

_BORDER = '<w:{side} w:val="single" w:sz="4" w:space="0" w:color="' + GRID + '"/>'
_NOBORDER = '<w:{side} w:val="nil"/>'


def _borders(tpl: str, tag: str = "tblBorders") -> str:
    sides = ("top", "left", "bottom", "right", "insideH", "insideV")
    return f"<w:{tag}>" + "".join(tpl.format(side=s) for s in sides) + f"</w:{tag}>"


def _styles_xml() -> list[str]:
    head = f'<w:rFonts w:ascii="{HEAD_FONT}" w:hAnsi="{HEAD_FONT}" w:cs="{HEAD_FONT}"/>'
    return [
        # document defaults: Calibri 10.5pt, US English, single spacing
        '<w:docDefaults><w:rPrDefault><w:rPr>'
        f'<w:rFonts w:ascii="{BODY_FONT}" w:eastAsia="{BODY_FONT}" w:hAnsi="{BODY_FONT}" w:cs="{BODY_FONT}"/>'
        '<w:sz w:val="21"/><w:szCs w:val="21"/><w:lang w:val="en-US" w:eastAsia="en-US" w:bidi="ar-SA"/>'
        '</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr>'
        '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>',
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/>'
        f'<w:pPr><w:widowControl/></w:pPr><w:rPr><w:color w:val="{INK}"/></w:rPr></w:style>',
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
        '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>'
        '<w:unhideWhenUsed/></w:style>',
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
        '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>',
        '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/></w:style>',
        # document title and the agreement number line under it
        _pstyle("Title", "Title", '<w:pPr><w:keepNext/><w:spacing w:before="240" w:after="60"/><w:jc w:val="center"/>'
                f'</w:pPr><w:rPr>{head}<w:b/><w:bCs/><w:color w:val="{NAVY}"/><w:kern w:val="28"/>'
                '<w:sz w:val="36"/><w:szCs w:val="36"/></w:rPr>', nxt="Subtitle", ui=10),
        _pstyle("Subtitle", "Subtitle", '<w:pPr><w:keepNext/><w:spacing w:after="360"/><w:jc w:val="center"/></w:pPr>'
                f'<w:rPr><w:color w:val="{GREY}"/><w:sz w:val="19"/><w:szCs w:val="19"/></w:rPr>',
                nxt="BodyText", ui=11),
        # section and clause headings (numbers are part of the text, not auto-numbered)
        _pstyle("Heading1", "heading 1", '<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="80"/>'
                f'<w:outlineLvl w:val="0"/></w:pPr><w:rPr>{head}<w:b/><w:bCs/><w:color w:val="{NAVY}"/>'
                '<w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr>', nxt="BodyText", ui=9),
        _pstyle("Heading2", "heading 2", '<w:pPr><w:keepNext/><w:keepLines/><w:spacing w:before="160" w:after="60"/>'
                f'<w:outlineLvl w:val="1"/></w:pPr><w:rPr>{head}<w:b/><w:bCs/>'
                '<w:sz w:val="21"/><w:szCs w:val="21"/></w:rPr>', nxt="BodyText", ui=9),
        _pstyle("BodyText", "Body Text", '<w:pPr><w:spacing w:after="120" w:line="264" w:lineRule="auto"/>'
                '<w:jc w:val="both"/></w:pPr>', ui=99),
        _pstyle("ListBullet", "List Bullet", '<w:pPr><w:numPr><w:numId w:val="1"/></w:numPr>'
                '<w:spacing w:after="60"/><w:ind w:left="504" w:hanging="288"/></w:pPr>',
                based="BodyText", ui=99),
        _pstyle("ClauseList", "Clause List", '<w:pPr><w:tabs><w:tab w:val="left" w:pos="864"/></w:tabs>'
                '<w:spacing w:after="60"/><w:ind w:left="864" w:hanging="432"/></w:pPr>', based="BodyText"),
        # running header / footer
        _pstyle("Header", "header", f'<w:pPr><w:tabs><w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs></w:pPr>'
                f'<w:rPr><w:color w:val="{GREY}"/><w:sz w:val="17"/><w:szCs w:val="17"/></w:rPr>',
                qformat=False, ui=99),
        _pstyle("Footer", "footer", f'<w:pPr><w:pBdr><w:top w:val="single" w:sz="4" w:space="4" w:color="{RULE}"/>'
                f'</w:pBdr><w:tabs><w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs></w:pPr>'
                f'<w:rPr><w:color w:val="{GREY}"/><w:sz w:val="16"/><w:szCs w:val="16"/></w:rPr>',
                qformat=False, ui=99),
        # first-page letterhead
        _pstyle("LetterheadName", "Letterhead Name", '<w:pPr><w:keepNext/><w:spacing w:after="20"/></w:pPr>'
                f'<w:rPr>{head}<w:b/><w:bCs/><w:color w:val="{NAVY}"/><w:sz w:val="28"/><w:szCs w:val="28"/></w:rPr>'),
        _pstyle("LetterheadDetail", "Letterhead Detail", '<w:pPr><w:keepNext/></w:pPr>'
                f'<w:rPr><w:color w:val="{GREY}"/><w:sz w:val="18"/><w:szCs w:val="18"/></w:rPr>'),
        # table contents
        _pstyle("TableText", "Table Text", '<w:pPr><w:spacing w:before="20" w:after="20"/></w:pPr>'
                '<w:rPr><w:sz w:val="19"/><w:szCs w:val="19"/></w:rPr>'),
        _pstyle("TableHeading", "Table Heading", '<w:pPr><w:keepNext/><w:spacing w:before="20" w:after="20"/></w:pPr>'
                f'<w:rPr><w:b/><w:bCs/><w:color w:val="{NAVY}"/><w:sz w:val="19"/><w:szCs w:val="19"/></w:rPr>',
                based="TableText"),
        _pstyle("SignatureBlock", "Signature Block", '<w:pPr><w:keepNext/><w:keepLines/>'
                '<w:spacing w:before="100" w:after="0"/></w:pPr>'),
        # table styles
        '<w:style w:type="table" w:customStyle="1" w:styleId="ScheduleTable"><w:name w:val="Schedule Table"/>'
        '<w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/><w:pPr><w:spacing w:after="0"/></w:pPr>'
        '<w:tblPr>' + _borders(_BORDER) + '<w:tblCellMar><w:top w:w="43" w:type="dxa"/>'
        '<w:left w:w="86" w:type="dxa"/><w:bottom w:w="43" w:type="dxa"/><w:right w:w="86" w:type="dxa"/>'
        '</w:tblCellMar></w:tblPr>'
        '<w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:bCs/></w:rPr><w:tblPr/><w:trPr><w:tblHeader/></w:trPr>'
        f'<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/></w:tcPr></w:tblStylePr></w:style>',
        '<w:style w:type="table" w:customStyle="1" w:styleId="PlainTable"><w:name w:val="Plain Table"/>'
        '<w:basedOn w:val="TableNormal"/><w:uiPriority w:val="59"/><w:pPr><w:spacing w:after="0"/></w:pPr>'
        '<w:tblPr>' + _borders(_NOBORDER) + '<w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
        '<w:left w:w="0" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/><w:right w:w="288" w:type="dxa"/>'
        '</w:tblCellMar></w:tblPr></w:style>',
    ]


def _install_styles(doc) -> None:
    root = doc.styles.element
    for child in list(root):
        root.remove(child)
    for xml in _styles_xml():
        root.append(_el(xml))


def _install_numbering(doc) -> None:
    root = doc.part.numbering_part.element
    for child in list(root):
        root.remove(child)
    levels = (("\u2022", 504, BODY_FONT), ("\u2013", 864, BODY_FONT), ("\u25aa", 1224, BODY_FONT))
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
        + ('<w:pStyle w:val="ListBullet"/>' if i == 0 else "")
        + f'<w:lvlText w:val="{txt}"/><w:lvlJc w:val="left"/>'
        f'<w:pPr><w:ind w:left="{left}" w:hanging="288"/></w:pPr>'
        f'<w:rPr><w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:cs="{font}" w:hint="default"/></w:rPr></w:lvl>'
        for i, (txt, left, font) in enumerate(levels)
    )
    root.append(_el('<w:abstractNum w:abstractNumId="0"><w:nsid w:val="5B3A1C01"/>'
                    f'<w:multiLevelType w:val="hybridMultilevel"/>{lvls}</w:abstractNum>'))
    root.append(_el('<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'))


# --- Package hygiene ------------------------------------------------------------
_APP_XML = (
    b"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
    b'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
    b"<Application>mspdocs</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
    b"<LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
    b"<HyperlinksChanged>false</HyperlinksChanged></Properties>"
)


def _clean_package(doc, title: str = "Master Services Agreement") -> None:
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
        for el in list(settings.iter(qn(tag))):
            el.getparent().remove(el)
    for el in settings.iter(qn("w:compatSetting")):
        if el.get(qn("w:name")) == "compatibilityMode":
            el.set(qn("w:val"), "15")

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


# --- Tables -----------------------------------------------------------------
def _cell(width: int, paras: str, fill: str | None = None) -> str:
    shd = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shd}</w:tcPr>{paras}</w:tc>'


def _row(cells: str, header: bool = False) -> str:
    trpr = "<w:cantSplit/>" + ("<w:tblHeader/>" if header else "")
    return f"<w:tr><w:trPr>{trpr}</w:trPr>{cells}</w:tr>"


def _table(style: str, widths, rows: str, look: str = "04A0") -> str:
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    return (
        f'<w:tbl><w:tblPr><w:tblStyle w:val="{style}"/><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        '<w:tblLayout w:type="fixed"/>'
        f'<w:tblLook w:val="{look}" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
        'w:noHBand="1" w:noVBand="1"/></w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{rows}</w:tbl>"
    )


def _loop_table(widths, headers, fields, loop: str, right_cols=(), keep_together=False) -> str:
    """Header row, then docxtpl row tags: {%tr for %} row, data row, {%tr endfor %} row.

    `keep_together` keeps every row on the page of the next, for short tables that read as one block.
    """
    def jc(i):
        return ('<w:jc w:val="right"/>' if i in right_cols else "") + ("<w:keepNext/>" if keep_together else "")

    head = "".join(_cell(w, _p("TableHeading", _run(h), jc(i)), HEADER_FILL)
                   for i, (w, h) in enumerate(zip(widths, headers)))
    empty = [_cell(w, _p("TableText")) for w in widths[1:]]
    open_row = _cell(widths[0], _p("TableText", _run(f"{{%tr for row in {loop} %}}"))) + "".join(empty)
    data = "".join(_cell(w, _p("TableText", _run(f"{{{{ row.{f} }}}}"), jc(i)))
                   for i, (w, f) in enumerate(zip(widths, fields)))
    close_row = _cell(widths[0], _p("TableText", _run("{%tr endfor %}"))) + "".join(empty)
    return _table("ScheduleTable", widths,
                  _row(head, header=True) + _row(open_row) + _row(data) + _row(close_row))


def _signature_table(msp_role: str = "For", customer_role: str = "For") -> str:
    def pair(left: str, right: str, ppr: str = "", bold: bool = False) -> str:
        return _row(_cell(SIGN_COLS[0], _p("SignatureBlock", _run(left, bold=bold), ppr))
                    + _cell(SIGN_COLS[1], _p("SignatureBlock", _run(right, bold=bold), ppr)))

    line = "Signature: " + "_" * 30
    rows = (
        pair(f"{msp_role} {{{{ msp.legal_name }}}}", f"{customer_role} {{{{ customer.legal_name }}}}", bold=True)
        + pair(line, line, '<w:spacing w:before="600"/>')
        + pair("Name: {{ msp.signatory.name }}", "Name: {{ customer.signatory.name }}")
        + pair("Title: {{ msp.signatory.title }}", "Title: {{ customer.signatory.title }}")
        # last row: no keep-with-next, so the block does not pull the next page along
        + _row(_cell(SIGN_COLS[0], _p("SignatureBlock", _run("Date: " + "_" * 24), "<w:keepNext w:val=\"0\"/>"))
               + _cell(SIGN_COLS[1], _p("SignatureBlock", _run("Date: " + "_" * 24), "<w:keepNext w:val=\"0\"/>")))
    )
    return _table("PlainTable", SIGN_COLS, rows, look="0000")


# --- Document body, header, footer ----------------------------------------------------
def _letterhead() -> list[str]:
    """The MSP's name, address and contact line over a thin rule."""
    return [
        _p("LetterheadName", _run("{{ msp.legal_name }}")),
        _p("LetterheadDetail", _run(_address("msp"))),
        _p("LetterheadDetail", _run("{{ msp.phone }}") + _run(f"  {DOT}  ") + _run("{{ msp.email }}"),
           f'<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="6" w:color="{RULE}"/></w:pBdr>'
           '<w:spacing w:after="240"/>'),
    ]


def _body_xml() -> list[str]:
    bold = {"bold": True}
    return [
        *_letterhead(),  # first page only, in the body
        _p("Title", _run("Master Services Agreement")),
        _p("Subtitle", _run("Agreement No. ") + _run("{{ document.id }}") + _run(f"  {DOT}  Effective ")
           + _run("{{ customer.agreement.effective }}")),
        # parties
        _p("BodyText",
           _run("This Master Services Agreement (the \u201c") + _run("Agreement", **bold)
           + _run("\u201d) is made between ") + _run("{{ msp.legal_name }}", **bold) + _run(", of ")
           + _run(_address("msp")) + _run(" (\u201c") + _run("Provider", **bold) + _run("\u201d), and ")
           + _run("{{ customer.legal_name }}", **bold) + _run(", of ") + _run(_address("customer"))
           + _run(" (\u201c") + _run("Customer", **bold) + _run("\u201d).")),
        _p("BodyText", _run("The Statement of Work in Schedule A is part of this Agreement; "
                            "references to this Agreement include it.")),
        # assembled clause sections (docxtpl replaces this whole paragraph)
        _p("BodyText", _run("{{p sections }}")),
        # Schedule A
        _p("Heading1", _run(f"Schedule A {DASH} Statement of Work"), "<w:pageBreakBefore/>"),
        _p("BodyText", _run("This Statement of Work lists the services Provider delivers under this Agreement "
                            "(Included), the services outside its scope (Excluded), and the services Provider "
                            "recommended that Customer declined (Declined), for which Customer keeps the risk.")),
        _loop_table(SCOPE_COLS, ("Service", "Status", "Notes"), ("service", "status", "notes"), "scope_rows"),
        _p("Heading2", _run("Fees"), '<w:spacing w:before="240"/>'),
        _p("BodyText", _run("Fees under this Statement of Work, in ") + _run("{{ customer.agreement.currency }}")
           + _run(":"), "<w:keepNext/>"),
        _loop_table(FEES_COLS, ("Item", "Amount"), ("item", "amount"), "fees_rows", right_cols=(1,),
                    keep_together=True),
        _p("Heading2", _run("Signatures"), '<w:spacing w:before="360"/>'),
        _p("BodyText", _run("Each party signs this Agreement by its authorized representative."),
           "<w:keepNext/>"),
        _signature_table(),
        # Word requires a paragraph after a final table; keep it 1pt high and invisible.
        _p("Normal", "", '<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
                         '<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr>'),
    ]


def _header_xml() -> str:
    return _p("Header",
              _run("{{ msp.name }}")
              + _run("{% if document.draft %}")
              + _tab()
              + _run(f"DRAFT {DASH} NOT FOR SIGNATURE", bold=True, color=DRAFT_RED, size=18)
              + _run("{% endif %}"))


def _footer_xml(title: str = "Master Services Agreement") -> str:
    return _p("Footer",
              _run("{{ customer.legal_name }}") + _run(f" {DOT} {title} {DOT} ")
              + _run("{{ document.id }}")
              + _run("{% if document.manifest is defined %}") + _run(f" {DOT} Manifest ")
              + _run("{{ document.manifest }}") + _run("{% endif %}") + _tab()
              + _run("Page ") + _field("PAGE") + _run(" of ") + _field("NUMPAGES"))


def build_agreement(path: Path) -> Path:
    return _build(path, _body_xml(), "Master Services Agreement")


def _build(path: Path, body_xml: list[str], title: str) -> Path:
    doc = Document()
    _install_styles(doc)
    _install_numbering(doc)

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
        sect_pr.addprevious(_el(xml))

    for part, xml in ((sec.header, _header_xml()), (sec.footer, _footer_xml(title))):
        root = part._element
        for child in list(root):
            root.remove(child)
        root.append(_el(xml))

    _clean_package(doc, title)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


# --- Letters ----------------------------------------------------------------------
RISK_COLS = (2016, 1440, 3888, 2016)  # 1.4in, 1.0in, 2.7in, 1.4in
FACT_COLS = (2880, 6480)  # 2.0in, 4.5in
CONTROL_COLS = (3888, 5472)  # 2.7in, 3.8in


def _letter_head(title: str) -> list[str]:
    """Letterhead, title, reference line and the addressee block shared by letters and notices."""
    return [
        *_letterhead(),
        _p("Title", _run(title)),
        _p("Subtitle", _run("Reference No. ") + _run("{{ document.id }}") + _run(f"  {DOT}  ")
           + _run("{{ document.date }}")),
        _p("LetterheadDetail", _run("{{ customer.legal_name }}", bold=True)),
        _p("LetterheadDetail", _run(_address("customer"))),
        _p("LetterheadDetail", _run("Attention: ") + _run("{{ customer.signatory.name }}") + _run(", ")
           + _run("{{ customer.signatory.title }}"), '<w:spacing w:after="240"/>'),
        _p("BodyText", _run("Dear ") + _run("{{ customer.signatory.name }}") + _run(",")),
    ]


def _bullets(loop: str, field: str) -> list[str]:
    """A bulleted paragraph per item of `loop` (docxtpl paragraph loop)."""
    return [
        _p("ListBullet", _run(f"{{%p for row in {loop} %}}")),
        _p("ListBullet", _run(f"{{{{ row.{field} }}}}")),
        _p("ListBullet", _run("{%p endfor %}")),
    ]


def _terms_heading(lead: str) -> list[str]:
    return [
        _p("Heading1", _run("Terms that apply")),
        _p("BodyText", _run(lead), "<w:keepNext/>"),
        _p("BodyText", _run("{{p sections }}")),
    ]


def _final_paragraph() -> str:
    return _p("Normal", "", '<w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
                            '<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr>')


def _risk_letter_body() -> list[str]:
    name = "{{ customer.legal_name }}"
    return _letter_head("Risk Acceptance Letter") + [
        _p("BodyText", _run("{{ msp.name }}") + _run(" recommended to ")
           + _run(name) + _run(" the security services listed below, and ") + _run(name)
           + _run(" has decided not to subscribe to them. This letter records that decision, the risks that ")
           + _run(name) + _run(" keeps as a result, and what ") + _run(name)
           + _run(" remains responsible for. Please read it, sign it and return it to us.")),
        _p("Heading1", _run("Declined services")),
        _p("BodyText", _run("Each service below was recommended in writing, with the risk it addresses, "
                            "and offered at our standard prices."), "<w:keepNext/>"),
        _loop_table(RISK_COLS, ("Service", "Recommended on", "Risk kept by the customer",
                                "Insurer control affected"),
                    ("service", "recommended_on", "risk", "insurer"), "declined_rows"),
        _p("Heading1", _run("Cyber insurance"), '<w:spacing w:before="240"/>'),
        _p("BodyText", _run("{%p if insurer_rows %}")),
        _p("BodyText", _run("Cyber insurers commonly require the controls below before they issue or renew a "
                            "policy or pay a claim. Without the declined services, ") + _run(name)
           + _run(" does not have them through us. An insurer may refuse cover, raise the premium or deny a "
                  "claim, and ") + _run(name)
           + _run(" must answer insurance applications about these controls accurately:"), "<w:keepNext/>"),
        *_bullets("insurer_rows", "control"),
        _p("BodyText", _run("{%p else %}")),
        _p("BodyText", _run("None of the declined services provides a control that cyber insurers commonly "
                            "require. ") + _run(name)
           + _run(" must still describe its security controls accurately to its insurer.")),
        _p("BodyText", _run("{%p endif %}")),
        *_terms_heading("The following terms of our agreement with " + name + " apply to these decisions."),
        _p("Heading1", _run("Acknowledgement")),
        _p("BodyText",
           _run("I, ") + _run("{{ customer.signatory.name }}", bold=True) + _run(", ")
           + _run("{{ customer.signatory.title }}") + _run(" of ") + _run(name, bold=True)
           + _run(", acknowledge that ") + _run("{{ msp.name }}")
           + _run(" recommended each service listed in this letter and explained the risk it addresses; "
                  "that I understand those risks and have had the chance to ask questions about them; that ")
           + _run(name) + _run(" has declined these services; and that ") + _run(name)
           + _run(" keeps the risks described above. I am authorized by ") + _run(name)
           + _run(" to make this decision."), "<w:keepNext/>"),
        _signature_table("Received for", "Acknowledged for"),
        _final_paragraph(),
    ]


def _insurance_notice_body() -> list[str]:
    name = "{{ customer.legal_name }}"
    return _letter_head("Cyber-Liability Insurance Notice") + [
        _p("BodyText", _run("Our agreement with ") + _run(name)
           + _run(" expects it to hold its own cyber-liability insurance. This notice sets out the minimum "
                  "cover, the policy we have on file, what is missing, and the security controls that "
                  "insurers ask for which ") + _run(name)
           + _run(" does not have through our services.")),
        _p("Heading1", _run("Minimum cover")),
        _p("BodyText", _run("Minimum cyber-liability limit: ")
           + _run("{{ msp.min_insurance_limit|money }}", bold=True) + _run(". ")
           + _run("{%if customer.agreement.insurance_required %}")
           + _run("Your agreement requires a policy with at least this limit.")
           + _run("{%else%}") + _run("We strongly recommend a policy with at least this limit.")
           + _run("{%endif%}")),
        _p("Heading1", _run("Policy on file")),
        _p("BodyText", _run("{%p if insurance_rows %}")),
        _table("ScheduleTable", FACT_COLS,
               _row(_cell(FACT_COLS[0], _p("TableText", _run("{%tr for row in insurance_rows %}")))
                    + _cell(FACT_COLS[1], _p("TableText")))
               + _row(_cell(FACT_COLS[0], _p("TableHeading", _run("{{ row.item }}")))
                      + _cell(FACT_COLS[1], _p("TableText", _run("{{ row.value }}"))))
               + _row(_cell(FACT_COLS[0], _p("TableText", _run("{%tr endfor %}")))
                      + _cell(FACT_COLS[1], _p("TableText"))), look="0000"),
        _p("BodyText", _run("{%p else %}")),
        _p("BodyText", _run("No policy on file. We have no record of a cyber-liability policy held by ")
           + _run(name) + _run(".")),
        _p("BodyText", _run("{%p endif %}")),
        _p("Heading1", _run("What is missing"), '<w:spacing w:before="240"/>'),
        _p("BodyText", _run("{%p if customer.insurance is defined and customer.insurance.expires < document.date %}")),
        _p("ListBullet", _run("The policy expired on ") + _run("{{ customer.insurance.expires }}")
           + _run(". Please send proof of a renewed or replacement policy.")),
        _p("BodyText", _run("{%p endif %}")),
        *_bullets("insurance_findings", "text"),
        _p("BodyText", _run("{%p if not insurance_findings and not (customer.insurance is defined and "
                            "customer.insurance.expires < document.date) %}")),
        _p("BodyText", _run("Nothing is missing: the policy on file is current, meets the minimum limit, "
                            "and we hold proof of it.")),
        _p("BodyText", _run("{%p endif %}")),
        _p("Heading1", _run("Controls insurers ask for"), '<w:spacing w:before="240"/>'),
        _p("BodyText", _run("{%p if control_rows %}")),
        _p("BodyText", _run("Insurers commonly require the controls below. ") + _run(name)
           + _run(" does not subscribe to a service of ours that provides them:"), "<w:keepNext/>"),
        _loop_table(CONTROL_COLS, ("Control", "Status"), ("control", "status"), "control_rows"),
        _p("BodyText", _run("{%p else %}")),
        _p("BodyText", _run("Every control that insurers commonly require is provided by a service ")
           + _run(name) + _run(" subscribes to.")),
        _p("BodyText", _run("{%p endif %}")),
        *_terms_heading("The following terms of our agreement with " + name + " apply to insurance."),
        _p("BodyText", _run("Sincerely,"), '<w:keepNext/><w:spacing w:before="240" w:after="480"/>'),
        _p("SignatureBlock", _run("{{ msp.signatory.name }}", bold=True), "<w:keepNext/>"),
        _p("SignatureBlock", _run("{{ msp.signatory.title }}") + _run(", ") + _run("{{ msp.legal_name }}"),
           '<w:spacing w:before="0"/>'),
    ]


def build_risk_letter(path: Path) -> Path:
    return _build(path, _risk_letter_body(), "Risk Acceptance Letter")


def build_insurance_notice(path: Path) -> Path:
    return _build(path, _insurance_notice_body(), "Cyber-Liability Insurance Notice")


BUILDERS = {"agreement.docx": build_agreement, "risk-letter.docx": build_risk_letter,
            "insurance-notice.docx": build_insurance_notice}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    outdir = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "templates"
    names = argv[1:] or list(BUILDERS)  # e.g. `build_templates.py templates risk-letter.docx`
    for name in names:
        print(BUILDERS[name](outdir / name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
