"""Textual's "wait until the app is idle", judged by the app's own thread.

``Pilot.press`` and ``Pilot.pause`` wait until the *process* uses under a millisecond of CPU
in a 20 ms window, for up to a second. Here the local Messages-API server, the stream runner
and the SQLite workers share the process, so it seldom looks idle: a tenth of the suite's
time went in these waits. The app under test runs on the test's own event loop, so its
thread's CPU time says whether it has finished its work; threads that work meanwhile report
back through messages, which tests wait for with ``wait_until``.
"""

from __future__ import annotations

from asyncio import sleep
from time import monotonic, thread_time

import textual.app
import textual.pilot
from textual._wait import SLEEP_GRANULARITY, SLEEP_IDLE


async def wait_for_idle(min_sleep: float = SLEEP_GRANULARITY, max_sleep: float = 1) -> None:
    """``textual._wait.wait_for_idle``, counting only this thread's CPU time."""
    start = monotonic()
    while True:
        cpu = thread_time()
        await sleep(SLEEP_GRANULARITY)
        busy = thread_time() - cpu
        elapsed = monotonic() - start
        if elapsed >= max_sleep or (elapsed > min_sleep and busy < SLEEP_IDLE):
            return


def install() -> None:
    """Use it wherever Textual's pilot and key presses wait for idle."""
    textual.app.wait_for_idle = wait_for_idle  # type: ignore[attr-defined]
    textual.pilot.wait_for_idle = wait_for_idle  # type: ignore[attr-defined]
