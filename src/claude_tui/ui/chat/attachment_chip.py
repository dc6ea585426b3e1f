"""One chip above the prompt: an attached file, read or being read, and what it shows.

Kept apart from ``attachments.py`` (which adds, reads and removes chips) because what a chip
holds and how it reads on screen is the part other code looks at: the send checks, the tray.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from claude_tui.core.attachments.info import AttachmentInfo, details, kind_word
from claude_tui.core.blocks import AttachmentBlock
from claude_tui.core.sanitize import sanitize_line
from claude_tui.ui.widgets.attachment_tray import READING, ChipView

if TYPE_CHECKING:
    from claude_tui.core.attachments.prepare import Prepared


def size_words(info: AttachmentInfo) -> list[str]:
    """The chip's facts: an image scaled down says from what (``1568×1045 (from
    3000×2000)``), so the size sent is not mistaken for the file's."""
    words = details(info)
    scaled = info.original_width and info.original_height and info.width and info.height
    if scaled and (info.original_width, info.original_height) != (info.width, info.height):
        words[0] += f" (from {info.original_width}×{info.original_height})"
    return words


@dataclass(eq=False)
class Chip:
    """One attached file, read or being read."""

    key: int
    name: str
    path: Path | None
    """Where it was read from; None for one given back from a sent prompt (its file may be
    gone: the block is what counts)."""
    prepared: Prepared | None = None
    """The block and the file's version it was made from; None while reading."""
    block: AttachmentBlock | None = None
    word: str | None = None
    """This file's path as it was pasted (None: not pasted): Backspace, or a failure, turns
    the chip back into it."""
    pasted_at: int = 0
    """Where in the input's text the paste went."""
    group: int = 0
    """The ``/attach`` or paste that made it: one notice per group, Backspace takes a group."""

    @property
    def reading(self) -> bool:
        return self.block is None

    def view(self) -> ChipView:
        name = sanitize_line(self.name)
        info = self.block.info if self.block is not None else None
        if self.block is None:
            return ChipView(self.key, f"{name} · {READING}", reading=True)
        if info is None:
            return ChipView(self.key, name)
        return ChipView(self.key, " · ".join([name, kind_word(info), *size_words(info)]))
