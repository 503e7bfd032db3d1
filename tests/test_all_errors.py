"""Every problem of a customer record, the catalog or the profile in one run, each with file, field and line;
and the workspace found from any folder inside it."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from conftest import customer_yaml, write_customer
from hypothesis import given, settings
from hypothesis import strategies as st

from mspdocs.cli import cli
from mspdocs.workspace.tomlfile import key_lines, parse_toml


def _errors(output: str, filename: str) -> dict[str, int]:
    """field -> line, from the error lines naming `filename`."""
    found = {}
    for line in output.splitlines():
        match = re.search(rf"{re.escape(filename)}:(\d+): ([\w.\[\]]+):", line)
        if match:
            found[match.group(2)] = int(match.group(1))
    return found


def _line_of(path: Path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if text in line)


def test_a_customer_record_reports_every_problem_at_once(runner, workspace):
    text = customer_yaml()
    for old, new in (("effective: '2026-01-01'", "effective: 2026-02-30"),
                     ("- patching", "- patchin"),
                     ("proof_on_file: 'true'", "proof_on_file: yes"),
                     ("email: owner@example.com", "email: nobody")):
        assert old in text, old
        text = text.replace(old, new, 1)
    path = write_customer(workspace, text + "colour: blue\n")
    result = runner.invoke(cli, ["-w", str(workspace), "customers", "check", "tiny-co"])
    assert result.exit_code == 2, result.output
    assert _errors(result.output, "tiny-co.yaml") == {
        "agreement.effective": _line_of(path, "2026-02-30"),
        "services.subscribed": _line_of(path, "- patchin"),
        "insurance.proof_on_file": _line_of(path, "proof_on_file: yes"),
        "signatory.email": _line_of(path, "email: nobody"),
        "colour": _line_of(path, "colour: blue"),
    }


def test_every_problem_of_the_catalog_at_once(runner, workspace):
    catalog = workspace / "catalog.yaml"
    text = catalog.read_text(encoding="utf-8")
    text = text.replace("category: advanced-security", "category: advanced", 1)
    text = text.replace("    category: baseline", "    category: basic", 1)
    catalog.write_text(text + "colour: blue\n", encoding="utf-8")
    result = runner.invoke(cli, ["-w", str(workspace), "customers", "check"])
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if "catalog.yaml:" in line]
    assert len(errors) == 3, result.output
    assert any("'advanced' is not one of" in line for line in errors)
    assert any("'basic' is not one of" in line for line in errors)
    assert f"catalog.yaml:{_line_of(catalog, 'colour: blue')}: colour: unknown field" in result.output
    assert f"catalog.yaml:{_line_of(catalog, 'category: advanced')}:" in result.output


def test_every_problem_of_the_profile_at_once_with_its_line(runner, workspace):
    profile = workspace / "mspdocs.toml"
    text = profile.read_text(encoding="utf-8")
    text = text.replace('currency = "USD"', 'currency = "Dollars"')
    text = text.replace("qbr_cadence_days = 90", "qbr_cadence_days = 0")
    text = text.replace('email = "robin.vale@lakeside-it.example"', 'email = "robin"')
    profile.write_text(text + "\n[colour]\nshade = 1\n", encoding="utf-8")
    result = runner.invoke(cli, ["-w", str(workspace), "customers", "list"])
    assert result.exit_code == 2
    assert _errors(result.output, "mspdocs.toml") == {
        "msp.currency": _line_of(profile, '"Dollars"'),
        "msp.qbr_cadence_days": _line_of(profile, "qbr_cadence_days = 0"),
        "msp.signatory.email": _line_of(profile, 'email = "robin"'),
        "colour": _line_of(profile, "[colour]"),
    }


def test_malformed_toml_names_its_line(runner, workspace):
    profile = workspace / "mspdocs.toml"
    profile.write_text(profile.read_text(encoding="utf-8") + "\n[unclosed\n", encoding="utf-8")
    result = runner.invoke(cli, ["-w", str(workspace), "customers", "list"])
    assert result.exit_code == 2
    assert f"mspdocs.toml:{_line_of(profile, '[unclosed')}: malformed TOML" in result.output


TRICKY_TOML = '''# a = "comment"
title = """
not_a_key = 1
"""  # ends here
literal = \'\'\'x = 'y' \'\'\'
"quoted.key" . inner = 1
dotted.deep.key = true
list = [
  "a = b",  # c = d
  { name = "n", size = 2 },
]
inline = { a = 1, b = { c = "}" } }

[table.sub]
amount = 6.50
when = 2026-01-01

[[levels]]
name = "P1"

[[levels]]
name = "P2" # second
'''


def test_the_toml_locator_finds_every_key_and_item():
    lines = key_lines(TRICKY_TOML)
    assert lines[("title",)] == 2 and ("not_a_key",) not in lines
    assert lines[("literal",)] == 5
    assert lines[("quoted.key", "inner")] == 6
    assert lines[("dotted", "deep", "key")] == 7 and lines[("dotted",)] == 7
    assert lines[("list", 0)] == 9 and lines[("list", 1, "size")] == 10 and ("c",) not in lines
    assert lines[("inline", "b", "c")] == 12
    assert lines[("table", "sub")] == 14 and lines[("table", "sub", "amount")] == 15
    assert lines[("levels", 0, "name")] == 19 and lines[("levels", 1, "name")] == 22
    data = parse_toml(TRICKY_TOML, "x.toml")
    assert data["table"]["sub"]["amount"] == "6.50"  # as written, not 6.5
    assert data["table"]["sub"]["when"] == "2026-01-01"
    assert data["levels"][1].lines == {"name": 22} and data["list"].lines == [9, 10]
    assert data["dotted"]["deep"]["key"] == "true"


def test_commands_find_the_workspace_from_a_folder_inside_it(runner, workspace, monkeypatch):
    inside = workspace / "customers" / "notes"
    inside.mkdir()
    monkeypatch.delenv("MSPDOCS_WORKSPACE", raising=False)
    monkeypatch.chdir(inside)
    result = runner.invoke(cli, ["customers", "list"])
    assert result.exit_code == 0, result.output
    assert "pinecrest-law" in result.output


def test_outside_any_workspace_the_error_says_so(runner, tmp_path, monkeypatch):
    monkeypatch.delenv("MSPDOCS_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(cli, ["customers", "list"])
    assert result.exit_code == 2
    assert "no mspdocs.toml here or in any folder above" in result.output


_NAMES = st.text("abcdefghijklmnopqrstuvwxyz_-0123456789", min_size=1, max_size=8)
_TEXTS = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(list("\n=#[]{}'\"\\")),
                 max_size=30)


def _basic(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # JSON's escapes are valid in TOML basic strings


@settings(max_examples=60, deadline=None)
@given(tables=st.dictionaries(_NAMES, st.dictionaries(_NAMES, _TEXTS | st.integers(), min_size=1, max_size=4),
                              min_size=1, max_size=4),
       styles=st.lists(st.sampled_from(["header", "inline", "dotted", "multiline"]), min_size=4, max_size=4))
def test_the_toml_locator_places_every_key_of_any_profile(tables, styles):
    lines, expected = ["# generated"], {}
    for (table, values), style in zip(tables.items(), styles):
        def value_text(value, multiline=False):
            if isinstance(value, int):
                return str(value)
            if multiline and "'''" not in value and "\r" not in value and not value.endswith("'"):
                return f"'''\n{value}'''"
            return _basic(value)

        if style == "inline":
            expected.update({(table, key): len(lines) + 1 for key in values})
            lines.append(f"{table} = {{ " + ", ".join(f"{key} = {value_text(v)}" for key, v in values.items()) + " }")
            continue
        if style == "header":
            lines.append(f"[{table}]  # a = 1")
        for key, value in values.items():
            expected[(table, key)] = len(lines) + 1
            name = f"{table}.{key}" if style in ("dotted", "multiline") else key
            lines += f"{name} = {value_text(value, multiline=style == 'multiline')}".split("\n")
        if style == "header":
            break  # what follows a header would belong to its table
    text = "\n".join(lines) + "\n"
    parsed = tomllib.loads(text)
    found = key_lines(text)
    for (table, key), line in expected.items():
        assert key in parsed[table]
        assert found[(table, key)] == line, (text, table, key)


def _paths(value, prefix=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield prefix + (key,)
            yield from _paths(item, prefix + (key,))


_HOSTILE = st.one_of(st.none(), st.just(""), st.just([]), st.just({}), st.just(["x", {"y": 1}]),
                     st.just({"id": "edr"}), st.text(max_size=12), st.integers().map(str))


@settings(max_examples=80, deadline=None)
@given(data=st.data())
def test_any_mix_of_bad_values_is_reported_never_a_crash(tmp_path_factory, data):
    import yaml

    from conftest import customer_record
    from mspdocs.errors import MspdocsError
    from mspdocs.workspace.catalog import load_catalog
    from mspdocs.workspace.customers import parse_customer
    from mspdocs.workspace.folder import open_workspace
    from mspdocs.workspace.yamlfile import parse_yaml

    space = open_workspace(Path(__file__).resolve().parent.parent)
    catalog = load_catalog(space.path("catalog"))
    record = customer_record()
    paths = sorted(_paths(record))
    for path in data.draw(st.lists(st.sampled_from(paths), min_size=1, max_size=4, unique=True)):
        target = record
        for key in path[:-1]:
            target = target.get(key) if isinstance(target, dict) else None
        if isinstance(target, dict):
            target[path[-1]] = data.draw(_HOSTILE)
    text = yaml.safe_dump(record, sort_keys=False)
    file = tmp_path_factory.mktemp("c") / "tiny-co.yaml"
    try:
        parse_customer(parse_yaml(text, file), file, space, catalog)
    except MspdocsError as exc:
        assert str(exc)
