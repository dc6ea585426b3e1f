"""Web search and web fetch in the Markdown transcript: each call and result as one short line,
and a reply's citations as numbered Markdown footnotes with their sources.

Titles, queries and URLs are the model's (or a web page's) words: each is made safe
(``core.sanitize``), kept to one line, and written so Markdown shows it as it is, never as a
link, emphasis or HTML. A URL is not backslash-escaped (that would break it for whoever copies
it): the characters Markdown reads, and any space or control character, are percent-encoded,
which leaves the address the same one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from claude_tui.core import web_lines
from claude_tui.core.blocks import ServerToolUseBlock, ToolResultBlock
from claude_tui.core.reply_parts import SourceNumbers
from claude_tui.core.sanitize import one_line

_URL_UNSAFE = re.compile(r"[\x00-\x20\x7f-\x9f\\`*_\[\]<>~|^{}\"\u202a-\u202e\u2066-\u2069]")


def markdown_safe(text: str) -> str:
    """Characters that Markdown would read as emphasis, code, a link or HTML, escaped
    (``\\*``): a name or a title is shown as it is, never rendered."""
    return re.sub(r"([\\`*_\[\]<>~|])", r"\\\1", text)


def shown_text(text: str) -> str:
    """The model's words for one line of the transcript: safe, one line, never markup."""
    return markdown_safe(one_line(text))


def shown_url(url: str) -> str:
    """A URL as plain text: one line, and nothing in it Markdown or a terminal would read."""
    return _URL_UNSAFE.sub(_percent, url.strip())


def _percent(match: re.Match[str]) -> str:
    return "".join(f"%{byte:02X}" for byte in match.group().encode("utf-8"))


def call_line(block: ServerToolUseBlock) -> str:
    """``*Searched the web: “query”*`` or ``*Fetched https://…*`` (the words of
    :mod:`~claude_tui.core.web_lines`, Markdown-safe)."""
    line = web_lines.call_line(block.name, block.input, text=shown_text, url=shown_url)
    return f"*{line or 'Used a web tool'}*"


def is_web_result(block: ToolResultBlock) -> bool:
    return block.type in web_lines.WEB_RESULTS


def result_line(block: ToolResultBlock) -> str:
    """A search's results as their domains (``*3 results: example.com, …*``), a fetched page
    by its title, and a failed call by its error code (``*Search failed: max_uses_exceeded*``):
    the words of :mod:`~claude_tui.core.web_lines`, Markdown-safe. Nothing encrypted is ever
    shown."""
    line = web_lines.result_line(block.type, block.raw.get("content"), text=shown_text)
    return f"*{line or 'Web tool result'}*"


class Footnotes:
    """A reply's sources, numbered in the order they are first cited
    (``core.reply_parts.SourceNumbers``, as the screen numbers them): the same source cited again
    keeps its number. Numbers go on from the replies before (``first``) so that each footnote
    label is unique in the file, as Markdown needs."""

    def __init__(self, first: int = 1) -> None:
        self._numbers = SourceNumbers(first)

    @property
    def first(self) -> int:
        return self._numbers.first

    @property
    def next(self) -> int:
        """The number the next reply's first source takes."""
        return self._numbers.next

    def marked(self, text: str, citations: Sequence[Mapping[str, Any]]) -> str:
        """``text`` with a marker for each source it cites (``[^1]``) after it, before any
        whitespace it ends with (the next text block goes on from there)."""
        numbers = self._numbers.numbers(citations)
        if not numbers:
            return text
        body = text.rstrip()
        return body + "".join(f"[^{n}]" for n in numbers) + text[len(body) :]

    def lines(self) -> list[str]:
        """The footnotes, ``[^1]: Title — https://url``, one a line; none when nothing was
        cited."""
        lines = []
        for source in self._numbers.sources:
            parts = [part for part in (shown_text(source.title), shown_url(source.url)) if part]
            lines.append(f"[^{source.number}]: {' — '.join(parts)}")
        return lines
