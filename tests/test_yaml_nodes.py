"""The fast YAML reading (C-composed nodes, values built directly) keeps every rule of the strict reader."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mspdocs.errors import InputError
from mspdocs.workspace.yamlfile import parse_yaml


def test_values_stay_text_with_their_lines():
    data = parse_yaml("a: NO\nb:\n  - 04101\n  - ''\nc: ~\nd: 'null'\n", "x.yaml")
    assert data == {"a": "NO", "b": ["04101", ""], "c": None, "d": "null"}
    assert data.lines == {"a": 1, "b": 3, "c": 5, "d": 6} and data["b"].lines == [3, 4]


@pytest.mark.parametrize("text, words, line", [
    ("a: 1\na: 2\n", "duplicate key 'a' (first given on line 1)", 2),
    ("base: &b {x: 1}\nother:\n  <<: *b\n", "merge keys", 3),
    ("a: !!python/object:os.system x\n", "could not determine a constructor", 1),
    ("a: &x [*x]\n", "recursive alias", 1),
    ("? [a, b]\n: c\n", "a mapping key must be a plain name", 1),
])
def test_what_the_strict_reader_refuses(text, words, line):
    with pytest.raises(InputError) as caught:
        parse_yaml(text, "x.yaml")
    assert words in str(caught.value) and caught.value.line == line


def test_an_alias_bomb_is_shared_not_expanded():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]" for n in range(1, 9)]
    start = time.perf_counter()
    data = parse_yaml("\n".join(lines) + "\n", "bomb.yaml")
    assert time.perf_counter() - start < 2
    assert data["a8"][0] is data["a7"]


KEYS = {"id", "legal_name", "agreement", "qbr"}


def test_reading_some_keys_gives_what_the_whole_file_gives_with_the_same_lines():
    from mspdocs.workspace.yamlfile import read_yaml, read_yaml_keys

    examples = sorted((Path(__file__).resolve().parent.parent / "examples" / "customers").glob("*.yaml"))
    assert examples
    for path in examples:
        whole, some = read_yaml(path), read_yaml_keys(path, KEYS)
        assert set(some) == KEYS & set(whole)
        for key in some:
            assert some[key] == whole[key] and some.lines[key] == whole.lines[key]
            if isinstance(whole[key], dict):
                assert some[key].lines == whole[key].lines


@pytest.mark.parametrize("text", [
    "---\nid: a\nlegal_name: A\n",                       # a document marker
    "id: a\nnotes: x\nnotes: y\nlegal_name: A\n",         # a key given twice, outside the keys read
    "base: &terms {effective: 2026-01-01}\nid: a\nagreement: *terms\n",  # an alias to a skipped anchor
    "id: a\nlist:\n- one\nlegal_name: A\n",               # a sequence at the margin
    'id: a\nnotes: "one\nlegal_name: B"\nlegal_name: A\n',  # a quoted value running on at the margin
])
def test_anything_unusual_at_the_top_level_is_read_whole(tmp_path, text):
    from mspdocs.errors import InputError
    from mspdocs.workspace.yamlfile import parse_yaml, read_yaml_keys

    path = tmp_path / "a.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        whole = parse_yaml(text, path)
    except InputError as exc:
        with pytest.raises(InputError) as raised:
            read_yaml_keys(path, KEYS)
        assert raised.value.line == exc.line
        return
    some = read_yaml_keys(path, KEYS)
    assert {key: some[key] for key in some if key in KEYS} == {key: whole[key] for key in whole if key in KEYS}
