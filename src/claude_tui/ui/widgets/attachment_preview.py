"""An attached image's tiny picture, drawn in the conversation with "▀" half blocks.

``AttachmentInfo.preview`` is made when the file is attached (``"WxH:"`` then W×H RGB pixels
as six hex digits each, row by row), so showing a session never decodes an image. The string
may come from an imported file: it is checked strictly, and anything unexpected draws nothing
(the 📎 line alone stays). Each text row draws two rows of pixels: the cell's foreground is the
top pixel and its background the bottom one.

Parsing is cached per string: a session of 80 turns is drawn again on every resize and theme
change, and a picture is only ever parsed once.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from textual.color import Color
from textual.content import Content, Span
from textual.style import Style

MAX_COLUMNS = 24
MAX_ROWS = 8
"""Text rows at most: 16 rows of pixels."""
MAX_SIDE = 256
"""A preview string larger than this a side is refused: it is not one the app makes."""
HALF_BLOCK = "▀"
INDENT = "   "
"""Under the name, past the 📎 and its space."""

_PREVIEW = re.compile(r"([1-9][0-9]{0,2})x([1-9][0-9]{0,2}):([0-9a-fA-F]*)")

RGB = tuple[int, int, int]


class Picture(NamedTuple):
    width: int
    height: int
    pixels: tuple[RGB, ...]
    """Row by row, top to bottom."""


def parse_preview(preview: str) -> Picture | None:
    """The picture ``preview`` describes, or None if it is not exactly one."""
    match = _PREVIEW.fullmatch(preview)
    if match is None:
        return None
    width, height, digits = int(match[1]), int(match[2]), match[3]
    if width > MAX_SIDE or height > MAX_SIDE or len(digits) != width * height * 6:
        return None
    values = bytes.fromhex(digits)
    pixels = tuple((values[i], values[i + 1], values[i + 2]) for i in range(0, len(values), 3))
    return Picture(width, height, pixels)


def fitted(picture: Picture, columns: int = MAX_COLUMNS, rows: int = MAX_ROWS) -> Picture:
    """``picture`` made small enough for ``columns`` × ``rows`` text cells (two pixels a cell
    high), its shape kept; each new pixel is the mean of those it covers. Never enlarged."""
    scale = max(picture.width / columns, picture.height / (2 * rows), 1.0)
    if scale == 1.0:
        return picture
    width = max(1, round(picture.width / scale))
    height = max(1, round(picture.height / scale))
    pixels: list[RGB] = []
    for y in range(height):
        top, bottom = _span(y, height, picture.height)
        for x in range(width):
            left, right = _span(x, width, picture.width)
            cells = [
                picture.pixels[row * picture.width + col]
                for row in range(top, bottom)
                for col in range(left, right)
            ]
            count = len(cells)
            pixels.append(
                (
                    sum(c[0] for c in cells) // count,
                    sum(c[1] for c in cells) // count,
                    sum(c[2] for c in cells) // count,
                )
            )
    return Picture(width, height, tuple(pixels))


def _span(index: int, parts: int, whole: int) -> tuple[int, int]:
    """The source pixels (start, end) that part ``index`` of ``parts`` covers; never empty."""
    start = index * whole // parts
    return start, max(start + 1, (index + 1) * whole // parts)


@lru_cache(maxsize=256)
def preview_rows(preview: str) -> tuple[Content, ...]:
    """The picture's rows, each a line of half blocks after :data:`INDENT`; empty when
    ``preview`` is not a picture (the caller shows the 📎 line alone)."""
    picture = parse_preview(preview)
    if picture is None:
        return ()
    picture = fitted(picture)
    rows: list[Content] = []
    for y in range(0, picture.height, 2):
        spans: list[Span] = []
        for x in range(picture.width):
            top = picture.pixels[y * picture.width + x]
            bottom = picture.pixels[(y + 1) * picture.width + x] if y + 1 < picture.height else None
            style = _cell_style(top, bottom)
            start = len(INDENT) + x
            if spans and spans[-1].style == style and spans[-1].end == start:
                spans[-1] = Span(spans[-1].start, start + 1, style)
            else:
                spans.append(Span(start, start + 1, style))
        rows.append(Content(INDENT + HALF_BLOCK * picture.width, spans))
    return tuple(rows)


@lru_cache(maxsize=4096)
def _cell_style(top: RGB, bottom: RGB | None) -> Style:
    """One cell's colours (a picture of flat colour shares them all)."""
    background = None if bottom is None else Color(*bottom)
    return Style(foreground=Color(*top), background=background)
