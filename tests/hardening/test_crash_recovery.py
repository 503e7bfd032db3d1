"""kill -9 at every step of a batch and at random moments: the next command leaves the register and output/ agreeing."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import crashkit  # noqa: E402
from crashkit import assert_settled, documents, entries, start_batch  # noqa: E402

from mspdocs.cli import cli  # noqa: E402

CUSTOMERS = 6  # the example portfolio without its healthcare customer (see conftest)
RANDOM_RUNS = int(os.environ.get("MSPDOCS_CRASH_RUNS", "12"))


def rerun_completes(workspace: Path, as_of: str) -> None:
    """A new batch issues every document anew (what a settled batch published, it supersedes)."""
    before = len(entries(workspace))
    process = start_batch(workspace, "--reissue", as_of=as_of)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()
    written = json.loads(out)
    assert len(written) == CUSTOMERS and {item["status"] for item in written} <= {"new", "supersedes"}
    generated = [e for e in entries(workspace)[before:] if e.event == "document.generated"]
    assert len(generated) == CUSTOMERS


# Before the commit nothing is published; from the commit on, the whole batch is.
KILL_POINTS = {
    "render:3:kill": 0,
    "stage:4:kill": 0,
    "journal:1:kill": 0,
    "append:5:kill": 0,
    "commit:1:kill": 0,
    "committed:1:kill": CUSTOMERS,
    "place:1:kill": CUSTOMERS,
    "place:6:kill": CUSTOMERS,
}


@pytest.mark.parametrize("fault", list(KILL_POINTS))
def test_kill_at_each_step_of_publishing(workspace, runner, fault):
    process = start_batch(workspace, fault=fault)
    process.communicate(timeout=300)
    assert process.returncode == -signal.SIGKILL
    assert_settled(runner, workspace)
    assert len(entries(workspace)) == KILL_POINTS[fault]
    assert len(documents(workspace)) == KILL_POINTS[fault]
    rerun_completes(workspace, "2026-11-28")
    assert_settled(runner, workspace)


def test_kill_in_a_render_worker_kills_the_batch_and_its_workers(workspace, runner):
    process = start_batch(workspace, "--jobs", "2", fault="render:3:kill")
    process.communicate(timeout=300)
    assert process.returncode == -signal.SIGKILL
    assert crashkit.wait_for_no_processes(str(workspace)) == []  # the workers died with it
    assert_settled(runner, workspace)
    assert entries(workspace) == [] and documents(workspace) == []


def test_kill_at_random_moments(workspace, runner):
    """Kill -9 at random times over a whole batch, recover, again and again; a rerun always completes."""
    started = time.monotonic()
    clean = start_batch(workspace, as_of="2026-01-01")
    clean.communicate(timeout=300)
    span = time.monotonic() - started
    rng = random.Random(int(os.environ.get("MSPDOCS_CRASH_SEED", "10")))
    outcomes = []
    for run in range(RANDOM_RUNS):
        before = len(entries(workspace))
        process = start_batch(workspace, "--reissue", *(["--jobs", "2"] if run % 3 == 0 else []),
                              as_of=f"2026-02-{run + 1:02d}")
        # Half the kills anywhere, half in the last fifth of the batch, where it publishes.
        time.sleep(rng.uniform(0.1, span * 1.05) if run % 2 else rng.uniform(span * 0.8, span * 1.05))
        os.kill(process.pid, signal.SIGKILL)
        process.communicate(timeout=60)
        assert_settled(runner, workspace)
        added = len([e for e in entries(workspace)[before:] if e.event == "document.generated"])
        assert added in (0, CUSTOMERS)  # all of the batch, or none of it
        outcomes.append(added)
    rerun_completes(workspace, "2026-03-01")
    assert_settled(runner, workspace)
    print(f"random kills: {outcomes.count(0)} discarded, {outcomes.count(CUSTOMERS)} finished")


def _office_running(workspace: Path) -> bool:
    return any("soffice" in command for _, command in crashkit.processes_naming(str(workspace)))


@pytest.mark.skipif(not any(Path(p, "soffice").exists() for p in os.environ.get("PATH", "").split(os.pathsep)),
                    reason="LibreOffice is not installed")
def test_kill_while_libreoffice_converts_leaves_no_converter_and_nothing_in_tmp(workspace, runner):
    process = start_batch(workspace, "--pdf", "--jobs", "2")
    deadline = time.monotonic() + 120
    while not _office_running(workspace) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert _office_running(workspace), "LibreOffice never started"
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    # Workers and LibreOffice die with the batch, before any later command runs.
    assert crashkit.wait_for_no_processes(str(workspace)) == []
    assert entries(workspace) == [] and documents(workspace) == []
    assert_settled(runner, workspace)


def test_recovery_never_touches_a_batch_that_is_still_running(workspace, runner):
    """A batch paused between its commit and its files: other commands leave it alone, and it finishes."""
    paused = workspace.parent / "paused"
    running = start_batch(workspace, fault="committed:1:pause")
    deadline = time.monotonic() + 120
    while not paused.exists():
        assert running.poll() is None and time.monotonic() < deadline, running.communicate()[1].decode()
        time.sleep(0.05)
    staged = crashkit.stray_files(workspace)
    assert len(staged) == 1 and len(entries(workspace)) == CUSTOMERS and documents(workspace) == []
    verified = runner.invoke(cli, ["-w", str(workspace), "register", "verify"])
    assert verified.exit_code == 0, verified.output  # its files are on their way, not missing
    assert verified.output.count("being put in place by a running batch") == CUSTOMERS
    other = start_batch(workspace, as_of="2026-11-28")  # a concurrent batch runs recovery too
    _, err = other.communicate(timeout=300)
    assert other.returncode == 0, err.decode()
    assert crashkit.stray_files(workspace) == staged  # the running batch's staging is intact
    paused.unlink()
    _, err = running.communicate(timeout=120)
    assert running.returncode == 0, err.decode()
    # The other batch found the paused batch's files not yet in place, so it issued its documents anew.
    assert len([e for e in entries(workspace) if e.event == "document.generated"]) == 2 * CUSTOMERS
    assert_settled(runner, workspace)


def test_a_recovery_killed_halfway_is_finished_by_the_next_one(workspace, runner):
    process = start_batch(workspace, fault="place:2:kill")
    process.communicate(timeout=300)
    assert len(documents(workspace)) == 1  # committed, one file in place
    env = dict(os.environ, **{crashkit.FAULT_ENV: "place:3:kill"})
    recovering = subprocess.run([sys.executable, crashkit.__file__, "-w", str(workspace), "register", "verify"],
                                env=env, capture_output=True)
    assert recovering.returncode == -signal.SIGKILL
    assert len(documents(workspace)) == 3  # two more placed before this recovery was killed too
    assert_settled(runner, workspace)
    assert len(entries(workspace)) == CUSTOMERS and len(documents(workspace)) == CUSTOMERS
