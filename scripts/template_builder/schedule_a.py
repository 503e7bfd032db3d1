"""Schedule A of the agreement, a service order: what is covered, services, fees, service levels, rates,
backup; and Exhibit A-1, the device inventory, when the customer has one."""

from __future__ import annotations

from .blocks import loop_table
from .style import DASH, HEADER_FILL
from .wordml import cell, p, row, run, table

SCOPE_COLS = (2880, 1440, 5040)  # 2.0in, 1.0in, 3.5in
TWO_COLS = (5760, 3600)  # 4.0in, 2.5in
WIDE_RIGHT = (2880, 6480)  # 2.0in, 4.5in
PRICE_COLS = (3456, 1584, 1008, 1584, 1728)  # service, unit, quantity, unit price, monthly amount
LEVEL_COLS = (864, 3096, 1800, 1728, 1872)  # priority, definition, response, updates, resolution
INVENTORY_COLS = (3600, 2160, 3600)


def _heading(text: str, before: int = 240) -> str:
    return p("Heading2", run(text), f'<w:spacing w:before="{before}"/>')


def _lead(*runs: str) -> str:
    """A sentence introducing the table below it, kept on its page."""
    return p("BodyText", "".join(runs), "<w:keepNext/>")


def schedule_a() -> list[str]:
    return [
        p("Heading1", run(f"Schedule A {DASH} Statement of Work"), "<w:pageBreakBefore/>"),
        p("BodyText", run("This Statement of Work, dated ") + run("{{ document.date }}")
          + run(", is part of Agreement No. ") + run("{{ document.id }}")
          + run(". It states what Provider covers, the services and what they cost, when and how fast "
                "Provider responds, the rates for other work and, where subscribed, how Customer\u2019s "
                "data is backed up.")),
        *_covered(),
        *_services(),
        *_fees(),
        *_service_levels(),
        *_rates(),
        *_backup(),
    ]


def _covered() -> list[str]:
    return [
        _heading("A.1  What is covered", 120),
        _lead(run("The Services cover the following Managed Devices, users and locations of Customer. "
                  "Anything not covered here is outside the scope of this Agreement until it is added as "
                  "described under Fee Adjustments.")),
        loop_table(TWO_COLS, ("Covered", "Quantity"), ("item", "quantity"), "covered_rows", right_cols=(1,),
                   keep_together=True),
        p("BodyText", "", '<w:spacing w:after="60"/>'),
        loop_table(WIDE_RIGHT, ("Covered location", "Address"), ("name", "address"), "location_rows"),
        p("BodyText", run("{%p if inventory_rows %}")),
        p("BodyText", run("The Managed Devices are listed one by one in Exhibit A-1 (device inventory), "
                          "which is part of this Statement of Work."), '<w:spacing w:before="120"/>'),
        p("BodyText", run("{%p endif %}")),
    ]


def _services() -> list[str]:
    return [
        _heading("A.2  Services"),
        _lead(run("The services Provider delivers under this Agreement (Included), the services outside its "
                  "scope (Excluded), and the services Provider recommended that Customer declined "
                  "(Declined), for which Customer keeps the risk:")),
        loop_table(SCOPE_COLS, ("Service", "Status", "Notes"), ("service", "status", "notes"), "scope_rows"),
    ]


def _price_table() -> str:
    """A line per included service, quantity x unit price = monthly amount, and the total."""
    right = '<w:jc w:val="right"/>'
    headers = ("Service", "Priced", "Quantity", "Unit price", "Monthly amount")
    fields = ("service", "unit", "quantity", "unit_price", "amount")
    head = "".join(cell(w, p("TableHeading", run(h), right if i >= 2 else ""), HEADER_FILL)
                   for i, (w, h) in enumerate(zip(PRICE_COLS, headers)))
    empty = "".join(cell(w, p("TableText")) for w in PRICE_COLS[1:])
    data = "".join(cell(w, p("TableText", run(f"{{{{ row.{f} }}}}"), right if i >= 2 else ""))
                   for i, (w, f) in enumerate(zip(PRICE_COLS, fields)))
    spanned = (f'<w:tc><w:tcPr><w:tcW w:w="{sum(PRICE_COLS[:4])}" w:type="dxa"/><w:gridSpan w:val="4"/>'
               f'<w:shd w:val="clear" w:color="auto" w:fill="{HEADER_FILL}"/></w:tcPr>'
               + p("TableHeading", run("Monthly total"), right) + "</w:tc>")
    total = spanned + cell(PRICE_COLS[4], p("TableHeading", run("{{ fees_total }}"), right), HEADER_FILL)
    return table("ScheduleTable", PRICE_COLS,
                 row(head, header=True)
                 + row(cell(PRICE_COLS[0], p("TableText", run("{%tr for row in price_rows %}"))) + empty)
                 + row(data)
                 + row(cell(PRICE_COLS[0], p("TableText", run("{%tr endfor %}"))) + empty)
                 + row(total))


