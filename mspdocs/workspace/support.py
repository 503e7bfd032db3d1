"""Support terms: hours and channels, service levels by priority, and the rates for out-of-scope work."""

from __future__ import annotations

from typing import Any

from .fields import Fields

PRIORITIES = ("P1", "P2", "P3", "P4")
# What each priority promises: which requests it covers, first response, how often the customer hears
# back, and the target for resolving it.
LEVEL_TERMS = ("definition", "response", "update", "resolution")
_SUPPORT_TERMS = ("hours", "time_zone", "channels", "after_hours", "emergency")


def read_support(fields: Fields) -> dict[str, Any]:
    """The profile's [support] section: when and how customers reach the MSP, and what happens after hours."""
    fields.reject_unknown(set(_SUPPORT_TERMS))
    channels = fields.text_list("channels", required=True)
    if not channels:
        raise fields.error("channels", "name at least one support channel (e.g. \"Phone: +1 207 555 0100\")")
    return {
        "hours": fields.text("hours"),
        "time_zone": fields.text("time_zone"),
        "channels": [channel for channel, _ in channels],
        "after_hours": fields.text("after_hours"),
        "emergency": fields.text("emergency"),
    }


def read_service_levels(fields: Fields, complete: bool) -> dict[str, dict[str, str]]:
    """Service levels by priority: the profile's full table (`complete`), or a customer's overrides of it."""
    fields.reject_unknown(set(PRIORITIES))
    levels = {}
    for priority in PRIORITIES:
        level = fields.section(priority, required=complete)
        if level is None:
            continue
        level.reject_unknown(set(LEVEL_TERMS))
        terms = {term: level.text(term, required=complete) for term in LEVEL_TERMS}
        levels[priority] = {term: value for term, value in terms.items() if value is not None}
    return levels


def read_rates(fields: Fields) -> dict[str, Any]:
    """The profile's [rates]: hourly rates for out-of-scope work and the smallest increment billed."""
    fields.reject_unknown({"business_hours", "after_hours", "emergency", "minimum_minutes"})
    return {
        "business_hours": fields.amount("business_hours", minimum=0),
        "after_hours": fields.amount("after_hours", minimum=0),
        "emergency": fields.amount("emergency", minimum=0),
        "minimum_minutes": fields.integer("minimum_minutes", minimum=1),
    }


def merged_levels(profile: dict[str, dict[str, str]], overrides: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    """One row per priority: the profile's terms, with a customer's overrides in their place."""
    return [{"priority": priority, **profile[priority], **overrides.get(priority, {})} for priority in PRIORITIES]
