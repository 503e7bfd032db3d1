"""TOML files read with the line of every key, so the profile's errors name their line as YAML ones do.

The standard library's `tomllib` parses (and rejects malformed TOML with its line), but gives no
positions for what it parsed; `tomlkit` keeps comments and formatting for editing, but exposes no line
numbers either. So the text tomllib has accepted is scanned once more by `key_lines`, a small locator
that only has to find where each key and array item starts: it follows TOML's lexical rules for
comments, the four kinds of string (whose contents are never mistaken for keys), arrays and inline
tables over several lines, dotted and quoted keys, `[table]` and `[[array of tables]]` headers. A key it
cannot place gets the line of its table instead: an error then points near, never elsewhere.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import InputError
from .files import read_text
from .yamlfile import LineDict, LineList

KeyPath = tuple[str | int, ...]
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_AT_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)")


class _Scanner:
    """One pass over TOML text that records the line where each key path starts."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.lines: dict[KeyPath, int] = {}
        self.array_counts: dict[KeyPath, int] = {}

    def line(self) -> int:
        return self.text.count("\n", 0, self.at) + 1

    def peek(self, count: int = 1) -> str:
        return self.text[self.at:self.at + count]

    def note(self, path: KeyPath, line: int) -> None:
        for end in range(1, len(path) + 1):  # a dotted key or header also opens its parent tables
            self.lines.setdefault(path[:end], line)

    def skip_blank(self, newlines: bool) -> None:
        """Skip spaces (and newlines and comments when `newlines`)."""
        while self.at < len(self.text):
            char = self.text[self.at]
            if char in " \t" or (newlines and char in "\r\n"):
                self.at += 1
            elif newlines and char == "#":
                self.skip_comment()
            else:
                return

    def skip_comment(self) -> None:
        end = self.text.find("\n", self.at)
        self.at = len(self.text) if end < 0 else end

    def scan(self) -> dict[KeyPath, int]:
        table: KeyPath = ()
        while True:
            self.skip_blank(newlines=True)
            if self.at >= len(self.text):
                return self.lines
            line = self.line()
            if self.peek(2) == "[[":
                self.at += 2
                name = self.key()
                index = self.array_counts.get(name, 0)
                self.array_counts[name] = index + 1
                table = name + (index,)
                self.note(table, line)
                self.at = self.text.find("]]", self.at) + 2
            elif self.peek() == "[":
                self.at += 1
                table = self.key()
                self.note(table, line)
                self.at = self.text.find("]", self.at) + 1
            else:
                self.pair(table)
            self.skip_blank(newlines=False)
            if self.peek() == "#":
                self.skip_comment()

    def key(self) -> tuple[str, ...]:
        """A dotted key: bare or quoted parts separated by dots (spaces allowed around them)."""
        parts = []
        while True:
            self.skip_blank(newlines=False)
            char = self.peek()
            if char in ('"', "'"):
                start = self.at
                self.string()
                parts.append(tomllib.loads(f"k = {self.text[start:self.at]}")["k"])
            else:
                match = _BARE_KEY.match(self.text, self.at)
                if match is None:
                    raise ValueError(f"no key at offset {self.at}")
                parts.append(match.group(0))
                self.at = match.end()
            self.skip_blank(newlines=False)
            if self.peek() != ".":
                return tuple(parts)
            self.at += 1

    def pair(self, table: KeyPath) -> None:
        line = self.line()
        path = table + self.key()
        self.note(path, line)
        self.skip_blank(newlines=False)
        self.at += 1  # the "=" tomllib has already checked
        self.skip_blank(newlines=False)
        self.value(path)

    def value(self, path: KeyPath) -> None:
        char = self.peek()
        if char in ('"', "'"):
            self.string()
        elif char == "[":
            self.array(path)
        elif char == "{":
            self.inline_table(path)
        else:  # number, date, boolean: up to whatever ends a value
            while self.at < len(self.text) and self.text[self.at] not in ",]}#\r\n":
                self.at += 1

    def string(self) -> None:
        quote = self.peek()
        delimiter = quote * 3 if self.peek(3) == quote * 3 else quote
        self.at += len(delimiter)
        while self.at < len(self.text):
            if quote == '"' and self.text[self.at] == "\\":
                self.at += 2
                continue
            if self.text.startswith(delimiter, self.at):
                self.at += len(delimiter)
                while len(delimiter) == 3 and self.peek() == quote:  # up to two quotes may end the content
                    self.at += 1
                return
            self.at += 1

    def array(self, path: KeyPath) -> None:
        self.at += 1
        index = 0
        while True:
            self.skip_blank(newlines=True)
            if self.peek() in ("]", ""):
                self.at += 1
                return
            if self.peek() == ",":
                self.at += 1
                continue
            self.note(path + (index,), self.line())
            self.value(path + (index,))
            index += 1

    def inline_table(self, path: KeyPath) -> None:
        self.at += 1
        while True:
            self.skip_blank(newlines=True)
            if self.peek() in ("}", ""):
                self.at += 1
                return
            if self.peek() == ",":
                self.at += 1
                continue
            self.pair(path)


def key_lines(text: str) -> dict[KeyPath, int]:
    """The 1-based line where each key path (and array item) of valid TOML `text` is first written.

    Paths are tuples of keys and array indexes: `("msp", "address", "city")`, `("levels", 0, "name")`.
    Locating is best effort: on anything unexpected it returns what it found so far.
    """
    scanner = _Scanner(text)
    try:
        return scanner.scan()
    except (ValueError, tomllib.TOMLDecodeError):
        return scanner.lines


def _as_text(value: Any) -> Any:
    """A scalar as the text Fields types, so the profile is validated like every other file."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.time, int, Decimal)):
        return str(value)
    return value


def located(value: Any, lines: dict[KeyPath, int], path: KeyPath = (), line: int = 1) -> Any:
    """Parsed TOML as the same line-remembering mappings and lists that YAML gives, scalars as text."""
    if isinstance(value, dict):
        result = LineDict()
        result.line = line
        result.lines = {}
        for key, item in value.items():
            item_line = lines.get(path + (key,), line)
            result.lines[key] = item_line
            result[key] = located(item, lines, path + (key,), item_line)
        return result
    if isinstance(value, list):
        result = LineList()
        result.line = line
        result.lines = [lines.get(path + (index,), line) for index in range(len(value))]
        result.extend(located(item, lines, path + (index,), item_line)
                      for index, (item, item_line) in enumerate(zip(value, result.lines)))
        return result
    return _as_text(value)


def parse_toml(text: str, path: str | Path) -> LineDict:
    """Parse TOML text: amounts exactly as written (Decimal), every key with its line."""
    try:
        raw = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = _AT_LINE.search(message)
        raise InputError(f"malformed TOML: {_AT_LINE.sub('', message)}", path=path,
                         line=int(at.group(1)) if at else None) from None
    return located(raw, key_lines(text))


def read_toml(path: Path) -> LineDict:
    """Read and parse one TOML file (UTF-8)."""
    return parse_toml(read_text(path), path)
