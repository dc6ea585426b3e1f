"""The turn pane: the conversation on screen, and the new turns of its replies as they come.

It owns the scrolling view, the window of turns mounted in it (``turn_window.py``: which turns
have widgets, paging, markers, prerendering) and the widgets of those turns (``turn_widgets.py``).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.widget import Widget

from claude_tui.core.conversation import Turn
from claude_tui.core.prompt import Prompt
from claude_tui.ui.chat.session_state import SessionState
from claude_tui.ui.widgets.conversation import (
    ConversationView,
    JumpToEnd,
    LoadEarlier,
    LoadLater,
    Welcome,
)
from claude_tui.ui.widgets.message import AssistantMessage, UserMessage, widget_for_turn
from claude_tui.ui.widgets.turn_widgets import TurnWidgets
from claude_tui.ui.widgets.turn_window import TurnWindow


class TurnPane(Widget):
    """Shows ``state``, the session on screen: which of its turns are mounted, the markers for
    the others, and the new turns of its replies and queued prompts as they come."""

    DEFAULT_CSS = """
    TurnPane { height: 1fr; }
    TurnPane > ConversationView { height: 1fr; }
    """

    def __init__(self, welcome: str, *, warning: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self._welcome_text, self._warning = welcome, warning
        self._view = ConversationView(id="conversation")
        self.widgets = TurnWidgets()
        self.window = TurnWindow(self._view, self.widgets, self._welcome)

    def compose(self) -> ComposeResult:
        with self._view:
            yield JumpToEnd()
            yield self._welcome()

    def _welcome(self) -> Welcome:
        return Welcome(self._welcome_text, classes="warning" if self._warning else "", markup=False)

    @property
    def view(self) -> ConversationView:
        return self._view

    @property
    def state(self) -> SessionState:
        """The session on screen."""
        return self.window.state

    @property
    def filling(self) -> bool:
        """A page of turns is being mounted."""
        return self.window.filling

    async def show_latest(self, state: SessionState) -> None:
        """Show ``state``: its latest turns (and its queued prompts) in place of what is shown."""
        await self.window.show_latest(state)

    async def show_start(self) -> None:
        """Ctrl+Home: the session's first turns."""
        await self.window.show_start()

    async def show_end(self) -> None:
        """Ctrl+End: back to the latest turns, following the reply if one streams."""
        await self.window.show_end()

    # A marker's page is mounted by the screen, as every other change of the window is (a key,
    # a session opened): no frame is drawn between its steps' removals and mounts. Mounted by
    # this pane, the screen drew (laid out and painted) in between, and a page took half as
    # long again (benchmarks/run.py row 5).

    @on(LoadEarlier.Requested)
    def _on_load_earlier(self) -> None:
        self.screen.call_later(self.window.page, -1)

    @on(LoadLater.Requested)
    def _on_load_later(self) -> None:
        self.screen.call_later(self.window.page, +1)

    # -- what a streaming reply needs, with every batch -----------------------------------------

    def set_live(self, live: bool) -> None:
        """A reply is streaming into the session on screen (or not): only then does the jump
        bar offer new text below."""
        self._view.live = live

    def update_jump_bar(self) -> None:
        self._view.update_jump_bar()

    # -- new turns --------------------------------------------------------------------------------

    async def add_reply(self, reply: Turn, prompt: Turn | None) -> None:
        """Widgets for ``reply``, about to stream, right under its ``prompt`` (shown by the
        widget of the first queued prompt if there is one; queued prompts may stand below),
        or under the last turn when it answers that again (``prompt`` None). Mounted before
        any event for the reply can arrive."""
        view = self._view
        widget = AssistantMessage()
        if prompt is None:
            await view.mount(widget)
        else:
            queued = self.widgets.take_queued()
            if queued is not None:
                queued.mark_sent()
            prompt_widget = queued or widget_for_turn(prompt)
            if queued is None:
                await view.mount(prompt_widget)
            await view.mount(widget, after=prompt_widget)
            self.widgets.add(prompt, prompt_widget)
        self.widgets.add(reply, widget)
        view.follow()
        await self.window.trim(self.state)

    async def restream(self, reply: Turn) -> None:
        """``reply`` streams again (a continuation of a cut reply): its widget is made anew
        from the turn as it stands, streaming, in the same place; nothing if it has none."""
        old = self.widgets.get(reply)
        if old is None or not old.is_attached:
            return
        widget = widget_for_turn(reply)
        await self._view.mount(widget, after=old)
        await self.widgets.remove([reply])
        self.widgets.add(reply, widget)
        self._view.follow()

    async def add_queued(self, prompt: Prompt) -> None:
        """A prompt sent while a reply streams, shown below it until its turn comes."""
        widget = UserMessage.for_prompt(prompt, queued=True)
        await self._view.mount(widget)
        self.widgets.queued.append(widget)
        self._view.follow()

    async def remove_queued(self) -> None:
        """The queued prompts went back to the input: their widgets go."""
        await self.widgets.remove_queued()

    async def remove_welcome(self) -> None:
        await self._view.query(Welcome).remove()

    def toggle_thinking(self) -> bool:
        """Open (or fold) the thinking block of the latest reply on screen that has one."""
        return any(w.toggle_thinking() for w in reversed(list(self.query(AssistantMessage))))

    def scroll_page(self, direction: int) -> None:
        if direction < 0:
            self._view.scroll_page_up(animate=False)
        else:
            self._view.scroll_page_down(animate=False)
