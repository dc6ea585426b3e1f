"""Typed events the stream runner emits, in this order.

``Started``, then any number of ``Retrying`` while no content has arrived, ``Usage`` when
``message_start`` reports input tokens, then the reply's content blocks as the API streams them
(one event type per phase, whatever the kind of block): ``BlockStarted``, batches of
``BlockDelta``, ``BlockStopped``; a final ``Usage``, and exactly one terminal event: ``Finished``,
``Cancelled`` or ``Failed``. Each carries the metrics as they stood when it was emitted. Terminal
events carry every block, so a consumer that missed nothing can check it and one that needs only
the result can ignore the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from claude_tui.core.blocks import Block, DeltaKind
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
class BlockStarted(StreamEvent):
    """``content_block_start``: block ``index`` begins, as the API announced it (a text block
    with empty text, a tool call with no input yet, or a whole block of a kind the app does not
    know)."""

    index: int
    block: Block


@dataclass(frozen=True)
class BlockDelta(StreamEvent):
    """What block ``index`` received since the previous batch, all of one ``kind``.

    String deltas (text, thinking, signature, a tool input's JSON) arrive joined in ``text``;
    object deltas (citations, compaction content, kinds the app does not know) in ``items``,
    one per API delta, each as the API sent it."""

    index: int
    kind: DeltaKind
    text: str = ""
    items: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True)
class BlockStopped(StreamEvent):
    """``content_block_stop``: block ``index`` is complete, and this is all of it."""

    index: int
    block: Block


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
