"""Build the default Word templates (agreement, risk letter, insurance notice, BAA; docxtpl tags) with python-docx.

Usage: ``build_templates.py [OUTDIR [NAME.docx ...]]``; OUTDIR defaults to templates/, NAMEs to all.
Set SOURCE_DATE_EPOCH for reproducible document dates. The drawing lives in ``template_builder/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# scripts/ is not a package: make template_builder importable when this file is loaded by path from elsewhere.
_SCRIPTS = str(Path(__file__).resolve().parent)
if _SCRIPTS not in sys.path:
    sys.path.insert(0, _SCRIPTS)

from template_builder import agreement, baa, insurance_notice, qbr_agenda, qbr_packet, risk_letter  # noqa: E402

BUILDERS = {"agreement.docx": agreement.build, "risk-letter.docx": risk_letter.build,
            "insurance-notice.docx": insurance_notice.build, "baa.docx": baa.build,
            "qbr-agenda.docx": qbr_agenda.build, "qbr-packet.docx": qbr_packet.build}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    outdir = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "templates"
    names = argv[1:] or list(BUILDERS)  # e.g. `build_templates.py templates risk-letter.docx`
    for name in names:
        print(BUILDERS[name](outdir / name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
