"""Text selection over rendered lines: what a selection copies, and how it is drawn.

Offsets are Textual's selection offsets: ``x`` counts characters of a line's text (not
cells: a wide character is one), ``y`` is the line. What is copied is what is shown, less
what is only drawing: trailing spaces, and in a code block its padding, its number and the
breaks of a wrapped line (``code_rows.CodeLine`` says where the code is). The highlight covers
exactly the characters copied, so what the user sees selected is what they get.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.cells import get_character_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Offset, Region
from textual.selection import Selection
from textual.strip import Strip

from claude_tui.ui.widgets.markdown.code_rows import CodeLine

if TYPE_CHECKING:
    from textual.widget import Widget

    _WidgetMixin = Widget
else:
    _WidgetMixin = object

_WORD = re.compile(r"\w+")


def copy_span(line: Strip, x0: int, x1: int) -> tuple[int, int] | None:
    """The characters of ``line`` from ``x0`` to ``x1`` (-1: its end) that a copy takes, or
    None for a row that holds nothing to copy (a code block's padding)."""
    text = line.text
    if x1 < 0 or x1 > len(text):
        x1 = len(text)
    if isinstance(line, CodeLine):
        if line.pad:
            return None
        low, high = line.start, line.end
    else:
        low, high = 0, len(text.rstrip())
    start = min(max(x0, low), high)
    return start, max(start, min(x1, high))


def selected_text(lines: Sequence[Strip], selection: Selection) -> str:
    """The text ``selection`` copies from ``lines``: a line of text per line shown, trailing
    spaces trimmed, and a code line wrapped over several rows given back as one."""
    first = 0 if selection.start is None else selection.start.y
    last = len(lines) - 1 if selection.end is None else min(selection.end.y, len(lines) - 1)
    out: list[str] = []
    joinable = False  # the last piece is code whose line a next row may continue
    for y in range(max(0, first), last + 1):
        line = lines[y]
        span = selection.get_span(y)
        copied = None if span is None else copy_span(line, *span)
        if copied is None:
            joinable = False
            continue
        piece = line.text[copied[0] : copied[1]]
        if isinstance(line, CodeLine) and joinable and line.joins:
            out[-1] += piece
        else:
            out.append(piece)
        joinable = isinstance(line, CodeLine)
    return "\n".join(piece.rstrip() for piece in out)


def highlight(line: Strip, start: int, end: int, style: Style) -> Strip:
    """``line`` with its characters ``start`` to ``end`` drawn in ``style`` (a selection)."""
    if start >= end:
        return line
    segments: list[Segment] = []
    position = 0
    for segment in line:
        text, seg_style, control = segment
        after = position + len(text)
        if control or after <= start or position >= end:
            segments.append(segment)
        else:
            a, b = max(start, position) - position, min(end, after) - position
            if a:
                segments.append(Segment(text[:a], seg_style, control))
            selected = seg_style + style if seg_style else style
            segments.append(Segment(text[a:b], selected, control))
            if b < len(text):
                segments.append(Segment(text[b:], seg_style, control))
        position = after
    drawn = Strip(segments, line.cell_length)
    return line.like(drawn) if isinstance(line, CodeLine) else drawn


def char_at(line: Strip, cell: int) -> int:
    """The offset of the character drawn at ``cell`` of ``line`` (its length past the end)."""
    cells = chars = 0
    for text, _, _ in line:
        for character in text:
            width = get_character_cell_size(character)
            if cells + width > cell:
                return chars
            cells += width
            chars += 1
    return chars


def word_at(text: str, x: int) -> tuple[int, int]:
    """The word of ``text`` at character ``x`` (letters, digits, underscores), or the one
    character there if it is not part of a word."""
    for match in _WORD.finditer(text):
        if match.start() <= x < match.end():
            return match.start(), match.end()
    return x, min(x + 1, len(text))


def paragraph_at(lines: Sequence[Strip], y: int) -> tuple[int, int]:
    """The first and last lines of what a triple click at line ``y`` selects: the code line
    (with its wrapped rows) in a code block, else the paragraph (lines up to a blank one)."""
    line = lines[y]
    if isinstance(line, CodeLine):
        first = y
        while first > 0 and _continues(lines, first):
            first -= 1
        last = y
        while last + 1 < len(lines) and _continues(lines, last + 1):
            last += 1
        return first, last
    first = y
    while first > 0 and _in_paragraph(lines[first - 1]):
        first -= 1
    last = y
    while last + 1 < len(lines) and _in_paragraph(lines[last + 1]):
        last += 1
    return first, last


def _continues(lines: Sequence[Strip], y: int) -> bool:
    line = lines[y]
    return isinstance(line, CodeLine) and line.joins and isinstance(lines[y - 1], CodeLine)


def _in_paragraph(line: Strip) -> bool:
    return not isinstance(line, CodeLine) and bool(line.text.strip())


class SelectsLines(_WidgetMixin):
    """Selection for a widget drawing ``lines`` with Textual's line API (``MarkdownView``).

    Textual finds what is under the pointer from offsets carried by each drawn segment; these
    lines carry none: adding them cost 45 us and 50 objects a line, for every line drawn,
    selection or not. The chat screen asks ``offset_at`` instead, only while the mouse
    selects (``ui.chat.copying.offset_on_demand``). With no selection, drawing a line costs one
    test more than before (``draw_selection`` is only called with one).
    """

    _selection: Selection | None = None
    """This widget's part of the screen's selection."""
    _selection_style: Style | None = None

    @property
    def lines(self) -> list[Strip]:
        """The lines drawn, as rendered (before any selection is drawn on them)."""
        raise NotImplementedError

    def end_marker(self) -> str:
        """What is drawn after the text but is not part of it (a streaming cursor): never
        copied."""
        return ""

    def offset_at(self, x: int, y: int) -> Offset:
        """The selection offset (character, line) of the cell at ``x``, ``y``."""
        lines = self.lines
        if not lines:
            return Offset(0, 0)
        y = max(0, y)
        if y >= len(lines):
            y, x = len(lines) - 1, self.size.width
        return Offset(char_at(lines[y], max(0, x)), y)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        text = selected_text(self.lines, selection)
        marker = self.end_marker()
        if marker and text.endswith(marker):
            text = text[: -len(marker)].rstrip()
        return text, "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        """Redraw the lines that were selected or are now: only those."""
        old, self._selection = self._selection, selection
        self._selection_style = None  # the theme may have changed since
        count = len(self.lines)
        rows = [_rows(s, count) for s in (old, selection) if s is not None]
        if rows:
            first, last = min(r[0] for r in rows), max(r[1] for r in rows)
            self.refresh(Region(0, first, self.size.width, last - first + 1))

    def draw_selection(self, line: Strip, y: int, selection: Selection) -> Strip:
        """``line`` (line ``y``) with the part of it ``selection`` copies highlighted."""
        span = selection.get_span(y)
        copied = None if span is None else copy_span(line, *span)
        if copied is None or copied[0] >= copied[1]:
            return line
        if self._selection_style is None:
            self._selection_style = selection_style(self.screen)
        return highlight(line, copied[0], copied[1], self._selection_style)

    def on_click(self, event: events.Click) -> None:
        """A double click selects a word, a triple click a paragraph, or a line of code.
        (Textual's own selects the whole widget: a whole reply.)"""
        if event.chain not in (2, 3) or not (self.screen.allow_select and self.app.ALLOW_SELECT):
            return
        lines = self.lines
        if not lines:
            return
        event.prevent_default()
        offset = self.offset_at(event.x, event.y)
        if event.chain == 2:
            start, end = word_at(lines[offset.y].text, offset.x)
            selection = Selection(Offset(start, offset.y), Offset(end, offset.y))
        else:
            first, last = paragraph_at(lines, offset.y)
            selection = Selection(Offset(0, first), Offset(len(lines[last].text), last))
        self.screen.selections = {self: selection}


def selection_style(screen: Widget) -> Style:
    """The theme's selection style (``$screen-selection-background`` and ``-foreground``) as
    Textual draws it on text: the background always, the colour only if the theme sets one
    (Textual's default is transparent: the text keeps its own colour, syntax colours too)."""
    rich = screen.get_component_rich_style("screen--selection")
    keeps_colour = screen.get_component_styles("screen--selection").color.a == 0
    return Style(bgcolor=rich.bgcolor, color=None if keeps_colour else rich.color)


def _rows(selection: Selection, count: int) -> tuple[int, int]:
    """The first and last lines ``selection`` touches, of ``count``."""
    first = 0 if selection.start is None else selection.start.y
    last = count - 1 if selection.end is None else selection.end.y
    return first, max(first, last)
