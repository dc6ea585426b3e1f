"""Keeping the app's knowledge of model capabilities current, in the background.

The book (``core.capability_book``) answers at once with what is known; this runs the work that
improves it, always in thread workers, never on the event loop: reading the disk cache once at
start-up (after the first frame, in a thread worker), and a ``GET /v1/models/{id}`` (in a daemon
thread, so a stalled one never holds up quitting) whenever the answer for a model in use is the
built-in table's or stale. Each new answer is posted to the screens as an
:class:`CapabilityRefresh.Updated` message, so what depends on it (the picker's summary, the
context gauge) can follow.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.app import App
from textual.message import Message

from claude_tui.core.capabilities import (
    CapabilitySource,
    ModelCapabilities,
    builtin_capabilities,
)
from claude_tui.core.capability_book import CapabilityBook
from claude_tui.core.capability_cache import CapabilityCache
from claude_tui.core.capability_lookup import lookup_capabilities
from claude_tui.core.client import ApiSettings
from claude_tui.core.defaults import LOOKUP_TIMEOUT

DEMO_CACHE_KEY = "local demo server"
"""The cache's base URL for ``--demo``: its server gets a new port each run, but is the same
server with the same models."""


class CapabilityRefresh:
    @dataclass
    class Updated(Message, bubble=False):
        """What is known of ``capabilities.model`` changed: the API answered, a lookup failed
        (the table's answer now carries the reason), or the disk cache was read."""

        capabilities: ModelCapabilities

    def __init__(
        self,
        app: App[Any],
        api: ApiSettings,
        *,
        cache_key: str | None = None,
        cache: CapabilityCache | None = None,
        clock: Callable[[], float] = time.time,
        timeout: float = LOOKUP_TIMEOUT,
    ) -> None:
        self._app = app
        self._api = api
        self._cache_key = cache_key or api.display_url
        self._cache = cache
        self._clock = clock
        self._timeout = timeout
        self.book = CapabilityBook(clock)
        self._wanted: list[str] = []
        """Models asked for before the disk cache was read: looked up once it has been."""

    def known(self, model: str) -> ModelCapabilities:
        """What ``model`` accepts, as known now; starts a refresh when that is worth it."""
        self.refresh(model)
        return self.book.known(model)

    def refresh(self, model: str) -> None:
        """Look ``model`` up in the background if its answer is the table's or stale (and no
        lookup for it is in flight). Returns at once; from a thread, the UI thread decides."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on the event loop: a worker thread asked
            self._from_thread(self.refresh, model)
            return
        if not self.book.loaded:
            if model and model not in self._wanted:
                self._wanted.append(model)
            return
        if self.book.claim(model):
            # A daemon thread, not a thread worker: a stalled lookup must not hold up quitting
            # (the worker pool is joined at exit, and this call may wait LOOKUP_TIMEOUT).
            back = partial(loop.call_soon_threadsafe, context=contextvars.copy_context())
            threading.Thread(
                target=self._look_up, args=(model, back), name=f"capabilities {model}", daemon=True
            ).start()

    def load(self) -> None:
        """Read the disk cache; in a worker thread, once, at start-up."""
        try:
            cache = self._cache = self._cache or CapabilityCache()
            answers = cache.read(self._cache_key)
        except Exception:  # a cache is never a reason not to start: do without it
            answers = {}
        self._from_thread(self._loaded, answers)

    def _loaded(self, answers: dict[str, ModelCapabilities]) -> None:
        for caps in self.book.adopt(answers):
            self._tell(caps)
        wanted, self._wanted = self._wanted, []
        for model in wanted:
            self.refresh(model)

    def _look_up(self, model: str, back: Callable[..., object]) -> None:
        """In a daemon thread: ask the API, and hand the answer to the UI thread (``back``)."""
        try:
            caps = lookup_capabilities(self._api, model, timeout=self._timeout, clock=self._clock)
        except Exception as exc:  # it never raises; if it did, the model must not stay in flight
            caps = builtin_capabilities(model, note=f"unexpected error: {exc}")
        with contextlib.suppress(RuntimeError):  # the event loop is closed: the app has gone
            back(self._settle, caps)

    def _settle(self, caps: ModelCapabilities) -> None:
        """On the UI thread: record the answer, tell the screens, keep an API answer on disk (in
        a thread worker, which quitting waits for: a write is short, and never left half)."""
        if not self._app.is_running:
            return
        self._tell(self.book.settle(caps))
        cache = self._cache
        if caps.source is CapabilitySource.API and cache is not None:
            self._app.run_worker(
                partial(cache.write, self._cache_key, caps),
                thread=True,
                group="capabilities",
                exit_on_error=False,
            )

    def _tell(self, caps: ModelCapabilities) -> None:
        """Post the news to every screen on the stack: the chat and any dialog above it."""
        for screen in self._app.screen_stack:
            screen.post_message(self.Updated(caps))

    def _from_thread(self, callback: Callable[..., None], *args: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the app has exited: nobody is left to tell
            self._app.call_from_thread(callback, *args)
