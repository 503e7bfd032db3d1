"""The record that a QBR was held, its action items, and which customers are due or overdue."""

from __future__ import annotations

import json

import pytest

from mspdocs.cli.main import cli
from mspdocs.evidence.register import Register
from mspdocs.qbr.meetings import parse_action, read_histories
from mspdocs.workspace.folder import open_workspace
from mspdocs.errors import InputError


def run(runner, workspace, *args):
    return runner.invoke(cli, ["-w", str(workspace), "qbr", *args])


def record(runner, workspace, customer="pinecrest-law", held_on="2026-08-20", *extra):
    result = run(runner, workspace, "record", customer, "--held-on", held_on, "--attendee", "Thomas Kearney",
                 "--attendee", "Dana Whitcomb", *extra)
    assert result.exit_code == 0, result.output
    return result


def test_a_qbr_is_a_register_event_with_attendees_actions_and_notes(runner, workspace, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Discussed MFA & backups.\n", encoding="utf-8")
    result = record(runner, workspace, "pinecrest-law", "2026-08-20",
                    "--action", "Enable MFA for all staff; owner=Thomas Kearney; due=2026-10-15",
                    "--action", "Replace PLG-WS06; due=2026-09-30", "--notes", str(notes))
    assert "A1\tEnable MFA for all staff (owner Thomas Kearney) due 2026-10-15" in result.output
    with Register(workspace / "register.sqlite3") as register:
        [entry] = [e for e in register.entries() if e.event == "qbr.held"]
    assert entry.customer == "pinecrest-law"
    assert entry.payload["attendees"] == ["Thomas Kearney", "Dana Whitcomb"]
    assert entry.payload["actions"][1] == {"id": "A2", "text": "Replace PLG-WS06", "owner": None,
                                           "due": "2026-09-30"}
    assert entry.payload["notes"]["text"] == "Discussed MFA & backups.\n"
    assert runner.invoke(cli, ["-w", str(workspace), "register", "verify"]).exit_code == 0


def test_action_ids_continue_across_qbrs_and_close_once(runner, workspace):
    record(runner, workspace, "pinecrest-law", "2026-05-20", "--action", "First")
    record(runner, workspace, "pinecrest-law", "2026-08-20", "--action", "Second", "--action", "Third")
    assert run(runner, workspace, "close-action", "pinecrest-law", "a2").exit_code == 0
    again = run(runner, workspace, "close-action", "pinecrest-law", "A2")
    assert again.exit_code == 2 and "was closed on" in again.output
    unknown = run(runner, workspace, "close-action", "pinecrest-law", "A9")
    assert unknown.exit_code == 2 and "no action 'A9' (open: A1, A3)" in unknown.output
    history = read_histories(open_workspace(workspace))["pinecrest-law"]
    assert [a.id for a in history.open_actions] == ["A1", "A3"]
    assert history.last.held_on.isoformat() == "2026-08-20"


@pytest.mark.parametrize("text, expected", [
    ("Enable MFA; owner=Jane Roe; due=2027-01-15", {"text": "Enable MFA", "owner": "Jane Roe", "due": "2027-01-15"}),
    ("Enable MFA; due=2027-01-15; owner=Jane Roe", {"text": "Enable MFA", "owner": "Jane Roe", "due": "2027-01-15"}),
    ("Review A; then B", {"text": "Review A; then B", "owner": None, "due": None}),
    ("Owner=me is a fine text", {"text": "Owner=me is a fine text", "owner": None, "due": None}),
])
def test_action_syntax(text, expected):
    assert parse_action(text) == expected


@pytest.mark.parametrize("text", ["; owner=Jane", "X; due=2027-02-30", "X; owner=A; owner=B", "X; owner="])
def test_bad_actions_are_refused(text):
    with pytest.raises(InputError):
        parse_action(text)


@pytest.mark.parametrize("args, message", [
    (["record", "no-such-co", "--held-on", "2026-08-20", "--attendee", "X"], "no such customer: no-such-co"),
    (["record", "pinecrest-law", "--held-on", "2026-02-30", "--attendee", "X"], "is not a date"),
    (["record", "pinecrest-law", "--held-on", "2999-01-01", "--attendee", "X"], "is in the future"),
    (["record", "pinecrest-law", "--held-on", "2026-08-20", "--attendee", "X", "--action", "Y; due=soon"],
     "'soon' is not a date"),
    (["record", "pinecrest-law", "--held-on", "2026-08-20", "--attendee", "X", "--agenda", "QBA-NOTHERE"],
     "no QBR agenda of pinecrest-law"),
    (["close-action", "no-such-co", "A1"], "no such customer: no-such-co"),
    (["close-action", "pinecrest-law", "A1", "--closed-on", "yesterday"], "is not a date"),
    (["list", "--as-of", "2026-13-01"], "is not a date"),
])
def test_bad_dates_and_unknown_customers_exit_2_and_record_nothing(runner, workspace, args, message):
    result = run(runner, workspace, *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    register = workspace / "register.sqlite3"
    if register.exists():
        with Register(register) as opened:
            assert opened.entries() == []


def test_list_orders_overdue_first_and_exits_1_by_as_of(runner, workspace):
    # pinecrest-law: cadence 90 days; held on 2026-08-20, so the next is due 2026-11-18.
    record(runner, workspace, "pinecrest-law", "2026-08-20")
    before = run(runner, workspace, "list", "--as-of", "2026-11-18", "--format", "json")
    rows = {row["customer"]: row for row in json.loads(before.output)}
    assert rows["pinecrest-law"] == {"customer": "pinecrest-law", "legal_name": "Pinecrest Law Group, PLLC",
                                     "cadence_days": 90, "last_held": "2026-08-20", "next_due": "2026-11-18",
                                     "overdue": False, "overdue_days": 0, "open_actions": 0}
    after = run(runner, workspace, "list", "--overdue", "--as-of", "2026-11-19")
    assert after.exit_code == 1
    line = next(line for line in after.output.splitlines() if line.startswith("pinecrest-law"))
    assert line.split() == ["pinecrest-law", "2026-08-20", "90", "2026-11-18", "overdue", "1", "day", "0"]
    listed = json.loads(run(runner, workspace, "list", "--as-of", "2026-11-19", "--format", "json").output)
    overdue_flags = [row["overdue"] for row in listed]
    assert overdue_flags == sorted(overdue_flags, reverse=True)  # overdue first


def test_list_exits_0_when_nothing_is_overdue(runner, workspace):
    for customer in ("pinecrest-law", "bright-harbor-dental", "casco-bay-food-pantry", "cascade-family-medicine",
                     "granite-ridge-accounting", "muller-obrien", "northfield-precision"):
        record(runner, workspace, customer, "2026-11-01")
    result = run(runner, workspace, "list", "--overdue", "--as-of", "2026-12-01")
    assert result.exit_code == 0 and result.output == ""
    full = run(runner, workspace, "list", "--as-of", "2026-12-01")
    assert full.exit_code == 0 and full.output.count("2026-11-01") == 7


def test_a_customer_without_any_qbr_is_due_one_cadence_after_the_agreement(runner, workspace):
    rows = json.loads(run(runner, workspace, "list", "--as-of", "2026-03-01", "--format", "json").output)
    pinecrest = next(row for row in rows if row["customer"] == "pinecrest-law")
    assert pinecrest["last_held"] is None and pinecrest["next_due"] == "2026-05-02"  # effective 2026-02-01


def test_list_sees_every_change_to_a_record(runner, workspace):
    path = workspace / "customers" / "pinecrest-law.yaml"
    first = json.loads(run(runner, workspace, "list", "--as-of", "2026-03-01", "--format", "json").output)
    assert next(r for r in first if r["customer"] == "pinecrest-law")["next_due"] == "2026-05-02"
    path.write_text(path.read_text().replace("cadence_days: 90", "cadence_days: 30"))
    second = json.loads(run(runner, workspace, "list", "--as-of", "2026-03-01", "--format", "json").output)
    assert next(r for r in second if r["customer"] == "pinecrest-law")["next_due"] == "2026-03-03"
    path.write_text(path.read_text().replace("cadence_days: 30", "cadence_days: thirty"))
    broken = run(runner, workspace, "list")
    assert broken.exit_code == 2 and "pinecrest-law.yaml" in broken.output and "qbr.cadence_days" in broken.output


def test_list_leaves_out_a_customer_without_an_agreement(runner, workspace):
    stub = workspace / "customers" / "new-co.yaml"
    stub.write_text('id: new-co\nlegal_name: "New Co"\naddress: {street: "1 Main St", city: Portland, '
                    'region: ME, postal_code: "04101", country: US}\n', encoding="utf-8")
    rows = json.loads(run(runner, workspace, "list", "--as-of", "2026-03-01", "--format", "json").output)
    customers = {row["customer"] for row in rows}
    assert "new-co" not in customers and "pinecrest-law" in customers
    stub.write_text(stub.read_text() + "agreement: {effective: 2026-13-01}\n", encoding="utf-8")
    broken = run(runner, workspace, "list")
    assert broken.exit_code == 2 and "new-co.yaml:4" in broken.output and "agreement.effective" in broken.output
