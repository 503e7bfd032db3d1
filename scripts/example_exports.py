"""Write the two example RMM exports of examples/evidence/, with check-in times relative to one day.

Usage: ``example_exports.py [--as-of YYYY-MM-DD] [OUTDIR]``. Without --as-of the exports are those checked in
(EXAMPLE_DATE); `make demo` writes them for its own date, so the story stays the same on any day: device
counts agree with every statement of work but one (Pinecrest bought three laptops: a scope change to
confirm), a few devices lack a promised protection, and exactly one device (a Granite Ridge laptop) has not
been seen for 41 days.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
from pathlib import Path

EXAMPLE_DATE = dt.date(2026, 11, 29)
STALE_DAYS_AGO = 41
FOLDER = Path(__file__).resolve().parent.parent / "examples" / "evidence"

# Per customer: the export's name for it, then (device, kind) per device; kinds are ws, lt, srv, fw, sw, ap.
DEVICE_LIST = {
    "Pinecrest Law Group": [*((f"PLG-WS{n:02}", "ws") for n in range(1, 12)),
                            *((f"PLG-LT{n:02}", "lt") for n in range(1, 7)),
                            ("PLG-SRV01", "srv"), ("PLG-FW01", "fw"), *((f"PLG-SW0{n}", "sw") for n in (1, 2, 3))],
    "Bright Harbor Dental": [*((f"BHD-FRONT-0{n}", "ws") for n in (1, 2)), *((f"BHD-OP-0{n}", "ws") for n in range(1, 5)),
                             ("BHD-XRAY-01", "ws"), ("BHD-OFFICE-01", "ws"), ("BHD-DR-LAPTOP", "lt"),
                             ("BHD-SRV-01", "srv"), ("BHD-FW-01", "fw"), ("BHD-SW-01", "sw"), ("BHD-AP-01", "ap")],
    "Casco Bay Food Pantry": [*((f"CBFP-WS0{n}", "ws") for n in range(1, 5)), ("CBFP-LT01", "lt"), ("CBFP-LT02", "lt"),
                              ("CBFP-SRV01", "srv"), ("CBFP-FW01", "fw"), ("CBFP-SW01", "sw")],
    "Granite Ridge Accounting": [*((f"GRA-WS{n:02}", "ws") for n in range(1, 15)),
                                 *((f"GRA-LT{n:02}", "lt") for n in range(1, 9)),
                                 ("GRA-SRV01", "srv"), ("GRA-SRV02", "srv"), ("GRA-FW01", "fw"), ("GRA-FW02", "fw"),
                                 *((f"GRA-SW0{n}", "sw") for n in range(1, 5))],
}
ENDPOINT_INVENTORY = {
    "Müller & O'Brien Façades": [*((f"MOB-PC0{n}", "ws") for n in range(1, 5)),
                                 *((f"MOB-FIELD0{n}", "lt") for n in range(1, 4)),
                                 ("MOB-SV01", "srv"), ("MOB-FW01", "fw"), ("MOB-FW02", "fw")],
    "Northfield Precision Machining": [*((f"NPM-PC{n:02}", "ws") for n in range(1, 31)),
                                       *((f"NPM-CNC{n:02}", "ws") for n in range(1, 7)),
                                       *((f"NPM-LT0{n}", "lt") for n in range(1, 4)),
                                       *((f"NPM-SV0{n}", "srv") for n in range(1, 5)),
                                       ("NPM-FW01", "fw"), ("NPM-FW02", "fw"), *((f"NPM-SW{n:02}", "sw") for n in range(1, 11))],
    "Cascade Family Medicine": [*((f"CFM-PTS-PC{n:02}", "ws") for n in range(1, 18)),
                                *((f"CFM-DOV-PC{n:02}", "ws") for n in range(1, 11)),
                                *((f"CFM-LT0{n}", "lt") for n in range(1, 5)),
                                *((f"CFM-SV0{n}", "srv") for n in range(1, 4)),
                                ("CFM-PTS-FW01", "fw"), ("CFM-DOV-FW01", "fw"),
                                *((f"CFM-PTS-SW0{n}", "sw") for n in range(1, 5)), ("CFM-DOV-SW01", "sw"),
                                ("CFM-DOV-SW02", "sw")],
}
# The findings the story needs: device -> (protection, the export's word for its absence).
GAPS = {
    "PLG-WS04": ("antivirus", "Not Installed"), "PLG-LT02": ("backup", "Not Protected"),
    "BHD-XRAY-01": ("edr", "Not Installed"), "GRA-WS05": ("patching", "Failed"),
    "MOB-FIELD02": ("disk-encryption", "Disabled"), "NPM-PC04": ("backup", "Disabled"),
    "NPM-CNC03": ("patching", "Non-compliant"),
}
STALE = "GRA-LT06"
# Services a customer declined: the export shows them absent on every device (they are not promised).
ABSENT = {"Pinecrest Law Group": {"edr"}, "Casco Bay Food Pantry": {"edr"}, "Müller & O'Brien Façades": {"edr"},
          "Northfield Precision Machining": {"disk-encryption"}}
LOGGED = {"Cascade Family Medicine"}  # log forwarding reports only where a SIEM collects it

DEVICE_LIST_COLUMNS = {"antivirus": ("Antivirus", "Installed"), "edr": ("EDR Agent", "Installed"),
                       "patching": ("Patch Status", "Up to date"), "backup": ("Backup Status", "Protected"),
                       "rmm-agent": ("Agent Status", "Active")}
DEVICE_LIST_ABSENT = {"antivirus": "Not Installed", "edr": "Not Installed", "patching": "Pending",
                      "backup": "Not Protected", "rmm-agent": "Offline"}
DEVICE_LIST_TYPES = {"ws": "Desktop", "lt": "Laptop", "srv": "Server", "fw": "Firewall", "sw": "Switch",
                     "ap": "Access Point"}
INVENTORY_COLUMNS = {"antivirus": ("AV Protection", "Enabled"), "edr": ("EDR", "Enabled"),
                     "patching": ("Patch Compliance", "Compliant"), "disk-encryption": ("Disk Encryption", "Enabled"),
                     "rmm-agent": ("Agent Health", "Healthy"), "backup": ("Backup Agent", "Enabled"),
                     "log-forwarding": ("Log Forwarding", "Enabled")}
INVENTORY_ABSENT = {"antivirus": "Disabled", "edr": "Disabled", "patching": "Non-compliant",
                    "disk-encryption": "Disabled", "rmm-agent": "Unhealthy", "backup": "Disabled",
                    "log-forwarding": "Not Reporting"}
INVENTORY_TYPES = {"ws": "Windows Workstation", "lt": "Windows Workstation", "srv": "Windows Server",
                   "fw": "Network Appliance", "sw": "Network Appliance"}


def _spread(name: str, modulo: int) -> int:
    """A stable pseudo-random number for a device, so the exports are the same on every run."""
    return int(hashlib.sha256(name.encode("utf-8")).hexdigest()[:8], 16) % modulo


def last_seen(name: str, kind: str, day: dt.date) -> dt.datetime:
    """Servers and network devices check in daily, desktops within a week, laptops within eleven days."""
    if name == STALE:
        days_ago = STALE_DAYS_AGO
    else:  # the day before the export at the latest, so no check-in lies in the export's future
        days_ago = 1 + _spread(name, {"srv": 1, "fw": 1, "sw": 2, "ap": 2, "ws": 6, "lt": 11}[kind])
    minutes = 6 * 60 + _spread(name + "@", 12 * 60)
    return dt.datetime.combine(day - dt.timedelta(days=days_ago), dt.time()) + dt.timedelta(minutes=minutes)


def states(customer: str, name: str, kind: str, columns: dict, absent: dict) -> dict[str, str]:
    """The export's word per protection for one device; network devices report only the agent (or nothing)."""
    if kind in ("fw", "sw", "ap"):
        return {p: (word if p == "rmm-agent" and "rmm-agent" in columns else "") for p, (_, word) in columns.items()}
    words = {p: word for p, (_, word) in columns.items()}
    for protection in ABSENT.get(customer, ()):
        words[protection] = absent[protection]
    if "log-forwarding" in words and customer not in LOGGED:
        words["log-forwarding"] = absent["log-forwarding"]
    if name in GAPS:
        protection, word = GAPS[name]
        words[protection] = word
    return words


