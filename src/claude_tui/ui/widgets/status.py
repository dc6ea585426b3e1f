"""The one-line status above the input: what the reply in flight is doing right now."""

from __future__ import annotations

import time

from textual.content import Content
from textual.widgets import Static

from claude_tui.ui.fit import fit_line

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
STEP = 0.1
"""Seconds per spinner step, at the least: at a lower refresh rate it steps once a frame."""
IDLE_HINT = "Ready · Enter send · Esc stops a reply · Ctrl+B sessions"


class ReplyStatus(Static):
    """ "Claude is writing…", the wait for the first token, or a retry countdown.

    It has no timer of its own: the spinner and the countdown move when the chat screen's
    frame clock calls ``tick`` (in the frame that draws the reply's text, or the clock's
    heartbeat during a stall), so they never cost a frame of their own."""

    DEFAULT_CSS = """
    ReplyStatus {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        &.active { color: $primary; }
        &.retrying { color: $warning; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(IDLE_HINT, id=id, markup=False)
        self._phase = "idle"
        self._retry_until = 0.0
        self._retry_text = ""
        self._frame = 0
        self.queued = 0
        self.note = ""
        """Said after what the reply is doing, while it is (a pause being continued)."""
        self._shown = IDLE_HINT
        self._text = IDLE_HINT  # as composed; ``_shown`` is it fitted to the width
        self._stepped_at = 0.0

    @property
    def phase(self) -> str:
        """``idle``, ``waiting``, ``writing`` or ``retrying``."""
        return self._phase

    def waiting(self) -> None:
        self._set("waiting")

    def writing(self) -> None:
        self._set("writing")

    def retrying(self, reason: str, delay: float, attempt: int, max_attempts: int) -> None:
        self._retry_until = time.monotonic() + delay
        self._retry_text = f"{reason} · attempt {attempt} of {max_attempts}"
        self._set("retrying", again=True)

    def idle(self) -> None:
        """Always one row, so the conversation above never changes height between replies."""
        self._phase = "idle"
        self.remove_class("active", "retrying")
        self._show(IDLE_HINT)

    def tick(self, now: float) -> None:
        """A frame of the clock: the spinner steps if its step is due (``STEP``)."""
        if self._phase != "idle" and now - self._stepped_at >= STEP * 0.9:
            self._stepped_at = now
            self._frame = (self._frame + 1) % len(SPINNER)
        self._draw()

    def _set(self, phase: str, *, again: bool = False) -> None:
        if phase == self._phase and not again:
            return
        self._phase = phase
        self.add_class("active")
        self.set_class(phase == "retrying", "retrying")
        self._draw()

    def _draw(self) -> None:
        spin = SPINNER[self._frame]
        if self._phase == "waiting":
            text = f"{spin} Waiting for Claude…"
        elif self._phase == "writing":
            text = f"{spin} Claude is writing…"
        elif self._phase == "retrying":
            left = max(0.0, self._retry_until - time.monotonic())
            text = f"{spin} {self._retry_text} · retrying in {left:.0f} s"
        else:
            return
        if self.note:
            text += f" · {self.note}"
        hint = "Esc to stop"
        if self.queued:
            hint += f" · {self.queued} queued"
        self._show(f"{text}   {hint}")

    def _show(self, text: str) -> None:
        """Redraw the one row; it never changes height, so no layout of the screen. On a
        narrow screen the hints go, whole, before anything is cut (``fit_line``)."""
        self._text = text
        fitted = fit_line(text, self.content_region.width or len(text))
        if fitted != self._shown:
            self._shown = fitted
            self.update(Content(fitted), layout=False)

    def on_resize(self) -> None:
        self._show(self._text)
