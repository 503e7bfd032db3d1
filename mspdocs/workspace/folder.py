"""The workspace: one MSP's folder of profile, catalog, clauses, templates, customers and outputs."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import InputError
from .fields import MAX_INTEGER, Fields, gathering
from .files import check_inside, confine
from .support import read_rates, read_service_levels, read_support
from .tomlfile import read_toml
from .writer import current_umask

PROFILE_NAME = "mspdocs.toml"
MAX_MONTHS = 1200  # a term of a hundred years; more is a typing error, never a contract
MAX_DAYS = 36_500
_MAX_PATH = 4096  # PATH_MAX on Linux
# Each document is rendered within these (README, "Limits"); [limits] in mspdocs.toml changes them.
LIMIT_DEFAULTS = {"render_seconds": 30, "render_memory_mb": 1024}
_LIMIT_RANGES = {"render_seconds": (1, 3600), "render_memory_mb": (64, 65536)}
_PATH_DEFAULTS = {
    "catalog": "catalog.yaml",
    "clauses": "clauses",
    "templates": "templates",
    "customers": "customers",
    "output": "output",
    "register": "register.sqlite3",
    "received": "received",
    "trust": "trust",
    "evidence": "evidence",
}
# How delivery evidence is judged, unless [delivery] in mspdocs.toml says otherwise.
DELIVERY_DEFAULTS = {"stale_days": 30, "trueup_tolerance_percent": 10}


@dataclass(frozen=True)
class Profile:
    """The MSP's own details and the defaults its agreements start from."""

    msp: dict[str, Any]
    agreement_defaults: dict[str, Any]
    paths: dict[str, str]
    signing: dict[str, str] | None = None  # the MSP's certificate for countersigning; never a password
    delivery: dict[str, int] | None = None  # stale_days, trueup_tolerance_percent (DELIVERY_DEFAULTS)
    limits: dict[str, int] = field(default_factory=lambda: dict(LIMIT_DEFAULTS))
    platforms: dict[str, list[str]] | None = None  # e-signature platform name -> its stamp line patterns
    support: dict[str, Any] | None = None  # hours, time zone, channels, after-hours and emergency handling
    service_levels: dict[str, dict[str, str]] | None = None  # P1-P4: definition, response, update, resolution
    rates: dict[str, Any] | None = None  # hourly rates for out-of-scope work, minimum increment


@dataclass(frozen=True)
class Workspace:
    """A workspace folder and its parsed profile; every other file is read on demand."""

    root: Path
    profile: Profile

    def path(self, name: str) -> Path:
        return self.root / self.profile.paths[name]

    @property
    def output_dir(self) -> Path:
        return self.path("output")


def term_limit(key: str) -> int:
    """The largest value a term field may hold: by its unit, months or days."""
    return MAX_MONTHS if key.endswith("_months") else MAX_DAYS


def read_profile(path: Path) -> Profile:
    """Parse and validate mspdocs.toml, reporting every problem (file, field, line) at once."""
    with gathering([]) as problems:
        return _profile(read_toml(path), path, problems)


def _profile(raw: Any, path: Path, problems: list) -> Profile:
    top = Fields(raw, path, problems=problems)
    top.reject_unknown({"msp", "agreement", "paths", "signing", "limits", "platforms", "support",
                        "service_levels", "rates", "delivery"})
    msp = top.section("msp")
    msp.reject_unknown({"name", "legal_name", "email", "phone", "currency", "min_insurance_limit",
                        "qbr_cadence_days", "liability_cap_months", "insurance_required",
                        "address", "signatory", "website", "insurance_minimums"})
    msp_context = {
        "name": msp.text("name"),
        "legal_name": msp.text("legal_name"),
        "email": msp.text("email"),
        "phone": msp.text("phone"),
        "currency": msp.currency("currency"),
        "min_insurance_limit": msp.amount("min_insurance_limit", minimum=0),
        "qbr_cadence_days": msp.integer("qbr_cadence_days", minimum=1, maximum=MAX_DAYS),
        "liability_cap_months": msp.integer("liability_cap_months", minimum=1, maximum=MAX_MONTHS),
        "insurance_required": msp.boolean("insurance_required"),
        "address": msp.address("address"),
        "signatory": msp.person("signatory"),
    }
    if msp.has("website"):
        msp_context["website"] = msp.text("website")
    msp_context["insurance_minimums"] = insurance_minimums(msp.section("insurance_minimums", required=False),
                                                           msp_context["min_insurance_limit"])
    agreement = top.section("agreement")
    agreement.reject_unknown({"renewal_months", "payment_terms_days", "notice_days", "venue"})
    defaults = {
        key: agreement.integer(key, minimum=0, maximum=term_limit(key))
        for key in ("renewal_months", "payment_terms_days", "notice_days")
    }
    defaults["venue"] = venue(agreement, "venue") or "provider"
    paths = dict(_PATH_DEFAULTS)
    custom = top.section("paths", required=False)
    if custom is not None:
        custom.reject_unknown(set(_PATH_DEFAULTS))
        for key in custom.data:
            paths[key] = _relative_path(custom, key)
    return Profile(msp=msp_context, agreement_defaults=defaults, paths=paths,
                   signing=_signing(top.section("signing", required=False)),
                   delivery=_delivery(top.section("delivery", required=False)),
                   limits=_limits(top.section("limits", required=False)),
                   platforms=_platforms(top.section("platforms", required=False)),
                   support=read_support(top.section("support")),
                   service_levels=read_service_levels(top.section("service_levels"), complete=True),
                   rates=read_rates(top.section("rates")))


