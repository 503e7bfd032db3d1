"""The committed Word templates are exactly what scripts/build_templates.py draws, part for part."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"


def _load_entry_point():
    """Load scripts/build_templates.py by path, as `make templates` runs it (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location("build_templates", ROOT / "scripts" / "build_templates.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _created_epoch(docx: Path) -> int:
    core = zipfile.ZipFile(docx).read("docProps/core.xml").decode()
    stamp = re.search(r"<dcterms:created[^>]*>([^<]+)</dcterms:created>", core).group(1)
    return int(dt.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())


def test_committed_templates_are_what_the_builder_draws(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    builder = _load_entry_point()
    assert sorted(builder.BUILDERS) == sorted(p.name for p in TEMPLATES.glob("*.docx"))

    for name in builder.BUILDERS:
        # the dates inside are the only part that depends on when a template was built
        monkeypatch.setenv("SOURCE_DATE_EPOCH", str(_created_epoch(TEMPLATES / name)))
        assert builder.main([str(tmp_path), name]) == 0
        committed, rebuilt = zipfile.ZipFile(TEMPLATES / name), zipfile.ZipFile(tmp_path / name)
        assert rebuilt.namelist() == committed.namelist(), name
        assert "word/document.xml" in committed.namelist()
        for part in committed.namelist():
            assert rebuilt.read(part) == committed.read(part), f"{name}: {part} differs; run make templates"
