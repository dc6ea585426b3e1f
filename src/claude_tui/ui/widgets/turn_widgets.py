"""Which turns of the session on screen have widgets, and the widgets of its queued prompts.

The turn pane mounts a window of a session's turns (``turn_pane.py``); stream events, trimming
and ``/edit`` find a turn's widget here, by the turn, without a query of the DOM.
"""

from __future__ import annotations

from claude_tui.core.conversation import Turn
from claude_tui.ui.chat.session_state import SessionState
from claude_tui.ui.textual_private import release_drawn_lines
from claude_tui.ui.widgets.message import AssistantMessage, UserMessage, widget_for_turn

TurnWidget = UserMessage | AssistantMessage


class TurnWidgets:
    """The widgets of the turns in the window, keyed by ``id(turn)``, and of the prompts queued
    behind the reply, in the order they will be sent."""

    def __init__(self) -> None:
        self._by_turn: dict[int, TurnWidget] = {}
        self.queued: list[UserMessage] = []

    def get(self, turn: Turn) -> TurnWidget | None:
        return self._by_turn.get(id(turn))

    def add(self, turn: Turn, widget: TurnWidget) -> None:
        self._by_turn[id(turn)] = widget

    def build(self, state: SessionState, turns: list[Turn]) -> list[TurnWidget]:
        """New widgets for ``turns`` of ``state``, remembered (not mounted yet)."""
        widgets = []
        reply = state.reply
        for turn in turns:
            if reply is not None and reply.turn is turn:
                reply.shown_whole()  # the widget is built from the whole turn, pending text too
            widget = widget_for_turn(turn)
            self._by_turn[id(turn)] = widget
            widgets.append(widget)
        return widgets

    def build_queued(self, state: SessionState) -> list[UserMessage]:
        """New widgets for the prompts queued in ``state``, remembered to be sent in turn."""
        widgets = [UserMessage.for_prompt(prompt, queued=True) for prompt in state.queue]
        self.queued.extend(widgets)
        return widgets

    def take_queued(self) -> UserMessage | None:
        """The widget of the prompt queued first, now being sent (``None`` if none is shown)."""
        return self.queued.pop(0) if self.queued else None

    async def remove_queued(self) -> None:
        queued, self.queued = self.queued, []
        for widget in queued:
            await widget.remove()

    async def remove(self, turns: list[Turn]) -> None:
        """Remove the widgets of ``turns`` (those that have one). Every widget is looked up
        before the first removal is awaited: a window that replaced this one meanwhile may
        have mounted new widgets for some of the same turns, and those must stay."""
        widgets = [self._by_turn.pop(id(turn), None) for turn in turns]
        for widget in widgets:
            if widget is not None:
                release_drawn_lines(widget)
                await widget.remove()

    def forget(self) -> None:
        """The window was cleared: none of these widgets is mounted any more."""
        self._by_turn.clear()
        self.queued = []
