"""The workspace: one MSP's folder of profile, catalog, clauses, templates, customers and outputs."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import InputError
from .fields import Fields, gathering
from .tomlfile import read_toml
from .writer import current_umask

PROFILE_NAME = "mspdocs.toml"
_PATH_DEFAULTS = {
    "catalog": "catalog.yaml",
    "clauses": "clauses",
    "templates": "templates",
    "customers": "customers",
    "output": "output",
    "register": "register.sqlite3",
    "received": "received",
    "trust": "trust",
}


@dataclass(frozen=True)
class Profile:
    """The MSP's own details and the defaults its agreements start from."""

    msp: dict[str, Any]
    agreement_defaults: dict[str, Any]
    paths: dict[str, str]
    signing: dict[str, str] | None = None  # the MSP's certificate for countersigning; never a password


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


def read_profile(path: Path) -> Profile:
    """Parse and validate mspdocs.toml, reporting every problem (file, field, line) at once."""
    with gathering([]) as problems:
        return _profile(read_toml(path), path, problems)


def _profile(raw: Any, path: Path, problems: list) -> Profile:
    top = Fields(raw, path, problems=problems)
    top.reject_unknown({"msp", "agreement", "paths", "signing"})
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
        "qbr_cadence_days": msp.integer("qbr_cadence_days", minimum=1),
        "liability_cap_months": msp.integer("liability_cap_months", minimum=1),
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
        "renewal_months": agreement.integer("renewal_months", minimum=0),
        "payment_terms_days": agreement.integer("payment_terms_days", minimum=0),
        "notice_days": agreement.integer("notice_days", minimum=0),
        "venue": venue(agreement, "venue") or "provider",
    }
    paths = dict(_PATH_DEFAULTS)
    custom = top.section("paths", required=False)
    if custom is not None:
        custom.reject_unknown(set(_PATH_DEFAULTS))
        for key in custom.data:
            paths[key] = custom.text(key)
    return Profile(msp=msp_context, agreement_defaults=defaults, paths=paths,
                   signing=_signing(top.section("signing", required=False)))


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
    fields.reject_unknown({"pkcs12", "password_env"})
    signing = {"pkcs12": fields.text("pkcs12")}
    if fields.has("password_env"):
        signing["password_env"] = fields.text("password_env")
    return signing


def open_workspace(root: str | Path | None = None) -> Workspace:
    """The workspace at `root`, else $MSPDOCS_WORKSPACE, else the nearest folder holding mspdocs.toml
    from the current directory up (as git finds its repository)."""
    named = root or os.environ.get("MSPDOCS_WORKSPACE")
    folder = Path(named).resolve() if named else find_workspace(Path.cwd())
    profile_path = folder / PROFILE_NAME
    if not profile_path.is_file():
        raise InputError(
            f"not an mspdocs workspace: {PROFILE_NAME} is missing "
            "(create one with `mspdocs init DIR`, or name one with --workspace)",
            path=folder,
        )
    return Workspace(root=folder, profile=read_profile(profile_path))


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
