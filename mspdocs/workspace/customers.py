"""Customer records: one YAML file per customer, validated completely before anything renders."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from ..errors import InputError, MspdocsError, raise_all
from .catalog import Catalog, backup_terms
from .coverage import read_covered
from .fields import Fields, gathering
from .folder import MAX_DAYS, MAX_MONTHS, Workspace, term_limit, venue
from .pricing import monthly_total, price_line
from .support import read_service_levels
from .yamlfile import LineList, read_yaml

# A customer id names its folder under output/, so it can never hold a separator or a dot-dot.
CUSTOMER_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
SERVICE_LISTS = ("subscribed", "declined", "excluded")
RESERVED_IDS = {"clause-book"}  # folders under output/ that hold documents of no customer
_TOP_FIELDS = {"id", "legal_name", "address", "industry", "signatory", "agreement", "covered", "services",
               "service_levels", "backup", "insurance", "qbr", "account_manager", "notes", "contacts"}


@dataclass(frozen=True)
class Customer:
    """A validated customer record; `data` holds plain values ready for a document context."""

    id: str
    path: Path
    data: dict[str, Any]
    services: dict[str, tuple[str, ...]]
    # Per declined service: recommended_on, and the reason and compensating_controls when recorded.
    declined: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Per classified service: quantity, unit price and monthly amount for this customer.
    prices: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def legal_name(self) -> str:
        return self.data["legal_name"]


def _agreement(fields: Fields, workspace: Workspace) -> dict[str, Any]:
    fields.reject_unknown({"effective", "term_months", "monthly_fee", "currency", "governing_law",
                           "renewal_months", "payment_terms_days", "notice_days",
                           "insurance_required", "liability_cap_amount", "venue"})
    defaults = workspace.profile.agreement_defaults
    currency = fields.currency("currency", default=workspace.profile.msp["currency"])
    agreement = {
        "effective": fields.date("effective"),
        "term_months": fields.integer("term_months", minimum=1, maximum=MAX_MONTHS),
        "monthly_fee": fields.amount("monthly_fee", required=False, minimum=0),
        "currency": currency,
        "governing_law": fields.text("governing_law"),
        "insurance_required": _or_default(fields.boolean("insurance_required", required=False),
                                          workspace.profile.msp["insurance_required"]),
    }
    for key in ("renewal_months", "payment_terms_days", "notice_days"):
        agreement[key] = _or_default(fields.integer(key, required=False, minimum=0, maximum=term_limit(key)),
                                     defaults[key])
    agreement["venue"] = venue(fields, "venue") or defaults["venue"]
    cap = fields.amount("liability_cap_amount", required=False, minimum=0)
    if cap is not None:
        agreement["liability_cap_amount"] = cap
    return agreement


def _or_default(value: Any, default: Any) -> Any:
    return default if value is None else value


def _insurance(fields: Fields) -> dict[str, Any]:
    fields.reject_unknown({"carrier", "policy_number", "limit", "expires", "proof_on_file"})
    insurance = {
        "carrier": fields.text("carrier"),
        "policy_number": fields.text("policy_number"),
        "limit": fields.amount("limit", minimum=0),
        "expires": fields.date("expires"),
        "proof_on_file": _or_default(fields.boolean("proof_on_file", required=False), False),
    }
    return insurance


def _services(fields: Fields, catalog: Catalog, partial: bool = False
              ) -> tuple[dict[str, tuple[str, ...]], dict[str, dict[str, Any]]]:
    """The three lists, each catalog service in exactly one of them (at most one when `partial`), and the
    facts of each declined one."""
    if fields.has("recommended_on"):
        raise fields.error("recommended_on", "give each declined service its own date: "
                                             "declined: [{id: edr, recommended_on: YYYY-MM-DD}]")
    fields.reject_unknown({*SERVICE_LISTS, "prices"})
    seen: dict[str, tuple[str, int | None]] = {}
    lists: dict[str, tuple[str, ...]] = {}
    declined: dict[str, dict[str, Any]] = {}
    misspelt = False
    for list_name in SERVICE_LISTS:
        ids = []
        entries = _declined_entries(fields) if list_name == "declined" else [
            (service_id, line, None) for service_id, line in fields.text_list(list_name)]
        for service_id, line, facts in entries:
            field = fields.name(list_name)
            if service_id not in catalog:
                fields.report_error(InputError(f"unknown service id '{service_id}' (not in "
                                               f"{catalog.path.name})", path=fields.path, line=line, field=field))
                misspelt = True
                continue
            if service_id in seen:
                other, other_line = seen[service_id]
                where = f"{other} on line {other_line}" if other_line else other
                fields.report_error(InputError(f"service '{service_id}' is both {other} and {list_name} "
                                               f"({where})", path=fields.path, line=line, field=field))
                continue
            seen[service_id] = (list_name, line)
            ids.append(service_id)
            if facts is not None:
                declined[service_id] = facts
        lists[list_name] = tuple(ids)
    unclassified = [service_id for service_id in catalog.services if service_id not in seen]
    # A misspelt id is the likely missing one: it is reported already. The audit reads (`partial`) and
    # reports what is unclassified.
    if unclassified and not misspelt and not partial:
        raise InputError(f"{fields.path.stem}: every catalog service must be subscribed, declined or excluded; "
                         f"not classified: "
                         f"{', '.join(unclassified)}", path=fields.path, line=fields.line, field=fields.prefix)
    return lists, declined


def _declined_entries(fields: Fields) -> list[tuple[str, int | None, dict[str, Any]]]:
    """`declined` items: {id, recommended_on, reason?, compensating_controls?}, each with its line."""
    raw = fields.data.get("declined")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise fields.error("declined", "expected a list")
    lines = raw.lines if isinstance(raw, LineList) else [fields.line_of("declined")] * len(raw)
    entries = []
    for index, (item, line) in enumerate(zip(raw, lines)):
        prefix = f"{fields.name('declined')}[{index}]"
        if isinstance(item, str):
            raise InputError(f"declined service '{item.strip()}' needs the date it was recommended: write "
                             f"{{id: {item.strip()}, recommended_on: YYYY-MM-DD}}", path=fields.path, line=line,
                             field=prefix)
        entry = Fields(item, fields.path, prefix, line=line)
        entry.reject_unknown({"id", "recommended_on", "reason", "compensating_controls"})
        facts: dict[str, Any] = {"recommended_on": entry.date("recommended_on")}
        for optional in ("reason", "compensating_controls"):
            if entry.has(optional):
                facts[optional] = entry.text(optional)
        entries.append((entry.text("id"), line, facts))
    return entries


def _price_overrides(fields: Fields, catalog: Catalog) -> dict[str, Decimal]:
    prices = fields.section("prices", required=False)
    if prices is None:
        return {}
    for service_id in prices.data:
        if service_id not in catalog:
            raise prices.error(service_id, f"unknown service id '{service_id}' (not in {catalog.path.name})")
    return {service_id: prices.amount(service_id, minimum=0) for service_id in prices.data}


def _pricing(top: Fields, data: dict[str, Any], lists: dict[str, tuple[str, ...]],
             overrides: dict[str, Decimal], catalog: Catalog, workspace: Workspace) -> dict[str, dict[str, Any]]:
    """Each classified service priced for this customer; the stated monthly fee must be their total."""
    agreement = data["agreement"]
    if agreement["currency"] != workspace.profile.msp["currency"]:
        unpriced = [sid for name in ("subscribed", "declined") for sid in lists[name] if sid not in overrides]
        if unpriced:
            raise top.error("services", f"catalog prices are in {workspace.profile.msp['currency']}; for an "
                                        f"agreement in {agreement['currency']} give services.prices for "
                                        f"{', '.join(unpriced)}")
    prices = {sid: price_line(catalog, sid, data["covered"], overrides) for ids in lists.values() for sid in ids}
    total = monthly_total([prices[sid] for sid in lists["subscribed"]])
    stated = agreement["monthly_fee"]
    if stated is not None and stated != total:
        raise top.section("agreement").error(
            "monthly_fee", f"the monthly fee {stated} does not equal the total of the subscribed services, "
                           f"{total} (quantity x unit price per service; see covered and services.prices)")
    agreement["monthly_fee"] = total
    return prices


def _contacts(top: Fields) -> list[dict[str, str]]:
    """Other people of the customer who attend reviews (name, title, email each)."""
    raw = top.data.get("contacts")
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise top.error("contacts", "expected a list of people (name, title, email)")
    return [Fields({f"contacts[{index}]": item}, top.path, top.prefix, getattr(item, "line", None)
                   or top.line_of("contacts")).person(f"contacts[{index}]") for index, item in enumerate(raw)]


def read_customer(path: Path, workspace: Workspace, catalog: Catalog, partial: bool = False) -> Customer:
    """Read and validate one customer file."""
    return parse_customer(read_yaml(path), path, workspace, catalog, partial)


def parse_customer(raw: Any, path: Path, workspace: Workspace, catalog: Catalog,
                   partial: bool = False) -> Customer:
    """Validate one customer record already read from YAML (all scalars as text); every problem of the
    record is reported at once, each with its field and line.

    `partial` accepts a record without agreement, covered, services or signatory (a stub made by
    `customers import`) or with services left unclassified: the audit reads those to show what is
    missing; documents are never made from them.
    """
    with gathering([]) as problems:
        return _customer(Fields(raw, path, problems=problems), path, workspace, catalog, partial)


def _sections(top: Fields, parse, *keys: str, **options):
    """`parse(section, ...)` for a section that could be read (None when it is absent or bad)."""
    section = top.section(*keys, **options)
    return None if section is None else parse(section)


def _id_problem(customer_id: str, path: Path) -> str | None:
    if not CUSTOMER_ID.fullmatch(customer_id):
        return (f"'{customer_id}' is not a customer id: use lowercase letters, digits and hyphens (it names "
                "the customer's folder under output/)")
    if customer_id in RESERVED_IDS:
        return f"'{customer_id}' is reserved: output/{customer_id}/ holds the library's own documents; choose another id"
    if customer_id != path.stem:
        return f"'{customer_id}' does not match the file name '{path.name}'"
    return None


def _customer(top: Fields, path: Path, workspace: Workspace, catalog: Catalog, partial: bool) -> Customer:
    top.reject_unknown(_TOP_FIELDS)
    customer_id = top.text("id")
    problem = _id_problem(customer_id, path) if customer_id is not None else None
    if problem:
        top.report("id", problem)
    data: dict[str, Any] = {
        "id": customer_id,
        "legal_name": top.text("legal_name"),
        "address": top.address("address"),
        "industry": top.text("industry", required=False) or "unspecified",
        "signatory": top.person("signatory") if not partial or top.has("signatory") else None,
        "agreement": _sections(top, lambda section: _agreement(section, workspace), "agreement",
                               required=not partial),
    }
    insurance = _sections(top, _insurance, "insurance", required=False)
    if insurance is not None:
        data["insurance"] = insurance
    qbr = top.section("qbr", required=False)
    cadence = qbr.integer("cadence_days", required=False, minimum=1, maximum=MAX_DAYS) if qbr else None
    data["qbr"] = {"cadence_days": cadence or workspace.profile.msp["qbr_cadence_days"]}
    for optional in ("account_manager", "notes"):
        if top.has(optional):
            data[optional] = top.text(optional, multiline=optional == "notes")
    contacts = _contacts(top)
    if contacts:
        data["contacts"] = contacts
    if partial and not top.has("services"):  # an imported stub: nothing classified, nothing priced yet
        data["covered"] = read_covered(top.section("covered"), path.parent) if top.has("covered") else None
        return Customer(id=customer_id, path=path, data=data, services={name: () for name in SERVICE_LISTS})
    if not top.has("services"):
        raise top.error("services", f"{path.stem} is not classified yet: list every catalog service under "
                                    "services (subscribed, declined or excluded) before making its documents")
    data["covered"] = read_covered(top.section("covered"), path.parent)
    recorded = len(top.problems or [])
    lists, declined = _services(top.section("services"), catalog, partial)
    prices = {}
    if len(top.problems or []) == recorded and data["agreement"] is not None:  # misread lists: only noise
        prices = _pricing(top, data, lists, _price_overrides(top.section("services"), catalog), catalog,
                          workspace)
    levels = top.section("service_levels", required=False)
    data["service_levels"] = read_service_levels(levels, complete=False) if levels else {}
    data["backup"] = _backup_overrides(top, lists, catalog)
    return Customer(id=customer_id, path=path, data=data, services=lists, declined=declined, prices=prices)


def _backup_overrides(top: Fields, lists: dict[str, tuple[str, ...]], catalog: Catalog) -> dict[str, str]:
    """The customer's changes to the backup commitments of the backup services it subscribes to."""
    fields = top.section("backup", required=False)
    if fields is None:
        return {}
    if not any(catalog[sid].backup for sid in lists["subscribed"]):
        raise top.error("backup", "backup terms are given, but the customer subscribes to no backup service")
    return backup_terms(fields, required=False)


