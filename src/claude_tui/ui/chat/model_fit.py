"""The chat following the session's model: the metrics line's model and context window, its
effort levels offered by completion, and a notice of the settings it does not take whenever that
changes: the model on screen (``/model``, or opening a session that uses another), or what is
known of it (the Models API's answer can differ from the built-in table's), and when a prompt is
sent (``tell``), so a tool turned on before the model was known is never silently left out.

The request leaves such settings out anyway (``core.request_shape``); the notice is so that
"thinking on" is never silently not thinking.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from claude_tui.core.capabilities import ModelCapabilities
from claude_tui.core.config import Settings
from claude_tui.core.model_fit import effort_choices, fit_notes

if TYPE_CHECKING:
    from claude_tui.ui.chat.screen import ChatScreen


class ModelFit:
    """Called with the session's settings each time the model is shown (``show_model``) and
    each time what is known of it changes (``capabilities_updated``)."""

    def __init__(self, chat: ChatScreen) -> None:
        self._chat = chat
        self._said: tuple[str, tuple[str, ...]] | None = None
        """The model and the notes last said of it: said again only when either changes."""

    def follow(self, settings: Settings) -> None:
        chat = self._chat
        caps = chat.app.capabilities(settings.model)
        chat.metrics_bar.set_model(settings.model)
        chat.metrics_bar.set_window(caps.max_input_tokens)
        prompt = chat.prompt_input
        prompt.completion_choices = {**prompt.completion_choices, "effort": effort_choices(caps)}
        self.tell(settings, caps)

    def tell(self, settings: Settings, caps: ModelCapabilities | None = None) -> None:
        """Say what of ``settings`` the model does not take, unless it was the last thing said
        of this model: sending calls it too (what is known of the model may have changed since
        ``/web`` or ``/model``), and it is then said once, not at every prompt."""
        chat = self._chat
        caps = caps or chat.app.capabilities(settings.model)
        notes = tuple(fit_notes(settings, caps))
        if (settings.model, notes) == self._said:
            return
        self._said = (settings.model, notes)
        if notes:  # after the notice of whatever changed the model, which it qualifies
            chat.call_later(
                chat.notify,
                "\n".join(notes),
                title=f"Model {settings.model}",
                severity="warning",
                timeout=8,
            )

    def heard(self, settings: Settings) -> None:
        """A command has just told the user what ``settings`` mean for the model (``/web on``
        for a model without web search): ``tell`` need not say it again."""
        caps = self._chat.app.capabilities(settings.model)
        self._said = (settings.model, tuple(fit_notes(settings, caps)))
