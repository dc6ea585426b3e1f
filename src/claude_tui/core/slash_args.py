"""Checks of the slash commands' arguments: each parser returns the values to act on, or raises
``CommandError`` with a message ready to show (what was wrong and how to type it).
"""

from __future__ import annotations

import re

from claude_tui.core.config_schema import RULES, Invalid
from claude_tui.core.defaults import RATE_MEANING
from claude_tui.core.slash import Command, CommandError, split_name
from claude_tui.core.slash_table import EFFORT_CLEAR, EFFORT_WORDS


def require_no_args(command: Command) -> None:
    """For a command that takes no arguments: ``CommandError`` if some were given, rather than
    silently ignoring them (``/new chat about x`` probably meant something else)."""
    if command.args:
        raise CommandError(f"/{command.name} takes no arguments.")


def parse_thinking(args: str, *, max_tokens: int | None = None) -> tuple[bool, int | None]:
    """``on|off [budget]`` as ``(on, budget)``; budget ``None`` when not given.

    The budget is checked by the same rule as ``thinking_budget`` in the config file (the API
    refuses less than 1024), and, when ``max_tokens`` is known, kept below it, since the API
    counts thinking within the reply's limit and refuses a budget that fills it.
    """
    usage = "Usage: /thinking on|off [budget]"
    words = args.split()
    if not words:
        raise CommandError(f"{usage}, e.g. /thinking on 8192.")
    switch = words[0].lower()
    if switch not in ("on", "off"):
        raise CommandError(f"{usage}: say on or off, not {words[0]!r}.")
    if len(words) > 2:
        raise CommandError(f"{usage}: too many words.")
    if len(words) == 1:
        return switch == "on", None
    if switch == "off":
        raise CommandError("A budget only goes with /thinking on.")
    budget = _check_setting("thinking_budget", words[1], "The thinking budget")
    if max_tokens is not None and budget >= max_tokens:
        raise CommandError(
            f"The thinking budget must be less than max_tokens ({max_tokens:,}): "
            "thinking counts towards the reply's limit."
        )
    return True, budget


def parse_effort(args: str) -> str | None:
    """``[level|default]`` as the effort to set: a level, "" for the model's default (``default``
    or ``off``), or ``None`` for no argument (show the current level). Whether the model takes
    the level is for the caller, who knows the model (``core.model_fit``)."""
    levels = "|".join(level for level, _ in EFFORT_WORDS)
    usage = f"Usage: /effort {levels}, or /effort default"
    words = args.lower().split()
    if not words:
        return None
    if len(words) > 1:
        raise CommandError(f"{usage}: one word.")
    if words[0] in EFFORT_CLEAR:
        return ""
    if words[0] not in dict(EFFORT_WORDS):
        raise CommandError(f"{usage}: not {args.split()[0]!r}.")
    return words[0]


def parse_rate(args: str) -> int:
    """``N`` as the refresh rate, by the same rule (and bounds) as ``refresh_rate`` in the file.

    An ``int`` (which is also a valid float for a rate): the setting is an integer, so a value
    that passed here can be saved to the config file as it is.
    """
    if not args.strip():
        raise CommandError(f"Usage: /rate N, the refresh rate: {RATE_MEANING}.")
    try:
        return _check_setting("refresh_rate", args.strip(), "The refresh rate")
    except CommandError as error:
        raise CommandError(f"{error} It is {RATE_MEANING}.") from None


def _check_setting(key: str, word: str, what: str) -> int:
    """``word`` as the integer setting ``key``, or ``CommandError`` saying what is expected."""
    rule = RULES[key]
    if not re.fullmatch(r"[+-]?[0-9]+", word):
        raise CommandError(f"{what} must be {rule.expected}, not {word!r}.")
    try:
        value = rule.check(int(word))
    except Invalid:
        raise CommandError(f"{what} must be {rule.expected}; {word} is out of range.") from None
    assert isinstance(value, int)
    return value


EXPORT_FORMATS = ("md", "json")


def parse_export(args: str) -> tuple[str, str | None]:
    """``[md|json] [path]`` as ``(fmt, path)``.

    The format is the first word when that is ``md`` or ``json`` (case aside); otherwise all of
    ``args`` is the path (so it may hold spaces; one pair of surrounding quotes is removed) and
    the format follows its suffix: ``.json`` gives JSON, anything else Markdown. ``path`` is
    ``None`` when not given, for the caller to choose one; ``~`` is left for it to expand.
    """
    head, _, rest = split_name(args.strip())
    if head.lower() in EXPORT_FORMATS:
        return head.lower(), _unquote(rest.strip()) or None
    path = _unquote(args.strip()) or None
    fmt = "json" if path is not None and path.lower().endswith(".json") else "md"
    return fmt, path


COPY_USAGE = "/copy copies the last reply; /copy code its last code block; /copy code N block N."


def parse_copy(args: str) -> tuple[bool, int | None]:
    """``[code [N]]`` as ``(code, number)``: whether code is asked for, and which block (1 is
    the first, as numbered on screen; ``None``, the last)."""
    words = args.lower().split()
    if not words:
        return False, None
    if words[0] != "code" or len(words) > 2:
        raise CommandError(COPY_USAGE)
    if len(words) == 1:
        return True, None
    if not words[1].isdigit() or int(words[1]) < 1:
        raise CommandError(f"{words[1]!r} is not a code block number: they start at 1.")
    return True, int(words[1])


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1].strip()
    return text
