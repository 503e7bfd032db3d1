"""QBR figures: agendas per second against agreements, packets per second with --jobs 2, `qbr list` time.

Usage: python benchmarks/qbr_throughput.py [--customers N] [--packets N] [--list-customers N]
Targets: an agenda is no slower than an agreement; >= 3 packets/s with --jobs 2 (docx, charts,
PDF); `qbr list` over 5,000 customers within 2 seconds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from agreement_throughput import synthetic_workspace  # noqa: E402

from mspdocs.batch import generate  # noqa: E402
from mspdocs.delivery.store import import_evidence  # noqa: E402
from mspdocs.qbr.meetings import record_qbr  # noqa: E402
from mspdocs.qbr.schedule import qbr_schedule  # noqa: E402

AS_OF = dt.date(2026, 11, 29)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "evidence"


def workspace_of(folder: Path, count: int) -> Path:
    """`count` copies of the example portfolio under the checkout's demo MSP (see portfolio.py)."""
    return synthetic_workspace(folder, count)


def rate(workspace: Path, kind: str, ids: list[str] | None, jobs: int) -> float:
    """Documents per second for the whole command, as a user runs it."""
    shutil.rmtree(workspace / "output")
    (workspace / "output").mkdir()
    start = time.perf_counter()
    written = generate(kind, ids, workspace=workspace, as_of=AS_OF, jobs=jobs)
    return len(written) / (time.perf_counter() - start)


def with_history(workspace: Path, customers: list[str]) -> None:
    """Evidence for the example sites (each mapped to the first copy of its customer) and a review with an
    action for each of `customers`, as in real use."""
    ids = sorted(p.stem for p in (workspace / "customers").glob("*.yaml"))
    for layout in ("device-list", "endpoint-inventory"):
        export = workspace / f"{layout}-export.csv"
        shutil.copy(EXAMPLES / f"{layout}-export.csv", export)
        mapping = (EXAMPLES / f"{layout}.mapping.yaml").read_text(encoding="utf-8")
        for name in ("pinecrest-law", "bright-harbor-dental", "casco-bay-food-pantry", "granite-ridge-accounting",
                     "muller-obrien", "northfield-precision", "cascade-family-medicine"):
            copy = next(i for i in ids if i.startswith(f"{name}-"))
            mapping = mapping.replace(f": {name}\n", f": {copy}\n")
        (workspace / f"{layout}.mapping.yaml").write_text(mapping, encoding="utf-8")
        import_evidence(export, workspace / f"{layout}.mapping.yaml", workspace=workspace)
    for customer in customers:
        record_qbr(customer, dt.date(2026, 8, 20), ["Pat Doe"], ["Review backups; owner=Pat Doe"],
                   workspace=workspace, today=AS_OF)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=60)
    parser.add_argument("--packets", type=int, default=24)
    parser.add_argument("--list-customers", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workspace = workspace_of(Path(folder), args.customers)
        ids = sorted(p.stem for p in (workspace / "customers").glob("*.yaml"))
        with_history(workspace, ids[:10])
        agreement = rate(workspace, "agreement", None, 1)
        agenda = rate(workspace, "qbr-agenda", None, 1)
        print(f"agreement   {agreement:7.1f} documents/s (--jobs 1, {args.customers} customers)")
        print(f"qbr-agenda  {agenda:7.1f} documents/s (--jobs 1)   ratio {agenda / agreement:.2f} (target >= 1)")
        packets = rate(workspace, "qbr-packet", ids[:args.packets], 2)
        print(f"qbr-packet  {packets:7.1f} packets/s   (--jobs 2, {args.packets} packets with PDF; target >= 3)")
    with tempfile.TemporaryDirectory() as folder:
        workspace = workspace_of(Path(folder), args.list_customers)
        ids = sorted(p.stem for p in (workspace / "customers").glob("*.yaml"))
        for customer in ids[::10]:
            record_qbr(customer, dt.date(2026, 8, 20), ["Pat Doe"], ["Follow up"], workspace=workspace)
        for run in ("first run", "second run"):  # nothing is cached between runs: both read every record
            start = time.perf_counter()
            rows = qbr_schedule(workspace=workspace, as_of=AS_OF)
            elapsed = time.perf_counter() - start
            print(f"qbr list    {elapsed:7.2f} s over {len(rows)} customers, {run} (target <= 2 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
