"""Blocks the templates share: letterhead, addressee, running header and footer, tables, signatures."""

from __future__ import annotations

from .style import DASH, DOT, DRAFT_RED, HEADER_FILL, RULE
from .wordml import cell, field, p, row, run, tab, table

SIGN_COLS = (4680, 4680)  # 3.25in each


def address(who: str) -> str:
    """Jinja tags for the postal address of ``msp`` or ``customer`` on one line."""
    a = f"{who}.address"
    return (
        f"{{{{ {a}.street }}}}, {{{{ {a}.city }}}}, {{{{ {a}.region }}}} "
        f"{{{{ {a}.postal_code }}}}, {{{{ {a}.country }}}}"
    )


def letterhead() -> list[str]:
    """The MSP's name, address and contact line over a thin rule (first page only, in the body)."""
    return [
        p("LetterheadName", run("{{ msp.legal_name }}")),
        p("LetterheadDetail", run(address("msp"))),
        p("LetterheadDetail", run("{{ msp.phone }}") + run(f"  {DOT}  ") + run("{{ msp.email }}"),
          f'<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="6" w:color="{RULE}"/></w:pBdr>'
          '<w:spacing w:after="240"/>'),
    ]


def letter_opening(title: str) -> list[str]:
    """Letterhead, title, reference line and the addressee block shared by letters and notices."""
    return [
        *letterhead(),
        p("Title", run(title)),
        p("Subtitle", run("Reference No. ") + run("{{ document.id }}") + run(f"  {DOT}  ")
          + run("{{ document.date }}")),
        p("LetterheadDetail", run("{{ customer.legal_name }}", bold=True)),
        p("LetterheadDetail", run(address("customer"))),
        p("LetterheadDetail", run("Attention: ") + run("{{ customer.signatory.name }}") + run(", ")
          + run("{{ customer.signatory.title }}"), '<w:spacing w:after="240"/>'),
        p("BodyText", run("Dear ") + run("{{ customer.signatory.name }}") + run(",")),
    ]


def header_xml() -> str:
    """MSP name on every page, and a red draft mark at the right while ``document.draft`` is set."""
    return p("Header",
             run("{{ msp.name }}")
             + run("{% if document.draft %}")
             + tab()
             + run(f"DRAFT {DASH} NOT FOR SIGNATURE", bold=True, color=DRAFT_RED, size=18)
             + run("{% endif %}"))


def footer_xml(title: str) -> str:
    """Customer, document title and id on the left; page x of y on the right (the manifest hash is in
    the document properties and on the signature page)."""
    return p("Footer",
             run("{{ customer.legal_name }}") + run(f" {DOT} {title} {DOT} ")
             + run("{{ document.id }}") + tab()
             + run("Page ") + field("PAGE") + run(" of ") + field("NUMPAGES"))


def loop_table(widths, headers, fields, loop: str, right_cols=(), keep_together=False) -> str:
    """Header row, then docxtpl row tags: {%tr for %} row, data row, {%tr endfor %} row.

    `keep_together` keeps every row on the page of the next, for short tables that read as one block.
    """
    def jc(i):
        # schema order of paragraph properties: keepNext comes before jc
        return ("<w:keepNext/>" if keep_together else "") + ('<w:jc w:val="right"/>' if i in right_cols else "")

    head = "".join(cell(w, p("TableHeading", run(h), jc(i)), HEADER_FILL)
                   for i, (w, h) in enumerate(zip(widths, headers)))
    empty = [cell(w, p("TableText")) for w in widths[1:]]
    open_row = cell(widths[0], p("TableText", run(f"{{%tr for row in {loop} %}}"))) + "".join(empty)
    data = "".join(cell(w, p("TableText", run(f"{{{{ row.{f} }}}}"), jc(i)))
                   for i, (w, f) in enumerate(zip(widths, fields)))
    close_row = cell(widths[0], p("TableText", run("{%tr endfor %}"))) + "".join(empty)
    return table("ScheduleTable", widths,
                 row(head, header=True) + row(open_row) + row(data) + row(close_row))


def bullets(loop: str, attr: str) -> list[str]:
    """A bulleted paragraph per item of `loop` (docxtpl paragraph loop)."""
    return [
        p("ListBullet", run(f"{{%p for row in {loop} %}}")),
        p("ListBullet", run(f"{{{{ row.{attr} }}}}")),
        p("ListBullet", run("{%p endfor %}")),
    ]


def agreement_citation() -> list[str]:
    """The agreement in force a letter belongs to, by number and date; a draft without one says so."""
    name = "{{ customer.legal_name }}"
    return [
        p("BodyText", run("{%p if agreement_in_force %}")),
        p("BodyText", run("This letter relates to our Master Services Agreement No. ")
          + run("{{ agreement_in_force.id }}") + run(" dated ") + run("{{ agreement_in_force.date }}")
          + run(" with ") + run(name) + run(" (the \u201cAgreement\u201d).")),
        p("BodyText", run("{%p else %}")),
        p("BodyText", run("No agreement between ") + run(name) + run(" and ") + run("{{ msp.name }}")
          + run(" has been issued yet, so this draft quotes none of its terms.")),
        p("BodyText", run("{%p endif %}")),
    ]


def terms_heading(lead: str) -> list[str]:
    """The "Terms that apply" section: a lead sentence, then the clauses quoted from the agreement in force
    (none without one)."""
    return [
        p("BodyText", run("{%p if agreement_in_force %}")),
        p("Heading1", run("Terms that apply")),
        p("BodyText", run(lead), "<w:keepNext/>"),
        p("BodyText", run("{{p sections }}")),
        p("BodyText", run("{%p endif %}")),
    ]


def signature_table(msp_role: str = "For", customer_role: str = "For") -> str:
    """Two columns, MSP left and customer right: name of the party, signature line, name, title, date."""
    def pair(left: str, right: str, ppr: str = "", bold: bool = False) -> str:
        return row(cell(SIGN_COLS[0], p("SignatureBlock", run(left, bold=bold), ppr))
                   + cell(SIGN_COLS[1], p("SignatureBlock", run(right, bold=bold), ppr)))

    line = "Signature: " + "_" * 30
    rows = (
        pair(f"{msp_role} {{{{ msp.legal_name }}}}", f"{customer_role} {{{{ customer.legal_name }}}}", bold=True)
        + pair(line, line, '<w:spacing w:before="600"/>')
        + pair("Name: {{ msp.signatory.name }}", "Name: {{ customer.signatory.name }}")
        + pair("Title: {{ msp.signatory.title }}", "Title: {{ customer.signatory.title }}")
        # last row: no keep-with-next, so the block does not pull the next page along
        + row(cell(SIGN_COLS[0], p("SignatureBlock", run("Date: " + "_" * 24), "<w:keepNext w:val=\"0\"/>"))
              + cell(SIGN_COLS[1], p("SignatureBlock", run("Date: " + "_" * 24), "<w:keepNext w:val=\"0\"/>")))
    )
    return table("PlainTable", SIGN_COLS, rows, look="0000")


def final_paragraph() -> str:
    """The paragraph Word requires after a final table: a small line under the signatures naming the
    document and the hash of the manifest that produced it (the register holds the manifest)."""
    return p("Footer", run("{% if document.manifest is defined %}") + run("Document ") + run("{{ document.id }}")
             + run(f" {DOT} manifest SHA-256 ") + run("{{ document.manifest }}") + run("{% endif %}"),
             '<w:pBdr><w:top w:val="nil"/></w:pBdr><w:spacing w:before="240"/>')
