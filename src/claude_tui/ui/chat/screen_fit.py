"""The chat screen fitted to the terminal's width and the settings: the sidebar's place, the
reply column's measure, the footer's palette key and the title.

Called by the screen on a resize, on return from a dialog, on a change of settings or theme,
and whenever the title's parts change (the session, its model, a rename).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Footer

from claude_tui.core.sanitize import sanitize
from claude_tui.core.themes import DEFAULT_REPLY_ALIGN
from claude_tui.ui.fit import fit_line

if TYPE_CHECKING:
    from claude_tui.ui.chat.screen import ChatScreen

TITLE_OVERHEAD = 31
"""Header columns that are not the sub-title's: the icon (8), the clock's space (10) and
"claude-tui — " (13)."""
PALETTE_KEY_FROM = 70
"""Columns from which the footer shows "^p palette" too; narrower, the keys that do something
now need the room (Ctrl+P still opens the palette)."""


class ScreenFit:
    """Fits ``screen``'s parts to the width, the settings and the theme."""

    def __init__(self, screen: ChatScreen) -> None:
        self._screen = screen

    def width(self, width: int) -> None:
        """The sidebar's place, the footer's palette key and the title, for ``width``."""
        screen = self._screen
        screen.sidebar_layout.fit(width, screen.app.settings.show_sidebar)
        for footer in screen.query(Footer):
            palette = width >= PALETTE_KEY_FROM
            if footer.show_command_palette != palette:
                footer.show_command_palette = palette
                screen.refresh_bindings()  # the footer draws its keys again only then
        if screen.ready:
            self.title()

    def column(self) -> None:
        """The reply column's ``max_width`` (a setting) and alignment (the theme's)."""
        screen = self._screen
        spec = next((t for t in screen.options.themes if t.name == screen.app.theme), None)
        align = spec.reply_align if spec is not None else DEFAULT_REPLY_ALIGN
        screen.column.set_measure(screen.app.settings.max_width, align)

    def title(self) -> None:
        """The session's title, its model and the demo note; narrow, the note goes, then the
        model, each whole."""
        screen = self._screen
        demo = " · demo (local server)" if screen.options.demo else ""
        title = sanitize(screen.current.title) or "New conversation"
        model = screen.session_settings(screen.current).model
        room = screen.app.size.width - TITLE_OVERHEAD
        screen.app.sub_title = fit_line(f"{title} · {model}{demo}", room)
