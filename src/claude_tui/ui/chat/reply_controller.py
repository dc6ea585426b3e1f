"""The reply controller: starts replies, takes in what they send back, and ends them.

Each reply runs a core ``StreamRunner`` in a thread worker, which also saves the exchange
through a ``ReplyRecorder`` (``reply_worker.py``). Its events come back as ``ReplyEvent``
messages and go to ``ReplyStream`` (the one place that reads them), which keeps them in the
reply's own session state, and draws them when that session is on screen. Replies in several
sessions stream at once; the rest of the UI stops one with ``cancel`` (Esc) and all of them with
``cancel_all`` (quit).

Not a widget: it runs on the chat screen's message pump. The replies' workers, messages, timers
and callbacks are the screen's, so taking in an event, drawing a batch and ending a reply never
interleave with the screen putting a session on screen (a batch drawn into a reply widget being
mounted, or a frame drawn between the end of one reply and the start of the next queued one).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from textual.worker import Worker, WorkerState

from claude_tui.core.blocks import Block, attachments_of
from claude_tui.core.config import Settings
from claude_tui.core.continuation import continuable_turn, reply_total
from claude_tui.core.conversation import EditPoint, Turn, TurnStatus
from claude_tui.core.metrics import StreamMetrics
from claude_tui.core.prompt import Prompt
from claude_tui.core.store import title_from
from claude_tui.core.store.recorder import ACTIVE_LEAF, ParentId
from claude_tui.ui.chat.continuations import Continuations
from claude_tui.ui.chat.reply_stream import ReplyStream
from claude_tui.ui.chat.reply_worker import Adjust, ReplyWork, worker_name
from claude_tui.ui.chat.session_state import OnEnd, Reply, SessionState
from claude_tui.ui.chat.session_web import save_web_once_saved
from claude_tui.ui.messages import ReplyEvent, SessionSaved, TurnsSaved
from claude_tui.ui.widgets.metrics import MetricsBar
from claude_tui.ui.widgets.status import ReplyStatus
from claude_tui.ui.widgets.turn_pane import TurnPane

if TYPE_CHECKING:
    from claude_tui.ui.chat.screen import ChatScreen


class ReplyController:
    """Runs the replies of every session open in this run, on ``chat``'s message pump; tells
    ``chat`` when one starts, is saved and ends (``reply_started``, ``reply_saved``,
    ``reply_ended``), and forwards to it the messages of the replies' workers."""

    def __init__(
        self, chat: ChatScreen, pane: TurnPane, status: ReplyStatus, metrics: MetricsBar
    ) -> None:
        self._chat = chat
        self._pane, self._status = pane, status
        self._stream = ReplyStream(chat, pane, status, metrics, on_live=self._steady_cursor)
        self._replies: dict[int, SessionState] = {}
        """The sessions with a reply in flight, by reply id."""
        self._next_reply_id = 0
        self.continuations = Continuations(self, pane, status)
        """Carries cut replies on (Ctrl+R, and after a pause by itself)."""

    def active_session_ids(self) -> set[str]:
        """The saved sessions with a reply streaming now."""
        return {s.session_id for s in self._replies.values() if s.session_id is not None}

    def _steady_cursor(self, streaming: bool) -> None:
        """The prompt's cursor does not blink while a reply streams on screen: its blink would
        be two frames a second of their own, outside the refresh rate."""
        self._chat.prompt_input.cursor_blink = not streaming

    @property
    def frames(self) -> int:
        """Frames the streaming clock has drawn so far (for tests)."""
        return self._stream.clock.frames

    def in_next_frame(self, change: Callable[[], None]) -> None:
        """``change`` made in the streaming clock's next frame (at once if nothing streams)."""
        self._stream.clock.in_next_frame(change)

    def set_refresh_rate(self, refresh_rate: int) -> None:
        """Frames a second while a reply streams, from now on: for the screen's frame clock
        and for every reply in flight (their runners hand on batches at this rate)."""
        self._stream.clock.set_rate(refresh_rate)
        for state in self._replies.values():
            if state.reply is not None:
                state.reply.runner.set_refresh_rate(refresh_rate)

    def show_status(self, state: SessionState) -> None:
        """The status line for ``state``, just put on screen."""
        self._stream.show_status(state)

    # -- sending ------------------------------------------------------------------------------

    async def submit(self, state: SessionState, prompt: Prompt) -> None:
        """A prompt the user sent in ``state``: a new version of the message being edited, a
        prompt queued behind the reply in flight, or the start of a reply."""
        if state.editing is not None:
            await self.send_edited(state, state.editing, prompt)
            return
        if state.shown_to is not None:  # reading far back: a new turn goes with the latest
            await self._pane.show_latest(state)
        await self._pane.remove_welcome()
        if state.busy:
            await self._pane.add_queued(prompt)
            state.queue.append(prompt)
            self._status.queued = len(state.queue)
            return
        await self.start(state, prompt)

    async def send_edited(self, state: SessionState, point: EditPoint, prompt: Prompt) -> None:
        """Replace the last exchange on screen with the edited prompt and its new reply; the
        earlier one stays in the store as another branch from the same parent."""
        state.editing = None
        turns = state.conversation.turns
        gone: list[Turn] = turns[point.turn_index :]
        del turns[point.turn_index :]
        await self._pane.widgets.remove(gone)
        parent = point.parent_id if point.parent_known else ACTIVE_LEAF
        await self.start(state, prompt, parent_id=parent)

    @staticmethod
    def can_retry(state: SessionState) -> bool:
        """Whether ``retry`` would send something: no reply in flight, and a prompt to send
        or a cut reply to continue."""
        turns = state.conversation.turns
        return state.reply is None and (
            continuable_turn(turns) is not None or any(t.role == "user" for t in turns)
        )

    @staticmethod
    def can_continue(state: SessionState) -> bool:
        """Whether Ctrl+R would continue a cut reply (rather than send the prompt again)."""
        return Continuations.can_continue(state)

    async def retry(self, state: SessionState, *, continue_cut: bool = True) -> None:
        """Ctrl+R: continue the last reply if it was cut short where it can go on
        (``max_tokens``, a pause), else send the last prompt again (after an error, a
        cancel, or a reply wanted anew). ``continue_cut=False`` (``/retry``) always asks again.

        The failed or partial reply stays where it is, in the session and in the history the
        retry sends (prompt, partial reply, prompt again: a history the API accepts)."""
        if state.busy:
            self._chat.notify("A reply is still streaming: Esc stops it first.", timeout=4)
            return
        turns = state.conversation.turns
        cut = continuable_turn(turns) if continue_cut else None
        if cut is not None:
            await self.continuations.continue_turn(state, cut)
            return
        last = next((t for t in reversed(turns) if t.role == "user"), None)
        if last is None:
            self._chat.notify("Nothing to retry yet.", timeout=3)
            return
        await self._pane.remove_welcome()
        # After a reply that produced no text, the prompt is still the last thing the model
        # would see: answer it again rather than send it twice.
        after = turns[turns.index(last) + 1 :]
        answered = any(t.text.strip() for t in after)
        again = Prompt(last.text, tuple(attachments_of(last.blocks)))
        await self.start(state, again, new_prompt=answered)

    async def start(
        self,
        state: SessionState,
        prompt: Prompt | str,
        *,
        new_prompt: bool = True,
        parent_id: ParentId = ACTIVE_LEAF,
        adjust: Adjust | None = None,
        on_end: OnEnd | None = None,
    ) -> None:
        """Send ``text`` and stream the reply. ``new_prompt=False`` answers the last prompt
        again (a retry after a reply that produced no text), without repeating it. ``adjust``
        changes the request the settings make (``/compact`` adds its compaction edit);
        ``on_end`` is called with the session and the reply's turn once it has ended."""
        shown = state is self._pane.state
        if shown and state.shown_to is not None:
            await self._pane.show_latest(state)  # a new turn goes with the latest ones
        prompt = Prompt(prompt) if isinstance(prompt, str) else prompt
        user_turn = state.conversation.add_user(prompt) if new_prompt else None
        history = state.conversation.api_messages()
        turn = state.conversation.start_assistant()
        if shown:
            await self._pane.add_reply(turn, user_turn)
            self._status.queued = len(state.queue)
            self._status.waiting()
        settings = self.chat_settings(state)
        if shown:  # a setting the model turned out not to take, unless said already
            self._chat.model_fit.tell(settings)
        work = self.work(
            state,
            settings,
            history,
            prompt=user_turn,
            reply=turn,
            parent_id=parent_id,
            adjust=adjust,
        )
        reply = Reply(work.reply_id, work.runner, turn, on_end=on_end)
        self.adopt(state, reply)
        self.launch(state, work, reply)

    def thinks(self, settings: Settings) -> bool:
        """Whether a request with ``settings`` sends thinking: asked for, and the model has
        it (``core.request_shape`` leaves it out otherwise)."""
        return (
            settings.thinking and self._chat.app.capabilities(settings.model).thinking is not None
        )

    def chat_settings(self, state: SessionState) -> Settings:
        """What ``state``'s next request is sent with."""
        return self._chat.session_settings(state)

    def work(
        self,
        state: SessionState,
        settings: Settings,
        history: list[dict[str, Any]],
        *,
        prompt: Turn | None,
        reply: Turn,
        parent_id: ParentId = ACTIVE_LEAF,
        continues: int | None = None,
        prefix: Sequence[Block] = (),
        earlier: StreamMetrics | None = None,
        adjust: Adjust | None = None,
    ) -> ReplyWork:
        """The worker body of the next reply of ``state`` (see ``ReplyWork``)."""
        self._next_reply_id += 1
        options = self._chat.options
        return ReplyWork(
            self._chat,
            self._next_reply_id,
            settings,
            history,
            caps=self._chat.app.capabilities(settings.model),
            api=options.api,
            store_path=options.store_path,
            session_id=state.session_id,
            prompt=prompt,
            reply=reply,
            parent_id=parent_id,
            continues=continues,
            prefix=prefix,
            earlier=earlier,
            adjust=adjust,
        )

    def adopt(self, state: SessionState, reply: Reply) -> None:
        """``reply`` is ``state``'s reply in flight from now on: Esc (``cancel``) and quit
        stop it, even before it is launched."""
        state.reply = reply
        self._replies[reply.reply_id] = state

    def launch(self, state: SessionState, work: ReplyWork, reply: Reply) -> None:
        """Run ``reply`` (adopted by ``state``), whose worker body is ``work``. A reply
        cancelled before this still runs, to end as cancelled without sending anything."""
        self._chat.reply_started(state)
        self._chat.run_worker(
            work,
            name=worker_name(reply.reply_id),
            group="replies",
            thread=True,
            exit_on_error=False,
        )

    # -- stopping -----------------------------------------------------------------------------

    def cancel(self, state: SessionState) -> None:
        """Stop ``state``'s reply, if one streams: what arrived is kept, as cancelled."""
        if state.reply is not None:
            state.reply.runner.cancel()

    def cancel_all(self) -> None:
        """Stop every reply in flight (used on quit)."""
        for state in self._replies.values():
            self.cancel(state)

    # -- what the workers send back (the chat screen hands it over) -------------------------

    async def take_event(self, message: ReplyEvent) -> None:
        """One event of a reply's stream."""
        state = self._replies.get(message.reply_id)
        if state is None or state.reply is None or state.reply.reply_id != message.reply_id:
            return
        reply = state.reply
        if self._stream.take(state, reply, message.event):
            await self._ended(state, reply)

    async def _ended(self, state: SessionState, reply: Reply) -> None:
        state.reply = None
        self._replies.pop(reply.reply_id, None)
        if await self.continuations.carry_on(state, reply):  # paused, or no prefill: on,
            return  # visibly, in the same turn; the queue waits for the real end
        self._stream.show_end(state, reply)
        self._chat.reply_ended(state)
        if reply.on_end is not None:
            await reply.on_end(state, reply.turn)
        if state.queue:  # checked first: the history grew while it waited (``send_guard``)
            await self._chat.send_guard.send_queued(state)

    def take_saved(self, message: SessionSaved) -> None:
        """A reply's prompt is saved (with its session, if this began it)."""
        state = self._replies.get(message.reply_id)
        if state is None:
            return
        first = state.session_id is None
        if first:
            state.session_id = message.session_id
            if not state.title and state.conversation.turns:
                state.title = title_from(state.conversation.turns[0].text)
            save_web_once_saved(self._chat, state)  # a /web said before the session was saved
        self._chat.reply_saved(state, first=first)

    @staticmethod
    def take_saved_turns(message: TurnsSaved) -> None:
        """Turns have rows in the store now: their ids, for ``/edit`` to branch from."""
        for turn, message_id in message.saved:
            turn.message_id = message_id

    async def take_worker_state(self, event: Worker.StateChanged) -> None:
        """A worker of the screen changed state. The runner turns every API failure into a
        ``Failed`` event; this catches the rest (a bug in the runner itself) so the turn is
        marked and the app keeps chatting."""
        if event.state is not WorkerState.ERROR:
            return
        for state in list(self._replies.values()):
            reply = state.reply
            if reply is not None and event.worker.name == worker_name(reply.reply_id):
                error = event.worker.error
                reply.turn.status = TurnStatus.ERROR
                reply.turn.error = f"{type(error).__name__}: {error}"
                if reply.metrics is not None:  # stop the clock where it broke
                    broke = reply.metrics.with_(ended_at=time.monotonic())
                    reply.turn.metrics = reply_total(reply.turn.metrics_before, broke)
                await self._ended(state, reply)
