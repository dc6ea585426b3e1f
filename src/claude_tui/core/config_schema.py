"""What each setting in ``config.toml`` accepts, and how a value that breaks the rules is described.

Kept apart from ``config`` so that the rules read as a table: one line per key, each saying what is
expected in the words the user sees in a notice. A rule either returns the value to use or raises
``Invalid`` with the reason; the caller falls back to the key's default and reports the rest.

TOML already gives values their types, so the checks are about strictness the type system would
let through: ``true`` is not the integer 1, ``1`` is not ``true``, and ``inf`` is not a timeout.

The file plumbing that saving needs (read back for update, atomic write) is here too, so that
``config`` reads as the policy: what is loaded, what is reported, what is never overwritten.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import json
import math
import os
import re
import tempfile
import textwrap
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PRICE_KINDS = ("input", "output", "cache_write", "cache_read")
"""The kinds of token a price override names, as in ``pricing.Price``."""

CACHE_WRITE_RATIO = 1.25
CACHE_READ_RATIO = 0.10
"""Anthropic prices cache writes and reads as these multiples of the input price, so an override
that gives only ``input`` and ``output`` still prices cached tokens sensibly."""


class ConfigError(Exception):
    """Settings could not be saved; the message says why and what to do, ready to show."""


class Invalid(ValueError):
    """A value broke its rule; ``reason`` reads after the value, e.g. "is out of range"."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Rule:
    """How to check one key: ``expected`` completes "expected ..." in a notice."""

    expected: str
    check: Callable[[object], object]


def show(value: object) -> str:
    """A value written as in TOML, shortened, and with control characters escaped, so a notice
    stays on one line whatever the file holds."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = json.dumps(value if len(value) <= 40 else value[:37] + "...", ensure_ascii=False)
        return "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in text)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return show(str(value))


def _integer(low: int, high: int | None = None) -> Rule:
    expected = (
        f"an integer from {low} to {high}" if high is not None else f"an integer of {low} or more"
    )

    def check(value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid("is not an integer")
        if value < low or (high is not None and value > high):
            raise Invalid("is out of range")
        return value

    return Rule(expected, check)


def _seconds() -> Rule:
    def check(value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Invalid("is not a number")
        if not math.isfinite(value) or value <= 0:
            raise Invalid("is out of range")
        return float(value)

    return Rule("a number of seconds greater than 0", check)


def _dollars() -> Rule:
    """A price: a finite number of dollars, 0 or more (0 for a proxy that does not charge)."""

    def check(value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Invalid("is not a number")
        if not math.isfinite(value) or value < 0:
            raise Invalid("is out of range")
        return float(value)

    return Rule("a number of US dollars, 0 or more", check)


def _boolean() -> Rule:
    def check(value: object) -> object:
        if not isinstance(value, bool):
            raise Invalid("is not true or false")
        return value

    return Rule("true or false", check)


def _text(*, allow_empty: bool) -> Rule:
    def check(value: object) -> object:
        if not isinstance(value, str):
            raise Invalid("is not a string")
        if not allow_empty and not value.strip():
            raise Invalid("is empty")
        return value

    return Rule("a string" if allow_empty else "a non-empty string", check)


def _name() -> Rule:
    """A model id or theme name: one printable word, since it is shown and sent as is."""

    def check(value: object) -> object:
        if not isinstance(value, str):
            raise Invalid("is not a string")
        if not re.fullmatch(r"[^\s]+", value) or not value.isprintable():
            raise Invalid("is not a single word")
        return value

    return Rule("a non-empty name without spaces", check)


def _width() -> Rule:
    """A column width: 0 for none, else wide enough to read (a line of 20 is already short)."""

    def check(value: object) -> object:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid("is not an integer")
        if value != 0 and not 20 <= value <= 1000:
            raise Invalid("is out of range")
        return value

    return Rule("0 (no limit) or an integer from 20 to 1000", check)


def _choice(*choices: str) -> Rule:
    """One of a few words, compared as typed (the words are lower case)."""

    def check(value: object) -> object:
        if not isinstance(value, str):
            raise Invalid("is not a string")
        if value not in choices:
            raise Invalid("is not one of them")
        return value

    shown = ", ".join(f'"{choice}"' for choice in choices)
    return Rule(f"one of {shown}", check)


EFFORT_LEVELS = ("low", "medium", "high", "xhigh", "max")
"""Every effort level the API defines, lowest first (``output_config.effort``)."""

EFFORT_CHOICES = ("", *EFFORT_LEVELS)
"""``effort`` in the config: a level, or "" for the model's own default."""

PROMPT_CACHE_CHOICES = ("5m", "1h", "off")


def _cursor() -> Rule:
    def check(value: object) -> object:
        if not isinstance(value, str):
            raise Invalid("is not a string")
        if len(value) != 1 or not value.isprintable() or value.isspace():
            raise Invalid("is not a single visible character")
        return value

    return Rule('a single visible character, such as "▊" or "_"', check)


