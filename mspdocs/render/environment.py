"""The one strict, sandboxed Jinja environment, used for clause bodies, conditions and Word templates."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
from decimal import Decimal
from typing import Any

from jinja2 import StrictUndefined, Template, pass_context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from ..errors import RenderError

_CURRENCY_SYMBOLS = {"USD": "$", "CAD": "CA$", "AUD": "A$", "NZD": "NZ$", "EUR": "€", "GBP": "£"}
# Every character that could mean something to XML, to the clause Markdown or to docxtpl's own
# post-processing is written as a character reference, so a value from data is only ever text.
_NEUTRAL = re.compile(r"""[&<>"'*_{}\[\]()\\#%`|~+\-.!:=]""")
_CHAR_REF = re.compile(r"&#(\d+);")


class Record(dict):
    """A mapping in a document context that knows its own dotted name, for precise errors."""

    __slots__ = ("_name",)

    def __init__(self, values: dict[str, Any], name: str) -> None:
        super().__init__(values)
        self._name = name


def to_records(value: Any, name: str) -> Any:
    """Wrap nested dicts as Records named by their path (lists keep positions: `services.declined[0]`)."""
    if isinstance(value, dict):
        return Record({key: to_records(item, f"{name}.{key}") for key, item in value.items()}, name)
    if isinstance(value, (list, tuple)):
        return [to_records(item, f"{name}[{index}]") for index, item in enumerate(value)]
    return value


class MissingValue(StrictUndefined):
    """Fails on any use, naming the full path of the missing value."""

    @property
    def _undefined_message(self) -> str:
        if self._undefined_hint:
            return self._undefined_hint
        owner = getattr(self._undefined_obj, "_name", None)
        if owner:
            return f"'{owner}.{self._undefined_name}' has no value"
        return super()._undefined_message


# A value ending with a full stop ("Bright Harbor Dental, P.A.") arrives neutralised, so its stop is
# `&#46;`; a literal full stop written right after it, in the same Word run or the next, would print
# "P.A..".
_STOP_AFTER_VALUE = re.compile(
    r"&#46;((?:</w:t>\s*</w:r>\s*<w:r(?:\s[^>]*)?>\s*(?:<w:rPr>(?:(?!</w:rPr>).)*</w:rPr>)?\s*"
    r"<w:t(?:\s[^>]*)?>)?)\.(?!\.)", re.DOTALL)


def end_sentences(rendered: str) -> str:
    """Rendered text (clause Markdown or Word XML) with a full stop written right after a value that
    ends with one not repeated."""
    return _STOP_AFTER_VALUE.sub(r"&#46;\1", rendered)


def neutralise(text: str) -> str:
    """Text as inert character references: safe inside WordprocessingML and inside clause Markdown."""
    return _NEUTRAL.sub(lambda match: f"&#{ord(match.group(0))};", text)


def restore(text: str) -> str:
    """Undo `neutralise` on text that has been through the Markdown parser."""
    return _CHAR_REF.sub(lambda match: chr(int(match.group(1))), text)


