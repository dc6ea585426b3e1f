"""Render one Markdown block to terminal lines, styled from the app's theme.

Rich's Markdown renderer is used block by block: it is fast, highlights code fences and draws
tables, and a block's lines can be cached by (source, width) so a finished block is never
rendered twice. Links are never emitted as terminal hyperlinks: their targets are model output.
A block is parsed with the reply's link reference definitions that it can use (``core.mdrefs``),
and those are part of its cache key; images are drawn as text (``images``). The Rich elements,
parser and styles a block is drawn with are in ``elements``.
"""

from __future__ import annotations

import io
import re
from collections import OrderedDict
from collections.abc import Mapping

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from claude_tui.core.mdrefs import NONE, Definitions, Relevant, relevant
from claude_tui.ui.widgets.markdown.code_rows import (
    NUMBER_ROOM,
    CodeLine,
    RowSyntax,
    code_line,
    syntax_rows,
    take_row_mark,
)
from claude_tui.ui.widgets.markdown.elements import ChatMarkdown, lexer_for, rich_colour, rich_theme

FENCE_CHUNK = 8
"""Lines of a streaming code fence rendered together once they are all written (see
``render_live``): a chunk highlights its lines in context, which one line alone cannot do
for a multi-line string; highlighting costs about 0.5 ms a line here."""

THREADED_FINAL_LINES = 40
"""A finished tail block longer than this is rendered whole in a thread (see ``MarkdownView``)."""


_FENCE_OPEN = re.compile(r"(`{3,}|~{3,})[ \t]*([^\s`]*)[^\n]*\n")
_FENCE_CLOSE = re.compile(r" {0,3}(`{3,}|~{3,})[ \t\r]*")
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)", re.MULTILINE)
"""A top-level list item's first line (a nested one is indented)."""


_Key = tuple[str, int, Style, Relevant]
"""A render's cache key: the block's source, the width, the base style, and the reference
definitions the block can use."""


class BlockRenderer:
    """Turns a Markdown block into ``Strip``s at a given width, with a bounded cache."""

    CACHE_SIZE = 4096

    def __init__(self, variables: Mapping[str, str], *, dark: bool) -> None:
        self._console = Console(
            file=io.StringIO(),
            theme=rich_theme(variables),
            color_system="truecolor",
            force_terminal=True,
            legacy_windows=False,
            emoji=False,
            highlight=False,
        )
        self._code_theme = "monokai" if dark else "friendly"
        surface = variables.get("surface")
        self._code_background = rich_colour(surface, "default") if surface else None
        self._cache: OrderedDict[_Key, list[Strip]] = OrderedDict()

    def render(
        self, source: str, width: int, base: Style, definitions: Definitions = NONE
    ) -> list[Strip]:
        """``source`` at ``width``; references in it resolved from ``definitions`` (the whole
        reply's), of which only those it can use count, in the render and in the cache key."""
        references = relevant(source, definitions)
        key = (source, width, base, references)
        lines = self._cache.get(key)
        if lines is not None:
            self._cache.move_to_end(key)
            return lines
        lines = self._render(source, width, base, references)
        self._keep(key, lines)
        return lines

    def remember(
        self,
        source: str,
        width: int,
        base: Style,
        lines: list[Strip],
        definitions: Definitions = NONE,
    ) -> None:
        """Put lines rendered elsewhere (another thread's renderer) into the cache."""
        self._keep((source, width, base, relevant(source, definitions)), lines)

    def _keep(self, key: _Key, lines: list[Strip]) -> None:
        self._cache[key] = lines
        if len(self._cache) > self.CACHE_SIZE:
            self._cache.popitem(last=False)

    def render_live(
        self, source: str, width: int, base: Style, definitions: Definitions = NONE
    ) -> list[Strip]:
        """Render the block still being written.

        A code fence is rendered from cached pieces, so a batch of text costs about one line
        of highlighting however long the fence grows: whole chunks of ``FENCE_CHUNK`` lines,
        then each line of the chunk still being written (the last line again with every
        batch). When the block is finished it is rendered whole once (``render``), which
        fixes any highlighting that depended on lines in another piece. The pieces look as
        the whole does: code on the theme's surface, one column of padding at either side.
        """
        match = _FENCE_OPEN.match(source)
        if match is None:
            return self._live_list(source, width, base, definitions)
        marker = match.group(1)
        lines = source[match.end() :].split("\n")
        after = ""  # the block after a closed fence, whose first line is still being written
        for index, line in enumerate(lines):
            close = _FENCE_CLOSE.fullmatch(line)  # indented 4 or more, a marker is code
            if close and close.group(1).startswith(marker):
                after = "\n".join(lines[index + 1 :])
                lines = lines[:index]
                break
        lexer = match.group(2) or "text"
        whole_chunks = max(0, len(lines) - 1) // FENCE_CHUNK
        out: list[Strip] = []
        for chunk in range(whole_chunks):
            code = "\n".join(lines[chunk * FENCE_CHUNK : (chunk + 1) * FENCE_CHUNK])
            out.extend(self._code(code, lexer, width, base))
        writing = lines[whole_chunks * FENCE_CHUNK :]
        while writing and not writing[-1].strip():
            writing.pop()  # as the whole render, which ends the code at its last text
        if writing:
            writing[-1] = writing[-1].rstrip()
        for line in writing:
            out.extend(self._code(line, lexer, width, base))
        following = self.render(after, width, base, definitions)
        if following:
            out.extend([Strip.blank(width, base), *following])
        return out

    def _live_list(
        self, source: str, width: int, base: Style, definitions: Definitions
    ) -> list[Strip]:
        """A list is one block however long it grows, and rendering 30 items took 5 ms: the
        items before the one being written are rendered once (each time an item begins), the
        last one with every batch. Rich draws a list's items one after another, so the two
        parts join exactly as the whole list (loose and nested lists too); the one exception,
        the numbers' width changing at item 10, lasts until the list is rendered whole when
        the block ends. Any other block is rendered whole."""
        last = 0
        if _LIST_ITEM.match(source):
            for item in _LIST_ITEM.finditer(source):
                last = item.start()
        if not last:
            return self.render(source, width, base, definitions)
        head, tail = source[:last], source[last:]
        return self.render(head, width, base, definitions) + self.render(
            tail, width, base, definitions
        )

    def _code(self, code: str, lexer: str, width: int, base: Style) -> list[Strip]:
        key = (f"\0code:{lexer}\0{code}", width, base, ())
        lines = self._cache.get(key)
        if lines is None:
            syntax = RowSyntax(
                code,
                lexer_for(lexer),
                theme=self._code_theme,
                word_wrap=True,
                padding=(0, NUMBER_ROOM, 0, 1),
                background_color=self._code_background,
            )
            options = self._console.options.update_width(max(1, width))
            rows = syntax_rows(self._console, options, syntax)
            lines = [
                code_line(list(Segment.apply_style(row, base)), width, info) for row, info in rows
            ]
            self._keep(key, lines)
        return lines

    def _render(self, source: str, width: int, base: Style, references: Relevant) -> list[Strip]:
        if not source.strip():
            return []
        markdown = ChatMarkdown(source, self._code_theme, references)
        markdown.code_background = self._code_background
        options = self._console.options.update_width(max(1, width))
        rendered = self._console.render_lines(markdown, options, style=base, pad=True)
        if markdown.has_code:
            lines = [_line(line, width, base) for line in rendered]
        else:
            lines = [Strip(Segment.apply_style(line, base), width) for line in rendered]
        # Rich puts blank lines around elements; the view adds exactly one between blocks.
        while lines and not lines[-1].text.strip():
            lines.pop()
        start = 0
        while start < len(lines) and not lines[start].text.strip():
            start += 1
        return lines[start:]


