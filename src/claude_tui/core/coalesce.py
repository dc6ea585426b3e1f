"""A reply's block events between two flushes: gathered per token, handed on per batch.

The runner receives thousands of deltas a minute and hands events on at most ``refresh_rate``
times a second. :class:`BlockCoalescer` keeps what arrived since the last flush as a short list
(a start, the joined deltas of one block and kind, a stop, …) in the order it arrived, and only
at :meth:`~BlockCoalescer.flush` applies it to its :class:`BlockAssembler` and turns it into
events. So the cost per token is an append to a list, and the assembler (which rebuilds a
block for every change) works per batch, not per token.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from claude_tui.core.block_assembler import BlockAssembler, DeltaKind
from claude_tui.core.blocks import Block
from claude_tui.core.events import BlockDelta, BlockStarted, BlockStopped, StreamEvent
from claude_tui.core.metrics import StreamMetrics


@dataclass
class _Start:
    index: int
    block: Block


@dataclass
class _Delta:
    index: int
    kind: DeltaKind
    pieces: list[str] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class _Stop:
    index: int


class BlockCoalescer:
    """Starts, deltas and stops as they arrive; events and blocks as of the last flush.

    Consecutive deltas of one block and one kind become one :class:`BlockDelta`; nothing is
    reordered, and nothing is dropped but a delta or stop for a block that never started (it
    has nowhere to go, and a consumer's assembler would drop it too).
    """

    def __init__(self) -> None:
        self._assembler = BlockAssembler()
        self._pending: list[_Start | _Delta | _Stop] = []

    def start(self, index: int, block: Block) -> None:
        self._pending.append(_Start(index, block))

    def add_text(self, index: int, kind: DeltaKind, piece: str) -> None:
        """A string delta (text, thinking, signature, a tool input's JSON)."""
        self._delta(index, kind).pieces.append(piece)

    def add_item(self, index: int, kind: DeltaKind, item: Mapping[str, Any]) -> None:
        """An object delta (a citation, compaction content, a type the app does not know)."""
        self._delta(index, kind).items.append(dict(item))

    def stop(self, index: int) -> None:
        self._pending.append(_Stop(index))

    def _delta(self, index: int, kind: DeltaKind) -> _Delta:
        last = self._pending[-1] if self._pending else None
        if isinstance(last, _Delta) and last.index == index and last.kind == kind:
            return last
        delta = _Delta(index, kind)
        self._pending.append(delta)
        return delta

    @property
    def pending(self) -> bool:
        """Something arrived since the last flush."""
        return bool(self._pending)

    def flush(self, metrics: StreamMetrics) -> list[StreamEvent]:
        """What arrived since the last flush, applied to the blocks and as events, in order."""
        pending, self._pending = self._pending, []
        assembler = self._assembler
        events: list[StreamEvent] = []
        for entry in pending:
            if isinstance(entry, _Start):
                assembler.start(entry.index, entry.block)
                started = assembler.block(entry.index)
                assert started is not None
                events.append(BlockStarted(metrics, entry.index, started))
            elif assembler.block(entry.index) is None:
                continue  # a delta or stop for a block that never started
            elif isinstance(entry, _Delta):
                text = "".join(entry.pieces)
                if text:
                    assembler.add_text(entry.index, entry.kind, text)
                for item in entry.items:
                    assembler.add_item(entry.index, entry.kind, item)
                if text or entry.items:
                    events.append(
                        BlockDelta(metrics, entry.index, entry.kind, text, tuple(entry.items))
                    )
            else:
                stopped = assembler.stop(entry.index)
                assert stopped is not None
                events.append(BlockStopped(metrics, entry.index, stopped))
        return events

    def blocks(self) -> tuple[Block, ...]:
        """Every block as of the last flush, in index order; those not stopped are partial."""
        return tuple(self._assembler.blocks())

    @property
    def has_content(self) -> bool:
        """As of the last flush: anything arrived that a person could see."""
        return self._assembler.has_content
