"""The chat following the session's model: its effort levels offered by completion, and a
notice of the settings it does not take whenever the model on screen changes (``/model``, or
opening a session that uses another).

The request leaves such settings out anyway (``core.request_shape``); the notice is so that
"thinking on" is never silently not thinking.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from claude_tui.core.config import Settings
from claude_tui.core.model_fit import effort_choices, fit_notes

if TYPE_CHECKING:
    from claude_tui.ui.chat.screen import ChatScreen


class ModelFit:
    """Called with the session's settings each time the model is shown (``show_model``)."""

    def __init__(self, chat: ChatScreen) -> None:
        self._chat = chat
        self._model: str | None = None
        """The model last shown; a notice is given only when it changes."""

    def follow(self, settings: Settings) -> None:
        chat = self._chat
        caps = chat.app.capabilities(settings.model)
        prompt = chat.prompt_input
        prompt.completion_choices = {**prompt.completion_choices, "effort": effort_choices(caps)}
        if settings.model == self._model:
            return
        self._model = settings.model
        notes = fit_notes(settings, caps)
        if notes:  # after the notice of whatever changed the model, which it qualifies
            chat.call_later(
                chat.notify,
                "\n".join(notes),
                title=f"Model {settings.model}",
                severity="warning",
                timeout=8,
            )
