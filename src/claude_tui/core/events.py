"""Typed events the stream runner emits, in this order.

``Started``; then any number of ``Retrying`` while no content has arrived; ``Usage`` when
``message_start`` reports input tokens; then the reply's content blocks, by the API's own
indices and in the order the API sent them, one event type per phase whatever the kind of
block: ``BlockStarted``, ``BlockDelta`` batches, ``BlockStopped``; a final ``Usage``; and
exactly one terminal event: ``Finished``, ``Cancelled`` or ``Failed``.

Deltas are batched: each ``BlockDelta`` joins the consecutive deltas of one block and one kind
that arrived since the last batch, and batches go out at most ``refresh_rate`` times a second,
with the starts and stops between them in their place (never reordered). A consumer that wants
the blocks as they grow feeds the events to its own ``BlockAssembler``; one that needs only the
result reads the terminal event's ``blocks`` (``.text`` and ``.thinking`` join the text and
thinking blocks), in which a block the reply ended in the middle of is ``partial``.

After ``Retrying`` the next attempt streams from index 0 again; the attempt that failed had
sent no content (at most a start of an empty text or thinking block), so nothing is lost.

Each event carries the metrics as they stood when it was emitted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from claude_tui.core.block_assembler import BlockAssembler, DeltaKind
from claude_tui.core.blocks import Block, text_of, thinking_of
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
    know), marked ``partial`` until its stop."""

    index: int
    block: Block


@dataclass(frozen=True)
class BlockDelta(StreamEvent):
    """What block ``index`` received since the previous batch, all of one ``kind``.

    String deltas (text, thinking, signature, a tool input's JSON) arrive joined in ``text``;
    object deltas (citations, compaction content, kinds the app does not know) in ``items``,
    one per API delta, each as the API sent it (the whole delta: ``{"type": "citations_delta",
    "citation": {...}}``), ready for ``BlockAssembler.add_item``."""

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
class Usage(StreamEvent):
    """Token counts changed; ``metrics.usage_final`` says whether they are the last word."""


@dataclass(frozen=True)
class _Ended(StreamEvent):
    blocks: tuple[Block, ...]
    """Every block of the reply, in index order; a block that never saw its stop (the reply
    ended in the middle of it) is ``partial``."""

    @property
    def text(self) -> str:
        """The reply's text blocks, joined."""
        return text_of(self.blocks)

    @property
    def thinking(self) -> str:
        """The reply's thinking blocks, joined."""
        return thinking_of(self.blocks)


@dataclass(frozen=True)
class Finished(_Ended):
    """The reply ended normally; ``metrics.stop_reason`` says why."""


@dataclass(frozen=True)
class Cancelled(_Ended):
    """The user stopped the reply; ``blocks`` are what arrived before that."""


@dataclass(frozen=True)
class Failed(_Ended):
    """The reply could not be completed; ``blocks`` are what arrived before the failure."""

    error: StreamError


TerminalEvent = Finished | Cancelled | Failed

BlockEvent = BlockStarted | BlockDelta | BlockStopped


def assemble(assembler: BlockAssembler, event: BlockEvent) -> None:
    """Apply one block event to ``assembler``: how a consumer of the runner's events (the
    recorder, the screen) keeps the reply's blocks so far. A stop takes the event's block as
    it is, complete: the runner's own assembler made it from the same events."""
    if isinstance(event, BlockStarted):
        assembler.start(event.index, event.block)
    elif isinstance(event, BlockDelta):
        if event.text:
            assembler.add_text(event.index, event.kind, event.text)
        for item in event.items:
            assembler.add_item(event.index, event.kind, item)
    else:
        assembler.start(event.index, event.block)
        assembler.stop(event.index)
