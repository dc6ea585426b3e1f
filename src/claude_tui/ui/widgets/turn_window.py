"""The window of turns on screen: however long a session is, at most ``MOUNTED_TURNS`` of its
turns have widgets at any time.

Every mounted turn costs its Markdown render, its widgets and a share of every layout, so a
session of a thousand messages mounted whole took half a minute to reach the top and a quarter
of a gigabyte. Instead the turn pane shows a window ``[shown_from, shown_to)`` of the turns,
with a marker above it (``LoadEarlier``) and below it (``LoadLater``) for what is not mounted.
Scrolling onto a marker mounts a page of turns on that side and lets go of as many on the other,
keeping what the user was reading where it was; Ctrl+Home and Ctrl+End jump to either end.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.widget import Widget

from claude_tui.ui.chat.session_state import SessionState
from claude_tui.ui.textual_private import release_drawn_lines
from claude_tui.ui.widgets.conversation import (
    ConversationView,
    LoadEarlier,
    LoadLater,
    TurnsMarker,
    Welcome,
)
from claude_tui.ui.widgets.markdown.prerender import prerender
from claude_tui.ui.widgets.message import markdown_views
from claude_tui.ui.widgets.turn_widgets import TurnWidget, TurnWidgets

PAGE_OF_TURNS = 40
"""Turns mounted together when the user scrolls onto a marker (or when a session opens)."""
FIRST_TURNS = 2
"""Turns mounted at once when a session opens or the view jumps: the latest (or first)
exchange, which a long reply alone fills the screen with. The rest of the page follows
``FILL_STEP`` turns a frame, so the first screenful is never kept waiting."""
FILL_STEP = 6
MOUNTED_TURNS = 2 * PAGE_OF_TURNS
"""The most turns with widgets at once."""


class TurnWindow:
    """Decides which turns of ``state`` have widgets in ``view``, and mounts and unmounts them.

    The turn pane owns it, and the view, and tells it when to move (a session shown, a jump,
    a marker's request, a new turn)."""

    _filling = False
    """A page is being mounted a few turns a frame, or is about to be (see ``_fill_page``)."""
    _generation = 0
    """Which window is on screen: ``_clear`` counts one more each time the window is replaced.
    Mounting and unmounting await, and a key (run by the app, not the pane) can replace the
    window meanwhile; work begun for an earlier window compares this and stops, rather than move,
    trim or scroll the window that replaced it."""

    def __init__(
        self, view: ConversationView, widgets: TurnWidgets, welcome: Callable[[], Welcome]
    ) -> None:
        self._view = view
        self.widgets = widgets
        self._welcome = welcome
        """What an empty window shows."""
        self.state = SessionState()
        """The session on screen (``show_latest`` puts another there)."""

    @property
    def filling(self) -> bool:
        """A page of turns is being mounted."""
        return self._filling

    def _later(self, callback: Callable[..., object], *args: object) -> None:
        """Call ``callback`` after the next refresh, on the screen: the window changes in the
        screen's task only (see ``TurnPane``), so no frame is drawn halfway through a step."""
        self._view.screen.call_after_refresh(callback, *args)

    def _end(self, state: SessionState) -> int:
        """Index just past the last mounted turn."""
        turns = len(state.conversation.turns)
        return turns if state.shown_to is None else min(state.shown_to, turns)

    # -- putting a session on screen ------------------------------------------------------------

    async def show_latest(self, state: SessionState) -> None:
        """Show ``state``: its latest turns (and its queued prompts) in place of what is shown."""
        self.state = state
        view = self._view
        generation = await self._clear(view)
        if self._replaced(generation):
            return  # another window replaced this one while the last was being removed
        turns = state.conversation.turns
        state.shown_from, state.shown_to = max(0, len(turns) - FIRST_TURNS), None
        widgets: list[Widget] = []
        if state.shown_from:
            widgets.append(LoadEarlier(state.shown_from))
        widgets.extend(self.widgets.build(state, turns[state.shown_from :]))
        widgets.extend(self.widgets.build_queued(state))
        if not widgets:
            widgets.append(self._welcome())
        await view.mount_all(widgets)
        if self._replaced(generation):
            return
        view.follow()
        self._later(self._fill_page, state, -1, PAGE_OF_TURNS - FIRST_TURNS, generation)

    async def show_start(self) -> None:
        """Ctrl+Home: the session's first turns, whatever is mounted now."""
        state, view = self.state, self._view
        if state.shown_from == 0:
            view.scroll_home(animate=False)
            return
        generation = await self._clear(view)  # queued prompts come back with the latest turns
        if self._replaced(generation):
            return
        turns = state.conversation.turns
        end = min(len(turns), FIRST_TURNS)
        state.shown_from, state.shown_to = 0, (None if end == len(turns) else end)
        widgets: list[Widget] = list(self.widgets.build(state, turns[:end]))
        if state.shown_to is not None:
            widgets.append(LoadLater(len(turns) - end))
        view.release_anchor()
        # At the top before they are mounted: the first layout would otherwise keep the old
        # offset, as far down as the new turns allow, and draw a frame there.
        view.scroll_home(animate=False, immediate=True)
        await view.mount_all(widgets)
        if self._replaced(generation):
            return
        self._later(self._fill_page, state, +1, PAGE_OF_TURNS - FIRST_TURNS, generation)

    async def show_end(self) -> None:
        """Ctrl+End: back to the latest turns, following the reply if one streams."""
        state = self.state
        if state.shown_to is not None:
            await self.show_latest(state)
        self._view.follow()

    async def _fill_page(
        self, state: SessionState, direction: int, remaining: int, generation: int
    ) -> None:
        """Mount ``remaining`` more turns, ``FILL_STEP`` a frame, towards the older turns
        (``direction`` -1) or the newer (+1): whatever the user is looking at is on screen
        after the first step, and keys are never kept waiting behind a whole page.

        ``generation`` is the window the page belongs to. Once that window is replaced the
        fill stops, and leaves ``_filling`` alone: it belongs to the new window's own fill."""
        if self._replaced(generation):
            return
        if state is not self.state or remaining <= 0:
            self._filling = False
            if remaining <= 0:
                self._view.request_at_edge()
            return
        self._filling = True
        count = min(FILL_STEP, remaining)
        load = self._load_earlier if direction < 0 else self._load_later
        grown = await load(count, generation)
        if self._replaced(generation):
            return
        if grown:
            self._later(self._fill_page, state, direction, remaining - count, generation)
        else:
            self._filling = False

    def _replaced(self, generation: int) -> bool:
        """True if the window ``generation`` named is no longer the one on screen."""
        return generation != self._generation

    # -- moving the window ----------------------------------------------------------------------

    async def page(self, direction: int) -> None:
        """A marker asked for the page of turns behind it: older (``direction`` -1) or newer."""
        if not self._filling:  # a page on its way already answers a second request
            await self._fill_page(self.state, direction, PAGE_OF_TURNS, self._generation)

    async def _load_earlier(self, count: int, generation: int) -> bool:
        """Let go of turns below the window beyond ``MOUNTED_TURNS``, mount up to ``count``
        older turns above it, and keep what is on screen where it was. False if none were left,
        or if the window ``generation`` was replaced meanwhile (nothing more is done then:
        ``shown_from``, the markers and the scroll position are the new window's)."""
        state, view = self.state, self._view
        markers = view.query(LoadEarlier)
        if state.shown_from == 0 or not markers:
            return False
        marker = markers.first()
        turns = state.conversation.turns
        start = max(0, state.shown_from - count)
        # Turns added above a view that follows the end (a session just opened, its page
        # filling in) leave the end in view by themselves; scrolling back "in place" would
        # release the view's hold on the end (Textual's ``scroll_to`` does), and once left a
        # freshly opened session stuck halfway up its first page.
        following = not view.reading_back
        widgets = self.widgets.build(state, turns[start : state.shown_from])
        await prerender(markdown_views(widgets), view)
        if self._replaced(generation):
            return False
        if not following:
            view.hold(self._first_turn_widget(state))
        await self._let_go(state, keep_last=False, incoming=len(widgets))
        if self._replaced(generation):
            return False
        await view.mount_all(widgets, after=marker)
        if self._replaced(generation):
            return False
        state.shown_from = start
        await self._recount(marker, start)
        if self._replaced(generation):
            return False
        view.let_go()
        return True

    async def _load_later(self, count: int, generation: int) -> bool:
        """Mount up to ``count`` newer turns below the window (the mirror of
        ``_load_earlier``, down to stopping once the window ``generation`` is replaced);
        reaching the latest turn brings back the queued prompts."""
        state, view = self.state, self._view
        markers = view.query(LoadLater)
        if state.shown_to is None or not markers:
            return False
        marker = markers.first()
        turns = state.conversation.turns
        end = min(len(turns), state.shown_to + count)
        widgets: list[Widget] = list(self.widgets.build(state, turns[state.shown_to : end]))
        await prerender(markdown_views(widgets), view)
        if self._replaced(generation):
            return False
        view.hold(self._last_turn_widget(state))
        await self._let_go(state, keep_last=True, incoming=len(widgets))
        if self._replaced(generation):
            return False
        if end == len(turns):
            widgets.extend(self.widgets.build_queued(state))
        await view.mount_all(widgets, before=marker)
        if self._replaced(generation):
            return False
        state.shown_to = None if end == len(turns) else end
        await self._recount(marker, len(turns) - end)
        if self._replaced(generation):
            return False
        view.let_go()
        return True

    async def trim(self, state: SessionState) -> None:
        """After a new turn in a live session: let go of the oldest turns beyond
        ``MOUNTED_TURNS``, so each new turn costs the same however long the session grows.
        Nothing is let go while the user is reading back."""
        view = self._view
        if state is not self.state or view.reading_back:
            return
        if await self._let_go(state, keep_last=True):
            view.follow()

    async def _let_go(self, state: SessionState, *, keep_last: bool, incoming: int = 0) -> bool:
        """Unmount turns beyond ``MOUNTED_TURNS``, counting ``incoming`` turns about to be
        mounted on the other side (room is made first, so the bound holds at every moment):
        the oldest if ``keep_last``, else the newest; the marker on that side says how many
        are not shown. If the window is replaced while they are removed, the new window's
        markers are left alone (and False returned)."""
        view, generation = self._view, self._generation
        turns = state.conversation.turns
        end = self._end(state)
        excess = end - state.shown_from + incoming - MOUNTED_TURNS
        if excess <= 0:
            return False
        if keep_last:
            gone = turns[state.shown_from : state.shown_from + excess]
            state.shown_from += excess
        else:
            gone = turns[end - excess : end]
            state.shown_to = end - excess
            await self.widgets.remove_queued()
        await self.widgets.remove(gone)
        if self._replaced(generation):
            return False
        if keep_last:
            await self._mark(view, LoadEarlier, state.shown_from)
        else:
            await self._mark(view, LoadLater, len(turns) - (end - excess))
        return True

    async def _clear(self, view: ConversationView) -> int:
        """Remove every turn, queued prompt, welcome and marker: the window starts afresh.
        Returns the new window's generation; it is counted before anything is awaited, so
        whatever was under way for the old window stops from the moment this is called.

        Both callers fill the new window's page in once it is mounted, so ``_filling`` holds
        from here: a marker request while the window is being replaced (the old marker may be
        scrolled onto first) starts no fill of its own, whose steps would mount the same turns
        as the page's."""
        self._generation += 1
        generation, self._filling = self._generation, True
        gone = view.query("UserMessage, AssistantMessage, Welcome, TurnsMarker")
        for widget in gone:
            release_drawn_lines(widget)
        await gone.remove()
        if not self._replaced(generation):  # else the newer window's widgets are in these
            self.widgets.forget()
        return generation

    @staticmethod
    async def _recount(marker: TurnsMarker, count: int) -> None:
        """A marker the window grew past: it now stands for ``count`` turns, or goes."""
        if count:
            marker.set_count(count)
        else:
            await marker.remove()

    @staticmethod
    async def _mark(view: ConversationView, kind: type[TurnsMarker], count: int) -> None:
        """After letting go of turns: the marker on that side (``LoadEarlier`` above,
        ``LoadLater`` below) stands for ``count`` turns, added if it was not there."""
        found = view.query(kind)
        if found:
            found.first().set_count(count)
        elif kind is LoadEarlier:
            await view.mount(kind(count), before=0)
        else:
            await view.mount(kind(count))

    def _first_turn_widget(self, state: SessionState) -> TurnWidget | None:
        turns = state.conversation.turns
        return self.widgets.get(turns[state.shown_from]) if turns else None

    def _last_turn_widget(self, state: SessionState) -> TurnWidget | None:
        end = self._end(state)
        return self.widgets.get(state.conversation.turns[end - 1]) if end else None
