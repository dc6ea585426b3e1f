"""Split streaming Markdown into finished top-level blocks and a live tail.

Re-laying out a whole growing document for every batch makes rendering cost grow faster than the
text. A top-level block (paragraph, list, fence, table, quote…) cannot change once the next one
has begun, so it can be rendered once and frozen; only the last block is live and re-rendered as
text arrives. ``markdown-it-py`` (the parser Textual and Rich use) finds the block boundaries.
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # Imported on first use, not at start-up, which shows no Markdown (the app imports it in a
    # warm-up thread once the first frame is drawn).
    from markdown_it import MarkdownIt

    # Only block structure is needed here: without the inline pass (links, emphasis,
    # strikethrough pairing) a parse costs about half as much, and block boundaries do not
    # depend on it.
    return MarkdownIt("commonmark").enable("table").disable(["inline", "text_join"])


def block_starts(text: str) -> list[int]:
    """Character offsets at which each top-level block of ``text`` begins."""
    line_offsets = [0]
    newline = text.find("\n")
    while newline != -1:
        line_offsets.append(newline + 1)
        newline = text.find("\n", newline + 1)
    starts: list[int] = []
    for token in _parser().parse(text):
        if token.level == 0 and token.nesting >= 0 and token.map is not None:
            line = token.map[0]
            offset = line_offsets[line] if line < len(line_offsets) else len(text)
            if not starts or offset > starts[-1]:
                starts.append(offset)
    return starts


def split_blocks(text: str) -> list[str]:
    """All top-level blocks of a finished document; joined, they give back ``text`` exactly."""
    starts = block_starts(text)
    if not starts:
        return [text] if text else []
    starts[0] = 0  # leading blank lines belong to the first block
    ends = [*starts[1:], len(text)]
    return [text[a:b] for a, b in zip(starts, ends, strict=True)]


class StreamingBlocks:
    """Tracks a streaming document as frozen blocks plus one live tail block.

    ``append`` returns the blocks that became final with this fragment. ``"".join(frozen) +
    live`` is always exactly the text appended so far.
    """

    def __init__(self) -> None:
        self.frozen: list[str] = []
        self.live = ""

    @property
    def text(self) -> str:
        return "".join(self.frozen) + self.live

    def append(self, fragment: str) -> list[str]:
        self.live += fragment
        starts = block_starts(self.live)
        if starts and "\n" not in self.live[starts[-1] :]:
            # The newest block's first line is unfinished, so what it is can still change
            # ("2" may become "2. item" and continue the list above): keep the one before live.
            starts.pop()
        if len(starts) < 2:
            return []
        starts[0] = 0
        done = [self.live[a:b] for a, b in itertools.pairwise(starts)]
        self.live = self.live[starts[-1] :]
        self.frozen.extend(done)
        return done

    def finish(self) -> list[str]:
        """The stream ended: the live tail is final too. Returns the blocks it held."""
        done = split_blocks(self.live)
        self.frozen.extend(done)
        self.live = ""
        return done
