"""Double click selects a word, triple click a line: for widgets that draw text content.

Textual's own double click selects the whole widget and its triple click the whole container,
which in a conversation is a whole prompt or a whole reply. Here a double click selects the
word under the pointer, and a triple click the line (a line of a prompt is a paragraph: it
wraps on screen, and is selected whole). ``MarkdownView`` does the same for its own lines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.geometry import Offset
from textual.selection import SELECT_ALL, Selection
from textual.widgets import Static

from claude_tui.ui.widgets.markdown.selecting import word_at

if TYPE_CHECKING:
    from textual.widget import Widget

    _WidgetMixin = Widget
else:
    _WidgetMixin = object
    """``Widget`` only to the type checker: a mixin that was a ``Widget`` would hide the
    widget's own CSS (see ``textual_private``)."""


class WordClicks(_WidgetMixin):
    """A mixin, before the widget class among the bases: word and line selection."""

    def on_click(self, event: events.Click) -> None:
        if event.chain not in (2, 3) or not (
            self.allow_select and self.screen.allow_select and self.app.ALLOW_SELECT
        ):
            return
        widget, offset = self.screen.get_widget_and_offset_at(event.screen_x, event.screen_y)
        extracted = self.get_selection(SELECT_ALL)
        if widget is not self or offset is None or extracted is None:
            return
        event.prevent_default()  # not Textual's: the whole widget
        lines = extracted[0].split("\n")
        y = min(offset.y, len(lines) - 1)
        if event.chain == 2:
            start, end = word_at(lines[y], offset.x)
        else:
            start, end = 0, len(lines[y])
        self.screen.selections = {self: Selection(Offset(start, y), Offset(end, y))}


class SelectableStatic(WordClicks, Static):
    """A ``Static`` with word and line selection (a notice, a thinking block, a label)."""
