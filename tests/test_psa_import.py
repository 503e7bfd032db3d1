"""`customers import`: stubs from a PSA export, never overwriting, errors by row and column, then the audit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from mspdocs.cli.main import cli
from mspdocs.workspace.psa import customer_id_for

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "psa"
LAYOUTS = [("company-list-export.csv", "company-list.mapping.yaml", 4),
           ("account-export.csv", "account-export.mapping.yaml", 3)]


def customers_of(workspace: Path) -> set[str]:
    return {path.stem for path in (workspace / "customers").glob("*.yaml")}


@pytest.mark.parametrize("export, mapping, count", LAYOUTS)
def test_each_example_layout_creates_stubs_the_audit_shows_without_contract(runner, workspace, export, mapping,
                                                                           count):
    before = customers_of(workspace)
    result = runner.invoke(cli, ["-w", str(workspace), "customers", "import", str(EXAMPLES / export),
                                 "--mapping", str(EXAMPLES / mapping), "--format", "json"])
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)["created"]
    assert len(created) == count
    new = customers_of(workspace) - before
    assert new == {item["customer"] for item in created}
    audit = runner.invoke(cli, ["-w", str(workspace), "audit", *sorted(new), "--format", "json"])
    assert audit.exit_code == 1
    for customer in json.loads(audit.output):
        lesson1 = customer["checks"][0]
        assert lesson1["status"] == "gap" and lesson1["reason"].startswith("no contract on file")
        assert customer["checks"][1]["status"] == "gap" and "no service is classified" in customer["checks"][1]["reason"]
    # generate stays strict: a stub is no basis for a document
    stub = sorted(new)[0]
    refused = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", stub])
    assert refused.exit_code == 2
    assert f"{stub}.yaml" in refused.output and f"{stub} is not classified yet" in refused.output
    assert "Traceback" not in refused.output


def test_values_survive_as_written(runner, workspace):
    runner.invoke(cli, ["-w", str(workspace), "customers", "import", str(EXAMPLES / "company-list-export.csv"),
                        "--mapping", str(EXAMPLES / "company-list.mapping.yaml")])
    text = (workspace / "customers" / "dumont-fils-notaires.yaml").read_text(encoding="utf-8")
    assert 'legal_name: "Dumont & Fils Notaires, LLP"' in text
    assert 'postal_code: "04005"' in text and '"Élodie Dumont"' in text
    canada = runner.invoke(cli, ["-w", str(workspace), "customers", "import", str(EXAMPLES / "account-export.csv"),
                                 "--mapping", str(EXAMPLES / "account-export.mapping.yaml")])
    assert canada.exit_code == 0
    assert 'country: "CA"' in (workspace / "customers" / "sherbrooke-design-studio.yaml").read_text(encoding="utf-8")


def test_existing_records_are_skipped_with_the_reason_and_never_overwritten(runner, workspace, tmp_path):
    export = tmp_path / "companies.csv"
    shutil.copy(EXAMPLES / "company-list-export.csv", export)
    with export.open("a", encoding="utf-8") as handle:
        handle.write('"Pinecrest Law, PLLC",1 Elm St,,Boston,MA,02110,US,Legal,A B,Partner,ab@x.example,Active\n')
    original = (workspace / "customers" / "pinecrest-law.yaml").read_bytes()
    result = runner.invoke(cli, ["-w", str(workspace), "customers", "import", str(export),
                                 "--mapping", str(EXAMPLES / "company-list.mapping.yaml")])
    assert result.exit_code == 0, result.output
    assert "skipped pinecrest-law (row 6): a record exists (pinecrest-law.yaml); never overwritten" in result.output
    assert "4 created, 1 skipped" in result.output
    assert (workspace / "customers" / "pinecrest-law.yaml").read_bytes() == original
    again = runner.invoke(cli, ["-w", str(workspace), "customers", "import", str(export),
                                "--mapping", str(EXAMPLES / "company-list.mapping.yaml")])
    assert "0 created, 5 skipped" in again.output


@pytest.mark.parametrize("row, needle", [
    ('Acme,1 Elm St,,Portland,ME,04101,Atlantis,Dental,A B,Owner,a@b.example,Active',
     "row 6, column 'Country': 'Atlantis' is neither a two-letter country code"),
    ('Acme,1 Elm St,,,ME,04101,US,Dental,A B,Owner,a@b.example,Active', "row 6, column 'City': is empty"),
    ('Acme,1 Elm St,,Portland,ME,04101,US,Dental,A B,Owner,not-an-email,Active',
     "row 6, column 'Contact Email': 'not-an-email' is not an email address"),
    ('Acme,1 Elm St,,Portland,ME,04101,US,Dental', "row 6 has 8 values"),
])
def test_mapping_errors_name_row_and_column_and_write_nothing(runner, workspace, tmp_path, row, needle):
    export = tmp_path / "companies.csv"
    shutil.copy(EXAMPLES / "company-list-export.csv", export)
    with export.open("a", encoding="utf-8") as handle:
        handle.write(row + "\n")
    before = customers_of(workspace)
    result = runner.invoke(cli, ["-w", str(workspace), "customers", "import", str(export),
                                 "--mapping", str(EXAMPLES / "company-list.mapping.yaml")])
    assert result.exit_code == 2
    assert needle in result.output and "companies.csv" in result.output
    assert customers_of(workspace) == before


def test_a_mapped_column_missing_from_the_export(runner, workspace, tmp_path):
    mapping = tmp_path / "map.yaml"
    mapping.write_text((EXAMPLES / "company-list.mapping.yaml").read_text(encoding="utf-8")
                       .replace("city: City", "city: Town"), encoding="utf-8")
    result = runner.invoke(cli, ["-w", str(workspace), "customers", "import",
                                 str(EXAMPLES / "company-list-export.csv"), "--mapping", str(mapping)])
    assert result.exit_code == 2 and "row 1: the export has no column 'Town' (for city)" in result.output


@pytest.mark.parametrize("name, wanted", [
    ("Acme Dental Group, P.C.", "acme-dental-group"),
    ("Müller & O'Brien Façades, LLC", "muller-obrien-facades"),
    ("Kettle Cove Brewing Co.", "kettle-cove-brewing"),
])
def test_ids_from_legal_names(name, wanted):
    assert customer_id_for(name) == wanted


def test_a_batch_over_all_customers_skips_each_unclassified_stub_and_goes_on(runner, workspace):
    imported = runner.invoke(cli, ["-w", str(workspace), "customers", "import", str(EXAMPLES / "company-list-export.csv"),
                                   "--mapping", str(EXAMPLES / "company-list.mapping.yaml"), "--format", "json"])
    stubs = sorted(item["customer"] for item in json.loads(imported.output)["created"])
    assert len(stubs) == 4
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "qbr-agenda", "--all"])
    assert result.exit_code == 0, result.output
    for stub in stubs:
        assert (f"skipped {stub}: not classified yet; list every catalog service under services: in {stub}.yaml "
                "(subscribed, declined or excluded), then generate its documents") in result.stderr
        assert not (workspace / "output" / stub).exists()
    assert "output/pinecrest-law/qbr-agenda-" in result.stdout.replace("\\", "/")
    listed = runner.invoke(cli, ["-w", str(workspace), "customers", "list"])
    assert listed.exit_code == 0, listed.output
    assert "pinecrest-law" in listed.stdout and not any(stub in listed.stdout for stub in stubs)
    assert f"skipped {stubs[0]}: not classified yet;" in listed.stderr
    checked = runner.invoke(cli, ["-w", str(workspace), "customers", "check"])
    assert checked.exit_code == 0 and "7 customer records valid" in checked.stdout
    # Named, a stub is still refused with the reason, and nothing is written.
    named = runner.invoke(cli, ["-w", str(workspace), "generate", "qbr-agenda", stubs[0]])
    assert named.exit_code == 2
    assert f"{stubs[0]}.yaml" in named.output and f"{stubs[0]} is not classified yet" in named.output
    assert not (workspace / "output" / stubs[0]).exists()
    assert runner.invoke(cli, ["-w", str(workspace), "customers", "check", stubs[0]]).exit_code == 2