def longdate(value: dt.date) -> str:
    if not isinstance(value, dt.date):
        raise RenderError(f"longdate expects a date, got {value!r}")
    return f"{value:%B} {value.day}, {value.year}"


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """`1 device`, `3 devices`: a count with its noun in the right number."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def format_money(amount: Decimal | int, currency: str, cents: bool = False) -> str:
    """`$4,250`, `$3.50`; with `cents` always two decimals (prices in a table line up)."""
    amount = Decimal(amount)
    whole = amount == amount.to_integral_value() and amount.as_tuple().exponent >= 0
    places = 0 if whole and not cents else 2
    number = f"{amount:,.{places}f}"
    symbol = _CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{number}" if symbol else f"{currency} {number}"


@pass_context
def money(context: Any, amount: Any, currency: str | None = None) -> str:
    if isinstance(amount, StrictUndefined) or not isinstance(amount, (Decimal, int)):
        raise RenderError(f"money expects an amount, got {amount!r}")
    if currency is None:
        customer = context.get("customer")
        agreement = customer.get("agreement") if isinstance(customer, dict) else None
        currency = agreement["currency"] if agreement else context["msp"]["currency"]
    return format_money(amount, currency)


def names(items: Any) -> str:
    """A list of records as 'A, B and C' (by their `name`)."""
    labels = [item["name"] if isinstance(item, dict) else str(item) for item in items]
    if len(labels) <= 1:
        return "".join(labels)
    return f"{', '.join(labels[:-1])} and {labels[-1]}"


def _finalize(value: Any) -> Any:
    """Every printed value passes here: empty values fail, the rest become inert text."""
    if hasattr(value, "__html__"):
        return value
    if value is None:
        raise RenderError("a value to print is empty")
    if isinstance(value, (dict, list, tuple, set)):
        raise RenderError("a list or mapping cannot be printed as text; print one of its fields")
    if isinstance(value, dt.date):
        value = longdate(value)
    return Markup(neutralise(str(value)))


# What one expression may build: text or a list this long, a whole number of this many bits (~1,200 digits).
MAX_SIZE = 1_000_000
MAX_INT_BITS = 4096
_FORMAT_WIDTH = re.compile(r"\d{7,}|%[-#0 +]*\*|\{[^{}]*:[^{}]*\{")  # a width of a million or more, or a computed one


def _too_big(what: str) -> RenderError:
    return RenderError(f"{what} would exceed the sandbox's bounds (texts and lists of at most {MAX_SIZE:,} items, "
                       f"numbers of at most {MAX_INT_BITS} bits)")


def _check_size(value: Any, what: str) -> Any:
    if isinstance(value, (str, list, tuple)) and len(value) > MAX_SIZE:
        raise _too_big(what)
    return value


def _check_format(template: Any) -> None:
    if isinstance(template, str) and _FORMAT_WIDTH.search(template):
        raise _too_big("formatting with a huge or computed width")


_BINOPS = {"*": operator.mul, "**": operator.pow, "%": operator.mod}


def bounded_binop(op: str, left: Any, right: Any) -> Any:
    """`left <operator> right` for the operators that can build unbounded values (*, **, %)."""
    numbers = (int, float, Decimal)
    if op == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
        if right > 0 and right * abs(left).bit_length() > MAX_INT_BITS:
            raise _too_big(f"{left} ** {right}")
    elif op == "*":
        sizes = [len(v) for v in (left, right) if isinstance(v, (str, list, tuple))]
        counts = [v for v in (left, right) if isinstance(v, int) and not isinstance(v, bool)]
        if sizes and counts and sizes[0] * max(counts[0], 0) > MAX_SIZE:
            raise _too_big("repeating a text or list")
        if len(counts) == 2 and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise _too_big("multiplying")
    elif op == "%" and not isinstance(left, numbers):
        _check_format(left)
    return _check_size(_BINOPS[op](left, right), f"'{op}'")


def _bounded_filter(name: str, original):
    """A text filter that refuses widths, counts and results beyond MAX_SIZE before building them."""
    def bounded(*args: Any, **kwargs: Any) -> Any:
        values = [v for v in (*args, *kwargs.values()) if isinstance(v, int) and not isinstance(v, bool)]
        if any(abs(v) > MAX_SIZE for v in values):
            raise _too_big(f"the {name} filter")
        text = next((v for v in args if isinstance(v, str)), None)
        if name == "format":
            _check_format(text)
        if name == "replace" and len(args) >= 4 and isinstance(args[1], str):
            old, new = str(args[2]), str(args[3])
            count = (len(args[1]) + 1) if not old else args[1].count(old)
            if len(args[1]) + count * max(len(new) - len(old), 0) > MAX_SIZE:
                raise _too_big("the replace filter")
        return _check_size(original(*args, **kwargs), f"the {name} filter")

    return functools.update_wrapper(bounded, original)


_SIZED_FILTERS = ("center", "indent", "wordwrap", "truncate", "format", "replace", "join", "batch", "slice")
_PADDING_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs", "format", "format_map", "join",
                    "replace", "__mul__", "__rmul__", "__pow__", "__mod__"}


class _Environment(ImmutableSandboxedEnvironment):
    """Compiles each distinct source once, so every document of a batch reuses its templates.

    Operators and calls that can build huge values are bounded (they also stay out of compile-time constant
    folding, so `clauses lint` never computes them); time and memory are bounded per document (`limits`).
    """

    intercepted_binops = frozenset({"*", "**", "%"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        return bounded_binop(operator, left, right)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        owner = getattr(__obj, "__self__", None) or getattr(getattr(__obj, "__wrapped__", None), "__self__", None)
        if isinstance(owner, (str, list, tuple)) and getattr(__obj, "__name__", "") in _PADDING_METHODS:
            if any(isinstance(v, int) and abs(v) > MAX_SIZE for v in (*args, *kwargs.values())):
                raise _too_big(f"{__obj.__name__}()")
            if __obj.__name__ in ("format", "format_map"):
                _check_format(owner)
        return _check_size(super().call(__context, __obj, *args, **kwargs), "a call")

    @functools.lru_cache(maxsize=512)  # noqa: B019 - one environment per process, never freed
    def _compile_source(self, source: str) -> Template:
        return super().from_string(source)

    def from_string(self, source, globals=None, template_class=None):
        if globals is None and template_class is None and isinstance(source, str):
            return self._compile_source(source)
        return super().from_string(source, globals, template_class)


@functools.lru_cache(maxsize=1)
def environment() -> ImmutableSandboxedEnvironment:
    """The process's one environment (cached), for clauses, conditions and Word templates."""
    env = _Environment(
        undefined=MissingValue,
        autoescape=True,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update({name: _bounded_filter(name, env.filters[name]) for name in _SIZED_FILTERS})
    env.filters.update(money=money, longdate=longdate, names=names)
    env.globals.pop("lipsum", None)  # builds as many paragraphs as asked
    return env


def compile_template(source: str) -> Template:
    return environment().from_string(source)


@functools.lru_cache(maxsize=512)
def compile_condition(expression: str):
    return environment().compile_expression(expression, undefined_to_none=False)
