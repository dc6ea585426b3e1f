"""Split streaming Markdown into finished top-level blocks and a live tail.

Re-laying out a whole growing document for every batch makes rendering cost grow faster than the
text. A top-level block (paragraph, list, fence, table, quote…) cannot change once the next one
has begun, so it can be rendered once and frozen; only the last block is live and re-rendered as
text arrives. ``markdown-it-py`` (the parser Textual and Rich use) finds the block boundaries.
"""

from __future__ import annotations

import itertools
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

from claude_tui.core.mdrefs import NONE, Definition, Definitions, merge

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # Imported on first use, not at start-up, which shows no Markdown (the app imports it in a
    # warm-up thread once the first frame is drawn).
    from markdown_it import MarkdownIt

    # Only block structure is needed here: without the inline pass (links, emphasis,
    # strikethrough pairing) a parse costs about half as much, and block boundaries do not
    # depend on it. Link reference definitions are found by a block rule, so they still are.
    return MarkdownIt("commonmark").enable("table").disable(["inline", "text_join"])


class _Scan(NamedTuple):
    starts: list[int]
    """Character offsets at which each top-level block begins."""
    definitions: list[tuple[int, bool, str, Definition]]
    """Each label's first definition: where it begins, whether all its lines are ended (a
    definition still being written, ``[a]: https://exa``, is not used yet), label, definition."""


def _scan(text: str) -> _Scan:
    """One parse of ``text``: where its blocks begin, and its link reference definitions (which
    produce no token, so they belong to the block before them; see ``core.mdrefs``)."""
    line_offsets = [0]
    newline = text.find("\n")
    while newline != -1:
        line_offsets.append(newline + 1)
        newline = text.find("\n", newline + 1)
    env: dict[str, Any] = {}
    starts: list[int] = []
    for token in _parser().parse(text, env):
        if token.level == 0 and token.nesting >= 0 and token.map is not None:
            line = token.map[0]
            offset = line_offsets[line] if line < len(line_offsets) else len(text)
            if not starts or offset > starts[-1]:
                starts.append(offset)
    definitions = []
    for label, found in env.get("references", {}).items():
        first, end = found["map"]
        offset = line_offsets[first] if first < len(line_offsets) else len(text)
        definitions.append(
            (offset, end < len(line_offsets), label, (found["href"], found["title"]))
        )
    return _Scan(starts, definitions)


def block_starts(text: str) -> list[int]:
    """Character offsets at which each top-level block of ``text`` begins."""
    return _scan(text).starts


def _split(text: str, scan: _Scan) -> list[str]:
    starts = list(scan.starts)
    if not starts:
        return [text] if text else []
    starts[0] = 0  # leading blank lines belong to the first block
    ends = [*starts[1:], len(text)]
    return [text[a:b] for a, b in zip(starts, ends, strict=True)]


def split_blocks(text: str) -> list[str]:
    """All top-level blocks of a finished document; joined, they give back ``text`` exactly."""
    return _split(text, _scan(text))


class StreamingBlocks:
    """Tracks a streaming document as frozen blocks plus one live tail block.

    ``append`` returns the blocks that became final with this fragment. ``"".join(frozen) +
    live`` is always exactly the text appended so far.

    ``definitions`` are the document's link reference definitions (see ``core.mdrefs``): the
    frozen blocks', then those of the live block whose lines are all written. Found by the
    parse that splits the blocks, so they cost nothing more. The mapping is replaced, never
    changed in place, when it changes (a definition arrives), so a renderer can tell by its
    identity whether lines it rendered with it are still current.
    """

    def __init__(self) -> None:
        self.frozen: list[str] = []
        self.live = ""
        self.definitions: Definitions = NONE
        self._frozen_definitions: dict[str, Definition] = {}

    @classmethod
    def of(cls, text: str) -> StreamingBlocks:
        """A finished document: every block frozen."""
        blocks = cls()
        blocks.live = text
        blocks.finish()
        return blocks

    @property
    def text(self) -> str:
        return "".join(self.frozen) + self.live

    def append(self, fragment: str) -> list[str]:
        self.live += fragment
        scan = _scan(self.live)
        starts = scan.starts
        if starts and "\n" not in self.live[starts[-1] :]:
            # The newest block's first line is unfinished, so what it is can still change
            # ("2" may become "2. item" and continue the list above): keep the one before live.
            starts.pop()
        if len(starts) < 2:
            self._take_definitions(scan, 0)
            return []
        starts[0] = 0
        done = [self.live[a:b] for a, b in itertools.pairwise(starts)]
        self._take_definitions(scan, starts[-1])
        self.live = self.live[starts[-1] :]
        self.frozen.extend(done)
        return done

    def _take_definitions(self, scan: _Scan, cut: int) -> None:
        """The definitions ``scan`` found in the live text: those before ``cut`` are frozen
        with their blocks; the others are used once written to the end of their lines (the
        destination is then known) and are looked at again with every fragment."""
        live: dict[str, Definition] = {}
        for offset, finished, label, definition in scan.definitions:
            if offset < cut:
                self._frozen_definitions.setdefault(label, definition)
            elif finished:
                live[label] = definition
        definitions = merge(self._frozen_definitions, live)
        if definitions != self.definitions:
            self.definitions = definitions

    def final(self) -> tuple[list[str], Definitions]:
        """What ``finish`` will make of the live tail, changing nothing: its blocks, and the
        document's definitions then (for rendering the tail elsewhere first)."""
        scan = _scan(self.live)
        found = {label: definition for _, _, label, definition in scan.definitions}
        return _split(self.live, scan), merge(self._frozen_definitions, found)

    def finish(self) -> list[str]:
        """The stream ended: the live tail is final too. Returns the blocks it held."""
        scan = _scan(self.live)
        done = _split(self.live, scan)
        self._take_definitions(scan, len(self.live) + 1)  # all of it is frozen
        self.frozen.extend(done)
        self.live = ""
        return done