def device_list(day: dt.date) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Site", "Device Name", "Device Class", "Last Check-in",
                     *(column for column, _ in DEVICE_LIST_COLUMNS.values())])
    for customer, devices in DEVICE_LIST.items():
        for name, kind in devices:
            seen = last_seen(name, kind, day)
            stamp = f"{seen:%m/%d/%Y} {seen.hour % 12 or 12}:{seen:%M %p}"
            words = states(customer, name, kind, DEVICE_LIST_COLUMNS, DEVICE_LIST_ABSENT)
            writer.writerow([customer, name, DEVICE_LIST_TYPES[kind], stamp, *words.values()])
    return out.getvalue()


def endpoint_inventory(day: dt.date) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Organization", "Hostname", "OS Type", "Last Contact (UTC)",
                     *(column for column, _ in INVENTORY_COLUMNS.values())])
    for customer, devices in ENDPOINT_INVENTORY.items():
        for name, kind in devices:
            words = states(customer, name, kind, INVENTORY_COLUMNS, INVENTORY_ABSENT)
            writer.writerow([customer, name, INVENTORY_TYPES[kind], f"{last_seen(name, kind, day):%Y-%m-%dT%H:%M:00Z}",
                             *words.values()])
    return out.getvalue()


def write(outdir: Path, day: dt.date) -> list[Path]:
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in (("device-list-export.csv", device_list(day)),
                       ("endpoint-inventory-export.csv", endpoint_inventory(day))):
        (outdir / name).write_text(text, encoding="utf-8")
        written.append(outdir / name)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=EXAMPLE_DATE,
                        help=f"the export's day (default {EXAMPLE_DATE.isoformat()}, the checked-in examples)")
    parser.add_argument("outdir", nargs="?", type=Path, default=FOLDER)
    args = parser.parse_args(argv)
    for path in write(args.outdir, args.as_of):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
