"""Every command documents itself with an example, and `--help` stays fast to load."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from mspdocs.cli import cli


def _commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield prefix + (name,), command
        if isinstance(command, click.Group):
            yield from _commands(command, prefix + (name,))


@pytest.mark.parametrize("path, command", list(_commands(cli)), ids=lambda v: " ".join(v) if isinstance(v, tuple) else "")
def test_every_command_has_help_with_an_example(runner, path, command):
    result = runner.invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output, f"mspdocs {' '.join(path)} --help has no example"
    assert f"mspdocs {path[0]}" in result.output


def test_help_does_not_import_heavy_libraries():
    code = ("import sys; from mspdocs.cli import cli;"
            "heavy = [m for m in ('docxtpl', 'docx', 'lxml', 'pypdf', 'pyhanko', 'jinja2', 'yaml') if m in sys.modules];"
            "print(','.join(heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


def test_help_examples_name_customers_of_the_example_portfolio(runner):
    from pathlib import Path

    examples = {p.stem for p in (Path(__file__).parent.parent / "examples" / "customers").glob("*.yaml")}
    for path, _ in _commands(cli):
        text = runner.invoke(cli, [*path, "--help"]).output
        for line in text.split("Example:")[-1].splitlines():
            words = line.split()
            if words[:2] in (["mspdocs", "generate"], ["mspdocs", "customers"]):
                named = [w for w in words[3:] if not w.startswith("-") and "-" in w and "/" not in w and w not in
                         ("risk-letter", "insurance-notice", "clause-book", "2026-12-01")]
                assert set(named) <= examples, f"{line.strip()} names a customer the examples lack"


def test_the_readme_python_example_runs(tmp_path):
    import re
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Using mspdocs from Python", 1)[1].split("\n## ", 1)[0]
    [code] = re.findall(r"```python\n(.*?)```", section, re.DOTALL)
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "refused, exit 2"
    assert re.match(r".*acme-msp/mspdocs\.toml:\d+: msp\.name: still the built-in sample MSP's", lines[1])
    assert re.match(r"AGR-\w+ agreement-\d{4}-\d\d-\d\d-AGR-\w+\.docx new$", lines[2])
    assert re.match(r"register ok 1 entries, head [0-9a-f]{12}$", lines[3])
    assert (tmp_path / "acme-msp" / "register.sqlite3").exists()


def test_import_mspdocs_offers_the_library_api_without_loading_it():
    code = ("import sys, mspdocs; names = dir(mspdocs);"
            "print(all(n in names for n in ('generate', 'add_signed', 'verify', 'open_workspace', 'MspdocsError')));"
            "print('jinja2' in sys.modules); mspdocs.generate; print('jinja2' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["True", "False", "True"]
