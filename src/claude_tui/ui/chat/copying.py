"""Select with the mouse, copy with Ctrl+C: the chat screen's part of it.

Ctrl+C copies, whatever has focus: a selection made with the mouse in the conversation first,
else the text selected in the focused input (the prompt), else nothing, and a toast says how
to quit (Ctrl+Q) and how to stop a reply (Esc): Ctrl+C never quits and never stops a reply,
which a user pressing it by reflex, as in a shell, must not lose a reply to.

The copy goes through OSC 52 (``App.copy_to_clipboard``, as ``/copy`` does), so it works in
tmux with ``set-clipboard on`` and over SSH.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

from textual.geometry import Offset
from textual.screen import Screen

if TYPE_CHECKING:
    from textual.widget import Widget

NOTHING_SELECTED = (
    "Nothing is selected: drag the mouse over text to select it, then Ctrl+C. "
    "Ctrl+Q quits · Esc stops a reply."
)


@runtime_checkable
class OffsetsOnDemand(Protocol):
    """A widget whose drawn lines carry no selection offsets, which gives them when asked."""

    def offset_at(self, x: int, y: int) -> Offset: ...


def offset_on_demand(
    widget: Widget | None, offset: Offset | None, x: int, y: int
) -> tuple[Widget | None, Offset | None]:
    """The chat screen's ``get_widget_and_offset_at``, after Textual's own: an offset for a
    widget whose drawn lines carry none (``OffsetsOnDemand``, the Markdown view).

    Textual reads the offset under the pointer from the segment drawn there; carrying one on
    every segment is paid on every line drawn, so the view gives it only when asked, which is
    only while the mouse selects. ``get_widget_and_offset_at`` is public Textual API, and the
    one place Textual's selection looks offsets up."""
    if offset is None and isinstance(widget, OffsetsOnDemand):
        region = widget.content_region
        offset = widget.offset_at(x - region.x, y - region.y)
    return widget, offset


def amount(text: str) -> str:
    """How much ``text`` is, as a toast says it: "3 lines (120 characters)"."""
    lines = text.count("\n") + 1
    noun = "line" if lines == 1 else "lines"
    chars = "character" if len(text) == 1 else "characters"
    return f"{lines:,} {noun} ({len(text):,} {chars})"


def copy_selected(screen: Screen[None]) -> str | None:
    """Ctrl+C: copy the mouse selection, else the focused input's selected text; say what was
    copied, or how to quit and stop a reply when nothing was. Returns what was copied."""
    text = screen.get_selected_text() if screen.selections else None
    if not text:
        focused = screen.focused
        selected = getattr(focused, "selected_text", None)
        text = selected if isinstance(selected, str) else None
    if not text:
        screen.notify(NOTHING_SELECTED, title="Copy", timeout=5)
        return None
    screen.app.copy_to_clipboard(text)  # OSC 52
    screen.notify(f"Copied {amount(text)}", timeout=3)
    return text
