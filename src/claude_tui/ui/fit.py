"""Fitting a line of parts into the columns there are, without cutting a word in half.

The title, the status line and the prompt's hint are each a few parts joined by " · " (or by
three spaces between a message and its hints). On a narrow terminal Textual would cut such a
line at the last column, mid-word ("Ctrl+J new"); instead the parts that do not fit are left
out whole, the last first, and only the first part is ever shortened, at a space, with "…".
"""

from __future__ import annotations

import re

from rich.cells import cell_len, set_cell_size

SEPARATORS = re.compile(r"( · |   )")
"""Where a line may be broken into parts: the separators are kept with the part after them."""
ELLIPSIS = "…"


def fit_line(text: str, width: int) -> str:
    """``text`` if it fits in ``width`` cells, else as many of its parts as fit (the first is
    always kept, shortened at a word boundary if it alone is too long)."""
    if width <= 0 or cell_len(text) <= width:
        return text if width > 0 else ""
    pieces = SEPARATORS.split(text)  # part, sep, part, sep, part...
    line = pieces[0]
    if cell_len(line) > width:
        return shorten(line, width)
    for index in range(1, len(pieces) - 1, 2):
        candidate = line + pieces[index] + pieces[index + 1]
        if cell_len(candidate) > width:
            break
        line = candidate
    return line


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` cells at the last space that leaves room for "…"; a single
    word longer than that is cut where it must be (there is no better place)."""
    if cell_len(text) <= width:
        return text
    if width <= 1:
        return ELLIPSIS[:width]
    head = set_cell_size(text, width - 1)
    ends_a_word = text[len(head) : len(head) + 1] == " "
    space = head.rstrip().rfind(" ")
    if space > 0 and not ends_a_word:
        head = head[:space]
    return head.rstrip(" ·,;:—-") + ELLIPSIS
