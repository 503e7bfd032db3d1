"""The check every rendered document passes before it is written: no leftover tags, no lost values."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable

from lxml import etree

from ..errors import RenderError

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_TEXT_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes|comments)\.xml"
                         r"|docProps/(core|app|custom)\.xml")
TAG_MARKERS = ("{{", "}}", "{%", "%}", "{#", "#}")


def document_texts(data: bytes) -> dict[str, list[str]]:
    """The text of every paragraph of every text part of a .docx, part by part."""
    texts: dict[str, list[str]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if not _TEXT_PARTS.fullmatch(name):
                continue
            root = etree.fromstring(archive.read(name))
            if name.startswith("docProps"):
                texts[name] = [text for text in root.itertext()]
                continue
            texts[name] = [_paragraph_text(para) for para in root.iter(f"{{{W_NS}}}p")]
    return texts


_TEXT, _TAB, _BREAK, _RUN = (f"{{{W_NS}}}{name}" for name in ("t", "tab", "br", "r"))


def _paragraph_text(paragraph) -> str:
    """The paragraph as a reader sees it: text runs, tabs and line breaks in order."""
    pieces = []
    for node in paragraph.iter(_TEXT, _TAB, _BREAK):
        if node.tag != _TEXT and node.getparent().tag != _RUN:
            continue  # a tab stop or break definition in the properties, not in the text
        pieces.append(node.text or "" if node.tag == _TEXT else "\t" if node.tag == _TAB else "\n")
    return "".join(pieces)


def check_document(data: bytes, data_values: Iterable[str], must_appear: dict[str, str]) -> None:
    """Fail unless the document parses, carries no template tag of its own, prints no missing value
    (`None`, `null`, `nan`, an empty data-table cell, "P.A.."), and shows each named value.

    `data_values` are the strings that came from data: a tag-like string inside one of them is the
    customer's text, printed literally, and is not mistaken for a leftover tag.
    """
    try:
        texts = document_texts(data)
        empty = empty_cells(data)
    except (zipfile.BadZipFile, etree.XMLSyntaxError) as exc:
        raise RenderError(f"the rendered document does not parse: {exc}") from None
    data_values = list(data_values)
    check_printed_values(texts, data_values)
    if empty:
        raise RenderError(f"a data table has an empty cell: {empty[0]} (every cell of a table in the "
                          f"'{DATA_TABLE_STYLE}' style needs a value)")
    literal = sorted({value for value in data_values if any(m in value for m in TAG_MARKERS)},
                     key=len, reverse=True)
    body = "\n".join(texts.get("word/document.xml", []))
    for part, paragraphs in texts.items():
        for paragraph in paragraphs:
            remainder = paragraph
            for value in literal:
                remainder = remainder.replace(value, "")
            marker = next((m for m in TAG_MARKERS if m in remainder), None)
            if marker:
                raise RenderError(f"a template tag survived rendering in {part}: '{_excerpt(paragraph, marker)}'")
    for label, value in must_appear.items():
        if value not in body:
            raise RenderError(f"{label} '{value}' does not appear verbatim in the rendered document")


# What a program prints for a value nobody recorded: never a word of a contract, except English "None of".
_PRINTED_NOTHING = re.compile(r"\b(None(?! of\b)|null|NULL|nan|NaN)\b")
# Two full stops, not an ellipsis: a sentence's stop after a name that ends with one ("P.A..").
_DOUBLED_STOP = re.compile(r"(?<!\.)\.\.(?!\.)")
# Tables in this style hold data, one value per cell (scope, fees, risks, facts): none may be empty.
DATA_TABLE_STYLE = "ScheduleTable"


def check_printed_values(texts: dict[str, list[str]], data_values: list[str]) -> None:
    """Fail on a printed `None`, `null` or `nan` anywhere, and on a doubled full stop that the data
    itself does not contain."""
    doubled_in_data = sorted({value for value in data_values if ".." in value}, key=len, reverse=True)
    for part, paragraphs in texts.items():
        for paragraph in paragraphs:
            found = _PRINTED_NOTHING.search(paragraph)
            if found:
                raise RenderError(f"'{found.group(0)}' is printed in {part}, where a value is missing: "
                                  f"'{_excerpt(paragraph, found.group(0))}'")
            remainder = paragraph
            for value in doubled_in_data:
                remainder = remainder.replace(value, "")
            if _DOUBLED_STOP.search(remainder):
                raise RenderError(f"a doubled full stop is printed in {part}: "
                                  f"'{_excerpt(remainder, _DOUBLED_STOP.search(remainder).group(0))}'")


def empty_cells(data: bytes) -> list[str]:
    """Where each empty cell of a data table (style `DATA_TABLE_STYLE`) is, e.g. "table 2, row 3, 'Amount'"."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        root = etree.fromstring(archive.read("word/document.xml"))
    w = f"{{{W_NS}}}"
    found = []
    for number, table in enumerate(root.iter(f"{w}tbl"), start=1):
        style = table.find(f"{w}tblPr/{w}tblStyle")
        if style is None or style.get(f"{w}val") != DATA_TABLE_STYLE:
            continue
        rows = [[_cell_text(cell) for cell in row.findall(f"{w}tc")] for row in table.findall(f"{w}tr")]
        header = rows[0] if rows else []
        for row_number, cells in enumerate(rows, start=1):
            for column, text in enumerate(cells):
                if not text.strip():
                    label = header[column] if column < len(header) and row_number > 1 else f"column {column + 1}"
                    found.append(f"table {number}, row {row_number}, '{label.strip() or column + 1}'")
    return found


def _cell_text(cell) -> str:
    return "\n".join(_paragraph_text(paragraph) for paragraph in cell.iter(f"{{{W_NS}}}p"))


def _excerpt(text: str, marker: str) -> str:
    at = text.index(marker)
    return text[max(0, at - 30): at + 40]


def leaf_strings(value) -> Iterable[str]:
    """Every string inside a nested context value."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from leaf_strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from leaf_strings(item)