def _delivery(fields: Fields | None) -> dict[str, int]:
    """The optional [delivery] section: when a device counts as stale, how far counts may drift."""
    return _optional_integers(fields, DELIVERY_DEFAULTS, dict.fromkeys(DELIVERY_DEFAULTS, (0, MAX_INTEGER)))


def _limits(fields: Fields | None) -> dict[str, int]:
    """The optional [limits] section: seconds and MiB of memory one document may take to render."""
    return _optional_integers(fields, LIMIT_DEFAULTS, _LIMIT_RANGES)


def _optional_integers(fields: Fields | None, defaults: dict[str, int],
                       ranges: dict[str, tuple[int, int]]) -> dict[str, int]:
    """A section of whole numbers, each within its range, each defaulted when the section leaves it out."""
    settings = dict(defaults)
    if fields is not None:
        fields.reject_unknown(set(defaults))
        for key, (low, high) in ranges.items():
            value = fields.integer(key, required=False, minimum=low, maximum=high)
            if value is not None:
                settings[key] = value
    return settings


def _relative_path(fields: Fields, key: str) -> str:
    """A [paths] entry: a path inside the workspace, relative to it, never leaving it."""
    value = fields.text(key)
    parts = Path(value).parts
    if Path(value).is_absolute() or ".." in parts or not parts:
        raise fields.error(key, f"'{value}' must be a path inside the workspace, relative to it "
                                "(no leading / and no ..)")
    return value


# The coverages a customer's cyber policy must include, with the minimum limit of each when the profile
# names none; the liability cover defaults to the profile's `min_insurance_limit`.
INSURANCE_COVERAGES = {
    "network_security_privacy": None,
    "breach_response": Decimal(250000),
    "business_interruption": Decimal(250000),
    "cyber_extortion": Decimal(250000),
    "funds_transfer_fraud": Decimal(100000),
}
VENUES = ("provider", "customer")


def insurance_minimums(fields: Fields | None, liability_limit: Decimal) -> dict[str, Decimal]:
    """`[msp.insurance_minimums]`: the minimum limit per required coverage, defaults for those not named."""
    minimums = {key: default or liability_limit for key, default in INSURANCE_COVERAGES.items()}
    if fields is not None:
        fields.reject_unknown(set(INSURANCE_COVERAGES))
        for key in INSURANCE_COVERAGES:
            value = fields.amount(key, required=False, minimum=0)
            if value is not None:
                minimums[key] = value
    return minimums


def venue(fields: Fields, key: str) -> str | None:
    """Whose home courts hear disputes: `provider` (the MSP's) or `customer`."""
    value = fields.text(key, required=False)
    if value is not None and value not in VENUES:
        raise fields.error(key, f"'{value}' is not a venue: use {' or '.join(VENUES)}")
    return value


def _signing(fields: Fields | None) -> dict[str, str] | None:
    """The optional [signing] section: where the PKCS#12 file is and which variable holds its password."""
    if fields is None:
        return None
    if "password" in fields.data:
        raise fields.error("password", "a password never goes in this file; name an environment "
                                       "variable with password_env")
    fields.reject_unknown({"pkcs12", "password_env", "certificate"})
    signing = {"pkcs12": fields.text("pkcs12")}
    for optional in ("password_env", "certificate"):  # certificate: the MSP's own, PEM, for `signed add`
        if fields.has(optional):
            signing[optional] = fields.text(optional)
    return signing


