"""Rows of a code block that know which of their characters are code, and its number.

A code block is drawn on a background with a column of padding at either side, and a long
line wraps onto several rows. A selection copied from it must give the code itself: no
padding, indentation kept, a wrapped line joined back into one. So each row of a code block is
a ``CodeLine``, a ``Strip`` that also says where its code starts and ends (in characters of
its text, as selection offsets count), and whether it continues the row above or is padding.

Which characters are code is known exactly, not guessed from spaces: each source line is
marked (a Rich style ``meta``) before Rich's ``Syntax`` wraps it, and the marks are read off
the rows and removed, so no drawn line keeps them. It costs only when a block is rendered,
which happens once (lines are cached).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import NamedTuple

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax
from rich.text import Text
from textual.strip import Strip

CODE_LINE = "claude_tui.code_line"
"""The ``meta`` key marking a source line's characters while ``Syntax`` wraps them."""

CODE_ROW = "claude_tui.code_row"
"""The ``meta`` key marking a rendered code row inside a Markdown block (see ``mark_row``)."""

NUMBER_ROOM = 3
"""Columns of padding at the right of every code row: room for the block's number on its
first row ("12" and a space before it) without ever covering code."""


class CodeLine(Strip):
    """A row of a code block: a strip, and where its code is.

    ``start`` and ``end`` are character offsets into ``text`` (selection offsets count
    characters); ``box_end`` is where the block's background ends (the number is drawn just
    before it). ``joins`` is set on a row that continues the source line of the row above (a
    wrapped line); ``pad`` on a padding row, which holds no code.
    """

    __slots__ = ("box_end", "end", "joins", "pad", "start")

    def __init__(
        self,
        segments: Iterable[Segment],
        cell_length: int | None = None,
        *,
        start: int = 0,
        end: int = 0,
        box_end: int = 0,
        joins: bool = False,
        pad: bool = False,
    ) -> None:
        super().__init__(segments, cell_length)
        self.start, self.end, self.box_end = start, end, box_end
        self.joins, self.pad = joins, pad

    def like(self, strip: Strip) -> CodeLine:
        """``strip`` (this row redrawn: a cursor or a number added) with this row's code."""
        return CodeLine(
            strip,
            strip.cell_length,
            start=self.start,
            end=self.end,
            box_end=self.box_end,
            joins=self.joins,
            pad=self.pad,
        )


class RowInfo(NamedTuple):
    """Where a code row's code is, relative to the row's own first character."""

    start: int
    end: int
    length: int
    joins: bool
    pad: bool


_LINE_MARKS = (Style.from_meta({CODE_LINE: 0}), Style.from_meta({CODE_LINE: 1}))
"""Two marks, taken in turn by the non-empty source lines: a row whose mark is the row
above's continues its line (lines with the same mark always have another line between,
whose row resets the comparison). Two, not one per line: Rich caches combined styles."""


class RowSyntax(Syntax):
    """Rich's ``Syntax``, with each source line's characters marked so the rows it wraps into
    can be told apart (see ``syntax_rows``)."""

    def highlight(self, code: str, line_range: tuple[int | None, int | None] | None = None) -> Text:
        text = super().highlight(code, line_range)
        offset = marked = 0
        for line in text.plain.split("\n"):
            if line:
                text.stylize(_LINE_MARKS[marked % 2], offset, offset + len(line))
                marked += 1
            offset += len(line) + 1
        return text


@lru_cache(maxsize=1024)
def _read_mark(style: Style) -> tuple[int | None, Style]:
    """The line mark ``style`` carries (None if none), and ``style`` without its marks
    (interned: equal styles give the same object). Cached: reading ``meta`` unpickles it."""
    plain = style.clear_meta_and_links()
    return style.meta.get(CODE_LINE), _INTERNED.setdefault(plain, plain)


_INTERNED: dict[Style, Style] = {}


