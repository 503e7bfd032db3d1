"""The benchmarks' workspace: the example portfolio (or copies of it) under the checkout's demo MSP profile."""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mspdocs.batch import generate  # noqa: E402
from mspdocs.workspace.folder import init_workspace  # noqa: E402

# Before every benchmark's date of issue: a healthcare customer's agreement cites a BAA issued earlier.
BAA_DATE = dt.date(2026, 1, 1)


def portfolio(root: Path, count: int | None = None) -> Path:
    """A workspace with the examples, or `count` copies of them under new ids.

    Its profile is the checkout's demo MSP (without `[paths]`): the built-in sample profile is refused
    for customer documents.
    """
    workspace = init_workspace(root / "ws", examples=True)
    demo = (ROOT / "mspdocs.toml").read_text(encoding="utf-8")
    (workspace / "mspdocs.toml").write_text(demo.split("\n[paths]")[0] + "\n", encoding="utf-8")
    if count is not None:
        _copies(workspace / "customers", count)
    _issue_baas(workspace)
    return workspace


def _issue_baas(workspace: Path) -> None:
    """The business associate agreements the healthcare customers' agreements require (not timed)."""
    if any(re.search(r"^industry:\s*healthcare\s*$", path.read_text(encoding="utf-8"), re.MULTILINE)
           for path in (workspace / "customers").glob("*.yaml")):
        generate("baa", None, workspace=workspace, as_of=BAA_DATE)


def _copies(folder: Path, count: int) -> None:
    """Replace the examples with `count` copies of them under new ids."""
    examples = [(path.stem, path.read_text(encoding="utf-8")) for path in sorted(folder.glob("*.yaml"))]
    for path in folder.glob("*.yaml"):
        path.unlink()
    for index in range(count):
        stem, text = examples[index % len(examples)]
        new_id = f"{stem[:40]}-{index:04d}"
        text = re.sub(r"^id:.*$", f"id: {new_id}", text, count=1, flags=re.MULTILINE)
        (folder / f"{new_id}.yaml").write_text(text, encoding="utf-8")
