"""An attached image's tiny picture, drawn in the conversation with "▀" half blocks.

``AttachmentInfo.preview`` is made when the file is attached (``core.attachments.preview``:
``"WxH:"`` then W×H RGB pixels as six hex digits each, row by row, at most 24 × 16), so showing
a session never decodes an image. The string may come from an imported file: it is checked
strictly there (``preview_pixels``), and anything unexpected draws nothing (the 📎 line alone
stays). Each text row draws two rows of pixels: the cell's foreground is the top pixel and its
background the bottom one.

Parsing is cached per string: a session of 80 turns is drawn again on every resize and theme
change, and a picture is only ever parsed once.
"""

from __future__ import annotations

from functools import lru_cache

from textual.color import Color
from textual.content import Content, Span
from textual.style import Style

from claude_tui.core.attachments.preview import preview_pixels

HALF_BLOCK = "▀"
INDENT = "   "
"""Under the name, past the 📎 and its space."""

RGB = tuple[int, int, int]


@lru_cache(maxsize=256)
def preview_rows(preview: str) -> tuple[Content, ...]:
    """The picture's rows, each a line of half blocks after :data:`INDENT`; empty when
    ``preview`` is not a picture (the caller shows the 📎 line alone)."""
    picture = preview_pixels(preview)  # at most 24 × 16 pixels: 24 columns, 8 rows
    if picture is None:
        return ()
    width, height, pixels = picture
    rows: list[Content] = []
    for y in range(0, height, 2):
        spans: list[Span] = []
        for x in range(width):
            top = pixels[y * width + x]
            bottom = pixels[(y + 1) * width + x] if y + 1 < height else None
            style = _cell_style(top, bottom)
            start = len(INDENT) + x
            if spans and spans[-1].style == style and spans[-1].end == start:
                spans[-1] = Span(spans[-1].start, start + 1, style)
            else:
                spans.append(Span(start, start + 1, style))
        rows.append(Content(INDENT + HALF_BLOCK * width, spans))
    return tuple(rows)


@lru_cache(maxsize=4096)
def _cell_style(top: RGB, bottom: RGB | None) -> Style:
    """One cell's colours (a picture of flat colour shares them all)."""
    background = None if bottom is None else Color(*bottom)
    return Style(foreground=Color(*top), background=background)
