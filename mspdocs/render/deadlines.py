"""The dates an agreement sets, and the refusal to issue one in which a deadline has already passed."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from ..errors import InputError
from ..workspace.customers import Customer
from .environment import longdate

# The onboarding period the `term.onboarding` clause describes, in days after the Effective Date.
ONBOARDING_DAYS = 60


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day when it is shorter (January 31 -> February 28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def term_dates(agreement: dict[str, Any], issued: dt.date) -> dict[str, dt.date]:
    """When the initial term and the term running on the issue date end, by when notice of non-renewal
    of that term is due, and when onboarding ends."""
    effective = agreement["effective"]
    initial_end = add_months(effective, agreement["term_months"])
    current_end = initial_end
    while current_end <= issued and agreement["renewal_months"]:
        current_end = add_months(current_end, agreement["renewal_months"])
    return {
        "initial_term_ends": initial_end,
        "current_term_ends": current_end,
        "non_renewal_notice_by": current_end - dt.timedelta(days=agreement["notice_days"]),
        "onboarding_ends": effective + dt.timedelta(days=ONBOARDING_DAYS),
    }


def passed_deadlines(customer: Customer, issued: dt.date) -> list[InputError]:
    """An agreement issued on `issued` may not hold a deadline that has already passed."""
    agreement = customer.data["agreement"]
    dates = term_dates(agreement, issued)

    def refuse(message: str) -> InputError:
        return InputError(f"{customer.id}: {message}; an agreement issued on {longdate(issued)} cannot "
                          "promise it (change the effective date or the term, or issue it earlier)",
                          path=customer.path, field="agreement")

    if dates["current_term_ends"] <= issued:
        return [refuse(f"the initial term ended on {longdate(dates['current_term_ends'])} and the "
                       "agreement does not renew")]
    if agreement["renewal_months"] and dates["non_renewal_notice_by"] < issued:
        return [refuse(f"the deadline for notice of non-renewal of the term ending "
                       f"{longdate(dates['current_term_ends'])} passed on "
                       f"{longdate(dates['non_renewal_notice_by'])}")]
    return []