def _fees() -> list[str]:
    return [
        _heading("A.3  Fees"),
        _lead(run("Monthly fees for the Included services, in ") + run("{{ customer.agreement.currency }}")
              + run(" (quantity \u00d7 unit price = monthly amount):")),
        _price_table(),
        p("BodyText", run("Quarterly true-up: the quantities above are those covered on the date of this "
                          "Statement of Work. On the first day of each calendar quarter Provider counts the "
                          "Managed Devices, users and locations again, and the quantities and the monthly fee "
                          "are adjusted to the new counts at the unit prices above, as described under Fee "
                          "Adjustments."), '<w:spacing w:before="120"/>'),
        _lead(run("Terms:")),
        loop_table(TWO_COLS, ("Item", "Terms"), ("item", "amount"), "fees_rows", right_cols=(1,),
                   keep_together=True),
    ]


def _service_levels() -> list[str]:
    return [
        _heading("A.4  Support hours and service levels"),
        p("BodyText", run("Support hours: ", bold=True) + run("{{ support.hours }}") + run(" (")
          + run("{{ support.time_zone }}") + run(").")),
        p("BodyText", run("How to reach Provider: ", bold=True) + run("{{ support.channels }}") + run(".")),
        _lead(run("Provider gives each request a priority and works to the targets below. Targets in business "
                  "hours or business days count within the support hours.")),
        loop_table(LEVEL_COLS, ("Priority", "Definition", "Response", "Updates", "Resolution target"),
                   ("priority", "definition", "response", "updates", "resolution"), "level_rows"),
        p("BodyText", run("After hours: ", bold=True) + run("{{ support.after_hours }}"),
          '<w:spacing w:before="120"/>'),
        p("BodyText", run("Emergencies: ", bold=True) + run("{{ support.emergency }}")),
    ]


def _rates() -> list[str]:
    return [
        _heading("A.5  Rates for work outside the scope"),
        _lead(run("Work outside the scope of this Agreement that Customer approves is billed at these rates, in ")
              + run("{{ msp.currency }}") + run(", unless a quote or change order sets another price:")),
        loop_table(TWO_COLS, ("Work", "Rate"), ("item", "rate"), "rate_rows", right_cols=(1,),
                   keep_together=True),
    ]


def _backup() -> list[str]:
    return [
        p("BodyText", run("{%p if backup_rows %}")),
        _heading("A.6  Backup"),
        _lead(run("For the backup service Customer subscribes to, Provider commits to the following:")),
        loop_table(WIDE_RIGHT, ("Backup", "Commitment"), ("item", "value"), "backup_rows"),
        p("BodyText", run("{%p endif %}")),
    ]


def exhibit() -> list[str]:
    """Exhibit A-1 on a page of its own, only when the customer's devices come from an inventory file."""
    return [
        p("BodyText", run("{%p if inventory_rows %}")),
        p("Heading1", run(f"Exhibit A-1 {DASH} Device Inventory"), "<w:pageBreakBefore/>"),
        _lead(run("The Managed Devices covered by Agreement No. ") + run("{{ document.id }}")
              + run(" on ") + run("{{ document.date }}") + run(", from ")
              + run("{{ customer.covered.inventory.file }}") + run(":")),
        loop_table(INVENTORY_COLS, ("Device", "Type", "Location"), ("name", "type", "location"),
                   "inventory_rows"),
        p("BodyText", run("{%p endif %}")),
    ]
