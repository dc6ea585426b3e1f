"""Saving replies in tests as the chat screen does: a ReplyRecorder fed the runner's events.

The events are made here, in the order and shape the runner emits them (see core/events.py), so
the store's tests need no server.
"""

from __future__ import annotations

from collections.abc import Sequence

from claude_tui.core.blocks import Block, TextBlock, ThinkingBlock, blocks_from_text
from claude_tui.core.events import (
    BlockDelta,
    BlockStarted,
    BlockStopped,
    Finished,
    Started,
    StreamEvent,
)
from claude_tui.core.metrics import StreamMetrics
from claude_tui.core.store import SessionStore
from claude_tui.core.store.recorder import ACTIVE_LEAF, ParentId, ReplyRecorder

METRICS = StreamMetrics(model="m", started_at=0.0)


def streamed(blocks: Sequence[Block], metrics: StreamMetrics = METRICS) -> list[StreamEvent]:
    """The block events that stream ``blocks`` (text or thinking with its signature), each
    block's string sent in one delta; no terminal event."""
    events: list[StreamEvent] = []
    for index, block in enumerate(blocks):
        if isinstance(block, TextBlock):
            events.append(BlockStarted(metrics, index, TextBlock("")))
            events.append(BlockDelta(metrics, index, "text", block.text))
        elif isinstance(block, ThinkingBlock):
            events.append(BlockStarted(metrics, index, ThinkingBlock("")))
            events.append(BlockDelta(metrics, index, "thinking", block.thinking))
            if block.signature:
                events.append(BlockDelta(metrics, index, "signature", block.signature))
        else:
            events.append(BlockStarted(metrics, index, block))
        events.append(BlockStopped(metrics, index, block))
    return events


def exchange(
    store: SessionStore,
    session_id: str | None,
    prompt: str | None,
    reply: str,
    parent_id: ParentId = ACTIVE_LEAF,
) -> ReplyRecorder:
    """Save one exchange the way the chat screen does; ``prompt`` None is a retry."""
    recorder = ReplyRecorder(
        store,
        session_id=session_id,
        user_blocks=None if prompt is None else blocks_from_text(prompt),
        model="m",
        system="",
        parent_id=parent_id,
    )
    recorder.begin()
    recorder.on_event(Started(METRICS))
    blocks = [TextBlock(reply)] if reply else []
    for event in streamed(blocks):
        recorder.on_event(event)
    recorder.on_event(Finished(METRICS.with_(ended_at=1.0), tuple(blocks)))
    return recorder
