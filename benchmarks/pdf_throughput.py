"""PDF throughput: agreements with PDFs per second for a 50-customer portfolio, with --jobs 1 and 2.

Run from the checkout: `python benchmarks/pdf_throughput.py [CUSTOMERS]`.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portfolio import portfolio  # noqa: E402

from mspdocs.batch import generate


def run(count: int, jobs: int) -> float:
    with tempfile.TemporaryDirectory(prefix="mspdocs-bench-") as folder:
        workspace = portfolio(Path(folder), count)
        start = time.perf_counter()
        written = generate("agreement", None, workspace=workspace, as_of=dt.date(2026, 11, 27), jobs=jobs,
                           pdf=True)
        elapsed = time.perf_counter() - start
        assert len(written) == count and all(item.pdf_path.is_file() for item in written)
    return elapsed


def main(argv: list[str]) -> int:
    count = int(argv[0]) if argv else 50
    for jobs in (1, 2):
        elapsed = run(count, jobs)
        print(f"agreement --all --pdf --jobs {jobs}: {count} documents in {elapsed:.1f} s = "
              f"{count / elapsed:.1f} documents/second")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
