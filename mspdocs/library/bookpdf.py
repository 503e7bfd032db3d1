"""The clause book's PDF: laid out by LibreOffice, its contents' page numbers taken from that same layout."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from ..errors import RenderError
from .bookword import Heading

# The page numbers change the layout only if an entry's number needs another line; one more pass settles it.
MAX_PASSES = 3


def bookmark_pages(headings: list[Heading], pdf: bytes) -> dict[str, int]:
    """Bookmark -> page of each heading, from the PDF's outline (LibreOffice exports one per heading)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    outline: list[tuple[str, int]] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                outline.append((" ".join(str(item.title).split()), reader.get_destination_page_number(item) + 1))

    walk(reader.outline)
    pages, position = {}, 0
    for heading in headings:
        wanted = " ".join(heading.text.split())
        while position < len(outline) and outline[position][0] != wanted:
            position += 1
        if position == len(outline):
            raise RenderError(f"the PDF's bookmarks do not list the heading '{heading.text}', so the contents "
                              "cannot show its page")
        pages[heading.bookmark] = outline[position][1]
        position += 1
    return pages


def paged_book(build: Callable[[dict[str, int] | None], tuple[bytes, list[Heading]]], document_id: str,
               stem: str, title: str, manifest_sha256: str, work: Callable[[str], Path]) -> tuple[bytes, bytes]:
    """The book's .docx with its contents' page numbers, and its PDF, both from LibreOffice's layout.

    `build(pages)` makes the .docx; `work(name)` gives a fresh scratch folder. The book is laid out
    once without page numbers, then again with the pages found, until the pages stand still.
    """
    from ..render.pdf import PdfSource, to_pdfs

    pages: dict[str, int] | None = None
    for attempt in range(MAX_PASSES):
        data, headings = build(pages)
        source = PdfSource(document_id, stem, data, title, "Clause library for legal review", manifest_sha256)
        pdf = to_pdfs([source], work(f"pdf-{attempt}"))[document_id]
        found = bookmark_pages(headings, pdf)
        if found == pages:
            return data, pdf
        pages = found
    raise RenderError(f"the clause book's page numbers did not settle after {MAX_PASSES} layouts")
