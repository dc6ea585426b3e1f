"""What the app knows now of each model's capabilities, and when to ask the Models API again.

A request is shaped by the best answer known at the moment it is sent, and never waits for a
better one: the API's answer of this run, else the one kept on disk (``capability_cache``), else
the built-in table. The book holds those answers and decides when a lookup is worth starting
(the answer is the table's or is stale, none is in flight for that model, and the last one did
not just fail); running the lookup is the caller's job, in a worker thread.

The book does no I/O and is safe to call from any thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping

from claude_tui.core.capabilities import CapabilitySource, ModelCapabilities, builtin_capabilities
from claude_tui.core.capability_cache import CACHE_TTL, is_fresh

RETRY_AFTER_FAILURE = 60.0
"""Seconds before a model whose lookup failed is asked about again. Offline, every send would
otherwise start a lookup that can only time out."""


class CapabilityBook:
    def __init__(self, clock: Callable[[], float] = time.time, ttl: float = CACHE_TTL) -> None:
        self._clock = clock
        self._ttl = ttl
        self._answers: dict[str, ModelCapabilities] = {}
        """The API's answers, of this run or from the disk cache."""
        self._failures: dict[str, tuple[float, ModelCapabilities]] = {}
        """The table's answer, with the reason, for a model whose last lookup failed, and when."""
        self._in_flight: set[str] = set()
        self._loaded = False
        self._lock = threading.Lock()

    @property
    def loaded(self) -> bool:
        """Whether the disk cache has been read (or given up on). Until then no lookup starts:
        the disk may already hold a fresh answer."""
        return self._loaded

    def known(self, model: str) -> ModelCapabilities:
        """The best answer for ``model`` now; the built-in table's when there is no other."""
        with self._lock:
            answer = self._answers.get(model)
            if answer is not None:
                return answer
            failed = self._failures.get(model)
        return failed[1] if failed is not None else builtin_capabilities(model)

    def adopt(self, answers: Mapping[str, ModelCapabilities]) -> list[ModelCapabilities]:
        """Take the disk cache's answers (once read) where nothing newer is known; the book is
        loaded from now on. Returns the answers that changed what is known."""
        adopted: list[ModelCapabilities] = []
        with self._lock:
            self._loaded = True
            for model, caps in answers.items():
                if caps.fetched_at is None:
                    continue
                current = self._answers.get(model)
                if current is None or (current.fetched_at or 0.0) < caps.fetched_at:
                    self._answers[model] = caps
                    adopted.append(caps)
        return adopted

    def claim(self, model: str) -> bool:
        """Whether to look ``model`` up now; if so, it counts as in flight until :meth:`settle`
        (one lookup per model at a time)."""
        if not model:
            return False
        now = self._clock()
        with self._lock:
            if not self._loaded or model in self._in_flight:
                return False
            answer = self._answers.get(model)
            if answer is not None and is_fresh(answer, now, self._ttl):
                return False
            failed = self._failures.get(model)
            if failed is not None and 0.0 <= now - failed[0] < RETRY_AFTER_FAILURE:
                return False
            self._in_flight.add(model)
            return True

    def settle(self, caps: ModelCapabilities) -> ModelCapabilities:
        """Record a lookup's outcome (an API answer, or the table's with the reason it failed);
        returns what is known of that model now. A failure does not replace an earlier API
        answer: yesterday's answer is likelier right than the table."""
        model = caps.model
        with self._lock:
            self._in_flight.discard(model)
            if caps.source is CapabilitySource.BUILTIN:
                self._failures[model] = (self._clock(), caps)
            else:
                self._answers[model] = caps
                self._failures.pop(model, None)
        return self.known(model)

    def in_flight(self) -> Iterable[str]:
        """The models being looked up now."""
        with self._lock:
            return tuple(self._in_flight)
