"""Mapping files: how one RMM tool's device export becomes the normalised device CSV, nothing guessed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError, raise_all
from ..workspace.fields import Fields
from ..workspace.yamlfile import read_yaml
from .devices import DEVICE_TYPES, MAX_ERRORS, Device, read_rows, row_error

_VALUE_WORDS = {"yes": "yes", "no": "no", "unknown": ""}


@dataclass(frozen=True)
class Mapping:
    """A validated mapping file: export column per normalised column, and the export's words."""

    path: Path
    columns: dict[str, str]  # normalised column -> export column
    date_formats: tuple[str, ...]
    values: dict[str, str]  # casefolded export value -> yes / no / "" (unknown)
    types: dict[str, str]  # casefolded export value -> workstation / server / network
    customers: dict[str, str]  # export value (exact) -> customer id

    @property
    def protections(self) -> list[str]:
        return [name for name in self.columns if name not in ("customer", "device", "last_seen", "type")]


def load_mapping(path: Path, protections: list[str]) -> Mapping:
    """Read and check a mapping file against the catalog's protections."""
    top = Fields(read_yaml(path), path)
    top.reject_unknown({"description", "columns", "dates", "values", "types", "customers"})
    columns_fields = top.section("columns")
    columns_fields.reject_unknown({"customer", "device", "last_seen", "type", *protections})
    columns = {key: columns_fields.text(key) for key in columns_fields.data}
    for required in ("customer", "device", "last_seen"):
        if required not in columns:
            raise columns_fields.error(required, "required column mapping is missing")
    if len(columns) == 3 + ("type" in columns):
        raise top.error("columns", "maps no protection column (known: " + ", ".join(protections) + ")")
    formats = tuple(text for text, _ in top.text_list("dates")) or ("%Y-%m-%d",)
    for text in formats:
        if "%" not in text:
            raise top.error("dates", f"'{text}' is not a date format (e.g. %m/%d/%Y)")
    values = _words(top, "values", _VALUE_WORDS, required=True)
    types = _words(top, "types", {name: name for name in DEVICE_TYPES}, required="type" in columns)
    customers_fields = top.section("customers", required=False)
    customers = {key: customers_fields.text(key) for key in customers_fields.data} if customers_fields else {}
    return Mapping(path, columns, formats, values, types, customers)


def _words(top: Fields, key: str, meanings: dict[str, str], required: bool) -> dict[str, str]:
    """`export word: meaning` pairs, keyed case-insensitively."""
    fields = top.section(key, required=required)
    if fields is None:
        return {}
    words = {}
    for word in fields.data:
        meaning = fields.text(word)
        if meaning not in meanings:
            raise fields.error(word, f"'{meaning}' is not one of {', '.join(meanings)}")
        words[word.strip().casefold()] = meanings[meaning]
    return words


def convert(text: str, source: Path, mapping: Mapping, customer_ids: set[str]) -> list[Device]:
    """Every row of an export as a Device; each unknown value or missing column names its row and column."""
    header, rows = read_rows(text, source)
    missing = [f"'{column}' (for {name})" for name, column in mapping.columns.items() if column not in header]
    if missing:
        raise InputError(f"row 1: mapped column missing from the export: {', '.join(missing)} "
                         f"(mapping {mapping.path.name})", path=source, line=1)
    devices, errors = [], []
    for line, row in rows:
        try:
            devices.append(_device(row, line, source, mapping, customer_ids))
        except InputError as exc:
            errors.append(exc)
            if len(errors) >= MAX_ERRORS:
                break
    raise_all(errors)
    return devices


def _device(row: dict[str, str], line: int, source: Path, mapping: Mapping, customer_ids: set[str]) -> Device:
    cols = mapping.columns

    def cell(name: str) -> str:
        return row[cols[name]].strip()

    for name in ("customer", "device"):
        if not cell(name):
            raise row_error(source, line, cols[name], "is empty")
    customer = mapping.customers.get(cell("customer"), cell("customer"))
    if customer not in customer_ids:
        raise row_error(source, line, cols["customer"], f"'{cell('customer')}' is not a customer of this "
                        "workspace (map it under customers: in the mapping file)")
    kind = ""
    if "type" in cols and cell("type"):
        kind = mapping.types.get(cell("type").casefold())
        if kind is None:
            raise row_error(source, line, cols["type"], f"unknown device type '{cell('type')}' (add it under "
                            "types: in the mapping file)")
    protections = {}
    for name in mapping.protections:
        value = mapping.values.get(cell(name).casefold())
        if value is None:
            raise row_error(source, line, cols[name], f"unknown value '{cell(name)}' (add it under values: "
                            "in the mapping file as yes, no or unknown)")
        protections[name] = value
    return Device(customer, cell("device"), _date(cell("last_seen"), mapping, source, line), kind, protections)


def _date(text: str, mapping: Mapping, source: Path, line: int) -> dt.date:
    """The one date `text` means under the mapping's formats; none, or two different ones, is an error."""
    column = mapping.columns["last_seen"]
    found = set()
    for form in mapping.date_formats:
        try:
            found.add(dt.datetime.strptime(text, form).date())
        except ValueError:
            continue
    if not found:
        raise row_error(source, line, column, f"'{text}' matches none of the date formats "
                        f"{', '.join(mapping.date_formats)}")
    if len(found) > 1:
        raise row_error(source, line, column, f"'{text}' is ambiguous under the date formats "
                        f"({', '.join(sorted(d.isoformat() for d in found))})")
    return found.pop()