def _platforms(fields: Fields | None) -> dict[str, list[str]] | None:
    """The optional [platforms] table: each e-signature platform's stamp lines, as regular expressions."""
    if fields is None:
        return None
    platforms = {}
    for name in fields.data:
        patterns = [pattern for pattern, _ in fields.text_list(name, required=True)]
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise fields.error(name, f"not a regular expression: {pattern} ({exc})") from None
        platforms[name] = patterns
    return platforms


_ON_OPEN: list[Callable[[Workspace], None]] = []


def on_open(hook: Callable[[Workspace], None]) -> None:
    """Run `hook` on every workspace opened from now on (publishing registers its recovery of interrupted
    batches here, so that whichever command comes next finishes or discards them)."""
    if hook not in _ON_OPEN:
        _ON_OPEN.append(hook)


def open_workspace(root: str | Path | None = None) -> Workspace:
    """The workspace at `root`, else $MSPDOCS_WORKSPACE, else the nearest folder holding mspdocs.toml
    from the current directory up (as git finds its repository), once every `on_open` hook has run on it."""
    named = str(root or os.environ.get("MSPDOCS_WORKSPACE") or "")
    if len(named) > _MAX_PATH or "\0" in named:
        raise InputError(f"the workspace path is not usable ({len(named)} characters; at most {_MAX_PATH}, "
                         "no NUL)", path=named[:60] + "…")
    try:
        folder = Path(named).resolve() if named else find_workspace(Path.cwd())
        exists = os.path.lexists(folder / PROFILE_NAME)  # a FIFO or link is refused by name when read
    except OSError as exc:
        raise InputError(f"cannot open the workspace: {exc.strerror or exc}", path=named[:200]) from None
    profile_path = folder / PROFILE_NAME
    if not exists:
        raise InputError(
            f"not an mspdocs workspace: {PROFILE_NAME} is missing "
            "(create one with `mspdocs init DIR`, or name one with --workspace)",
            path=folder,
        )
    confine(folder)
    workspace = Workspace(root=folder, profile=read_profile(profile_path))
    for name in workspace.profile.paths:
        check_inside(workspace.path(name))  # a folder of [paths] linked out of the workspace is refused
    for hook in _ON_OPEN:
        hook(workspace)
    return workspace


def find_workspace(start: Path) -> Path:
    """The nearest folder, `start` or one of its parents, that holds mspdocs.toml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / PROFILE_NAME).is_file():
            return folder
    raise InputError(f"not in an mspdocs workspace: no {PROFILE_NAME} here or in any folder above "
                     "(create one with `mspdocs init DIR`, or name one with --workspace)", path=start)


def defaults_root() -> Path:
    """Where the built-in clauses, templates, catalog and examples are (the wheel, or a checkout)."""
    package = Path(__file__).resolve().parent.parent  # the mspdocs package
    bundled = package / "_defaults"
    return bundled if bundled.is_dir() else package.parent


def init_workspace(target: str | Path, examples: bool = False) -> Path:
    """Create a workspace from the built-in defaults; refuses a folder that is not empty.

    With `examples`, the sample portfolio comes too, and the built-in clauses come approved as shipped;
    without, the clause library awaits the MSP's own counsel (`mspdocs clauses approve`).
    """
    target = Path(target).resolve()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InputError("refusing to initialise: the folder is not empty", path=target)
    source = defaults_root()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as exc:
        raise InputError(f"cannot create the workspace here: {exc.strerror or exc}", path=target) from None
    try:
        shutil.copyfile(Path(__file__).with_name("profile.toml"), staging / PROFILE_NAME)
        shutil.copyfile(source / "catalog.yaml", staging / "catalog.yaml")
        # The shipped approvals are the sample's, not the MSP's counsel's: a new library awaits review.
        kept_approvals = () if examples else ("approvals.lock", ".approved")
        shutil.copytree(source / "clauses", staging / "clauses", ignore=shutil.ignore_patterns(*kept_approvals))
        shutil.copytree(source / "templates", staging / "templates")
        customers = staging / "customers"
        if examples:
            shutil.copytree(source / "examples" / "customers", customers)
        else:
            customers.mkdir()
        (staging / "output").mkdir()
        os.chmod(staging, 0o777 & ~current_umask())  # mkdtemp makes it private; a workspace is shared
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