def customer_files(workspace: Workspace) -> list[Path]:
    folder = workspace.path("customers")
    if not folder.is_dir():
        raise InputError("the customers folder is missing", path=folder)
    return sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))


def load_customers(workspace: Workspace, catalog: Catalog, ids: list[str] | None = None,
                   partial: bool = False, on_unclassified: Callable[[str, str], None] | None = None
                   ) -> list[Customer]:
    """Validate every named customer (all when `ids` is None), reporting every bad file at once;
    `partial` accepts imported stubs (see `parse_customer`). Given `on_unclassified`, a batch over all
    customers leaves out each stub whose services are not classified yet and reports it there (a stub
    named in `ids` is still an error)."""
    files = customer_files(workspace)
    if ids is not None:
        by_stem = {path.stem: path for path in files}
        missing = [customer_id for customer_id in ids if customer_id not in by_stem]
        if missing:
            raise InputError(f"no such customer: {', '.join(missing)}", path=workspace.path("customers"))
        files = [path for customer_id in dict.fromkeys(ids) for path in files if path.stem == customer_id]
    customers, errors = [], []
    seen: dict[str, Path] = {}
    for path in files:
        if path.stem in seen:
            errors.append(InputError(f"a second record for customer '{path.stem}' (also {seen[path.stem].name}); "
                                     "keep one file per customer", path=path))
            continue
        seen[path.stem] = path
        try:
            raw = read_yaml(path)
            if on_unclassified is not None and ids is None and not partial and _unclassified(raw):
                on_unclassified(path.stem, UNCLASSIFIED_SKIP.format(file=path.name))
                continue
            customers.append(parse_customer(raw, path, workspace, catalog, partial))
        except MspdocsError as exc:
            errors.append(exc)
    raise_all(errors)
    return customers


