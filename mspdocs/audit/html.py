"""The audit as one self-contained HTML page: a portfolio chart (SVG), a sortable table, a section per customer."""

from __future__ import annotations

import datetime as dt
import re
from html import escape

from .lessons import GAP, LESSONS, OK, UNKNOWN
from .portfolio import CustomerAudit
from .report import ordered, portfolio_summary

COMMAND = re.compile(r"mspdocs [^;,)]*[^;,)\s]")

COLOURS = {GAP: "#c0392b", UNKNOWN: "#d68910", OK: "#1e8449"}
STYLE = """
body{font-family:Calibri,Carlito,'Segoe UI',Arial,sans-serif;margin:2em auto;max-width:72em;color:#1c2833;
padding:0 1em}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.6em;border-bottom:1px solid #d5d8dc}
.meta{color:#566573}table{border-collapse:collapse;width:100%;margin:.6em 0}
th,td{border:1px solid #d5d8dc;padding:.3em .5em;text-align:left;vertical-align:top}
th{background:#eaeded}#portfolio th{cursor:pointer;user-select:none}#portfolio th:after{content:" \\2195";
color:#aab7b8}
.gap{background:#fadbd8;color:#922b21;font-weight:bold}.unknown{background:#fdebd0;color:#9c640c}
.ok{background:#d5f5e3;color:#196f3d}td.status{text-align:center}
code{background:#f4f6f6;padding:.1em .3em;white-space:pre-wrap;word-break:break-word}
.legend span{display:inline-block;margin-right:1.2em}.legend i{display:inline-block;width:.9em;height:.9em;
margin-right:.3em;vertical-align:middle}
"""
SORTER = r"""
document.querySelectorAll('#portfolio th').forEach(function (th, index) {
  th.addEventListener('click', function () {
    var body = th.closest('table').tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var up = th.getAttribute('data-order') !== 'up';
    th.parentNode.querySelectorAll('th').forEach(function (other) { other.removeAttribute('data-order'); });
    th.setAttribute('data-order', up ? 'up' : 'down');
    rows.sort(function (a, b) {
      var x = a.cells[index].getAttribute('data-sort'), y = b.cells[index].getAttribute('data-sort');
      var nx = parseFloat(x), ny = parseFloat(y);
      var order = (!isNaN(nx) && !isNaN(ny)) ? nx - ny : x.localeCompare(y);
      return up ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  });
});
// A link to the page ending in #sort=N opens it sorted by column N (N from 0; twice: descending).
var wanted = /^#sort=(\d+)(,desc)?$/.exec(window.location.hash);
if (wanted) {
  var header = document.querySelectorAll('#portfolio th')[Number(wanted[1])];
  if (header) { header.click(); if (wanted[2]) { header.click(); } }
}
"""
RANK = {GAP: 0, UNKNOWN: 1, OK: 2}


def e(value: object) -> str:
    return escape(str(value), quote=True)


def chart(audits: list[CustomerAudit]) -> str:
    """Per lesson, a bar split into customers with a gap, unknown and ok (inline SVG, no script)."""
    summary = portfolio_summary(audits)
    total = max(len(audits), 1)
    width, label, row = 560, 190, 30
    parts = [f'<svg id="summary-chart" xmlns="http://www.w3.org/2000/svg" width="{label + width + 190}" '
             f'height="{row * len(LESSONS) + 10}" role="img" aria-label="Customers with a gap, per lesson">']
    for index, lesson in enumerate(LESSONS):
        y = 5 + index * row
        parts.append(f'<text x="0" y="{y + 17}" font-size="13">{lesson}. {e(LESSONS[lesson])}</text>')
        x = label
        for status in (GAP, UNKNOWN, OK):
            count = summary[lesson][status]
            span = width * count / total
            if count:
                parts.append(f'<rect class="bar-{status}" data-lesson="{lesson}" data-count="{count}" x="{x:.1f}" '
                             f'y="{y}" width="{span:.1f}" height="22" fill="{COLOURS[status]}">'
                             f'<title>{count} {status}</title></rect>')
            x += span
        unknown = summary[lesson][UNKNOWN]
        parts.append(f'<text x="{label + width + 6}" y="{y + 17}" font-size="13" class="gap-count">'
                     f'{summary[lesson][GAP]} with a gap{f", {unknown} unknown" if unknown else ""}</text>')
    parts.append("</svg>")
    return "".join(parts)


