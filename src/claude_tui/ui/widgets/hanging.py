"""Lines that wrap under their own text, not under a mark before it: a web card's title after
its fold mark, a result under its indent, a source under its ``[1]``.

Textual wraps a widget's text to its left edge; a card or a source drawn that way has its
continuation lines start under the mark, which reads as a new entry. The widgets here wrap
their own lines (:func:`hang`) at the width they are given, and say their height from the same
lines (:class:`HangingLines`), so layout and drawing agree; a selection copies the logical
lines it touches, not the wrapped rows.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual.content import Content
from textual.geometry import Size
from textual.selection import Selection
from textual.style import Style

if TYPE_CHECKING:
    from textual.widget import Widget

    _WidgetMixin = Widget
else:
    _WidgetMixin = object

UNWRAPPED = 10_000
"""The width lines are laid out at before the widget has one."""


def hang(text: Content, prefix: str, width: int) -> list[Content]:
    """``prefix`` then ``text``, wrapped to ``width`` cells with every further line indented by
    as many cells as ``prefix`` has (``prefix`` is plain, one cell a character)."""
    room = max(1, width - len(prefix))
    pieces = text.wrap(room) or [Content("")]
    indent = " " * len(prefix)
    return [Content(prefix if i == 0 else indent) + piece for i, piece in enumerate(pieces)]


def text_style(widget: Widget, component: str) -> Style:
    """The colour and text style of ``widget``'s ``component`` class, for text drawn on the
    widget's own background.

    Not ``get_visual_style(..., partial=True)``: a partial style resolves an ``auto`` colour
    (``$text-muted`` is "auto 60%") against a transparent black background, which gives white
    in every theme, white on white in a light one. The whole style resolves it against the
    background the widget is really drawn on; its background is left out, as the widget paints
    that already (and a selection's highlight goes over the text, not under a second layer)."""
    return replace(widget.get_visual_style(component), background=None)


Entry = tuple[str, list[Content]]
"""One logical line: the text it copies as (one line, as ``/copy`` gives it), and the rows it
is drawn as at a width."""


class HangingLines(_WidgetMixin):
    """A mixin, first among the bases, for a widget whose logical lines are
    :meth:`entries_at` a width: it draws their rows at its content width and is as high as they
    are. A selection over more than one row, or over a whole row, copies every entry it touches
    whole, once (a wrapped URL in one piece, not its rows with their indent); a selection within
    one row (a double click's word) copies what it covers."""

    def entries_at(self, width: int) -> list[Entry]:
        raise NotImplementedError

    def lines_at(self, width: int) -> list[Content]:
        return [row for _, rows in self.entries_at(width) for row in rows]

    def _width(self) -> int:
        return self.content_size.width or UNWRAPPED

    def render(self) -> Content:
        return Content("\n").join(self.lines_at(self._width()))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines_at(width or UNWRAPPED))

    def click_lines(self) -> list[str] | None:
        """The rows as drawn: a double or a triple click picks from the row under it."""
        return [row.plain.rstrip() for row in self.lines_at(self._width())]

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        entries = self.entries_at(self._width())
        owner = [index for index, (_, rows) in enumerate(entries) for _ in rows]
        if not owner:
            return None
        start, end = selection.start, selection.end
        first = 0 if start is None else min(start.y, len(owner) - 1)
        last = len(owner) - 1 if end is None else min(end.y, len(owner) - 1)
        if start is not None and end is not None and first == last:
            row = entries[owner[first]][1][first - owner.index(owner[first])].plain.rstrip()
            if start.x > 0 or end.x < len(row):
                return super().get_selection(selection)  # part of one row: as it covers
        touched = dict.fromkeys(owner[first : last + 1])
        return "\n".join(entries[index][0] for index in touched), "\n"
