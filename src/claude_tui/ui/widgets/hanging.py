"""Lines that wrap under their own text, not under a mark before it: a web card's title after
its fold mark, a result under its indent, a source under its ``[1]``.

Textual wraps a widget's text to its left edge; a card or a source drawn that way has its
continuation lines start under the mark, which reads as a new entry. The widgets here wrap
their own lines (:func:`hang`) at the width they are given, and say their height from the same
lines (:class:`HangingLines`), so layout and drawing agree.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual.content import Content
from textual.geometry import Size
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


class HangingLines(_WidgetMixin):
    """A mixin for a widget whose lines are :meth:`lines_at` a width: it draws them at its
    content width and is as high as they are."""

    def lines_at(self, width: int) -> list[Content]:
        raise NotImplementedError

    def render(self) -> Content:
        return Content("\n").join(self.lines_at(self.content_size.width or UNWRAPPED))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines_at(width or UNWRAPPED))
