"""The clause Markdown subset (paragraphs, lists, bold, italic) turned into WordprocessingML paragraphs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .environment import neutralise, restore

_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")
_INLINE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|\*(?=\S)([^*]+?)(?<=\S)\*")
_XML_SPECIAL = re.compile(r"[&<>{}%]")
_VALUE_PERIOD = neutralise(".")
_OPENERS = frozenset(" \t([\u2014\u2013\u201c\u2018/")
# (quote, opens) -> its typographic form; a closing single quote is also the apostrophe.
_CURLY = {('"', True): "\u201c", ('"', False): "\u201d", ("'", True): "\u2018", ("'", False): "\u2019"}


@dataclass(frozen=True)
class Block:
    """One paragraph of clause text: its kind (`para`, `bullet`, `numbered`) and its raw inline text."""

    kind: str
    text: str


def parse_blocks(text: str) -> list[Block]:
    """Split rendered clause text into paragraphs and list items (soft line breaks join lines)."""
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block("para", " ".join(paragraph)))
            paragraph.clear()

    for line in text.split("\n"):  # not splitlines(): U+2028 in a value is text, not a break
        if not line.strip():
            flush()
            continue
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        if bullet or numbered:
            flush()
            blocks.append(Block("bullet" if bullet else "numbered", (bullet or numbered).group(1).strip()))
        else:
            paragraph.append(line.strip())
    flush()
    return blocks


def typographic_quotes(text: str) -> str:
    """Straight quotes of the clause's own text as typographic ones; a value's quotes are neutralised and
    stay exactly as recorded ("O'Brien")."""
    out: list[str] = []
    for char in text:
        if char in "\"'":
            char = _CURLY[char, not out or out[-1] in _OPENERS]
        out.append(char)
    return "".join(out)


def inline_runs(text: str) -> list[tuple[str, bool, bool]]:
    """(text, bold, italic) runs of one block; data values were neutralised, so only the clause marks."""
    # A value that ends a sentence with its own period ("Acme, Inc.") absorbs the clause's period.
    text = typographic_quotes(text.replace(_VALUE_PERIOD + ".", _VALUE_PERIOD))
    runs: list[tuple[str, bool, bool]] = []
    position = 0
    for match in _INLINE.finditer(text):
        if match.start() > position:
            runs.append((restore(text[position:match.start()]), False, False))
        if match.group(1) is not None:
            runs.append((restore(match.group(1)), True, False))
        else:
            runs.append((restore(match.group(2)), False, True))
        position = match.end()
    if position < len(text):
        runs.append((restore(text[position:]), False, False))
    return [run for run in runs if run[0]]


def xml_text(text: str) -> str:
    """Escape text for a w:t element; braces and % as references so no later template pass sees a tag."""
    return _XML_SPECIAL.sub(lambda match: f"&#{ord(match.group(0))};", text)


def run(text: str, bold: bool = False, italic: bool = False) -> str:
    props = ("<w:b/>" if bold else "") + ("<w:i/>" if italic else "")
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{xml_text(text)}</w:t></w:r>'


def paragraph(style: str, runs_xml: str, keep_next: bool = False, tight: bool = False) -> str:
    """One paragraph; `tight` drops the space above it (a clause heading right under its section's)."""
    keep = "<w:keepNext/>" if keep_next else ""
    space = '<w:spacing w:before="0"/>' if tight else ""
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/>{keep}{space}</w:pPr>{runs_xml}</w:p>'


def heading(style: str, number: str, title: str, tight: bool = False) -> str:
    return paragraph(style, run(number) + "<w:r><w:tab/></w:r>" + run(title), keep_next=True, tight=tight)


def blocks_xml(blocks: list[Block], section: str | None = None) -> str:
    """Paragraph XML for the blocks of one clause; numbered items read (a), (b), … as in a contract.

    With `section` (the clause's number in the agreement), every paragraph can be cited: the paragraphs of
    a clause with more than one are numbered 4.2.1, 4.2.2, …, and every list item, bulleted or not, is
    lettered (a), (b), … under its paragraph (Section 4.2.1(b)). A clause of one paragraph is cited by its
    own number.
    """
    paragraphs = sum(1 for block in blocks if block.kind == "para")
    parts = []
    item = number = 0
    for block in blocks:
        runs_xml = "".join(run(text, bold, italic) for text, bold, italic in inline_runs(block.text))
        if block.kind == "numbered" or (block.kind == "bullet" and section is not None):
            label = _letter_label(item)
            item += 1
            parts.append(paragraph("ClauseList", run(label) + "<w:r><w:tab/></w:r>" + runs_xml))
            continue
        item = 0
        if block.kind == "bullet":
            parts.append(paragraph("ListBullet", runs_xml))
        elif section is not None and paragraphs > 1:
            number += 1
            parts.append(paragraph("ClauseParagraph", run(f"{section}.{number}") + "<w:r><w:tab/></w:r>" + runs_xml))
        else:
            parts.append(paragraph("BodyText", runs_xml))
    return "".join(parts)


def _letter_label(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("a") + remainder) + letters
    return f"({letters})"


def plain_text(blocks: list[Block]) -> str:
    """The blocks as plain text (for checks and the terminal)."""
    lines = []
    for block in blocks:
        text = "".join(text for text, _, _ in inline_runs(block.text))
        lines.append(f"- {text}" if block.kind != "para" else text)
    return "\n".join(lines)
