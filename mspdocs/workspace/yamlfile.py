"""Strict YAML reading: every scalar stays a string, duplicate keys fail, every value keeps its line."""

from __future__ import annotations

import re
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

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        """Without implicit or path resolvers every untagged node has its kind's default tag; said
        directly, as the C parser asks for every scalar."""
        if kind is yaml.ScalarNode:
            return yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG
        if kind is yaml.SequenceNode:
            return yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG
        return yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG


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


_STR, _NULL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null"
_MAP, _SEQ = yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG


def _node_value(loader: _StrictLoader, node: yaml.Node, done: dict[int, Any], open_nodes: set[int]) -> Any:
    """The value of a composed node, by the same rules as the constructors above, without their overhead
    (thousands of customer files are read per audit). An alias shares its anchor's value: no blow-up."""
    key = id(node)
    if key in done:
        return done[key]
    if key in open_nodes:
        raise _error(loader, node, "a recursive alias (a node containing itself) is not supported")
    if isinstance(node, yaml.ScalarNode) and node.tag in (_STR, _NULL):
        value = None if node.tag == _NULL or (not node.style and node.value in _PLAIN_NULLS) else node.value
    elif isinstance(node, yaml.MappingNode) and node.tag == _MAP:
        open_nodes.add(key)
        value = LineDict()
        value.line, value.lines = node.start_mark.line + 1, {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != _STR:
                raise _error(loader, key_node, "a mapping key must be a plain name")
            name = key_node.value
            if name == "<<":
                raise _error(loader, key_node, "YAML merge keys (<<) are not supported")
            if name in value:
                raise _error(loader, key_node, f"duplicate key '{name}' (first given on line {value.lines[name]})")
            value[name] = _child_value(loader, value_node, done, open_nodes)
            value.lines[name] = value_node.start_mark.line + 1
        open_nodes.discard(key)
    elif isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
        open_nodes.add(key)
        value = LineList(_child_value(loader, child, done, open_nodes) for child in node.value)
        value.line, value.lines = node.start_mark.line + 1, [child.start_mark.line + 1 for child in node.value]
        open_nodes.discard(key)
    else:
        raise yaml.constructor.ConstructorError(None, None, f"could not determine a constructor for the tag "
                                                f"{node.tag!r}", node.start_mark)
    done[key] = value
    return value


def _child_value(loader: _StrictLoader, node: yaml.Node, done: dict[int, Any], open_nodes: set[int]) -> Any:
    """A member's value: a plain text scalar, by far the most common, directly (text is never shared
    mutably, so an alias to it needs no memo); anything else through `_node_value`."""
    if type(node) is yaml.ScalarNode and node.tag == _STR:
        return None if not node.style and node.value in _PLAIN_NULLS else node.value
    return _node_value(loader, node, done, open_nodes)


def _load(text: str) -> Any:
    """Compose with the (C, when available) parser, then build values with line numbers."""
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        return None if node is None else _node_value(loader, node, {}, set())
    finally:
        loader.dispose()


def parse_yaml(text: str, path: str | Path, first_line: int = 1) -> Any:
    """Parse YAML text strictly; errors name the file and the line (offset by `first_line`)."""
    # Leading blank lines put every mark, and so every remembered line, at its line in the whole file.
    text = "\n" * (first_line - 1) + text
    try:
        return _load(text)
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


# A top-level key at the start of a line (`name:` followed by a space or the end of the line).
_TOP_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]|$)")


def read_yaml_keys(path: Path, keys: set[str]) -> Any:
    """The file's top-level mapping with only `keys` (lines kept), parsing only their lines.

    Every other top-level entry is blanked out before parsing, so thousands of records can be read
    for a few fields. A file whose top level is not plainly `key: ...` lines (a document marker, a
    directive, a quoted or complex key, a key given twice, an alias to a blanked anchor) is parsed whole.
    """
    text = read_text(path)
    kept, keep, seen = [], False, set()
    for line in text.split("\n"):
        if line[:1] not in ("", " ", "\t", "#"):
            match = _TOP_KEY.match(line)
            if match is None or match.group(1) in seen:
                return parse_yaml(text, path)
            seen.add(match.group(1))
            keep = match.group(1) in keys
        kept.append(line if keep else "")
    try:
        data = parse_yaml("\n".join(kept), path)
    except InputError:
        return parse_yaml(text, path)  # the whole file says where it is wrong (or that it is not)
    return data if isinstance(data, dict) else parse_yaml(text, path)
