"""Shared fixtures: tiny workspaces built in tmp_path from the built-in defaults."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from mspdocs.workspace.folder import init_workspace

AS_OF = dt.date(2026, 11, 27)


# The MSP the test workspaces describe, in place of the built-in sample (which generate refuses).
TEST_MSP = {
    "Harborlight IT Services, LLC": "Lakeside Managed IT, LLC",
    "Harborlight IT": "Lakeside IT",
    "contracts@harborlight.example": "contracts@lakeside-it.example",
    "+1 207 555 0100": "+1 207 555 0177",
    "75 Commercial Street, Suite 300": "9 Wharf Street",
    "Dana Whitcomb": "Robin Vale",
    "dana.whitcomb@harborlight.example": "robin.vale@lakeside-it.example",
    "Phone: +1 207 555 0100": "Phone: +1 207 555 0177",
    "Email: support@harborlight.example": "Email: support@lakeside-it.example",
    "Portal: support.harborlight.example": "Portal: support.lakeside-it.example",
}


def write_msp_profile(workspace: Path) -> Path:
    """Make the workspace's mspdocs.toml describe the test MSP (Lakeside IT) instead of the sample."""
    path = workspace / "mspdocs.toml"
    text = path.read_text(encoding="utf-8")
    for sample, own in TEST_MSP.items():  # longest first: the legal name before the short name
        assert f'"{sample}"' in text, sample
        text = text.replace(f'"{sample}"', f'"{own}"')
    path.write_text(text, encoding="utf-8")
    return workspace


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A fresh workspace with the example portfolio, describing the test MSP."""
    return write_msp_profile(init_workspace(tmp_path / "ws", examples=True))


@pytest.fixture
def empty_workspace(tmp_path: Path) -> Path:
    """A fresh workspace without customers, describing the test MSP."""
    return write_msp_profile(init_workspace(tmp_path / "ws", examples=False))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def write_customer(workspace: Path, text: str, name: str | None = None) -> Path:
    """Write a customer file (named after its id unless `name` is given)."""
    import re

    if name is None:
        name = re.search(r"^id:\s*(\S+)", text, re.MULTILINE).group(1).strip("'\"") + ".yaml"
    path = workspace / "customers" / name
    path.write_text(text, encoding="utf-8")
    return path


def catalog_ids() -> list[str]:
    """The ids of the built-in catalog's services, in catalog order."""
    from mspdocs.workspace.catalog import load_catalog
    from mspdocs.workspace.folder import defaults_root

    return list(load_catalog(defaults_root() / "catalog.yaml").services)


def classify(subscribed=("helpdesk", "patching"), declined=("edr",), excluded=None,
             recommended_on: str = "2025-12-01") -> dict:
    """A `services` section with every catalog service classified: the ones not named are excluded.

    Declined services may be given as ids (recommended on `recommended_on`) or as full mappings.
    """
    declined = [item if isinstance(item, dict) else {"id": item, "recommended_on": recommended_on}
                for item in declined]
    named = set(subscribed) | {item["id"] for item in declined}
    if excluded is None:
        excluded = [sid for sid in catalog_ids() if sid not in named]
    return {"subscribed": list(subscribed), "declined": declined, "excluded": list(excluded)}


def customer_record(id: str = "tiny-co", legal_name: str = "Tiny Co, LLC", signatory: str = "Pat Doe") -> dict:
    """A small valid customer record: every service classified (a declined one, exclusions), priced and
    dated; current insurance."""
    return {
        "id": id,
        "legal_name": legal_name,
        "address": {"street": "1 Main St", "city": "Portland", "region": "ME", "postal_code": "04101",
                    "country": "US"},
        "industry": "dental",
        "signatory": {"name": signatory, "title": "Owner", "email": "owner@example.com"},
        "agreement": {"effective": "2026-01-01", "term_months": "24", "monthly_fee": "1000.00",
                      "currency": "USD", "governing_law": "Maine"},
        # 10 users x $95.00 help desk + 5 workstations x $10.00 (negotiated) patching = $1,000.00
        "covered": {"workstations": "5", "servers": "1", "network_devices": "2", "users": "10",
                    "locations": [{"name": "Main office", "address": "1 Main St, Portland, ME 04101"}]},
        "services": {**classify(), "prices": {"patching": "10.00"}},
        "insurance": {"carrier": "Coalition", "policy_number": "C-1", "limit": "1000000",
                      "expires": "2027-03-31", "proof_on_file": "true"},
    }


def customer_yaml(**kwargs) -> str:
    """The YAML text of `customer_record(**kwargs)`, every value quoted as the user could write it."""
    import yaml

    return yaml.safe_dump(customer_record(**kwargs), allow_unicode=True, sort_keys=False, width=10_000)


def issue_baas(workspace: Path) -> None:
    """Issue the business associate agreements the example healthcare customers' agreements require."""
    from mspdocs.batch import generate

    generate("baa", None, workspace=workspace)
