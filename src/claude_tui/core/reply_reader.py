"""What the API's stream events say about a reply: its blocks, its usage, its timing.

The runner reads the raw server-sent events (``core.runner`` says why) and hands the JSON of each
one here. :class:`ReplyReader` builds each block from the API's own JSON (``block_from_api``), so
a kind the app does not know is kept whole; gathers the deltas in a :class:`BlockCoalescer` until
the runner flushes them; and times the text and thinking as they arrive. It knows nothing of
HTTP, asyncio or retries, and is as cheap per token as a list append and a clock read.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from claude_tui.core.block_assembler import DELTA_KINDS, STRING_FIELDS
from claude_tui.core.blocks import block_from_api
from claude_tui.core.coalesce import BlockCoalescer
from claude_tui.core.metrics import StreamMetrics


class MalformedEvent(ValueError):
    """An event that is JSON but not the shape its type promises."""

    def __init__(self, data: object) -> None:
        super().__init__("A stream event did not have the shape its type promises.")
        self.data = data


@dataclass(frozen=True)
class MetricsUpdate:
    """What an event changes in the metrics."""

    fields: dict[str, Any]
    """For ``StreamMetrics.with_``."""
    announce: bool
    """Worth a ``Usage`` event at once (``message_start``: the input tokens are known); the
    final usage goes out with the end of the reply."""


TIMED_KINDS = ("text", "thinking", "input_json")
"""The deltas that are the model's own words, timed and counted: text, thinking, and a server
tool call's input (a search's query is the model's output, and its card shows it as it comes, so
a reply that searches first has its first token there, not after the search)."""


class ReplyReader:
    """One attempt's reply, event by event. ``blocks`` holds what is waiting to be flushed."""

    def __init__(self) -> None:
        self.blocks = BlockCoalescer()
        self._usage = UsageTally()
        self._first_token_at: float | None = None
        self._last_token_at: float | None = None
        self._output_chars = 0
        self.ended = False
        """``message_stop`` was read: nothing more of the reply will come."""

    def read(self, data: Mapping[str, Any]) -> MetricsUpdate | None:
        """Take in one event; raises :class:`MalformedEvent` for one that cannot be read."""
        kind = data.get("type")
        if kind == "content_block_delta":
            delta = data.get("delta")
            if not isinstance(delta, dict):
                raise MalformedEvent(data)
            self._delta(_index(data), delta)
        elif kind == "content_block_start":
            block = data.get("content_block")
            if not isinstance(block, dict):
                raise MalformedEvent(data)
            self.blocks.start(_index(data), block_from_api(block))
        elif kind == "content_block_stop":
            self.blocks.stop(_index(data))
        elif kind == "message_stop":
            self.ended = True
        elif kind == "message_start":
            message = data.get("message")
            usage = _mapping(message.get("usage") if isinstance(message, dict) else None)
            return MetricsUpdate(self._usage.read(usage), announce=True)
        elif kind == "message_delta":
            fields = self._usage.read(_mapping(data.get("usage")))
            stop_reason = _mapping(data.get("delta")).get("stop_reason")
            fields["stop_reason"] = stop_reason if isinstance(stop_reason, str) else None
            fields["usage_final"] = True
            return MetricsUpdate(fields, announce=False)
        # Any other type (message_stop, or one the API adds later) carries nothing to keep.
        return None

    def _delta(self, index: int, delta: dict[str, Any]) -> None:
        kind = DELTA_KINDS.get(str(delta.get("type")), "other")
        field_name = STRING_FIELDS.get(kind)
        piece = delta.get(field_name) if field_name is not None else None
        if not isinstance(piece, str):
            # An object delta, or a string delta without its string: kept as it came.
            self.blocks.add_item(index, kind if field_name is None else "other", delta)
            return
        if not piece:
            return
        self.blocks.add_text(index, kind, piece)
        if kind in TIMED_KINDS:
            now = time.monotonic()
            if self._first_token_at is None:
                self._first_token_at = now
            self._last_token_at = now
            self._output_chars += len(piece)

    def timed(self, metrics: StreamMetrics) -> StreamMetrics:
        """``metrics`` with the first and last token times and the characters so far (kept
        apart until asked for: a frozen snapshot per token would cost more than the token)."""
        if self._first_token_at is None or (
            metrics.last_token_at == self._last_token_at
            and metrics.output_chars == self._output_chars
        ):
            return metrics
        return metrics.with_(
            first_token_at=self._first_token_at,
            last_token_at=self._last_token_at,
            output_chars=self._output_chars,
        )


