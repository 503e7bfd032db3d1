"""The clause book's Word furniture: styles, tracked changes, bookmarked headings, the contents and the footer."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass

AUTHOR = "mspdocs"
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CONTENTS_LEVELS = "1-2"
# The settings that come after w:updateFields in the schema's sequence.
_AFTER_UPDATE_FIELDS = frozenset({
    "hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr", "attachedSchema",
    "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
    "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary", "shapeDefaults",
    "doNotEmbedSmartTags", "decimalSymbol", "listSeparator"})  # the heading levels the contents list (categories and clauses)


class Revisions:
    """Numbers and stamps the tracked changes of one document."""

    def __init__(self, when: dt.datetime) -> None:
        self.ids = itertools.count(1)
        self.date = when.strftime("%Y-%m-%dT%H:%M:%SZ")

    def mark(self, tag: str):
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        element = OxmlElement("w:ins" if tag == "insert" else "w:del")
        element.set(qn("w:id"), str(next(self.ids)))
        element.set(qn("w:author"), AUTHOR)
        element.set(qn("w:date"), self.date)
        return element


def _run(text: str, deleted: bool = False):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = OxmlElement("w:r")
    node = OxmlElement("w:delText" if deleted else "w:t")
    node.set(qn("xml:space"), "preserve")
    node.text = _NOT_XML.sub("\ufffd", text)
    run.append(node)
    return run


def _append(paragraph, tag: str, text: str, revisions: Revisions) -> None:
    if tag == "equal":
        paragraph._p.append(_run(text))
        return
    wrapper = revisions.mark(tag)
    wrapper.append(_run(text, deleted=tag == "delete"))
    paragraph._p.append(wrapper)


def _mark_paragraph_end(paragraph, tag: str, revisions: Revisions) -> None:
    """An inserted or deleted line break is a tracked paragraph mark."""
    from docx.oxml import OxmlElement

    properties = paragraph._p.get_or_add_pPr()
    run_properties = OxmlElement("w:rPr")
    run_properties.append(revisions.mark(tag))
    properties.append(run_properties)


def write_ops(container, ops: list[tuple[str, str]], revisions: Revisions, style: str | None = None) -> None:
    """Paragraphs for the pieces of a word diff, each line a paragraph, changes as w:ins / w:del."""
    paragraph = container.add_paragraph(style=style)
    for tag, text in ops:
        for index, piece in enumerate(text.split("\n")):
            if index:
                if tag != "equal":
                    _mark_paragraph_end(paragraph, tag, revisions)
                paragraph = container.add_paragraph(style=style)
            if piece:
                _append(paragraph, tag, piece, revisions)


def cell_text(cell, ops: list[tuple[str, str]], revisions: Revisions) -> None:
    paragraph = cell.paragraphs[0]
    for tag, text in ops:
        if text:
            _append(paragraph, tag, text, revisions)


def add_styles(document) -> None:
    """The book's own styles: the clause source (monospaced, shaded), the contents, and the paragraph
    styles the agreement's clause text uses (`ClauseList`; `BodyText` and `ListBullet` are built in)."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
    from docx.oxml import parse_xml
    from docx.oxml.ns import qn
    from docx.shared import Inches, Pt

    styles = document.styles
    source = styles.add_style("Clause Source", WD_STYLE_TYPE.PARAGRAPH)
    source.base_style = styles["Normal"]
    # The shading first: python-docx puts spacing and indentation after it, in the schema's order.
    source.element.get_or_add_pPr().append(parse_xml(
        f'<w:shd {_W_NS} w:val="clear" w:color="auto" w:fill="F2F2F2"/>'))
    source.font.name = "Courier New"
    source.font.size = Pt(9)
    source.paragraph_format.space_after = Pt(0)
    source.paragraph_format.left_indent = Inches(0.15)
    listed = styles.add_style("ClauseList", WD_STYLE_TYPE.PARAGRAPH)
    listed.base_style = styles["Body Text"]
    listed.paragraph_format.left_indent = Inches(0.5)
    listed.paragraph_format.first_line_indent = Inches(-0.3)
    section = document.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    for level in (1, 2):
        style = styles.add_style(f"TOC {level}", WD_STYLE_TYPE.PARAGRAPH)
        style.element.name_val = f"toc {level}"  # Word's own style, which its TOC field fills
        style.element.attrib.pop(qn("w:customStyle"), None)
        style.base_style = styles["Normal"]
        style.paragraph_format.left_indent = Inches(0.25 * (level - 1))
        style.paragraph_format.space_after = Pt(2 if level == 2 else 4)
        style.paragraph_format.tab_stops.add_tab_stop(text_width, WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
        style.font.bold = level == 1


def _field(instruction: str, result: str) -> list[str]:
    """The runs of one complex field with its result as last computed (`result`)."""
    shown = f'<w:r><w:t xml:space="preserve">{result}</w:t></w:r>' if result else ""
    return ['<w:r><w:fldChar w:fldCharType="begin"/></w:r>',
            f'<w:r><w:instrText xml:space="preserve"> {instruction} </w:instrText></w:r>',
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>', shown,
            '<w:r><w:fldChar w:fldCharType="end"/></w:r>']


def _xml(fragment: str):
    from docx.oxml import parse_xml

    return parse_xml(f"<w:wrap {_W_NS}>{fragment}</w:wrap>")


def _escape(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass(frozen=True)
class Heading:
    """A heading the contents list: its level, its text and the bookmark it carries."""

    level: int
    text: str
    bookmark: str


class Headings:
    """The book's headings in order, each bookmarked as Word's own contents field does (`_Toc…`)."""

    def __init__(self) -> None:
        self.items: list[Heading] = []

    def add(self, document, text: str, level: int):
        heading = Heading(level, text, f"_Toc{len(self.items) + 1:08d}")
        paragraph = document.add_heading(text, level=level)
        number = str(len(self.items) + 1)
        start = _xml(f'<w:bookmarkStart w:id="{number}" w:name="{heading.bookmark}"/>')[0]
        paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
        paragraph._p.append(_xml(f'<w:bookmarkEnd w:id="{number}"/>')[0])
        self.items.append(heading)
        return paragraph


def table_of_contents(anchor, headings: list[Heading], pages: dict[str, int] | None) -> None:
    """A Word TOC field over the headings, its entries already filled in before `anchor` (a paragraph).

    Each entry links to its heading and shows its page through a PAGEREF field; `pages` (bookmark ->
    page, from a laid-out copy) are the results shown until Word updates the fields; without them the
    entries show no page until then.
    """
    if not headings:
        return
    last = len(headings) - 1
    for index, heading in enumerate(headings):
        page = str(pages[heading.bookmark]) if pages and heading.bookmark in pages else ""
        runs = []
        if index == 0:
            runs += _field(f'TOC \\o "{CONTENTS_LEVELS}" \\h \\z \\u', "")[:3]
        runs.append(f'<w:hyperlink w:anchor="{heading.bookmark}" w:history="1">'
                     f'<w:r><w:t xml:space="preserve">{_escape(heading.text)}</w:t></w:r><w:r><w:tab/></w:r>'
                     + "".join(_field(f"PAGEREF {heading.bookmark} \\h", page)) + "</w:hyperlink>")
        if index == last:
            runs.append('<w:r><w:fldChar w:fldCharType="end"/></w:r>')
        paragraph = _xml(f'<w:p><w:pPr><w:pStyle w:val="TOC{heading.level}"/></w:pPr>{"".join(runs)}</w:p>')[0]
        anchor._p.addprevious(paragraph)


def page_footer(document, document_id: str) -> None:
    """Every page's footer: the document id, and "Page X of Y" (fields Word and LibreOffice compute)."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    footer = document.sections[0].footer
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fragment = (f'<w:r><w:t xml:space="preserve">Clause book {_escape(document_id)}    Page </w:t></w:r>'
                + "".join(_field("PAGE", "1")) + '<w:r><w:t xml:space="preserve"> of </w:t></w:r>'
                + "".join(_field("NUMPAGES", "1")))
    for run in _xml(fragment):
        paragraph._p.append(run)
    for run in paragraph.runs:
        run.font.size = Pt(8)


def append_body_xml(document, xml: str) -> None:
    """Paragraphs given as WordprocessingML (the agreement's own clause paragraphs), at the end of the body."""
    end = document.element.body.sectPr
    for element in list(_xml(xml)):
        end.addprevious(element)


def update_fields_on_open(document) -> None:
    """Ask Word to update the fields (the contents' page numbers) when the book is opened."""
    settings = document.settings.element
    element = _xml('<w:updateFields w:val="true"/>')[0]
    later = next((child for child in settings if child.tag.rpartition("}")[2] in _AFTER_UPDATE_FIELDS), None)
    if later is None:
        settings.append(element)
    else:  # the settings' schema order, which Word's validation checks
        later.addprevious(element)
