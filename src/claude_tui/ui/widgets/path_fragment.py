"""Where the input is naming a file, and what a completion of that name puts in the input.

Two places complete paths in the prompt's menu: the last argument of ``/attach`` (which may be
quoted, or have ``\\ `` escapes, as a shell would take it), and a ``@`` word being typed (at the
start of the input or after a space). Pure text work, so the rules are tested without a screen;
the prompt lists the directory in a worker (``core.attachments.paths.path_completions``, which
takes the word as typed and answers in the same spelling) and shows what this module makes of
the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claude_tui.core.slash import Completion

ATTACH = re.compile(r"/attach\s", re.IGNORECASE)
QUOTES = "\"'"


@dataclass(frozen=True)
class Fragment:
    """A path being typed: ``text[start:end]`` is replaced by a completion of ``value``."""

    start: int
    end: int
    value: str
    """The word as typed up to the cursor, its ``@``, quotes and escapes kept: what
    ``path_completions`` takes."""


@dataclass(frozen=True)
class PathCompletion(Completion):
    """A path offered in the menu; the cursor goes to ``cursor`` (a text offset) on accept."""

    cursor: int = 0


def attach_fragment(text: str) -> Fragment | None:
    """The last argument of a one-line ``/attach …`` (empty after a trailing space)."""
    if "\n" in text or not ATTACH.match(text):
        return None
    start = index = len("/attach")
    quote = ""
    while index < len(text):
        char = text[index]
        if quote:
            if char == quote:
                quote = ""
        elif char == "\\":
            index += 1
        elif char in QUOTES:
            quote = char
        elif char.isspace():
            start = index + 1
        index += 1
    raw = text[start:]
    if raw[:1] in QUOTES and len(raw) > 1 and raw.endswith(raw[0]):
        return None  # a closed quote: that argument is finished
    return Fragment(start, len(text), raw)


def at_fragment(text: str, cursor: int) -> Fragment | None:
    """The ``@word`` the cursor is in or at the end of, when the ``@`` begins the input or
    follows whitespace; never in a slash command."""
    if text.startswith("/"):
        return None
    start = cursor
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    if not text.startswith("@", start):
        return None
    end = cursor
    while end < len(text) and not text[end].isspace():
        end += 1
    return Fragment(start, end, text[start:cursor])


def fragment_at(text: str, cursor: int) -> Fragment | None:
    """The path being typed in ``text`` with the cursor at offset ``cursor``, if any."""
    if ATTACH.match(text):
        return attach_fragment(text) if cursor == len(text) else None
    return at_fragment(text, cursor)


def completions(text: str, fragment: Fragment, found: list[str]) -> list[Completion]:
    """The menu rows for the paths ``found`` for ``fragment`` of ``text``; nothing when the
    only one is what is typed already."""
    if found == [fragment.value]:
        return []
    rows: list[Completion] = []
    for path in found:
        head = text[: fragment.start] + path
        rows.append(PathCompletion(head + text[fragment.end :], path, cursor=len(head)))
    return rows