UNCLASSIFIED_SKIP = ("not classified yet; list every catalog service under services: in {file} (subscribed, "
                     "declined or excluded), then generate its documents")


def _unclassified(raw: Any) -> bool:
    """A record without services (a stub made by `customers import`): not ready for documents."""
    return isinstance(raw, dict) and raw.get("services") in (None, "")


def customer_summary(customer: Customer) -> dict[str, Any]:
    """One row of `customers list`."""
    insurance = customer.data.get("insurance")
    return {
        "id": customer.id,
        "legal_name": customer.legal_name,
        "subscribed": len(customer.services["subscribed"]),
        "declined": len(customer.services["declined"]),
        "excluded": len(customer.services["excluded"]),
        "devices": sum(customer.data["covered"][key] for key in ("workstations", "servers", "network_devices")),
        "users": customer.data["covered"]["users"],
        "monthly_fee": f"{customer.data['agreement']['monthly_fee']:.2f}",
        "currency": customer.data["agreement"]["currency"],
        "insurance_expires": insurance["expires"].isoformat() if insurance else None,
        "file": str(customer.path),
    }


def list_customers(workspace: str | Path | None = None, ids: list[str] | None = None,
                   on_unclassified: Callable[[str, str], None] | None = None) -> list[dict[str, Any]]:
    """Validate the customers of a workspace and summarise each (errors are raised together); with
    `on_unclassified`, stubs not classified yet are left out of a listing of all and reported there."""
    from .catalog import load_catalog
    from .folder import open_workspace

    space = open_workspace(workspace)
    return [customer_summary(c) for c in load_customers(space, load_catalog(space.path("catalog")), ids,
                                                        on_unclassified=on_unclassified)]
