"""Fault injection for the crash, signal and disk tests: kill, fill the disk or pause at a named point of a batch.

A fault is `POINT:N:ACTION`: at the N-th time this process reaches POINT, do ACTION.
Points: `render` (a document is about to be rendered), `stage` (a file is written into the staging
folder), `journal` (the journal is written), `append` (an entry is inserted), `commit` (the SQL COMMIT is
about to run), `committed` (the commit returned; nothing is in place yet), `place` (a file is about to get
its final name), `pdf` (LibreOffice is about to start).
Actions: `kill` (SIGKILL to the command's main process), `enospc` (the write fails: disk full), `pause`
(write this process's id to the file named by $MSPDOCS_TEST_PAUSED, and wait until that file is removed).

As a script it runs the mspdocs command line with the fault of $MSPDOCS_TEST_FAULT installed:
    MSPDOCS_TEST_FAULT=place:2:kill python tests/crashkit.py -w WS generate agreement --all
"""

from __future__ import annotations

import errno
import os
import signal
import sqlite3
import subprocess
import sys
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

FAULT_ENV = "MSPDOCS_TEST_FAULT"
PAUSED_ENV = "MSPDOCS_TEST_PAUSED"
AS_OF = "2026-11-27"
POINTS = ("render", "stage", "journal", "append", "commit", "committed", "place", "pdf")
_SQL_POINTS = ("append", "commit")


def install(spec: str, setattr_: Callable = setattr) -> None:
    """Install the fault `spec` in this process (`setattr_` may be pytest's monkeypatch.setattr)."""
    import mspdocs.batch as batch
    import mspdocs.evidence.publish as publish
    import mspdocs.render.pdf as pdf
    from mspdocs.evidence.register import Register
    from mspdocs.workspace.staging import Batch

    point, nth, action = spec.split(":")
    if point not in POINTS:
        raise ValueError(f"unknown fault point {point!r}")
    trigger = _Trigger(point, int(nth), action, os.getpid())

    def before(function):
        def wrapped(*args, **kwargs):
            trigger.reached()
            return function(*args, **kwargs)
        return wrapped

    targets = {"render": (batch, "render_one"), "stage": (publish, "stage_in"),
               "journal": (Batch, "write_journal"), "append": (Register, "_append"),
               "place": (publish, "place"), "pdf": (pdf, "_run_office")}
    if point in targets:
        owner, name = targets[point]
        setattr_(owner, name, before(getattr(owner, name)))
    elif point == "commit":
        setattr_(Register, "commit", _with_connection(Register.commit, trigger))
    else:  # committed
        original = Register.commit

        def committed(self, *args, **kwargs):
            entries = original(self, *args, **kwargs)
            trigger.reached()
            return entries
        setattr_(Register, "commit", committed)


class _Trigger:
    """Counts how often its point is reached in this process, and acts on the N-th time."""

    def __init__(self, point: str, nth: int, action: str, main_pid: int) -> None:
        self.point, self.nth, self.action, self.main_pid = point, nth, action, main_pid
        self.count = Counter()

    def reached(self) -> None:
        self.count[self.point] += 1
        if self.count[self.point] != self.nth:
            return
        if self.action == "kill":
            os.kill(self.main_pid, signal.SIGKILL)
            time.sleep(30)  # in a worker: the kernel kills it with its parent
        elif self.action == "enospc":
            if self.point in _SQL_POINTS:
                raise sqlite3.OperationalError("database or disk is full")
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        elif self.action == "pause":  # until the test removes the file again
            marker = Path(os.environ[PAUSED_ENV])
            marker.write_text(str(os.getpid()), encoding="utf-8")
            deadline = time.monotonic() + 120
            while marker.exists() and time.monotonic() < deadline:
                time.sleep(0.02)
        else:
            raise ValueError(f"unknown fault action {self.action!r}")


class _Connection:
    """A SQLite connection whose COMMIT reaches the fault first."""

    def __init__(self, db: sqlite3.Connection, trigger: _Trigger) -> None:
        self._db, self._trigger = db, trigger

    def execute(self, sql: str, *args):
        if sql.strip().upper() == "COMMIT":
            self._trigger.reached()
        return self._db.execute(sql, *args)

    def __getattr__(self, name: str):
        return getattr(self._db, name)


def _with_connection(commit, trigger: _Trigger):
    def wrapped(self, *args, **kwargs):
        real = self._db
        self._db = _Connection(real, trigger)
        try:
            return commit(self, *args, **kwargs)
        finally:
            self._db = real
    return wrapped


def processes_naming(text: str) -> list[tuple[int, str]]:
    """Living processes (not zombies) whose command line contains `text`: (pid, command line)."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            command = Path(f"/proc/{name}/cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            state = Path(f"/proc/{name}/stat").read_bytes().rsplit(b")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if text in command and state != b"Z":
            found.append((int(name), command.strip()))
    return found


def wait_for_no_processes(text: str, seconds: float = 5.0) -> list[tuple[int, str]]:
    """Wait until no process names `text`; returns those still there after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        left = processes_naming(text)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)


def stray_files(workspace: Path) -> list[Path]:
    """Partial or staged files anywhere in the workspace: `.part` files and anything left in staging."""
    found = [path for path in workspace.rglob("*.part")]
    staging = workspace / ".mspdocs" / "staging"
    if staging.is_dir():
        found += list(staging.iterdir())
    return sorted(found)


def start_batch(workspace: Path, *options: str, fault: str | None = None, as_of: str = AS_OF,
                tmpdir: Path | None = None) -> subprocess.Popen:
    """`mspdocs generate agreement --all` in its own process (and session), with a fault installed."""
    env = dict(os.environ, TMPDIR=str(tmpdir or workspace.parent / "systmp"))
    Path(env["TMPDIR"]).mkdir(exist_ok=True)
    env.pop(FAULT_ENV, None)
    if fault:
        env[FAULT_ENV] = fault
        env[PAUSED_ENV] = str(workspace.parent / "paused")
    command = [sys.executable, __file__, "-w", str(workspace), "generate", "agreement", "--all",
               "--as-of", as_of, "--format", "json", *options]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
                            start_new_session=True)


def entries(workspace: Path) -> list:
    from mspdocs.evidence.register import Register

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
    from mspdocs.cli import cli

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
    assert stray_files(workspace) == []
    systmp = workspace.parent / "systmp"
    assert not systmp.exists() or list(systmp.iterdir()) == []
    assert wait_for_no_processes(str(workspace)) == []


def main() -> None:
    spec = os.environ.get(FAULT_ENV)
    if spec:
        install(spec)
    from mspdocs.cli.main import cli

    cli(prog_name="mspdocs", args=sys.argv[1:])


if __name__ == "__main__":
    main()