def syntax_rows(
    console: Console, options: ConsoleOptions, syntax: RowSyntax
) -> list[tuple[list[Segment], RowInfo]]:
    """``syntax`` rendered to rows at ``options``' width, marks removed, each row with where
    its code is."""
    top, _right, bottom, left = syntax.padding
    rows = console.render_lines(syntax, options, pad=True)
    out: list[tuple[list[Segment], RowInfo]] = []
    previous: int | None = None
    last = len(rows) - bottom
    for index, row in enumerate(rows):
        line: int | None = None
        code = length = 0
        for position, segment in enumerate(row):
            text, style, control = segment
            length += len(text)
            # ``_meta`` (Rich's pickled meta, or None) as Textual's compositor reads it: the
            # public ``meta`` unpickles it on every call.
            if style is not None and style._meta is not None:
                mark, plain = _read_mark(style)
                if mark is not None:
                    if line is None:
                        line = mark
                    code += len(text)
                row[position] = Segment(text, plain, control)
        pad = index < top or index >= last
        joins = line is not None and line == previous
        if line is not None:
            previous = line
        elif not pad:
            previous = None  # an empty source line: the next row starts a line of its own
        out.append((row, RowInfo(left, left + code, length, joins, pad)))
    return out


def mark_row(segments: list[Segment], info: RowInfo) -> list[Segment]:
    """``segments`` with ``info`` carried on the first one, to be found again by
    ``take_row_mark`` once Rich's Markdown has placed the row among its lines."""
    if not segments:
        return segments
    text, style, control = segments[0]
    mark = Style.from_meta({CODE_ROW: tuple(info)})
    return [Segment(text, style + mark if style else mark, control), *segments[1:]]


def take_row_mark(segments: Sequence[Segment]) -> tuple[list[Segment], RowInfo, int] | None:
    """If ``segments`` (a line) holds a marked code row: the line without the mark, the
    row's ``RowInfo`` and the character offset at which the row starts."""
    chars = 0
    for index, (text, style, control) in enumerate(segments):
        if style is not None and style._meta is not None:
            info = style.meta.get(CODE_ROW)
            if info is not None:
                line = list(segments)
                line[index] = Segment(text, _read_mark(style)[1], control)
                return line, RowInfo(*info), chars
        chars += len(text)
    return None


def code_line(segments: list[Segment], width: int, info: RowInfo, at: int = 0) -> CodeLine:
    """A ``CodeLine`` of ``segments``, its row starting at character ``at``."""
    return CodeLine(
        segments,
        width,
        start=at + info.start,
        end=at + info.end,
        box_end=at + info.length,
        joins=info.joins,
        pad=info.pad,
    )


def number_code_blocks(lines: list[Strip], start: int, first: int) -> int:
    """Draw each code block's number on its first row, for the blocks that begin in
    ``lines[start:]``, numbered from ``first``; returns how many there were. A block begins
    at a code row that does not follow another (blocks are always apart). A block with no
    code is not numbered: its blank rows are not drawn at the edge of a Markdown block, and
    ``/copy code N`` does not count it either."""
    count = 0
    previous = lines[start - 1] if start > 0 else None
    for index in range(start, len(lines)):
        line = lines[index]
        if (
            isinstance(line, CodeLine)
            and not isinstance(previous, CodeLine)
            and _has_code(lines, index)
        ):
            lines[index] = with_number(line, first + count)
            count += 1
        previous = line
    return count


def _has_code(lines: list[Strip], index: int) -> bool:
    """Whether the code block whose first row is ``lines[index]`` holds any code."""
    for line in lines[index:]:
        if not isinstance(line, CodeLine):
            return False
        if line.text[line.start : line.end].strip():
            return True
    return False


def with_number(line: CodeLine, number: int) -> CodeLine:
    """``line`` with ``number`` drawn dim at the right of the block over its padding, a blank
    cell before it: never over code (a number too wide for the room is not drawn)."""
    label = str(number)
    text = line.text
    right = cell_len(text[: line.box_end])
    code_end = cell_len(text[: line.end])
    for gap in (1, 0):  # a blank cell after the number too, if there is room
        left = right - gap - len(label)
        if left - 1 < code_end or line.crop(left - 1, right - gap).text.strip():
            continue
        style = _style_at(line, left)
        dim = Style(dim=True)
        number_strip = Strip([Segment(label, style + dim if style else dim)])
        drawn = Strip.join([line.crop(0, left), number_strip, line.crop(left + len(label))])
        return line.like(drawn)
    return line


def _style_at(line: Strip, cell: int) -> Style | None:
    """The style of the cell at ``cell``."""
    position = 0
    for segment in line:
        position += segment.cell_length
        if position > cell:
            return segment.style
    return None
