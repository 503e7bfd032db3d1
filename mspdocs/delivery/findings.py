"""Delivery findings for one customer: protections promised but missing, stale devices, counts that drifted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..workspace.catalog import Catalog
from .devices import Device

# Which statement-of-work count each device type is compared with.
COUNT_OF_TYPE = {"workstation": "workstations", "server": "servers", "network": "network_devices"}
# Endpoint protections are promised on workstations and servers (and devices whose type is not reported);
# a switch or firewall is counted, not checked for anti-virus.
CHECKED_TYPES = ("workstation", "server", "")
# How a protection reads to a customer (the catalog's `delivers` names are ids: rmm-agent, edr, ...).
PROTECTION_LABELS = {"antivirus": "anti-virus", "edr": "EDR", "rmm-agent": "RMM agent"}


def protection_label(protection: str) -> str:
    """`rmm-agent` -> `RMM agent`, `disk-encryption` -> `disk encryption`: a protection in a sentence."""
    return PROTECTION_LABELS.get(protection, protection.replace("-", " "))


@dataclass(frozen=True)
class Missing:
    device: str
    protection: str
    services: list[str]  # the subscribed services that promise it


@dataclass(frozen=True)
class CountDifference:
    what: str  # workstations, servers, network_devices, or devices (the total)
    contracted: int
    found: int


@dataclass
class Delivery:
    """What the latest evidence says about one customer; `evidence_date` None means there is none."""

    customer: str
    evidence_date: dt.date | None
    devices: list[Device] = field(default_factory=list)
    promised: dict[str, list[str]] = field(default_factory=dict)  # protection -> services promising it
    missing: list[Missing] = field(default_factory=list)
    unknown: list[Missing] = field(default_factory=list)  # evidence says neither yes nor no
    stale: list[Device] = field(default_factory=list)
    counts: list[CountDifference] = field(default_factory=list)

    @property
    def has_findings(self) -> bool:
        return bool(self.missing or self.stale or self.counts)

    def coverage(self) -> list[dict[str, Any]]:
        """Per promised protection: devices checked, with it, without it, unknown."""
        rows = []
        for protection in self.promised:
            checked = [d for d in self.devices if d.type in CHECKED_TYPES]
            values = [d.protections.get(protection, "") for d in checked]
            rows.append({"protection": protection, "devices": len(checked), "yes": values.count("yes"),
                         "no": values.count("no"), "unknown": values.count("")})
        return rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "customer": self.customer,
            "evidence_date": self.evidence_date.isoformat() if self.evidence_date else None,
            "devices": len(self.devices),
            "missing": [vars(m) for m in self.missing],
            "unknown": [vars(m) for m in self.unknown],
            "stale": [{"device": d.device, "last_seen": d.last_seen.isoformat()} for d in self.stale],
            "counts": [vars(c) for c in self.counts],
            "coverage": self.coverage(),
        }


def promised_protections(subscribed: list[str] | tuple[str, ...], catalog: Catalog) -> dict[str, list[str]]:
    """Protection -> names of the subscribed services that promise it on every device."""
    promised: dict[str, list[str]] = {}
    for service_id in subscribed:
        for protection in catalog[service_id].delivers:
            promised.setdefault(protection, []).append(catalog[service_id].name)
    return promised


def assess(customer: str, subscribed: list[str] | tuple[str, ...], catalog: Catalog,
           evidence: tuple[dt.date, list[Device]] | None, as_of: dt.date, stale_days: int,
           tolerance_percent: int, contracted: dict[str, int] | None = None) -> Delivery:
    """Findings for one customer from its latest evidence; `contracted` holds the statement of work's
    counts (workstations, servers, network_devices), compared when given."""
    if evidence is None:
        return Delivery(customer, None)
    evidence_date, devices = evidence
    result = Delivery(customer, evidence_date, sorted(devices, key=lambda d: d.device.casefold()),
                      promised_protections(subscribed, catalog))
    for device in result.devices:
        if device.type in CHECKED_TYPES:
            for protection, services in result.promised.items():
                value = device.protections.get(protection, "")
                if value != "yes":
                    (result.missing if value == "no" else result.unknown).append(
                        Missing(device.device, protection, services))
        if (as_of - device.last_seen).days > stale_days:
            result.stale.append(device)
    result.counts = count_differences(result.devices, contracted or {}, tolerance_percent)
    return result


def count_differences(devices: list[Device], contracted: dict[str, int], tolerance_percent: int
                      ) -> list[CountDifference]:
    """Each contracted count the evidence exceeds or falls short of by more than the tolerance.

    Per type when every device reports its type; else the total against the sum of the counts.
    """
    counted = {name: contracted[name] for name in COUNT_OF_TYPE.values() if name in contracted}
    if not counted:
        return []
    if all(device.type for device in devices):
        pairs = [(name, number, sum(1 for d in devices if COUNT_OF_TYPE[d.type] == name))
                 for name, number in counted.items()]
    else:
        pairs = [("devices", sum(counted.values()), len(devices))]
    return [CountDifference(what, number, found) for what, number, found in pairs
            if abs(found - number) * 100 > tolerance_percent * number or (number == 0 and found)]
