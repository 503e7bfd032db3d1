"""kill -9 at every step of a batch and at random moments: the next command leaves the register and output/ agreeing."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import crashkit  # noqa: E402

from mspdocs.cli import cli  # noqa: E402
from mspdocs.evidence.register import Register  # noqa: E402

AS_OF = "2026-11-27"
CUSTOMERS = 7  # the example portfolio
RANDOM_RUNS = int(os.environ.get("MSPDOCS_CRASH_RUNS", "12"))


def start_batch(workspace: Path, *options: str, fault: str | None = None, as_of: str = AS_OF,
                tmpdir: Path | None = None) -> subprocess.Popen:
    """`mspdocs generate agreement --all` in its own process (and session), with a fault installed."""
    env = dict(os.environ, TMPDIR=str(tmpdir or workspace.parent / "systmp"))
    Path(env["TMPDIR"]).mkdir(exist_ok=True)
    env.pop(crashkit.FAULT_ENV, None)
    if fault:
        env[crashkit.FAULT_ENV] = fault
        env[crashkit.PAUSED_ENV] = str(workspace.parent / "paused")
    command = [sys.executable, crashkit.__file__, "-w", str(workspace), "generate", "agreement", "--all",
               "--as-of", as_of, "--format", "json", *options]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)


def entries(workspace: Path) -> list:
    if not (workspace / "register.sqlite3").exists():
        return []
    with Register(workspace / "register.sqlite3", read_only=True) as register:
        return register.entries()


def documents(workspace: Path) -> list[Path]:
    return sorted(p for p in (workspace / "output").rglob("*") if p.is_file() and p.suffix in (".docx", ".pdf"))


def recorded_files(workspace: Path) -> list[Path]:
    return sorted(workspace / entry.payload[key]["path"] for entry in entries(workspace)
                  for key in ("output", "pdf") if key in entry.payload)


def assert_settled(runner, workspace: Path) -> None:
    """After the next command: verify passes, every file has its entry and every entry its complete file,
    nothing partial or staged is left, nothing in the system's temporary folder, no process left over."""
    result = runner.invoke(cli, ["-w", str(workspace), "register", "verify"])
    assert result.exit_code == 0, result.output
    assert "0 warnings" in result.output, result.output
    assert recorded_files(workspace) == documents(workspace)
    for path in documents(workspace):
        if path.suffix == ".docx":
            with zipfile.ZipFile(path) as archive:
                assert archive.testzip() is None
        else:
            assert path.read_bytes().startswith(b"%PDF-") and b"%%EOF" in path.read_bytes()[-1024:]
    assert crashkit.stray_files(workspace) == []
    systmp = workspace.parent / "systmp"
    assert not systmp.exists() or list(systmp.iterdir()) == []
    assert crashkit.wait_for_no_processes(str(workspace)) == []


def rerun_completes(workspace: Path, as_of: str) -> None:
    before = len(entries(workspace))
    process = start_batch(workspace, as_of=as_of)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err.decode()
    assert len(json.loads(out)) == CUSTOMERS and len(entries(workspace)) == before + CUSTOMERS


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
        process = start_batch(workspace, *(["--jobs", "2"] if run % 3 == 0 else []),
                              as_of=f"2026-02-{run + 1:02d}")
        time.sleep(rng.uniform(0.1, span * 1.1))
        os.kill(process.pid, signal.SIGKILL)
        process.communicate(timeout=60)
        assert_settled(runner, workspace)
        added = len(entries(workspace)) - before
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
