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
    """Fail unless the document parses, carries no template tag of its own, and shows each named value.

    `data_values` are the strings that came from data: a tag-like string inside one of them is the
    customer's text, printed literally, and is not mistaken for a leftover tag.
    """
    try:
        texts = document_texts(data)
    except (zipfile.BadZipFile, etree.XMLSyntaxError) as exc:
        raise RenderError(f"the rendered document does not parse: {exc}") from None
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
