"""`mspdocs init`, the workspace option, and the defaults shipping inside the wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from conftest import write_msp_profile

from mspdocs.cli import cli
from mspdocs.workspace.sample import sample_identity_problems

ROOT = Path(__file__).resolve().parent.parent


def test_init_creates_a_workspace(runner, tmp_path):
    target = tmp_path / "acme"
    result = runner.invoke(cli, ["init", str(target)])
    assert result.exit_code == 0, result.output
    assert (target / "mspdocs.toml").is_file() and (target / "catalog.yaml").is_file()
    assert len(list((target / "clauses").glob("*.md"))) >= 25
    assert (target / "templates" / "agreement.docx").is_file()
    assert (target / "output").is_dir() and not any((target / "customers").iterdir())


def test_init_with_examples_has_the_portfolio(runner, tmp_path):
    result = runner.invoke(cli, ["init", str(tmp_path / "ws"), "--examples"])
    assert result.exit_code == 0
    assert len(list((tmp_path / "ws" / "customers").glob("*.yaml"))) >= 6


def test_init_refuses_a_folder_that_is_not_empty(runner, tmp_path):
    target = tmp_path / "busy"
    target.mkdir()
    (target / "notes.txt").write_text("keep me")
    result = runner.invoke(cli, ["init", str(target)])
    assert result.exit_code == 2
    assert "not empty" in result.output
    assert [p.name for p in target.iterdir()] == ["notes.txt"]


def test_workspace_from_environment_variable(runner, workspace):
    result = runner.invoke(cli, ["generate", "agreement", "pinecrest-law"], env={"MSPDOCS_WORKSPACE": str(workspace)})
    assert result.exit_code == 0, result.output
    assert list((workspace / "output" / "pinecrest-law").glob("agreement-*.docx"))


def test_the_checkout_is_a_demo_workspace_with_its_own_msp_and_the_default_terms():
    demo = tomllib.loads((ROOT / "mspdocs.toml").read_text())
    default = tomllib.loads((ROOT / "mspdocs" / "workspace" / "profile.toml").read_text())
    assert demo["paths"] == {"customers": "examples/customers"}
    assert demo.keys() - {"paths"} == default.keys()
    assert {k: v for k, v in demo.items() if k not in ("paths", "msp")} == {
        k: v for k, v in default.items() if k != "msp"}
    assert demo["msp"].keys() == default["msp"].keys()
    assert sample_identity_problems(ROOT / "mspdocs.toml") == []  # `make demo` makes final documents


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out), str(ROOT)], check=True, capture_output=True)
    [built] = out.glob("mspdocs-*.whl")
    return built


def test_wheel_carries_the_default_library(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "mspdocs/_defaults/templates/agreement.docx" in names
    assert "mspdocs/_defaults/catalog.yaml" in names
    assert "mspdocs/workspace/profile.toml" in names
    assert sum(n.startswith("mspdocs/_defaults/clauses/") for n in names) >= 25
    assert any(n.startswith("mspdocs/_defaults/examples/customers/") for n in names)


def test_init_works_from_the_wheel_alone(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = dict(os.environ, PYTHONPATH=str(site))
    code = ("import mspdocs, sys; from mspdocs.workspace.folder import init_workspace, defaults_root;"
            "assert str(defaults_root()).startswith(sys.argv[1]), defaults_root();"
            "init_workspace(sys.argv[2], examples=True)")
    subprocess.run([sys.executable, "-c", code, str(site), str(tmp_path / "ws")], check=True, cwd=tmp_path, env=env)
    assert len(list((tmp_path / "ws" / "clauses").glob("*.md"))) >= 25
    assert list((tmp_path / "ws" / "customers").glob("*.yaml"))


def test_a_new_library_awaits_counsel_but_the_example_comes_approved(runner, tmp_path):
    plain, example = tmp_path / "plain", tmp_path / "example"
    assert "approve" in runner.invoke(cli, ["init", str(plain)]).output
    runner.invoke(cli, ["init", str(example), "--examples"])
    assert not (plain / "clauses" / "approvals.lock").exists()
    assert runner.invoke(cli, ["-w", str(plain), "clauses", "lint"]).exit_code == 1
    assert runner.invoke(cli, ["-w", str(example), "clauses", "lint"]).exit_code == 0
    import shutil as _shutil

    _shutil.copy(example / "customers" / "pinecrest-law.yaml", plain / "customers")
    write_msp_profile(plain)
    refused = runner.invoke(cli, ["-w", str(plain), "generate", "agreement", "pinecrest-law"])
    assert refused.exit_code == 1
    assert "clause 'definitions.terms'" in refused.output and "unapproved clauses are refused" in refused.output


def test_the_workspace_folder_is_not_private(runner, tmp_path):
    runner.invoke(cli, ["init", str(tmp_path / "shared")])
    assert (tmp_path / "shared").stat().st_mode & 0o055 == 0o055 & ~_current_umask()


def _current_umask() -> int:
    from mspdocs.workspace.writer import current_umask

    return current_umask()


def test_init_where_nothing_can_be_written_is_bad_input(runner, tmp_path):
    result = runner.invoke(cli, ["init", "/proc/mspdocs-cannot-be-here"])
    assert result.exit_code == 2 and "cannot create the workspace here" in result.output


def test_counsel_approves_a_new_library_in_one_command(runner, tmp_path):
    target = tmp_path / "new"
    runner.invoke(cli, ["init", str(target)])
    approved = runner.invoke(cli, ["-w", str(target), "clauses", "approve", "--all", "--by", "J. Counsel",
                                   "--reason", "Initial review"])
    assert approved.exit_code == 0, approved.output
    assert approved.output.count("approved ") >= 25
    assert runner.invoke(cli, ["-w", str(target), "clauses", "lint"]).exit_code == 0
    again = runner.invoke(cli, ["-w", str(target), "clauses", "approve", "--all", "--by", "J. Counsel"])
    assert again.exit_code == 0 and again.output == ""
