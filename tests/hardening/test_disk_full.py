"""A full disk at each write of a batch: one line, exit 2, and the register and output/ still agree."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import crashkit  # noqa: E402

from mspdocs.cli import cli  # noqa: E402
from mspdocs.evidence.register import Register  # noqa: E402

NAMED = ["pinecrest-law", "muller-obrien", "bright-harbor-dental"]
# Each write a batch of three documents makes, in order: three staged files, the journal, three inserts,
# the COMMIT, then (after the commit) three final names.
BEFORE_COMMIT = ["stage:1", "stage:2", "stage:3", "journal:1", "append:1", "append:2", "append:3", "commit:1"]
AFTER_COMMIT = ["place:1", "place:2", "place:3"]


def _generate(runner, workspace: Path):
    return runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", *NAMED, "--as-of", "2026-11-27"])


def _entries(workspace: Path) -> list:
    if not (workspace / "register.sqlite3").exists():
        return []
    with Register(workspace / "register.sqlite3", read_only=True) as register:
        return register.entries()


def _documents(workspace: Path) -> list[Path]:
    return sorted(p for p in (workspace / "output").rglob("*") if p.is_file())


def _one_error_line(output: str) -> str:
    lines = output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mspdocs: error: "), output
    assert "Traceback" not in output
    return lines[0]


def _customers(workspace: Path) -> None:
    names = {path.stem for path in (workspace / "customers").glob("*.yaml")}
    assert set(NAMED) <= names, names


@pytest.mark.parametrize("point", BEFORE_COMMIT)
def test_disk_full_before_the_commit_publishes_nothing(workspace, runner, monkeypatch, point):
    _customers(workspace)
    with monkeypatch.context() as patch:
        crashkit.install(f"{point}:enospc", patch.setattr)
        result = _generate(runner, workspace)
    assert result.exit_code == 2
    line = _one_error_line(result.output)
    assert "No space left on device" in line or "database or disk is full" in line
    assert "nothing was" in line
    assert _entries(workspace) == [] and _documents(workspace) == []
    assert crashkit.stray_files(workspace) == []
    verified = runner.invoke(cli, ["-w", str(workspace), "register", "verify"])
    assert verified.exit_code == 0, verified.output
    assert _generate(runner, workspace).exit_code == 0  # once there is room again
    assert len(_entries(workspace)) == 3 and len(_documents(workspace)) == 3


@pytest.mark.parametrize("point", AFTER_COMMIT)
def test_disk_full_after_the_commit_is_finished_by_the_next_command(workspace, runner, monkeypatch, point):
    with monkeypatch.context() as patch:
        crashkit.install(f"{point}:enospc", patch.setattr)
        result = _generate(runner, workspace)
    assert result.exit_code == 2
    line = _one_error_line(result.output)
    assert "recorded in the register, but 1 file is not in place yet" in line
    assert "No space left on device" in line and "the next mspdocs command puts them there" in line
    assert len(_entries(workspace)) == 3 and len(_documents(workspace)) == 2
    verified = runner.invoke(cli, ["-w", str(workspace), "register", "verify"])  # the next command
    assert verified.exit_code == 0, verified.output
    assert sorted(workspace / e.payload["output"]["path"] for e in _entries(workspace)) == _documents(workspace)
    assert crashkit.stray_files(workspace) == []


def test_a_read_only_register_is_one_line_and_nothing_is_written(workspace, runner, monkeypatch):
    import sqlite3

    assert _generate(runner, workspace).exit_code == 0
    connect = sqlite3.connect

    def read_only(database, *args, uri=False, **kwargs):  # what a read-only file or mount gives
        if not uri:
            database, uri = f"{Path(database).resolve().as_uri()}?mode=ro", True
        return connect(database, *args, uri=uri, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", read_only)
    result = runner.invoke(cli, ["-w", str(workspace), "generate", "agreement", *NAMED, "--as-of", "2026-11-27",
                                 "--reissue"])  # something new to record
    monkeypatch.undo()
    assert result.exit_code == 2
    line = _one_error_line(result.output)
    assert "readonly database" in line and "register.sqlite3" in line
    assert len(_entries(workspace)) == 3 and len(_documents(workspace)) == 3
    assert crashkit.stray_files(workspace) == []
