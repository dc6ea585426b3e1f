"""The chat screen: sends prompts, runs each reply in a thread worker, and shows its events.

The screen never talks to the API itself. It builds a ``StreamRequest`` from the conversation,
hands it to a core ``StreamRunner`` in a thread worker, and hears back only through ``ReplyEvent``
messages, handled here on the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Header
from textual.worker import Worker, WorkerState

from claude_tui.core.conversation import Conversation, Turn, TurnStatus
from claude_tui.core.errors import ErrorKind
from claude_tui.core.events import (
    Cancelled,
    Failed,
    Finished,
    Retrying,
    Started,
    StreamEvent,
    TextDelta,
    ThinkingDelta,
)
from claude_tui.core.runner import StreamRequest, StreamRunner
from claude_tui.ui.messages import ReplyEvent
from claude_tui.ui.options import AppOptions
from claude_tui.ui.widgets.conversation import WELCOME, ConversationView, JumpToEnd, Welcome
from claude_tui.ui.widgets.message import AssistantMessage, UserMessage
from claude_tui.ui.widgets.metrics import MetricsBar
from claude_tui.ui.widgets.prompt import PromptInput
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


def _worker_name(reply_id: int) -> str:
    return f"reply-{reply_id}"


@dataclass
class Reply:
    """A reply in flight: its runner, its turn in the conversation and its widget."""

    reply_id: int
    runner: StreamRunner
    turn: Turn
    widget: AssistantMessage
    has_text: bool = False


class ChatScreen(Screen[None]):
    CSS_PATH = "chat.tcss"

    BINDINGS = [
        Binding("escape", "cancel_reply", "Cancel reply", priority=True),
        Binding("ctrl+n", "new_conversation", "New conversation", priority=True),
        Binding("pageup", "scroll_conversation(-1)", "Scroll up", show=False, priority=True),
        Binding("pagedown", "scroll_conversation(1)", "Scroll down", show=False, priority=True),
        Binding("ctrl+end", "follow", "Follow the reply", show=False, priority=True),
    ]

    def __init__(self, options: AppOptions, *, key_file: str = "") -> None:
        super().__init__()
        self.options = options
        self.conversation = Conversation()
        self.reply: Reply | None = None
        self.queue: list[tuple[str, UserMessage]] = []
        self._next_reply_id = 0
        self._key_file = key_file

    def compose(self) -> ComposeResult:
        yield Header()
        with ConversationView(id="conversation"):
            yield JumpToEnd()
            yield self._welcome()
        yield ReplyStatus(id="status")
        yield MetricsBar(refresh_rate=self.options.runner.refresh_rate, id="metrics")
        yield PromptInput(id="prompt")
        yield Footer()

    def _welcome(self) -> Welcome:
        if not self.options.api.has_credentials:
            hint = NO_KEY_HINT.format(key_file=self._key_file or "the key file")
            return Welcome(f"{WELCOME}\n\n{hint}", classes="warning", markup=False)
        return Welcome(WELCOME, markup=False)

    def on_mount(self) -> None:
        self.query_one(PromptInput).focus()

    # -- sending ------------------------------------------------------------------------------

    @on(PromptInput.Submitted)
    async def _on_submitted(self, message: PromptInput.Submitted) -> None:
        if not self.options.api.has_credentials:
            hint = NO_KEY_HINT.format(key_file=self._key_file or "the key file")
            self.notify(hint, title="Cannot send", severity="error", timeout=8)
            return  # the prompt stays in the input: nothing is lost
        message.prompt_input.remember(message.text)
        view = self.query_one(ConversationView)
        self.query(Welcome).remove()
        if self.reply is not None:
            widget = UserMessage(message.text, queued=True)
            await view.mount(widget)
            self.queue.append((message.text, widget))
            self.query_one(ReplyStatus).queued = len(self.queue)
            view.follow()
            return
        await view.mount(UserMessage(message.text))
        await self._start_reply(message.text)

    async def _start_reply(self, text: str) -> None:
        self.conversation.add_user(text)
        history = self.conversation.api_messages()
        turn = self.conversation.start_assistant()
        widget = AssistantMessage()
        view = self.query_one(ConversationView)
        await view.mount(widget)  # mounted before any event for it can arrive
        view.follow()
        self._next_reply_id += 1
        reply_id = self._next_reply_id
        request = StreamRequest(
            messages=history,
            model=self.options.model,
            max_tokens=self.options.max_tokens,
            system=self.options.system_prompt,
        )

        def emit(event: StreamEvent) -> None:
            self.post_message(ReplyEvent(reply_id, event))  # thread-safe

        runner = StreamRunner(
            request,
            emit,
            api=self.options.api,
            settings=self.options.runner,
        )
        self.reply = Reply(reply_id, runner, turn, widget)
        self.query_one(ReplyStatus).waiting()
        # The worker thread: the runner blocks there until its reply ends.
        self.run_worker(
            runner.run,
            name=_worker_name(reply_id),
            group="replies",
            thread=True,
            exit_on_error=False,
        )

    # -- events from the worker ---------------------------------------------------------------

    @on(ReplyEvent)
    async def _on_reply_event(self, message: ReplyEvent) -> None:
        reply = self.reply
        if reply is None or reply.reply_id != message.reply_id:
            return  # a reply abandoned by ctrl+n: its conversation is gone
        event = message.event
        self.query_one(MetricsBar).show(event.metrics)
        status = self.query_one(ReplyStatus)
        if isinstance(event, TextDelta):
            if not reply.has_text:
                reply.has_text = True
                status.writing()
            reply.widget.append_text(event.text)
            self._after_growth()
        elif isinstance(event, ThinkingDelta):
            status.writing()
            reply.widget.append_thinking(event.text)
            self._after_growth()
        elif isinstance(event, Retrying):
            reason = RETRY_REASONS.get(event.error.kind, "Request failed")
            status.retrying(reason, event.delay, event.attempt, event.max_attempts)
        elif isinstance(event, Started):
            status.waiting()
        elif isinstance(event, Finished | Cancelled | Failed):
            await self._end_reply(reply, event)

    async def _end_reply(self, reply: Reply, event: StreamEvent) -> None:
        turn = reply.turn
        turn.metrics = event.metrics
        notice, kind = None, ""
        if isinstance(event, Finished):
            turn.text, turn.thinking = event.text, event.thinking
            turn.status = TurnStatus.COMPLETE
            turn.stop_reason = event.metrics.stop_reason
            if turn.stop_reason == "max_tokens":
                notice, kind = "Stopped at the max_tokens limit.", "cancelled"
        elif isinstance(event, Cancelled):
            turn.text, turn.thinking = event.text, event.thinking
            turn.status = TurnStatus.CANCELLED
            notice, kind = (
                ("■ Cancelled · the partial reply is kept", "cancelled")
                if event.text
                else ("■ Cancelled before any text arrived", "cancelled")
            )
        elif isinstance(event, Failed):
            turn.text, turn.thinking = event.text, event.thinking
            turn.status = TurnStatus.ERROR
            turn.error = event.error.message
            notice, kind = f"⚠ {event.error.message}", "error"
        reply.widget.finish(turn.text, notice=notice, kind=kind)
        self.query_one(MetricsBar).show(event.metrics, outcome=turn.status.value)
        self.reply = None
        self.query_one(ReplyStatus).idle()
        self._after_growth()
        await self._send_next_queued()

    async def _send_next_queued(self) -> None:
        if not self.queue:
            return
        text, widget = self.queue.pop(0)
        self.query_one(ReplyStatus).queued = len(self.queue)
        widget.mark_sent()
        await self._start_reply(text)

    def _after_growth(self) -> None:
        self.query_one(ConversationView).update_jump_bar()

    @on(Worker.StateChanged)
    async def _on_worker_state(self, event: Worker.StateChanged) -> None:
        """The runner turns every API failure into a ``Failed`` event; this catches the rest
        (a bug in the runner itself) so the turn is marked and the app keeps chatting."""
        reply = self.reply
        if event.state is not WorkerState.ERROR or reply is None:
            return
        if event.worker.name != _worker_name(reply.reply_id):
            return
        error = event.worker.error
        reply.turn.status = TurnStatus.ERROR
        reply.turn.error = f"{type(error).__name__}: {error}"
        reply.widget.finish(reply.widget.text, notice=f"⚠ {reply.turn.error}", kind="error")
        self.reply = None
        self.query_one(ReplyStatus).idle()
        await self._send_next_queued()

    # -- actions ------------------------------------------------------------------------------

    def action_cancel_reply(self) -> None:
        if self.reply is not None:
            self.reply.runner.cancel()

    def action_scroll_conversation(self, direction: int) -> None:
        view = self.query_one(ConversationView)
        if direction < 0:
            view.scroll_page_up(animate=False)
        else:
            view.scroll_page_down(animate=False)

    def action_follow(self) -> None:
        self.query_one(ConversationView).follow()

    def cancel_all(self) -> None:
        """Stop the reply in flight (used on quit)."""
        if self.reply is not None:
            self.reply.runner.cancel()

    def action_new_conversation(self) -> None:
        if self.reply is not None:
            self.reply.runner.cancel()
            self.reply = None
        self.queue.clear()
        self.conversation = Conversation()
        view = self.query_one(ConversationView)
        view.query("UserMessage, AssistantMessage, Welcome").remove()
        view.mount(self._welcome())
        self.query_one(ReplyStatus).queued = 0
        self.query_one(ReplyStatus).idle()
        self.query_one(MetricsBar).reset()
        self.query_one(PromptInput).focus()
