"""Typed events the stream runner emits, in this order.

``Started``, then any number of ``Retrying`` while no content has arrived, ``Usage`` when
``message_start`` reports input tokens, batches of ``ThinkingDelta`` and ``TextDelta``, a final
``Usage``, and exactly one terminal event: ``Finished``, ``Cancelled`` or ``Failed``. Each carries
the metrics as they stood when it was emitted. Terminal events carry the whole text, so a consumer
that missed nothing can check it and one that needs only the result can ignore the deltas.
"""

from __future__ import annotations

from dataclasses import dataclass

from claude_tui.core.errors import StreamError
from claude_tui.core.metrics import StreamMetrics


@dataclass(frozen=True)
class StreamEvent:
    metrics: StreamMetrics


@dataclass(frozen=True)
class Started(StreamEvent):
    """The request is on its way."""


@dataclass(frozen=True)
class Retrying(StreamEvent):
    """An attempt failed before any content; the next one starts after ``delay`` seconds."""

    attempt: int
    """The attempt that is coming (2 for the first retry)."""
    max_attempts: int
    delay: float
    error: StreamError


@dataclass(frozen=True)
class TextDelta(StreamEvent):
    """Reply text received since the previous batch."""

    text: str


@dataclass(frozen=True)
class ThinkingDelta(StreamEvent):
    """Extended-thinking text received since the previous batch."""

    text: str


@dataclass(frozen=True)
class Usage(StreamEvent):
    """Token counts changed; ``metrics.usage_final`` says whether they are the last word."""


@dataclass(frozen=True)
class Finished(StreamEvent):
    """The reply ended normally; ``metrics.stop_reason`` says why."""

    text: str
    thinking: str


@dataclass(frozen=True)
class Cancelled(StreamEvent):
    """The user stopped the reply; ``text`` is what arrived before that."""

    text: str
    thinking: str


@dataclass(frozen=True)
class Failed(StreamEvent):
    """The reply could not be completed; ``text`` is what arrived before the failure."""

    text: str
    thinking: str
    error: StreamError


TerminalEvent = Finished | Cancelled | Failed
