"""What the conversation shows of an attached file: its 📎 line, and an image's picture.

Worked out once, when a prompt's widget is made (``UserMessage``), from the block's
``AttachmentInfo``; a block without one (made by an older version, or an import that lost it)
is still named by its kind (``blocks.block_line``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from claude_tui.core.blocks import AttachmentBlock, block_line

if TYPE_CHECKING:
    from textual.app import App


class Attached(NamedTuple):
    line: str
    """``📎 report.pdf · 12 pages · 1.2 MB``, safe to print."""
    preview: str | None
    """An image's tiny picture (``AttachmentInfo.preview``), unchecked; None if there is none."""


def attached(block: AttachmentBlock) -> Attached:
    info = block.info
    return Attached(block_line(block), info.preview if info is not None else None)


def draws_colour(app: App[object]) -> bool:
    """Whether the terminal shows colour, so that a picture can be drawn: not with ``NO_COLOR``
    (Textual then draws everything in monochrome) nor where Rich finds no colour at all (a
    ``dumb`` terminal). Textual lowers any colour to what the terminal has (256 or 16 colours),
    which still reads as a picture."""
    return not app.no_color and app.console.color_system is not None
