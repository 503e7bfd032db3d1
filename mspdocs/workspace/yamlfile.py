"""Strict YAML reading: every scalar stays a string, duplicate keys fail, every value keeps its line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..errors import InputError
from .files import read_text

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict):
    """A mapping read from YAML that remembers the line of each key (1-based)."""

    line: int = 0
    lines: dict[str, int]


class LineList(list):
    """A sequence read from YAML that remembers the line of each item (1-based)."""

    line: int = 0
    lines: list[int]


class _StrictLoader(_BaseLoader):
    """Without implicit resolvers every plain scalar is text: `NO`, `04101` and `1e3` stay as written.

    Fields are typed later, by the schema that knows what each one means, so YAML 1.1 never guesses.
    """

    yaml_implicit_resolvers: dict = {}


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> LineDict:
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise _error(loader, key_node, "a mapping key must be a plain name")
        key = loader.construct_scalar(key_node)
        if key == "<<":
            raise _error(loader, key_node, "YAML merge keys (<<) are not supported")
        if key in result:
            first = result.lines[key]
            raise _error(loader, key_node, f"duplicate key '{key}' (first given on line {first})")
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = value_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _StrictLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


_PLAIN_NULLS = {"", "~", "null", "Null", "NULL"}


def _construct_text(loader: _StrictLoader, node: yaml.ScalarNode) -> str | None:
    """Text as written; only an unquoted empty value, `~` or `null` means "no value"."""
    value = loader.construct_scalar(node)
    if not node.style and value in _PLAIN_NULLS:  # plain style is None (or "" from the C parser)
        return None
    return value


def _construct_null(loader: _StrictLoader, node: yaml.Node) -> None:
    return None


def _error(loader: _StrictLoader, node: yaml.Node, message: str) -> yaml.MarkedYAMLError:
    return yaml.MarkedYAMLError(problem=message, problem_mark=node.start_mark)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_StrictLoader.add_constructor("tag:yaml.org,2002:null", _construct_null)
_StrictLoader.add_constructor("tag:yaml.org,2002:str", _construct_text)


def parse_yaml(text: str, path: str | Path, first_line: int = 1) -> Any:
    """Parse YAML text strictly; errors name the file and the line (offset by `first_line`)."""
    # Leading blank lines put every mark, and so every remembered line, at its line in the whole file.
    text = "\n" * (first_line - 1) + text
    try:
        return yaml.load(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or "malformed YAML"
        if exc.context and exc.problem:
            problem = f"{exc.context}, {exc.problem}"
        raise InputError(f"malformed YAML: {problem}", path=path, line=line) from None
    except yaml.YAMLError as exc:
        raise InputError(f"malformed YAML: {exc}", path=path) from None
    except RecursionError:
        raise InputError("malformed YAML: nested too deeply", path=path) from None


def read_yaml(path: Path) -> Any:
    """Read and strictly parse one YAML file."""
    return parse_yaml(read_text(path), path)
