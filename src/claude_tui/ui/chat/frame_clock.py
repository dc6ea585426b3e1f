"""The one clock that paces every redraw while a reply streams: ``refresh_rate`` frames a second.

Everything a streaming reply changes on screen (its text, the spinner, the metrics line) is
drawn in one frame, by one callback: the clock's ``draw``. Nothing streaming-related redraws on
a timer of its own, so the frames a second written to the terminal are those of this clock,
and the cost of a stream follows the rate.

Two reasons to draw:

- something new arrived (``request``): drawn as soon as the last frame is ``1 / rate`` old;
- the reply is live but nothing arrives (a stall, the wait for the first token): a heartbeat
  keeps the spinner and the elapsed time moving, ``HEARTBEAT`` apart at the most often (the
  spinner's step, and the tenths the metrics show), or ``1 / rate`` if that is longer.

``request(at_once=True)`` draws without waiting for the frame's slot: used for the first text
of a reply, so the time to first token does not depend on the rate (at rate 2 it would wait up
to half a second after a spinner frame). That is one frame more, once per reply.

Not a timer of Textual's: a Textual ``Timer`` is a task that cannot be moved earlier, and each
frame comes either from new text or from the heartbeat. The clock keeps one asyncio timer
handle, and a due frame runs as a callback on the host's message pump, after the messages
already queued there (so a frame draws every event that arrived before it).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from textual.message_pump import MessagePump

from claude_tui.ui.widgets.metrics import MIN_TICK
from claude_tui.ui.widgets.status import STEP

HEARTBEAT = min(STEP, MIN_TICK)
"""Seconds between frames when nothing new arrives, at the least: as often as the spinner
steps, or the metrics line has something new to show (tenths of a second), and no more."""


def frame_interval(refresh_rate: float) -> float:
    """Seconds between two frames at ``refresh_rate`` (1 to 120 a second)."""
    return 1.0 / max(1.0, min(120.0, refresh_rate))


class FrameClock:
    """Calls ``draw(now)`` at most ``refresh_rate`` times a second, on ``host``'s pump."""

    def __init__(
        self, host: MessagePump, draw: Callable[[float], None], refresh_rate: float
    ) -> None:
        self._host = host
        self._draw = draw
        self.interval = frame_interval(refresh_rate)
        self._last = -1e9  # when the last frame was drawn (monotonic)
        self._not_before = 0.0  # see ``hold_until``
        self._wanted = False  # something new waits for a frame
        self._live = False  # a reply on screen streams: heartbeats too
        self._handle: asyncio.TimerHandle | None = None
        self._due = 0.0  # when ``_handle`` fires
        self._posted = False  # a frame callback is queued on the host
        self._changes: list[Callable[[], None]] = []  # see ``in_next_frame``
        self.frames = 0
        """Frames drawn so far (for tests and benchmarks)."""

    @property
    def live(self) -> bool:
        return self._live

    def set_rate(self, refresh_rate: float) -> None:
        """Frames a second from now on, for the frame already waiting too."""
        self.interval = frame_interval(refresh_rate)
        self._schedule()

    def start(self) -> None:
        """A reply on screen streams: keep drawing (heartbeats) until ``stop``."""
        if not self._live:
            self._live = True
            self._schedule()

    def stop(self) -> None:
        """No reply on screen streams: draw only when asked (changes waiting are made now)."""
        self._live = False
        changes, self._changes = self._changes, []
        for change in changes:
            change()
        self._schedule()

    def request(self, *, at_once: bool = False) -> None:
        """Something new waits to be drawn: in the next frame, or now if ``at_once``."""
        self._wanted = True
        if at_once:
            self._cancel()
            self._post()
        else:
            self._schedule()

    def in_next_frame(self, change: Callable[[], None]) -> None:
        """Make ``change`` to the screen (the title, the sidebar's marker, the footer's keys)
        in the next frame while a reply streams, so it is not a frame of its own; at once when
        none does."""
        if not self._live:
            change()
            return
        self._changes.append(change)
        self.request()

    def hold_until(self, moment: float) -> None:
        """No frame before ``moment`` (monotonic), whatever the rate: the frames of a reply
        arriving faster than it can be drawn are spaced by their own cost (``ReplyStream``)."""
        self._not_before = moment

    # -- scheduling --------------------------------------------------------------------------

    def _next_due(self) -> float | None:
        if self._wanted:
            return max(self._last + self.interval, self._not_before)
        if self._live:
            return self._last + max(self.interval, HEARTBEAT)
        return None

    def _schedule(self) -> None:
        if self._posted:
            return  # the frame already queued schedules the next one
        due = self._next_due()
        if due is None:
            self._cancel()
            return
        if self._handle is not None:
            if abs(self._due - due) < 0.001:
                return
            self._handle.cancel()
        loop = asyncio.get_running_loop()
        delay = due - time.monotonic()
        self._due = due
        self._handle = loop.call_later(max(0.0, delay), self._post)

    def _cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _post(self) -> None:
        self._handle = None
        if not self._posted:
            self._posted = True
            self._host.call_later(self._frame)

    def _frame(self) -> None:
        self._posted = False
        now = time.monotonic()
        self._last = now
        self._wanted = False
        self.frames += 1
        changes, self._changes = self._changes, []
        try:
            for change in changes:
                change()
            self._draw(now)
        finally:
            self._schedule()
