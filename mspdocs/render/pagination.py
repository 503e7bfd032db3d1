"""Headings left alone at the foot of a PDF page, and the Word copy that starts them on the next page.

Every heading keeps with the next paragraph (`w:keepNext`), which Word honours. LibreOffice, which lays out
the PDFs, sometimes leaves a heading as the last line of a page all the same. Its PDF bookmarks say where
each heading is; one close to the bottom whose page ends with it is moved, in the copy LibreOffice converts
again, by a page break before it. The issued Word document is never changed.
"""

from __future__ import annotations

import html
import io
import re
import zipfile

# Where a heading's bookmark top is, in points above the page's bottom edge (the bottom margin is 72): below
# _ALONE nothing fits under the heading (one line of text needs about 14); below _MAYBE_ALONE one line might,
# and the page's text says whether the heading ends it (reading a page's text costs a tenth of a second).
_ALONE_POINTS = 102.0
_MAYBE_ALONE_POINTS = 120.0
_HEADING_PARAGRAPH = re.compile(
    r'<w:p>(<w:pPr><w:pStyle w:val="Heading[12]"/>)((?:(?!</w:p>).)*?</w:p>)', re.DOTALL)
_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>|<w:tab/>")
_KEEPS = re.compile(r"(?:<w:keepNext/>|<w:keepLines/>)*")
_SPACE = re.compile(r"\s+")


def lone_headings(pdf: bytes) -> list[str]:
    """The titles of headings (as bookmarked) that are the last text of their page, before the footer."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(pdf))
        marks = list(_bookmarks(reader, reader.outline))
    except (PdfReadError, ValueError, KeyError, IndexError, TypeError):
        return []  # no usable outline: nothing to improve (the PDF itself is checked elsewhere)
    found = []
    for title, page, top in marks:
        if top is None or top >= _MAYBE_ALONE_POINTS or page >= len(reader.pages) - 1:
            continue
        if top < _ALONE_POINTS or _ends_page(reader.pages[page], title):
            found.append(title)
    return found


def _ends_page(page, title: str) -> bool:
    lines = [_normal(line) for line in (page.extract_text() or "").splitlines()]
    body = [line for line in lines if line][:-1]  # the last line is the footer
    return bool(body) and body[-1] == _normal(title)


def _bookmarks(reader, outline):
    for item in outline:
        if isinstance(item, list):
            yield from _bookmarks(reader, item)
        else:
            top = item.get("/Top")
            yield str(item.title), reader.get_destination_page_number(item), \
                float(top) if top is not None else None


def with_breaks(docx: bytes, titles: list[str]) -> bytes:
    """A copy of the Word document with a page break before each heading whose text is one of `titles`."""
    source = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "word/document.xml":
                data = break_before(data.decode("utf-8"), titles).encode("utf-8")
            target.writestr(item, data)
    return out.getvalue()


def break_before(docx_xml: str, titles: list[str]) -> str:
    """The document body with a page break before each heading paragraph whose text is one of `titles`."""
    wanted = {_normal(title) for title in titles}

    def mark(match: re.Match) -> str:
        rest = match.group(2)
        text = html.unescape("".join(part or " " for part in _TEXT.findall(rest)))
        if _normal(text) not in wanted:
            return match.group(0)
        keeps = _KEEPS.match(rest).group(0)  # schema order: keepNext, keepLines, then pageBreakBefore
        return f"<w:p>{match.group(1)}{keeps}<w:pageBreakBefore/>{rest[len(keeps):]}"

    return _HEADING_PARAGRAPH.sub(mark, docx_xml)


def _normal(text: str) -> str:
    return _SPACE.sub(" ", text).strip()
