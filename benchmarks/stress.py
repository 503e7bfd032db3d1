"""Stress by hand (minutes): kill -9 during PDF batches, four concurrent batches, a filling disk; prints figures.

Run from the checkout:
    python benchmarks/stress.py                               # 100 kills, 4 x 500 documents, the disk
    python benchmarks/stress.py --kills 20 --customers 200    # a reduced run
    python benchmarks/stress.py --only kills                  # one part: kills, concurrent or disk
The filling disk needs a private mount namespace (`unshare --mount`, as root) for a small tmpfs; without
one that part says so and is skipped. Nothing is mounted outside the namespace.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from crashkit import processes_naming, stray_files, wait_for_no_processes  # noqa: E402
from portfolio import portfolio  # noqa: E402


def mspdocs(workspace: Path, *args: str, tmpdir: Path | None = None) -> subprocess.Popen:
    env = dict(os.environ)
    if tmpdir is not None:
        tmpdir.mkdir(exist_ok=True)
        env["TMPDIR"] = str(tmpdir)
    return subprocess.Popen([sys.executable, "-m", "mspdocs", "-w", str(workspace), *args], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)


def run(workspace: Path, *args: str, tmpdir: Path | None = None) -> tuple[int, str, str, float]:
    start = time.perf_counter()
    process = mspdocs(workspace, *args, tmpdir=tmpdir)
    out, err = process.communicate()
    return process.returncode, out.decode(), err.decode(), time.perf_counter() - start


def entry_count(workspace: Path) -> int:
    path = workspace / "register.sqlite3"
    if not path.exists():
        return 0
    with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as db:
        return db.execute("SELECT count(*) FROM entries").fetchone()[0]


def kills(root: Path, count: int, seed: int) -> None:
    """kill -9 at random moments of `generate agreement --all --pdf --jobs 2`; after each, the next command."""
    workspace = portfolio(root, None)
    customers = len(list((workspace / "customers").glob("*.yaml")))
    tmpdir = root / "systmp"
    code, _, err, span = run(workspace, "generate", "agreement", "--all", "--pdf", "--jobs", "2",
                             "--as-of", "2026-01-01", tmpdir=tmpdir)
    assert code == 0, err
    print(f"kill -9 with --pdf: {customers} documents a batch, a clean batch takes {span:.1f} s")
    rng = random.Random(seed)
    finished = discarded = failures = orphans = strays = temporary = 0
    recovery = []
    for index in range(count):
        before = entry_count(workspace)
        process = mspdocs(workspace, "generate", "agreement", "--all", "--pdf", "--jobs", "2",
                          "--as-of", f"2026-02-{index % 28 + 1:02d}", tmpdir=tmpdir)
        # Half the kills anywhere, half in the last fifth of the batch, where it publishes.
        time.sleep(rng.uniform(0.2, span * 1.05) if index % 2 else rng.uniform(span * 0.8, span * 1.05))
        os.kill(process.pid, signal.SIGKILL)
        process.communicate()
        left = wait_for_no_processes(str(workspace), 5)
        orphans += len(left)
        for pid, _ in left:  # not to spoil the next runs
            os.kill(pid, signal.SIGKILL)
        code, out, _, seconds = run(workspace, "register", "verify")  # opening it finishes or discards
        recovery.append(seconds)
        added = entry_count(workspace) - before
        finished += added == customers
        discarded += added == 0
        failures += code != 0 or "0 warnings" not in out or added not in (0, customers)
        strays += len(stray_files(workspace))
        temporary += len(list(tmpdir.iterdir()))
        if (index + 1) % 10 == 0:
            print(f"  {index + 1} kills: {finished} in full, {discarded} with nothing, {failures} failed checks")
    code, _, err, _ = run(workspace, "generate", "agreement", "--all", "--pdf", "--as-of", "2026-03-01",
                          tmpdir=tmpdir)
    rerun = "completes" if code == 0 else f"FAILS: {err.strip()}"
    print(f"kills: {count} runs, {finished} batches recorded in full and in place after the next command, "
          f"{discarded} with nothing recorded or published, "
          f"{failures} failed checks (verify, all-or-nothing), {orphans} processes left after 5 s, "
          f"{strays} stray or partial files, {temporary} files in TMPDIR; next command (verify, with "
          f"recovery) median {statistics.median(recovery):.2f} s, max {max(recovery):.2f} s; a rerun {rerun}")


def concurrent(root: Path, customers: int, batches: int = 4) -> None:
    """`batches` processes each generating for every one of `customers` customers at the same time."""
    workspace = portfolio(root, customers)
    start = time.perf_counter()
    processes = [mspdocs(workspace, "generate", "agreement", "--all", "--format", "json", "--as-of",
                         f"2026-0{index + 1}-01") for index in range(batches)]
    results = [process.communicate() for process in processes]
    wall = time.perf_counter() - start
    codes = [process.returncode for process in processes]
    written = sum(len(json.loads(out)) for (out, _), code in zip(results, codes) if code == 0)
    code, out, _, verify_seconds = run(workspace, "register", "verify")
    files = [p for p in (workspace / "output").rglob("*.docx")]
    print(f"concurrent: {batches} batches x {customers} documents at once: exit statuses {codes}, "
          f"{written} documents written, {entry_count(workspace)} entries, {len(files)} files, "
          f"{len(set(p.name for p in files))} distinct names, verify {'ok' if code == 0 else 'FAILED'} "
          f"({verify_seconds:.1f} s); wall {wall:.1f} s, {written / wall:.1f} documents/s in all")
    if code != 0:
        print(out)


def disk(root: Path) -> None:
    """Re-run this script in a private mount namespace with a small tmpfs, to fill it."""
    if shutil.which("unshare") is None:
        print("disk: skipped (no unshare)")
        return
    mount = root / "small"
    mount.mkdir()
    command = ["unshare", "--mount", "--propagation", "private", sys.executable, __file__, "--disk-inside",
               str(mount)]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        print(f"disk: skipped or failed ({result.stderr.strip()[-300:]})")
        return
    print(result.stdout, end="")


def disk_inside(mount: Path) -> None:
    """Inside the namespace: batches into a 6 MiB file system until it is full, then room again."""
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", str(mount)], check=True)
    workspace = portfolio(mount, None)
    ok = failed = tracebacks = verify_failures = strays = 0
    messages: dict[str, int] = {}
    for index in range(200):
        code, _, err, _ = run(workspace, "generate", "agreement", "--all", "--as-of", "2026-11-27")
        if code == 0:
            ok += 1
            continue
        failed += 1
        tracebacks += "Traceback" in err
        line = err.strip().splitlines()[0] if err.strip() else f"exit {code}, no message"
        key = re.sub(r"/\S+", "PATH", line)
        messages[key] = messages.get(key, 0) + 1
        verify_code, _, _, _ = run(workspace, "register", "verify")
        verify_failures += verify_code != 0
        strays += len(stray_files(workspace))
        if failed >= 5:
            break
    subprocess.run(["mount", "-o", "remount,size=256m", str(mount)], check=True)
    code, _, err, _ = run(workspace, "generate", "agreement", "--all", "--as-of", "2026-11-28")
    verify_code, _, _, _ = run(workspace, "register", "verify")
    print(f"disk: 6 MiB file system: {ok} batches written until full, then {failed} failed batches, "
          f"{tracebacks} tracebacks, {verify_failures} failed verifications after a failure, {strays} stray "
          f"files; with room again a batch {'completes' if code == 0 else 'FAILS: ' + err.strip()} and verify "
          f"{'passes' if verify_code == 0 else 'FAILS'}")
    for message, times in messages.items():
        print(f"  {times} x {message}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=["kills", "concurrent", "disk"])
    parser.add_argument("--disk-inside", type=Path, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.disk_inside:
        disk_inside(options.disk_inside)
        return
    with tempfile.TemporaryDirectory(prefix="stress-") as folder:
        for part in ("kills", "concurrent", "disk"):
            if options.only in (None, part):
                root = Path(folder, part)
                root.mkdir()
                started = time.perf_counter()
                {"kills": lambda: kills(root, options.kills, options.seed),
                 "concurrent": lambda: concurrent(root, options.customers),
                 "disk": lambda: disk(root)}[part]()
                print(f"  ({part}: {time.perf_counter() - started:.0f} s)")
    assert not processes_naming(folder), "processes outlived the stress run"


if __name__ == "__main__":
    main()
