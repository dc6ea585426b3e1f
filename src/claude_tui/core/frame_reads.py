"""Reading a streamed reply once a frame: the runner thread's cost follows the refresh rate.

The API sends a reply as many small events (a token or a few each). Read as they arrive, each
one wakes the runner's loop: a socket read through httpx, the SSE decoder's generators, a
timer re-armed. At 80 tokens a second that was about 4 % of a core, whatever the refresh rate,
although the UI is handed the text only ``refresh_rate`` times a second.

So once text flows, the body is read once a frame: between frames the runner sleeps and the
events pile up in the socket's buffer, and at the frame one read takes them all, the runner
reads them, and hands them on (``flush``). Nothing shows later than it did: text read as it
arrived waited for the next flush anyway. What is not paced:

- everything before the first visible text (the first token shows at once, whatever the rate);
- the end of the reply (after ``message_stop`` the rest is read at once);
- a burst: when more piled up than a frame's time reads, the next read is at once.

A stall costs nothing extra: when nothing has piled up by the frame, what is pending is handed
on, and the read waits for data as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

PILED_UP = 0.002
"""Seconds a read at a frame may take to return what piled up meanwhile, before what is
pending is handed on without it (a stall, or text that has not arrived yet)."""


class FramePacer:
    """When the runner reads: ``wanted`` says whether to pace at all now, ``flush`` hands on what
    has been read. Used by one runner's loop; ``set_rate`` may be called from its loop only
    (the runner forwards a rate from other threads with ``call_soon_threadsafe``)."""

    def __init__(
        self, refresh_rate: float, *, wanted: Callable[[], bool], flush: Callable[[], None]
    ) -> None:
        self._interval = _interval(refresh_rate)
        self._wanted = wanted
        self._flush = flush
        self._due = 0.0  # the next frame (monotonic)
        self._waited = False  # the read in progress had to wait (``_waiting`` ran)
        self._changed = asyncio.Event()

    def set_rate(self, refresh_rate: float) -> None:
        """Frames a second from now on; a sleep through a long frame ends at once."""
        self._interval = _interval(refresh_rate)
        self._due = min(self._due, time.monotonic() + self._interval)
        self._changed.set()

    def body(self, response: Any) -> _PacedBody:
        """``response`` with an ``aiter_bytes`` that reads once a frame (for ``raw_events``)."""
        return _PacedBody(response, self)

    async def chunks(self, source: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        behind = False
        while True:
            if not self._wanted():
                chunk = await anext(source, None)
                if chunk is None:
                    return
                yield chunk
                continue
            if not behind:
                await self._sleep_until_due()
            # What piled up since the last frame: HTTP chunks already received come back at
            # once, one by one (httpx hands on one chunk of the body a read). A read that has
            # to wait means the pile is read: what is pending goes at once (``_waiting``) and
            # what comes next waits for the next frame. A server ahead of us (a burst) is read
            # a frame's time at a time, without sleeping.
            until = time.monotonic() + self._interval
            behind = waited = False
            while self._wanted() and not waited:
                if time.monotonic() >= until:
                    behind = True
                    break
                self._waited = False
                timer = loop.call_later(PILED_UP, self._waiting)
                try:
                    chunk = await anext(source, None)
                finally:
                    timer.cancel()
                if chunk is None:
                    return
                waited = self._waited
                yield chunk
            if not waited or time.monotonic() >= self._due:
                self._frame()

    def _waiting(self) -> None:
        """A read at a frame found nothing piled up: hand on what is pending now."""
        self._waited = True
        self._frame()

    def _frame(self) -> None:
        self._flush()
        self._due = time.monotonic() + self._interval

    async def _sleep_until_due(self) -> None:
        while (left := self._due - time.monotonic()) > 0:
            self._changed.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), left)


class _PacedBody:
    """A response whose body is read through a ``FramePacer``."""

    def __init__(self, response: Any, pacer: FramePacer) -> None:
        self._response = response
        self._pacer = pacer

    def aiter_bytes(self) -> AsyncIterator[bytes]:
        return self._pacer.chunks(aiter(self._response.aiter_bytes()))


def _interval(refresh_rate: float) -> float:
    return 1.0 / max(0.1, refresh_rate)
