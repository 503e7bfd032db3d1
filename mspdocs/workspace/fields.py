"""Typed, located reading of one YAML mapping: each field is converted by what it means, or fails by name."""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import InputError, MspdocsError, MultipleErrors, raise_all
from .currencies import ISO_4217
from .yamlfile import LineDict, LineList

# Control characters cannot be stored in a Word document and are never meant in a contract.
# Text-direction embeddings, overrides and isolates can make the page show other text than the data holds.
# Line and paragraph separators end a line where none shows in the file; bidi marks reorder what is shown.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069"
                      "\u2028\u2029\u200e\u200f\u061c]")
_EMAIL = re.compile(r"(?!\.)(?!.*\.\.)[\w.!#$%&'*+/=?^`{|}~-]{1,64}(?<!\.)"
                    r"@(?=.{4,253}$)(?:[^\W_](?:[\w-]{0,61}[^\W_])?\.)+[^\W\d_]{2,63}")
MAX_INTEGER = 10**9  # no count, term or version of a document comes near
MAX_AMOUNT_DIGITS = 15  # whole-number digits of a money amount (below a quadrillion)
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}


def _gathered(read):
    """A reader that, when its Fields gathers problems, records a bad value and gives None instead."""
    @functools.wraps(read)
    def reader(self: Fields, *args, **kwargs):
        try:
            return read(self, *args, **kwargs)
        except InputError as exc:
            if self.problems is None:
                raise
            self.problems.append(exc)
            return None
    return reader


def _shown(value: str) -> str:
    """A value quoted in a message, shortened when long."""
    return value if len(value) <= 40 else value[:37] + "..."


def one_line(value: str | None, option: str) -> str | None:
    """A name given on the command line (`--by`, `--signer`): one line of visible text, or an error."""
    if value is None:
        return None
    if not value.strip() or _CONTROL.search(value) or any(c in value for c in "\n\r\t"):
        raise InputError(f"{option} must be one line of text, without control or text-direction characters")
    if len(value) > 200:
        raise InputError(f"{option} is longer than 200 characters")
    return value.strip()


@contextmanager
def gathering(problems: list[MspdocsError]) -> Iterator[list[MspdocsError]]:
    """Read a whole file with every Fields sharing `problems`; then raise them all, if any.

    A bad value reads as None, so the code after it may trip over that None; once a problem is recorded
    such a slip (TypeError, AttributeError) only repeats it, and the recorded problems are raised instead.
    An error raised outright joins those recorded before it.
    """
    try:
        yield problems
    except MultipleErrors as exc:
        problems.extend(exc.errors)
    except MspdocsError as exc:
        problems.append(exc)
    except (TypeError, AttributeError):
        if not problems:
            raise
    raise_all(problems)