def _line(segments: list[Segment], width: int, base: Style) -> Strip:
    """A rendered line as a ``Strip``, or a ``CodeLine`` if it holds a row of code."""
    marked = take_row_mark(segments)
    if marked is None:
        return Strip(Segment.apply_style(segments, base), width)
    line, info, at = marked
    return code_line(list(Segment.apply_style(line, base)), width, info, at)


def with_cursor(
    lines: list[Strip], cursor: str, style: Style, width: int, base: Style
) -> list[Strip]:
    """``lines`` with the streaming cursor just after the last visible character.

    The cursor is drawn onto the rendered lines rather than put into the Markdown source, so it
    shows wherever the text ends: in a paragraph, a code fence or after a table row.
    """
    cursor_segment = Segment(cursor, style)
    if not lines:
        return [Strip([cursor_segment], 1).extend_cell_length(width, base)]
    # the last line with text: a code block ends in a padding line that has none
    index = len(lines) - 1
    while index > 0 and not lines[index].text.strip():
        index -= 1
    head, tail = _split_after_text(lines[index])
    used = head.cell_length
    if used + 1 >= width:
        extra = Strip([cursor_segment], 1).extend_cell_length(width, base)
        return [*lines[: index + 1], extra, *lines[index + 1 :]]
    marked = Strip.join([head, Strip([cursor_segment], 1), tail.crop(1)])
    row = lines[index]
    if isinstance(row, CodeLine):  # still a row of code: the cursor is not code
        marked = row.like(marked)
    return [*lines[:index], marked, *lines[index + 1 :]]


def _split_after_text(line: Strip) -> tuple[Strip, Strip]:
    """``line`` cut just after its last visible character, and the blank cells after it.

    Cut by characters, not by cells: a cell count can fall inside an emoji sequence (``👩🏾‍💻``
    is as wide as ``👩🏾``), and cropping there would lose the rest of it."""
    segments = list(line)
    for index in range(len(segments) - 1, -1, -1):
        text, style, control = segments[index]
        kept = text.rstrip()
        if kept:
            head = Strip([*segments[:index], Segment(kept, style, control)])
            tail = [Segment(text[len(kept) :], style, control), *segments[index + 1 :]]
            return head, Strip(tail, line.cell_length - head.cell_length)
    return Strip([]), line


def warm_up_renderer() -> None:
    """Render a small code block once, off the UI thread, so the first real one does not pay
    for importing Pygments and its lexers and styles."""
    renderer = BlockRenderer({}, dark=True)
    renderer.render("# t\n\n```python\nx = 1\n```\n\n| a |\n|---|\n| 1 |\n", 40, Style())
