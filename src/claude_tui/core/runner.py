"""The stream runner: one request, streamed, turned into typed events, cancellable at any moment.

It runs in a worker thread that owns its own asyncio loop and uses ``AsyncAnthropic``: cancelling
the task ends every phase (waiting for headers, waiting for the first token, a flowing stream, a
stalled stream, a retry wait) within milliseconds and closes the connection, which the sync
client's ``stream.close()`` cannot do for a read that is waiting.

Deltas are coalesced: text is gathered as it arrives and handed to ``emit`` at most
``refresh_rate`` times a second, so the UI's work does not grow with the token rate. Nothing is
dropped; the terminal event also carries the whole text.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from claude_tui.core import defaults
from claude_tui.core.client import ApiSettings, make_async_client
from claude_tui.core.errors import ErrorKind, StreamError, classify
from claude_tui.core.events import (
    Cancelled,
    Failed,
    Finished,
    Retrying,
    Started,
    StreamEvent,
    TerminalEvent,
    TextDelta,
    ThinkingDelta,
    Usage,
)
from claude_tui.core.metrics import StreamMetrics

Emit = Callable[[StreamEvent], None]
ClientFactory = Callable[[ApiSettings], Any]


@dataclass(frozen=True)
class StreamRequest:
    """What to ask for; ``messages`` must already be valid API history."""

    messages: list[dict[str, Any]]
    model: str = defaults.DEFAULT_MODEL
    max_tokens: int = defaults.DEFAULT_MAX_TOKENS
    system: str = defaults.DEFAULT_SYSTEM_PROMPT
    thinking_budget: int | None = None
    temperature: float | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)

    def sdk_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "messages": self.messages,
        }
        if self.system.strip():
            kwargs["system"] = self.system
        if self.thinking_budget:
            kwargs["thinking"] = {"type": "enabled", "budget_tokens": self.thinking_budget}
        if self.temperature is not None:
            # anthropic 2.10.0's messages.create() (and .stream()) take no temperature
            kwargs["extra_body"] = {"temperature": self.temperature}
        if self.extra_headers:
            kwargs["extra_headers"] = self.extra_headers
        return kwargs


@dataclass(frozen=True)
class RunnerSettings:
    refresh_rate: float = defaults.DEFAULT_REFRESH_RATE
    idle_timeout: float = defaults.DEFAULT_IDLE_TIMEOUT
    max_retries: int = defaults.DEFAULT_MAX_RETRIES
    retry_wait_cap: float = defaults.RETRY_WAIT_CAP


def backoff_delay(attempt: int, retry_after: float | None, cap: float) -> float:
    """Seconds to wait before ``attempt`` (2 = the first retry): the server's word if it gave
    one, else 0.5 s doubling up to 8 s; never more than ``cap``."""
    delay = retry_after if retry_after is not None else min(8.0, 0.5 * 2 ** (attempt - 2))
    return max(0.0, min(delay, cap))


DEADLINE_STEP = 0.25
"""Seconds between moves of the idle deadline while events flow (see ``_attempt``)."""


class _Stalled(Exception):
    """No stream event arrived within the idle timeout."""


class StreamRunner:
    """Runs one request to its end. ``run`` blocks (call it from a worker thread); ``cancel``
    may be called from any thread at any time, even before ``run`` starts."""

    def __init__(
        self,
        request: StreamRequest,
        emit: Emit,
        *,
        api: ApiSettings,
        settings: RunnerSettings | None = None,
        client_factory: ClientFactory = make_async_client,
    ) -> None:
        self.request = request
        self._emit = emit
        self._api = api
        self._settings = settings or RunnerSettings()
        self._client_factory = client_factory
        self._lock = threading.Lock()
        self._cancel_requested = False
        self._started = False
        self._terminal: TerminalEvent | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[TerminalEvent] | None = None
        self._metrics = StreamMetrics(model=request.model, started_at=time.monotonic())
        self._text: list[str] = []
        self._thinking: list[str] = []
        self._pending_text: list[str] = []
        self._pending_thinking: list[str] = []
        self._first_token_at: float | None = None
        self._last_token_at: float | None = None
        self._output_chars = 0

    # -- control, from any thread -------------------------------------------------------------

    def cancel(self) -> None:
        """Stop the reply. Safe to call more than once and from any thread."""
        with self._lock:
            if self._cancel_requested:
                return
            self._cancel_requested = True
            loop, task = self._loop, self._task
        if loop is not None and task is not None:
            with contextlib.suppress(RuntimeError):  # the loop already closed: nothing to stop
                loop.call_soon_threadsafe(task.cancel)

    def run(self) -> TerminalEvent:
        """Stream the reply, emitting events; returns the terminal event it emitted."""
        return asyncio.run(self._main())

    # -- the loop thread ----------------------------------------------------------------------

    async def _main(self) -> TerminalEvent:
        task = asyncio.create_task(self._run())
        with self._lock:
            self._loop, self._task = asyncio.get_running_loop(), task
            cancelled_early = self._cancel_requested
        if cancelled_early:
            task.cancel()
        try:
            return await task
        except asyncio.CancelledError:
            if self._terminal is not None:
                # The cancel landed after the reply had ended (while closing the client):
                # the reply's own end stands, and there is exactly one terminal event.
                return self._terminal
            # Cancelled before ``_run`` got going: nothing was sent, still end properly.
            if not self._started:
                self._emit(Started(self._metrics))
            return self._end(Cancelled)

    async def _run(self) -> TerminalEvent:
        self._metrics = self._metrics.with_(started_at=time.monotonic())
        self._started = True
        self._emit(Started(self._metrics))
        client: Any = None
        flusher = asyncio.create_task(self._flush_periodically())
        try:
            client = self._client_factory(self._api)
            max_attempts = 1 + max(0, self._settings.max_retries)
            attempt = 1
            while True:
                try:
                    await self._attempt(client)
                    return self._end(Finished)
                except _Stalled:
                    seconds = f"{self._settings.idle_timeout:g}"
                    error = StreamError(
                        ErrorKind.STALLED, f"No data from the API for {seconds} s; stopped."
                    )
                except Exception as exc:  # every failure becomes a StreamError
                    error = classify(exc, base_url=self._api.display_url)
                if self._has_content() or not error.retryable or attempt >= max_attempts:
                    return self._end(Failed, error=error)
                attempt += 1
                delay = backoff_delay(attempt, error.retry_after, self._settings.retry_wait_cap)
                self._metrics = self._metrics.with_(attempts=attempt)
                self._emit(Retrying(self._metrics, attempt, max_attempts, delay, error))
                await asyncio.sleep(delay)
        except asyncio.CancelledError:
            return self._end(Cancelled)
        finally:
            flusher.cancel()
            if client is not None:
                with contextlib.suppress(Exception):
                    await client.close()

    async def _attempt(self, client: Any) -> None:
        idle = self._settings.idle_timeout
        loop = asyncio.get_running_loop()
        # The raw events, not ``messages.stream()``: its helper builds a snapshot of the whole
        # message and a second event for every delta, which the runner does not use (it keeps
        # its own text). A bare loop at 80 tokens a second took 7.4-8.1 % of a core with it
        # and 6.0-6.8 % without; at full speed the saving is shared with the UI thread.
        stream = await client.messages.create(**self.request.sdk_kwargs(), stream=True)
        async with stream:
            try:
                async with asyncio.timeout(idle) as deadline:
                    moved = loop.time()
                    async for event in stream:
                        # Moving the deadline costs a timer cancel and re-arm; once every
                        # quarter second keeps the stall check to within that, for a fraction
                        # of the cost of doing it for each of thousands of events.
                        now = loop.time()
                        if now - moved >= DEADLINE_STEP:
                            deadline.reschedule(now + idle)
                            moved = now
                        self._on_sdk_event(event)
            except TimeoutError as exc:
                raise _Stalled from exc

    def _on_sdk_event(self, event: Any) -> None:
        kind = event.type
        if kind == "content_block_delta":
            delta = event.delta
            if delta.type == "text_delta":
                self._add(delta.text, self._text, self._pending_text)
            elif delta.type == "thinking_delta":
                self._add(delta.thinking, self._thinking, self._pending_thinking)
        elif kind == "message_start":
            usage = event.message.usage
            self._metrics = self._metrics.with_(
                input_tokens=usage.input_tokens,
                output_tokens=usage.output_tokens,
                cache_creation_tokens=usage.cache_creation_input_tokens or 0,
                cache_read_tokens=usage.cache_read_input_tokens or 0,
            )
            self._emit(Usage(self._metrics))
        elif kind == "message_delta":
            self._metrics = self._metrics.with_(
                output_tokens=event.usage.output_tokens,
                usage_final=True,
                stop_reason=event.delta.stop_reason,
            )

    def _add(self, piece: str, whole: list[str], pending: list[str]) -> None:
        """Keep a delta. The metrics snapshot (a frozen dataclass) is brought up to date
        only when an event goes out (``_sync_metrics``), not once per token."""
        if not piece:
            return
        now = time.monotonic()
        whole.append(piece)
        pending.append(piece)
        if self._first_token_at is None:
            self._first_token_at = now
        self._last_token_at = now
        self._output_chars += len(piece)

    def _sync_metrics(self) -> None:
        m = self._metrics
        if self._first_token_at is None or (
            m.last_token_at == self._last_token_at and m.output_chars == self._output_chars
        ):
            return
        self._metrics = m.with_(
            first_token_at=self._first_token_at,
            last_token_at=self._last_token_at,
            output_chars=self._output_chars,
        )

    def _has_content(self) -> bool:
        return bool(self._text or self._thinking)

    async def _flush_periodically(self) -> None:
        interval = 1.0 / max(0.1, self._settings.refresh_rate)
        while True:
            await asyncio.sleep(interval)
            self._flush()

    def _flush(self) -> None:
        self._sync_metrics()
        if self._pending_thinking:
            text = "".join(self._pending_thinking)
            self._pending_thinking.clear()
            self._emit(ThinkingDelta(self._metrics, text))
        if self._pending_text:
            text = "".join(self._pending_text)
            self._pending_text.clear()
            self._emit(TextDelta(self._metrics, text))

    def _end(
        self,
        kind: type[Finished] | type[Cancelled] | type[Failed],
        error: StreamError | None = None,
    ) -> TerminalEvent:
        self._flush()
        self._metrics = self._metrics.with_(ended_at=time.monotonic())
        if self._metrics.usage_final:
            self._emit(Usage(self._metrics))
        text, thinking = "".join(self._text), "".join(self._thinking)
        event: TerminalEvent
        if kind is Failed:
            assert error is not None
            event = Failed(self._metrics, text, thinking, error)
        else:
            event = kind(self._metrics, text, thinking)  # type: ignore[call-arg]
        self._terminal = event
        self._emit(event)
        return event
