"""Customer records from a PSA company export: a stub per company, through a mapping file, never overwriting."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, MspdocsError, MultipleErrors, raise_all
from .catalog import load_catalog
from .customers import CUSTOMER_ID, RESERVED_IDS, customer_files, parse_customer
from .fields import Fields
from .files import read_text_bounded
from .folder import open_workspace
from .writer import write_new
from .yamlfile import parse_yaml, read_yaml

MAX_BYTES = 16 * 1024 * 1024
MAX_ROWS = 100_000
MAX_ERRORS = 20
REQUIRED = ("legal_name", "street", "city", "region", "postal_code", "country")
OPTIONAL = ("id", "street2", "industry", "contact_name", "contact_title", "contact_email")
CONTACT = ("contact_name", "contact_title", "contact_email")
# Company-form words left out of an id made from the legal name ("Acme Dental, P.C." -> acme-dental).
_FORMS = {"inc", "llc", "pllc", "pc", "pa", "ltd", "llp", "lp", "co", "corp", "corporation", "company"}


@dataclass(frozen=True)
class PsaMapping:
    """Which export column holds each field, and the export's words for countries and industries."""

    path: Path
    columns: dict[str, str]
    countries: dict[str, str]
    industries: dict[str, str]


@dataclass
class Imported:
    """What `customers import` did: records created, and companies skipped with the reason."""

    created: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "skipped": self.skipped}


def load_psa_mapping(path: Path) -> PsaMapping:
    top = Fields(read_yaml(path), path)
    top.reject_unknown({"columns", "countries", "industries"})
    columns_fields = top.section("columns")
    columns_fields.reject_unknown({*REQUIRED, *OPTIONAL})
    columns = {key: columns_fields.text(key, required=key in REQUIRED) for key in (*REQUIRED, *OPTIONAL)}
    words = {}
    for key in ("countries", "industries"):
        section = top.section(key, required=False)
        words[key] = {name: section.text(name) for name in section.data} if section else {}
    for export_word, code in words["countries"].items():
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise top.error(f"countries.{export_word}", f"'{code}' is not a two-letter country code (e.g. US)")
    return PsaMapping(path, {k: v for k, v in columns.items() if v}, words["countries"], words["industries"])


def customer_id_for(legal_name: str) -> str:
    """A customer id from a legal name: ASCII letters and digits, hyphens between words, no company form."""
    ascii_name = unicodedata.normalize("NFKD", legal_name).encode("ascii", "ignore").decode("ascii").lower()
    words = [w for w in re.split(r"[^a-z0-9]+", ascii_name.replace("'", "").replace(".", "")) if w]
    while len(words) > 1 and words[-1] in _FORMS:
        words.pop()
    return "-".join(words)[:64].strip("-")


def read_export(path: Path, mapping: PsaMapping) -> list[tuple[int, dict[str, str]]]:
    """The export's rows (with their line numbers); a mapped column missing from the header is an error."""
    text = read_text_bounded(path, MAX_BYTES).lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise InputError("the export is empty", path=path) from None
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", path=path, line=1) from None
    missing = [f"'{column}' (for {name})" for name, column in mapping.columns.items() if column not in header]
    if missing:
        raise InputError(f"row 1: the export has no column {', '.join(missing)} (named in {mapping.path.name})",
                         path=path, line=1)
    rows = []
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if len(values) != len(header):
                raise InputError(f"row {reader.line_num} has {len(values)} values, the header {len(header)}",
                                 path=path, line=reader.line_num)
            rows.append((reader.line_num, dict(zip(header, (value.strip() for value in values)))))
            if len(rows) > MAX_ROWS:
                raise InputError(f"more than {MAX_ROWS:,} rows", path=path, line=reader.line_num)
    except csv.Error as exc:
        raise InputError(f"malformed CSV: {exc}", path=path, line=reader.line_num) from None
    return rows


def _cell_error(path: Path, row: int, column: str, message: str) -> InputError:
    return InputError(f"row {row}, column '{column}': {message}", path=path, line=row, field=column)


