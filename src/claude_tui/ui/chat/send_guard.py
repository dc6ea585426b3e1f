"""The check before a prompt is sent: would the request still fit the model's context window?

A request over the window is refused by the API with a 400 after a round trip, and the prompt
would already have left the input. Instead the next request is estimated from numbers the app
already has (``core.context_window``): over the window, the prompt is not sent, the person is
told with the numbers and offered ``/compact``, and the prompt stays in the input. Near the edge
the API's own ``count_tokens`` decides, in a thread worker (never on the event loop); should the
count fail, the prompt is sent and the API has the last word, and the person is told so.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from claude_tui.core.blocks import plain_text
from claude_tui.core.context_window import (
    SendVerdict,
    estimate_next_request,
    exact_verdict,
    over_window_message,
    verdict,
)
from claude_tui.core.errors import ApiCallError
from claude_tui.core.request import next_messages, stream_request
from claude_tui.core.tokens import count_request_tokens
from claude_tui.ui.app import ClaudeTUI
from claude_tui.ui.chat.session_state import SessionState
from claude_tui.ui.widgets.prompt import PromptInput

if TYPE_CHECKING:
    from claude_tui.ui.chat.screen import ChatScreen

Counted = tuple[int | None, str | None]
"""The exact count, or why there is none."""


def model_window(app: ClaudeTUI, model: str) -> int | None:
    """The context window of ``model`` as the app knows it now (``ClaudeTUI.capabilities``:
    never waits); ``None`` when not known."""
    return app.capabilities(model).max_input_tokens


class SendGuard:
    """Decides, for the chat screen, whether a prompt typed in a session goes out now."""

    def __init__(self, chat: ChatScreen) -> None:
        self._chat = chat
        self.counting = False
        """A ``count_tokens`` call is out for a prompt (another Enter waits for it)."""

    def allows(self, state: SessionState, text: str, prompt: PromptInput) -> bool:
        """Whether ``text`` may be sent at once. False: it was refused (and said why), or
        its exact size is being counted and it is sent from here if it fits; either way the
        prompt is still in the input until it is sent."""
        if self.counting:
            self._chat.notify("Still counting the last prompt's tokens…", timeout=3)
            return False
        if state.busy or state.editing is not None:
            return True  # queued behind a reply, or an edit: the history will not be this one
        model = self._chat.session_settings(state).model
        window = model_window(self._chat.app, model)
        history_chars = sum(len(plain_text(turn.blocks)) for turn in state.conversation.turns)
        estimate = estimate_next_request(
            state.last_metrics(), prompt_chars=len(text), history_chars=history_chars
        )
        decision = verdict(estimate, window)
        if decision is SendVerdict.SEND:
            return True
        assert window is not None
        if decision is SendVerdict.REFUSE:
            self._refuse(estimate, window, model, exact=False)
            return False
        self._count(state, text, prompt, window)
        return False

    def _refuse(self, tokens: int, window: int, model: str, *, exact: bool) -> None:
        self._chat.notify(
            over_window_message(tokens, window, model, exact=exact),
            title="Context window full",
            severity="error",
            timeout=15,
        )

    def _count(self, state: SessionState, text: str, prompt: PromptInput, window: int) -> None:
        """Ask the API for the request's exact size, in a thread; decide when it answers."""
        chat = self._chat
        settings = chat.session_settings(state)
        caps = chat.app.capabilities(settings.model)
        request = stream_request(settings, next_messages(state.conversation, text), caps)
        api = chat.options.api
        self.counting = True
        chat.notify("Near the context window: counting this request's tokens…", timeout=4)

        def work() -> None:
            counted: Counted
            try:
                counted = count_request_tokens(api, request), None
            except ApiCallError as error:
                counted = None, error.error.message

            def decide() -> None:  # on the event loop: on to the screen's own message pump
                chat.call_later(self._counted, state, text, prompt, window, settings.model, counted)

            with contextlib.suppress(RuntimeError):  # the app is closing: nothing to send
                chat.app.call_from_thread(decide)

        chat.run_worker(work, name="count-tokens", group="count", thread=True, exit_on_error=False)

    async def _counted(
        self,
        state: SessionState,
        text: str,
        prompt: PromptInput,
        window: int,
        model: str,
        counted: Counted,
    ) -> None:
        self.counting = False
        chat = self._chat
        tokens, problem = counted
        if state is not chat.current:
            chat.notify(
                "Not sent: another session is on screen now. The prompt is still in the input."
            )
            return
        if tokens is not None and exact_verdict(tokens, window) is SendVerdict.REFUSE:
            self._refuse(tokens, window, model, exact=True)
            return
        if tokens is None:
            chat.notify(
                f"Could not count the request's tokens ({problem}); sent anyway, and the API "
                "will say if it is too long.",
                severity="warning",
                timeout=8,
            )
        if prompt.text == text:
            prompt.remember(text)
        await chat.replies.submit(state, text)