class Fields:
    """One mapping of a YAML (or TOML) file, with the file and field path needed for a precise error.

    Given a `problems` list (shared with every section read from it), each reader records a bad value
    there and returns None, so one run reports every problem of a file; without, the first one raises.
    """

    def __init__(self, data: Any, path: str | Path, prefix: str = "", line: int | None = None,
                 problems: list[MspdocsError] | None = None) -> None:
        self.path = path if isinstance(path, Path) else Path(path)  # one per section: kept cheap
        self.prefix = prefix
        self.line = line if line is not None else getattr(data, "line", None)
        self.problems = problems
        if not isinstance(data, dict):
            raise InputError("expected a mapping of fields", path=self.path, line=self.line,
                             field=prefix or None)
        self.data = data

    def name(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def line_of(self, key: str) -> int | None:
        if isinstance(self.data, LineDict):
            return self.data.lines.get(key, self.line)
        return self.line

    def error(self, key: str, message: str) -> InputError:
        return InputError(message, path=self.path, line=self.line_of(key), field=self.name(key))

    def report(self, key: str, message: str) -> None:
        """A problem found by the caller: recorded when gathering, else raised."""
        self.report_error(self.error(key, message))

    def report_error(self, error: MspdocsError) -> None:
        if self.problems is None:
            raise error
        self.problems.append(error)

    def has(self, key: str) -> bool:
        value = self.data.get(key)
        return value is not None and not (isinstance(value, str) and not value.strip())

    def _raw(self, key: str, required: bool) -> Any:
        if not self.has(key):
            if required:
                raise InputError("required field is missing", path=self.path,
                                 line=self.line_of(key), field=self.name(key))
            return None
        return self.data[key]

    def _scalar(self, key: str, required: bool) -> str | None:
        raw = self._raw(key, required)
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise self.error(key, "expected a single value, not a list or mapping")
        return raw.strip()

    @_gathered
    def text(self, key: str, required: bool = True, multiline: bool = False) -> str | None:
        value = self._scalar(key, required)
        if value is None:
            return None
        if _CONTROL.search(value):
            raise self.error(key, "contains a control or text-direction override character")
        if not multiline and ("\n" in value or "\r" in value or "\t" in value):
            raise self.error(key, "must be on one line")
        return value

    @_gathered
    def date(self, key: str, required: bool = True) -> dt.date | None:
        value = self._scalar(key, required)
        if value is None:
            return None
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                raise ValueError
            return dt.date.fromisoformat(value)
        except ValueError:
            raise self.error(key, f"'{value}' is not a date (write YYYY-MM-DD)") from None

    @_gathered
    def integer(self, key: str, required: bool = True, minimum: int | None = None,
                maximum: int = MAX_INTEGER) -> int | None:
        value = self._scalar(key, required)
        if value is None:
            return None
        digits = value.replace("_", "")
        if not re.fullmatch(r"[+-]?[0-9]+", digits, re.ASCII):
            raise self.error(key, f"'{_shown(value)}' is not a whole number (digits 0-9)")
        if len(digits.lstrip("+-").lstrip("0")) > len(str(maximum)) or int(digits) > maximum:
            raise self.error(key, f"must be at most {maximum:,}, not {_shown(value)}")
        number = int(digits)
        if minimum is not None and number < minimum:
            raise self.error(key, f"must be at least {minimum}, not {number}")
        return number

    @_gathered
    def amount(self, key: str, required: bool = True, minimum: Decimal | int | None = None) -> Decimal | None:
        """A money amount, exactly as written, with at most two decimal places (never rounded)."""
        value = self._scalar(key, required)
        if value is None:
            return None
        if not re.fullmatch(r"[+-]?[0-9][0-9_]*(\.[0-9]{1,2})?", value, re.ASCII):
            raise self.error(key, f"'{_shown(value)}' is not an amount (write e.g. 4250.00: digits 0-9, at "
                                  "most two decimal places, no commas)")
        whole = value.lstrip("+-").split(".")[0].replace("_", "").lstrip("0")
        if len(whole) > MAX_AMOUNT_DIGITS:
            raise self.error(key, f"'{_shown(value)}' is too large an amount (at most {MAX_AMOUNT_DIGITS} digits "
                                  "before the decimal point)")
        number = Decimal(value.replace("_", ""))
        if value.startswith("-") and number == 0:
            raise self.error(key, f"'{value}' is a negative zero; write 0")
        if minimum is not None and number < minimum:
            raise self.error(key, f"must be at least {minimum}, not {number}")
        return number

    @_gathered
    def boolean(self, key: str, required: bool = True) -> bool | None:
        value = self._scalar(key, required)
        if value is None:
            return None
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise self.error(key, f"'{value}' is not true or false")

    @_gathered
    def section(self, key: str, required: bool = True) -> Fields | None:
        raw = self._raw(key, required)
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise self.error(key, "expected a mapping of fields")
        return Fields(raw, self.path, self.name(key), problems=self.problems)

    @_gathered
    def text_list(self, key: str, required: bool = False) -> list[tuple[str, int | None]]:
        """A list of one-line strings, each with its own line number."""
        raw = self._raw(key, required)
        if raw is None:
            return []
        if not isinstance(raw, list):
            raise self.error(key, "expected a list")
        lines = raw.lines if isinstance(raw, LineList) else [self.line_of(key)] * len(raw)
        items = []
        for index, (item, line) in enumerate(zip(raw, lines)):
            if not isinstance(item, str) or not item.strip() or _CONTROL.search(item) or "\n" in item:
                self.report_error(InputError("expected a one-line name", path=self.path, line=line,
                                             field=f"{self.name(key)}[{index}]"))
                continue
            items.append((item.strip(), line))
        return items

    @_gathered
    def address(self, key: str) -> dict[str, str]:
        """A postal address: street, city, region, postal code and a two-letter country code."""
        fields = self.section(key)
        if fields is None:
            return None
        names = ("street", "city", "region", "postal_code", "country")
        fields.reject_unknown(set(names))
        address = {name: fields.text(name) for name in names}
        if address["country"] is not None and not re.fullmatch(r"[A-Z]{2}", address["country"]):
            raise fields.error("country", f"'{address['country']}' is not a two-letter country code (e.g. US)")
        return address

    @_gathered
    def person(self, key: str) -> dict[str, str]:
        """Someone who signs: name, title and email address."""
        fields = self.section(key)
        if fields is None:
            return None
        fields.reject_unknown({"name", "title", "email"})
        person = {name: fields.text(name) for name in ("name", "title", "email")}
        if person["email"] is not None and not _EMAIL.fullmatch(person["email"]):
            raise fields.error("email", f"'{person['email']}' is not an email address")
        return person

    @_gathered
    def currency(self, key: str, default: str | None = None) -> str:
        """A three-letter ISO currency code (USD), or `default` when the field is absent."""
        code = self.text(key, required=default is None) or default
        if code is None:
            return None
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise self.error(key, f"'{code}' is not a three-letter currency code (e.g. USD)")
        if code not in ISO_4217:
            raise self.error(key, f"'{code}' is not an ISO 4217 currency in circulation (e.g. USD, EUR, GBP)")
        return code

    def reject_unknown(self, known: set[str] | frozenset[str]) -> None:
        hint = ", ".join(sorted(known))
        for key in self.data:
            if key not in known:
                self.report(key, f"unknown field (known fields: {hint})")
