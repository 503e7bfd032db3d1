"""The Word templates and generated documents follow the OOXML schema's order of paragraph properties."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# CT_PPr's sequence (ECMA-376 Part 1, 17.3.1.26); an element out of this order fails validation.
PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
             "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
             "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
             "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
             "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
             "sectPr", "pPrChange"]


def out_of_order(xml: bytes) -> list[list[str]]:
    """The child names of every pPr whose children are not in schema order."""
    bad = []
    for ppr in etree.fromstring(xml).iter(f"{{{W}}}pPr"):
        names = [etree.QName(child).localname for child in ppr]
        if [PPR_ORDER.index(n) for n in names] != sorted(PPR_ORDER.index(n) for n in names):
            bad.append(names)
    return bad


def test_template_paragraph_properties_are_in_schema_order():
    for template in sorted((ROOT / "templates").glob("*.docx")):
        with zipfile.ZipFile(template) as archive:
            for part in archive.namelist():
                if part.startswith("word/") and part.endswith(".xml"):
                    assert out_of_order(archive.read(part)) == [], f"{template.name}: {part}"


def test_generated_documents_carry_their_generation_time(runner, workspace):
    import datetime as dt
    import json

    from docx import Document

    from mspdocs.cli import cli

    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0, tzinfo=None)
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", "pinecrest-law", "--format", "json"])
    assert result.exit_code == 0, result.output
    core = Document(json.loads(result.output)[0]["path"]).core_properties
    template = Document(str(workspace / "templates" / "agreement.docx")).core_properties
    after = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    for stamp in (core.created, core.modified):
        stamp = stamp.replace(tzinfo=None)
        assert before <= stamp <= after and stamp != template.created.replace(tzinfo=None)