def portfolio_table(audits: list[CustomerAudit]) -> str:
    head = "".join(f"<th>{e(h)}</th>" for h in ["Customer", "Legal name", "Gaps",
                                                 *(f"{n}. {LESSONS[n]}" for n in LESSONS)])
    rows = []
    for audit in ordered(audits):
        link = f'<a href="#customer-{e(audit.customer)}">{e(audit.customer)}</a>' if audit.gaps or audit.unknown \
            else e(audit.customer)
        cells = [f'<td data-sort="{e(audit.customer)}">{link}</td>',
                 f'<td data-sort="{e(audit.legal_name)}">{e(audit.legal_name)}</td>',
                 f'<td data-sort="{len(audit.gaps)}">{len(audit.gaps)}</td>']
        cells += [f'<td class="status {c.status}" data-sort="{RANK[c.status]}" title="{e(c.reason)}">'
                  f'{e(c.status)}</td>' for c in audit.checks]
        rows.append(f'<tr data-customer="{e(audit.customer)}">{"".join(cells)}</tr>')
    return f'<table id="portfolio"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def action_html(action: str) -> str:
    """The action in plain words, with each command in it set as code (to copy); a command runs to the
    next `;`, `,` or `)`."""
    return COMMAND.sub(lambda match: f"<code>{match.group(0)}</code>", e(action))


def customer_section(audit: CustomerAudit) -> str:
    checks = "".join(
        f'<tr class="check" data-lesson="{c.lesson}"><td>{c.lesson}. {e(LESSONS[c.lesson])}</td>'
        f'<td class="status {c.status}">{e(c.status)}</td><td>{e(c.reason)}</td>'
        f'<td>{action_html(c.action)}</td></tr>' for c in audit.checks)
    documents = "".join(
        f'<tr><td>{e(d["document_id"])}</td><td>{e(d["kind"])}</td><td>{e(d["date"])}</td><td>{e(d["status"])}</td>'
        f'<td>{e(signed_text(d))}</td></tr>' for d in audit.documents)
    documents_table = (f"<table><thead><tr><th>Document</th><th>Kind</th><th>Date</th><th>Status</th>"
                       f"<th>Signed</th></tr></thead><tbody>{documents}</tbody></table>" if documents
                       else "<p>No document generated for this customer.</p>")
    return (f'<section id="customer-{e(audit.customer)}" class="customer"><h2>{e(audit.legal_name)} '
            f'<span class="meta">({e(audit.customer)})</span></h2>'
            f"<table><thead><tr><th>Lesson</th><th>Status</th><th>Reason</th><th>Action</th></tr></thead>"
            f"<tbody>{checks}</tbody></table><h3>Documents</h3>{documents_table}</section>")


def signed_text(document: dict) -> str:
    if not document["signed"]:
        return "not signed"
    return "; ".join(f"signed by {s.get('signer') or 'unnamed'} ({s.get('assurance') or 'recorded'})"
                     for s in document["signed"])


def render_html(audits: list[CustomerAudit], as_of: dt.date) -> str:
    """The whole page; every value from data is escaped, nothing is fetched from the network."""
    with_gaps = sum(1 for a in audits if a.gaps)
    legend = "".join(f'<span><i style="background:{COLOURS[s]}"></i>{s}</span>' for s in (GAP, UNKNOWN, OK))
    sections = "".join(customer_section(a) for a in ordered(audits) if a.gaps or a.unknown)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Audit as of {as_of.isoformat()}</title><style>{STYLE}</style></head><body>"
        f'<h1>Where are we exposed?</h1><p class="meta" id="summary">Audit as of {as_of.isoformat()}: '
        f'<b id="customer-count">{len(audits)}</b> customers, <b id="gap-count">{with_gaps}</b> with at least '
        f"one gap.</p><h2>Portfolio: customers per lesson</h2>{chart(audits)}"
        f'<p class="legend">{legend}</p><h2>Customers</h2><p class="meta">Click a column to sort.</p>'
        f"{portfolio_table(audits)}{sections}<script>{SORTER}</script></body></html>\n"
    )
