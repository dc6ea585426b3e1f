"""What a reply's stream sends, taken in: into the reply's turn at once, into its widgets a
frame at a time.

The one place that reads a reply's stream events (``ReplyController`` hands each one here):
the content blocks' starts, deltas and stops, retries, and the terminal event that ends the
reply. A reply whose session is not on screen only updates its turn; the widgets, the status
line and the metrics follow the session on screen.

Each block event goes into the reply's own :class:`~claude_tui.core.blocks.BlockAssembler`, so
its turn always holds every block so far (a widget rebuilt from the turn shows all of it), and
adds to what waits to be drawn: the text of text blocks, the thinking of thinking blocks, and one
neutral line for any other kind (:func:`~claude_tui.core.blocks.line_paragraph`) where it stands
between the texts. What is drawn therefore equals ``plain_text`` of the blocks, which is what
the finished widget shows.

A reply with a web search or fetch is drawn from its blocks instead, as text parts and cards
(``core.reply_parts``): from the frame its first call starts in, each frame brings the widget up
to ``reply_parts`` of all its blocks so far (``AssistantMessage.show_web``), and its end with
the sources. Any other reply never pays for that: its text is appended as it comes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.widget import Widget

from claude_tui.core.block_assembler import BlockAssembler
from claude_tui.core.blocks import (
    CompactionBlock,
    line_paragraph,
    plain_text,
    shown_as_line,
    summaries_of,
)
from claude_tui.core.context_window import context_now
from claude_tui.core.continuation import reply_total
from claude_tui.core.conversation import TurnStatus
from claude_tui.core.defaults import DEFAULT_REFRESH_RATE
from claude_tui.core.errors import ErrorKind
from claude_tui.core.events import (
    BlockDelta,
    BlockStarted,
    BlockStopped,
    Cancelled,
    Failed,
    Finished,
    Retrying,
    StreamEvent,
    assemble,
)
from claude_tui.core.reply_parts import is_web_call
from claude_tui.ui.chat.frame_clock import FrameClock
from claude_tui.ui.chat.session_state import Reply, SessionState
from claude_tui.ui.widgets.message import AssistantMessage, turn_notice
from claude_tui.ui.widgets.metrics import MetricsBar
from claude_tui.ui.widgets.status import ReplyStatus
from claude_tui.ui.widgets.turn_pane import TurnPane

RETRY_REASONS = {
    ErrorKind.RATE_LIMITED: "Rate limited",
    ErrorKind.OVERLOADED: "The API is overloaded",
    ErrorKind.SERVER: "Server error",
    ErrorKind.CONNECTION_REFUSED: "Cannot reach the API",
    ErrorKind.TIMEOUT: "The API timed out",
}


FRAME_PACING = 2.0
"""A streaming reply's frames leave the interpreter at least this many times their own cost
free, for the stream's thread and for keys (see ``ReplyStream._frame_drawn``)."""


def take_content(reply: Reply, event: StreamEvent) -> bool:
    """Apply ``event`` to ``reply`` if it is a block event; False for any other event, which
    this leaves alone."""
    if not isinstance(event, BlockStarted | BlockDelta | BlockStopped):
        return False
    assemble(reply.blocks, event)
    if isinstance(event, BlockDelta) and event.kind == "text" and event.text:
        reply.pending_text += event.text
        reply.has_text = True
    elif isinstance(event, BlockDelta) and event.kind == "thinking":
        reply.pending_thinking += event.text
    elif isinstance(event, BlockStarted) and is_web_call(event.block):
        reply.has_text = True  # a card to read: the reply is drawn as parts from here on
    elif isinstance(event, BlockStarted) and shown_as_line(event.block):
        reply.pending_text += line_paragraph(event.block)
        reply.has_text = True
    elif (isinstance(event, BlockDelta) and event.kind == "compaction") or (
        isinstance(event, BlockStopped) and isinstance(event.block, CompactionBlock)
    ):
        reply.pending_summary = True
        reply.has_text = True  # something to read: the summary, folded
    reply.turn.blocks = reply.whole(reply.blocks.blocks())
    return True


