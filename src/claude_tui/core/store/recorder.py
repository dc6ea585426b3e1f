"""Saving an exchange while it streams, so that cancel, errors, a crash or ``kill -9`` lose at
most about a second of it.

The user turn is saved (as its blocks) before the request goes out; the reply row is created when
the stream starts. The recorder keeps its own :class:`~claude_tui.core.blocks.BlockAssembler`,
fed the runner's block events, and writes the blocks so far (and the text derived from them) at
most once a second while the reply streams, not per token; a block still streaming is written
``partial``, so a reply killed mid-block keeps what had arrived and says it was cut. The terminal
event's blocks are the last word: they are written with the status (complete, cancelled or
error), the error and the metrics. The recorder runs in the reply's worker thread, on that thread's
own database connection, so no database work ever touches the UI thread.

Each saved message becomes the tip of the session's active path (``SessionStore.add_message``),
so the recorder never moves the tip itself. Where the exchange hangs in the session's tree is
``parent_id``: by default it follows the active tip; an edit names the message before the edited
prompt, and a retry (no new prompt) names the prompt it answers again, which makes the new reply
a second version of the old one instead of a turn after it.

A continuation (a reply cut at ``max_tokens`` or paused, carried on) names the message it
``continues``: its new blocks are written after the ``prefix`` the reply had, into that same row,
and the row's token counts and duration become the sums over its requests
(``continuation.reply_total``, as the turn on screen), so the cost and ``/stats`` count every
request the reply took; ``context_tokens`` keeps the last request's input, the context window
it left.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from enum import Enum
from typing import Final, Literal

from claude_tui.core.block_assembler import BlockAssembler
from claude_tui.core.blocks import Block
from claude_tui.core.context_window import context_tokens
from claude_tui.core.continuation import reply_total
from claude_tui.core.conversation import TurnStatus
from claude_tui.core.events import (
    BlockDelta,
    BlockStarted,
    BlockStopped,
    Cancelled,
    Failed,
    Finished,
    Started,
    StreamEvent,
    assemble,
)
from claude_tui.core.metrics import StreamMetrics
from claude_tui.core.store import SessionStore

FLUSH_INTERVAL = 1.0
"""Seconds between writes of a streaming reply's blocks."""


class Parent(Enum):
    ACTIVE_LEAF = "active leaf"


ACTIVE_LEAF: Final = Parent.ACTIVE_LEAF
"""``parent_id`` default: follow the tip of the session's active path, whatever it is."""

ParentId = int | Literal[Parent.ACTIVE_LEAF] | None


class ReplyRecorder:
    def __init__(
        self,
        store: SessionStore,
        *,
        session_id: str | None,
        user_blocks: list[Block] | None,
        model: str,
        system: str,
        parent_id: ParentId = ACTIVE_LEAF,
        clock: Callable[[], float] = time.monotonic,
        continues: int | None = None,
        prefix: Sequence[Block] = (),
        earlier: StreamMetrics | None = None,
    ) -> None:
        """``user_blocks`` is the prompt (``blocks.blocks_from_text`` for a typed one); None for a
        retry, which saves only a reply. ``parent_id`` is the message this exchange follows: the
        user message's parent, or, with no prompt, the reply's. None starts a new root (an edit
        of the first prompt). Ignored when ``begin`` has to create the session.

        ``continues`` is the stored reply a continuation goes on (``None``: saved as a new reply,
        ``prefix`` and all); ``prefix`` the blocks it had, ``earlier`` its metrics so far."""
        self._store = store
        self._parent_id = parent_id
        self.session_id = session_id
        self._user_blocks = user_blocks
        self._model = model
        self._system = system
        self._clock = clock
        self.user_message_id: int | None = None
        self.reply_message_id: int | None = None
        self._assembler = BlockAssembler()
        self._continues = continues
        self._prefix = list(prefix)
        self._earlier = earlier
        self._last_flush = 0.0
        self._dirty = False

    def begin(self) -> str:
        """Save the user turn (creating the session on its first message); returns the
        session's id. With no prompt (a retry of the last one) only the reply is saved."""
        if self.session_id is None or self._store.get_session(self.session_id) is None:
            self.session_id = self._store.create_session(model=self._model, system=self._system).id
            self._parent_id = ACTIVE_LEAF  # a new session: whatever was named is not in it
        if self._user_blocks is not None:
            self.user_message_id = self._store.add_message(
                self.session_id,
                "user",
                blocks=self._user_blocks,
                status=TurnStatus.COMPLETE.value,
                **self._parent(self._parent_id),
            )
        return self.session_id

    @staticmethod
    def _parent(parent_id: ParentId) -> dict[str, int | None]:
        """``add_message``'s keywords: none follows the active tip."""
        return {} if parent_id is ACTIVE_LEAF else {"parent_id": parent_id}

    def on_event(self, event: StreamEvent) -> None:
        assert self.session_id is not None, "begin() first"
        if isinstance(event, BlockStarted | BlockDelta | BlockStopped):
            assemble(self._assembler, event)
            self._dirty = True
            if self._clock() - self._last_flush >= FLUSH_INTERVAL:
                self._flush()
        elif isinstance(event, Started) and self._continues is not None:
            self.reply_message_id = self._continues
            self._store.update_message(self._continues, status=TurnStatus.STREAMING.value)
            self._last_flush = self._clock()
        elif isinstance(event, Started):
            self.reply_message_id = self._store.add_message(
                self.session_id,
                "assistant",
                blocks=self._prefix,
                status=TurnStatus.STREAMING.value,
                model=self._model,
                **self._parent(
                    self._parent_id if self.user_message_id is None else self.user_message_id
                ),
            )
            self._last_flush = self._clock()
        elif isinstance(event, Finished | Cancelled | Failed):
            self._finish(event)

    def _flush(self) -> None:
        if self.reply_message_id is None or not self._dirty:
            return
        blocks = [*self._prefix, *self._assembler.blocks()]
        self._store.update_message(self.reply_message_id, blocks=blocks)
        self._dirty = False
        self._last_flush = self._clock()

    def _finish(self, event: Finished | Cancelled | Failed) -> None:
        if self.reply_message_id is None:
            return
        m = event.metrics
        status = {
            Finished: TurnStatus.COMPLETE,
            Cancelled: TurnStatus.CANCELLED,
            Failed: TurnStatus.ERROR,
        }[type(event)]
        total = reply_total(self._earlier, m)  # a continuation: every request of the reply
        duration = None if total.ended_at is None else total.elapsed(total.started_at) * 1000.0
        self._store.update_message(
            self.reply_message_id,
            blocks=[*self._prefix, *event.blocks],
            status=status.value,
            stop_reason=m.stop_reason,
            error=event.error.message if isinstance(event, Failed) else None,
            input_tokens=total.input_tokens,
            output_tokens=total.output_tokens if total.usage_final else None,
            cache_creation_tokens=total.cache_creation_tokens,
            cache_read_tokens=total.cache_read_tokens,
            cache_creation_1h_tokens=total.cache_creation_1h_tokens,
            context_tokens=context_tokens(total),
            web_search_requests=total.web_search_requests,
            web_fetch_requests=total.web_fetch_requests,
            ttft_ms=total.ttft_ms,
            duration_ms=duration,
        )