def _index(data: Mapping[str, Any]) -> int:
    index = data.get("index")
    if not isinstance(index, int) or isinstance(index, bool):
        raise MalformedEvent(data)
    return index


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _usage_fields(usage: Mapping[str, Any]) -> dict[str, Any]:
    """The metrics fields a ``usage`` object sets: ``message_start`` has them all, and
    ``message_delta`` repeats them (cumulative, so the later value wins) or sends only the
    output count.

    Cache writes come as a total and a breakdown by TTL (``cache_creation``); the hour-long
    part is kept because it is priced higher. A breakdown without the total still gives one.
    Server tool calls (``server_tool_use``: web searches, priced per search, and web fetches)
    are counts like the tokens, cumulative in the same way.
    """
    fields = _counts(
        usage,
        input_tokens="input_tokens",
        output_tokens="output_tokens",
        cache_creation_tokens="cache_creation_input_tokens",
        cache_read_tokens="cache_read_input_tokens",
    )
    by_ttl = _counts(
        _mapping(usage.get("cache_creation")),
        five="ephemeral_5m_input_tokens",
        hour="ephemeral_1h_input_tokens",
    )
    if by_ttl:
        fields["cache_creation_1h_tokens"] = by_ttl.get("hour", 0)
        fields.setdefault("cache_creation_tokens", by_ttl.get("five", 0) + by_ttl.get("hour", 0))
    fields.update(
        _counts(
            _mapping(usage.get("server_tool_use")),
            web_search_requests="web_search_requests",
            web_fetch_requests="web_fetch_requests",
        )
    )
    return fields


class UsageTally:
    """The usage of one attempt as it is billed, with ``iterations`` read (beta).

    With server-side compaction the API reports each sampling step in ``usage.iterations``: a
    ``compaction`` entry for the compaction itself, whose tokens the top-level fields leave out,
    and a ``message`` entry per step of the reply. What is billed is the top-level count plus
    the compaction entries' counts, so those are added in (input, output and cache, so cost and
    the store count them). The context the next request builds on is the last ``message``
    entry's whole input (``context_tokens``), never a compaction entry's input, which is what
    the compaction read, not what is left. A compaction with nothing after it (paused) leaves a
    context of its summary: its output. ``message_delta`` repeats the counts (the later value
    wins), so the compaction's share is added to the latest top-level count each time.
    """

    def __init__(self) -> None:
        self._top: dict[str, Any] = {}
        self._compaction: dict[str, int] = {}

    def read(self, usage: Mapping[str, Any]) -> dict[str, Any]:
        """The metrics fields this ``usage`` object sets (see the class docstring)."""
        fields = _usage_fields(usage)
        self._top.update(fields)
        iterations = usage.get("iterations")
        if not isinstance(iterations, list):
            if self._compaction:
                fields.update(self._with_compaction())
            return fields
        entries = [_mapping(entry) for entry in iterations]
        compactions = [_usage_fields(e) for e in entries if e.get("type") == "compaction"]
        self._compaction = {}
        for counts in compactions:
            for name, value in counts.items():
                self._compaction[name] = self._compaction.get(name, 0) + value
        fields.update(self._with_compaction())
        context = _context(entries)
        if context is not None:
            fields["context_tokens"] = context
        return fields

    def _with_compaction(self) -> dict[str, Any]:
        return {name: self._top.get(name, 0) + extra for name, extra in self._compaction.items()}


def _context(entries: list[dict[str, Any]]) -> int | None:
    """The context the next request builds on, by ``iterations`` (see :class:`UsageTally`)."""
    messages = [_usage_fields(e) for e in entries if e.get("type") == "message"]
    if messages:
        last = messages[-1]
        parts = ("input_tokens", "cache_read_tokens", "cache_creation_tokens")
        return sum(int(last.get(part, 0)) for part in parts)
    compactions = [_usage_fields(e) for e in entries if e.get("type") == "compaction"]
    if compactions and "output_tokens" in compactions[-1]:
        return int(compactions[-1]["output_tokens"])
    return None


def _counts(usage: Mapping[str, Any], **names: str) -> dict[str, Any]:
    """The token counts ``usage`` holds, as metrics fields (by the API's names); a count the
    event leaves out (or sends as null) is left as it was."""
    fields: dict[str, Any] = {}
    for field_name, api_name in names.items():
        value = usage.get(api_name)
        if isinstance(value, int) and not isinstance(value, bool):
            fields[field_name] = value
    return fields
