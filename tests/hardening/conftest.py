"""Shared by the hardening suite: workspaces to attack, `mspdocs` run as a measured subprocess, snapshots."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import write_msp_profile

from mspdocs.workspace.folder import init_workspace

TIME_BOUND_S = 8.0  # the attacks themselves are bounded at 3 s ([limits] below); the rest is start-up
MEMORY_BOUND_MIB = 300
LIMITS = "\n[limits]\nrender_seconds = 3\nrender_memory_mb = 256\n"


@dataclass(frozen=True)
class Outcome:
    """What one `mspdocs` run did: its exit status, output, wall time and peak memory."""

    code: int
    stdout: str
    stderr: str
    seconds: float
    max_rss_mib: float


def run_mspdocs(args: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: float = 60) -> Outcome:
    """`python -m mspdocs ARGS`, reaped with wait4 so that its own peak RSS is measured (no other child's)."""
    environment = dict(os.environ, **(env or {}))
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-m", "mspdocs", *args], cwd=cwd, env=environment,
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    streams: dict[str, bytes] = {}
    readers = [threading.Thread(target=lambda name=name, pipe=pipe: streams.__setitem__(name, pipe.read()))
               for name, pipe in (("out", process.stdout), ("err", process.stderr))]
    for reader in readers:
        reader.start()
    killer = threading.Timer(timeout, process.kill)
    killer.start()
    try:
        _, status, usage = os.wait4(process.pid, 0)
    finally:
        killer.cancel()
    process.returncode = os.waitstatus_to_exitcode(status)
    for reader in readers:
        reader.join()
    seconds = time.monotonic() - started
    assert seconds < timeout, f"mspdocs {' '.join(args)} still ran after {timeout} s"
    return Outcome(process.returncode, streams["out"].decode("utf-8", "replace"),
                   streams["err"].decode("utf-8", "replace"), seconds, usage.ru_maxrss / 1024)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """The example portfolio without its healthcare customer, whose agreement needs a business associate
    agreement issued first: here every customer's agreement can be generated in one batch from scratch."""
    root = write_msp_profile(init_workspace(tmp_path / "ws", examples=True))
    (root / "customers" / "cascade-family-medicine.yaml").unlink()
    return root


@pytest.fixture(scope="session")
def pristine(tmp_path_factory) -> Path:
    """One example workspace, built once, with tight render limits; tests attack copies of it."""
    root = init_workspace(tmp_path_factory.mktemp("pristine") / "ws", examples=True)
    write_msp_profile(root)
    with (root / "mspdocs.toml").open("a", encoding="utf-8") as profile:
        profile.write(LIMITS)
    return root


@pytest.fixture
def hostile_ws(pristine, tmp_path) -> Path:
    target = tmp_path / "ws"
    shutil.copytree(pristine, target, symlinks=True)
    return target


def snapshot(workspace: Path) -> dict[str, str]:
    """Every file that output could leave behind (output/, received/, `.part` files) by path and content, and
    the register's entries (its -wal/-shm files come and go with any reader)."""
    state = {}
    for path in sorted(workspace.rglob("*")):
        relative = path.relative_to(workspace).as_posix()
        if path.is_symlink() or not path.is_file():
            continue
        if relative.startswith(("output/", "received/")) or path.name.endswith(".part"):
            state[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    register = workspace / "register.sqlite3"
    if register.exists():
        with sqlite3.connect(f"{register.as_uri()}?mode=ro", uri=True) as db:
            rows = db.execute("SELECT seq, entry_hash FROM entries ORDER BY seq").fetchall()
        state["register entries"] = repr(rows)
    return state
