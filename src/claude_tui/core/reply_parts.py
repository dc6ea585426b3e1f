"""A reply as the screen lays it out: runs of Markdown text between web search and fetch cards,
and the sources its citations name.

A reply that used ``web_search`` or ``web_fetch`` is a list of blocks such as: text, a
``server_tool_use`` call, its ``*_tool_result``, text citing the results, more text. The screen
shows each call and its result as one card (``web_card.py`` says what it reads), the text around
the cards as Markdown, and under the reply a ``Sources`` list. Text that carries citations gets
one numbered marker per source it cites, ``[1]``, right after its text; a source cited again keeps
its number (:class:`SourceNumbers`).

A marker goes after its block's text only once the block is complete (or the reply has ended):
the citations of a text block arrive before its text, and a marker shown then would have the
text stream in before it. So every part only ever grows at its end while the reply streams,
which is what lets the screen append to it.

Everything here is derived from the blocks, which stay as the API sent them: the markers and the
sources are for display, ``/copy`` (:func:`copy_text`) and search, and never go back to the API.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from claude_tui.core.blocks import (
    Block,
    ServerToolUseBlock,
    TextBlock,
    ThinkingBlock,
    ToolResultBlock,
    line_paragraph,
    shown_as_line,
)
from claude_tui.core.web_lines import WEB_CALLS


@dataclass(frozen=True)
class Source:
    """One source a reply cites: its number, and the title and URL the citation gave (as the
    model or the page wrote them: unsafe until sanitized)."""

    number: int
    title: str
    url: str


class SourceNumbers:
    """Numbers a reply's sources in the order they are first cited, from ``first``: a source
    (by URL, else by title) cited again keeps its number."""

    def __init__(self, first: int = 1) -> None:
        self.first = first
        self._sources: dict[str, Source] = {}

    @property
    def next(self) -> int:
        """The number the next new source takes."""
        return self.first + len(self._sources)

    def numbers(self, citations: Sequence[Mapping[str, Any]]) -> list[int]:
        """The numbers of the sources ``citations`` name, each once, in order; a citation with
        neither URL nor title names no source."""
        found: list[int] = []
        for citation in citations:
            number = self._number(citation)
            if number is not None and number not in found:
                found.append(number)
        return found

    def _number(self, citation: Mapping[str, Any]) -> int | None:
        url = citation.get("url")
        url = url if isinstance(url, str) and url.strip() else ""
        title = citation.get("title", citation.get("document_title"))
        title = title if isinstance(title, str) else ""
        key = url or (f"title:{title}" if title.strip() else "")
        if not key:
            return None
        if key not in self._sources:
            self._sources[key] = Source(self.next, title, url)
        return self._sources[key].number

    @property
    def sources(self) -> tuple[Source, ...]:
        return tuple(self._sources.values())


def marker(number: int) -> str:
    """A citation marker as read and copied: ``[1]``."""
    return f"[{number}]"


def markdown_marker(number: int) -> str:
    """:func:`marker` as Markdown text: escaped, so that it is never read as a link (``[1]``
    followed by ``(…)`` in the next block, or a ``[1]: …`` definition the model wrote)."""
    return f"\\[{number}\\]"


@dataclass(frozen=True)
class TextPart:
    """Text between cards: the text blocks' Markdown with their citation markers, and a neutral
    line for any other block shown as one (``blocks.block_line``)."""

    text: str


@dataclass(frozen=True)
class WebCallPart:
    """A web search or fetch: the call, and its result once it has come."""

    call: ServerToolUseBlock
    result: ToolResultBlock | None = None

    @property
    def search(self) -> bool:
        return self.call.name == "web_search"


Part = TextPart | WebCallPart


@dataclass(frozen=True)
class ReplyParts:
    parts: tuple[Part, ...]
    sources: tuple[Source, ...]

    @property
    def calls(self) -> tuple[WebCallPart, ...]:
        return tuple(part for part in self.parts if isinstance(part, WebCallPart))


def is_web_call(block: Block) -> bool:
    return isinstance(block, ServerToolUseBlock) and block.name in WEB_CALLS


def has_web_calls(blocks: Sequence[Block]) -> bool:
    """Whether the reply holds a web search or fetch, which the screen shows as cards."""
    return any(is_web_call(block) for block in blocks)


def reply_parts(
    blocks: Sequence[Block], *, ended: bool = True, markdown: bool = True
) -> ReplyParts:
    """The reply's parts (see the module docstring). ``ended``: the reply has ended, so a text
    block cut off in the middle shows its markers too. ``markdown``: markers escaped for the
    Markdown view (:func:`markdown_marker`), else as plain text (:func:`marker`).

    A result goes on the card of the earlier call with its ``tool_use_id``; one without such a
    call (never sent by the API) is a neutral line, like any other block without a view."""
    numbers = SourceNumbers()
    write = markdown_marker if markdown else marker
    parts: list[Part] = []
    text: list[str] = []
    cards: dict[str, int] = {}  # call id -> index of its card in parts

    def close_text() -> None:
        if text:
            parts.append(TextPart("".join(text)))
            text.clear()

    for block in blocks:
        if isinstance(block, TextBlock):
            text.append(block.text)
            if block.citations and (ended or not block.partial):
                text.extend(write(n) for n in numbers.numbers(block.citations))
        elif isinstance(block, ServerToolUseBlock) and is_web_call(block):
            close_text()
            cards[block.id] = len(parts)
            parts.append(WebCallPart(block))
        elif isinstance(block, ToolResultBlock) and block.tool_use_id in cards:
            at = cards.pop(block.tool_use_id)
            call = parts[at]
            assert isinstance(call, WebCallPart)
            parts[at] = WebCallPart(call.call, block)
        elif not isinstance(block, ThinkingBlock) and shown_as_line(block):
            text.append(line_paragraph(block))
    close_text()
    return ReplyParts(tuple(parts), numbers.sources)


def copy_text(blocks: Sequence[Block]) -> str:
    """The reply as ``/copy`` gives it: its text with the citation markers, and the sources
    after it (``Sources``, then ``[1] Title — https://…`` a line). Cards are not copied: they
    are what the model did, not what it said. Titles and URLs are the model's: the caller
    sanitizes before anything reaches a terminal (the clipboard is not one)."""
    laid_out = reply_parts(blocks, markdown=False)
    text = "".join(part.text for part in laid_out.parts if isinstance(part, TextPart))
    text = text.strip("\n")
    if not laid_out.sources:
        return text
    lines = [source_line(source) for source in laid_out.sources]
    return "\n".join([text, "", "Sources", *lines])


def source_line(source: Source) -> str:
    """``[1] Title — https://…`` (either alone when the citation had only one)."""
    named = [part for part in (" ".join(source.title.split()), source.url.strip()) if part]
    return f"{marker(source.number)} {' — '.join(named)}"
