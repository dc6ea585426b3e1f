"""The check before a prompt is sent: would the request still fit the model's context window?

A request over the window is refused by the API with a 400 after a round trip, and the prompt
would already have left the input. Instead the next request is estimated from numbers the app
already has (``core.context_window``): over the window, the prompt is not sent, the person is
told with the numbers and offered ``/compact``, and the prompt stays in the input. Near the edge
the API's own ``count_tokens`` decides, in a thread worker (never on the event loop); should the
count fail, the prompt is sent and the API has the last word, and the person is told so.

While it counts, Esc stops the count (the prompt stays in the input), and a prompt edited or
cleared meanwhile is not sent: only what the person saw on Enter goes out. A prompt queued
behind a reply is checked the same way when its turn comes (the history grew while it waited);
refused, it goes back into the input with the rest of the queue.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.worker import Worker

from claude_tui.core.context_window import (
    SendVerdict,
    estimate_next,
    exact_verdict,
    over_window_message,
    verdict,
)
from claude_tui.core.errors import ApiCallError
from claude_tui.core.prompt import Prompt
from claude_tui.core.request import next_messages, stream_request
from claude_tui.core.tokens import count_request_tokens
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.chat.attachment_fit import attachment_problem, attachment_tokens
from claude_tui.ui.chat.escape import unqueue
from claude_tui.ui.chat.session_state import SessionState
from claude_tui.ui.widgets.prompt import PromptInput

if TYPE_CHECKING:
    from claude_tui.ui.chat.screen import ChatScreen

Counted = tuple[int | None, str | None]
"""The exact count, or why there is none."""

WINDOW_FULL = "Context window full"
WINDOW_REASON = "it would not fit the context window"

BROKE_OFF = "the count broke off"
"""Why there is no count when the count itself failed in a way the API did not explain."""


def model_window(app: ClaudeTUI, model: str) -> int | None:
    """The context window of ``model`` as the app knows it now (``ClaudeTUI.capabilities``:
    never waits); ``None`` when not known."""
    return app.capabilities(model).max_input_tokens


@dataclass(eq=False)
class Count:
    """A ``count_tokens`` call out for one prompt of one session."""

    state: SessionState
    prompt: Prompt
    """What is sent if it fits."""
    typed: str | None
    """What the input held on Enter (sent only if it still does); ``None``: a prompt taken
    off the queue, which is not in the input."""
    window: int
    model: str
    worker: Worker[None] | None = None


class SendGuard:
    """Decides, for the chat screen, whether a prompt typed in a session goes out now."""

    def __init__(self, chat: ChatScreen) -> None:
        self._chat = chat
        self._counts: dict[SessionState, Count] = {}
        """The counts out, by session (another Enter there waits for its count)."""

    def counting(self, state: SessionState) -> bool:
        """A ``count_tokens`` call is out for a prompt of ``state``."""
        return state in self._counts

    def allows(self, state: SessionState, outgoing: Prompt, prompt: PromptInput) -> bool:
        """Whether ``outgoing`` may be sent at once. False: it was refused (and said why), or
        its exact size is being counted and it is sent from here if it fits; either way the
        prompt is still in the input until it is sent."""
        if self.counting(state):
            self._chat.notify("Still counting the last prompt's tokens…", timeout=3)
            return False
        problem = attachment_problem(self._chat, state, outgoing)
        if problem is not None:  # no images or PDFs for this model, or over 32 MB
            self._chat.notify(problem, title="Not sent", severity="error", timeout=12)
            return False
        if state.busy or state.editing is not None:
            return True  # queued (checked when its turn comes), or an edit: another history
        decision, estimate, window, model = self._judge(state, outgoing)
        if decision is SendVerdict.SEND:
            return True
        assert window is not None
        if decision is SendVerdict.REFUSE:
            self._refuse(estimate, window, model, exact=False)
            return False
        self._count(Count(state, outgoing, prompt.text, window, model))
        return False

    async def send_queued(self, state: SessionState) -> None:
        """Send the next prompt queued in ``state``, whose reply has ended, if the request
        still fits: checked as if typed now. Refused, it and the rest of the queue go back
        into the input (``escape.unqueue``); near the edge it is counted first."""
        prompt = state.queue.pop(0)
        problem = attachment_problem(self._chat, state, prompt)
        if problem is not None:  # e.g. /model since it was queued, to one that reads no PDFs
            await self._give_back(state, prompt, problem, "Not sent", "its attachments")
            return
        decision, estimate, window, model = self._judge(state, prompt)
        if decision is SendVerdict.SEND:
            await self._chat.replies.start(state, prompt)
            return
        assert window is not None
        if decision is SendVerdict.REFUSE:
            refusal = over_window_message(estimate, window, model, exact=False)
            await self._give_back(state, prompt, refusal, WINDOW_FULL, WINDOW_REASON)
            return
        self._count(Count(state, prompt, None, window, model))

    async def cancel(self, state: SessionState) -> bool:
        """Esc: stop the count out for ``state``, if there is one. Its prompt is not sent: a
        typed one stays in the input, a queued one goes back to it with the rest of the
        queue. ``False``: there was no count."""
        count = self._counts.pop(state, None)
        if count is None:
            return False
        if count.worker is not None:
            count.worker.cancel()  # the HTTP call may still finish: its answer is dropped
        if count.typed is None:
            state.queue.insert(0, count.prompt)
            await unqueue(self._chat, state)
        else:
            self._chat.notify("Count stopped: the prompt was not sent; it is still in the input.")
        return True

    def _judge(
        self, state: SessionState, prompt: Prompt
    ) -> tuple[SendVerdict, int, int | None, str]:
        """The verdict on sending ``prompt`` in ``state`` now, the request's estimated size
        (its attachments' estimate included), the model's window and the model."""
        model = self._chat.session_settings(state).model
        window = model_window(self._chat.app, model)
        estimate = estimate_next(state.conversation.turns, prompt_chars=len(prompt.text))
        estimate += attachment_tokens(prompt)
        return verdict(estimate, window), estimate, window, model

    def _refuse(self, tokens: int, window: int, model: str, *, exact: bool) -> None:
        self._say(over_window_message(tokens, window, model, exact=exact), WINDOW_FULL)

    def _say(self, refusal: str, title: str) -> None:
        self._chat.notify(refusal, title=title, severity="error", timeout=15)

    async def _give_back(
        self, state: SessionState, prompt: Prompt, refusal: str, title: str, reason: str
    ) -> None:
        """A queued prompt refused (``refusal``, under ``title``): back into the input with
        the rest of the queue, if its session is on screen; else it waits at the head of that
        session's queue, where Esc moves it to the input (the notice names ``reason``)."""
        state.queue.insert(0, prompt)
        if state is self._chat.current:
            self._say(refusal, title)
            await unqueue(self._chat, state)
            return
        self._chat.notify(
            f"A prompt queued in “{state.title or 'another session'}” was not sent "
            f"({reason}). It waits there; Esc in that session moves it back to the input.",
            severity="warning",
            timeout=12,
        )

    def _count(self, count: Count) -> None:
        """Ask the API for the request's exact size, in a thread; decide when it answers."""
        chat = self._chat
        state = count.state
        settings = chat.session_settings(state)
        caps = chat.app.capabilities(settings.model)
        request = stream_request(settings, next_messages(state.conversation, count.prompt), caps)
        api = chat.options.api
        self._counts[state] = count
        chat.notify("Near the context window: counting this request's tokens…", timeout=4)

        def work() -> None:
            counted: Counted = None, BROKE_OFF
            try:
                counted = count_request_tokens(api, request), None
            except ApiCallError as error:
                counted = None, error.error.message
            finally:  # whatever happened, the count is over: on to the screen's message pump

                def decide() -> None:
                    chat.call_later(self._counted, count, counted)

                with contextlib.suppress(RuntimeError):  # the app is closing: nothing to send
                    chat.app.call_from_thread(decide)

        count.worker = chat.run_worker(
            work, name="count-tokens", group="count", thread=True, exit_on_error=False
        )

    async def _counted(self, count: Count, counted: Counted) -> None:
        state = count.state
        if self._counts.get(state) is not count:
            return  # stopped (Esc) while the API counted
        del self._counts[state]
        if count.typed is None:
            await self._counted_queued(count, counted)
            return
        chat = self._chat
        tokens, problem = counted
        if state is not chat.current:
            chat.notify(
                "Not sent: another session is on screen now. The prompt is still in the input."
            )
            return
        prompt = chat.prompt_input
        if prompt.text != count.typed:
            chat.notify(
                "Not sent: the input changed while its tokens were counted. Enter sends what "
                "it holds now.",
                timeout=6,
            )
            return
        if tokens is not None and exact_verdict(tokens, count.window) is SendVerdict.REFUSE:
            self._refuse(tokens, count.window, count.model, exact=True)
            return
        if tokens is None:
            self._sent_anyway(problem)
        prompt.remember(count.typed)
        chat.attachments.clear()
        await chat.replies.submit(state, count.prompt)

    async def _counted_queued(self, count: Count, counted: Counted) -> None:
        """The count of a prompt taken off the queue is in."""
        state, prompt = count.state, count.prompt
        tokens, problem = counted
        if state.busy:  # a reply started meanwhile: the prompt waits for it, as queued
            state.queue.insert(0, prompt)
            return
        if tokens is not None and exact_verdict(tokens, count.window) is SendVerdict.REFUSE:
            refusal = over_window_message(tokens, count.window, count.model, exact=True)
            await self._give_back(state, prompt, refusal, WINDOW_FULL, WINDOW_REASON)
            return
        if tokens is None:
            self._sent_anyway(problem)
        await self._chat.replies.start(state, prompt)

    def _sent_anyway(self, problem: str | None) -> None:
        self._chat.notify(
            f"Could not count the request's tokens ({problem}); sent anyway, and the API "
            "will say if it is too long.",
            severity="warning",
            timeout=8,
        )
