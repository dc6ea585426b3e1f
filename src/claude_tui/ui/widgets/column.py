"""The chat column: the conversation, the status line, the metrics, the menu and the input.

On a wide terminal a reply the full width of the screen is hard to read: a line of 280
characters loses the eye on its way back. The ``max_width`` setting caps how wide a reply's
text runs; the room left over goes beside the conversation (and the input, the menu and the
status line, which follow it), split evenly for a centred column or all to the right for a
left-aligned one, as the theme chooses (``reply_align``). The metrics bar keeps its background
across the screen; its text moves in line with the replies.

The column is narrowed with padding and margins worked out on every resize, rather than a CSS
``max-width`` on each turn's widget: the turns are mounted in many places, the setting is the
user's, and the scrollbar stays at the screen's edge, where it is expected.
"""

from __future__ import annotations

from textual.containers import Vertical
from textual.widget import Widget

from claude_tui.ui.widgets.metrics import MetricsBar
from claude_tui.ui.widgets.status import ReplyStatus
from claude_tui.ui.widgets.turn_pane import TurnPane

TEXT_OVERHEAD = 6
"""Columns of the conversation around a reply's text: the view's padding (2), its scrollbar
(1), and the turn's rail and padding (3)."""


def column_insets(width: int, max_width: int, align: str) -> tuple[int, int]:
    """Columns to leave free on the left and on the right of a column ``width`` wide, so a
    reply's text runs at most ``max_width`` columns (0: no limit) aligned ``center`` or
    ``left``."""
    extra = width - TEXT_OVERHEAD - max_width
    if max_width <= 0 or extra <= 0:
        return 0, 0
    if align == "left":
        return 0, extra
    return extra // 2, extra - extra // 2


class ChatColumn(Vertical):
    """Holds the chat's widgets and keeps its readable ones within ``max_width``."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.max_width = 0
        self.align = "center"
        self._insets: tuple[int, int] | None = None

    def set_measure(self, max_width: int, align: str) -> None:
        """The ``max_width`` setting and the theme's ``reply_align``; applied at once."""
        self.max_width, self.align = max_width, align
        self._apply()

    def on_resize(self) -> None:
        self._apply()

    def _apply(self) -> None:
        insets = column_insets(self.size.width, self.max_width, self.align)
        if insets == self._insets or not self.size.width:
            return
        self._insets = insets
        left, right = insets
        for child in self.children:
            _inset(child, left, right)


def _inset(widget: Widget, left: int, right: int) -> None:
    """Narrow ``widget`` by ``left`` and ``right`` columns, each in the way that suits it."""
    if isinstance(widget, TurnPane):
        # inside the view's own padding (0 1), so the scrollbar stays at the edge
        widget.view.styles.padding = (0, 1 + right, 0, 1 + left)
    elif isinstance(widget, ReplyStatus | MetricsBar):  # text in line with the replies
        # The metrics may run on past the column (their spacious line is up to ~130 wide).
        widget.styles.padding = (
            0,
            1 + (0 if isinstance(widget, MetricsBar) else right),
            0,
            1 + left,
        )
        # Their text is fitted to their content width, which padding changes with no Resize
        # of their own: fit it again once the new padding is laid out.
        widget.call_after_refresh(widget.on_resize)
    else:  # the input and the command menu
        widget.styles.margin = (0, right, 0, left)
