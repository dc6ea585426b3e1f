"""Selection in the conversation's text widgets (a prompt, a label, a notice, thinking).

Copied as in a reply: trailing spaces trimmed from each line. A double click selects a word
and a triple click a line: Textual's own double click selects the whole widget and its triple
click the whole container, a whole prompt or a whole reply. A line of a prompt is a paragraph
(it wraps on screen), and is selected whole. ``MarkdownView`` does the same for its lines.
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


class SelectsText(_WidgetMixin):
    """A mixin, before the widget class among the bases: trimmed copies, word and line
    selection."""

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        extracted = super().get_selection(selection)
        if extracted is None:
            return None
        text, ending = extracted
        return "\n".join(line.rstrip() for line in text.split("\n")), ending

    def on_click(self, event: events.Click) -> None:
        if event.chain not in (2, 3) or not (
            self.allow_select and self.screen.allow_select and self.app.ALLOW_SELECT
        ):
            return
        widget, offset = self.screen.get_widget_and_offset_at(event.screen_x, event.screen_y)
        lines = self.click_lines()
        if widget is not self or offset is None or lines is None:
            return
        event.prevent_default()  # not Textual's: the whole widget
        y = min(offset.y, len(lines) - 1)
        if event.chain == 2:
            start, end = word_at(lines[y], offset.x)
        else:
            start, end = 0, len(lines[y])
        self.screen.selections = {self: Selection(Offset(start, y), Offset(end, y))}

    def click_lines(self) -> list[str] | None:
        """The lines a double or triple click picks from, as drawn: the whole text unless a
        widget copies less than it draws (a prompt's picture)."""
        extracted = self.get_selection(SELECT_ALL)
        return None if extracted is None else extracted[0].split("\n")


def extract_lines(selection: Selection, lines: list[str], *, skip: frozenset[int]) -> str:
    """What ``selection`` covers of ``lines`` (as ``Selection.extract`` reads it), leaving out
    the lines numbered in ``skip``."""
    if not lines:
        return ""
    start_y, start_x = (0, 0) if selection.start is None else selection.start.transpose
    end_y, end_x = (
        (len(lines), len(lines[-1])) if selection.end is None else selection.end.transpose
    )
    picked = []
    for y in range(start_y, min(end_y, len(lines) - 1) + 1):
        if y in skip:
            continue
        line = lines[y]
        picked.append(line[start_x if y == start_y else 0 : end_x if y == end_y else len(line)])
    return "\n".join(picked)


class SelectableStatic(SelectsText, Static):
    """A ``Static`` with word and line selection (a notice, a thinking block, a label)."""
