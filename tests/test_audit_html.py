"""The audit's HTML page, loaded in a real browser (headless Chromium): chart, sortable table, sections, escaping."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from mspdocs.cli.main import cli

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
HOSTILE = "<script>document.title='owned'</script> & Sons <b>Ltd</b>"


def write_report(runner, workspace: Path, path: Path) -> str:
    record = workspace / "customers" / "pinecrest-law.yaml"
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace('legal_name: "Pinecrest Law Group, PLLC"',
                                   'legal_name: "' + HOSTILE.replace('"', '\\"') + '"'), encoding="utf-8")
    result = runner.invoke(cli, ["-w", str(workspace), "audit", "--as-of", "2026-11-20", "--format", "html",
                                 "-o", str(path)])
    assert result.exit_code == 1, result.output
    return path.read_text(encoding="utf-8")


def test_the_page_is_self_contained_and_escapes_every_value(runner, workspace, tmp_path):
    page = write_report(runner, workspace, tmp_path / "report.html")
    assert HOSTILE not in page and "&lt;script&gt;document.title=&#x27;owned&#x27;&lt;/script&gt; &amp; Sons" in page
    assert page.count("<script>") == 1  # the table sorter, nothing from data
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    assert "<link" not in page and "@import" not in page
    again = runner.invoke(cli, ["-w", str(workspace), "audit", "--format", "html", "-o", str(tmp_path / "report.html")])
    assert again.exit_code == 2 and "refusing to overwrite" in again.output


def test_a_report_is_refused_under_output_where_register_verify_would_flag_it(runner, workspace):
    for output_format in ("html", "json"):
        result = runner.invoke(cli, ["-w", str(workspace), "audit", "--format", output_format,
                                     "-o", str(workspace / "output" / f"audit.{output_format}")])
        assert result.exit_code == 2 and "output/ holds only the documents the register records" in result.output
    assert sorted(p.name for p in (workspace / "output").iterdir() if not p.name.startswith(".")) == []


def browser(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                           *args], capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make install adds it as root)")
def test_chromium_renders_the_chart_the_table_and_the_sections(runner, workspace, tmp_path):
    path = tmp_path / "report.html"
    write_report(runner, workspace, path)
    dom = browser("--dump-dom", path.as_uri()).stdout
    customers = len(list((workspace / "customers").glob("*.yaml")))
    assert re.search(rf'<b id="customer-count">{customers}</b>', dom)
    assert dom.count('<tr data-customer="') == customers
    assert len(re.findall(r'<rect class="bar-gap" data-lesson="1"', dom)) == 1
    assert "<title>owned</title>" not in dom and "<title>Audit as of 2026-11-20</title>" in dom
    assert 'id="customer-pinecrest-law"' in dom and "&lt;script&gt;" in dom
    # sorted by the gaps column, fewest first, by the page's own script
    sorted_dom = browser("--dump-dom", path.as_uri() + "#sort=2").stdout
    gaps = [int(n) for n in re.findall(r'<td data-sort="(\d+)">\d+</td>', sorted_dom)]
    assert len(gaps) == customers and gaps == sorted(gaps) and gaps != sorted(gaps, reverse=True)
    shot = tmp_path / "report.png"
    browser(f"--screenshot={shot}", "--window-size=1280,1400", path.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    print(f"screenshot: {shot}")


def test_the_chart_counts_customers_and_actions_set_only_commands_as_code(runner, workspace, tmp_path):
    page = write_report(runner, workspace, tmp_path / "report.html")
    labels = re.findall(r'class="gap-count">([^<]*)<', page)
    assert len(labels) == 6 and all(re.fullmatch(r"\d+ with a gap(, \d+ unknown)?", label) for label in labels)
    codes = re.findall(r"<code>(.*?)</code>", page)
    assert codes and all(code.startswith("mspdocs ") and not code.endswith(" ") for code in codes)
    assert "<code>mspdocs generate agreement pinecrest-law --pdf</code>; have it signed, then record the returned " \
           "copy: <code>mspdocs signed add FILE</code>" in page