def stub_values(row: dict[str, str], line: int, path: Path, mapping: PsaMapping) -> dict[str, Any]:
    """One company's record values from its row; an empty required cell or an unknown word is an error."""
    columns = mapping.columns
    values = {name: row[column] for name, column in columns.items()}
    for name in REQUIRED:
        if not values[name]:
            raise _cell_error(path, line, columns[name], f"is empty (the record's {name.replace('_', ' ')})")
    country = mapping.countries.get(values["country"], values["country"])
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise _cell_error(path, line, columns["country"], f"'{values['country']}' is neither a two-letter "
                                                          f"country code nor listed under countries: in "
                                                          f"{mapping.path.name}")
    street = ", ".join(part for part in (values["street"], values.get("street2", "")) if part)
    record: dict[str, Any] = {
        "id": values.get("id") or customer_id_for(values["legal_name"]),
        "legal_name": values["legal_name"],
        "address": {"street": street, "city": values["city"], "region": values["region"],
                    "postal_code": values["postal_code"], "country": country},
    }
    if values.get("industry"):
        record["industry"] = mapping.industries.get(values["industry"], values["industry"])
    contact = [values.get(name, "") for name in CONTACT]
    if all(contact):
        record["signatory"] = dict(zip(("name", "title", "email"), contact))
    return record


def stub_yaml(record: dict[str, Any], source: str, line: int, today: dt.date) -> str:
    """The record's YAML: every value double-quoted (JSON strings are YAML), so nothing is reinterpreted."""
    def flow(mapping: dict[str, str]) -> str:
        return "{" + ", ".join(f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in mapping.items()) + "}"

    lines = [f"# Imported from {source} (row {line}) on {today.isoformat()} by `mspdocs customers import`.",
             "# Not yet classified: add the agreement terms and the services (subscribed, declined, excluded)",
             "# before generating documents; until then the audit lists this customer as having no contract."]
    for key, value in record.items():
        lines.append(f"{key}: {flow(value) if isinstance(value, dict) else json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def import_customers(export: str | Path, mapping: str | Path, *, workspace: str | Path | None = None,
                     today: dt.date | None = None) -> Imported:
    """A customer record stub per company of a PSA export; existing records are skipped, never overwritten.

    Every row is checked (each error names its row and column) before anything is written.
    """
    space = open_workspace(workspace)
    export, mapping_path = Path(export), Path(mapping)
    rules = load_psa_mapping(mapping_path)
    catalog = load_catalog(space.path("catalog"))
    existing = {path.stem: path for path in customer_files(space)}
    day = today or dt.date.today()
    result, planned, errors = Imported(), {}, []
    for line, row in read_export(export, rules):
        try:
            record = stub_values(row, line, export, rules)
            customer_id = record["id"]
            target = space.path("customers") / f"{customer_id}.yaml"
            if not CUSTOMER_ID.fullmatch(customer_id) or customer_id in RESERVED_IDS:
                raise _cell_error(export, line, rules.columns.get("id", rules.columns["legal_name"]),
                                  f"'{customer_id}' cannot be a customer id (lowercase letters, digits, hyphens)")
            if customer_id in existing:
                result.skipped.append({"customer": customer_id, "row": line, "legal_name": record["legal_name"],
                                       "reason": f"a record exists ({existing[customer_id].name}); never overwritten"})
                continue
            if customer_id in planned:
                result.skipped.append({"customer": customer_id, "row": line, "legal_name": record["legal_name"],
                                       "reason": f"the same id as row {planned[customer_id][0]}; map an id column"})
                continue
            text = stub_yaml(record, export.name, line, day)
            _validate(text, target, space, catalog, rules, export, line)
            planned[customer_id] = (line, target, text, record)
        except MspdocsError as exc:
            errors.append(exc)
            if len(errors) >= MAX_ERRORS:
                break
    raise_all(errors)
    for customer_id, (line, target, text, record) in planned.items():
        write_new(target, text.encode("utf-8"))
        note = "" if "signatory" in record else "no complete primary contact (name, title, email): add a signatory"
        result.created.append({"customer": customer_id, "row": line, "legal_name": record["legal_name"],
                               "path": str(target), "note": note})
    return result


# The record's fields that come from the contact columns (the rest are named as in the mapping).
_FIELD_COLUMN = {"signatory.name": "contact_name", "signatory.title": "contact_title",
                 "signatory.email": "contact_email"}


def _validate(text: str, target: Path, space, catalog, rules: PsaMapping, export: Path, line: int) -> None:
    """The stub must read as a (partial) customer record; each problem is reported at the export's row and
    column."""
    try:
        parse_customer(parse_yaml(text, target), target, space, catalog, partial=True)
    except MspdocsError as exc:
        found = exc.errors if isinstance(exc, MultipleErrors) else [exc]
        raise_all([_at_cell(error, rules, export, line) for error in found])


def _at_cell(error: MspdocsError, rules: PsaMapping, export: Path, line: int) -> InputError:
    name = _FIELD_COLUMN.get(error.field or "", (error.field or "").removeprefix("address."))
    column = rules.columns.get(name)
    if column is None:
        return InputError(f"row {line}: {error.field or 'record'}: {error.message}", path=export, line=line)
    return _cell_error(export, line, column, error.message)
