"""Sending prompts and running replies: the reply side of the chat screen.

Each reply runs a core ``StreamRunner`` in a thread worker, which also saves the exchange
through a ``ReplyRecorder``. Its events come back as ``ReplyEvent`` messages and land in the
reply's own session state, and in widgets only when that session is on screen.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual import on
from textual.worker import Worker, WorkerState

from claude_tui.core.conversation import TurnStatus
from claude_tui.core.errors import ErrorKind
from claude_tui.core.events import (
    Cancelled,
    Failed,
    Finished,
    Retrying,
    StreamEvent,
    TerminalEvent,
    TextDelta,
    ThinkingDelta,
)
from claude_tui.core.recorder import ReplyRecorder
from claude_tui.core.runner import StreamRunner
from claude_tui.core.store import SessionStore, StoreError, title_from
from claude_tui.ui.messages import ReplyEvent, SessionSaved, StoreProblem
from claude_tui.ui.options import runner_settings, stream_request
from claude_tui.ui.session_state import Reply, SessionState
from claude_tui.ui.sessions_panel import SessionsPanel
from claude_tui.ui.widgets.conversation import ConversationView, Welcome
from claude_tui.ui.widgets.message import AssistantMessage, UserMessage, turn_notice
from claude_tui.ui.widgets.metrics import MetricsBar
from claude_tui.ui.widgets.prompt import PromptInput
from claude_tui.ui.widgets.sidebar import SessionSidebar
from claude_tui.ui.widgets.status import ReplyStatus

NO_KEY_HINT = (
    "No API key found. Set ANTHROPIC_API_KEY (or put the key in {key_file}) and start again, "
    "or run `claude-tui --demo` to try everything offline."
)

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


def _worker_name(reply_id: int) -> str:
    return f"reply-{reply_id}"


class _Sink:
    """Where a runner's events go, from its worker thread: the recorder (once the worker has
    opened it), then the UI. A database failure stops the saving, never the reply."""

    def __init__(self, post: Callable[[StreamEvent], object], on_problem: Callable[[str], object]):
        self.recorder: ReplyRecorder | None = None
        self._post = post
        self._on_problem = on_problem  # both only post a message: safe from any thread

    def __call__(self, event: StreamEvent) -> None:
        if self.recorder is not None:
            try:
                self.recorder.on_event(event)
            except Exception as error:  # saving must never break the reply (e.g. a deleted row)
                self.recorder = None
                self._on_problem(str(error) if isinstance(error, StoreError) else repr(error))
        self._post(event)


class ReplyFlow(SessionsPanel):
    """Base of the chat screen: prompts in, replies out, each in its own session."""

    _replies: dict[int, SessionState]
    _widgets: dict[int, UserMessage | AssistantMessage]
    _queued_widgets: list[UserMessage]
    _next_reply_id: int
    _key_file: str
    _store_problem_shown: bool
    _next_frame_at = 0.0

    async def trim_view(self, state: SessionState) -> None:
        raise NotImplementedError

    async def show_latest(self, state: SessionState) -> None:
        raise NotImplementedError

    # -- sending ------------------------------------------------------------------------------

    @on(PromptInput.Submitted)
    async def _on_submitted(self, message: PromptInput.Submitted) -> None:
        if not self.options.api.has_credentials:
            hint = NO_KEY_HINT.format(key_file=self._key_file or "the key file")
            self.notify(hint, title="Cannot send", severity="error", timeout=8)
            return  # the prompt stays in the input: nothing is lost
        message.prompt_input.remember(message.text)
        state = self.current
        if state.shown_to is not None:  # reading far back: a new turn goes with the latest
            await self.show_latest(state)
        view = self.query_one(ConversationView)
        await self.query(Welcome).remove()
        if state.busy:
            widget = UserMessage(message.text, queued=True)
            await view.mount(widget)
            state.queue.append(message.text)
            self._queued_widgets.append(widget)
            self.query_one(ReplyStatus).queued = len(state.queue)
            view.follow()
            return
        await self._start_reply(state, message.text)

    async def _start_reply(
        self, state: SessionState, text: str, *, new_prompt: bool = True
    ) -> None:
        """Send ``text`` and stream the reply. ``new_prompt=False`` answers the last prompt
        again (a retry after a reply that produced no text), without repeating it."""
        if state is self.current and state.shown_to is not None:
            await self.show_latest(state)  # a new turn goes with the latest ones
        user_turn = state.conversation.add_user(text) if new_prompt else None
        history = state.conversation.api_messages()
        turn = state.conversation.start_assistant()
        if state is self.current:
            view = self.query_one(ConversationView)
            widget = AssistantMessage()
            if user_turn is None:
                await view.mount(widget)
            else:
                user_widget = self._queued_widgets.pop(0) if self._queued_widgets else None
                if user_widget is not None:
                    user_widget.mark_sent()
                else:
                    user_widget = UserMessage(text)
                    await view.mount(user_widget)
                # right under its own prompt (queued prompts may stand below it); mounted
                # before any event for it can arrive
                await view.mount(widget, after=user_widget)
                self._widgets[id(user_turn)] = user_widget
            self._widgets[id(turn)] = widget
            view.follow()
            await self.trim_view(state)
            self.query_one(ReplyStatus).queued = len(state.queue)
            self.query_one(ReplyStatus).waiting()
        self._next_reply_id += 1
        reply_id = self._next_reply_id
        settings = self.settings
        request = stream_request(settings, history)
        sink = _Sink(
            lambda event: self.post_message(ReplyEvent(reply_id, event)),
            lambda problem: self.post_message(StoreProblem(problem)),
        )
        runner = StreamRunner(
            request, sink, api=self.options.api, settings=runner_settings(settings)
        )
        state.reply = Reply(reply_id, runner, turn)
        self._replies[reply_id] = state
        self._sidebar_active_changed()
        session_id = state.session_id

        def work() -> None:
            """The worker thread: save the user turn, then stream (and save) the reply."""
            store: SessionStore | None = None
            try:
                store = SessionStore.open(self.options.store_path)
                recorder = ReplyRecorder(
                    store,
                    session_id=session_id,
                    user_text=text if new_prompt else None,
                    model=settings.model,
                    system=settings.system_prompt,
                )
                self.post_message(SessionSaved(reply_id, recorder.begin()))
                sink.recorder = recorder
            except StoreError as error:
                self.post_message(StoreProblem(str(error)))
            try:
                runner.run()
            finally:
                if store is not None:
                    store.close()

        self.run_worker(
            work, name=_worker_name(reply_id), group="replies", thread=True, exit_on_error=False
        )

    # -- events from the workers --------------------------------------------------------------

    @on(SessionSaved)
    def _on_session_saved(self, message: SessionSaved) -> None:
        state = self._replies.get(message.reply_id)
        if state is None:
            return
        if state.session_id is None:
            state.session_id = message.session_id
            self.states[message.session_id] = state
            if not state.title and state.conversation.turns:
                state.title = title_from(state.conversation.turns[0].text)
            if state is self.current:
                self.query_one(SessionSidebar).set_current(message.session_id)
                self._update_title()
            self._sidebar_active_changed()
        self.reload_sessions()

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
        widget = self._widgets.get(id(reply.turn))
        if isinstance(widget, AssistantMessage):
            if reply.pending_thinking:
                widget.append_thinking(reply.pending_thinking)
            if reply.pending_text:
                widget.append_text(reply.pending_text)
        reply.pending_text = reply.pending_thinking = ""
        if reply.metrics is not None:
            self.query_one(MetricsBar).show(reply.metrics)
        self._show_status(state)
        self.query_one(ConversationView).update_jump_bar()

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
            widget = self._widgets.get(id(turn))
            if isinstance(widget, AssistantMessage):
                notice, kind = turn_notice(turn)
                widget.finish(turn.text, thinking=turn.thinking, notice=notice, kind=kind)
            if turn.metrics is not None:
                self.query_one(MetricsBar).show(turn.metrics, outcome=turn.status.value)
            self._show_status(state)
            self.query_one(ConversationView).update_jump_bar()
        self._sidebar_active_changed()
        self.reload_sessions()
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
            if reply is not None and event.worker.name == _worker_name(reply.reply_id):
                error = event.worker.error
                reply.turn.status = TurnStatus.ERROR
                reply.turn.error = f"{type(error).__name__}: {error}"
                if reply.metrics is not None:  # stop the clock where it broke
                    reply.turn.metrics = reply.metrics.with_(ended_at=time.monotonic())
                await self._reply_ended(state, reply)

    def _show_status(self, state: SessionState) -> None:
        status = self.query_one(ReplyStatus)
        reply = state.reply
        self.query_one(ConversationView).live = reply is not None
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
        self.query_one(SessionSidebar).set_active(active)
