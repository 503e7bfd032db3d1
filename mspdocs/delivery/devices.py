"""The normalised device CSV: customer, device, last_seen, type and one yes/no/empty column per protection."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, raise_all
from ..workspace.catalog import Catalog

FIXED_COLUMNS = ("customer", "device", "last_seen", "type")
DEVICE_TYPES = ("workstation", "server", "network")
VALUES = ("yes", "no", "")  # empty: unknown
MAX_BYTES = 32 * 1024 * 1024
MAX_ROWS = 200_000
MAX_ERRORS = 20  # errors reported at once; a wholly wrong file would otherwise print thousands


@dataclass(frozen=True)
class Device:
    """One device of one customer as the evidence saw it; `protections` maps name -> yes/no/empty."""

    customer: str
    device: str
    last_seen: dt.date
    type: str  # workstation, server, network or empty (not reported)
    protections: dict[str, str]


def protection_names(catalog: Catalog) -> list[str]:
    """Every protection some catalog service promises, in catalog order."""
    return list(dict.fromkeys(p for service in catalog.services.values() for p in service.delivers))


def to_csv(devices: list[Device], protections: list[str]) -> str:
    """The normalised CSV text (sorted by customer and device, so the same evidence hashes the same)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([*FIXED_COLUMNS, *protections])
    for device in sorted(devices, key=lambda d: (d.customer, d.device.casefold(), d.device)):
        writer.writerow([device.customer, device.device, device.last_seen.isoformat(), device.type,
                         *(device.protections.get(name, "") for name in protections)])
    return out.getvalue()


def row_error(path: Path, row: int, column: str, message: str) -> InputError:
    return InputError(f"row {row}, column '{column}': {message}", path=path, line=row, field=column)


def read_rows(text: str, path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and rows of a CSV text, each row with its line number; ragged rows are errors."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise InputError("the CSV file is empty", path=path) from None
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", path=path, line=1) from None
    duplicated = sorted({name for name in header if header.count(name) > 1})
    if duplicated:
        raise InputError(f"column named twice in the header: {', '.join(duplicated)}", path=path, line=1)
    rows = []
    try:
        for values in reader:
            line = reader.line_num
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(header):
                raise InputError(f"row {line} has {len(values)} values, the header {len(header)}",
                                 path=path, line=line)
            rows.append((line, dict(zip(header, values))))
            if len(rows) > MAX_ROWS:
                raise InputError(f"more than {MAX_ROWS:,} rows", path=path, line=line)
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", path=path, line=reader.line_num) from None
    return header, rows


def parse_normalised(text: str, path: Path) -> list[Device]:
    """Read a normalised device CSV (as stored under evidence/); every bad cell is named."""
    header, rows = read_rows(text, path)
    missing = [name for name in ("customer", "device", "last_seen") if name not in header]
    if missing:
        raise InputError(f"missing column: {', '.join(missing)}", path=path, line=1)
    protections = [name for name in header if name not in FIXED_COLUMNS]
    devices, errors = [], []
    for line, row in rows:
        try:
            devices.append(_device(row, line, path, protections))
        except InputError as exc:
            errors.append(exc)
            if len(errors) >= MAX_ERRORS:
                break
    raise_all(errors)
    return devices


def _device(row: dict[str, str], line: int, path: Path, protections: list[str]) -> Device:
    for column in ("customer", "device"):
        if not row[column].strip():
            raise row_error(path, line, column, "is empty")
    seen = row["last_seen"].strip()
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", seen):
            raise ValueError
        last_seen = dt.date.fromisoformat(seen)
    except ValueError:
        raise row_error(path, line, "last_seen", f"'{seen}' is not a date (YYYY-MM-DD)") from None
    kind = row.get("type", "").strip()
    if kind not in (*DEVICE_TYPES, ""):
        raise row_error(path, line, "type", f"'{kind}' is not one of {', '.join(DEVICE_TYPES)} or empty")
    values = {}
    for name in protections:
        value = row[name].strip()
        if value not in VALUES:
            raise row_error(path, line, name, f"'{value}' is not yes, no or empty")
        values[name] = value
    return Device(row["customer"].strip(), row["device"].strip(), last_seen, kind, values)
