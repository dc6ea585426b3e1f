"""The scrolling conversation pane.

It is anchored to the bottom, so a streaming reply stays in view; scrolling up releases the anchor
(Textual's own behaviour) and the pane stays put while the text grows below, with a bar that says
so and brings the user back to the end.
"""

from __future__ import annotations

from typing import ClassVar

from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from claude_tui.ui.textual_private import (
    ContentGrowsWithoutRelayout,
    HoldsChildInPlace,
    anchor_released,
)

WELCOME = (
    "Welcome to claude-tui.\n\n"
    "Type a message below and press Enter; Ctrl+J adds a new line. Esc stops a reply at any "
    "time and keeps what has arrived. PgUp/PgDn scroll, Ctrl+N starts a new conversation, "
    "Ctrl+Q quits."
)


class Welcome(Static):
    DEFAULT_CSS = """
    Welcome { color: $text-muted; padding: 1 2; }
    Welcome.warning { color: $warning; }
    """


class JumpToEnd(Static):
    """Shown while the user reads earlier text and new text arrives below."""

    DEFAULT_CSS = """
    JumpToEnd {
        dock: bottom;
        width: 100%;
        height: 1;
        content-align: center middle;
        background: $accent 30%;
        color: $text;
        display: none;
        &.visible { display: block; }
        &:hover { background: $accent 50%; }
    }
    """

    def __init__(self) -> None:
        super().__init__("↓ New text below · Ctrl+End or click to follow", markup=False)

    def on_click(self) -> None:
        parent = self.parent
        if isinstance(parent, ConversationView):
            parent.follow()


class TurnsMarker(Static):
    """Stands for turns that have no widgets on one side of the window (see
    ``widgets/turn_window.py``); scrolling onto it, or clicking it, mounts them."""

    TEXT: ClassVar[str] = "{count}"
    """What it says, with the number of turns not shown."""

    class Requested(Message):
        pass

    def __init__(self, count: int) -> None:
        super().__init__(markup=False)
        self.set_count(count)

    def set_count(self, count: int) -> None:
        self.update(self.TEXT.format(count=count))

    def on_click(self) -> None:
        self.post_message(self.Requested())


class LoadEarlier(TurnsMarker):
    """Above the window: the older turns."""

    DEFAULT_CSS = """
    LoadEarlier { color: $text-muted; padding: 0 2; text-style: italic; }
    LoadEarlier:hover { color: $text; }
    """
    TEXT = "↑ {count} earlier messages · scroll up or click to show them"

    class Requested(TurnsMarker.Requested):
        pass


class LoadLater(TurnsMarker):
    """Below the window: newer turns let go of while the user reads far back (Ctrl+End jumps
    to the latest)."""

    DEFAULT_CSS = """
    LoadLater { color: $text-muted; padding: 0 2; margin-top: 1; text-style: italic; }
    LoadLater:hover { color: $text; }
    """
    TEXT = "↓ {count} later messages · scroll down or click to show them"

    class Requested(TurnsMarker.Requested):
        pass


class ConversationView(HoldsChildInPlace, ContentGrowsWithoutRelayout, VerticalScroll):
    DEFAULT_CSS = """
    ConversationView { padding: 0 1; scrollbar-size-vertical: 1; scrollbar-gutter: stable; }
    """

    def on_mount(self) -> None:
        self.anchor()

    @property
    def reading_back(self) -> bool:
        """True when the user has scrolled away from the end, so new text is not followed.

        Textual releases the anchor on any user scroll and restores it at the bottom (see
        ``anchor_released``).
        """
        return self.is_anchored and anchor_released(self)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self.drop_hold()
        self.update_jump_bar()
        bottom = self.max_scroll_y
        self._ask_for_turns(top=new_value <= 0 < old_value, bottom=new_value >= bottom > old_value)

    def request_at_edge(self) -> None:
        """A page has filled in and the pane still sits at its top or bottom, by a marker:
        ask for the next page, as scrolling onto the marker does. (Scrolling there again is
        no scroll at all, so nothing else would ever ask.)"""
        self._ask_for_turns(top=self.scroll_y <= 0, bottom=self.scroll_y >= self.max_scroll_y)

    def _ask_for_turns(self, *, top: bool, bottom: bool) -> None:
        """At the ``top`` (or ``bottom``), with a marker there: ask for the turns behind it."""
        if top and self.query(LoadEarlier):
            self.post_message(LoadEarlier.Requested())
        elif bottom and self.query(LoadLater):
            self.post_message(LoadLater.Requested())

    live = False
    """A reply is streaming into this view (set by the turn pane): only then is there new text
    below to jump to."""

    def update_jump_bar(self) -> None:
        # called with every batch of a stream: a child lookup, not a DOM query
        for bar in self._nodes:
            if isinstance(bar, JumpToEnd):
                bar.set_class(self.live and self.reading_back, "visible")
                return

    def follow(self) -> None:
        """Back to the end, and stay there as text arrives."""
        self.anchor()
        self.update_jump_bar()
