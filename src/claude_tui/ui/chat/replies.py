"""Sending prompts and running replies: the reply side of the chat screen.

Each reply runs a core ``StreamRunner`` in a thread worker, which also saves the exchange
through a ``ReplyRecorder``. Its events come back as ``ReplyEvent`` messages and land in the
reply's own session state, and in widgets only when that session is on screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from textual import on

from claude_tui.core.config import Settings
from claude_tui.core.conversation import EditPoint
from claude_tui.core.events import (
    StreamEvent,
)
from claude_tui.core.runner import StreamRunner
from claude_tui.core.slash import Command, Unknown, parse
from claude_tui.core.store import SessionStore, StoreError
from claude_tui.core.store.recorder import ACTIVE_LEAF, ParentId, ReplyRecorder
from claude_tui.ui.chat.reply_events import ReplyEvents, worker_name
from claude_tui.ui.chat.session_state import Reply, SessionState
from claude_tui.ui.messages import ReplyEvent, SessionSaved, StoreProblem, TurnsSaved
from claude_tui.ui.options import runner_settings, stream_request
from claude_tui.ui.widgets.prompt import PromptInput
from claude_tui.ui.widgets.status import ReplyStatus

NO_KEY_HINT = (
    "No API key found. Set ANTHROPIC_API_KEY (or put the key in {key_file}) and start again, "
    "or run `claude-tui --demo` to try everything offline."
)


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


class ReplyFlow(ReplyEvents):
    """Base of the chat screen: prompts in, replies out, each in its own session."""

    _replies: dict[int, SessionState]
    _next_reply_id: int
    _key_file: str
    _store_problem_shown: bool

    async def run_command(self, parsed: Command | Unknown) -> bool:
        raise NotImplementedError

    async def send_edited(self, state: SessionState, point: EditPoint, text: str) -> None:
        raise NotImplementedError

    def session_settings(self, state: SessionState) -> Settings:
        """The app's settings with the session's own model and system prompt, if it has them."""
        settings = self.app.settings
        if state.model:
            settings = replace(settings, model=state.model)
        if state.system is not None:
            settings = replace(settings, system_prompt=state.system)
        return settings

    # -- sending ------------------------------------------------------------------------------

    @on(PromptInput.Submitted)
    async def _on_submitted(self, message: PromptInput.Submitted) -> None:
        parsed = parse(message.text)
        if isinstance(parsed, Command | Unknown):
            # never sent to the model; the input keeps the text if the command failed
            if await self.run_command(parsed):
                message.prompt_input.remember(message.text)
            return
        text = parsed.text  # a line starting with // sends a literal /
        if not self.options.api.has_credentials:
            hint = NO_KEY_HINT.format(key_file=self._key_file or "the key file")
            self.notify(hint, title="Cannot send", severity="error", timeout=8)
            return  # the prompt stays in the input: nothing is lost
        message.prompt_input.remember(message.text)
        state = self.current
        if state.editing is not None:
            await self.send_edited(state, state.editing, text)
            return
        if state.shown_to is not None:  # reading far back: a new turn goes with the latest
            await self.turn_pane.show_latest(state)
        await self.turn_pane.remove_welcome()
        if state.busy:
            await self.turn_pane.add_queued(text)
            state.queue.append(text)
            self.query_one(ReplyStatus).queued = len(state.queue)
            return
        await self._start_reply(state, text)

    async def _start_reply(
        self,
        state: SessionState,
        text: str,
        *,
        new_prompt: bool = True,
        parent_id: ParentId = ACTIVE_LEAF,
    ) -> None:
        """Send ``text`` and stream the reply. ``new_prompt=False`` answers the last prompt
        again (a retry after a reply that produced no text), without repeating it."""
        if state is self.current and state.shown_to is not None:
            await self.turn_pane.show_latest(state)  # a new turn goes with the latest ones
        user_turn = state.conversation.add_user(text) if new_prompt else None
        history = state.conversation.api_messages()
        turn = state.conversation.start_assistant()
        if state is self.current:
            await self.turn_pane.add_reply(turn, user_turn, text)
            self.query_one(ReplyStatus).queued = len(state.queue)
            self.query_one(ReplyStatus).waiting()
        self._next_reply_id += 1
        reply_id = self._next_reply_id
        settings = self.session_settings(state)
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
                    parent_id=parent_id,
                )
                self.post_message(SessionSaved(reply_id, recorder.begin()))
                if user_turn is not None and recorder.user_message_id is not None:
                    self.post_message(TurnsSaved(((user_turn, recorder.user_message_id),)))
                sink.recorder = recorder
            except StoreError as error:
                self.post_message(StoreProblem(str(error)))
            try:
                runner.run()
            finally:
                if store is not None:
                    store.close()
                saved = sink.recorder.reply_message_id if sink.recorder is not None else None
                if saved is not None:
                    self.post_message(TurnsSaved(((turn, saved),)))

        self.run_worker(
            work, name=worker_name(reply_id), group="replies", thread=True, exit_on_error=False
        )

    # -- events from the workers --------------------------------------------------------------
