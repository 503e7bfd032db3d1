"""Evidence under evidence/: an RMM export imported through a mapping, stored once, recorded in the register."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..evidence.publish import publish, stage_document
from ..evidence.register import EVIDENCE_IMPORTED, Publication, Register, current_actor, relative_path
from ..workspace.catalog import load_catalog
from ..workspace.customers import customer_files
from ..workspace.files import read_bytes, read_text_bounded
from ..workspace.folder import Workspace, open_workspace
from ..workspace.staging import open_batch
from .devices import MAX_BYTES, Device, parse_normalised, protection_names, to_csv
from .mapping import convert, load_mapping


@dataclass(frozen=True)
class Imported:
    """One stored evidence file, as `evidence import` reports it."""

    path: Path
    sha256: str
    devices: int
    customers: list[str]
    unchanged: bool  # the same evidence was already imported today: nothing new was stored

    def as_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "sha256": self.sha256, "devices": self.devices,
                "customers": self.customers, "unchanged": self.unchanged}


def import_evidence(export: str | Path, mapping: str | Path, *, workspace: str | Path | None = None,
                    by: str | None = None, today: dt.date | None = None) -> Imported:
    """Normalise an RMM export through a mapping file, store it under evidence/ and record it.

    Every row is converted before anything is written; one bad cell stores nothing.
    """
    space = open_workspace(workspace)
    export, mapping = Path(export), Path(mapping)
    catalog = load_catalog(space.path("catalog"))
    rules = load_mapping(mapping, protection_names(catalog))
    customer_ids = {path.stem for path in customer_files(space)}
    devices = convert(read_text_bounded(export, MAX_BYTES), export, rules, customer_ids)
    if not devices:
        raise InputError("the export lists no devices", path=export)
    _no_duplicates(devices, export)
    text = to_csv(devices, rules.protections).encode("utf-8")
    digest = hashlib.sha256(text).hexdigest()
    day = today or dt.date.today()
    target = space.path("evidence") / f"devices-{day.isoformat()}-{digest[:12]}.csv"
    customers = sorted({device.customer for device in devices})
    if target.exists():
        return Imported(target, digest, len(devices), customers, unchanged=True)
    payload = {
        "stored": {"path": relative_path(space, target), "sha256": digest},
        "source": {"name": export.name, "sha256": hashlib.sha256(read_bytes(export)).hexdigest()},
        "mapping": {"name": mapping.name, "sha256": hashlib.sha256(read_bytes(mapping)).hexdigest()},
        "imported_on": day.isoformat(),
        "devices": len(devices),
        "customers": customers,
        "protections": rules.protections,
    }
    with open_batch(space.root) as batch:
        staged = stage_document(batch, target.name, text)
        publish(space, batch, [Publication([(staged, target)], EVIDENCE_IMPORTED, payload)], current_actor(by))
    return Imported(target, digest, len(devices), customers, unchanged=False)


def _no_duplicates(devices: list[Device], export: Path) -> None:
    seen: set[tuple[str, str]] = set()
    for device in devices:
        key = (device.customer, device.device.casefold())
        if key in seen:
            raise InputError(f"device '{device.device}' of {device.customer} is listed twice", path=export)
        seen.add(key)


def latest_evidence(space: Workspace, register: Register | None) -> dict[str, tuple[dt.date, list[Device]]]:
    """Per customer, the devices of the latest import that lists it, and that import's date."""
    if register is None:
        return {}
    latest: dict[str, Any] = {}
    for entry in register.entries(event=EVIDENCE_IMPORTED):
        for customer in entry.payload.get("customers", []):
            latest[customer] = entry
    parsed: dict[int, list[Device]] = {}
    result = {}
    for customer, entry in latest.items():
        if entry.seq not in parsed:
            parsed[entry.seq] = _stored_devices(space, entry.payload)
        devices = [device for device in parsed[entry.seq] if device.customer == customer]
        result[customer] = (dt.date.fromisoformat(entry.payload["imported_on"]), devices)
    return result


def _stored_devices(space: Workspace, payload: dict[str, Any]) -> list[Device]:
    """A stored evidence file, checked against the hash the register holds for it."""
    path = space.root / payload["stored"]["path"]
    data = read_bytes(path)
    if hashlib.sha256(data).hexdigest() != payload["stored"]["sha256"]:
        raise InputError("evidence file was altered since it was imported (SHA-256 differs from the register)",
                         path=path)
    return parse_normalised(data.decode("utf-8"), path)
