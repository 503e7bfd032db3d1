"""The house style: colours, fonts, page measures, styles.xml and the bullet numbering every template shares."""

from __future__ import annotations

from .wordml import el

# Fonts and colours
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

# Separators in running text
DOT = "\u00b7"
DASH = "\u2014"


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
        # a numbered paragraph of a clause (4.2.1) and a lettered item under it ((a)), each with a hanging indent
        _pstyle("ClauseParagraph", "Clause Paragraph", '<w:pPr><w:tabs><w:tab w:val="left" w:pos="806"/></w:tabs>'
                '<w:ind w:left="806" w:hanging="806"/></w:pPr>', based="BodyText"),
        _pstyle("ClauseList", "Clause List", '<w:pPr><w:tabs><w:tab w:val="left" w:pos="1382"/></w:tabs>'
                '<w:spacing w:after="60"/><w:ind w:left="1382" w:hanging="576"/></w:pPr>', based="BodyText"),
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


def install_styles(doc) -> None:
    """Replace python-docx's default styles.xml with the house styles."""
    root = doc.styles.element
    for child in list(root):
        root.remove(child)
    for xml in _styles_xml():
        root.append(el(xml))


def install_numbering(doc) -> None:
    """One bullet list (numId 1, three levels) that the List Bullet style uses."""
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
    root.append(el('<w:abstractNum w:abstractNumId="0"><w:nsid w:val="5B3A1C01"/>'
                   f'<w:multiLevelType w:val="hybridMultilevel"/>{lvls}</w:abstractNum>'))
    root.append(el('<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'))
