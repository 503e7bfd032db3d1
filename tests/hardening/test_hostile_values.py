"""Hostile text in every string field of a customer: each document kind prints the value verbatim wherever it
prints that field (body, tables, headers, footers), or refuses the record with exit status 2."""

from __future__ import annotations

import datetime as dt
import string
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import customer_record, customer_yaml, write_customer, write_msp_profile
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mspdocs.batch import prepare, render_one
from mspdocs.errors import MspdocsError
from mspdocs.render.documents import KINDS
from mspdocs.render.gate import document_texts
from mspdocs.workspace.customers import parse_customer
from mspdocs.workspace.folder import init_workspace, open_workspace

AS_OF = dt.date(2026, 11, 27)
CUSTOMER = "tiny-co"
# Every string field of a customer record (the id names the file; it is checked by the catalogue).
FIELDS = ("legal_name", "industry", "account_manager", "notes", "address.street", "address.city",
          "address.region", "address.postal_code", "address.country", "signatory.name", "signatory.title",
          "signatory.email", "agreement.governing_law", "insurance.carrier", "insurance.policy_number")
EXAMPLES_PER_KIND = 700  # three kinds: 2,100 hostile records in all

# Text that has broken document generators: markup, template syntax, XML and Markdown specials, entities,
# whitespace of every kind, right-to-left and combining text, and arbitrary Unicode.
PRINTABLE = ["&", "<", ">", '"', "'", "{{", "}}", "{%", "%}", "{#", "*", "_", "`", "#", "|", "\\", "]]>", "&amp;",
             "&#x41;", "\u00a0", "\u200b", "\u0301", "\U0001f600", "\u05d0\u05d1", "NaN", "None", "-0", "1e400",
             "%s", "{0}", "  ", "[x](http://e.example)", "<w:t>", "${x}"]
REFUSED_OR_STRIPPED = ["\t", "\n", "\r\n", "\u202e", "\u2028", "\ufeff", "\x00", "\x0b"]
VISIBLE = st.characters(blacklist_categories=("Cc", "Cs"))
TEXT = st.lists(st.one_of(st.sampled_from(PRINTABLE), st.sampled_from(PRINTABLE), st.text(VISIBLE, min_size=1, max_size=8),
                          st.text(alphabet=string.ascii_letters + string.punctuation + " ", min_size=1, max_size=8),
                          st.sampled_from(REFUSED_OR_STRIPPED)),
                min_size=1, max_size=6).map("".join)


def _set(record: dict, dotted: str, value: str) -> dict:
    record = {key: dict(item) if isinstance(item, dict) else item for key, item in record.items()}
    *parents, leaf = dotted.split(".")
    target = record
    for part in parents:
        target = target[part]
    target[leaf] = value
    return record


def _get(data: dict, dotted: str):
    for part in dotted.split("."):
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def _text(data: bytes) -> str:
    return "\n".join(line for lines in document_texts(data).values() for line in lines)


@pytest.fixture(scope="module")
def jobs(tmp_path_factory) -> dict:
    """A prepared batch of one customer per document kind, and the fields each kind prints."""
    root = init_workspace(tmp_path_factory.mktemp("values") / "ws", examples=True)
    write_msp_profile(root)
    base = dict(customer_record(), account_manager="Alex Account", notes="Plain notes.")
    write_customer(root, customer_yaml())
    workspace = open_workspace(root)
    prepared = {}
    for kind in ("agreement", "risk-letter", "insurance-notice"):
        job = prepare(workspace, kind, [CUSTOMER], AS_OF)
        markers = base
        for index, name in enumerate(FIELDS):
            if name not in ("address.country", "signatory.email"):
                markers = _set(markers, name, f"Mark{index}q")
        shown = _text(_render(job, markers))
        printed = [name for index, name in enumerate(FIELDS) if f"Mark{index}q" in shown]
        printed += [name for name in ("address.country", "signatory.email") if _get(base, name) in shown]
        prepared[kind] = (job, base, printed)
    return prepared


def _render(job, record: dict) -> bytes:
    customer = parse_customer(record, Path(f"{CUSTOMER}.yaml"), job.workspace, job.catalog)
    return render_one(replace(job, customers={CUSTOMER: customer}), CUSTOMER).data


def test_every_kind_prints_the_customer_fields_it_is_checked_on(jobs):
    assert {"legal_name", "signatory.name", "address.street"} <= set(jobs["agreement"][2])
    assert "legal_name" in jobs["risk-letter"][2] and "insurance.carrier" in jobs["insurance-notice"][2]


@pytest.mark.parametrize("kind", ["agreement", "risk-letter", "insurance-notice"])
@settings(max_examples=EXAMPLES_PER_KIND, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=st.sampled_from(FIELDS), value=TEXT)
def test_a_hostile_value_is_printed_verbatim_or_refused(jobs, kind, name, value):
    assert kind in KINDS
    job, base, printed = jobs[kind]
    record = _set(base, name, value)
    try:
        data = _render(job, record)
    except MspdocsError as exc:
        assert exc.exit_code == 2, str(exc)
        event("refused")
        return
    event("rendered and checked" if name in printed else "rendered (field not printed by this kind)")
    stored = _get(parse_customer(record, Path(f"{CUSTOMER}.yaml"), job.workspace, job.catalog).data, name)
    if name in printed and isinstance(stored, str):
        assert stored in _text(data), f"{name}={stored!r} is not in the {kind} verbatim"
