"""SIGTERM and Ctrl-C in the middle of a batch: one line, exit 143 or 130, nothing left behind, no process left over."""

from __future__ import annotations

import os
import shutil
import signal
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import crashkit  # noqa: E402
from crashkit import assert_settled, documents, entries, start_batch  # noqa: E402

needs_office = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")


def _wait_for(condition, process=None, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"the batch ended first: {process.communicate()[1].decode()}")
        if time.monotonic() > deadline:
            pytest.fail("the batch never got there")
        time.sleep(0.05)


def _interrupted(process, signum: int, to_group: bool = False) -> str:
    """Send `signum` (to the whole process group, as a terminal's Ctrl-C does, with `to_group`); the
    batch's stderr, after asserting its exit status."""
    if to_group:
        os.killpg(process.pid, signum)
    else:
        os.kill(process.pid, signum)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, err.decode()
    return err.decode()


def _one_line(err: str, name: str) -> None:
    lines = err.strip().splitlines()
    assert lines == [f"mspdocs: interrupted by {name}: stopped; nothing was left half-written"], err


@pytest.mark.parametrize("signum, to_group", [(signal.SIGTERM, False), (signal.SIGINT, True)])
def test_a_signal_while_workers_render(workspace, runner, signum, to_group):
    paused = workspace.parent / "paused"
    # The first document renders in the batch's own process; the pool's workers pause in the next ones.
    process = start_batch(workspace, "--jobs", "2", fault="render:2:pause")
    _wait_for(paused.exists, process)
    err = _interrupted(process, signum, to_group)
    _one_line(err, signal.Signals(signum).name)
    assert crashkit.wait_for_no_processes(str(workspace)) == []  # the workers were stopped
    assert entries(workspace) == [] and documents(workspace) == []
    assert crashkit.stray_files(workspace) == []  # cleaned by the batch itself, before any recovery
    assert_settled(runner, workspace)


def test_sigterm_while_the_journal_is_written_cleans_up(workspace, runner):
    paused = workspace.parent / "paused"
    process = start_batch(workspace, fault="journal:1:pause")
    _wait_for(paused.exists, process)
    _one_line(_interrupted(process, signal.SIGTERM), "SIGTERM")
    assert crashkit.stray_files(workspace) == []
    assert entries(workspace) == [] and documents(workspace) == []
    assert_settled(runner, workspace)


def _office_running(workspace: Path) -> bool:
    return any("soffice" in command for _, command in crashkit.processes_naming(str(workspace)))


@needs_office
@pytest.mark.parametrize("signum, to_group", [(signal.SIGTERM, False), (signal.SIGINT, True)])
def test_a_signal_while_libreoffice_converts(workspace, runner, signum, to_group):
    process = start_batch(workspace, "--pdf", "--jobs", "2")
    _wait_for(lambda: _office_running(workspace) or process.poll() is not None)
    assert process.poll() is None, "the batch finished before LibreOffice could be interrupted"
    err = _interrupted(process, signum, to_group)
    _one_line(err, signal.Signals(signum).name)
    assert crashkit.wait_for_no_processes(str(workspace)) == []  # LibreOffice and the workers are gone
    assert crashkit.stray_files(workspace) == []
    systmp = workspace.parent / "systmp"
    assert list(systmp.iterdir()) == []  # nothing of the customers' documents in the temporary folder
    assert entries(workspace) == [] and documents(workspace) == []
    assert_settled(runner, workspace)
