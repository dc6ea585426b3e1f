"""The one-line status above the input: what the reply in flight is doing right now."""

from __future__ import annotations

import time

from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from claude_tui.ui.fit import fit_line

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
TICK = 0.1
"""Seconds per spinner frame."""
IDLE_HINT = "Ready · Enter send · Esc stops a reply · Ctrl+B sessions"


class ReplyStatus(Static):
    """ "Claude is writing…", the wait for the first token, or a retry countdown."""

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
        self._phase = "waiting"
        self._retry_until = 0.0
        self._retry_text = ""
        self._frame = 0
        self._timer: Timer | None = None
        self.queued = 0
        self._shown = IDLE_HINT
        self._text = IDLE_HINT  # as composed; ``_shown`` is it fitted to the width
        self._ticked_at = 0.0
        self._batch_at = 0.0  # the last batch of text (``writing``)

    def on_mount(self) -> None:
        self._timer = self.set_interval(TICK, self._on_timer, pause=True)

    def waiting(self) -> None:
        self._set("waiting")

    def writing(self) -> None:
        """Called with every batch of text: the spinner moves in the batch's own frame when
        it is due, so the timer adds no repaint of its own while text flows."""
        self._batch_at = time.monotonic()
        if self._phase != "writing":
            self._set("writing")
        else:
            self._tick_if_due()

    def retrying(self, reason: str, delay: float, attempt: int, max_attempts: int) -> None:
        self._retry_until = time.monotonic() + delay
        self._retry_text = f"{reason} · attempt {attempt} of {max_attempts}"
        self._set("retrying")

    def idle(self) -> None:
        """Always one row, so the conversation above never changes height between replies."""
        self._phase = "idle"
        self.remove_class("active", "retrying")
        if self._timer is not None:
            self._timer.pause()
        self._show(IDLE_HINT)

    def _set(self, phase: str) -> None:
        self._phase = phase
        self.add_class("active")
        self.set_class(phase == "retrying", "retrying")
        if self._timer is not None:
            self._timer.resume()
        self._tick()

    def _on_timer(self) -> None:
        """The spinner moves by itself only when no batch of text moves it: the timer firing
        just before a batch that was due would be a frame of its own."""
        if self._phase != "writing" or time.monotonic() - self._batch_at >= TICK:
            self._tick_if_due()

    def _tick_if_due(self) -> None:
        if time.monotonic() - self._ticked_at >= TICK * 0.9:
            self._tick()

    def _tick(self) -> None:
        self._ticked_at = time.monotonic()
        self._frame = (self._frame + 1) % len(SPINNER)
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
