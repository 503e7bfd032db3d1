"""The example RMM exports tell one story on any day: one scope change, a few gaps, exactly one stale device."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from mspdocs.cli.main import cli

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "evidence"
LAYOUTS = ("device-list", "endpoint-inventory")


def exports_script():
    spec = importlib.util.spec_from_file_location("example_exports", ROOT / "scripts" / "example_exports.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def import_exports(runner, workspace: Path, folder: Path) -> None:
    for layout in LAYOUTS:
        result = runner.invoke(cli, ["-w", str(workspace), "evidence", "import", str(folder / f"{layout}-export.csv"),
                                     "--mapping", str(EXAMPLES / f"{layout}.mapping.yaml")])
        assert result.exit_code == 0, result.output


def test_the_checked_in_exports_are_the_scripts_output_for_its_date(tmp_path):
    script = exports_script()
    script.write(tmp_path, script.EXAMPLE_DATE)
    for layout in LAYOUTS:
        name = f"{layout}-export.csv"
        assert (tmp_path / name).read_text(encoding="utf-8") == (EXAMPLES / name).read_text(encoding="utf-8")


def test_the_audit_of_the_examples_shows_one_scope_change_one_stale_device_and_a_few_gaps(runner, workspace):
    import_exports(runner, workspace, EXAMPLES)
    result = runner.invoke(cli, ["-w", str(workspace), "audit", "--as-of", "2026-11-29", "--format", "json"])
    assert result.exit_code == 1, result.output
    delivery = {c["customer"]: next(k for k in c["checks"] if k["lesson"] == 5) for c in json.loads(result.output)}
    assert len(delivery) == 7 and all(check["status"] in ("ok", "gap") for check in delivery.values())
    counts = [c for c, check in delivery.items() if "device counts differ" in check["reason"]]
    assert counts == ["pinecrest-law"]
    assert "workstations 17 found, 14 contracted" in delivery["pinecrest-law"]["reason"]
    stale = [c for c, check in delivery.items() if "not seen for more than 30 days" in check["reason"]]
    assert stale == ["granite-ridge-accounting"]
    assert "1 device not seen for more than 30 days: GRA-LT06 (2026-10-19)" in delivery[stale[0]]["reason"]
    assert "1 of 13 devices lacks promised protection: BHD-XRAY-01" in delivery["bright-harbor-dental"]["reason"]
    assert "2 of 22 devices lack promised protection:" in delivery["pinecrest-law"]["reason"]
    assert " 1 devices" not in result.output and " 1 days" not in result.output
    lacking = [c for c, check in delivery.items() if "promised protection:" in check["reason"]]
    assert 3 <= len(lacking) <= 5
    assert {c for c, check in delivery.items() if check["status"] == "ok"} == {"cascade-family-medicine",
                                                                              "casco-bay-food-pantry"}


def test_exports_written_for_another_day_tell_the_same_story(runner, workspace, tmp_path):
    script = exports_script()
    day = "2027-03-15"
    assert script.main(["--as-of", day, str(tmp_path / "exports")]) == 0
    import_exports(runner, workspace, tmp_path / "exports")
    result = runner.invoke(cli, ["-w", str(workspace), "evidence", "findings", "--as-of", day, "--format", "json"])
    assert result.exit_code == 1, result.output
    found = json.loads(result.output)
    assert [(c["customer"], s["device"]) for c in found for s in c["stale"]] == [("granite-ridge-accounting",
                                                                                 "GRA-LT06")]
    assert [c["customer"] for c in found if c["counts"]] == ["pinecrest-law"]
    assert sum(len(c["missing"]) for c in found) == 7