def _price_number(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid("is not a number")
    if not math.isfinite(value) or value < 0:
        raise Invalid("is out of range")
    return float(value)


PRICE_EXPECTED = (
    "a table such as { input = 3.0, output = 15.0 } in dollars per million tokens "
    "(cache_write and cache_read are optional)"
)


def check_price(entry: object) -> dict[str, float]:
    """One model's price override; cache prices left out follow from the input price.

    Raises ``Invalid`` naming the offending part, so "prices.x.input is not a number" can be said.
    """
    if not isinstance(entry, dict):
        raise Invalid("is not a table")
    unknown = sorted(set(entry) - set(PRICE_KINDS))
    if unknown:
        raise Invalid(f"has an unknown key {show(unknown[0])}")
    for required in ("input", "output"):
        if required not in entry:
            raise Invalid(f"has no {required} price")
    price: dict[str, float] = {}
    for kind in PRICE_KINDS:
        if kind in entry:
            try:
                price[kind] = _price_number(entry[kind])
            except Invalid as error:
                raise Invalid(f"has {kind} = {show(entry[kind])}, which {error.reason}") from None
    price.setdefault("cache_write", round(price["input"] * CACHE_WRITE_RATIO, 6))
    price.setdefault("cache_read", round(price["input"] * CACHE_READ_RATIO, 6))
    return price


def split_prices(value: object) -> tuple[dict[str, dict[str, float]], dict[str, str]]:
    """The good entries of a ``prices`` table, and the reason each bad one was left out, so one
    mistyped model does not cost the user every other override."""
    if not isinstance(value, dict):
        raise Invalid("is not a table")
    good: dict[str, dict[str, float]] = {}
    bad: dict[str, str] = {}
    for model, entry in value.items():
        try:
            good[model] = check_price(entry)
        except Invalid as error:
            bad[model] = error.reason
    return good, bad


def _prices() -> Rule:
    def check(value: object) -> object:
        good, bad = split_prices(value)
        for model, reason in bad.items():
            raise Invalid(f"has an entry {show(model)} that {reason}")
        return good

    return Rule("a table of model id = " + PRICE_EXPECTED, check)


RULES: Mapping[str, Rule] = {
    "model": _name(),
    "max_tokens": _integer(1),
    "system_prompt": _text(allow_empty=True),
    "theme": _name(),
    "refresh_rate": _integer(1, 120),
    "max_retries": _integer(0, 10),
    "stream_idle_timeout": _seconds(),
    "request_timeout": _seconds(),
    "show_sidebar": _boolean(),
    "show_metrics": _boolean(),
    "max_width": _width(),
    "cursor": _cursor(),
    "thinking": _boolean(),
    "thinking_budget": _integer(1024),
    "effort": _choice(*EFFORT_CHOICES),
    "prompt_cache": _choice(*PROMPT_CACHE_CHOICES),
    "auto_compact": _boolean(),
    "image_max_edge": _integer(0, 8000),
    "web_search": _boolean(),
    "web_fetch": _boolean(),
    "web_max_uses": _integer(1),
    "web_search_price": _dollars(),
    "prices": _prices(),
}
"""One rule per setting; a test checks these are exactly the fields of ``Settings``."""


def error_line(message: str, text: str) -> int | None:
    """The line a ``tomllib`` error points at: its message ends "(at line 3, column 5)" or
    "(at end of document)"; Python 3.11's error carries no line attribute."""
    found = re.search(r"\(at line (\d+), column \d+\)$", message)
    if found:
        return int(found.group(1))
    if message.endswith("(at end of document)"):
        return text.count("\n") + (0 if text.endswith("\n") or not text else 1)
    return None


def error_reason(message: str) -> str:
    """A ``tomllib`` message without its position, which the notice gives separately."""
    return re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)$", "", message)


def attribute_docs(cls: type) -> dict[str, str]:
    """The docstring under each annotated attribute of ``cls``, read from its source, so a setting
    is explained once, in code, and the first-run file repeats it. Empty without source."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    body = ast.parse(source).body[0]
    assert isinstance(body, ast.ClassDef)
    docs: dict[str, str] = {}
    for node, after in zip(body.body, body.body[1:], strict=False):
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            docs[node.target.id] = inspect.cleandoc(after.value.value)
    return docs


def read_for_update(path: Path) -> dict[str, Any]:
    """The file's whole table, to update and write back; ``ConfigError`` for anything that is
    not a readable TOML file, because writing over it would destroy what the user wrote."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
        raise ConfigError(f"settings not saved: cannot read {path} ({reason})") from error
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        line = error_line(str(error), text)
        where = f"{path.name}, line {line}" if line else path.name
        raise ConfigError(
            f"settings not saved: {where} is not valid TOML ({error_reason(str(error))}), "
            "and a file that cannot be read back is never overwritten; fix or remove it"
        ) from error


def write_atomic(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` so that a crash or a full disk leaves the old file or the
    new one, never half of one: a 0600 temp file beside it, fsynced, then ``os.replace``.
    An ``OSError`` becomes ``ConfigError``; the temp file never outlives a failure."""
    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as error:
        reason = error.strerror or error
        raise ConfigError(f"settings not saved: cannot write in {directory} ({reason})") from error
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:  # mkstemp makes it 0600
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if isinstance(error, OSError):
            reason = error.strerror or error
            raise ConfigError(f"settings not saved: cannot write {path} ({reason})") from error
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable, where the OS allows
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
