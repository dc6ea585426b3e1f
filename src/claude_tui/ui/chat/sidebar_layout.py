"""Where the sessions sidebar goes: beside the conversation when there is room, over it when not.

The sidebar takes 32 columns. Below ``NARROW_BELOW`` columns that would leave a reply too little
room, so it is hidden, whether the app starts narrow or the terminal is narrowed later. Ctrl+B
then shows it over the conversation, with the focus in it for the keys, and choosing a session
(Enter), Esc, or moving the focus elsewhere hides it again; the chat never reflows for it.

In the narrow mode Ctrl+B does not touch the saved ``show_sidebar`` setting: a peek at the
sessions on a small terminal is not a wish to hide (or show) the sidebar on a big one. Widened
to ``NARROW_BELOW`` or more, the sidebar is shown or hidden by ``show_sidebar``, as at start.
"""

from __future__ import annotations

from textual.widget import Widget

from claude_tui.ui.widgets.sessions_panel import SessionsPanel
from claude_tui.ui.widgets.sidebar import SessionList

NARROW_BELOW = 100
"""Columns below which the sidebar does not stand beside the conversation."""


class SidebarLayout:
    """The sidebar's place for the screen's width; the chat screen tells it the width, the
    keys and where the focus went, and it shows, hides or overlays ``panel``."""

    def __init__(self, panel: SessionsPanel) -> None:
        self._panel = panel
        self.narrow: bool | None = None
        """Whether the screen is narrow; ``None`` until ``fit`` is first called."""

    @property
    def shown(self) -> bool:
        return bool(self._panel.sidebar.display)

    @property
    def overlaid(self) -> bool:
        """The sidebar is shown over the conversation (narrow mode, after Ctrl+B or Ctrl+F)."""
        return self.shown and self._panel.has_class("overlay")

    def fit(self, width: int, show_sidebar: bool) -> None:
        """The screen is ``width`` columns wide: on crossing ``NARROW_BELOW`` (or the first
        time), the sidebar is hidden when narrow, else shown as ``show_sidebar`` says."""
        narrow = width < NARROW_BELOW
        if narrow == self.narrow:
            return
        self.narrow = narrow
        self._panel.remove_class("overlay")
        self._panel.sidebar.display = show_sidebar and not narrow

    def toggle(self) -> bool | None:
        """Ctrl+B. Returns the new ``show_sidebar`` preference to save, or ``None`` when there
        is none to save (the narrow mode's overlay)."""
        if self.narrow:
            if self.overlaid:
                self.hide_overlay()
            else:
                self.show_overlay()
                self._panel.sidebar.query_one(SessionList).focus()
            return None
        sidebar = self._panel.sidebar
        sidebar.display = not sidebar.display
        return bool(sidebar.display)

    def reveal(self) -> None:
        """Show the sidebar for a moment's use (Ctrl+F's search): over the chat when narrow."""
        if self.narrow:
            self.show_overlay()
        else:
            self._panel.sidebar.display = True

    def show_overlay(self) -> None:
        self._panel.add_class("overlay")
        self._panel.sidebar.display = True

    def hide_overlay(self) -> bool:
        """Hide the overlaid sidebar; True if it was shown."""
        if not self.overlaid:
            return False
        self._panel.sidebar.display = False
        self._panel.remove_class("overlay")
        return True

    def focus_moved(self, focused: Widget | None) -> None:
        """The focus left an overlaid sidebar (a click in the chat, Tab): it goes away, as a
        menu does, rather than cover the conversation the user went back to."""
        if not self.overlaid or focused is None:
            return
        panel = self._panel
        if focused is not panel and panel not in focused.ancestors:
            self.hide_overlay()
