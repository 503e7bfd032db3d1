"""Agreements per second for a synthetic portfolio, against raw docxtpl on the same template and context.

Usage: python benchmarks/agreement_throughput.py [--customers N]
Prints documents/second for --jobs 1 and --jobs 2, the per-document time of raw docxtpl (a fresh
DocxTemplate per document, as its documentation shows), the ratio, and `mspdocs --help` start-up time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from portfolio import portfolio

from mspdocs.batch import generate, prepare
from mspdocs.render.assemble import assemble
from mspdocs.render.documents import base_context
from mspdocs.render.environment import longdate, money, names
from mspdocs.workspace.folder import open_workspace

AS_OF = dt.date(2026, 11, 27)


def synthetic_workspace(folder: Path, count: int) -> Path:
    return portfolio(folder, count)


def time_mspdocs(workspace: Path, jobs: int) -> float:
    """The whole command as a user runs it: load, validate, render, check, write, record."""
    shutil.rmtree(workspace / "output")
    (workspace / "output").mkdir()
    start = time.perf_counter()
    written = generate("agreement", None, workspace=workspace, as_of=AS_OF, jobs=jobs)
    elapsed = time.perf_counter() - start
    assert len(written) == len(list((workspace / "customers").glob("*.yaml")))
    return elapsed


def time_raw_docxtpl(workspace: Path, count: int) -> float:
    """Raw docxtpl: no checks, no clause assembly (contexts are built before the clock starts)."""
    from docxtpl import DocxTemplate
    from jinja2 import Environment

    space = open_workspace(workspace)
    job = prepare(space, "agreement", None, AS_OF)
    contexts = []
    for customer in list(job.customers.values())[:count]:
        context = base_context(space, job.catalog, customer, job.kind, "AGR-RAW00000", AS_OF, False)
        contexts.append(dict(context, sections=assemble(job.library, "agreement", context).xml))
    template_path = space.path("templates") / "agreement.docx"
    start = time.perf_counter()
    for context in contexts:
        env = Environment(autoescape=True)
        env.filters.update(money=money, longdate=longdate, names=names)
        document = DocxTemplate(template_path)
        document.render(context, jinja_env=env, autoescape=True)
        document.save(io.BytesIO())
    return time.perf_counter() - start


def help_seconds() -> float:
    runs = []
    for _ in range(7):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "mspdocs", "--help"], check=True, capture_output=True)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workspace = synthetic_workspace(Path(folder), args.customers)
        time_mspdocs(workspace, 1)  # warm the file cache
        one = time_mspdocs(workspace, 1)
        two = time_mspdocs(workspace, 2)
        raw = time_raw_docxtpl(workspace, args.customers)
    n = args.customers
    print(f"customers: {n}")
    print(f"mspdocs --jobs 1: {n / one:7.1f} documents/s  ({one / n * 1000:6.1f} ms/document, every check on)")
    print(f"mspdocs --jobs 2: {n / two:7.1f} documents/s  (speed-up {one / two:.2f}x)")
    print(f"raw docxtpl:      {n / raw:7.1f} documents/s  ({raw / n * 1000:6.1f} ms/document)")
    print(f"ratio mspdocs/raw docxtpl per document (jobs 1): {one / raw:.2f}x")
    print(f"mspdocs --help: {help_seconds():.3f} s (median of 7; includes the Python start-up)")


if __name__ == "__main__":
    main()
