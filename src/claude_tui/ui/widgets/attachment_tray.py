"""The row of attachment chips above the prompt: one chip per file, each with a ✕ to remove it.

The chips are packed into lines here rather than laid out as widgets, because Textual has no
wrapping layout: a line takes chips while they fit the width, the next chip starts a new line, so
many chips wrap (and past ``MAX_LINES`` the tray scrolls) and a 60-column screen shows them all.
The tray takes no height when empty. It only draws what it is given (:meth:`show`) and reports a
click on a ✕ (:class:`AttachmentTray.Remove`); what the chips hold is the chat's business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget

from claude_tui.ui.fit import fit_line

MAX_LINES = 4
"""Lines of chips shown at once; more scroll."""
CLOSE = " ✕"
READING = "reading…"


@dataclass(frozen=True)
class ChipView:
    """What one chip shows: ``key`` names it in :class:`AttachmentTray.Remove`."""

    key: int
    label: str
    """``photo.png · PNG image · 800×600 · 12 KB`` (already made safe to print)."""
    reading: bool = False


def pack(labels: Sequence[str], width: int) -> list[list[tuple[int, str]]]:
    """Lines of ``(index, text)`` chips: each chip is ``" label ✕ "`` (a label too long for
    the width loses its last details, then its name is shortened), one space between chips,
    as many on a line as fit. When they need more than ``MAX_LINES`` lines (some are out of
    view), the last line ends with a count, ``(-1, "19 files")``, so none goes unnoticed."""
    lines = _pack(labels, width, None)
    if len(lines) > MAX_LINES:
        lines = _pack(labels, width, f"{len(labels)} files")
    return lines


def _pack(labels: Sequence[str], width: int, count: str | None) -> list[list[tuple[int, str]]]:
    lines: list[list[tuple[int, str]]] = []
    used = width + 1  # forces a first line
    room = max(width - cell_len(CLOSE) - 2, 4)
    texts = [(index, f" {fit_line(label, room)}{CLOSE} ") for index, label in enumerate(labels)]
    if count is not None:  # last: the tray keeps its end, the newest chip, in view
        texts.append((-1, count))
    for index, text in texts:
        need = cell_len(text) + (1 if used else 0)
        if not lines or used + need > width:
            lines.append([])
            used, need = 0, cell_len(text)
        lines[-1].append((index, text))
        used += need
    return lines


class ChipRows(Widget):
    """The chips themselves, as many lines as they need."""

    DEFAULT_CSS = """
    ChipRows { height: auto; width: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.chips: tuple[ChipView, ...] = ()
        self._closes: list[tuple[int, int, int, int]] = []
        """Where each ✕ is: ``(line, first column, last column, key)``."""

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return len(pack([chip.label for chip in self.chips], width))

    def render(self) -> Content:
        width = self.content_region.width or self.size.width
        lines = pack([chip.label for chip in self.chips], width)
        self._closes = []
        rows: list[Content] = []
        for number, line in enumerate(lines):
            row = Content("")
            for index, text in line:
                if row.cell_length:
                    row = row.append(" ")
                if index < 0:
                    row = row.append(Content.styled(text, "bold $text-accent"))
                    continue
                chip = self.chips[index]
                style = "$text-muted on $panel italic" if chip.reading else "$foreground on $panel"
                body = text[: -len(CLOSE) - 1]
                close_at = row.cell_length + cell_len(body)
                row = row.append(Content.styled(body, style))
                row = row.append(Content.styled(CLOSE + " ", "bold $error on $panel"))
                self._closes.append((number, close_at, close_at + cell_len(CLOSE) + 1, chip.key))
            rows.append(row)
        return Content("\n").join(rows)

    def key_at(self, x: int, y: int) -> int | None:
        """The chip whose ✕ is at ``(x, y)`` (content offsets), if any."""
        for line, first, last, key in self._closes:
            if y == line and first <= x < last:
                return key
        return None

    def on_click(self, event: events.Click) -> None:
        key = self.key_at(event.x, event.y)
        if key is not None:
            event.stop()
            self.post_message(AttachmentTray.Remove(key))


class AttachmentTray(VerticalScroll, can_focus=False):
    """The chips, above the prompt; no height while there are none."""

    DEFAULT_CSS = f"""
    AttachmentTray {{
        display: none;
        height: auto;
        max-height: {MAX_LINES};
        padding: 0 0;
        scrollbar-size-vertical: 1;
        &.shown {{ display: block; }}
    }}
    """

    @dataclass
    class Remove(Message):
        """The ✕ of the chip ``key`` was clicked."""

        key: int

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.rows = ChipRows()

    def compose(self) -> ComposeResult:
        yield self.rows

    @property
    def chips(self) -> tuple[ChipView, ...]:
        return self.rows.chips

    def on_resize(self) -> None:
        if self.chips:  # the chips wrap anew: the newest stays in view
            self.call_after_refresh(self.scroll_end, animate=False)

    def show(self, chips: Sequence[ChipView]) -> None:
        """Draw ``chips`` (none hides the tray), the newest in view."""
        self.rows.chips = tuple(chips)
        self.set_class(bool(chips), "shown")
        self.rows.refresh(layout=True)
        if chips:
            self.call_after_refresh(self.scroll_end, animate=False)
