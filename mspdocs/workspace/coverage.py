"""What a customer's statement of work covers: device and user counts, locations, or an inventory file."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from ..errors import InputError, raise_all
from .fields import Fields
from .files import read_text
from .yamlfile import LineList

DEVICE_TYPES = {"workstation": "workstations", "server": "servers", "network-device": "network_devices"}
INVENTORY_COLUMNS = ("name", "type", "location")
_MAX_INVENTORY_BYTES = 5 * 1024 * 1024  # thousands of devices fit; a mistaken export does not


def read_covered(fields: Fields, folder: Path) -> dict[str, Any]:
    """Counts of workstations, servers, network devices and users, and the locations covered.

    With `inventory` (a CSV file relative to the customer record's folder) the devices are listed one
    by one and counted from the list; the counts may then not be given as well.
    """
    fields.reject_unknown({"workstations", "servers", "network_devices", "users", "locations", "inventory"})
    locations = _locations(fields)
    covered: dict[str, Any] = {"users": fields.integer("users", minimum=0), "locations": locations}
    if fields.has("inventory"):
        given = [key for key in DEVICE_TYPES.values() if fields.has(key)]
        if given:
            raise fields.error(given[0], "give the device counts or an inventory file, not both (the "
                                         "inventory is counted)")
        name = fields.text("inventory")
        devices = read_inventory(folder / name, {location["name"] for location in locations})
        covered["inventory"] = {"file": Path(name).name, "devices": devices}
        for device_type, key in DEVICE_TYPES.items():
            covered[key] = sum(1 for device in devices if device["type"] == device_type)
    else:
        for key in DEVICE_TYPES.values():
            covered[key] = fields.integer(key, minimum=0)
    return covered


def _locations(fields: Fields) -> list[dict[str, str]]:
    raw = fields.data.get("locations")
    if not isinstance(raw, list) or not raw:
        raise fields.error("locations", "list at least one covered location, each with a name and an address")
    lines = raw.lines if isinstance(raw, LineList) else [fields.line_of("locations")] * len(raw)
    locations, seen = [], set()
    for index, (item, line) in enumerate(zip(raw, lines)):
        location = Fields(item, fields.path, f"{fields.name('locations')}[{index}]", line=line)
        location.reject_unknown({"name", "address"})
        name = location.text("name")
        if name in seen:
            raise location.error("name", f"location '{name}' is listed twice")
        seen.add(name)
        locations.append({"name": name, "address": location.text("address")})
    return locations


def read_inventory(path: Path, locations: set[str]) -> list[dict[str, str]]:
    """The devices of an inventory CSV (`name,type,location`); every bad row is reported, by line and column."""
    if path.is_file() and path.stat().st_size > _MAX_INVENTORY_BYTES:
        raise InputError(f"the inventory is larger than {_MAX_INVENTORY_BYTES // (1024 * 1024)} MiB", path=path)
    reader = csv.reader(io.StringIO(read_text(path).removeprefix("\ufeff"), newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:  # a NUL byte, an overlong field: not an inventory
        raise InputError(f"not a CSV file: {exc}", path=path, line=reader.line_num or None) from None
    if not rows or [cell.strip().lower() for cell in rows[0]] != list(INVENTORY_COLUMNS):
        raise InputError(f"the first line must be the header {','.join(INVENTORY_COLUMNS)}", path=path, line=1)
    devices, errors, seen = [], [], {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        problems = _row_problems(row, locations, seen)
        errors += [InputError(message, path=path, line=number, field=column) for column, message in problems]
        if not problems:
            name, device_type, location = (cell.strip() for cell in row)
            seen[name.casefold()] = number
            devices.append({"name": name, "type": device_type, "location": location})
    if not devices and not errors:
        errors.append(InputError("the inventory lists no devices", path=path))
    raise_all(errors)
    return devices


def _row_problems(row: list[str], locations: set[str], seen: dict[str, int]) -> list[tuple[str | None, str]]:
    if len(row) != len(INVENTORY_COLUMNS):
        return [(None, f"expected {len(INVENTORY_COLUMNS)} columns ({','.join(INVENTORY_COLUMNS)}), "
                       f"found {len(row)}")]
    name, device_type, location = (cell.strip() for cell in row)
    problems: list[tuple[str | None, str]] = []
    for column, value in zip(INVENTORY_COLUMNS, (name, device_type, location)):
        if not value:
            problems.append((column, "is empty"))
        elif not value.isprintable():
            problems.append((column, "contains a control character"))
    if name and name.casefold() in seen:
        problems.append(("name", f"device '{name}' is listed twice (first on line {seen[name.casefold()]})"))
    if device_type and device_type not in DEVICE_TYPES:
        problems.append(("type", f"'{device_type}' is not a device type (one of {', '.join(DEVICE_TYPES)})"))
    if location and location not in locations:
        problems.append(("location", f"'{location}' is not a covered location (covered: "
                                     f"{', '.join(sorted(locations))})"))
    return problems
