"""`mspdocs customers list|check`."""

from __future__ import annotations

import json

from conftest import customer_yaml, write_customer

from mspdocs.cli import cli


def test_list_shows_every_customer(runner, workspace):
    result = runner.invoke(cli, ["-w", str(workspace), "customers", "list", "--format", "json"])
    assert result.exit_code == 0
    rows = {row["id"]: row for row in json.loads(result.output)}
    assert rows["muller-obrien"]["legal_name"] == "Müller & O'Brien Façades, LLC"
    assert rows["pinecrest-law"]["declined"] >= 2
    text = runner.invoke(cli, ["-w", str(workspace), "customers", "list"]).output
    assert text.splitlines()[0].split()[:2] == ["ID", "LEGAL_NAME"]


def test_check_passes_and_fails_with_location(runner, workspace):
    ok = runner.invoke(cli, ["-w", str(workspace), "customers", "check"])
    assert ok.exit_code == 0 and "valid" in ok.output
    write_customer(workspace, customer_yaml().replace("term_months: '24'", "term_months: -3"))
    bad = runner.invoke(cli, ["-w", str(workspace), "customers", "check", "tiny-co"])
    assert bad.exit_code == 2
    assert "tiny-co.yaml:" in bad.output
    assert "agreement.term_months: must be at least 1" in bad.output
