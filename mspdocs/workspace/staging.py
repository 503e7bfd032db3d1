"""Batch staging folders inside the workspace: where a batch's files and temporary work live until published.

Each batch owns `.mspdocs/staging/<batch id>/`, holding `lock` (locked with flock for as long as the
batch's process lives), `files/` (the documents, complete and flushed), `work/` (scratch space, e.g.
LibreOffice's profile and its input and output) and, once the batch is about to commit, `journal.json`
(each file's final path and SHA-256). A batch whose lock nobody holds belongs to a process that died:
the evidence layer decides from the register whether to finish it or to throw it away. Creating a batch
and looking for dead ones both hold `.mspdocs/staging.lock`, so a new batch is never mistaken for a dead one.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import MspdocsError
from .writer import fsync_folder

STATE_FOLDER = ".mspdocs"
JOURNAL = "journal.json"


def staging_root(root: Path) -> Path:
    return Path(root) / STATE_FOLDER / "staging"


@contextmanager
def _creation_lock(root: Path, create: bool) -> Iterator[bool]:
    """Hold `.mspdocs/staging.lock`; yields False (holding nothing) when it does not exist and `create` is off."""
    path = Path(root) / STATE_FOLDER / "staging.lock"
    if not create and not path.exists():
        yield False
        return
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = path.parent / ".gitignore"  # the workspace is often a git repository
        if not ignore.exists():
            ignore.write_text("*\n", encoding="utf-8")
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield True
    finally:
        os.close(descriptor)


class Batch:
    """One batch's staging folder, locked by this process until `close`."""

    def __init__(self, folder: Path, lock: int) -> None:
        self.folder = folder
        self.id = folder.name
        self._lock = lock
        self.keep = False  # set once the register holds the batch but its files are not all in place

    @property
    def files(self) -> Path:
        return self.folder / "files"

    def work(self, name: str) -> Path:
        """A fresh scratch folder inside the batch (removed with it)."""
        path = self.folder / "work" / name
        try:
            path.mkdir(parents=True)
        except OSError as exc:
            raise MspdocsError(f"cannot create a work folder: {exc.strerror or exc}", path=path) from None
        return path

    def write_journal(self, publications: list[dict[str, Any]]) -> None:
        """Record, durably, what the batch is about to commit: each file's staged name, final path, SHA-256."""
        data = json.dumps({"batch": self.id, "publications": publications}, indent=1).encode("utf-8")
        temporary = self.folder / f".{JOURNAL}.part"
        with open(temporary, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.folder / JOURNAL)
        fsync_folder(self.folder)

    def close(self) -> None:
        """Stop what still runs for the batch and remove its folder (kept when `keep`: recovery finishes it)."""
        try:
            stop_processes_of(self.folder)
            if not self.keep:
                remove_folder(self.folder)
        finally:
            os.close(self._lock)

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def open_batch(root: Path) -> Batch:
    """A new, locked staging folder for one batch."""
    try:
        with _creation_lock(root, create=True):
            base = staging_root(root)
            base.mkdir(parents=True, exist_ok=True)
            stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
            folder = base / f"{stamp}-{os.getpid()}-{secrets.token_hex(4)}"
            (folder / "files").mkdir(parents=True)
            lock = os.open(folder / "lock", os.O_RDWR | os.O_CREAT, 0o666)
            fcntl.flock(lock, fcntl.LOCK_EX)
    except OSError as exc:
        raise MspdocsError(f"cannot create the batch's staging folder: {exc.strerror or exc}",
                           path=staging_root(root)) from None
    return Batch(folder, lock)


def dead_batches(root: Path) -> Iterator[Batch]:
    """The staging folders whose process has died, each locked by us while the caller handles it."""
    with _creation_lock(root, create=False) as present:
        if not present:
            return
        base = staging_root(root)
        for folder in sorted(base.iterdir()) if base.is_dir() else []:
            if not folder.is_dir():
                continue
            batch = _take_over(folder)
            if batch is not None:
                yield batch


def _take_over(folder: Path) -> Batch | None:
    """The batch at `folder`, locked, if no living process holds it; else None."""
    try:  # a missing lock file: the folder is being removed, or was half removed; nobody owns it
        lock = os.open(folder / "lock", os.O_RDWR | os.O_CREAT, 0o666)
    except OSError:
        return None
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(lock)
        return None
    return Batch(folder, lock)


def staged_batches(root: Path) -> list[tuple[Path, bool]]:
    """Every batch staging folder, and whether a living process holds it."""
    base = staging_root(root)
    found = []
    for folder in sorted(base.iterdir()) if base.is_dir() else []:
        if folder.is_dir():
            found.append((folder, _held(folder)))
    return found


def _held(folder: Path) -> bool:
    try:
        descriptor = os.open(folder / "lock", os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)


def in_flight(root: Path) -> set[str]:
    """The final paths (relative to the workspace) that running batches are about to put in place."""
    paths = set()
    for folder, live in staged_batches(root):
        journal = read_journal(folder) if live else None
        for record in (journal or {}).get("publications", []):
            paths.update(item.get("final") for item in record.get("files", []))
    return paths


def read_journal(folder: Path) -> dict[str, Any] | None:
    """The batch's journal, or None when it never got as far as writing one (it cannot have committed)."""
    try:
        return json.loads((folder / JOURNAL).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError:  # journals are replaced atomically; an unreadable one was never complete
        return None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def remove_folder(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def stop_processes_of(folder: Path, wait_seconds: float = 5.0) -> list[int]:
    """Kill every process whose command line names `folder` (a converter the batch started), and wait for
    them to go; returns their ids. Linux only (reads /proc); elsewhere nothing is found."""
    marker = os.fsencode(str(folder))
    found = []
    for pid in _processes_naming(marker):
        try:
            os.kill(pid, signal.SIGKILL)
            found.append(pid)
        except (ProcessLookupError, PermissionError):
            pass
    deadline = time.monotonic() + wait_seconds
    while found and time.monotonic() < deadline and any(_alive(pid) for pid in found):
        time.sleep(0.02)
    return found


def _processes_naming(marker: bytes) -> list[int]:
    own = os.getpid()
    pids = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return []
    for name in entries:
        if not name.isdigit() or int(name) == own:
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as handle:
                if marker in handle.read():
                    pids.append(int(name))
        except OSError:
            continue
    return pids


def _alive(pid: int) -> bool:
    """True while `pid` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return False


@contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block is done (a commit and its moves are not cut in two).

    A signal that arrives meanwhile is delivered, to the handler that was in place, when the block ends.
    Only the main thread can change handlers; elsewhere the block runs as it is.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    watched = (signal.SIGINT, signal.SIGTERM)
    previous = {signum: signal.signal(signum, lambda signum, frame: caught.append(signum)) for signum in watched}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(caught):
            signal.raise_signal(signum)
