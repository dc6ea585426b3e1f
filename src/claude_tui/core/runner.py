"""The stream runner: one request, streamed, turned into typed events, cancellable at any moment.

It runs in a worker thread that owns its own asyncio loop and uses ``AsyncAnthropic``: cancelling
the task ends every phase (waiting for headers, waiting for the first token, a flowing stream, a
stalled stream, a retry wait) within milliseconds and closes the connection, which the sync
client's ``stream.close()`` cannot do for a read that is waiting.

The reply is made of content blocks, and the events follow them by the API's own indices (see
``core.events``). Deltas are coalesced (``core.coalesce``): gathered as they arrive and handed to
``emit`` at most ``refresh_rate`` times a second, so the UI's work does not grow with the token
rate. Once text flows, the body itself is read once a frame (``core.frame_reads``), so the
runner's own work follows the rate too: 1.3-1.9 % of a core at rate 10 for 80 tokens a second,
against 3.7-4.2 % reading each event as it arrived. Nothing is dropped or reordered; the
terminal event also carries every block.

The SDK opens the stream (so its status errors, headers and connection handling are the same
as ever), but the runner reads the raw server-sent events (``AsyncStream.raw_events``), and
``core.reply_reader`` builds each block from the API's JSON (``block_from_api``), not from the
SDK's parsed models.
What anthropic 2.10.0 does with a block type it does not know (checked against a stream with
``content_block_start`` of ``{"type": "future_block", ...}`` and a delta of an unknown type):

- it does not raise: it builds the first model of the union (a ``TextBlock``, a ``TextDelta``;
  an unknown event type becomes a ``RawMessageStartEvent``) without validation, with ``type``
  as sent and the unknown fields kept as extras, so ``to_dict()`` gives the fields back and
  ``model_dump()`` gives them plus the model's own (``text=None``, ``citations=None``) that the
  API never sent;
- but serialising such a model (``to_dict()``, ``model_dump()``) emits pydantic
  ``UserWarning``s on stderr whenever a field does not fit the model it was squeezed into (an
  unknown block whose ``text`` is an object, a citation of a new type);
- the keys come back in the model's order, not the API's;
- a malformed event (``"content_block": null``) is passed on as ``None`` for the reader to trip
  over.

The raw JSON has none of these problems: every block is kept exactly as sent (an unknown one
goes back unchanged), a malformed event is a ``MALFORMED`` failure, and each event costs one
``json.loads`` instead of that plus building a model. The runner's thread spent 66 ms of CPU on
a 4,000-token reply at full speed this way against 113 ms with the SDK's events, and 3.9 % of a
core against 4.8 % at 80 tokens a second. The ``error`` event and the ``ping`` and nameless
events are treated as the SDK treats them, so an ``error`` mid-stream is the same
``APIStatusError`` as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
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
    Usage,
)
from claude_tui.core.frame_reads import FramePacer
from claude_tui.core.metrics import StreamMetrics
from claude_tui.core.reply_reader import MalformedEvent, ReplyReader

Emit = Callable[[StreamEvent], None]
ClientFactory = Callable[[ApiSettings], Any]


@dataclass(frozen=True)
class StreamRequest:
    """What to ask for; ``messages`` must already be valid API history. ``core.request`` builds
    it from the settings and what the model accepts; the fields are the API's parameters."""

    messages: list[dict[str, Any]]
    model: str = defaults.DEFAULT_MODEL
    max_tokens: int = defaults.DEFAULT_MAX_TOKENS
    system: str = defaults.DEFAULT_SYSTEM_PROMPT
    thinking: dict[str, Any] | None = None
    """``{"type": "adaptive"}``, or ``{"type": "enabled", "budget_tokens": N}``; ``None``: none."""
    output_config: dict[str, Any] | None = None
    """``{"effort": "high"}``; ``None``: not sent."""
    cache_control: dict[str, Any] | None = None
    """Top-level prompt caching, ``{"type": "ephemeral"}`` (with ``"ttl": "1h"`` for an hour)."""
    context_management: dict[str, Any] | None = None
    """Server-side compaction (beta): sent only with ``betas``."""
    betas: tuple[str, ...] = ()
    """Beta features: the request goes to the SDK's ``client.beta.messages`` with these."""
    tools: tuple[dict[str, Any], ...] = ()
    """Server tool definitions (web search, web fetch); ``count_tokens`` is never sent them."""
    temperature: float | None = None
    extra_headers: dict[str, str] = field(default_factory=dict)

    def sdk_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of ``messages.create`` (``beta.messages.create`` with betas)."""
        kwargs: dict[str, Any] = {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "messages": self.messages,
        }
        if self.system.strip():
            kwargs["system"] = self.system
        optional = {
            "thinking": self.thinking,
            "output_config": self.output_config,
            "cache_control": self.cache_control,
        }
        kwargs.update({name: value for name, value in optional.items() if value is not None})
        if self.tools:
            kwargs["tools"] = [dict(tool) for tool in self.tools]
        if self.betas:
            kwargs["betas"] = list(self.betas)
            if self.context_management is not None:
                kwargs["context_management"] = self.context_management
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
        self._reply = ReplyReader()
        self._pacer = FramePacer(self._settings.refresh_rate, wanted=self._paced, flush=self._flush)

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

    def set_refresh_rate(self, refresh_rate: float) -> None:
        """Hand on batches ``refresh_rate`` times a second from now on (``/rate`` while the
        reply streams). Safe from any thread: the rate is set on the runner's own loop, which
        ends a long frame it is sleeping through (half a second at rate 2) at once."""
        with self._lock:
            loop = self._loop
            if loop is None:
                self._pacer.set_rate(refresh_rate)  # not running yet: nothing else touches it
                return
        with contextlib.suppress(RuntimeError):  # the loop already closed
            loop.call_soon_threadsafe(self._pacer.set_rate, refresh_rate)

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
                self._flush()
                if self._reply.blocks.has_content or not error.retryable or attempt >= max_attempts:
                    return self._end(Failed, error=error)
                attempt += 1
                delay = backoff_delay(attempt, error.retry_after, self._settings.retry_wait_cap)
                self._metrics = self._metrics.with_(attempts=attempt)
                self._emit(Retrying(self._metrics, attempt, max_attempts, delay, error))
                self._reply = ReplyReader()  # the next attempt starts the reply over
                await asyncio.sleep(delay)
        except asyncio.CancelledError:
            return self._end(Cancelled)
        finally:
            if client is not None:
                with contextlib.suppress(Exception):
                    await client.close()

    async def _attempt(self, client: Any) -> None:
        import anthropic  # already imported by the client factory: a lookup, not a load

        idle = self._settings.idle_timeout
        loop = asyncio.get_running_loop()
        messages = client.beta.messages if self.request.betas else client.messages
        stream = await messages.create(**self.request.sdk_kwargs(), stream=True)
        async with stream:
            try:
                async with asyncio.timeout(idle) as deadline:
                    moved = loop.time()
                    # The raw SSE, read as the SDK reads it but not parsed into its models:
                    # see the module docstring for why.
                    # Read once a frame once text flows (``core.frame_reads``).
                    body: Any = self._pacer.body(stream.response)
                    async for sse in anthropic.AsyncStream.raw_events(body):
                        # Moving the deadline costs a timer cancel and re-arm; once every
                        # quarter second keeps the stall check to within that, for a fraction
                        # of the cost of doing it for each of thousands of events.
                        now = loop.time()
                        if now - moved >= DEADLINE_STEP:
                            deadline.reschedule(now + idle)
                            moved = now
                        if sse.event is None or sse.event == "ping" or not sse.data:
                            continue  # as the SDK: nameless events and pings carry nothing
                        if sse.event == "error":
                            raise _stream_error(sse.data, stream.response)
                        self._read(sse.json(), stream.response)
                        if not self._reply.blocks.has_content:
                            # Until something a person can see has gone out, each event goes
                            # at once: the first text does not wait for the next flush.
                            self._flush()
            except TimeoutError as exc:
                raise _Stalled from exc

    def _read(self, data: object, response: Any) -> None:
        """One event's JSON, taken in; a malformed one fails the reply as the SDK's own
        validation error would (``MALFORMED``)."""
        try:
            if not isinstance(data, dict):
                raise MalformedEvent(data)
            update = self._reply.read(data)
        except MalformedEvent as exc:
            import anthropic

            raise anthropic.APIResponseValidationError(
                response, exc.data, message=str(exc)
            ) from exc
        if update is not None:
            self._metrics = self._metrics.with_(**update.fields)
            if update.announce:
                self._emit(Usage(self._metrics))

    def _paced(self) -> bool:
        """Whether the body is read once a frame now: once text shows, until the reply ends."""
        return self._reply.blocks.has_content and not self._reply.ended

    def _flush(self) -> None:
        """Hand on what arrived since the last flush, in the order it arrived."""
        if not self._reply.blocks.pending:
            return
        self._metrics = self._reply.timed(self._metrics)
        for event in self._reply.blocks.flush(self._metrics):
            self._emit(event)

    def _end(
        self,
        kind: type[Finished] | type[Cancelled] | type[Failed],
        error: StreamError | None = None,
    ) -> TerminalEvent:
        self._flush()
        self._metrics = self._metrics.with_(ended_at=time.monotonic())
        if self._metrics.usage_final:
            self._emit(Usage(self._metrics))
        blocks = self._reply.blocks.blocks()
        event: TerminalEvent
        if kind is Failed:
            assert error is not None
            event = Failed(self._metrics, blocks, error)
        else:
            event = kind(self._metrics, blocks)  # type: ignore[call-arg]
        self._terminal = event
        self._emit(event)
        return event


def _stream_error(data: str, response: Any) -> Exception:
    """The error an ``error`` event stands for, made as the SDK makes it (an
    ``APIStatusError`` with the stream's status, 200), so it is classified the same way."""
    import anthropic

    try:
        body: object = json.loads(data)
        message = f"{body}"
    except ValueError:
        body, message = data, data
    return anthropic.APIStatusError(message, response=response, body=body)
