"""The audit as text (a table, customers by six lessons, then the details) and as its stable JSON."""

from __future__ import annotations

import json
from typing import Any

from ..render.environment import counted
from .lessons import GAP, LESSONS, OK, UNKNOWN
from .portfolio import CustomerAudit

MARK = {OK: "ok", GAP: "GAP", UNKNOWN: "?"}
COLUMNS = {1: "1 agreement", 2: "2 scope", 3: "3 declined", 4: "4 insurance", 5: "5 delivery", 6: "6 QBR"}


def ordered(audits: list[CustomerAudit]) -> list[CustomerAudit]:
    """Customers with gaps first (most gaps first), then those with unknowns, then the rest; by id within."""
    return sorted(audits, key=lambda a: (-len(a.gaps), -len(a.unknown), a.customer))


def as_json(audits: list[CustomerAudit]) -> str:
    """The documented shape, in the order customers were named (their files' order when all)."""
    return json.dumps([audit.as_dict() for audit in audits], indent=2, ensure_ascii=False)


def portfolio_summary(audits: list[CustomerAudit]) -> dict[int, dict[str, int]]:
    """Per lesson, how many customers are ok, have a gap, or are unknown."""
    summary = {lesson: {OK: 0, GAP: 0, UNKNOWN: 0} for lesson in LESSONS}
    for audit in audits:
        for check in audit.checks:
            summary[check.lesson][check.status] += 1
    return summary


def as_text(audits: list[CustomerAudit]) -> list[str]:
    """A table (customers as rows, the six lessons as columns, gaps first) and then every gap and unknown."""
    if not audits:
        return ["no customers"]
    rows = ordered(audits)
    width = max(len("customer"), *(len(a.customer) for a in rows))
    header = "CUSTOMER".ljust(width) + "  " + "  ".join(f"{COLUMNS[n].upper():<11}" for n in LESSONS)
    lines = [header.rstrip()]
    for audit in rows:
        cells = "  ".join(f"{MARK[c.status]:<11}" for c in audit.checks)
        lines.append((audit.customer.ljust(width) + "  " + cells).rstrip())
    summary = portfolio_summary(audits)
    lines.append("")
    lines.append(f"{counted(len(audits), 'customer')}; with a gap, per lesson: "
                 + ", ".join(f"{n} {summary[n][GAP]}" for n in LESSONS))
    for audit in rows:
        open_checks = [c for c in audit.checks if c.status != OK] + [
            c for c in audit.checks if c.status == OK and "re-sign recommended" in c.reason]
        if not open_checks:
            continue
        lines.append("")
        lines.append(f"{audit.customer} ({audit.legal_name})")
        for check in open_checks:
            lines.append(f"  {check.lesson} {LESSONS[check.lesson]}: {check.status}: {check.reason}")
            if check.action:
                lines.append(f"    do: {check.action}")
    return lines


def audit_rows(audits: list[CustomerAudit]) -> list[dict[str, Any]]:
    """Flat rows for the reports: customer, legal name, each lesson's status, the number of gaps."""
    return [{"customer": a.customer, "legal_name": a.legal_name, "gaps": len(a.gaps),
             **{f"lesson{c.lesson}": c.status for c in a.checks}} for a in ordered(audits)]