class ReplyStream:
    """Takes in every reply's events, and draws those of the session on screen, in the frames
    of its :class:`~claude_tui.ui.chat.frame_clock.FrameClock`."""

    def __init__(
        self,
        host: Widget,
        pane: TurnPane,
        status: ReplyStatus,
        metrics: MetricsBar,
        *,
        refresh_rate: float = DEFAULT_REFRESH_RATE,
        on_live: Callable[[bool], object] | None = None,
    ) -> None:
        """``on_live`` is told whether a reply streams on screen, each time that changes."""
        self._host = host
        """Whose pump and callbacks run the frames (the chat screen)."""
        self._pane, self._status, self._metrics = pane, status, metrics
        self._window = pane.window  # whose ``state`` is the session on screen, read per event
        self._on_live = on_live
        self._live = False
        self.clock = FrameClock(host, self._frame, refresh_rate)
        """The one clock of every redraw while a reply streams (``/rate`` sets its rate)."""

    def take(self, state: SessionState, reply: Reply, event: StreamEvent) -> bool:
        """Take in one event of ``reply`` (of ``state``); True if it ended the reply, whose
        turn then holds all it will (``show_end`` draws it).

        Content only goes into the turn and a pending buffer here; the widgets are brought up
        to date in the clock's next frame, for however many events have queued up by then, so
        a slow render can never make events (or Esc) wait in line. The first text of a reply
        is drawn at once (see ``FrameClock``)."""
        reply.metrics = event.metrics
        had_text = reply.has_text
        if take_content(reply, event):
            reply.retry_note = None
        elif isinstance(event, Retrying):
            reason = RETRY_REASONS.get(event.error.kind, "Request failed")
            until = time.monotonic() + event.delay
            reply.retry_note = (reason, until, event.attempt, event.max_attempts)
            reply.blocks = BlockAssembler()  # the next attempt's blocks start again at index 0
        elif isinstance(event, Finished | Cancelled | Failed):
            turn = reply.turn
            turn.metrics = reply_total(turn.metrics_before, event.metrics)  # a continuation:
            turn.blocks = reply.whole(list(event.blocks))  # all its requests, as in the store
            if isinstance(event, Finished):
                turn.status = TurnStatus.COMPLETE
                turn.stop_reason = event.metrics.stop_reason
            elif isinstance(event, Cancelled):
                turn.status = TurnStatus.CANCELLED
            else:
                turn.status = TurnStatus.ERROR
                turn.error = event.error.message
            return True
        if state is self._window.state:
            reply.render_scheduled = True
            self.clock.start()
            self.clock.request(at_once=reply.has_text and not had_text)
        return False

    def _frame(self, now: float) -> None:
        """One frame: the pending text of the reply on screen, its status and its metrics."""
        state = self._window.state
        reply = state.reply
        if reply is None:
            return  # ended: its end was drawn at once (``show_end``)
        if reply.render_scheduled:
            reply.render_scheduled = False
            self._host.call_after_refresh(self._frame_drawn, now)
            widget = self._pane.widgets.get(reply.turn)
            if isinstance(widget, AssistantMessage):
                if reply.pending_thinking:
                    widget.append_thinking(reply.pending_thinking)
                shown = widget.show_web(reply.turn.blocks, ended=False)
                if not shown and reply.pending_text:
                    widget.append_text(reply.pending_text)
                if reply.pending_summary:
                    widget.show_summary(summaries_of(reply.turn.blocks))
            reply.pending_text = reply.pending_thinking = ""
            reply.pending_summary = False
            self._pane.update_jump_bar()
            if reply.metrics is not None:
                self._metrics.show(reply.metrics)
        self.show_status(state)
        self._status.tick(now)
        self._metrics.tick(now)

    def _frame_drawn(self, started: float) -> None:
        """Pace the frames by what they cost: the next batch is drawn no sooner than
        ``FRAME_PACING`` times this frame's cost (render, layout and paint) from now.

        At a reading pace frames cost a few milliseconds and this never delays one. When a
        reply arrives faster than it can be drawn, the UI would otherwise take most of the
        interpreter and starve the thread parsing the stream, so the whole reply would reach
        the screen later; drawn less often, the text on screen is never more than a frame or
        two behind, and the end of the reply is drawn at once (``show_end``)."""
        now = time.monotonic()
        self.clock.hold_until(now + FRAME_PACING * (now - started))

    def show_end(self, state: SessionState, reply: Reply) -> None:
        """Draw the end of ``reply`` (its turn as it ended), if its session is on screen."""
        if state is not self._window.state:
            return
        turn = reply.turn
        widget = self._pane.widgets.get(turn)
        if isinstance(widget, AssistantMessage):
            notice, kind = turn_notice(turn)
            widget.show_summary(summaries_of(turn.blocks))
            widget.show_web(turn.blocks, ended=True)
            widget.finish(plain_text(turn.blocks), thinking=turn.thinking, notice=notice, kind=kind)
        if turn.metrics is not None:  # the gauge: the context now (a compaction's summary)
            context = context_now(state.conversation.turns)
            self._metrics.show(turn.metrics, outcome=turn.status.value, context=context)
        self.show_status(state)
        self._pane.update_jump_bar()

    def show_status(self, state: SessionState) -> None:
        """The status line (and the jump bar's liveness) for ``state``, on screen."""
        status = self._status
        reply = state.reply
        live = reply is not None
        self._pane.set_live(live)
        if live:
            self.clock.start()
        else:
            self.clock.stop()
        if live != self._live:
            self._live = live
            if self._on_live is not None:
                self._on_live(live)
        status.note = reply.note if reply is not None else ""
        if reply is None:
            status.idle()
        elif reply.retry_note is not None:
            reason, until, attempt, max_attempts = reply.retry_note
            status.retrying(reason, max(0.0, until - time.monotonic()), attempt, max_attempts)
        elif reply.has_text or reply.turn.thinking:
            status.writing()
        else:
            status.waiting()
