"""Delivery evidence: RMM exports through mapping files, stored once in the register, and the findings."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

from conftest import write_customer, customer_yaml

from mspdocs.cli.main import cli
from mspdocs.delivery.devices import Device
from mspdocs.delivery.findings import assess, count_differences
from mspdocs.delivery.report import delivery_findings
from mspdocs.evidence.register import Register
from mspdocs.workspace.catalog import load_catalog

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "evidence"
AS_OF = dt.date(2026, 11, 29)


def copy_examples(workspace: Path) -> tuple[Path, Path]:
    folder = workspace / "exports"
    shutil.copytree(EXAMPLES, folder)
    return folder / "device-list-export.csv", folder / "device-list.mapping.yaml"


def set_cell(export: Path, row: int, column: str, value: str) -> None:
    """Change one cell of an export; row 1 is the header, as the error messages count."""
    rows = list(csv.reader(export.read_text(encoding="utf-8").splitlines()))
    rows[row - 1][rows[0].index(column)] = value
    with export.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out, lineterminator="\n").writerows(rows)


def run(runner, workspace: Path, *args: str):
    return runner.invoke(cli, ["-w", str(workspace), *args])


def test_both_example_layouts_import_and_are_recorded(runner, workspace):
    copy_examples(workspace)
    for layout in ("device-list", "endpoint-inventory"):
        result = run(runner, workspace, "evidence", "import", str(workspace / "exports" / f"{layout}-export.csv"),
                     "--mapping", str(workspace / "exports" / f"{layout}.mapping.yaml"))
        assert result.exit_code == 0, result.output
        assert "stored" in result.output
    stored = sorted((workspace / "evidence").glob("devices-*.csv"))
    assert len(stored) == 2
    text = stored[0].read_text() + stored[1].read_text()
    assert "customer,device,last_seen,type," in text
    assert "pinecrest-law,PLG-WS04," in text and "muller-obrien,MOB-PC03," in text
    with Register(workspace / "register.sqlite3") as register:
        events = [e for e in register.entries() if e.event == "evidence.imported"]
    assert len(events) == 2
    assert events[0].payload["source"]["name"] == "device-list-export.csv"
    assert run(runner, workspace, "register", "verify").exit_code == 0


def test_the_normalised_form_holds_iso_dates_types_and_yes_no(runner, workspace):
    export, mapping = copy_examples(workspace)
    assert run(runner, workspace, "evidence", "import", str(export), "--mapping", str(mapping)).exit_code == 0
    rows = next((workspace / "evidence").glob("*.csv")).read_text().splitlines()
    assert rows[0] == "customer,device,last_seen,type,antivirus,edr,patching,backup,rmm-agent"
    ws04 = next(row for row in rows if ",PLG-WS04," in row)
    assert ws04 == "pinecrest-law,PLG-WS04,2026-11-23,workstation,no,no,yes,yes,yes"
    firewall = next(row for row in rows if ",PLG-FW01," in row)
    assert firewall == "pinecrest-law,PLG-FW01,2026-11-28,network,,,,,yes"


def test_the_same_export_twice_on_one_day_stores_nothing_new(runner, workspace):
    export, mapping = copy_examples(workspace)
    assert run(runner, workspace, "evidence", "import", str(export), "--mapping", str(mapping)).exit_code == 0
    again = run(runner, workspace, "evidence", "import", str(export), "--mapping", str(mapping))
    assert again.exit_code == 0 and "unchanged" in again.output
    assert len(list((workspace / "evidence").glob("*.csv"))) == 1


def test_an_unknown_value_names_row_and_column_and_stores_nothing(runner, workspace):
    export, mapping = copy_examples(workspace)
    set_cell(export, 4, "Antivirus", "Probably")
    result = run(runner, workspace, "evidence", "import", str(export), "--mapping", str(mapping))
    assert result.exit_code == 2
    assert "row 4, column 'Antivirus': unknown value 'Probably'" in result.output
    assert not (workspace / "evidence").exists()
    assert not (workspace / "register.sqlite3").exists()


def test_a_missing_mapped_column_is_named(runner, workspace):
    export, mapping = copy_examples(workspace)
    export.write_text(export.read_text().replace("EDR Agent", "EDR"))
    result = run(runner, workspace, "evidence", "import", str(export), "--mapping", str(mapping))
    assert result.exit_code == 2
    assert "row 1: mapped column missing from the export: 'EDR Agent' (for edr)" in result.output
    assert not (workspace / "evidence").exists()


def test_a_date_in_no_listed_format_and_an_unknown_site_are_named(runner, workspace):
    export, mapping = copy_examples(workspace)
    set_cell(export, 3, "Last Check-in", "2026-11-22")
    set_cell(export, 6, "Site", "Pinecrest Law Grp")
    result = run(runner, workspace, "evidence", "import", str(export), "--mapping", str(mapping))
    assert result.exit_code == 2
    assert "row 3, column 'Last Check-in': '2026-11-22' matches none of the date formats" in result.output
    assert "row 6, column 'Site': 'Pinecrest Law Grp' is not a customer of this workspace" in result.output


def test_ambiguous_date_formats_are_refused_not_guessed(runner, workspace):
    export, mapping = copy_examples(workspace)
    mapping.write_text(mapping.read_text().replace('dates: ["%m/%d/%Y %I:%M %p", "%m/%d/%Y"]',
                                                   'dates: ["%m/%d/%Y %I:%M %p", "%d/%m/%Y %I:%M %p"]'))
    set_cell(export, 3, "Last Check-in", "11/05/2026 10:14 AM")
    result = run(runner, workspace, "evidence", "import", str(export), "--mapping", str(mapping))
    assert result.exit_code == 2
    assert "row 3, column 'Last Check-in': '11/05/2026 10:14 AM' is ambiguous under the date formats " \
           "(2026-05-11, 2026-11-05)" in result.output


def test_a_mapping_naming_an_unknown_protection_is_refused(runner, workspace):
    export, mapping = copy_examples(workspace)
    mapping.write_text(mapping.read_text().replace("  edr: EDR Agent", "  xdr: EDR Agent"))
    result = run(runner, workspace, "evidence", "import", str(export), "--mapping", str(mapping))
    assert result.exit_code == 2
    assert "device-list.mapping.yaml" in result.output and "columns.xdr: unknown field" in result.output


def test_an_oversized_export_is_refused_unread(runner, workspace, monkeypatch):
    import mspdocs.delivery.store as store

    export, mapping = copy_examples(workspace)
    monkeypatch.setattr(store, "MAX_BYTES", 100)
    result = run(runner, workspace, "evidence", "import", str(export), "--mapping", str(mapping))
    assert result.exit_code == 2 and "file is too large" in result.output


def test_findings_name_missing_protections_and_stale_devices(runner, workspace):
    export, mapping = copy_examples(workspace)
    assert run(runner, workspace, "evidence", "import", str(export), "--mapping", str(mapping)).exit_code == 0
    [pinecrest] = delivery_findings(["pinecrest-law"], workspace=workspace, as_of=AS_OF)
    missing = {(m.device, m.protection) for m in pinecrest.missing}
    # Pinecrest declined EDR: a device without it is no finding; anti-virus and backup are promised.
    assert missing == {("PLG-WS04", "antivirus"), ("PLG-LT02", "backup")}
    assert pinecrest.stale == []
    [granite] = delivery_findings(["granite-ridge-accounting"], workspace=workspace, as_of=AS_OF)
    assert [(d.device, d.last_seen.isoformat()) for d in granite.stale] == [("GRA-LT06", "2026-10-19")]
    result = run(runner, workspace, "evidence", "findings", "--as-of", "2026-11-29")
    assert result.exit_code == 1
    assert "muller-obrien" in result.output  # in no export: said so, not silently fine
    [muller] = delivery_findings(["muller-obrien"], workspace=workspace, as_of=AS_OF)
    assert muller.evidence_date is None and not muller.has_findings


def test_stale_days_come_from_the_profile(runner, workspace):
    export, mapping = copy_examples(workspace)
    profile = workspace / "mspdocs.toml"
    profile.write_text(profile.read_text().replace("stale_days = 30", "stale_days = 90"))
    assert run(runner, workspace, "evidence", "import", str(export), "--mapping", str(mapping)).exit_code == 0
    [granite] = delivery_findings(["granite-ridge-accounting"], workspace=workspace, as_of=AS_OF)
    assert granite.stale == []  # 41 days is stale under 30, not under 90


def test_a_later_import_replaces_the_customers_it_lists(runner, workspace):
    export, mapping = copy_examples(workspace)
    assert run(runner, workspace, "evidence", "import", str(export), "--mapping", str(mapping)).exit_code == 0
    fixed = export.parent / "fixed.csv"
    lines = [line.replace("Not Installed,Not Installed", "Installed,Not Installed") for line in
             export.read_text().splitlines() if line.startswith(("Site,", "Pinecrest"))]
    fixed.write_text("\n".join(lines) + "\n")
    assert run(runner, workspace, "evidence", "import", str(fixed), "--mapping", str(mapping)).exit_code == 0
    [pinecrest, bright] = delivery_findings(["pinecrest-law", "bright-harbor-dental"], workspace=workspace,
                                            as_of=AS_OF)
    assert {m.protection for m in pinecrest.missing} == {"backup"}
    assert bright.evidence_date is not None  # still from the first import


def device(name: str, kind: str = "workstation", **protections: str) -> Device:
    return Device("tiny-co", name, dt.date(2026, 11, 20), kind, protections)


def test_count_differences_beyond_the_tolerance():
    devices = [device(f"ws{i}") for i in range(12)] + [device("srv", "server")]
    assert count_differences(devices, {"workstations": 11, "servers": 1}, 10) == []
    [drift] = count_differences(devices, {"workstations": 10, "servers": 1}, 10)
    assert (drift.what, drift.contracted, drift.found) == ("workstations", 10, 12)
    untyped = devices + [device("mystery", "")]
    [total] = count_differences(untyped, {"workstations": 10, "servers": 1}, 10)
    assert (total.what, total.contracted, total.found) == ("devices", 11, 14)


def test_unknown_is_not_missing_and_network_devices_need_no_antivirus(workspace):
    catalog = load_catalog(workspace / "catalog.yaml")
    devices = [device("ws1", antivirus="yes"), device("ws2", antivirus=""), device("sw1", "network")]
    found = assess("tiny-co", ["endpoint-av"], catalog, (AS_OF, devices), AS_OF, 30, 10)
    assert found.missing == [] and [m.device for m in found.unknown] == ["ws2"]
    assert found.coverage() == [{"protection": "antivirus", "devices": 2, "yes": 1, "no": 0, "unknown": 1}]
