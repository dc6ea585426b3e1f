"""What comes back from a reply's worker: its events, its saved session, its end.

Each reply's events arrive as ``ReplyEvent`` messages and land in the reply's own session
state, and in widgets only when that session is on screen (``replies.py`` sends them).
"""

from __future__ import annotations

import time

from textual import getters, on
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from claude_tui.core.conversation import TurnStatus
from claude_tui.core.errors import ErrorKind
from claude_tui.core.events import (
    Cancelled,
    Failed,
    Finished,
    Retrying,
    TerminalEvent,
    TextDelta,
    ThinkingDelta,
)
from claude_tui.core.store import title_from
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.chat.session_state import Reply, SessionState
from claude_tui.ui.messages import ReplyEvent, SessionSaved, StoreProblem, TurnsSaved
from claude_tui.ui.options import AppOptions
from claude_tui.ui.widgets.message import AssistantMessage, turn_notice
from claude_tui.ui.widgets.metrics import MetricsBar
from claude_tui.ui.widgets.sessions_panel import SessionsPanel
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
free, for the stream's thread and for keys (see ``ReplyFlow._frame_drawn``)."""


def worker_name(reply_id: int) -> str:
    return f"reply-{reply_id}"


class ReplyEvents(Screen[None]):
    """Base of the chat screen that takes in what replies send back."""

    app = getters.app(ClaudeTUI)
    sessions_panel = getters.query_one(SessionsPanel)
    options: AppOptions
    turn_pane: TurnPane

    @property
    def current(self) -> SessionState:
        """The session on screen."""
        return self.turn_pane.state

    _replies: dict[int, SessionState]
    _store_problem_shown: bool
    _next_frame_at = 0.0

    async def _start_reply(self, state: SessionState, text: str) -> None:
        raise NotImplementedError

    @on(SessionSaved)
    def _on_session_saved(self, message: SessionSaved) -> None:
        state = self._replies.get(message.reply_id)
        if state is None:
            return
        if state.session_id is None:
            state.session_id = message.session_id
            self.sessions_panel.keep(state)
            if not state.title and state.conversation.turns:
                state.title = title_from(state.conversation.turns[0].text)
            if state is self.current:
                self.sessions_panel.show_current(message.session_id)
                self._update_title()
            self._sidebar_active_changed()
        self.sessions_panel.reload()

    @on(TurnsSaved)
    def _on_turns_saved(self, message: TurnsSaved) -> None:
        for turn, message_id in message.saved:
            turn.message_id = message_id

    @on(StoreProblem)
    def _on_store_problem(self, message: StoreProblem) -> None:
        if self._store_problem_shown:
            return
        self._store_problem_shown = True
        self.notify(
            f"Sessions are not being saved: {message.message}",
            title="Session store",
            severity="error",
            timeout=10,
        )

    @on(ReplyEvent)
    async def _on_reply_event(self, message: ReplyEvent) -> None:
        """Take in one event. Text only goes into the turn and a pending buffer here; the
        widgets are brought up to date by one ``_render_reply`` call for however many events
        have queued up, so a slow render can never make events (or Esc) wait in line."""
        state = self._replies.get(message.reply_id)
        if state is None or state.reply is None or state.reply.reply_id != message.reply_id:
            return
        reply, event = state.reply, message.event
        reply.metrics = event.metrics
        if isinstance(event, TextDelta):
            reply.turn.text += event.text
            reply.pending_text += event.text
            reply.has_text = True
            reply.retry_note = None
        elif isinstance(event, ThinkingDelta):
            reply.turn.thinking += event.text
            reply.pending_thinking += event.text
            reply.retry_note = None
        elif isinstance(event, Retrying):
            reason = RETRY_REASONS.get(event.error.kind, "Request failed")
            until = time.monotonic() + event.delay
            reply.retry_note = (reason, until, event.attempt, event.max_attempts)
        elif isinstance(event, Finished | Cancelled | Failed):
            await self._end_reply(state, reply, event)
            return
        if state is self.current and not reply.render_scheduled:
            reply.render_scheduled = True
            wait = self._next_frame_at - time.monotonic()
            if wait > 0:
                self.set_timer(wait, lambda: self._render_reply(state, reply))
            else:
                self.call_later(self._render_reply, state, reply)

    def _render_reply(self, state: SessionState, reply: Reply) -> None:
        reply.render_scheduled = False
        if state.reply is not reply or state is not self.current:
            return  # ended (its end rendered everything) or no longer on screen
        self.call_after_refresh(self._frame_drawn, time.monotonic())
        widget = self.turn_pane.widgets.get(reply.turn)
        if isinstance(widget, AssistantMessage):
            if reply.pending_thinking:
                widget.append_thinking(reply.pending_thinking)
            if reply.pending_text:
                widget.append_text(reply.pending_text)
        reply.pending_text = reply.pending_thinking = ""
        if reply.metrics is not None:
            self.query_one(MetricsBar).show(reply.metrics)
        self._show_status(state)
        self.turn_pane.update_jump_bar()

    def _frame_drawn(self, started: float) -> None:
        """Pace the frames by what they cost: the next batch is drawn no sooner than
        ``FRAME_PACING`` times this frame's cost (render, layout and paint) from now.

        At a reading pace frames cost a few milliseconds and this never delays one. When a
        reply arrives faster than it can be drawn, the UI would otherwise take most of the
        interpreter and starve the thread parsing the stream, so the whole reply would reach
        the screen later; drawn less often, the text on screen is never more than a frame or
        two behind, and the end of the reply is drawn at once (``_end_reply``)."""
        now = time.monotonic()
        self._next_frame_at = now + FRAME_PACING * (now - started)

    async def _end_reply(self, state: SessionState, reply: Reply, event: TerminalEvent) -> None:
        turn = reply.turn
        turn.metrics = event.metrics
        turn.text, turn.thinking = event.text, event.thinking
        if isinstance(event, Finished):
            turn.status = TurnStatus.COMPLETE
            turn.stop_reason = event.metrics.stop_reason
        elif isinstance(event, Cancelled):
            turn.status = TurnStatus.CANCELLED
        else:
            turn.status = TurnStatus.ERROR
            turn.error = event.error.message
        await self._reply_ended(state, reply)

    async def _reply_ended(self, state: SessionState, reply: Reply) -> None:
        turn = reply.turn
        state.reply = None
        self._replies.pop(reply.reply_id, None)
        if state is self.current:
            widget = self.turn_pane.widgets.get(turn)
            if isinstance(widget, AssistantMessage):
                notice, kind = turn_notice(turn)
                widget.finish(turn.text, thinking=turn.thinking, notice=notice, kind=kind)
            if turn.metrics is not None:
                self.query_one(MetricsBar).show(turn.metrics, outcome=turn.status.value)
            self._show_status(state)
            self.turn_pane.update_jump_bar()
        self._sidebar_active_changed()
        self.sessions_panel.reload()
        if state.queue:
            await self._start_reply(state, state.queue.pop(0))

    @on(Worker.StateChanged)
    async def _on_worker_state(self, event: Worker.StateChanged) -> None:
        """The runner turns every API failure into a ``Failed`` event; this catches the rest
        (a bug in the runner itself) so the turn is marked and the app keeps chatting."""
        if event.state is not WorkerState.ERROR:
            return
        for state in list(self._replies.values()):
            reply = state.reply
            if reply is not None and event.worker.name == worker_name(reply.reply_id):
                error = event.worker.error
                reply.turn.status = TurnStatus.ERROR
                reply.turn.error = f"{type(error).__name__}: {error}"
                if reply.metrics is not None:  # stop the clock where it broke
                    reply.turn.metrics = reply.metrics.with_(ended_at=time.monotonic())
                await self._reply_ended(state, reply)

    def _show_status(self, state: SessionState) -> None:
        status = self.query_one(ReplyStatus)
        reply = state.reply
        self.turn_pane.set_live(reply is not None)
        if reply is None:
            status.idle()
        elif reply.retry_note is not None:
            reason, until, attempt, max_attempts = reply.retry_note
            status.retrying(reason, max(0.0, until - time.monotonic()), attempt, max_attempts)
        elif reply.has_text or reply.turn.thinking:
            status.writing()
        else:
            status.waiting()

    def cancel_all(self) -> None:
        """Stop every reply in flight (used on quit)."""
        for state in self._replies.values():
            if state.reply is not None:
                state.reply.runner.cancel()

    def _sidebar_active_changed(self) -> None:
        active = {s.session_id for s in self._replies.values() if s.session_id is not None}
        self.sessions_panel.show_active(active)

    def _update_title(self) -> None:
        raise NotImplementedError
