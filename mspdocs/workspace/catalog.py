"""The service catalog: every service the MSP sells, and the risk a customer keeps by declining it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from .fields import Fields, gathering
from .yamlfile import read_yaml

SERVICE_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
SERVICE_CATEGORIES = ("baseline", "advanced-security", "compliance", "onsite")


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    category: str
    description: str
    risk_if_declined: str
    insurer_controls: tuple[str, ...]
    delivers: tuple[str, ...]

    def to_context(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "category": self.category,
            "description": self.description,
            "risk_if_declined": self.risk_if_declined,
            "insurer_controls": list(self.insurer_controls),
            "delivers": list(self.delivers),
        }


@dataclass(frozen=True)
class Catalog:
    path: Path
    services: dict[str, Service]
    insurer_controls: dict[str, str]

    def __contains__(self, service_id: str) -> bool:
        return service_id in self.services

    def __getitem__(self, service_id: str) -> Service:
        return self.services[service_id]


def _service(fields: Fields, controls: dict[str, str]) -> Service:
    fields.reject_unknown({"id", "name", "category", "description", "risk_if_declined",
                           "insurer_controls", "delivers"})
    service_id = fields.text("id")
    if service_id is not None and not SERVICE_ID.fullmatch(service_id):
        fields.report("id", f"'{service_id}' is not a service id (lowercase letters, digits, hyphens)")
    category = fields.text("category")
    if category is not None and category not in SERVICE_CATEGORIES:
        fields.report("category", f"'{category}' is not one of {', '.join(SERVICE_CATEGORIES)}")
    insurer = fields.text_list("insurer_controls")
    for control, line in insurer:
        if control not in controls:
            fields.report_error(InputError(f"unknown insurer control '{control}' (not in insurer_controls)",
                                           path=fields.path, line=line, field=fields.name("insurer_controls")))
    return Service(
        id=service_id,
        name=fields.text("name"),
        category=category,
        description=fields.text("description"),
        risk_if_declined=fields.text("risk_if_declined"),
        insurer_controls=tuple(control for control, _ in insurer),
        delivers=tuple(item for item, _ in fields.text_list("delivers")),
    )


def load_catalog(path: Path) -> Catalog:
    """Read and validate catalog.yaml, reporting every problem (field and line) at once."""
    with gathering([]) as problems:
        return _catalog(Fields(read_yaml(path), path, problems=problems), path)


def _catalog(top: Fields, path: Path) -> Catalog:
    top.reject_unknown({"services", "insurer_controls"})
    controls_fields = top.section("insurer_controls")
    controls = {key: controls_fields.text(key) for key in controls_fields.data} if controls_fields else {}
    raw_services = top.data.get("services")
    if not isinstance(raw_services, list) or not raw_services:
        top.report("services", "expected a non-empty list of services")
        raw_services = []
    services: dict[str, Service] = {}
    for index, raw in enumerate(raw_services):
        try:
            service = _service(Fields(raw, path, f"services[{index}]", problems=top.problems), controls)
        except InputError as exc:  # an item that is not a mapping at all
            top.report_error(exc)
            continue
        if service.id in services:
            top.report_error(InputError(f"duplicate service id '{service.id}'", path=path,
                                        line=getattr(raw, "line", None), field=f"services[{index}].id"))
        services[service.id] = service
    return Catalog(path=path, services=services, insurer_controls=controls)
